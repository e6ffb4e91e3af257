//! When attempts go: retries on the scaled schedule, timeouts (the sender's and each
//! provider's), a 410, Retry-After, a time scale too large to overflow.

use std::time::Duration;

use hookproof::{Scheme, Webhook};
use hookproof_sender::store::{DeliveryStatus, Outcome};
use serde_json::json;

use crate::common::delivery::attempts_of;
use crate::common::{
    attempts, config, create, finished, now_secs, ok, receiver, send, started, wait_until, Answer,
};

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
