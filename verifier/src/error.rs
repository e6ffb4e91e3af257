//! The one error type. Every failure a receiver can act on has its own variant and a
//! stable `code()` string, which is also the `.code` of the JS `WebhookVerificationError`.
//!
//! Messages name the header at fault and never carry a secret or an expected signature.

use alloc::string::String;
use core::fmt;

/// Why a delivery was not accepted, or why a [`crate::Webhook`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A header the scheme needs is absent.
    MissingHeader(&'static str),
    /// A header is present but not in the scheme's format, or carries no signature that the
    /// Webhook's keys check (Standard Webhooks: no `v1` entry for a `whsec_` secret, no
    /// `v1a` entry for Ed25519 keys alone).
    InvalidHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The timestamp is not a whole number of seconds since the Unix epoch.
    InvalidTimestamp(&'static str),
    /// The timestamp is further in the past than the tolerance allows.
    TimestampTooOld {
        /// Seconds between the timestamp and now.
        age: u64,
        /// The tolerance in seconds.
        tolerance: u64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    TimestampTooNew {
        /// Seconds between now and the timestamp.
        ahead: u64,
        /// The tolerance in seconds.
        tolerance: u64,
    },
    /// The signature header parsed, but none of its signatures matches any secret.
    NoMatchingSignature(&'static str),
    /// The secret is empty or not in the form the scheme needs.
    InvalidSecret(&'static str),
    /// The signature checked out but the body is not JSON (JS `verify` only).
    InvalidPayload(String),
    /// The body is neither bytes nor a string (for example an already parsed object). JS
    /// only: a Rust body is `&[u8]`.
    InvalidBodyType(&'static str),
    /// The body does not fit in the WebAssembly module's memory (JS only; wasm32 holds at
    /// most ~2 GiB in one buffer).
    BodyTooLarge,
    /// Unknown scheme name or bad option.
    InvalidOption(&'static str),
}

impl Error {
    /// Every [`Error::code`], in the order of the variants.
    pub const CODES: [&'static str; 11] = [
        "missing_header",
        "invalid_header",
        "invalid_timestamp",
        "timestamp_too_old",
        "timestamp_too_new",
        "no_matching_signature",
        "invalid_secret",
        "invalid_payload",
        "invalid_body_type",
        "body_too_large",
        "invalid_option",
    ];

    /// The stable machine-readable code, e.g. `"timestamp_too_old"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingHeader(_) => "missing_header",
            Error::InvalidHeader { .. } => "invalid_header",
            Error::InvalidTimestamp(_) => "invalid_timestamp",
            Error::TimestampTooOld { .. } => "timestamp_too_old",
            Error::TimestampTooNew { .. } => "timestamp_too_new",
            Error::NoMatchingSignature(_) => "no_matching_signature",
            Error::InvalidSecret(_) => "invalid_secret",
            Error::InvalidPayload(_) => "invalid_payload",
            Error::InvalidBodyType(_) => "invalid_body_type",
            Error::BodyTooLarge => "body_too_large",
            Error::InvalidOption(_) => "invalid_option",
        }
    }

    /// The message in pieces (empty ones at the end): one text for `Display` and for the
    /// wasm module's `errorMessage`, which joins them without `core::fmt` (it would add
    /// kilobytes to the module). Numbers are written into `a` and `b`.
    fn message_parts<'a>(
        &'a self,
        a: &'a mut itoa::Buffer,
        b: &'a mut itoa::Buffer,
    ) -> [&'a str; 5] {
        match self {
            Error::MissingHeader(header) => ["missing required header ", header, "", "", ""],
            Error::InvalidHeader { header, reason } => {
                ["header ", header, " is malformed: ", reason, ""]
            }
            Error::InvalidTimestamp(header) => {
                ["header ", header, " is not a Unix timestamp in seconds", "", ""]
            }
            Error::TimestampTooOld { age, tolerance } => [
                "timestamp is ",
                a.format(*age),
                " s old; tolerance is ",
                b.format(*tolerance),
                " s",
            ],
            Error::TimestampTooNew { ahead, tolerance } => [
                "timestamp is ",
                a.format(*ahead),
                " s in the future; tolerance is ",
                b.format(*tolerance),
                " s",
            ],
            Error::NoMatchingSignature(header) => [
                "no signature in ",
                header,
                " matches the body and secret (diagnose() names the usual causes: a re-serialized body, the secret in another form)",
                "",
                "",
            ],
            Error::InvalidSecret(why) => ["invalid secret: ", why, "", "", ""],
            Error::InvalidPayload(why) => ["body is not valid JSON: ", why, "", "", ""],
            Error::InvalidBodyType(what) => [
                "body must be the raw bytes or string received, not ",
                what,
                "; parsed bodies cannot be verified",
                "",
                "",
            ],
            Error::BodyTooLarge => ["body is too large to verify in WebAssembly memory", "", "", "", ""],
            Error::InvalidOption(why) => ["invalid option: ", why, "", "", ""],
        }
    }

    /// The message, as `Display` writes it.
    #[cfg(all(target_arch = "wasm32", feature = "npm"))]
    pub(crate) fn message(&self) -> String {
        self.message_parts(&mut itoa::Buffer::new(), &mut itoa::Buffer::new())
            .concat()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mut a, mut b) = (itoa::Buffer::new(), itoa::Buffer::new());
        let parts = self.message_parts(&mut a, &mut b);
        parts.iter().try_for_each(|part| f.write_str(part))
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::Error;
    use alloc::string::String;

    /// One error of each variant: the match has no wildcard, so a new variant fails to
    /// compile here until it is listed (and `CODES` with it).
    fn one_of_each() -> [Error; 11] {
        let all = [
            Error::MissingHeader("h"),
            Error::InvalidHeader {
                header: "h",
                reason: "r",
            },
            Error::InvalidTimestamp("h"),
            Error::TimestampTooOld {
                age: 1,
                tolerance: 0,
            },
            Error::TimestampTooNew {
                ahead: 1,
                tolerance: 0,
            },
            Error::NoMatchingSignature("h"),
            Error::InvalidSecret("w"),
            Error::InvalidPayload(String::new()),
            Error::InvalidBodyType("w"),
            Error::BodyTooLarge,
            Error::InvalidOption("w"),
        ];
        for e in &all {
            match e {
                Error::MissingHeader(_)
                | Error::InvalidHeader { .. }
                | Error::InvalidTimestamp(_)
                | Error::TimestampTooOld { .. }
                | Error::TimestampTooNew { .. }
                | Error::NoMatchingSignature(_)
                | Error::InvalidSecret(_)
                | Error::InvalidPayload(_)
                | Error::InvalidBodyType(_)
                | Error::BodyTooLarge
                | Error::InvalidOption(_) => {}
            }
        }
        all
    }

    #[test]
    fn codes_lists_every_variants_code() {
        assert_eq!(one_of_each().map(|e| e.code()), Error::CODES);
    }

    #[test]
    fn messages_join_their_pieces() {
        let cases = [
            (
                Error::TimestampTooOld {
                    age: 301,
                    tolerance: 300,
                },
                "timestamp is 301 s old; tolerance is 300 s",
            ),
            (
                Error::TimestampTooNew {
                    ahead: u64::MAX,
                    tolerance: 0,
                },
                "timestamp is 18446744073709551615 s in the future; tolerance is 0 s",
            ),
            (
                Error::MissingHeader("webhook-id"),
                "missing required header webhook-id",
            ),
            (
                Error::InvalidHeader {
                    header: "Stripe-Signature",
                    reason: "no t= timestamp",
                },
                "header Stripe-Signature is malformed: no t= timestamp",
            ),
            (
                Error::BodyTooLarge,
                "body is too large to verify in WebAssembly memory",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
