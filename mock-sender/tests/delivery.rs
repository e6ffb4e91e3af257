//! Deliveries to a real loopback receiver: retries on the scaled schedule, signatures
//! checked with `hookproof`, timeouts, final failure, rotation, restart on the same db.

mod common;

use std::time::Duration;

use common::{
    attempt_numbers, attempts, config, create, finished, now_secs, ok, receiver, retry, send,
    started, wait_until, Answer,
};
use hookproof::{Scheme, Webhook};
use hookproof_sender::store::{AttemptRecord, DeliveryStatus, Outcome, Query};
use hookproof_sender::{app, DbLocation};
use serde_json::json;

/// The engine's active deliveries once its tasks have wound down (a delivery is stored
/// as finished just before its task ends), 2 s at most.
async fn idle(app: &hookproof_sender::App) -> usize {
    let end = std::time::Instant::now() + Duration::from_secs(2);
    while app.engine.active() > 0 && std::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.engine.active()
}

/// Rotates webhook `id`'s secret, the old one accepted for `grace_secs` more; the new one.
async fn rotate(app: &hookproof_sender::App, id: &str, grace_secs: u64) -> String {
    let path = format!("/v1/webhooks/{id}/rotate-secret");
    let body = json!({ "grace_period_secs": grace_secs });
    let rotated = ok(app, "POST", &path, Some(body), 200).await;
    rotated["secret"].as_str().unwrap().to_owned()
}

/// A delivery's attempts, newest first.
async fn attempts_of(app: &hookproof_sender::App, delivery_id: String) -> Vec<AttemptRecord> {
    app.store
        .attempts(&Query {
            delivery_id: Some(delivery_id),
            ..Query::default()
        })
        .await
        .unwrap()
}

/// `hit`, verified now with `secret` under `scheme`.
fn verify_hit(
    scheme: Scheme,
    hit: &common::Hit,
    secret: &str,
) -> Result<hookproof::Verified, hookproof::Error> {
    Webhook::new(scheme, secret)
        .unwrap()
        .verify_at(&hit.body, &hit.headers, now_secs())
}

/// Sends an event of type `a` and waits for its delivery to finish; the last request `rx` got.
async fn delivered(app: &hookproof_sender::App, rx: &common::Receiver) -> common::Hit {
    let id = send(app, "a").await;
    wait_until(app, &id, finished).await;
    rx.hits().pop().unwrap()
}

#[tokio::test]
async fn fails_twice_then_succeeds_on_the_scaled_schedule() {
    // Waits of 100 s and 200 s, scaled by 0.001: 100 ms and 200 ms.
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Status(500), Answer::Status(503)]).await;
    let w = create(&app, &rx.url, "vector", Some(&[0, 100, 200])).await;
    let id = send(&app, "order.paid").await;
    assert!(
        ulid::Ulid::from_string(&id).is_ok(),
        "X-Vector-Delivery is a ULID: {id}"
    );

    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Success);
    assert_eq!(d.attempts, 3);

    let hits = rx.hits();
    assert_eq!(hits.len(), 3);
    let wh = Webhook::new(Scheme::Vector, w["secret"].as_str().unwrap()).unwrap();
    for hit in &hits {
        let v = wh.verify_at(&hit.body, &hit.headers, now_secs()).unwrap();
        assert_eq!(
            v.id.as_deref(),
            Some(id.as_str()),
            "same delivery id on every attempt"
        );
        assert_eq!(hit.body, d.body.as_bytes(), "same bytes on every attempt");
        let header = |name: &str| {
            hit.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("x-vector-event"), Some("order.paid"));
        assert_eq!(header("x-vector-delivery"), Some(id.as_str()));
        assert_eq!(header("content-type"), Some("application/json"));
        let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(body["event"], "order.paid");
        assert_eq!(body["data"], json!({"order": 42}));
        assert!(body["occurred_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(body.as_object().unwrap().len(), 3);
    }
    let gap1 = hits[1].at - hits[0].at;
    let gap2 = hits[2].at - hits[1].at;
    assert!(gap1 >= Duration::from_millis(100), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(200), "{gap2:?}");
    assert!(gap1 < Duration::from_secs(3) && gap2 < Duration::from_secs(3));

    let attempts = attempts(&app, &id).await;
    let outcomes: Vec<_> = attempts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["attempt"].as_u64().unwrap(),
                a["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, "http_error".to_owned()),
            (2, "http_error".to_owned()),
            (3, "success".to_owned())
        ]
    );
    assert_eq!(attempts[0]["status_code"], 500);
    assert!(attempts[0]["next_attempt_at"].is_string());
    assert!(attempts[2]["next_attempt_at"].is_null());
}

#[tokio::test]
async fn with_provider_timeouts_a_profile_times_out_as_its_provider_does() {
    // --provider-timeouts: Slack gives up after 3 s, so a 4 s answer is a timeout.
    let mut cfg = config();
    cfg.attempt_timeout = None;
    let app = started(&cfg).await;
    let rx = receiver(vec![Answer::Hang(Duration::from_secs(4))]).await;
    create(&app, &rx.url, "slack", Some(&[0])).await;
    let id = send(&app, "app_mention").await;

    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Failed);
    let a = &attempts_of(&app, id).await[0];
    assert_eq!(a.outcome, Outcome::Timeout);
    assert!(
        (3000..3900).contains(&a.response_time_ms),
        "{}",
        a.response_time_ms
    );
}

#[tokio::test]
async fn a_410_to_a_standard_delivery_disables_the_webhook() {
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Status(410)]).await;
    let w = create(&app, &rx.url, "standard", Some(&[0, 10, 10])).await;
    let id = send(&app, "a").await;

    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert_eq!(d.attempts, 1, "no retry after a 410");
    assert!(
        d.last_error.as_deref().unwrap().contains("disabled"),
        "{d:?}"
    );
    let path = format!("/v1/webhooks/{}", w["id"].as_str().unwrap());
    let shown = ok(&app, "GET", &path, None, 200).await;
    assert_eq!(shown["enabled"], false);
    // Another profile's 410 is a failure like any other: retried, webhook left enabled.
    let rx = receiver(vec![Answer::Status(410)]).await;
    let other = create(&app, &rx.url, "svix", Some(&[0, 10])).await;
    let id = send(&app, "a").await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 2));
    let path = format!("/v1/webhooks/{}", other["id"].as_str().unwrap());
    assert_eq!(ok(&app, "GET", &path, None, 200).await["enabled"], true);
}

#[tokio::test]
async fn a_standard_delivery_waits_for_a_longer_retry_after() {
    // Schedule: retry 10 ms after (scaled); the receiver asks for 500 s (500 ms scaled).
    // A 500, not a 429: a 429 throttles the endpoint in every profile (tests/throttle.rs).
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::RetryAfter(500, 500)]).await;
    create(&app, &rx.url, "standard", Some(&[0, 10])).await;
    let id = send(&app, "a").await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 2));
    let hits = rx.hits();
    let gap = hits[1].at - hits[0].at;
    assert!(gap >= Duration::from_millis(450), "{gap:?}");
    // Another profile keeps its own schedule.
    let rx = receiver(vec![Answer::RetryAfter(500, 500)]).await;
    let other = create(&app, &rx.url, "svix", Some(&[0, 10])).await;
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a", "webhook_ids": [other["id"]]})),
        202,
    )
    .await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap().to_owned();
    wait_until(&app, &id, finished).await;
    let hits = rx.hits();
    assert!(hits[1].at - hits[0].at < Duration::from_millis(400));
}

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
async fn a_hanging_receiver_times_out_then_the_delivery_fails() {
    let app = started(&config()).await;
    let rx = receiver(vec![
        Answer::Hang(Duration::from_secs(2)),
        Answer::Hang(Duration::from_secs(2)),
    ])
    .await;
    create(&app, &rx.url, "standard", Some(&[0, 10])).await;
    let id = send(&app, "order.paid").await;

    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert_eq!(d.attempts, 2);
    assert!(d.last_error.as_deref().unwrap().contains("timed out"));
    let attempts = attempts_of(&app, id).await;
    assert_eq!(attempts.len(), 2);
    for a in &attempts {
        assert_eq!(a.outcome, Outcome::Timeout);
        assert!(
            a.response_time_ms >= 200 && a.response_time_ms < 1500,
            "{}",
            a.response_time_ms
        );
    }
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
    let slack = hits
        .iter()
        .find(|h| Scheme::detect(&h.headers) == Some(Scheme::Slack))
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&slack.body).unwrap();
    assert_eq!(body["type"], "event_callback");
    assert_eq!(body["event"]["type"], "user.created");
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

#[tokio::test]
async fn pending_retries_resume_after_a_restart_on_the_same_db() {
    let path = std::env::temp_dir().join(format!("hookproof-sender-{}.db", ulid::Ulid::new()));
    let mut cfg = config();
    cfg.db = DbLocation::File(path.clone());
    let rx = receiver(vec![Answer::Status(500)]).await;

    let first = started(&cfg).await;
    create(&first, &rx.url, "github", Some(&[0, 1000])).await; // 1 s once scaled
    let id = send(&first, "push").await;
    let d = wait_until(&first, &id, |d| d.attempts == 1).await;
    assert_eq!(d.status, DeliveryStatus::Pending);
    assert!(d.next_attempt_at.is_some());
    first.engine.shutdown();
    drop(first);

    let second = app(&cfg).unwrap();
    assert_eq!(
        second.start().await.unwrap(),
        1,
        "one pending delivery resumed"
    );
    let d = wait_until(&second, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Success);
    assert_eq!(d.attempts, 2);
    let hits = rx.hits();
    assert_eq!(hits.len(), 2, "the stopped engine sent nothing more");
    let delivery_ids: Vec<_> = hits
        .iter()
        .map(|h| h.header("x-github-delivery").map(str::to_owned))
        .collect();
    assert_eq!(delivery_ids, [Some(id.clone()), Some(id)]);
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{f}", path.display()));
    }
}

#[tokio::test]
async fn overdue_retries_resume_oldest_first() {
    let path = std::env::temp_dir().join(format!("hookproof-sender-{}.db", ulid::Ulid::new()));
    let mut cfg = config();
    cfg.db = DbLocation::File(path.clone());
    cfg.max_in_flight = 1;
    let fail = Answer::Status(500);
    let rx = receiver(vec![fail, fail, fail]).await;

    let first = started(&cfg).await;
    create(&first, &rx.url, "github", Some(&[0, 1000])).await; // 1 s once scaled
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        ids.push(send(&first, name).await);
    }
    for id in &ids {
        wait_until(&first, id, |d| d.attempts == 1).await;
    }
    first.engine.shutdown();
    drop(first);
    // Past every retry's time: all three are due at once on the restart.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let second = started(&cfg).await;
    for id in &ids {
        wait_until(&second, id, finished).await;
    }
    let resumed: Vec<_> = rx.hits()[3..]
        .iter()
        .map(|h| h.header("x-github-delivery").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(resumed, ids, "in the order they were queued");
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{f}", path.display()));
    }
}

#[tokio::test]
async fn a_huge_time_scale_puts_retries_far_off_instead_of_overflowing() {
    let mut cfg = config();
    cfg.time_scale = 1e16;
    let app = started(&cfg).await;
    let rx = receiver(vec![Answer::Status(500)]).await;
    create(&app, &rx.url, "github", Some(&[0, 60])).await;
    let id = send(&app, "push").await;
    let d = wait_until(&app, &id, |d| d.attempts == 1).await;
    assert_eq!(d.status, DeliveryStatus::Pending);
    let year_ms = 365 * 86_400_000;
    assert!(
        d.next_attempt_at.unwrap() > hookproof_sender::clock::now_ms() + year_ms,
        "{d:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.hits().len(), 1, "no second attempt");
}

#[tokio::test]
async fn the_in_flight_cap_queues_requests_to_one_endpoint() {
    let mut cfg = config();
    cfg.max_in_flight = 1;
    let app = started(&cfg).await;
    let slow = Answer::Hang(Duration::from_millis(150));
    let rx = receiver(vec![slow, slow, slow]).await;
    create(&app, &rx.url, "generic", None).await;
    let ids = [
        send(&app, "a").await,
        send(&app, "b").await,
        send(&app, "c").await,
    ];
    for id in &ids {
        let d = wait_until(&app, id, finished).await;
        assert_eq!(d.status, DeliveryStatus::Success);
    }
    let mut at: Vec<_> = rx.hits().iter().map(|h| h.at).collect();
    at.sort();
    for pair in at.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(140), "one at a time: {gap:?}");
    }
}

#[tokio::test]
async fn a_webhook_update_and_rotation_apply_to_the_next_attempt() {
    // Attempt 1 fails at the first receiver; before attempt 2 (100 ms later) the webhook
    // moves to a second receiver and its secret is rotated without grace.
    let app = started(&config()).await;
    let first = receiver(vec![Answer::Status(500)]).await;
    let second = receiver(vec![]).await;
    let w = create(&app, &first.url, "standard", Some(&[0, 100])).await;
    let wid = w["id"].as_str().unwrap();
    let old = w["secret"].as_str().unwrap().to_owned();
    let id = send(&app, "a").await;
    wait_until(&app, &id, |d| d.attempts == 1).await;
    let path = format!("/v1/webhooks/{wid}");
    ok(&app, "PUT", &path, Some(json!({"url": second.url})), 200).await;
    let new = rotate(&app, wid, 0).await;

    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Success);
    assert_eq!(d.attempts, 2);
    assert_eq!(first.hits().len(), 1);
    let hits = second.hits();
    assert_eq!(hits.len(), 1);
    verify_hit(Scheme::Standard, &hits[0], &new).unwrap();
    let old = verify_hit(Scheme::Standard, &hits[0], &old).unwrap_err();
    assert_eq!(old.code(), "no_matching_signature");
    // Newest first: attempt 2 went to the new URL.
    let attempts = attempts_of(&app, id).await;
    assert_eq!(attempts[0].url, second.url);
    assert_eq!(attempts[1].url, first.url);
}

/// A vector webhook whose receiver fails the first attempt of a delivery, then `method`
/// (with `body`) on the webhook before the retry: the delivery once finished, which must
/// have failed at that retry without a request, as `reason` says. Also the app, the
/// webhook's path, the delivery id and the receiver.
async fn fails_at_the_retry_after(
    method: &str,
    body: Option<serde_json::Value>,
    reason: &str,
) -> (hookproof_sender::App, String, String, common::Receiver) {
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Status(500)]).await;
    let w = create(&app, &rx.url, "vector", Some(&[0, 100])).await;
    let id = send(&app, "a").await;
    wait_until(&app, &id, |d| d.attempts == 1).await;
    let path = format!("/v1/webhooks/{}", w["id"].as_str().unwrap());
    let (status, _) = common::call(&app, method, &path, body).await;
    assert!((200..300).contains(&status), "{method} {path}: {status}");

    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert_eq!(d.attempts, 2);
    assert_eq!(d.last_error.as_deref(), Some(reason));
    assert_eq!(rx.hits().len(), 1, "nothing sent after the {method}");
    let last = &attempts_of(&app, id.clone()).await[0];
    assert_eq!(last.outcome, Outcome::Error);
    assert!(last.request_headers.is_empty());
    (app, path, id, rx)
}

#[tokio::test]
async fn deleting_the_webhook_fails_its_queued_deliveries() {
    fails_at_the_retry_after("DELETE", None, "the webhook was deleted").await;
}

#[tokio::test]
async fn disabling_the_webhook_stops_its_retries() {
    let disable = Some(json!({"enabled": false}));
    let (app, path, id, rx) =
        fails_at_the_retry_after("PUT", disable, "the webhook is disabled").await;

    // No manual retry while it is disabled; once enabled again, one goes out.
    let retry = format!("/v1/deliveries/{id}/retry");
    let (status, body) = common::call(&app, "POST", &retry, None).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "webhook_disabled");
    let (status, body) = common::call(&app, "POST", &format!("{path}/test"), None).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "webhook_disabled");
    assert_eq!(rx.hits().len(), 1);
    ok(&app, "PUT", &path, Some(json!({"enabled": true})), 200).await;
    ok(&app, "POST", &retry, None, 202).await;
    let d = wait_until(&app, &id, |d| d.attempts == 3).await;
    assert_eq!(d.status, DeliveryStatus::Success);
    assert_eq!(rx.hits().len(), 2);
}

#[tokio::test]
async fn a_long_queue_to_one_endpoint_is_delivered_in_order() {
    // One request at a time, the first held for 150 ms: the others queue behind it, more
    // than the queue keeps in memory (the rest are read back from the store).
    let mut cfg = config();
    cfg.max_in_flight = 1;
    let app = started(&cfg).await;
    let rx = receiver(vec![Answer::Hang(Duration::from_millis(150))]).await;
    create(&app, &rx.url, "github", None).await;
    let mut ids = Vec::new();
    for _ in 0..300 {
        ids.push(send(&app, "a").await);
    }
    for id in &ids {
        let d = wait_until(&app, id, finished).await;
        assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 1));
    }
    let order: Vec<_> = rx
        .hits()
        .iter()
        .map(|h| {
            h.header("x-github-delivery")
                .map(str::to_owned)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(order.len(), 300);
    assert_eq!(order, ids, "first in, first out");
    assert_eq!(idle(&app).await, 0);
}

#[tokio::test]
async fn a_manual_retry_cuts_the_wait_short_or_adds_an_attempt() {
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Status(500)]).await;
    // The automatic retry would be an hour away (3.6 s once scaled).
    create(&app, &rx.url, "generic", Some(&[0, 3600])).await;
    let id = send(&app, "a").await;
    wait_until(&app, &id, |d| d.attempts == 1).await;
    let path = format!("/v1/deliveries/{id}/retry");
    let asked = std::time::Instant::now();
    ok(&app, "POST", &path, None, 202).await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 2));
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "not the hour's wait"
    );

    ok(&app, "POST", &path, None, 202).await;
    let d = wait_until(&app, &id, |d| d.attempts == 3).await;
    assert_eq!(d.status, DeliveryStatus::Success);
    assert_eq!(rx.hits().len(), 3);
    assert_eq!(idle(&app).await, 0);
}

#[tokio::test]
async fn a_manual_retry_waits_for_the_attempt_on_the_wire_which_is_logged() {
    let app = started(&config()).await;
    // Held past the 200 ms attempt timeout: a failed attempt, logged as such.
    let rx = receiver(vec![Answer::Hang(Duration::from_millis(400))]).await;
    create(&app, &rx.url, "generic", Some(&[0, 3600])).await;
    let id = send(&app, "a").await;
    while rx.hits().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    retry(&app, &id).await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 2));
    assert_eq!(attempt_numbers(&app, &id).await, [1, 2]);
    assert_eq!(rx.hits().len(), 2, "every request sent is logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_in_a_burst_never_lose_or_repeat_an_attempt() {
    let app = std::sync::Arc::new(started(&config()).await);
    let rx = receiver(vec![]).await;
    create(&app, &rx.url, "generic", Some(&[0])).await;
    let id = send(&app, "a").await;
    wait_until(&app, &id, finished).await;
    let path = format!("/v1/deliveries/{id}/retry");
    let burst: Vec<_> = (0..40)
        .map(|_| {
            let (app, path) = (std::sync::Arc::clone(&app), path.clone());
            tokio::spawn(async move { ok(&app, "POST", &path, None, 202).await })
        })
        .collect();
    for b in burst {
        b.await.unwrap();
    }
    assert_eq!(idle(&app).await, 0);
    let d = wait_until(&app, &id, finished).await;
    let numbers = attempt_numbers(&app, &id).await;
    let hits = rx.hits().len();
    assert_eq!(numbers.len(), hits, "a log row per request sent");
    assert_eq!(
        numbers,
        (1..=hits as u64).collect::<Vec<_>>(),
        "numbered once each, in order"
    );
    assert_eq!(d.attempts as usize, hits);
}

#[tokio::test]
async fn past_the_memory_limit_the_oldest_finished_deliveries_go() {
    // ~1.5 KB per delivery with its attempt: a dozen or so fit in 16 KiB.
    let mut cfg = config();
    cfg.memory_limit = 16 * 1024;
    let app = started(&cfg).await;
    let done_rx = receiver(vec![]).await;
    let failing_rx = receiver(vec![Answer::Status(500)]).await;
    create(&app, &failing_rx.url, "generic", Some(&[0, 100_000])).await;
    let first = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a", "data": {}})),
        202,
    )
    .await;
    let pending = first["deliveries"][0]["id"].as_str().unwrap().to_owned();
    wait_until(&app, &pending, |d| d.attempts == 1).await;
    create(&app, &done_rx.url, "generic", Some(&[0])).await;
    let mut done = Vec::new();
    for i in 0..60 {
        let ev = ok(
            &app,
            "POST",
            "/v1/events",
            Some(json!({"type": "b", "data": {"i": i}})),
            202,
        )
        .await;
        let ids = ev["deliveries"].as_array().unwrap();
        done.push(ids.last().unwrap()["id"].as_str().unwrap().to_owned());
        wait_until(&app, done.last().unwrap(), finished).await;
    }
    assert_eq!(done_rx.hits().len(), 60, "every delivery was made");

    let listed = ok(&app, "GET", "/v1/deliveries?limit=1000", None, 200).await;
    let listed: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(listed.contains(&pending), "a pending delivery is kept");
    assert!(
        (4..40).contains(&listed.len()),
        "kept {} of 61",
        listed.len()
    );
    assert_eq!(listed[0], done[59], "the newest stay");
    assert!(
        app.store.delivery(&done[0]).await.unwrap().is_none(),
        "the oldest went"
    );
    assert!(
        attempts_of(&app, done[0].clone()).await.is_empty(),
        "its log too"
    );
    assert_eq!(attempts_of(&app, done[59].clone()).await.len(), 1);
    let d = app
        .store
        .delivery(&pending)
        .await
        .unwrap()
        .expect("still there");
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 1));
}

#[tokio::test]
async fn logs_past_a_short_retention_are_pruned_while_running() {
    // --retention 1s: looked for every second (half of it, 1 s at least), real time.
    let mut cfg = config();
    cfg.retention = Duration::from_secs(1);
    let app = started(&cfg).await;
    let done_rx = receiver(vec![]).await;
    let failing_rx = receiver(vec![Answer::Status(500)]).await;
    create(&app, &done_rx.url, "generic", Some(&[0])).await;
    // The retry is 100 s away once scaled: the delivery stays pending throughout.
    create(&app, &failing_rx.url, "generic", Some(&[0, 100_000])).await;
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a", "data": {}})),
        202,
    )
    .await;
    let id = |i: usize| ev["deliveries"][i]["id"].as_str().unwrap().to_owned();
    let (done, pending) = (id(0), id(1));
    wait_until(&app, &done, finished).await;
    let finished_at = std::time::Instant::now();
    wait_until(&app, &pending, |d| d.attempts == 1).await;
    assert_eq!(attempts(&app, &done).await.as_array().unwrap().len(), 1);

    let deadline = finished_at + Duration::from_secs(5);
    while app.store.delivery(&done).await.unwrap().is_some() {
        assert!(std::time::Instant::now() < deadline, "not pruned in 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        finished_at.elapsed() >= Duration::from_millis(900),
        "pruned before the retention passed: {:?}",
        finished_at.elapsed()
    );
    let listed = ok(&app, "GET", "/v1/deliveries", None, 200).await;
    let listed: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        listed,
        std::slice::from_ref(&pending),
        "a pending delivery is kept"
    );
    // Attempt logs go by age alone, the pending delivery's too once old enough.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !attempts_of(&app, pending.clone()).await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "attempt not pruned");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(attempts_of(&app, done).await.is_empty());
    let d = app
        .store
        .delivery(&pending)
        .await
        .unwrap()
        .expect("still there");
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 1));
}
