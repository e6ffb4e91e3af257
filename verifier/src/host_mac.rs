//! A MAC computed by the host. Where the runtime has a synchronous native HMAC
//! (node:crypto in Node, Bun and Deno, with the CPU's SHA instructions that wasm cannot
//! reach), the JS shell hashes large bodies there. Rust still does everything else: it
//! reads the headers, says which bytes the scheme signs before the body, decodes the keys
//! (`key_bytes`, once, when the shell builds its host keys), compares the host's MACs with
//! the header's signatures in constant time and checks the timestamp.

use alloc::vec::Vec;

use crate::scheme::Algorithm;
use crate::webhook::{tags_match, Tag, MAX_TAG};
use crate::{Error, Headers, Webhook};

/// Stands for the body in `signed_content`: a `static`, so its address is its own.
static BODY: [u8; 1] = [0];

/// The MAC's length under `algorithm`.
pub(crate) fn tag_len(algorithm: Algorithm) -> usize {
    match algorithm {
        Algorithm::HmacSha256 => 32,
        Algorithm::HmacSha1 => 20,
    }
}

/// What the host was given cannot be this Webhook's MACs (a bug in the shell, not input).
const NOT_ITS_MACS: Error = Error::InvalidOption("the host's MACs do not fit the verifier's keys");

impl Webhook {
    /// Appends to `out` the bytes the scheme signs before the body, for the request whose
    /// headers are `headers`: the MAC is of those bytes, then the body. Fails as `verify`
    /// fails before hashing (no key, a missing or malformed header).
    pub(crate) fn signed_prefix(
        &self,
        headers: &dyn Headers,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        self.ensure_keyed()?;
        let rules = self.scheme.rules();
        let env = rules.read(headers)?;
        let mut body_seen = false;
        let mut after_body = false;
        rules.signed_content(&env, &BODY, &mut |part| {
            if core::ptr::eq(part, &BODY[..]) {
                body_seen = true;
            } else if body_seen {
                after_body = true;
            } else {
                out.extend_from_slice(part);
            }
        });
        // Every scheme signs the body last; one that did not would need the wasm path.
        if !body_seen || after_body {
            return Err(NOT_ITS_MACS);
        }
        Ok(())
    }

    /// `check` with the keys' MACs over the signed bytes computed by the host: `tags` holds
    /// one per key, in the order the keys were added, each as long as the scheme's MAC.
    /// Only for a Webhook whose keys are all MAC keys.
    pub(crate) fn check_tags(
        &self,
        tags: &[u8],
        headers: &dyn Headers,
        now: i64,
    ) -> Result<(), Error> {
        self.ensure_keyed()?;
        let rules = self.scheme.rules();
        let env = rules.read(headers)?;
        let len = tag_len(rules.algorithm());
        if tags.len() != len * self.keys.len() || self.keys.iter().any(|k| k.mac().is_none()) {
            return Err(NOT_ITS_MACS);
        }
        let tags: Vec<Tag> = tags
            .chunks_exact(len)
            .map(|mac| {
                let mut tag = Tag {
                    bytes: [0; MAX_TAG],
                    len,
                };
                tag.bytes[..len].copy_from_slice(mac);
                tag
            })
            .collect();
        tags_match(rules, rules, &self.keys, &env, &[], &tags)?;
        if let Some((_, ts)) = env.timestamp {
            self.check_tolerance(ts, now)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    use hmac::{Hmac, Mac};
    use sha1::Sha1;
    use sha2::Sha256;

    use super::tag_len;
    use crate::webhook::DynHeaders;
    use crate::{Scheme, Webhook};

    const NOW: i64 = 1_700_000_000;

    /// The host's side: HMAC of the prefix then the body, with the key bytes.
    fn host_mac(scheme: Scheme, key: &[u8], prefix: &[u8], body: &[u8]) -> Vec<u8> {
        if tag_len(scheme.rules().algorithm()) == 20 {
            let mut mac = Hmac::<Sha1>::new_from_slice(key).unwrap();
            mac.update(prefix);
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        } else {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
            mac.update(prefix);
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
    }

    // Every scheme, one key and two (a rotation signed by either): the host's MACs over
    // the prefix and the body are accepted exactly when verify accepts, and a MAC changed
    // in one bit, or one too few, is not.
    #[test]
    fn host_macs_agree_with_verify() {
        let body = br#"{"type":"ping","n":1}"#;
        for scheme in Scheme::ALL {
            let secrets = [
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "whsec_c2Vjb25kIHNlY3JldA==",
            ];
            let keys: Vec<Vec<u8>> = secrets
                .iter()
                .map(|s| crate::webhook::key_bytes(scheme, s).unwrap())
                .collect();
            for signer in 0..2 {
                let signed = Webhook::new(scheme, secrets[signer]).unwrap();
                let headers: Vec<(&str, String)> = signed.sign(body, "msg_1", NOW).unwrap();
                let wh = Webhook::with_secrets(scheme, secrets).unwrap();
                let h = DynHeaders(&headers[..]);
                assert!(wh.check(body, &h, NOW).is_ok(), "{scheme}");
                let mut prefix = Vec::new();
                wh.signed_prefix(&h, &mut prefix).unwrap();
                let mut tags: Vec<u8> = keys
                    .iter()
                    .flat_map(|k| host_mac(scheme, k, &prefix, body))
                    .collect();
                assert_eq!(wh.check_tags(&tags, &h, NOW), Ok(()), "{scheme}");
                // Outside the tolerance, as verify says.
                assert_eq!(
                    wh.check_tags(&tags, &h, NOW + 301).is_err(),
                    scheme.is_timestamped(),
                    "{scheme}"
                );
                assert!(wh.check_tags(&tags[1..], &h, NOW).is_err(), "{scheme}");
                // The signer's MAC changed: no other key's matches.
                let at = signer * tag_len(scheme.rules().algorithm());
                tags[at] ^= 1;
                let err = wh.check_tags(&tags, &h, NOW).unwrap_err();
                assert_eq!(err.code(), "no_matching_signature", "{scheme}");
                assert_eq!(
                    wh.check(b"{}", &h, NOW).map(drop).unwrap_err(),
                    err,
                    "{scheme}"
                );
            }
        }
    }

    // What fails before hashing fails alike in both: no header, another scheme's header.
    #[test]
    fn missing_headers_fail_as_verify_does() {
        for scheme in Scheme::ALL {
            let wh = Webhook::new(scheme, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
            let none: [(&str, &str); 0] = [];
            let h = DynHeaders(&none[..]);
            let verify = wh.check(b"{}", &h, NOW).map(drop).unwrap_err();
            assert_eq!(wh.signed_prefix(&h, &mut Vec::new()), Err(verify.clone()));
            assert_eq!(wh.check_tags(&[0; 32], &h, NOW), Err(verify));
        }
    }
}
