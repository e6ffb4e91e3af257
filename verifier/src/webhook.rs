//! `Webhook`: keys, signing, verifying and the timestamp tolerance, for every scheme.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
// Natively sha2 (SHA extensions where the CPU has them); in wasm the compress tuned for it.
#[cfg(target_arch = "wasm32")]
use crate::sha256::Sha256;
#[cfg(not(target_arch = "wasm32"))]
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::scheme::{Algorithm, Encoding, Envelope, KeyForm, Rules, MAX_TIMESTAMP};
use crate::{Error, Headers, Scheme, DEFAULT_TOLERANCE_SECS, SECRET_PREFIX};
use crate::{PUBLIC_KEY_PREFIX, SIGNING_KEY_PREFIX};

/// Secrets are written with or without `=` padding in the wild; accept both.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The longest MAC any scheme uses (SHA-256).
pub(crate) const MAX_TAG: usize = 32;

/// A Webhook's key: a MAC key, or an Ed25519 key (Standard Webhooks' `v1a`).
#[derive(Clone)]
pub(crate) enum Key {
    Mac(MacKey),
    /// A `whpk_` public key (`signing: None`) or a `whsk_` secret key.
    #[cfg(feature = "ed25519")]
    Ed25519 {
        verifying: ed25519_dalek::VerifyingKey,
        signing: Option<alloc::boxed::Box<ed25519_dalek::SigningKey>>,
    },
}

/// A keyed MAC, its inner and outer pads hashed once when the secret is added, so each
/// verify hashes only the message.
#[derive(Clone)]
pub(crate) enum MacKey {
    Sha256(Hmac<Sha256>),
    Sha1(Hmac<Sha1>),
}

pub(crate) struct Tag {
    pub(crate) bytes: [u8; MAX_TAG],
    pub(crate) len: usize,
}

impl Tag {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl Key {
    pub(crate) fn new(algorithm: Algorithm, key: &[u8]) -> Result<Key, Error> {
        if key.is_empty() {
            return Err(Error::InvalidSecret("the secret is empty"));
        }
        // HMAC accepts keys of any length, so these cannot fail.
        Ok(Key::Mac(match algorithm {
            Algorithm::HmacSha256 => MacKey::Sha256(
                Hmac::new_from_slice(key).map_err(|_| Error::InvalidSecret("unusable key"))?,
            ),
            Algorithm::HmacSha1 => MacKey::Sha1(
                Hmac::new_from_slice(key).map_err(|_| Error::InvalidSecret("unusable key"))?,
            ),
        }))
    }

    /// The MAC key, if it is one.
    pub(crate) fn mac(&self) -> Option<&MacKey> {
        match self {
            Key::Mac(mac) => Some(mac),
            #[cfg(feature = "ed25519")]
            Key::Ed25519 { .. } => None,
        }
    }

    /// The Ed25519 public key, if it is an Ed25519 key.
    #[cfg(feature = "ed25519")]
    fn ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match self {
            Key::Ed25519 { verifying, .. } => Some(verifying),
            Key::Mac(_) => None,
        }
    }
}

impl MacKey {
    /// The MAC of what `rules` signs.
    fn tag(&self, rules: &dyn Rules, env: &Envelope<'_>, body: &[u8]) -> Tag {
        let mut out = Tag {
            bytes: [0; MAX_TAG],
            len: 0,
        };
        let mut fill = |mac: &[u8]| {
            out.len = mac.len();
            out.bytes[..out.len].copy_from_slice(mac);
        };
        match self {
            MacKey::Sha256(keyed) => {
                let mut mac = keyed.clone();
                rules.signed_content(env, body, &mut |part| mac.update(part));
                fill(&mac.finalize().into_bytes());
            }
            MacKey::Sha1(keyed) => {
                let mut mac = keyed.clone();
                rules.signed_content(env, body, &mut |part| mac.update(part));
                fill(&mac.finalize().into_bytes());
            }
        }
        out
    }
}

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

/// Checks `env`'s signatures (split and decoded by `header_rules`) against the tags of
/// `keys` over the bytes `content_rules` signs. Verify uses one scheme's rules for both;
/// `diagnose` mixes them to recognise a sender using another scheme's rule.
pub(crate) fn signature_matches(
    header_rules: &'static dyn Rules,
    content_rules: &dyn Rules,
    keys: &[Key],
    env: &Envelope<'_>,
    body: &[u8],
) -> Result<(), Error> {
    // One small allocation per verify. Reading the header's entries once per key instead
    // (no allocation) made Node 20 run this module's SHA-256 ~7 % slower in every fresh
    // process: code placement, not the work done.
    let tags: Vec<Tag> = keys
        .iter()
        .filter_map(Key::mac)
        .map(|mac| mac.tag(content_rules, env, body))
        .collect();
    tags_match(header_rules, content_rules, keys, env, body, &tags)
}

/// The rest of `signature_matches`, with the MACs of `keys` over the signed bytes given
/// (`tags`, one per MAC key): checks the asymmetric signatures, compares every MAC entry
/// of the header with every tag in constant time, and says which error, if any. Not
/// inlined: `check` and the host MAC's `check_tags` share one copy.
#[inline(never)]
pub(crate) fn tags_match(
    header_rules: &'static dyn Rules,
    #[allow(unused_variables)] content_rules: &dyn Rules,
    #[allow(unused_variables)] keys: &[Key],
    env: &Envelope<'_>,
    #[allow(unused_variables)] body: &[u8],
    tags: &[Tag],
) -> Result<(), Error> {
    let header = header_rules.header_names()[0];
    let mut candidates = 0usize;
    let mut matched = Choice::from(0);
    #[cfg(feature = "ed25519")]
    asymmetric_matches(
        header_rules,
        content_rules,
        keys,
        env,
        body,
        &mut candidates,
        &mut matched,
    );
    // MAC entries count as candidates only for a Webhook with a MAC key (not one keyed with
    // Ed25519 keys alone), as `asymmetric_matches` counts `v1a` entries only for one with
    // an Ed25519 key.
    if !tags.is_empty() {
        header_rules.signatures(env.signatures, &mut |encoded| {
            candidates += 1;
            let mut buf = [0u8; MAX_TAG];
            if let Some(len) = decode_signature(header_rules.encoding(), encoded, &mut buf) {
                for tag in tags {
                    // Lengths are public (fixed per scheme); the bytes are compared in constant time.
                    matched |= buf[..len].ct_eq(tag.as_slice());
                }
            }
        });
    }
    if candidates == 0 {
        #[cfg(feature = "ed25519")]
        let reason = if tags.is_empty() {
            header_rules.no_asymmetric_signature()
        } else {
            header_rules.no_signature()
        };
        #[cfg(not(feature = "ed25519"))]
        let reason = header_rules.no_signature();
        return Err(Error::InvalidHeader { header, reason });
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Error::NoMatchingSignature(header))
    }
}

/// Checks the asymmetric (`v1a`) signatures in `env` with `keys`' Ed25519 keys, if any,
/// adding to `candidates` and `matched` as `signature_matches` does for MACs. Ed25519
/// needs the signed bytes in one piece, so they are gathered once here.
#[cfg(feature = "ed25519")]
fn asymmetric_matches(
    header_rules: &'static dyn Rules,
    content_rules: &dyn Rules,
    keys: &[Key],
    env: &Envelope<'_>,
    body: &[u8],
    candidates: &mut usize,
    matched: &mut Choice,
) {
    if !keys.iter().any(|k| k.ed25519().is_some()) {
        return;
    }
    let content = signed_bytes(content_rules, env, body);
    header_rules.asymmetric_signatures(env.signatures, &mut |encoded| {
        *candidates += 1;
        // 64 bytes are 88 base64 characters; decode_slice wants room for 66.
        let mut buf = [0u8; 66];
        if encoded.len() != 88 || STANDARD.decode_slice(encoded, &mut buf) != Ok(64) {
            return;
        }
        let signature = ed25519_dalek::Signature::from_slice(&buf[..64]);
        for key in keys.iter().filter_map(Key::ed25519) {
            // Strict: also refuses small-order keys and R points (malleable signatures).
            let ok = signature
                .as_ref()
                .is_ok_and(|sig| key.verify_strict(&content, sig).is_ok());
            *matched |= Choice::from(u8::from(ok));
        }
    });
}

/// What `rules` signs, in one piece.
#[cfg(feature = "ed25519")]
fn signed_bytes(rules: &dyn Rules, env: &Envelope<'_>, body: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(body.len() + 64);
    rules.signed_content(env, body, &mut |part| content.extend_from_slice(part));
    content
}

/// The encoded `v1a` signature by `key` (an Ed25519 key) of what `rules` signs.
fn sign_asymmetric(
    key: &Key,
    rules: &dyn Rules,
    env: &Envelope<'_>,
    body: &[u8],
) -> Result<String, Error> {
    match key {
        #[cfg(feature = "ed25519")]
        Key::Ed25519 {
            signing: Some(signing),
            ..
        } => {
            use ed25519_dalek::Signer;
            let signature = signing.sign(&signed_bytes(rules, env, body));
            Ok(STANDARD.encode(signature.to_bytes()))
        }
        _ => {
            let _ = (rules, env, body);
            Err(Error::InvalidSecret(
                "a whpk_ public key only verifies; sign with its whsk_ secret key",
            ))
        }
    }
}

/// The `whpk_` public key of a `whsk_` Ed25519 secret key: what a receiver verifies the
/// `v1a` signatures it makes with. `invalid_secret` for anything else.
///
/// ```
/// // The secret key: base64 of a 32-byte seed (from a CSPRNG in real use).
/// let secret_key = "whsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
/// let public_key = hookproof::ed25519_public_key(secret_key)?;
/// assert!(public_key.starts_with("whpk_"));
/// # Ok::<(), hookproof::Error>(())
/// ```
#[cfg(feature = "ed25519")]
pub fn ed25519_public_key(secret_key: &str) -> Result<String, Error> {
    let not_a_secret_key = Error::InvalidSecret("expected a whsk_ Ed25519 secret key");
    if !secret_key.starts_with(SIGNING_KEY_PREFIX) {
        return Err(not_a_secret_key);
    }
    let key = asymmetric_key(Scheme::Standard, secret_key)?;
    let verifying = key
        .as_ref()
        .and_then(Key::ed25519)
        .ok_or(not_a_secret_key)?;
    Ok([PUBLIC_KEY_PREFIX, &STANDARD.encode(verifying.as_bytes())].concat())
}

/// A `whpk_` public or `whsk_` secret Ed25519 key, for the schemes that read base64
/// secrets (standard, svix); `None` for any other secret.
fn asymmetric_key(scheme: Scheme, secret: &str) -> Result<Option<Key>, Error> {
    if !scheme.takes_ed25519_keys() {
        return Ok(None);
    }
    let (b64, public) = if let Some(b64) = secret.strip_prefix(PUBLIC_KEY_PREFIX) {
        (b64, true)
    } else if let Some(b64) = secret.strip_prefix(SIGNING_KEY_PREFIX) {
        (b64, false)
    } else {
        return Ok(None);
    };
    #[cfg(feature = "ed25519")]
    {
        use ed25519_dalek::{SigningKey, VerifyingKey};
        let bytes = LENIENT_BASE64.decode(b64).ok();
        if public {
            let bad = Error::InvalidSecret(
                "expected whpk_ followed by a base64 Ed25519 public key (32 bytes)",
            );
            let bytes: [u8; 32] = bytes.and_then(|b| b.try_into().ok()).ok_or(bad.clone())?;
            let verifying = VerifyingKey::from_bytes(&bytes).map_err(|_| bad)?;
            return Ok(Some(Key::Ed25519 {
                verifying,
                signing: None,
            }));
        }
        let bad = Error::InvalidSecret(
            "expected whsk_ followed by a base64 Ed25519 secret key (a 32-byte seed, or 64 bytes: the seed and its public key)",
        );
        let signing = match bytes.as_deref().map(<[u8]>::len) {
            Some(32) => bytes
                .and_then(|b| b.try_into().ok())
                .map(|seed| SigningKey::from_bytes(&seed)),
            Some(64) => bytes
                .and_then(|b| b.try_into().ok())
                .and_then(|pair| SigningKey::from_keypair_bytes(&pair).ok()),
            _ => None,
        }
        .ok_or(bad)?;
        Ok(Some(Key::Ed25519 {
            verifying: signing.verifying_key(),
            signing: Some(alloc::boxed::Box::new(signing)),
        }))
    }
    #[cfg(not(feature = "ed25519"))]
    {
        let _ = (b64, public);
        Err(Error::InvalidSecret(
            "whpk_ and whsk_ keys (Ed25519, v1a signatures) need hookproof's ed25519 feature",
        ))
    }
}

/// A secret string to key bytes, as `scheme` reads it.
pub(crate) fn key_bytes(scheme: Scheme, secret: &str) -> Result<Vec<u8>, Error> {
    match scheme.rules().key_form() {
        KeyForm::Utf8 => Ok(secret.as_bytes().to_vec()),
        KeyForm::Base64 => decode_secret(secret),
    }
}

/// `whsec_<base64>` or bare base64 to key bytes.
fn decode_secret(secret: &str) -> Result<Vec<u8>, Error> {
    let b64 = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = LENIENT_BASE64
        .decode(b64)
        .map_err(|_| Error::InvalidSecret("expected whsec_ followed by base64"))?;
    if key.is_empty() {
        return Err(Error::InvalidSecret("the secret is empty"));
    }
    Ok(key)
}

pub(crate) fn decode_signature(
    encoding: Encoding,
    encoded: &str,
    buf: &mut [u8; MAX_TAG],
) -> Option<usize> {
    match encoding {
        Encoding::Hex => {
            let len = encoded.len() / 2;
            let out = buf.get_mut(..len)?;
            hex::decode_to_slice(encoded, out).ok()?;
            Some(len)
        }
        Encoding::Base64 => {
            // decode_slice refuses input that could overflow the buffer; a longer
            // candidate cannot match anyway.
            if encoded.len() > 4 * MAX_TAG.div_ceil(3) {
                return None;
            }
            STANDARD.decode_slice(encoded, buf).ok()
        }
    }
}

fn encode_signature(encoding: Encoding, tag: &[u8]) -> String {
    match encoding {
        Encoding::Hex => hex::encode(tag),
        Encoding::Base64 => STANDARD.encode(tag),
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
