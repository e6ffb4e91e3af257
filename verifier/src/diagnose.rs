//! `Webhook::diagnose`, the signature doctor: when a delivery does not verify, find which
//! well-known mistake would have made it verify, and say so in plain words with the fix.
//! It never echoes a secret or an expected signature.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;
use serde::Serialize;

use crate::scheme::{Envelope, KeyForm, Rules};
use crate::webhook::{key_bytes, signature_matches, DynHeaders, Key, SecretInput};
use crate::{Error, Headers, Scheme, Webhook, SECRET_PREFIX};

/// What [`Webhook::diagnose`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// Whether the delivery verifies as it is.
    pub verified: bool,
    /// `verify`'s error code when it does not.
    pub code: Option<&'static str>,
    /// `verify`'s error message when it does not.
    pub message: Option<String>,
    /// The known mistakes that explain the failure, most likely first.
    pub findings: Vec<Finding>,
}

/// One recognised mistake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable name: `wrong_scheme`, `body_reserialized`, `trailing_newline_removed`,
    /// `trailing_newline_added`, `line_endings_changed`, `body_checks_skipped`,
    /// `secret_whitespace`, `secret_form`, `other_scheme_rule`, `timestamp_milliseconds`,
    /// `clock_skew`.
    pub kind: &'static str,
    /// The mistake and its fix, in plain words.
    pub message: String,
}

/// The largest body (bytes) on which [`Webhook::diagnose`] looks for the mistake behind a
/// signature that does not match. Each check hashes the body again (a dozen or more) and
/// the checks for a changed body (re-serialized JSON, newlines) rewrite it too, up to 16
/// times its size: past this size they are skipped, with a `body_checks_skipped` finding,
/// so the doctor costs about what `verify` does whatever a sender posts.
pub const DIAGNOSE_BODY_LIMIT: usize = 1024 * 1024;

const RAW_BODY_FIX: &str =
    "verify the exact raw bytes received (express.raw(), await request.arrayBuffer(), \
     req.rawBody), before any JSON parsing";

impl Webhook {
    /// Verifies like [`Webhook::verify_at`] and never fails: when the delivery does not
    /// verify, checks one by one which known mistake would have matched — a re-serialized
    /// or newline-changed body, the secret in another form, another scheme's signing rule,
    /// a timestamp in milliseconds, clock skew — and reports it. The checks for a mismatched
    /// signature run on bodies up to [`DIAGNOSE_BODY_LIMIT`] bytes; its work is linear in
    /// the body and depends on no nesting depth.
    ///
    /// ```
    /// use hookproof::{Scheme, Webhook};
    /// let wh = Webhook::new(Scheme::Github, "s3cret")?;
    /// let headers = wh.sign(b"{\"a\": 1}", "d1", 0)?;
    /// let report = wh.diagnose(b"{\"a\":1}", &headers, 0); // what JSON.stringify(JSON.parse(body)) gives
    /// assert!(!report.verified);
    /// assert_eq!(report.findings[0].kind, "body_reserialized");
    /// # Ok::<(), hookproof::Error>(())
    /// ```
    pub fn diagnose<H: Headers + ?Sized>(&self, body: &[u8], headers: &H, now: i64) -> Diagnosis {
        let result = self.verify_at(body, headers, now);
        let mut findings = Vec::new();
        let headers = DynHeaders(headers);
        // Another scheme's headers, when ours are not there to read.
        let ours_readable = self.scheme.rules().read(&headers).is_ok();
        if let Some(detected) =
            Scheme::detect(&headers).filter(|_| result.is_err() && !ours_readable)
        {
            if detected != self.scheme {
                findings.push(Finding {
                    kind: "wrong_scheme",
                    message: format!(
                        "these headers are {detected}'s ({}), but the verifier is configured for {}: use scheme \"{detected}\"",
                        detected.signature_header(),
                        self.scheme
                    ),
                });
            }
        }
        match &result {
            Err(Error::NoMatchingSignature(_)) => self.diagnose_mismatch(&headers, body, &mut findings),
            Err(Error::TimestampTooOld { age, tolerance }) => findings.push(Finding {
                kind: "clock_skew",
                message: format!(
                    "the signature is valid, but it was made {age} s ago (tolerance {tolerance} s): a replay of an old \
                     delivery, a long queue, or this machine's clock is {age} s ahead (check NTP)"
                ),
            }),
            Err(Error::TimestampTooNew { ahead, tolerance }) => {
                let ts = self
                    .scheme
                    .rules()
                    .read(&headers)
                    .ok()
                    .and_then(|e| e.timestamp)
                    .map_or(0, |(_, ts)| ts);
                if ts > 100_000_000_000 {
                    findings.push(Finding {
                        kind: "timestamp_milliseconds",
                        message: "the timestamp is in milliseconds; the scheme signs Unix seconds: the sender must \
                                  send Math.floor(Date.now() / 1000)"
                            .to_owned(),
                    });
                } else {
                    findings.push(Finding {
                        kind: "clock_skew",
                        message: format!(
                            "the signature is valid, but its timestamp is {ahead} s in the future (tolerance \
                             {tolerance} s): the sender's clock or this machine's is off by {ahead} s (check NTP)"
                        ),
                    });
                }
            }
            _ => {}
        }
        let (code, message) = match &result {
            Ok(_) => (None, None),
            Err(e) => (Some(e.code()), Some(e.to_string())),
        };
        Diagnosis {
            verified: result.is_ok(),
            code,
            message,
            findings,
        }
    }

    fn diagnose_mismatch(&self, headers: &dyn Headers, body: &[u8], findings: &mut Vec<Finding>) {
        let rules = self.scheme.rules();
        let Ok(env) = rules.read(headers) else { return };
        let matches = |content: &dyn Rules, keys: &[Key], body: &[u8]| {
            signature_matches(rules, content, keys, &env, body).is_ok()
        };

        if body.len() > DIAGNOSE_BODY_LIMIT {
            findings.push(Finding {
                kind: "body_checks_skipped",
                message: format!(
                    "the body is {} bytes: the checks for a changed body, the secret's form and another scheme's \
                     rule run on bodies up to {DIAGNOSE_BODY_LIMIT} bytes, so they were skipped; {RAW_BODY_FIX}, \
                     with the secret exactly as the provider shows it",
                    body.len()
                ),
            });
            return;
        }
        if let Some((kind, what)) =
            body_variants(body, |variant| matches(rules, &self.keys, variant))
        {
            findings.push(Finding {
                kind,
                message: format!("{what}; {RAW_BODY_FIX}"),
            });
            return;
        }

        let algorithm = rules.algorithm();
        for secret in &self.secrets {
            for (kind, key, what) in secret_variants(self.scheme, secret) {
                if Key::new(algorithm, &key).is_ok_and(|k| matches(rules, &[k], body)) {
                    findings.push(Finding {
                        kind,
                        message: what.to_owned(),
                    });
                    return;
                }
            }
        }

        if let Some(other) = Scheme::ALL
            .into_iter()
            .filter(|o| *o != self.scheme)
            .find(|o| self.other_rule_matches(*o, &env, body))
        {
            findings.push(Finding {
                kind: "other_scheme_rule",
                message: format!(
                    "the signature in {} was computed with {other}'s signing rule (its signed bytes and key form), \
                     not {}'s: the sender and receiver disagree on the scheme; configure both for the same one",
                    self.scheme.signature_header(),
                    self.scheme
                ),
            });
        }
    }

    /// Whether `other`'s signed bytes and key form, with our secrets, explain the signature
    /// found in our scheme's header.
    fn other_rule_matches(&self, other: Scheme, env: &Envelope<'_>, body: &[u8]) -> bool {
        let content = other.rules();
        let keys: Vec<Key> = self
            .secrets
            .iter()
            .filter_map(|s| match s {
                SecretInput::Str(s) => key_bytes(other, s).ok(),
                SecretInput::Bytes(b) => Some(b.clone()),
            })
            .filter_map(|k| Key::new(content.algorithm(), &k).ok())
            .collect();
        !keys.is_empty()
            && signature_matches(self.scheme.rules(), content, &keys, env, body).is_ok()
    }
}

/// The first body the provider may have signed, given the body a receiver ended up with,
/// for which `signed` is true: its finding's kind and description. Each variant is made
/// and checked in turn, so at most one is held at a time.
fn body_variants(
    body: &[u8],
    mut signed: impl FnMut(&[u8]) -> bool,
) -> Option<(&'static str, &'static str)> {
    let mut with_nl = body.to_vec();
    with_nl.push(b'\n');
    if signed(&with_nl) {
        return Some((
            "trailing_newline_removed",
            "the signed body ended with a newline that was stripped",
        ));
    }
    drop(with_nl);
    if let Some(trimmed) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        if signed(trimmed) {
            return Some((
                "trailing_newline_added",
                "a newline was added after the signed body",
            ));
        }
    }
    if body.contains(&b'\n') {
        if signed(&replace(&replace(body, b"\r\n", b"\n"), b"\n", b"\r\n")) {
            return Some((
                "line_endings_changed",
                "the signed body had CRLF line endings that were converted to LF",
            ));
        }
        if signed(&replace(body, b"\r\n", b"\n")) {
            return Some((
                "line_endings_changed",
                "the signed body had LF line endings that were converted to CRLF",
            ));
        }
    }
    let text = core::str::from_utf8(body).ok()?;
    [
        (Layout::Compact, "the body was re-serialized (e.g. JSON.stringify(JSON.parse(body))): the provider signed compact JSON"),
        (Layout::Pretty(2), "the body was re-serialized: the provider signed JSON pretty-printed with 2 spaces"),
        (Layout::Pretty(4), "the body was re-serialized: the provider signed JSON pretty-printed with 4 spaces"),
        (Layout::Spaced, "the body was re-serialized: the provider signed JSON with spaces after , and : (Python's json.dumps)"),
    ]
    .into_iter()
    .find(|(layout, _)| {
        respace(text, *layout).is_some_and(|v| v.as_bytes() != body && signed(v.as_bytes()))
    })
    .map(|(_, what)| ("body_reserialized", what))
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while !rest.is_empty() {
        if rest.starts_with(from) {
            out.extend_from_slice(to);
            rest = &rest[from.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

/// Key bytes a sender may have used instead of ours, for one secret.
fn secret_variants(
    scheme: Scheme,
    secret: &SecretInput,
) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let SecretInput::Str(s) = secret else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let trimmed = s.trim();
    if trimmed != s {
        if let Ok(k) = key_bytes(scheme, trimmed) {
            out.push((
                "secret_whitespace",
                k,
                "the secret has surrounding whitespace (a newline from an env file?): trim it",
            ));
        }
    }
    match scheme.rules().key_form() {
        KeyForm::Base64 => {
            out.push((
                "secret_form",
                trimmed.as_bytes().to_vec(),
                "the sender used the secret string's bytes as the key (Stripe style) instead of base64-decoding \
                 the part after whsec_: align the key forms",
            ));
            if let Some(bare) = trimmed.strip_prefix(SECRET_PREFIX) {
                out.push((
                    "secret_form",
                    bare.as_bytes().to_vec(),
                    "the sender used the base64 text after whsec_ as the key without decoding it: align the key forms",
                ));
            }
        }
        KeyForm::Utf8 => {
            if let Some(bare) = trimmed.strip_prefix(SECRET_PREFIX) {
                out.push((
                    "secret_form",
                    bare.as_bytes().to_vec(),
                    "the sender's key is the secret without its whsec_ prefix: pass the secret exactly as the \
                     provider shows it, or drop the prefix on both sides",
                ));
            } else {
                out.push((
                    "secret_form",
                    [SECRET_PREFIX, trimmed].concat().into_bytes(),
                    "the sender's key is the secret with a whsec_ prefix (as Stripe shows its secrets): pass \
                     the secret exactly as the provider shows it, whsec_ included",
                ));
            }
            if let Ok(k) = key_bytes(Scheme::Standard, trimmed) {
                out.push((
                    "secret_form",
                    k,
                    "the sender base64-decoded the secret (Standard Webhooks style) while this scheme uses the \
                     string's bytes: align the key forms",
                ));
            }
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Layout {
    Compact,
    Pretty(usize),
    Spaced,
}

/// Re-lays out JSON text token by token (strings and numbers kept as written), the way
/// common serializers print it. None when the text does not look like a JSON object or
/// array, or when the layout would make it more than `MAX_GROWTH` times longer (plus
/// 64 KiB): pretty-printing n nested brackets writes ~n² spaces, and `diagnose` must stay
/// linear in the body whatever a sender posts.
fn respace(text: &str, layout: Layout) -> Option<String> {
    const MAX_GROWTH: usize = 16;
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let budget = text
        .len()
        .saturating_mul(MAX_GROWTH)
        .saturating_add(64 * 1024);
    let chars: Vec<char> = text.trim().chars().collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut i = 0;
    let newline = |out: &mut String, depth: usize, width: usize| {
        let indent = depth.saturating_mul(width);
        if out.len().saturating_add(indent) >= budget {
            return None;
        }
        out.push('\n');
        out.extend(core::iter::repeat_n(' ', indent));
        Some(())
    };
    let next_significant = |from: usize| chars[from..].iter().copied().find(|c| !c.is_whitespace());
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '"' => {
                out.push('"');
                while let Some(&s) = chars.get(i) {
                    i += 1;
                    out.push(s);
                    if s == '\\' {
                        out.push(*chars.get(i)?);
                        i += 1;
                    } else if s == '"' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => {}
            '{' | '[' => {
                out.push(c);
                depth += 1;
                if let Layout::Pretty(w) = layout {
                    if !matches!(next_significant(i), Some('}' | ']')) {
                        newline(&mut out, depth, w)?;
                    }
                }
            }
            '}' | ']' => {
                depth = depth.checked_sub(1)?;
                if let Layout::Pretty(w) = layout {
                    if !matches!(out.chars().last(), Some('{' | '[')) {
                        newline(&mut out, depth, w)?;
                    }
                }
                out.push(c);
            }
            ',' => {
                out.push(',');
                match layout {
                    Layout::Pretty(w) => newline(&mut out, depth, w)?,
                    Layout::Spaced => out.push(' '),
                    Layout::Compact => {}
                }
            }
            ':' => {
                out.push(':');
                if !matches!(layout, Layout::Compact) {
                    out.push(' ');
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_past_the_rewrite_limit_skips_the_body_checks_with_a_finding() {
        let wh = Webhook::new(Scheme::Github, "s3cret").unwrap();
        let deep = [
            "[".repeat(DIAGNOSE_BODY_LIMIT / 2),
            "]".repeat(DIAGNOSE_BODY_LIMIT / 2 + 1),
        ]
        .concat();
        let headers = wh.sign(b"another body", "d1", 0).unwrap();
        let report = wh.diagnose(deep.as_bytes(), &headers, 0);
        assert_eq!(report.code, Some("no_matching_signature"));
        let kinds: Vec<_> = report.findings.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, ["body_checks_skipped"]);
        assert!(report.findings[0].message.contains("1048577 bytes"));
        // At the limit, the checks still run: a stripped newline is found.
        let body = vec![b'x'; DIAGNOSE_BODY_LIMIT];
        let headers = wh.sign(&[&body[..], b"\n"].concat(), "d1", 0).unwrap();
        let report = wh.diagnose(&body, &headers, 0);
        assert_eq!(report.findings[0].kind, "trailing_newline_removed");
    }

    #[test]
    fn respace_layouts() {
        let json = r#"{"a": [1, 2], "b": {}, "s": "x, y: z \" q"}"#;
        assert_eq!(
            respace(json, Layout::Compact).unwrap(),
            r#"{"a":[1,2],"b":{},"s":"x, y: z \" q"}"#
        );
        assert_eq!(
            respace(json, Layout::Pretty(2)).unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"s\": \"x, y: z \\\" q\"\n}"
        );
        assert_eq!(
            respace(r#"{"a":1,"b":[]}"#, Layout::Spaced).unwrap(),
            r#"{"a": 1, "b": []}"#
        );
        assert_eq!(respace("plain", Layout::Compact), None);
    }

    #[test]
    fn respace_stays_linear_in_the_body() {
        // Pretty-printing would write ~2 * 10_000² / 2 spaces (100 MB) for this body.
        let deep = "[".repeat(10_000);
        assert_eq!(respace(&deep, Layout::Pretty(2)), None);
        assert_eq!(
            respace(&deep, Layout::Compact).as_deref(),
            Some(deep.as_str())
        );
        // Real nesting is well within the budget.
        let nested = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        assert!(respace(&nested, Layout::Pretty(4)).is_some());
    }
}
