//! Chaos for receivers: forged and stale requests a verifying receiver rejects (logged as
//! rejected) and a naive one accepts (flagged, in the log and the stream), duplicates
//! with the same delivery id, out-of-order deliveries, seeded draws, and the API.

mod common;

use std::time::{Duration, Instant};

use common::{
    attempts, call, config, finished, ok, receiver, started, verifying_receiver, wait_until, Answer,
};
use hookproof::Scheme;
use hookproof_sender::delivery::Notice;
use hookproof_sender::store::{AttemptRecord, DeliveryStatus, Outcome, Query};
use hookproof_sender::{App, Config};
use serde_json::{json, Value};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn create(app: &App, url: &str, profile: &str, chaos: Value) -> Value {
    ok(
        app,
        "POST",
        "/v1/webhooks",
        Some(
            json!({"url": url, "events": ["*"], "profile": profile, "secret": SECRET,
                    "retry_schedule": [0, 60], "chaos": chaos}),
        ),
        201,
    )
    .await
}

async fn send(app: &App, data: Value) -> String {
    let ev = ok(
        app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order.paid", "data": data})),
        202,
    )
    .await;
    ev["deliveries"][0]["id"].as_str().unwrap().to_owned()
}

/// The delivery's attempt logs, oldest first, once there are `n`.
async fn logs(app: &App, id: &str, n: usize) -> Vec<AttemptRecord> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut list = app
            .store
            .attempts(&Query {
                delivery_id: Some(id.to_owned()),
                ..Query::default()
            })
            .await
            .unwrap();
        if list.len() >= n {
            list.reverse();
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} logs: {list:?}",
            list.len()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_verifying_receiver_rejects_forged_and_stale_requests_and_it_is_logged() {
    let app = started(&config()).await;
    let (url, hits) = verifying_receiver(SECRET, Scheme::Standard).await;
    create(
        &app,
        &url,
        "standard",
        json!({"forge_signature": 1.0, "stale_timestamp": 1.0}),
    )
    .await;
    let id = send(&app, json!({"order": 1})).await;
    let logs = logs(&app, &id, 3).await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Success);
    assert_eq!(
        d.attempts, 1,
        "chaos requests are not attempts of the delivery"
    );

    assert_eq!(logs[0].chaos, None);
    assert_eq!(logs[0].outcome, Outcome::Success);
    for (log, kind) in logs[1..].iter().zip(["forged", "stale"]) {
        let view = serde_json::to_value(hookproof_sender::api::models::LogView::new(log)).unwrap();
        assert_eq!(view["chaos"], kind, "{view}");
        assert_eq!(view["expect"], "reject", "{view}");
        assert_eq!(view["receiver_accepted_bad"], false, "{view}");
        assert_eq!(view["outcome"], "rejected", "{view}");
        assert_eq!(view["status_code"], 401, "{view}");
        assert_eq!(view["attempt"], 1, "{view}");
        assert_eq!(view["error"], Value::Null, "{view}");
    }
    // Every request carried the delivery's id; the receiver verified only the real one.
    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 3);
    assert!(hits
        .iter()
        .all(|h| h.header("webhook-id") == Some(id.as_str())));
    // A correct rejection is not a failure.
    let failed = ok(&app, "GET", "/v1/logs?status=failed", None, 200).await;
    assert_eq!(failed, json!([]));
}

#[tokio::test]
async fn a_naive_receiver_accepting_forged_and_stale_requests_is_flagged() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let mut notices = app.engine.subscribe();
    create(
        &app,
        &rx.url,
        "stripe",
        json!({"forge_signature": 1.0, "stale_timestamp": 1.0}),
    )
    .await;
    let id = send(&app, json!({"order": 2})).await;
    let logs = logs(&app, &id, 3).await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 1));
    assert_eq!(logs[1].outcome, Outcome::AcceptedForgery, "{:?}", logs[1]);
    assert_eq!(logs[2].outcome, Outcome::AcceptedStale, "{:?}", logs[2]);
    for log in &logs[1..] {
        assert!(log.chaos.as_ref().unwrap().receiver_accepted_bad, "{log:?}");
        assert!(log.error.as_deref().unwrap().contains("must be rejected"));
    }
    let failed = ok(&app, "GET", "/v1/logs?status=failed", None, 200).await;
    assert_eq!(failed.as_array().unwrap().len(), 2, "{failed}");
    let listed = attempts(&app, &id).await;
    assert_eq!(listed[1]["chaos"], "forged");
    assert_eq!(listed[1]["receiver_accepted_bad"], true);
    assert_eq!(listed[2]["outcome"], "accepted_stale");

    // The stream's attempt events carry the flag (what the dashboard reads).
    let mut flagged = 0;
    while flagged < 2 {
        let notice = tokio::time::timeout(Duration::from_secs(5), notices.recv())
            .await
            .expect("attempt events")
            .unwrap();
        if let Notice::Attempt { attempt, .. } = &notice {
            if attempt.chaos.is_some() {
                let text = hookproof_sender::api::stream::event(&notice).to_string();
                assert!(text.starts_with("event:attempt\n"), "{text}");
                assert!(text.contains(r#""receiver_accepted_bad":true"#), "{text}");
                assert!(text.contains(r#""expect":"reject""#), "{text}");
                flagged += 1;
            }
        }
    }
}

#[tokio::test]
async fn duplicates_keep_the_delivery_id_and_signature() {
    let app = started(&config()).await;
    let (url, hits) = verifying_receiver(SECRET, Scheme::Vector).await;
    create(&app, &url, "vector", json!({"duplicate": 1.0})).await;
    let id = send(&app, json!({"order": 3})).await;
    let logs = logs(&app, &id, 2).await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 1));
    let dup = logs[1].chaos.as_ref().unwrap();
    assert_eq!(
        serde_json::to_value(dup).unwrap(),
        json!({"kind": "duplicate", "expect": "accept", "receiver_accepted_bad": false})
    );
    assert_eq!(logs[1].outcome, Outcome::Success);
    assert_eq!(logs[1].request_headers, logs[0].request_headers);

    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2);
    for h in &hits {
        assert_eq!(h.header("x-vector-delivery"), Some(id.as_str()));
        assert_eq!(h.body, d.body.as_bytes());
    }
    assert_eq!(
        hits[0].header("x-vector-signature"),
        hits[1].header("x-vector-signature")
    );
}

#[tokio::test]
async fn reorder_sends_deliveries_out_of_order() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    create(
        &app,
        &rx.url,
        "standard",
        json!({"reorder": true, "delay_ms": [0, 400], "seed": 7}),
    )
    .await;
    let mut sent = Vec::new();
    for i in 0..6 {
        sent.push(send(&app, json!({"n": i})).await);
    }
    for id in &sent {
        wait_until(&app, id, finished).await;
    }
    let arrived: Vec<String> = rx
        .hits()
        .iter()
        .map(|h| h.header("webhook-id").unwrap().to_owned())
        .collect();
    assert_eq!(arrived.len(), 6);
    assert_ne!(arrived, sent, "the deliveries arrived in order");
    let mut sorted = arrived.clone();
    sorted.sort();
    let mut want = sent.clone();
    want.sort();
    assert_eq!(sorted, want);
}

/// Which of `n` deliveries (sent one after the other) got a duplicate, with `--chaos-seed`.
async fn duplicated(seed: u64, n: usize) -> Vec<bool> {
    let app = started(&Config {
        chaos_seed: Some(seed),
        ..config()
    })
    .await;
    let rx = receiver(vec![]).await;
    ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"id": "wh_seeded", "url": rx.url, "events": ["*"],
                    "chaos": {"duplicate": 0.5}})),
        201,
    )
    .await;
    let mut out = Vec::new();
    for i in 0..n {
        let id = send(&app, json!({"n": i})).await;
        wait_until(&app, &id, finished).await;
        // A duplicate, if drawn, is logged right after the attempt.
        tokio::time::sleep(Duration::from_millis(30)).await;
        let logs = app
            .store
            .attempts(&Query {
                delivery_id: Some(id),
                ..Query::default()
            })
            .await
            .unwrap();
        out.push(logs.len() == 2);
    }
    out
}

#[tokio::test]
async fn the_chaos_seed_makes_runs_repeat() {
    let a = duplicated(42, 12).await;
    let b = duplicated(42, 12).await;
    assert_eq!(a, b);
    assert!(a.contains(&true) && a.contains(&false), "{a:?}");
}

#[tokio::test]
async fn chaos_is_validated_shown_updated_and_documented() {
    let app = started(&config()).await;
    let url = "http://127.0.0.1:1/hook";
    let bad = [
        (json!({"duplicate": 1.5}), "standard", "chaos.duplicate"),
        (
            json!({"forge_signature": -0.1}),
            "standard",
            "chaos.forge_signature",
        ),
        (json!({"duplicate": "often"}), "standard", "chaos.duplicate"),
        (
            json!({"delay_ms": [500, 100]}),
            "standard",
            "chaos.delay_ms",
        ),
        (
            json!({"delay_ms": [0, 600_000]}),
            "standard",
            "chaos.delay_ms",
        ),
        (json!({"delay_ms": [1]}), "standard", "chaos.delay_ms"),
        (
            json!({"delay_ms": [-1, 5]}),
            "standard",
            "chaos.delay_ms[0]",
        ),
        (json!({"reorder": "yes"}), "standard", "chaos.reorder"),
        (
            json!({"stale_timestamp": 0.5}),
            "github",
            "chaos.stale_timestamp",
        ),
        (json!({"typo": 1}), "standard", "chaos.typo"),
        (json!([1]), "standard", "chaos"),
    ];
    for (chaos, profile, field) in bad {
        let body = json!({"url": url, "events": ["*"], "profile": profile, "chaos": chaos});
        let (status, answer) = call(&app, "POST", "/v1/webhooks", Some(body)).await;
        assert_eq!(status, 400, "{chaos}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{chaos}: {answer}");
    }
    assert_eq!(ok(&app, "GET", "/v1/webhooks", None, 200).await, json!([]));

    let w = ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"url": url, "events": ["*"], "chaos": {"duplicate": 0.25, "reorder": true}})),
        201,
    )
    .await;
    assert_eq!(
        w["chaos"],
        json!({"duplicate": 0.25, "reorder": true, "delay_ms": null, "forge_signature": 0.0,
               "stale_timestamp": 0.0, "seed": null})
    );
    let path = format!("/v1/webhooks/{}", w["id"].as_str().unwrap());
    let plain = ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"url": url, "events": ["*"]})),
        201,
    )
    .await;
    assert_eq!(plain["chaos"], Value::Null);

    // PUT: a bad chaos changes nothing; a good one replaces it; null turns it off.
    let (status, answer) = call(
        &app,
        "PUT",
        &path,
        Some(json!({"description": "x", "chaos": {"stale_timestamp": 2}})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["field"], "chaos.stale_timestamp");
    let got = ok(&app, "GET", &path, None, 200).await;
    assert_eq!(got["description"], Value::Null);
    assert_eq!(got["chaos"]["duplicate"], 0.25);
    let put = ok(
        &app,
        "PUT",
        &path,
        Some(json!({"chaos": {"forge_signature": 0.1, "delay_ms": [10, 20], "seed": 3}})),
        200,
    )
    .await;
    assert_eq!(put["chaos"]["duplicate"], 0.0);
    assert_eq!(put["chaos"]["delay_ms"], json!([10, 20]));
    assert_eq!(put["chaos"]["seed"], 3);
    let put = ok(&app, "PUT", &path, Some(json!({"description": "d"})), 200).await;
    assert_eq!(put["chaos"]["forge_signature"], 0.1, "left out: unchanged");
    let put = ok(&app, "PUT", &path, Some(json!({"chaos": null})), 200).await;
    assert_eq!(put["chaos"], Value::Null);

    let (_, doc) = call(&app, "GET", "/openapi.json", None).await;
    let schemas = &doc["components"]["schemas"];
    for field in [
        "duplicate",
        "reorder",
        "delay_ms",
        "forge_signature",
        "stale_timestamp",
        "seed",
    ] {
        assert!(schemas["Chaos"]["properties"][field].is_object(), "{field}");
    }
    for schema in ["CreateWebhook", "UpdateWebhook", "Webhook"] {
        assert!(
            schemas[schema]["properties"]["chaos"].is_object(),
            "{schema}"
        );
    }
    for field in ["chaos", "expect", "receiver_accepted_bad"] {
        assert!(schemas["Log"]["properties"][field].is_object(), "{field}");
    }
    let outcomes = schemas["Log"]["properties"]["outcome"]["enum"].to_string();
    assert!(outcomes.contains("accepted_forgery") && outcomes.contains("rejected"));
}

#[tokio::test]
async fn chaos_extras_count_against_max_in_flight() {
    // One request on the wire at a time, each held 100 ms: an attempt's duplicate goes out
    // on the attempt's slot, never beside the next attempt.
    let mut cfg = config();
    cfg.max_in_flight = 1;
    let app = started(&cfg).await;
    let rx = receiver(vec![Answer::Hang(Duration::from_millis(100)); 6]).await;
    create(&app, &rx.url, "github", json!({"duplicate": 1.0})).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(send(&app, json!({ "n": n })).await);
    }
    for id in &ids {
        logs(&app, id, 2).await;
    }
    let mut arrivals: Vec<Instant> = rx.hits().iter().map(|h| h.at).collect();
    assert_eq!(arrivals.len(), 6);
    arrivals.sort();
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(90),
            "two requests on the wire at once: {gap:?} apart"
        );
    }
}
