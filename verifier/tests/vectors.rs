//! Fixed vectors: the providers' published examples where they exist, otherwise values
//! computed with Python's `hmac` module (an independent implementation).

use hookproof::{Error, Headers, Scheme, TimestampField, Webhook};

const BODY: &[u8] = br#"{"id":"evt_test","object":"event"}"#;

fn accepts(scheme: Scheme, secret: &str, body: &[u8], headers: &[(&str, &str)], now: i64) {
    let wh = Webhook::new(scheme, secret).unwrap();
    wh.verify_at(body, headers, now)
        .unwrap_or_else(|e| panic!("{scheme}: {e}"));
}

#[test]
fn standard_webhooks_published_vector() {
    let headers = [
        ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("webhook-timestamp", "1614265330"),
        (
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ];
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    accepts(
        Scheme::Standard,
        secret,
        br#"{"test": 2432232314}"#,
        &headers,
        1614265330,
    );
    // The same bytes without the prefix decode to the same key.
    accepts(
        Scheme::Standard,
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        br#"{"test": 2432232314}"#,
        &headers,
        1614265330,
    );
    let svix: Vec<_> = headers
        .iter()
        .map(|(k, v)| (k.replace("webhook", "svix"), *v))
        .collect();
    let wh = Webhook::new(Scheme::Svix, secret).unwrap();
    wh.verify_at(br#"{"test": 2432232314}"#, &svix, 1614265330)
        .unwrap();
    // sign reproduces it.
    let signed = Webhook::new(Scheme::Standard, secret)
        .unwrap()
        .sign(
            br#"{"test": 2432232314}"#,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
        )
        .unwrap();
    assert_eq!(
        signed[2],
        (
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_string()
        )
    );
}

#[test]
fn github_published_vector() {
    let headers = [(
        "X-Hub-Signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    )];
    accepts(
        Scheme::Github,
        "It's a Secret to Everybody",
        b"Hello, World!",
        &headers,
        0,
    );
}

#[test]
fn slack_published_vector() {
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let headers = [
        ("X-Slack-Request-Timestamp", "1531420618"),
        (
            "X-Slack-Signature",
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        ),
    ];
    accepts(
        Scheme::Slack,
        "8f742231b10e8888abcd99yyyzzz85a5",
        body.as_bytes(),
        &headers,
        1531420618,
    );
}

#[test]
fn stripe_and_vector_vector() {
    let value = "t=1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724";
    accepts(
        Scheme::Stripe,
        "whsec_test_secret",
        BODY,
        &[("stripe-signature", value)],
        1700000000,
    );
    accepts(
        Scheme::Vector,
        "whsec_test_secret",
        BODY,
        &[("x-vector-signature", value)],
        1700000000,
    );
    // Extra v0 and unknown items are ignored; a second v1 entry may be the valid one.
    let listed = "t=1700000000,v1=00,v0=abc,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724,x=1";
    accepts(
        Scheme::Stripe,
        "whsec_test_secret",
        BODY,
        &[("Stripe-Signature", listed)],
        1700000000,
    );
}

#[test]
fn body_only_schemes() {
    accepts(
        Scheme::Vercel,
        "vercel_secret",
        BODY,
        &[(
            "x-vercel-signature",
            "2c8b1644cc4b10012ee92b791ecbd2d5a1154195",
        )],
        0,
    );
    accepts(
        Scheme::Shopify,
        "shpss_secret",
        BODY,
        &[(
            "X-Shopify-Hmac-Sha256",
            "goXN7+JmpNCH1u5san06/2+qAxwHmABsfUI/3f5cQb0=",
        )],
        0,
    );
    accepts(
        Scheme::Generic,
        "generic_secret",
        BODY,
        &[(
            "X-Webhook-Signature",
            "5a98fed236b55dca3d203fe192e3dd92081aa384fbd708e49f6826a041b23a9f",
        )],
        0,
    );
}

#[test]
fn any_bytes_are_a_body() {
    let body: Vec<u8> = (0..=255).collect();
    let headers = [(
        "X-Webhook-Signature",
        "3e23a8b5d411436ff2207c0bc38bcfccfefc25faeba4cf26c82bd5b8aeae9cdd",
    )];
    accepts(Scheme::Generic, "generic_secret", &body, &headers, 0);
}

#[test]
fn every_scheme_signs_what_it_verifies() {
    for scheme in Scheme::ALL {
        let wh = Webhook::new(scheme, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let headers = wh.sign(BODY, "msg_1", 1_700_000_000).unwrap();
        let v = wh.verify_at(BODY, &headers, 1_700_000_000).unwrap();
        assert_eq!(Scheme::detect(&headers), Some(scheme));
        if scheme.is_timestamped() {
            assert_eq!(v.timestamp, Some(1_700_000_000));
        }
    }
}

/// What `Scheme` says of its headers (and the generated JS table repeats) is what `sign`
/// writes: the id in `id_header`, the timestamp where `timestamp_field` says.
#[test]
fn the_id_and_timestamp_are_where_the_scheme_says() {
    for scheme in Scheme::ALL {
        let wh = Webhook::new(scheme, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let headers = wh.sign(BODY, "msg_1", 1_700_000_000).unwrap();
        let read = |name: &str| {
            headers
                .as_slice()
                .header(name)
                .unwrap_or_else(|| panic!("{scheme}: no {name}"))
        };
        if let Some(id) = scheme.id_header() {
            assert!(scheme.header_names().contains(&id), "{scheme}");
            assert_eq!(read(id), "msg_1", "{scheme}");
        }
        match scheme.timestamp_field() {
            Some(TimestampField::Header(name)) => assert_eq!(read(name), "1700000000", "{scheme}"),
            Some(TimestampField::Item { header, key }) => {
                let item = format!("{key}=1700000000");
                assert!(
                    read(header).split(',').any(|i| i.trim() == item),
                    "{scheme}"
                );
            }
            Some(other) => panic!("{scheme}: {other:?}"),
            None => assert!(!scheme.is_timestamped()),
        }
        if let Some(field) = scheme.timestamp_field() {
            assert!(scheme.header_names().contains(&field.header()), "{scheme}");
        }
    }
}

#[test]
fn rotation_any_secret_matches_and_sign_emits_one_per_secret() {
    let old = Webhook::new(Scheme::Stripe, "old_secret").unwrap();
    let both = Webhook::with_secrets(Scheme::Stripe, ["old_secret", "new_secret"]).unwrap();
    let new = Webhook::new(Scheme::Stripe, "new_secret").unwrap();
    let signed_old = old.sign(BODY, "e", 100).unwrap();
    both.verify_at(BODY, &signed_old, 100).unwrap();
    let signed_both = both.sign(BODY, "e", 100).unwrap();
    assert_eq!(signed_both[0].1.matches("v1=").count(), 2);
    old.verify_at(BODY, &signed_both, 100).unwrap();
    new.verify_at(BODY, &signed_both, 100).unwrap();
}

#[test]
fn single_signature_schemes_sign_with_the_first_secret_only() {
    // Standard's secrets must be base64; the others take any string.
    let (first, second) = (
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_AAAAAAAAAAAAAAAAAAAAAAAA",
    );
    for scheme in Scheme::ALL {
        let both = Webhook::with_secrets(scheme, [first, second]).unwrap();
        let signed = both.sign(BODY, "e", 100).unwrap();
        let verify = |secret| {
            Webhook::new(scheme, secret)
                .unwrap()
                .verify_at(BODY, &signed, 100)
        };
        verify(first).unwrap();
        let one = matches!(
            scheme,
            Scheme::Github | Scheme::Vercel | Scheme::Slack | Scheme::Shopify | Scheme::Generic
        );
        if one {
            // One signature, no list: what the providers' own verifiers compare against.
            let value = &signed
                .iter()
                .find(|(k, _)| *k == scheme.header_names()[0])
                .unwrap()
                .1;
            assert!(!value.contains(','), "{scheme}: {value}");
            assert_eq!(
                verify(second).unwrap_err().code(),
                "no_matching_signature",
                "{scheme}"
            );
        } else {
            verify(second).unwrap();
        }
    }
}

#[test]
fn tolerance_both_ways() {
    let wh = Webhook::new(Scheme::Slack, "s")
        .unwrap()
        .with_tolerance(300);
    let h = wh.sign(BODY, "x", 1000).unwrap();
    wh.verify_at(BODY, &h, 1300).unwrap();
    wh.verify_at(BODY, &h, 700).unwrap();
    assert_eq!(
        wh.verify_at(BODY, &h, 1301),
        Err(Error::TimestampTooOld {
            age: 301,
            tolerance: 300
        })
    );
    assert_eq!(
        wh.verify_at(BODY, &h, 699),
        Err(Error::TimestampTooNew {
            ahead: 301,
            tolerance: 300
        })
    );
    // A forged stale request is reported as a forgery first.
    assert_eq!(
        wh.verify_at(b"x", &h, 5000).unwrap_err().code(),
        "no_matching_signature"
    );
}

#[test]
fn error_codes() {
    let wh = Webhook::new(Scheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let good = wh.sign(BODY, "msg_1", 100).unwrap();
    let code = |h: &[(&str, &str)]| wh.verify_at(BODY, h, 100).unwrap_err().code();
    let g: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(code(&g[..2]), "missing_header");
    assert_eq!(
        code(&[g[0], ("webhook-timestamp", "12a"), g[2]]),
        "invalid_timestamp"
    );
    assert_eq!(
        code(&[g[0], g[1], ("webhook-signature", "v2,abc")]),
        "invalid_header"
    );
    assert_eq!(
        code(&[g[0], g[1], ("webhook-signature", "v1,AAAA")]),
        "no_matching_signature"
    );
    assert_eq!(
        Webhook::new(Scheme::Standard, "whsec_!!!")
            .unwrap_err()
            .code(),
        "invalid_secret"
    );
    assert_eq!(
        Webhook::new(Scheme::Github, "").unwrap_err().code(),
        "invalid_secret"
    );
    assert_eq!(
        Webhook::with_secrets(Scheme::Github, Vec::<&str>::new())
            .unwrap_err()
            .code(),
        "invalid_secret"
    );
    assert_eq!(
        "nope".parse::<Scheme>().unwrap_err().code(),
        "invalid_option"
    );
    let s = Webhook::new(Scheme::Stripe, "s").unwrap();
    assert_eq!(
        s.verify_at(BODY, &[("stripe-signature", "v1=00")], 1)
            .unwrap_err()
            .code(),
        "invalid_header"
    );
    assert_eq!(
        s.verify_at(BODY, &[("stripe-signature", "t=1")], 1)
            .unwrap_err()
            .code(),
        "invalid_header"
    );
}

/// A signature header with nothing the scheme reads says which form was expected (a
/// Standard Webhooks header with only `v1a`, asymmetric, entries names what is checked).
#[test]
fn a_header_without_a_signature_names_the_expected_form() {
    // The scheme, its headers, the error's message.
    type Case = (
        Scheme,
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: [Case; 6] = [
        (
            Scheme::Standard,
            &[("webhook-id", "msg_1"), ("webhook-timestamp", "100"), ("webhook-signature", "v1a,AAAA v2,BBBB")],
            "header webhook-signature is malformed: no v1,<signature> entry (v1a entries, Ed25519 signatures, are checked with a whpk_ public key)",
        ),
        (
            Scheme::Svix,
            &[("svix-id", "msg_1"), ("svix-timestamp", "100"), ("svix-signature", "v1a,AAAA")],
            "header svix-signature is malformed: no v1,<signature> entry (v1a entries, Ed25519 signatures, are checked with a whpk_ public key)",
        ),
        (
            Scheme::Github,
            &[("X-Hub-Signature-256", "sha1=abcd")],
            "header X-Hub-Signature-256 is malformed: no sha256=<signature> item",
        ),
        (
            Scheme::Slack,
            &[("X-Slack-Request-Timestamp", "100"), ("X-Slack-Signature", "v1=abcd")],
            "header X-Slack-Signature is malformed: no v0=<signature> item",
        ),
        (
            Scheme::Stripe,
            &[("Stripe-Signature", "t=100,v0=abcd")],
            "header Stripe-Signature is malformed: no v1=<signature> item",
        ),
        (
            Scheme::Vercel,
            &[("X-Vercel-Signature", " , ")],
            "header x-vercel-signature is malformed: no signature",
        ),
    ];
    for (scheme, headers, message) in cases {
        let wh = Webhook::new(scheme, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let err = wh.verify_at(BODY, headers, 100).unwrap_err();
        assert_eq!(err.code(), "invalid_header", "{scheme:?}");
        assert_eq!(err.to_string(), message, "{scheme:?}");
    }
}

#[test]
fn errors_never_carry_secrets_or_expected_signatures() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let wh = Webhook::new(Scheme::Standard, secret).unwrap();
    let good = wh.sign(BODY, "msg_1", 100).unwrap();
    let expected = good[2].1.trim_start_matches("v1,").to_string();
    let err = wh.verify_at(b"other", &good, 100).unwrap_err();
    let text = format!("{err} {err:?} {wh:?}");
    assert!(
        !text.contains("MfKQ9r8GKYqr") && !text.contains(&expected),
        "{text}"
    );
}

#[cfg(feature = "http")]
#[test]
fn http_header_map() {
    let wh = Webhook::new(Scheme::Github, "It's a Secret to Everybody").unwrap();
    let mut map = http::HeaderMap::new();
    map.insert(
        "x-hub-signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
            .parse()
            .unwrap(),
    );
    wh.verify(b"Hello, World!", &map).unwrap();

    // A value that is UTF-8 but not visible ASCII is read, as the Headers doc says.
    use hookproof::Headers;
    map.insert(
        "webhook-id",
        http::HeaderValue::from_bytes("msg_é".as_bytes()).unwrap(),
    );
    assert_eq!(map.header("Webhook-Id"), Some("msg_é"));
    map.insert("x-bytes", http::HeaderValue::from_bytes(b"\xff").unwrap());
    assert_eq!(map.header("x-bytes"), None);
}

#[test]
fn maps_with_str_or_string_keys() {
    use std::collections::{BTreeMap, HashMap};
    let wh = Webhook::new(Scheme::Github, "s3cret").unwrap();
    let signed = wh.sign(BODY, "d1", 0).unwrap();
    let by_str: HashMap<&str, &str> = signed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let by_string: HashMap<String, String> = signed
        .iter()
        .map(|(k, v)| (k.to_uppercase(), v.clone()))
        .collect();
    let ordered: BTreeMap<&str, String> = signed.iter().map(|(k, v)| (*k, v.clone())).collect();
    wh.verify(BODY, &by_str).unwrap();
    wh.verify(BODY, &by_string).unwrap();
    wh.verify(BODY, &ordered).unwrap();
}

#[test]
fn svix_reads_the_webhook_headers_when_its_own_are_absent() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let svix = Webhook::new(Scheme::Svix, secret).unwrap();
    let standard = Webhook::new(Scheme::Standard, secret).unwrap();
    let unbranded = standard.sign(BODY, "msg_1", 100).unwrap();
    let verified = svix.verify_at(BODY, &unbranded, 100).unwrap();
    assert_eq!(verified.id.as_deref(), Some("msg_1"));
    assert!(svix.diagnose(BODY, &unbranded, 100).findings.is_empty());
    // One set or the other, never a mix: with svix-signature there, the svix- names are read.
    let mut both = unbranded.clone();
    both.push(("svix-signature", "v1,AAAA".to_owned()));
    assert_eq!(
        svix.verify_at(BODY, &both, 100),
        Err(hookproof::Error::MissingHeader("svix-id"))
    );
    // Neither set: the error names svix's header.
    assert_eq!(
        svix.verify_at(BODY, &[("webhook-id", "msg_1")], 100),
        Err(hookproof::Error::MissingHeader("svix-signature"))
    );
    // Standard does not read svix's names.
    let branded = svix.sign(BODY, "msg_1", 100).unwrap();
    assert_eq!(
        standard.verify_at(BODY, &branded, 100).unwrap_err().code(),
        "missing_header"
    );
}

#[test]
fn sign_makes_only_timestamps_verify_reads() {
    let wh = Webhook::new(Scheme::Stripe, "s3cret").unwrap();
    let last = 999_999_999_999_999;
    let headers = wh.sign(BODY, "m", last).unwrap();
    wh.verify_at(BODY, &headers, last).unwrap();
    for ts in [-1, last + 1, i64::MAX] {
        assert_eq!(
            wh.sign(BODY, "m", ts).unwrap_err().code(),
            "invalid_option",
            "{ts}"
        );
    }
}
