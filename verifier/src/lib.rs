//! # hookproof
//!
//! Webhook signature verification and signing for every common scheme — Standard
//! Webhooks, Svix, Stripe, Vector, GitHub, Vercel, Slack, Shopify and a generic
//! HMAC-SHA256 — with timestamp tolerance and one typed [`Error`].
//!
//! Each scheme is defined once, in its own file under `scheme/`, and used both to sign
//! (by `hookproof-sender`) and to verify (by receivers, natively or through the wasm npm
//! package).
//!
//! ```
//! use hookproof::{Scheme, Webhook};
//!
//! // The Standard Webhooks published test vector.
//! let wh = Webhook::new(Scheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! let body = br#"{"test": 2432232314}"#;
//! let headers = [
//!     ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
//!     ("webhook-timestamp", "1614265330"),
//!     ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
//! ];
//! let verified = wh.verify_at(body, &headers, 1614265330)?;
//! assert_eq!(verified.id.as_deref(), Some("msg_p5jXN8AQM9LWM0D4loKWxJek"));
//! # Ok::<(), hookproof::Error>(())
//! ```
//!
//! With the default `http` feature, `http::HeaderMap` implements [`Headers`], so axum,
//! hyper and warp receivers pass their headers as they are.
//!
//! The `tools` feature matters only to the wasm build (the npm package): it adds `sign`
//! and `diagnose` to what the module exports, for the package's second, lazily loaded
//! module. Natively every method is always there.
//!
//! Comparison is constant-time (`subtle`): the MAC lengths are fixed per scheme and
//! public, and every candidate signature is compared against every key without an early
//! exit on a match.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod diagnose;
mod error;
mod headers;
mod scheme;
#[cfg(any(target_arch = "wasm32", test))]
mod sha256;
mod webhook;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use diagnose::{Diagnosis, Finding};
pub use error::Error;
pub use headers::Headers;
pub use scheme::Scheme;
pub use webhook::{Verified, Webhook};

/// How far (seconds) a signed timestamp may be from now, either way, by default.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// The prefix of Standard Webhooks and Svix secrets.
pub const SECRET_PREFIX: &str = "whsec_";
