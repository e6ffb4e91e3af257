//! What each profile sends and how it signs: every scheme verifiable, Slack's handshake and
//! messages, rotation with and without grace, Ed25519 keys.

use hookproof::{Scheme, Webhook};
use hookproof_sender::store::DeliveryStatus;
use serde_json::json;

use crate::common;
use crate::common::delivery::{delivered, rotate, verify_hit};
use crate::common::{
    config, create, finished, now_secs, ok, receiver, send, started, wait_until, Answer,
};

#[tokio::test]
async fn a_slack_test_is_the_url_verification_handshake() {
    let app = started(&config()).await;
    // A receiver that answers 200 without the challenge fails the handshake, not retried.
    let rx = receiver(vec![]).await;
    let w = create(&app, &rx.url, "slack", Some(&[0, 10])).await;
    let test = format!("/v1/webhooks/{}/test", w["id"].as_str().unwrap());
    let d = ok(&app, "POST", &test, None, 202).await;
    assert_eq!(d["event_type"], "url_verification");
    let id = d["id"].as_str().unwrap().to_owned();
    let d = wait_until(&app, &id, finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Failed, 1));
    assert!(
        d.last_error.as_deref().unwrap().contains("challenge"),
        "{d:?}"
    );
    let hit = rx.hits().pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["type"], "url_verification");
    assert!(body["challenge"].as_str().unwrap().len() >= 24);
    Webhook::new(Scheme::Slack, w["secret"].as_str().unwrap())
        .unwrap()
        .verify_at(&hit.body, &hit.headers, now_secs())
        .unwrap();

    // One that echoes it passes.
    let rx = receiver(vec![Answer::Echo]).await;
    let w = create(&app, &rx.url, "slack", Some(&[0, 10])).await;
    let test = format!("/v1/webhooks/{}/test", w["id"].as_str().unwrap());
    let d = ok(&app, "POST", &test, None, 202).await;
    let d = wait_until(&app, d["id"].as_str().unwrap(), finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 1));
}

#[tokio::test]
async fn a_slack_test_of_an_event_the_catalog_lacks_is_an_event_callback_of_it() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let w = create(&app, &rx.url, "slack", Some(&[0])).await;
    let test = format!("/v1/webhooks/{}/test", w["id"].as_str().unwrap());
    let d = ok(
        &app,
        "POST",
        &test,
        Some(json!({"type": "reaction_added"})),
        202,
    )
    .await;
    wait_until(&app, d["id"].as_str().unwrap(), finished).await;
    let hit = rx.hits().pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["type"], "event_callback", "{body}");
    assert_eq!(body["event"]["type"], "reaction_added");
    assert_eq!(body["event_id"], d["event_id"]);
}

#[tokio::test]
async fn every_profile_signs_verifiably() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let mut secrets = Vec::new();
    for scheme in Scheme::ALL {
        let w = create(&app, &rx.url, scheme.name(), None).await;
        secrets.push((scheme, w["secret"].as_str().unwrap().to_owned()));
    }
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "user.created", "data": {"id": 7}})),
        202,
    )
    .await;
    for d in ev["deliveries"].as_array().unwrap() {
        wait_until(&app, d["id"].as_str().unwrap(), finished).await;
    }
    let hits = rx.hits();
    assert_eq!(hits.len(), Scheme::ALL.len());
    for (scheme, secret) in &secrets {
        let wh = Webhook::new(*scheme, secret).unwrap();
        // Exactly one of the requests is this profile's, and it verifies.
        let ok = hits
            .iter()
            .filter(|h| Scheme::detect(&h.headers) == Some(*scheme))
            .filter(|h| wh.verify_at(&h.body, &h.headers, now_secs()).is_ok())
            .count();
        assert_eq!(ok, 1, "{scheme}");
    }
    let body_of = |scheme: Scheme| -> serde_json::Value {
        let hit = hits
            .iter()
            .find(|h| Scheme::detect(&h.headers) == Some(scheme))
            .unwrap();
        serde_json::from_slice(&hit.body).unwrap()
    };
    assert_eq!(body_of(Scheme::Stripe)["data"]["object"], json!({"id": 7}));
    assert_eq!(body_of(Scheme::Stripe)["object"], "event");
    assert_eq!(body_of(Scheme::Standard)["type"], "user.created");
    assert_eq!(body_of(Scheme::Vercel)["payload"], json!({"id": 7}));
    assert_eq!(body_of(Scheme::Github), json!({"id": 7}));
    // Slack's body is the Events API request itself: given data is sent as it is.
    assert_eq!(body_of(Scheme::Slack), json!({"id": 7}));
}

#[tokio::test]
async fn slack_webhooks_get_a_signed_block_kit_message() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let w = ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"kind": "slack", "url": rx.url, "events": ["deploy.*"]})),
        201,
    )
    .await;
    assert_eq!(w["kind"], "slack");
    let id = send(&app, "deploy.finished").await;
    wait_until(&app, &id, finished).await;
    let hit = rx.hits().pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
    assert!(body["text"].as_str().unwrap().contains("deploy.finished"));
    assert_eq!(body["blocks"][0]["text"]["text"], "deploy.finished");
    Webhook::new(Scheme::Vector, w["secret"].as_str().unwrap())
        .unwrap()
        .verify_at(&hit.body, &hit.headers, now_secs())
        .unwrap();
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_during_the_grace_period() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let w = create(&app, &rx.url, "stripe", None).await;
    let old = w["secret"].as_str().unwrap().to_owned();
    let wid = w["id"].as_str().unwrap();
    let new = rotate(&app, wid, 60).await;
    assert_ne!(new, old);

    let hit = delivered(&app, &rx).await;
    for secret in [&old, &new] {
        verify_hit(Scheme::Stripe, &hit, secret).unwrap();
    }

    // Without grace the replaced secret stops at once; an earlier one keeps its own grace.
    let newest = rotate(&app, wid, 0).await;
    let hit = delivered(&app, &rx).await;
    let verify = |s: &str| verify_hit(Scheme::Stripe, &hit, s);
    assert!(verify(&newest).is_ok());
    assert_eq!(verify(&new).unwrap_err().code(), "no_matching_signature");
    assert!(verify(&old).is_ok());
}

#[tokio::test]
async fn a_standard_webhook_rotates_to_an_ed25519_key_and_signs_v1a() {
    // Standard Webhooks' asymmetric signatures: the sender holds the whsk_ secret key, the
    // receiver the whpk_ public key (node:crypto made this pair; verifier/tests/asymmetric.rs).
    const WHSK: &str = "whsk_/YyuGMYXv+hNh+3l8AklpERlqjSVPw1uc0txT7pLZF0=";
    const WHPK: &str = "whpk_HPrKjlN28DWaN5yx0n+RYd/7CqfvSKFqEGsKKtfsWac=";
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let w = create(&app, &rx.url, "standard", None).await;
    let old = w["secret"].as_str().unwrap().to_owned();
    let path = format!("/v1/webhooks/{}/rotate-secret", w["id"].as_str().unwrap());
    let rotated = ok(&app, "POST", &path, Some(json!({"secret": WHSK})), 200).await;
    assert_eq!(rotated["secret"], WHSK);

    let hit = delivered(&app, &rx).await;
    let header = hit.header("webhook-signature").unwrap();
    assert!(
        header.starts_with("v1,") && header.contains(" v1a,"),
        "{header}"
    );
    for key in [&old, WHPK] {
        verify_hit(Scheme::Standard, &hit, key).unwrap();
    }
    // A public key cannot sign: refused as the secret, nothing changed.
    let (status, body) = common::call(&app, "POST", &path, Some(json!({"secret": WHPK}))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "secret");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("whsk_"),
        "{body}"
    );
}

#[tokio::test]
async fn the_api_generates_an_ed25519_key_and_shows_its_public_key() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let body = json!({"url": rx.url, "events": ["*"], "profile": "svix", "signing": "ed25519"});
    let w = ok(&app, "POST", "/v1/webhooks", Some(body), 201).await;
    let secret = w["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsk_"), "{secret}");
    let id = w["id"].as_str().unwrap().to_owned();
    // The public key, derived from the secret, on every GET; the secret never.
    let shown = ok(&app, "GET", &format!("/v1/webhooks/{id}"), None, 200).await;
    let public_key = shown["public_key"].as_str().unwrap().to_owned();
    assert_eq!(public_key, hookproof::ed25519_public_key(&secret).unwrap());
    assert!(!shown.to_string().contains(&secret[5..]), "{shown}");

    let hit = delivered(&app, &rx).await;
    assert!(hit.header("svix-signature").unwrap().starts_with("v1a,"));
    verify_hit(Scheme::Svix, &hit, &public_key).unwrap();

    // A generated rotation keeps the kind: another whsk_ key, another public key.
    let path = format!("/v1/webhooks/{id}/rotate-secret");
    let rotated = ok(
        &app,
        "POST",
        &path,
        Some(json!({"grace_period_secs": 0})),
        200,
    )
    .await;
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsk_"));
    assert_ne!(rotated["public_key"], public_key.as_str());
    let back = json!({"signing": "hmac", "grace_period_secs": 0});
    let rotated = ok(&app, "POST", &path, Some(back), 200).await;
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(rotated["public_key"].is_null());

    // Refused, naming the field: ed25519 for a profile without v1a; secret and signing both.
    for (body, why) in [
        (
            json!({"url": rx.url, "events": ["*"], "profile": "stripe", "signing": "ed25519"}),
            "standard and svix",
        ),
        (
            json!({"url": rx.url, "events": ["*"], "profile": "standard", "signing": "rsa"}),
            "hmac",
        ),
        (
            json!({"url": rx.url, "events": ["*"], "profile": "standard", "signing": "hmac", "secret": "whsec_AAAA"}),
            "not both",
        ),
    ] {
        let (status, answer) = common::call(&app, "POST", "/v1/webhooks", Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["field"], "signing");
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(why),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn rotation_in_a_one_signature_profile_signs_with_the_new_secret() {
    // GitHub's header carries one signature, and its verifiers compare the whole value.
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let w = create(&app, &rx.url, "github", None).await;
    let old = w["secret"].as_str().unwrap().to_owned();
    let new = rotate(&app, w["id"].as_str().unwrap(), 60).await;
    let hit = delivered(&app, &rx).await;
    let header = hit.header("x-hub-signature-256").unwrap();
    assert!(!header.contains(','), "{header}");
    verify_hit(Scheme::Github, &hit, &new).unwrap();
    let old = verify_hit(Scheme::Github, &hit, &old).unwrap_err();
    assert_eq!(old.code(), "no_matching_signature");
}
