//! Events and their deliveries through the API: fan-out to matching webhooks, the listings
//! and their filters, attempt logs, manual retries and test events.

use serde_json::{json, Value};

use crate::common::api::{create, DEAD_URL};
use crate::common::{attempt_numbers, attempts, config, finished, ok, retry, started, wait_until};

#[tokio::test]
async fn events_fan_out_to_the_enabled_webhooks_whose_patterns_match() {
    let app = started(&config()).await;
    let mut ids = Vec::new();
    for body in [
        json!({"url": DEAD_URL, "events": ["order.paid"]}),
        json!({"url": DEAD_URL, "events": ["order.*"]}),
        json!({"url": DEAD_URL, "events": ["*"]}),
        json!({"url": DEAD_URL, "events": ["*"], "enabled": false}),
        json!({"url": DEAD_URL, "events": ["invoice.*", "order"]}),
    ] {
        ids.push(create(&app, body).await["id"].as_str().unwrap().to_owned());
    }
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order.paid", "data": {"n": 1}})),
        202,
    )
    .await;
    assert!(ev["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(ev["type"], "order.paid");
    let to: Vec<_> = ev["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["webhook_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to, ids[..3]);
    let d = &ev["deliveries"][0];
    assert_eq!(d["status"], "pending");
    assert_eq!(d["event_type"], "order.paid");
    assert_eq!(d["event_id"], ev["id"]);
    assert_eq!(d["attempts"], 0);
    assert!(
        ulid::Ulid::from_string(d["id"].as_str().unwrap()).is_ok(),
        "{d}"
    );

    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order", "id": "evt_fixed"})),
        202,
    )
    .await;
    assert_eq!(ev["id"], "evt_fixed");
    assert_eq!(
        ev["deliveries"].as_array().unwrap().len(),
        2,
        "`order.*` is not `order`"
    );
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order.paid", "webhook_ids": [ids[1]]})),
        202,
    )
    .await;
    assert_eq!(ev["deliveries"].as_array().unwrap().len(), 1);

    let list = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{}/deliveries", ids[1]),
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let list = ok(
        &app,
        "GET",
        &format!("/v1/deliveries?webhook_id={}", ids[2]),
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let list = ok(
        &app,
        "GET",
        "/v1/deliveries?event_type=order&limit=1",
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["event_type"], "order");
    // `event`, the filter's former name, is still read.
    let list = ok(&app, "GET", "/v1/deliveries?event=order&limit=1", None, 200).await;
    assert_eq!(list[0]["event_type"], "order");
}

#[tokio::test]
async fn deliveries_logs_retry_and_test() {
    let app = started(&config()).await;
    let w = create(
        &app,
        json!({"url": DEAD_URL, "events": ["*"], "profile": "standard", "retry_schedule": [0]}),
    )
    .await;
    let wid = w["id"].as_str().unwrap().to_owned();
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a.b"})),
        202,
    )
    .await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.attempts, 1);

    let deliveries = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/deliveries"),
        None,
        200,
    )
    .await;
    let shown = &deliveries[0];
    for key in [
        "id",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ] {
        assert!(shown.get(key).is_some(), "{key}: {shown}");
    }
    assert_eq!(shown["status"], "failed");
    assert!(shown["next_attempt_at"].is_null());
    let failed = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/deliveries?status=failed"),
        None,
        200,
    )
    .await;
    assert_eq!(failed.as_array().unwrap().len(), 1);
    let pending = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/deliveries?status=pending"),
        None,
        200,
    )
    .await;
    assert!(pending.as_array().unwrap().is_empty());
    let stats = ok(&app, "GET", &format!("/v1/webhooks/{wid}/stats"), None, 200).await;
    assert_eq!(stats, json!({"pending": 0, "success": 0, "failed": 1}));

    // Retry after the final failure: one more attempt.
    let r = retry(&app, &id).await;
    assert_eq!(r["status"], "pending");
    let d = wait_until(&app, &id, |d| finished(d) && d.attempts == 2).await;
    assert_eq!(d.status, hookproof_sender::store::DeliveryStatus::Failed);

    let one = ok(&app, "GET", &format!("/v1/deliveries/{id}"), None, 200).await;
    assert_eq!(one["attempts"], 2);
    assert!(one["body"].as_str().unwrap().contains("\"a.b\""));
    let attempts = attempts(&app, &id).await;
    assert_eq!(attempts[0]["attempt"], 1, "oldest first");
    assert!(attempts[0]["request_headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "webhook-signature"));

    let logs = ok(&app, "GET", &format!("/v1/webhooks/{wid}/logs"), None, 200).await;
    let newest = &logs[0];
    assert_eq!(newest["attempt"], 2, "newest first");
    for key in [
        "id",
        "delivery_id",
        "event_type",
        "attempt",
        "status_code",
        "response_time_ms",
        "delivered_at",
        "error",
        "response_body",
    ] {
        assert!(newest.get(key).is_some(), "{key}: {newest}");
    }
    assert_eq!(newest["event_type"], "a.b");
    assert!(
        newest["error"].as_str().unwrap().contains("onnect"),
        "{newest}"
    );
    let limited = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/logs?status=failed&limit=1"),
        None,
        200,
    )
    .await;
    assert_eq!(limited.as_array().unwrap().len(), 1);
    let successes = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/logs?status=success"),
        None,
        200,
    )
    .await;
    assert!(successes.as_array().unwrap().is_empty());
    let all = ok(
        &app,
        "GET",
        &format!("/v1/logs?delivery_id={id}"),
        None,
        200,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // A custom test event.
    let d = ok(
        &app,
        "POST",
        &format!("/v1/webhooks/{wid}/test"),
        Some(json!({"type": "ping", "data": {"hello": "world"}})),
        202,
    )
    .await;
    assert_eq!(d["event_type"], "ping");
    // Without a type: the profile's test event from the catalog, as its example.
    let d = ok(&app, "POST", &format!("/v1/webhooks/{wid}/test"), None, 202).await;
    assert_eq!(d["event_type"], "user.created");
    let one = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{}", d["id"].as_str().unwrap()),
        None,
        200,
    )
    .await;
    let body: Value = serde_json::from_str(one["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["type"], "user.created");
    assert!(
        body["data"]["id"].as_str().unwrap().starts_with("user_"),
        "generic's user.created example: {body}"
    );
    // A type the catalog does not have for the profile: a small object naming the webhook.
    let d = ok(
        &app,
        "POST",
        &format!("/v1/webhooks/{wid}/test"),
        Some(json!({"type": "custom.check"})),
        202,
    )
    .await;
    let one = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{}", d["id"].as_str().unwrap()),
        None,
        200,
    )
    .await;
    let body: Value = serde_json::from_str(one["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"], json!({"test": true, "webhook_id": wid}));
    // Another profile's: its own test event (Stripe's invoice.paid, a full event).
    let st = create(
        &app,
        json!({"url": DEAD_URL, "events": ["x"], "profile": "stripe"}),
    )
    .await;
    let sid = st["id"].as_str().unwrap();
    let d = ok(&app, "POST", &format!("/v1/webhooks/{sid}/test"), None, 202).await;
    assert_eq!(d["event_type"], "invoice.paid");

    // A github webhook's test is GitHub's ping, with the hook's configuration.
    let gh = create(
        &app,
        json!({"url": DEAD_URL, "events": ["push"], "profile": "github"}),
    )
    .await;
    let gid = gh["id"].as_str().unwrap();
    let d = ok(&app, "POST", &format!("/v1/webhooks/{gid}/test"), None, 202).await;
    assert_eq!(d["event_type"], "ping");
    let one = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{}", d["id"].as_str().unwrap()),
        None,
        200,
    )
    .await;
    let body: serde_json::Value = serde_json::from_str(one["body"].as_str().unwrap()).unwrap();
    assert!(body["zen"].is_string());
    assert_eq!(body["hook_id"], gid);
    assert_eq!(body["hook"]["config"]["url"], DEAD_URL);
}

#[tokio::test]
async fn a_delivery_lists_all_its_attempts_oldest_first_past_the_default_limit() {
    let app = started(&config()).await;
    // A dead URL with no retry: one failed attempt, the one the others copy.
    create(
        &app,
        json!({"url": DEAD_URL, "events": ["*"], "retry_schedule": [0]}),
    )
    .await;
    let ev = ok(&app, "POST", "/v1/events", Some(json!({"type": "a"})), 202).await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap().to_owned();
    wait_until(&app, &id, finished).await;
    let first = app
        .store
        .attempts(&hookproof_sender::store::Query {
            delivery_id: Some(id.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    for n in 2..=1005u32 {
        let mut more = first.clone();
        more.id = format!("{}_{n}", first.id);
        more.attempt = n;
        more.delivered_at = first.delivered_at + i64::from(n);
        app.store
            .record_attempt(std::sync::Arc::new(more), None)
            .await
            .unwrap();
    }
    assert_eq!(
        attempt_numbers(&app, &id).await,
        (1..=1005).collect::<Vec<_>>()
    );
}
