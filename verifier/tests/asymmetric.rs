//! Standard Webhooks' asymmetric signatures (`v1a`, Ed25519), with the `ed25519` feature.
//! The fixed vector was made with Node's `node:crypto` (OpenSSL's Ed25519), an independent
//! implementation: its keys from the seed SHA-256("hookproof v1a test seed").

#![cfg(feature = "ed25519")]

use hookproof::{Scheme, Webhook};

const SEED: &str = "whsk_/YyuGMYXv+hNh+3l8AklpERlqjSVPw1uc0txT7pLZF0=";
/// The seed, then the public key (libsodium's and Go's 64-byte form).
const PAIR: &str =
    "whsk_/YyuGMYXv+hNh+3l8AklpERlqjSVPw1uc0txT7pLZF0c+sqOU3bwNZo3nLHSf5Fh3/sKp+9IoWoQawoq1+xZpw==";
const PUBLIC: &str = "whpk_HPrKjlN28DWaN5yx0n+RYd/7CqfvSKFqEGsKKtfsWac=";
const ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const TS: i64 = 1674087231;
const BODY: &[u8] = br#"{"type":"user.created","data":{"id":1}}"#;
const SIGNATURE: &str =
    "v1a,Z3F95vJ8Lt/I8cPLteXoDouIk/Ce9DPXzKaVtHpHjmUp4N486bKWJG7j8BGNf3C0MvQRpSiN5vybZDFyx2tmCg==";
const HMAC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn headers(signature: &str) -> [(&'static str, String); 3] {
    [
        ("webhook-id", ID.to_string()),
        ("webhook-timestamp", TS.to_string()),
        ("webhook-signature", signature.to_string()),
    ]
}

fn code(wh: &Webhook, body: &[u8], signature: &str) -> &'static str {
    match wh.verify_at(body, &headers(signature)[..], TS) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn node_crypto_vector_verifies_with_the_public_or_the_secret_key() {
    for key in [PUBLIC, SEED, PAIR] {
        let wh = Webhook::new(Scheme::Standard, key).unwrap();
        assert_eq!(code(&wh, BODY, SIGNATURE), "ok", "{}", &key[..5]);
        // Among other entries, and with the svix names.
        assert_eq!(
            code(&wh, BODY, &format!("v1,AAAA v2,BBBB {SIGNATURE}")),
            "ok"
        );
        let svix = Webhook::new(Scheme::Svix, key).unwrap();
        let h = headers(SIGNATURE).map(|(k, v)| (k.replace("webhook-", "svix-"), v));
        svix.verify_at(BODY, &h[..], TS).unwrap();
    }
}

#[test]
fn signing_gives_node_cryptos_signature() {
    // Ed25519 signatures are deterministic: the same key and bytes give the same signature.
    for key in [SEED, PAIR] {
        let wh = Webhook::new(Scheme::Standard, key).unwrap();
        let signed = wh.sign(BODY, ID, TS).unwrap();
        assert_eq!(signed[2], ("webhook-signature", SIGNATURE.to_string()));
    }
}

#[test]
fn a_changed_body_key_or_signature_does_not_verify() {
    let wh = Webhook::new(Scheme::Standard, PUBLIC).unwrap();
    assert_eq!(code(&wh, b"{}", SIGNATURE), "no_matching_signature");
    let other = Webhook::new(
        Scheme::Standard,
        "whsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )
    .unwrap();
    assert_eq!(code(&other, BODY, SIGNATURE), "no_matching_signature");
    // One flipped bit in the signature; a signature of the wrong length; not base64.
    let mut flipped = SIGNATURE.to_string();
    flipped.replace_range(10..11, "A");
    assert_eq!(code(&wh, BODY, &flipped), "no_matching_signature");
    assert_eq!(code(&wh, BODY, "v1a,AAAA"), "no_matching_signature");
    assert_eq!(
        code(&wh, BODY, &format!("v1a,!{}", &SIGNATURE[5..])),
        "no_matching_signature"
    );
    // An HMAC signature beside it is not checked with an Ed25519 key.
    let hmac = Webhook::new(Scheme::Standard, HMAC_SECRET).unwrap();
    let v1 = hmac.sign(BODY, ID, TS).unwrap()[2].1.clone();
    assert_eq!(
        code(&wh, BODY, &format!("{v1} v1a,AAAA")),
        "no_matching_signature"
    );
}

#[test]
fn a_malleated_signature_does_not_verify() {
    // S + L (the group order) verifies under a lax check; verify_strict refuses it, as
    // OpenSSL does.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut sig = b64.decode(&SIGNATURE[4..]).unwrap();
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (s, l) in sig[32..].iter_mut().zip(L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = sum as u8;
        carry = sum >> 8;
    }
    let wh = Webhook::new(Scheme::Standard, PUBLIC).unwrap();
    let malleated = format!("v1a,{}", b64.encode(&sig));
    assert_eq!(code(&wh, BODY, &malleated), "no_matching_signature");
}

#[test]
fn rotation_from_hmac_to_ed25519_signs_both_and_each_key_verifies() {
    let both = Webhook::with_secrets(Scheme::Standard, [HMAC_SECRET, SEED]).unwrap();
    let signed = both.sign(BODY, ID, TS).unwrap();
    let value = &signed[2].1;
    assert!(
        value.starts_with("v1,") && value.ends_with(&format!(" {SIGNATURE}")),
        "{value}"
    );
    for key in [HMAC_SECRET, PUBLIC] {
        let wh = Webhook::new(Scheme::Standard, key).unwrap();
        wh.verify_at(BODY, &signed, TS).unwrap();
    }
}

#[test]
fn the_header_must_carry_an_entry_the_keys_can_check() {
    // Only v1a entries and only an HMAC secret: nothing to check.
    let hmac = Webhook::new(Scheme::Standard, HMAC_SECRET).unwrap();
    let err = hmac
        .verify_at(BODY, &headers(SIGNATURE)[..], TS)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_header");
    assert!(err.to_string().contains("whpk_ public key"), "{err}");
    // Only v1 entries and only an Ed25519 key: the same, the other way round.
    let wh = Webhook::new(Scheme::Standard, PUBLIC).unwrap();
    let v1 = hmac.sign(BODY, ID, TS).unwrap()[2].1.clone();
    let err = wh.verify_at(BODY, &headers(&v1)[..], TS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header webhook-signature is malformed: no v1a,<signature> entry (an Ed25519 signature, which whpk_ and whsk_ keys check)"
    );
    // The timestamp is still checked after the signature.
    let wh = Webhook::new(Scheme::Standard, PUBLIC).unwrap();
    let err = wh
        .verify_at(BODY, &headers(SIGNATURE)[..], TS + 301)
        .unwrap_err();
    assert_eq!(err.code(), "timestamp_too_old");
}

#[test]
fn a_public_key_cannot_sign() {
    let wh = Webhook::new(Scheme::Standard, PUBLIC).unwrap();
    let err = wh.sign(BODY, ID, TS).unwrap_err();
    assert_eq!(err.code(), "invalid_secret");
    assert!(err.to_string().contains("whsk_"), "{err}");
}

#[test]
fn bad_keys_are_invalid_secrets_that_do_not_echo_the_key() {
    let pair_with_another_public_key = format!(
        "{}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        &PAIR[..49]
    );
    for key in [
        "whpk_",
        "whpk_AAAA",
        "whpk_not base64!",
        // 32 bytes that are not a point on the curve.
        "whpk_AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "whsk_",
        "whsk_AAAA",
        pair_with_another_public_key.as_str(),
    ] {
        let err = Webhook::new(Scheme::Standard, key)
            .err()
            .unwrap_or_else(|| panic!("{key} was taken"));
        assert_eq!(err.code(), "invalid_secret", "{key}");
        let text = format!("{err} {err:?}");
        assert!(key.len() <= 9 || !text.contains(&key[5..]), "{text}");
    }
}

#[test]
fn other_schemes_take_such_a_string_as_a_plain_secret() {
    // Stripe's secrets are strings used as they are; a whpk_ one is just a string there.
    let wh = Webhook::new(Scheme::Stripe, PUBLIC).unwrap();
    let signed = wh.sign(BODY, ID, TS).unwrap();
    wh.verify_at(BODY, &signed, TS).unwrap();
}

#[test]
fn the_public_key_of_a_secret_key() {
    assert_eq!(hookproof::ed25519_public_key(SEED).unwrap(), PUBLIC);
    assert_eq!(hookproof::ed25519_public_key(PAIR).unwrap(), PUBLIC);
    for not_one in [PUBLIC, HMAC_SECRET, "whsk_AAAA", ""] {
        let err = hookproof::ed25519_public_key(not_one).unwrap_err();
        assert_eq!(err.code(), "invalid_secret", "{not_one}");
    }
}

#[test]
fn the_schemes_that_take_ed25519_keys_say_so() {
    for scheme in Scheme::ALL {
        // A whpk_ key cannot sign exactly where it is taken as an Ed25519 key.
        let as_ed25519 = Webhook::new(scheme, PUBLIC)
            .unwrap()
            .sign(BODY, ID, TS)
            .is_err();
        assert_eq!(scheme.takes_ed25519_keys(), as_ed25519, "{scheme}");
    }
    assert!(Scheme::Standard.takes_ed25519_keys() && Scheme::Svix.takes_ed25519_keys());
}
