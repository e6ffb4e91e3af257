//! Sender conformance, the mirror of `probe`: does a captured request follow the rules a
//! provider of its scheme must keep? Header names, timestamp and signature formats come
//! from the `hookproof` crate (`Scheme::header_names`, `Scheme::read`), which verifies
//! with the same rules.

use hookproof::{Error, Headers, Scheme};
use serde::Serialize;

use super::Capture;
pub use crate::store::inbox::{delivery_id, Check, Status};

/// A timestamp past this (year 5138) is milliseconds, not seconds.
const MAX_SECONDS: i64 = 100_000_000_000;

/// The rules, in the order they are reported.
pub const RULES: [&str; 7] = [
    "headers_present",
    "signature_format",
    "timestamp_seconds",
    "timestamp_fresh",
    "id_unique",
    "content_type_json",
    "body_json",
];

fn check_of(rule: &str, status: Status, detail: impl Into<String>) -> Check {
    Check {
        rule: rule.to_owned(),
        status,
        detail: detail.into(),
    }
}

/// Every rule for one request received at `now` (Unix seconds); `id` is its
/// `delivery_id`, and `same_id` every earlier capture of the inbox with that id (for the
/// id's uniqueness).
pub fn check(
    scheme: Scheme,
    tolerance: u64,
    headers: &[(String, String)],
    body: &[u8],
    now: i64,
    id: Option<&str>,
    same_id: &[Capture],
) -> Vec<Check> {
    let mut out = Vec::with_capacity(RULES.len());
    // The scheme's names, or the alternate set (svix's `webhook-` names) when the request
    // uses that one.
    let names = match scheme.alternate_header_names() {
        Some(alt)
            if headers.header(scheme.signature_header()).is_none()
                && headers.header(alt[0]).is_some() =>
        {
            alt
        }
        _ => scheme.header_names(),
    };
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| headers.header(n).is_none_or(|v| v.trim().is_empty()))
        .collect();
    out.push(if missing.is_empty() {
        check_of(RULES[0], Status::Pass, format!("{} sent", names.join(", ")))
    } else {
        check_of(
            RULES[0],
            Status::Fail,
            format!("missing: {}", missing.join(", ")),
        )
    });

    let read = scheme.read(headers);
    let (sig, secs, fresh) = match &read {
        Ok(r) => {
            let sig = check_of(
                RULES[1],
                Status::Pass,
                format!("{} signature(s) in the {} format", r.signatures, scheme),
            );
            match r.timestamp {
                Some(ts) if ts >= MAX_SECONDS => (
                    sig,
                    check_of(
                        RULES[2],
                        Status::Fail,
                        format!("{ts} is milliseconds: send whole Unix seconds"),
                    ),
                    check_of(RULES[3], Status::Skip, "the timestamp is not in seconds"),
                ),
                Some(ts) => {
                    let age = now.abs_diff(ts);
                    let fresh = if age <= tolerance {
                        check_of(
                            RULES[3],
                            Status::Pass,
                            format!("{age} s from the inbox's clock"),
                        )
                    } else {
                        check_of(RULES[3], Status::Fail, format!(
                            "{age} s from the inbox's clock, over the {tolerance} s tolerance: sign with the time of sending"
                        ))
                    };
                    (
                        sig,
                        check_of(RULES[2], Status::Pass, format!("{ts}")),
                        fresh,
                    )
                }
                None => (
                    sig,
                    check_of(
                        RULES[2],
                        Status::Skip,
                        format!("{scheme} signs no timestamp"),
                    ),
                    check_of(
                        RULES[3],
                        Status::Skip,
                        format!("{scheme} signs no timestamp"),
                    ),
                ),
            }
        }
        Err(e @ Error::InvalidTimestamp(_)) => (
            check_of(RULES[1], Status::Skip, "the timestamp did not parse"),
            check_of(RULES[2], Status::Fail, e.to_string()),
            check_of(RULES[3], Status::Skip, "the timestamp did not parse"),
        ),
        Err(e @ Error::MissingHeader(_)) => {
            let skip = |rule| check_of(rule, Status::Skip, e.to_string());
            (skip(RULES[1]), skip(RULES[2]), skip(RULES[3]))
        }
        Err(e) => {
            let skip = |rule| check_of(rule, Status::Skip, "the signature header did not parse");
            (
                check_of(RULES[1], Status::Fail, e.to_string()),
                skip(RULES[2]),
                skip(RULES[3]),
            )
        }
    };
    out.push(sig);
    out.push(secs);
    out.push(fresh);

    out.push(match id {
        None => check_of(
            RULES[4],
            Status::Skip,
            format!("{scheme} carries no delivery id (header or body \"id\")"),
        ),
        Some(id) => {
            if same_id.is_empty() {
                check_of(RULES[4], Status::Pass, format!("{id} is new"))
            } else if same_id.iter().all(|c| c.body_bytes() == body) {
                check_of(
                    RULES[4],
                    Status::Pass,
                    format!("{id} repeated by a retry with the same body"),
                )
            } else {
                check_of(
                    RULES[4],
                    Status::Fail,
                    format!(
                        "{id} was used before for another body: each delivery needs its own id"
                    ),
                )
            }
        }
    });

    let content_type = headers.header("content-type").unwrap_or_default();
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    out.push(if media == "application/json" || media.ends_with("+json") {
        check_of(RULES[5], Status::Pass, content_type)
    } else if content_type.is_empty() {
        check_of(
            RULES[5],
            Status::Fail,
            "no Content-Type: send application/json",
        )
    } else {
        check_of(
            RULES[5],
            Status::Fail,
            format!("{content_type}: send application/json"),
        )
    });
    out.push(
        match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Ok(_) => check_of(
                RULES[6],
                Status::Pass,
                format!("{} bytes of JSON", body.len()),
            ),
            Err(e) => check_of(RULES[6], Status::Fail, format!("not JSON: {e}")),
        },
    );
    out
}

/// How many captures passed, failed and skipped each rule.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Tally {
    pub rule: &'static str,
    pub pass: u64,
    pub fail: u64,
    pub skip: u64,
}

/// The inbox's summary table: a row per rule.
pub fn summary(captures: &[Capture]) -> Vec<Tally> {
    RULES
        .iter()
        .map(|rule| {
            let mut t = Tally {
                rule,
                ..Tally::default()
            };
            for c in captures
                .iter()
                .flat_map(|c| &c.conformance)
                .filter(|c| c.rule == *rule)
            {
                match c.status {
                    Status::Pass => t.pass += 1,
                    Status::Fail => t.fail += 1,
                    Status::Skip => t.skip += 1,
                }
            }
            t
        })
        .collect()
}
