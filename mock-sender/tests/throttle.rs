//! An endpoint that answers 429, 502, 503 or 504 is paused: no new attempt to it starts
//! before its `Retry-After` (capped at an hour) or 5 s, scaled by `--time-scale`; its
//! deliveries wait in order, other endpoints carry on, the API shows the pause.

mod common;

use std::time::{Duration, Instant};

use common::{
    attempts, config, create, finished, ok, receiver, retry, started, wait_until, Answer,
};
use hookproof_sender::clock::now_ms;
use hookproof_sender::clock::rfc3339;
use hookproof_sender::store::DeliveryStatus;
use hookproof_sender::App;
use serde_json::{json, Value};

/// How much earlier than its pause's end a request may arrive: the pause starts after
/// the answer (later than the receiver's clock), but is kept in whole milliseconds.
const TOLERANCE: Duration = Duration::from_millis(5);

/// An event to webhook `webhook` alone; its delivery's id.
async fn send_to(app: &App, webhook: &Value) -> String {
    let body = json!({"type": "a", "webhook_ids": [webhook["id"]]});
    let ev = ok(app, "POST", "/v1/events", Some(body), 202).await;
    ev["deliveries"][0]["id"].as_str().unwrap().to_owned()
}

/// Waits until delivery `id` has succeeded.
async fn succeeded(app: &App, id: &str) {
    let d = wait_until(app, id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Success, "{d:?}");
}

/// The error that the log shows of delivery `id`'s first attempt.
async fn first_error(app: &App, id: &str) -> String {
    attempts(app, id).await[0]["error"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `throttled_until` of webhook `webhook`, as `GET /v1/webhooks/{id}` and the list show it.
async fn throttled_until(app: &App, webhook: &Value) -> Value {
    let id = webhook["id"].as_str().unwrap();
    let one = ok(app, "GET", &format!("/v1/webhooks/{id}"), None, 200).await;
    let list = ok(app, "GET", "/v1/webhooks", None, 200).await;
    let listed = list.as_array().unwrap().iter().find(|w| w["id"] == id);
    assert_eq!(listed.unwrap()["throttled_until"], one["throttled_until"]);
    one["throttled_until"].clone()
}

/// The gaps between the first request `rx` got and each later one.
fn gaps_after_the_first(rx: &common::Receiver) -> Vec<Duration> {
    let hits = rx.hits();
    hits[1..].iter().map(|h| h.at - hits[0].at).collect()
}

#[tokio::test]
async fn a_429_with_retry_after_holds_every_attempt_to_the_endpoint_until_the_pause_ends() {
    // Retry-After: 300 s, 300 ms scaled; the schedule's retry would come after 10 ms.
    let mut cfg = config();
    cfg.max_in_flight = 1;
    let app = started(&cfg).await;
    let rx = receiver(vec![Answer::RetryAfter(429, 300)]).await;
    let w = create(&app, &rx.url, "vector", Some(&[0, 10])).await;
    let first = send_to(&app, &w).await;
    wait_until(&app, &first, |d| d.attempts == 1).await;
    let paused_at = now_ms();
    assert_eq!(
        first_error(&app, &first).await,
        "HTTP 429 Too Many Requests; endpoint throttled for 300 s \
         (Retry-After; 300 ms at --time-scale 0.001)"
    );
    // Shown while paused: an end no later than 300 ms after the answer.
    let until = throttled_until(&app, &w).await;
    let until = until.as_str().expect("a time while paused");
    assert!(until > rfc3339(paused_at).as_str(), "{until}");
    assert!(until <= rfc3339(paused_at + 300).as_str(), "{until}");

    // Due now, yet they wait for the pause, in the order they came.
    let later = [send_to(&app, &w).await, send_to(&app, &w).await];
    for id in later.iter().chain([&first]) {
        succeeded(&app, id).await;
    }
    for gap in gaps_after_the_first(&rx) {
        assert!(gap >= Duration::from_millis(300) - TOLERANCE, "{gap:?}");
        assert!(
            gap < Duration::from_secs(2),
            "resumed by its timer: {gap:?}"
        );
    }
    let order: Vec<String> = rx
        .hits()
        .iter()
        .filter_map(|h| h.header("x-vector-delivery").map(str::to_owned))
        .filter(|id| later.contains(id))
        .collect();
    assert_eq!(order, later, "first in, first out");
    assert_eq!(throttled_until(&app, &w).await, Value::Null);
}

#[tokio::test]
async fn other_endpoints_are_delivered_while_one_is_throttled() {
    let app = started(&config()).await;
    let slow = receiver(vec![Answer::RetryAfter(503, 1000)]).await;
    let fine = receiver(vec![]).await;
    let paused = create(&app, &slow.url, "vector", Some(&[0, 0])).await;
    let other = create(&app, &fine.url, "vector", Some(&[0, 0])).await;
    let id = send_to(&app, &paused).await;
    wait_until(&app, &id, |d| d.attempts == 1).await;
    for _ in 0..5 {
        let id = send_to(&app, &other).await;
        succeeded(&app, &id).await;
    }
    assert_eq!(slow.hits().len(), 1, "still paused");
    assert!(throttled_until(&app, &paused).await.is_string());
    assert_eq!(throttled_until(&app, &other).await, Value::Null);
    let paused_at = slow.hits()[0].at;
    for hit in fine.hits() {
        assert!(
            hit.at - paused_at < Duration::from_millis(1000),
            "during the pause"
        );
    }
    succeeded(&app, &id).await;
    assert!(gaps_after_the_first(&slow)[0] >= Duration::from_millis(1000) - TOLERANCE);
}

#[tokio::test]
async fn without_a_usable_retry_after_the_pause_is_5_s() {
    // 5 s scaled by 0.05: 250 ms; the schedule retries at once.
    let mut cfg = config();
    cfg.time_scale = 0.05;
    let app = started(&cfg).await;
    let none = receiver(vec![Answer::Status(503)]).await;
    let bad = receiver(vec![Answer::RetryAfterText(429, "soon")]).await;
    let gateway = receiver(vec![Answer::RetryAfterText(502, "-5")]).await;
    let mut ids = Vec::new();
    for rx in [&none, &bad, &gateway] {
        let w = create(&app, &rx.url, "svix", Some(&[0, 0])).await;
        ids.push(send_to(&app, &w).await);
    }
    for (id, rx) in ids.iter().zip([&none, &bad, &gateway]) {
        succeeded(&app, id).await;
        let gap = gaps_after_the_first(rx)[0];
        assert!(gap >= Duration::from_millis(250) - TOLERANCE, "{gap:?}");
        assert!(gap < Duration::from_secs(2), "{gap:?}");
        let error = first_error(&app, id).await;
        assert!(
            error.ends_with(
                "; endpoint throttled for 5 s \
                 (default: no usable Retry-After; 250 ms at --time-scale 0.05)"
            ),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_huge_retry_after_is_capped_at_an_hour() {
    // An hour scaled by 0.0001 is 360 ms; the day that Retry-After is otherwise held to
    // would be 8.64 s.
    let mut cfg = config();
    cfg.time_scale = 0.0001;
    let app = started(&cfg).await;
    let rx = receiver(vec![Answer::RetryAfter(504, 10_000_000_000)]).await;
    let w = create(&app, &rx.url, "generic", Some(&[0, 0])).await;
    let id = send_to(&app, &w).await;
    succeeded(&app, &id).await;
    let gap = gaps_after_the_first(&rx)[0];
    assert!(gap >= Duration::from_millis(360) - TOLERANCE, "{gap:?}");
    assert!(gap < Duration::from_secs(3), "capped: {gap:?}");
    let error = first_error(&app, &id).await;
    assert_eq!(
        error,
        "HTTP 504 Gateway Timeout; endpoint throttled for 3600 s \
         (Retry-After, capped; 360 ms at --time-scale 0.0001)"
    );
}

#[tokio::test]
async fn manual_retries_and_test_events_wait_for_the_pause() {
    // No automatic retry: the delivery fails at once, and the pause (400 ms) goes on.
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::RetryAfter(429, 400)]).await;
    let w = create(&app, &rx.url, "github", Some(&[0])).await;
    let id = send_to(&app, &w).await;
    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Failed);
    retry(&app, &id).await;
    let test = format!("/v1/webhooks/{}/test", w["id"].as_str().unwrap());
    let test = ok(&app, "POST", &test, None, 202).await;
    succeeded(&app, &id).await;
    succeeded(&app, test["id"].as_str().unwrap()).await;
    let gaps = gaps_after_the_first(&rx);
    assert_eq!(gaps.len(), 2);
    for gap in gaps {
        assert!(gap >= Duration::from_millis(400) - TOLERANCE, "{gap:?}");
    }
}

#[tokio::test]
async fn a_deleted_webhooks_pause_ends_with_it() {
    // Paused for an hour (3.6 s scaled); a webhook made again with its id is a new
    // endpoint, delivered at once.
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::RetryAfter(429, 3600)]).await;
    let body = json!({"id": "wh_again", "url": rx.url, "events": ["*"]});
    let w = ok(&app, "POST", "/v1/webhooks", Some(body.clone()), 201).await;
    let id = send_to(&app, &w).await;
    wait_until(&app, &id, |d| d.attempts == 1).await;
    assert!(throttled_until(&app, &w).await.is_string());
    ok(&app, "DELETE", "/v1/webhooks/wh_again", None, 204).await;
    let w = ok(&app, "POST", "/v1/webhooks", Some(body), 201).await;
    assert_eq!(throttled_until(&app, &w).await, Value::Null);
    let asked = Instant::now();
    let id = send_to(&app, &w).await;
    succeeded(&app, &id).await;
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "not the hour's pause"
    );
}
