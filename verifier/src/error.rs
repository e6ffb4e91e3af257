//! The one error type. Every failure a receiver can act on has its own variant and a
//! stable `code()` string, which is also the `.code` of the JS `WebhookVerificationError`.
//!
//! Messages name the header at fault and never carry a secret or an expected signature.

/// Why a delivery was not accepted, or why a [`crate::Webhook`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A header the scheme needs is absent.
    #[error("missing required header {0}")]
    MissingHeader(&'static str),
    /// A header is present but not in the scheme's format, or carries no signature of
    /// the version hookproof checks (Standard Webhooks: only `v1a` or `v2` entries, no `v1`).
    #[error("header {header} is malformed: {reason}")]
    InvalidHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The timestamp is not a whole number of seconds since the Unix epoch.
    #[error("header {0} is not a Unix timestamp in seconds")]
    InvalidTimestamp(&'static str),
    /// The timestamp is further in the past than the tolerance allows.
    #[error("timestamp is {age} s old; tolerance is {tolerance} s")]
    TimestampTooOld {
        /// Seconds between the timestamp and now.
        age: u64,
        /// The tolerance in seconds.
        tolerance: u64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    #[error("timestamp is {ahead} s in the future; tolerance is {tolerance} s")]
    TimestampTooNew {
        /// Seconds between now and the timestamp.
        ahead: u64,
        /// The tolerance in seconds.
        tolerance: u64,
    },
    /// The signature header parsed, but none of its signatures matches any secret.
    #[error("no signature in {0} matches the body and secret (diagnose() names the usual causes: a re-serialized body, the secret in another form)")]
    NoMatchingSignature(&'static str),
    /// The secret is empty or not in the form the scheme needs.
    #[error("invalid secret: {0}")]
    InvalidSecret(&'static str),
    /// The signature checked out but the body is not JSON (JS `verify` only).
    #[error("body is not valid JSON: {0}")]
    InvalidPayload(String),
    /// The body is neither bytes nor a string (for example an already parsed object). JS
    /// only: a Rust body is `&[u8]`.
    #[error(
        "body must be the raw bytes or string received, not {0}; parsed bodies cannot be verified"
    )]
    InvalidBodyType(&'static str),
    /// The body does not fit in the WebAssembly module's memory (JS only; wasm32 holds at
    /// most ~2 GiB in one buffer).
    #[error("body is too large to verify in WebAssembly memory")]
    BodyTooLarge,
    /// Unknown scheme name or bad option.
    #[error("invalid option: {0}")]
    InvalidOption(&'static str),
}

impl Error {
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
}
