//! `Webhook`: signing, verifying and the timestamp tolerance, for every scheme. By job:
//! `key` (secrets and keys as each scheme reads them), `compare` (a header's signatures
//! against the keys, in constant time).

mod compare;
mod key;

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;

use crate::scheme::{Envelope, MAX_TIMESTAMP};
use crate::{Error, Headers, Scheme, DEFAULT_TOLERANCE_SECS};
use compare::encode_signature;
pub(crate) use compare::{decode_signature, signature_matches};
#[cfg(feature = "ed25519")]
pub use key::ed25519_public_key;
use key::{asymmetric_key, sign_asymmetric};
pub(crate) use key::{key_bytes, Key};
#[cfg(any(all(target_arch = "wasm32", feature = "npm"), test))]
pub(crate) use {compare::tags_match, key::Tag};

/// The longest MAC any scheme uses (SHA-256).
pub(crate) const MAX_TAG: usize = 32;

/// What a successful `verify` learned from the headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The delivery id, where the scheme carries one (`webhook-id`, `svix-id`,
    /// `X-Vector-Delivery`, `X-GitHub-Delivery`, `X-Shopify-Webhook-Id`). Only standard and
    /// svix sign it: the others name the provider's redeliveries, but a replayer can change
    /// them.
    pub id: Option<String>,
    /// The signed timestamp (Unix seconds), for timestamped schemes.
    pub timestamp: Option<i64>,
}

/// One endpoint's verifier (and signer): a scheme, one or more secrets, a tolerance.
///
/// ```
/// use hookproof::{Scheme, Webhook};
///
/// let wh = Webhook::new(Scheme::Stripe, "whsec_test_secret")?;
/// let body = br#"{"id":"evt_1","object":"event"}"#;
/// let headers = wh.sign(body, "evt_1", 1_700_000_000)?;
/// let verified = wh.verify_at(body, &headers, 1_700_000_010)?;
/// assert_eq!(verified.timestamp, Some(1_700_000_000));
///
/// // One changed byte and the signature no longer matches.
/// let err = wh.verify_at(br#"{"id":"evt_2","object":"event"}"#, &headers, 1_700_000_010).unwrap_err();
/// assert_eq!(err.code(), "no_matching_signature");
/// # Ok::<(), hookproof::Error>(())
/// ```
#[derive(Clone)]
pub struct Webhook {
    pub(crate) scheme: Scheme,
    pub(crate) keys: Vec<Key>,
    /// The secrets as given, kept only for `diagnose` (which tries their other forms).
    #[cfg(feature = "diagnose")]
    pub(crate) secrets: Vec<SecretInput>,
    tolerance: u64,
}

/// A secret as it was given, string or bytes.
#[cfg(feature = "diagnose")]
#[derive(Clone)]
pub(crate) enum SecretInput {
    Str(String),
    Bytes(Vec<u8>),
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("scheme", &self.scheme)
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Webhook {
    /// A verifier for one secret, in the form the scheme's provider hands it out
    /// (`whsec_...` for Standard Webhooks and Svix; the string as given for the others).
    pub fn new(scheme: Scheme, secret: &str) -> Result<Webhook, Error> {
        Webhook::with_secrets(scheme, [secret])
    }

    /// A verifier that accepts a signature by any of `secrets` (key rotation).
    pub fn with_secrets<I, S>(scheme: Scheme, secrets: I) -> Result<Webhook, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut wh = Webhook::empty(scheme);
        for secret in secrets {
            wh.add_secret(secret.as_ref())?;
        }
        wh.ensure_keyed()?;
        Ok(wh)
    }

    /// A verifier keyed with raw key bytes (no decoding, whatever the scheme).
    pub fn from_key(scheme: Scheme, key: &[u8]) -> Result<Webhook, Error> {
        let mut wh = Webhook::empty(scheme);
        wh.add_key(key)?;
        Ok(wh)
    }

    /// A verifier with no key yet; `verify` and `sign` fail with `invalid_secret` until one is added.
    pub fn empty(scheme: Scheme) -> Webhook {
        Webhook {
            scheme,
            keys: Vec::new(),
            #[cfg(feature = "diagnose")]
            secrets: Vec::new(),
            tolerance: DEFAULT_TOLERANCE_SECS,
        }
    }

    /// Adds a secret string, decoded as the scheme requires.
    ///
    /// For `standard` and `svix`, a `whpk_` Ed25519 public key (verifies `v1a` signatures
    /// only) or a `whsk_` secret key (signs them) is also taken, with the `ed25519` feature.
    pub fn add_secret(&mut self, secret: &str) -> Result<(), Error> {
        let key = match asymmetric_key(self.scheme, secret)? {
            Some(key) => key,
            None => Key::new(
                self.scheme.rules().algorithm(),
                &key_bytes(self.scheme, secret)?,
            )?,
        };
        self.keys.push(key);
        #[cfg(feature = "diagnose")]
        self.secrets.push(SecretInput::Str(secret.to_owned()));
        Ok(())
    }

    /// Adds raw key bytes.
    pub fn add_key(&mut self, key: &[u8]) -> Result<(), Error> {
        self.keys
            .push(Key::new(self.scheme.rules().algorithm(), key)?);
        #[cfg(feature = "diagnose")]
        self.secrets.push(SecretInput::Bytes(key.to_vec()));
        Ok(())
    }

    /// Sets how far (seconds) a timestamp may be from now, either way. Default 300.
    pub fn with_tolerance(mut self, seconds: u64) -> Webhook {
        self.tolerance = seconds;
        self
    }

    /// The tolerance in seconds.
    pub fn tolerance(&self) -> u64 {
        self.tolerance
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Verifies `body` (the exact bytes received) against `headers`, using the system clock.
    pub fn verify<H: Headers + ?Sized>(&self, body: &[u8], headers: &H) -> Result<Verified, Error> {
        self.verify_at(body, headers, now_unix())
    }

    /// As [`Webhook::verify`], with `now` (Unix seconds) given: for tests and replays.
    ///
    /// The headers are read first (a missing one, or a timestamp that is not whole Unix
    /// seconds, is reported as such); then the signature is checked before the timestamp's
    /// age, so a forged request is reported as `no_matching_signature` however old it is.
    pub fn verify_at<H: Headers + ?Sized>(
        &self,
        body: &[u8],
        headers: &H,
        now: i64,
    ) -> Result<Verified, Error> {
        let headers = DynHeaders(headers);
        let env = self.check(body, &headers, now)?;
        Ok(Verified {
            id: env.id.map(str::to_owned),
            timestamp: env.timestamp.map(|(_, ts)| ts),
        })
    }

    /// `verify_at` without building a [`Verified`]: what it read, borrowed from `headers`
    /// (the wasm module's verify allocates only the keys' MACs, in one `Vec`).
    pub(crate) fn check<'h>(
        &self,
        body: &[u8],
        headers: &'h dyn Headers,
        now: i64,
    ) -> Result<Envelope<'h>, Error> {
        self.ensure_keyed()?;
        let rules = self.scheme.rules();
        let env = rules.read(headers)?;
        signature_matches(rules, rules, &self.keys, &env, body)?;
        if let Some((_, ts)) = env.timestamp {
            self.check_tolerance(ts, now)?;
        }
        Ok(env)
    }

    /// The headers (name, value) to send with `body` so that `verify` accepts it. `id` is
    /// sent by schemes with a delivery id header; `timestamp` (Unix seconds) by
    /// timestamped schemes. Standard, svix, stripe and vector send one signature per
    /// secret (a rotation's old and new); github, vercel, slack, shopify and generic send
    /// one, with the first secret, since those providers' headers carry one and their own
    /// verifiers reject a list.
    ///
    /// ```
    /// use hookproof::{Scheme, Webhook};
    /// let wh = Webhook::new(Scheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
    /// let headers = wh.sign(b"{}", "msg_1", 1_700_000_000)?;
    /// assert_eq!(headers[0], ("webhook-id", "msg_1".to_string()));
    /// # Ok::<(), hookproof::Error>(())
    /// ```
    pub fn sign(
        &self,
        body: &[u8],
        id: &str,
        timestamp: i64,
    ) -> Result<Vec<(&'static str, String)>, Error> {
        self.ensure_keyed()?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidOption(
                "id must be non-empty printable ASCII without spaces",
            ));
        }
        if !(0..=MAX_TIMESTAMP).contains(&timestamp) {
            return Err(Error::InvalidOption(
                "timestamp must be Unix seconds from 0 to 999999999999999 (15 digits, as verify reads)",
            ));
        }
        let rules = self.scheme.rules();
        let ts = timestamp.to_string();
        let env = Envelope {
            id: Some(id),
            timestamp: Some((&ts, timestamp)),
            signatures: "",
        };
        let keys = if rules.one_signature() {
            self.keys.get(..1).unwrap_or_default()
        } else {
            &self.keys[..]
        };
        let mut sigs = Vec::new();
        let mut asymmetric = Vec::new();
        for key in keys {
            match key.mac() {
                Some(mac) => {
                    let tag = mac.tag(rules, &env, body);
                    sigs.push(encode_signature(rules.encoding(), tag.as_slice()));
                }
                None => asymmetric.push(sign_asymmetric(key, rules, &env, body)?),
            }
        }
        Ok(rules.render(id, &ts, &sigs, &asymmetric))
    }

    pub(crate) fn ensure_keyed(&self) -> Result<(), Error> {
        if self.keys.is_empty() {
            Err(Error::InvalidSecret("no secret given"))
        } else {
            Ok(())
        }
    }

    pub(crate) fn check_tolerance(&self, ts: i64, now: i64) -> Result<(), Error> {
        let tolerance = self.tolerance;
        let age = i128::from(now) - i128::from(ts);
        let clamp = |v: i128| u64::try_from(v).unwrap_or(u64::MAX);
        if age > i128::from(tolerance) {
            Err(Error::TimestampTooOld {
                age: clamp(age),
                tolerance,
            })
        } else if -age > i128::from(tolerance) {
            Err(Error::TimestampTooNew {
                ahead: clamp(-age),
                tolerance,
            })
        } else {
            Ok(())
        }
    }
}
/// Lets a generic `H: Headers + ?Sized` be read through the rules' `&dyn Headers`.
pub(crate) struct DynHeaders<'a, H: ?Sized>(pub(crate) &'a H);

impl<H: Headers + ?Sized> Headers for DynHeaders<'_, H> {
    fn header(&self, name: &str) -> Option<&str> {
        self.0.header(name)
    }
}

// wasm32-unknown-unknown has no system clock: JS's. One import of its own rather than
// js-sys, whose bindings bring closure shims (and an import) into every module.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
}

/// Seconds since the Unix epoch.
fn now_unix() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (date_now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}
