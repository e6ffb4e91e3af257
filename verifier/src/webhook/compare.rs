//! A header's signatures against a `Webhook`'s keys: every candidate decoded and compared
//! with every key's MAC in constant time, and the Ed25519 (`v1a`) signatures checked.

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use subtle::{Choice, ConstantTimeEq};

#[cfg(feature = "ed25519")]
use super::key::signed_bytes;
use super::key::{Key, Tag};
use super::MAX_TAG;
use crate::scheme::{Encoding, Envelope, Rules};
use crate::Error;

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

pub(super) fn encode_signature(encoding: Encoding, tag: &[u8]) -> String {
    match encoding {
        Encoding::Hex => hex::encode(tag),
        Encoding::Base64 => STANDARD.encode(tag),
    }
}
