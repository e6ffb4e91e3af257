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
//! The default `ed25519` feature adds Standard Webhooks' asymmetric signatures (`v1a`,
//! Ed25519) to the `standard` and `svix` schemes: a [`Webhook`] keyed with a `whpk_`
//! public key verifies them, one keyed with a `whsk_` secret key signs them.
//!
//! The default `diagnose` feature adds [`Webhook::diagnose`], the signature doctor, and
//! [`HeaderBlock`], which reads a header block pasted from a log. `npm`
//! and `tools` build the npm package's two wasm modules (`scripts/build-pkg.sh`): the JS
//! exports, and with `tools` also `sign` and `diagnose`. With `npm` alone the crate is
//! `no_std`, with its own panic handler and allocator: not a feature for Rust users.
//!
//! Comparison is constant-time (`subtle`): the MAC lengths are fixed per scheme and
//! public, and every candidate signature is compared against every key without an early
//! exit on a match.

// The npm package's verify module is built without std, to stay small; see the `npm`
// feature.
#![cfg_attr(
    all(target_arch = "wasm32", feature = "npm", not(feature = "tools")),
    no_std
)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", feature = "npm", not(feature = "tools")))]
mod no_std_wasm;

#[cfg(feature = "diagnose")]
mod diagnose;
mod error;
#[cfg(feature = "diagnose")]
mod header_block;
mod headers;
#[cfg(any(all(target_arch = "wasm32", feature = "npm"), test))]
mod host_mac;
mod scheme;
#[cfg(any(target_arch = "wasm32", test))]
mod sha256;
mod webhook;

#[cfg(all(target_arch = "wasm32", feature = "npm"))]
mod wasm;

#[cfg(feature = "diagnose")]
pub use diagnose::{Diagnosis, Finding, DIAGNOSE_BODY_LIMIT};
pub use error::Error;
#[cfg(feature = "diagnose")]
pub use header_block::HeaderBlock;
pub use headers::Headers;
pub use scheme::{KeyForm, Scheme, SignedHeaders, TimestampField};
#[cfg(feature = "ed25519")]
pub use webhook::ed25519_public_key;
pub use webhook::{Verified, Webhook};

/// How far (seconds) a signed timestamp may be from now, either way, by default.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// The most digits a signed timestamp may have (whole Unix seconds): every 15-digit number
/// is exact in a JavaScript number (2^53 has 16 digits), and longer ones are
/// `invalid_timestamp`.
pub const MAX_TIMESTAMP_DIGITS: usize = 15;

/// The prefix of Standard Webhooks and Svix secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// The prefix of a Standard Webhooks Ed25519 public key (base64 of its 32 bytes): it
/// verifies `v1a` signatures and cannot sign.
pub const PUBLIC_KEY_PREFIX: &str = "whpk_";

/// The prefix of a Standard Webhooks Ed25519 secret key (base64 of its 32-byte seed, or of
/// the seed and the public key, 64 bytes): it signs `v1a` signatures, and verifies them.
pub const SIGNING_KEY_PREFIX: &str = "whsk_";
