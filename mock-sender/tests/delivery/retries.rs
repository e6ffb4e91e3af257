//! Between attempts: the webhook updated, rotated, deleted or disabled before its retry;
//! manual retries, one at a time or in a burst.

use std::time::Duration;

use hookproof::Scheme;
use hookproof_sender::store::{DeliveryStatus, Outcome};
use serde_json::json;

use crate::common;
use crate::common::delivery::{attempts_of, idle, rotate, verify_hit};
use crate::common::{
    attempt_numbers, config, create, finished, ok, receiver, retry, send, started, wait_until,
    Answer,
};

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
