//! Property tests: sign-then-verify passes for any body, id and timestamp; any flipped bit
//! in the body, a signature header or the secret fails; arbitrary headers never panic.

use hookproof::{Scheme, Webhook};
use proptest::prelude::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const EMPTY: &[u8] = b"{}";

fn scheme() -> impl Strategy<Value = Scheme> {
    proptest::sample::select(Scheme::ALL.to_vec())
}

proptest! {
    #[test]
    fn sign_then_verify(scheme in scheme(), body in proptest::collection::vec(any::<u8>(), 0..512),
                        id in "[A-Za-z0-9_]{1,32}", ts in 0i64..4_000_000_000) {
        let wh = Webhook::new(scheme, SECRET).unwrap();
        let headers = wh.sign(&body, &id, ts).unwrap();
        prop_assert!(wh.verify_at(&body, &headers, ts).is_ok());
    }

    #[test]
    fn flipped_body_bit_fails(scheme in scheme(), body in proptest::collection::vec(any::<u8>(), 1..256),
                              bit in any::<prop::sample::Index>()) {
        let wh = Webhook::new(scheme, SECRET).unwrap();
        let headers = wh.sign(&body, "msg_1", 1000).unwrap();
        let mut tampered = body.clone();
        let i = bit.index(body.len() * 8);
        tampered[i / 8] ^= 1 << (i % 8);
        prop_assert_eq!(wh.verify_at(&tampered, &headers, 1000).unwrap_err().code(), "no_matching_signature");
    }

    #[test]
    fn flipped_secret_bit_fails(scheme in scheme(), bit in any::<prop::sample::Index>()) {
        let key: Vec<u8> = b"a fairly long raw key for the test".to_vec();
        let wh = Webhook::from_key(scheme, &key).unwrap();
        let headers = wh.sign(EMPTY, "msg_1", 1000).unwrap();
        let mut other = key.clone();
        let i = bit.index(key.len() * 8);
        other[i / 8] ^= 1 << (i % 8);
        let wrong = Webhook::from_key(scheme, &other).unwrap();
        prop_assert!(wrong.verify_at(EMPTY, &headers, 1000).is_err());
    }

    #[test]
    fn changed_signature_header_fails(scheme in scheme(), pos in any::<prop::sample::Index>(), c in any::<char>()) {
        let wh = Webhook::new(scheme, SECRET).unwrap();
        let mut headers = wh.sign(EMPTY, "msg_1", 1000).unwrap();
        let sig = headers.iter_mut().find(|(k, _)| *k == scheme.signature_header()).unwrap();
        let mut chars: Vec<char> = sig.1.chars().collect();
        let i = pos.index(chars.len());
        prop_assume!(chars[i] != c);
        chars[i] = c;
        sig.1 = chars.into_iter().collect();
        // Case changes in hex digits decode to the same bytes; anything else must fail.
        let original = wh.sign(EMPTY, "msg_1", 1000).unwrap();
        let orig_sig = &original.iter().find(|(k, _)| *k == scheme.signature_header()).unwrap().1;
        prop_assume!(!sig.1.eq_ignore_ascii_case(orig_sig) || matches!(scheme, Scheme::Standard | Scheme::Svix | Scheme::Shopify));
        prop_assert!(wh.verify_at(EMPTY, &headers, 1000).is_err());
    }

    #[test]
    fn arbitrary_headers_never_panic(scheme in scheme(), names in proptest::collection::vec("[a-zA-Z-]{0,24}", 0..4),
                                     values in proptest::collection::vec(any::<String>(), 0..4),
                                     body in proptest::collection::vec(any::<u8>(), 0..64), now in any::<i64>()) {
        let wh = Webhook::new(scheme, SECRET).unwrap();
        let mut headers: Vec<(String, String)> = names.into_iter().zip(values.clone()).collect();
        // Also aim values at the scheme's own headers.
        for (name, value) in scheme.header_names().iter().zip(values) {
            headers.push((name.to_string(), value));
        }
        let _ = wh.verify_at(&body, &headers, now);
        let _ = Scheme::detect(&headers);
    }

    #[test]
    fn arbitrary_secrets_never_panic(scheme in scheme(), secret in any::<String>()) {
        let _ = Webhook::new(scheme, &secret);
    }
}
