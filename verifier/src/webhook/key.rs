//! A `Webhook`'s keys: secrets decoded as each scheme reads them, MAC keys keyed once,
//! Ed25519 keys (`whpk_`, `whsk_`) and their `v1a` signatures.

use alloc::string::String;
use alloc::vec::Vec;

#[cfg(feature = "ed25519")]
use base64::engine::general_purpose::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
// Natively sha2 (SHA extensions where the CPU has them); in wasm the compress tuned for it.
#[cfg(target_arch = "wasm32")]
use crate::sha256::Sha256;
#[cfg(not(target_arch = "wasm32"))]
use sha2::Sha256;

use super::MAX_TAG;
use crate::scheme::{Algorithm, Envelope, KeyForm, Rules};
use crate::{Error, Scheme, SECRET_PREFIX};
use crate::{PUBLIC_KEY_PREFIX, SIGNING_KEY_PREFIX};

/// Secrets are written with or without `=` padding in the wild; accept both.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

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
    pub(crate) fn as_slice(&self) -> &[u8] {
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
    pub(super) fn ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match self {
            Key::Ed25519 { verifying, .. } => Some(verifying),
            Key::Mac(_) => None,
        }
    }
}

impl MacKey {
    /// The MAC of what `rules` signs.
    pub(crate) fn tag(&self, rules: &dyn Rules, env: &Envelope<'_>, body: &[u8]) -> Tag {
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

/// What `rules` signs, in one piece.
#[cfg(feature = "ed25519")]
pub(super) fn signed_bytes(rules: &dyn Rules, env: &Envelope<'_>, body: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(body.len() + 64);
    rules.signed_content(env, body, &mut |part| content.extend_from_slice(part));
    content
}

/// The encoded `v1a` signature by `key` (an Ed25519 key) of what `rules` signs.
pub(super) fn sign_asymmetric(
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
pub(super) fn asymmetric_key(scheme: Scheme, secret: &str) -> Result<Option<Key>, Error> {
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
