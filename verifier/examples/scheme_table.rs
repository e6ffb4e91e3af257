//! Writes what JavaScript knows of the schemes, from this crate, as `schemes.mjs` and its
//! types `schemes.d.mts`: names in detection order, headers, alternate names, the
//! delivery-id and timestamp headers, key forms and prefixes, error codes, the default
//! tolerance. `scripts/build-pkg.sh` runs it into `pkg/gen/`, so the package and the pages
//! import the table instead of retyping it.
//!
//! `cargo run -p hookproof --example scheme_table -- DIR` writes the two files into DIR;
//! with `--check DIR` it writes nothing and fails when they differ from what it would
//! write (`tests/node/schemes.test.mjs`).

use std::path::Path;
use std::process::ExitCode;

use hookproof::{
    Error, Scheme, TimestampField, DEFAULT_TOLERANCE_SECS, MAX_TIMESTAMP_DIGITS, PUBLIC_KEY_PREFIX,
    SECRET_PREFIX, SIGNING_KEY_PREFIX,
};
use serde_json::json;

const HEADER: &str =
    "// Generated from the hookproof crate by verifier/examples/scheme_table.rs (run by\n\
                      // scripts/build-pkg.sh). Do not edit: change the crate.\n";

fn lower(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_ascii_lowercase()).collect()
}

/// One scheme as a JS object literal, a property a line.
fn scheme(scheme: Scheme) -> String {
    let timestamp = scheme.timestamp_field().map(|field| {
        let item = match field {
            TimestampField::Item { key, .. } => Some(key),
            _ => None,
        };
        json!({ "header": field.header().to_ascii_lowercase(), "item": item })
    });
    let properties = [
        ("name", json!(scheme.name())),
        ("headers", json!(lower(scheme.header_names()))),
        (
            "alternate",
            json!(scheme.alternate_header_names().map(lower)),
        ),
        ("id", json!(scheme.id_header().map(str::to_ascii_lowercase))),
        ("timestamp", json!(timestamp)),
        ("key", json!(scheme.key_form().name())),
        ("ed25519", json!(scheme.takes_ed25519_keys())),
    ];
    let lines: Vec<String> = properties
        .iter()
        .map(|(name, value)| format!("    {name}: {value},\n"))
        .collect();
    format!("  {{\n{}  }},\n", lines.concat())
}

fn module() -> String {
    let schemes: String = Scheme::ALL.into_iter().map(scheme).collect();
    let codes: String = Error::CODES.map(|code| format!("  {code:?},\n")).concat();
    format!(
        r#"{HEADER}
const freeze = (value) => {{
  if (value !== null && typeof value === "object") Object.values(value).forEach(freeze);
  return Object.freeze(value);
}};

/** How far (seconds) a signed timestamp may be from now, either way, by default. */
export const DEFAULT_TOLERANCE_SECONDS = {DEFAULT_TOLERANCE_SECS};

/** The most digits a signed timestamp (whole Unix seconds) may have. */
export const MAX_TIMESTAMP_DIGITS = {MAX_TIMESTAMP_DIGITS};

/** The prefix of Standard Webhooks and Svix secrets (base64 after it). */
export const SECRET_PREFIX = {SECRET_PREFIX:?};

/** The prefix of a Standard Webhooks Ed25519 public key: verifies `v1a` signatures. */
export const PUBLIC_KEY_PREFIX = {PUBLIC_KEY_PREFIX:?};

/** The prefix of a Standard Webhooks Ed25519 secret key: signs `v1a` signatures. */
export const SIGNING_KEY_PREFIX = {SIGNING_KEY_PREFIX:?};

/** Every `WebhookVerificationError` code. */
export const ERROR_CODES = freeze([
{codes}]);

/**
 * Every scheme, in the order detection tries them. Header names are lower-case; `headers`
 * are what verify reads, signature header first; `alternate`, the names read instead (at
 * the same places) when the signature header is absent; `id`, the delivery-id header;
 * `timestamp`, the header of the signed timestamp and, when it is an item of that header's
 * `key=value` list, the item's key; `key`, how a secret string becomes the key.
 */
export const SCHEMES = freeze([
{schemes}]);
"#,
    )
}

fn union<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn types() -> String {
    format!(
        r#"{HEADER}
export type SchemeName = {names};
export type ErrorCode = {codes};

export interface SchemeInfo {{
  readonly name: SchemeName;
  readonly headers: readonly string[];
  readonly alternate: readonly string[] | null;
  readonly id: string | null;
  readonly timestamp: {{ readonly header: string; readonly item: string | null }} | null;
  readonly key: "base64" | "utf8";
  readonly ed25519: boolean;
}}

export declare const DEFAULT_TOLERANCE_SECONDS: number;
export declare const MAX_TIMESTAMP_DIGITS: number;
export declare const SECRET_PREFIX: string;
export declare const PUBLIC_KEY_PREFIX: string;
export declare const SIGNING_KEY_PREFIX: string;
export declare const ERROR_CODES: readonly ErrorCode[];
export declare const SCHEMES: readonly SchemeInfo[];
"#,
        names = union(Scheme::ALL.map(Scheme::name)),
        codes = union(Error::CODES),
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (check, dir) = match args.as_slice() {
        [flag, dir] if flag == "--check" => (true, dir),
        [dir] if !dir.starts_with('-') => (false, dir),
        _ => {
            eprintln!("usage: scheme_table [--check] DIR");
            return ExitCode::from(2);
        }
    };
    let mut stale = false;
    for (name, text) in [("schemes.mjs", module()), ("schemes.d.mts", types())] {
        let path = Path::new(dir).join(name);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                eprintln!(
                    "{} is not what the crate generates: run scripts/build-pkg.sh",
                    path.display()
                );
                stale = true;
            }
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
