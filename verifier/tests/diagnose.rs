//! The signature doctor: each known mistake is recognised and named, and reports never
//! carry the secret or the expected signature.

use hookproof::{Scheme, Webhook};

const STD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// As `JSON.stringify(event, null, 2)` writes it.
const SIGNED: &[u8] =
    b"{\n  \"type\": \"order.created\",\n  \"data\": {\n    \"id\": 1,\n    \"tags\": []\n  }\n}";

fn kinds(
    wh: &Webhook,
    body: &[u8],
    headers: &[(&'static str, String)],
    now: i64,
) -> Vec<&'static str> {
    let report = wh.diagnose(body, headers, now);
    let text = format!("{report:?}");
    assert!(
        !text.contains("MfKQ9r8GKYqr") && !text.contains("s3cret"),
        "{text}"
    );
    for (_, v) in headers {
        if v.len() > 20 {
            let sig = v.trim_end_matches('=').rsplit(['=', ',']).next().unwrap();
            assert!(!text.contains(sig), "{text}");
        }
    }
    report.findings.iter().map(|f| f.kind).collect()
}

#[test]
fn verified_delivery_has_no_findings() {
    let wh = Webhook::new(Scheme::Standard, STD).unwrap();
    let h = wh.sign(SIGNED, "m", 10).unwrap();
    let r = wh.diagnose(SIGNED, &h, 10);
    assert!(r.verified && r.code.is_none() && r.findings.is_empty());
}

#[test]
fn body_mistakes() {
    let wh = Webhook::new(Scheme::Stripe, "s3cret").unwrap();
    let h = wh.sign(SIGNED, "m", 10).unwrap();
    let compact = br#"{"type":"order.created","data":{"id":1,"tags":[]}}"#;
    assert_eq!(kinds(&wh, compact, &h, 10), ["body_reserialized"]);
    let mut with_newline = SIGNED.to_vec();
    with_newline.push(b'\n');
    let signed_nl = wh.sign(&with_newline, "m", 10).unwrap();
    assert_eq!(
        kinds(&wh, SIGNED, &signed_nl, 10),
        ["trailing_newline_removed"]
    );
    let crlf: Vec<u8> = String::from_utf8_lossy(SIGNED)
        .replace('\n', "\r\n")
        .into_bytes();
    assert_eq!(kinds(&wh, &crlf, &h, 10), ["line_endings_changed"]);
    let mut extra = SIGNED.to_vec();
    extra.push(b'\n');
    assert_eq!(kinds(&wh, &extra, &h, 10), ["trailing_newline_added"]);
    let signed_compact = wh.sign(compact, "m", 10).unwrap();
    assert_eq!(
        kinds(&wh, SIGNED, &signed_compact, 10),
        ["body_reserialized"]
    );
    assert_eq!(kinds(&wh, b"{\"other\":1}", &h, 10), Vec::<&str>::new());
}

#[test]
fn secret_mistakes() {
    let body = b"{}";
    // Receiver has a trailing newline in its secret.
    let sender = Webhook::new(Scheme::Github, "s3cret").unwrap();
    let h = sender.sign(body, "m", 10).unwrap();
    assert_eq!(
        kinds(
            &Webhook::new(Scheme::Github, "s3cret\n").unwrap(),
            body,
            &h,
            10
        ),
        ["secret_whitespace"]
    );
    // Sender used the whsec_ secret's raw bytes for a standard delivery.
    let raw = Webhook::from_key(Scheme::Standard, STD.as_bytes()).unwrap();
    let h = raw.sign(body, "m", 10).unwrap();
    assert_eq!(
        kinds(&Webhook::new(Scheme::Standard, STD).unwrap(), body, &h, 10),
        ["secret_form"]
    );
    // Stripe-style receiver, sender dropped the prefix.
    let bare = Webhook::new(Scheme::Stripe, "test_abc").unwrap();
    let h = bare.sign(body, "m", 10).unwrap();
    assert_eq!(
        kinds(
            &Webhook::new(Scheme::Stripe, "whsec_test_abc").unwrap(),
            body,
            &h,
            10
        ),
        ["secret_form"]
    );
    // And the other way round: the receiver dropped it.
    let prefixed = Webhook::new(Scheme::Stripe, "whsec_test_abc").unwrap();
    let h = prefixed.sign(body, "m", 10).unwrap();
    assert_eq!(kinds(&bare, body, &h, 10), ["secret_form"]);
}

#[test]
fn wrong_scheme_and_other_rule() {
    let body = b"{}";
    let stripe = Webhook::new(Scheme::Stripe, "s3cret").unwrap();
    let h = stripe.sign(body, "m", 10).unwrap();
    let github = Webhook::new(Scheme::Github, "s3cret").unwrap();
    assert_eq!(kinds(&github, body, &h, 10), ["wrong_scheme"]);
    // Another scheme's headers beside ours are no mistake when ours verify, nor when ours
    // are there and fail for another reason.
    let mut both = h.clone();
    both.extend(github.sign(body, "m", 10).unwrap());
    assert!(github.diagnose(body, &both, 10).findings.is_empty());
    let fails = kinds(&github, b"{ }", &both, 10);
    assert!(!fails.contains(&"wrong_scheme"), "{fails:?}");
    // A Vector receiver fed a stripe-signed header under Vector's name: the same rule, it verifies.
    let renamed: Vec<(&'static str, String)> = vec![("X-Vector-Signature", h[0].1.clone())];
    assert!(
        Webhook::new(Scheme::Vector, "s3cret")
            .unwrap()
            .diagnose(body, &renamed, 10)
            .verified
    );
    // Slack header signed over `{t}.{body}` (stripe's rule) instead of `v0:{t}:{body}`.
    let t = "10";
    let sig = stripe.sign(body, "m", 10).unwrap()[0]
        .1
        .split("v1=")
        .nth(1)
        .unwrap()
        .to_string();
    let slack_headers: Vec<(&'static str, String)> = vec![
        ("X-Slack-Signature", format!("v0={sig}")),
        ("X-Slack-Request-Timestamp", t.into()),
    ];
    let slack = Webhook::new(Scheme::Slack, "s3cret").unwrap();
    assert_eq!(
        kinds(&slack, body, &slack_headers, 10),
        ["other_scheme_rule"]
    );
}

#[test]
fn timestamp_mistakes() {
    let wh = Webhook::new(Scheme::Standard, STD).unwrap();
    let ms = wh.sign(b"{}", "m", 1_700_000_000_000).unwrap();
    assert_eq!(
        kinds(&wh, b"{}", &ms, 1_700_000_000),
        ["timestamp_milliseconds"]
    );
    let old = wh.sign(b"{}", "m", 1_700_000_000).unwrap();
    let report = wh.diagnose(b"{}", &old, 1_700_000_412);
    assert_eq!(report.code, Some("timestamp_too_old"));
    assert_eq!(report.findings[0].kind, "clock_skew");
    assert!(report.findings[0].message.contains("412 s"));
}
