//! The delivery tests' helpers: an idle engine, rotation, a delivery's attempts, a request
//! verified, one event delivered.

use std::time::Duration;

use hookproof::{Scheme, Webhook};
use hookproof_sender::store::{AttemptRecord, Query};
use hookproof_sender::App;
use serde_json::json;

use super::{finished, now_secs, ok, send, wait_until, Hit, Receiver};

/// The engine's active deliveries once its tasks have wound down (a delivery is stored
/// as finished just before its task ends), 2 s at most.
pub async fn idle(app: &App) -> usize {
    let end = std::time::Instant::now() + Duration::from_secs(2);
    while app.engine.active() > 0 && std::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    app.engine.active()
}

/// Rotates webhook `id`'s secret, the old one accepted for `grace_secs` more; the new one.
pub async fn rotate(app: &App, id: &str, grace_secs: u64) -> String {
    let path = format!("/v1/webhooks/{id}/rotate-secret");
    let body = json!({ "grace_period_secs": grace_secs });
    let rotated = ok(app, "POST", &path, Some(body), 200).await;
    rotated["secret"].as_str().unwrap().to_owned()
}

/// A delivery's attempts, newest first.
pub async fn attempts_of(app: &App, delivery_id: String) -> Vec<AttemptRecord> {
    app.store
        .attempts(&Query {
            delivery_id: Some(delivery_id),
            ..Query::default()
        })
        .await
        .unwrap()
}

/// `hit`, verified now with `secret` under `scheme`.
pub fn verify_hit(
    scheme: Scheme,
    hit: &Hit,
    secret: &str,
) -> Result<hookproof::Verified, hookproof::Error> {
    Webhook::new(scheme, secret)
        .unwrap()
        .verify_at(&hit.body, &hit.headers, now_secs())
}

/// Sends an event of type `a` and waits for its delivery to finish; the last request `rx` got.
pub async fn delivered(app: &App, rx: &Receiver) -> Hit {
    let id = send(app, "a").await;
    wait_until(app, &id, finished).await;
    rx.hits().pop().unwrap()
}
