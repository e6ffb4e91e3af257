//! An axum webhook receiver that verifies Stripe-style signatures with `hookproof`, and
//! its end-to-end test: `TestSender` (the sender in the test's process) delivers to it.
//!
//!   WEBHOOK_SECRET=whsec_... cargo run -p hookproof-sender --example axum_receiver
//!   cargo test -p hookproof-sender --example axum_receiver

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hookproof::{Scheme, Webhook};

/// The event types accepted, in order.
type Accepted = Arc<Mutex<Vec<String>>>;

#[derive(Clone)]
struct Receiver {
    webhook: Arc<Webhook>,
    events: Accepted,
}

/// `POST /webhooks`: 204 for a verified event, 401 with the error's code otherwise. The
/// body is taken as `Bytes`: the signature covers the exact bytes received.
fn app(secret: &str) -> Result<(Router, Accepted), hookproof::Error> {
    let receiver = Receiver {
        webhook: Arc::new(Webhook::new(Scheme::Stripe, secret)?),
        events: Arc::default(),
    };
    let events = Arc::clone(&receiver.events);
    let router = Router::new()
        .route("/webhooks", post(receive))
        .with_state(receiver);
    Ok((router, events))
}

async fn receive(
    State(rx): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
        .collect();
    match rx.webhook.verify(&body, &headers) {
        Ok(_) => {
            let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let kind = event["type"].as_str().unwrap_or_default().to_owned();
            rx.events
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(kind);
            (StatusCode::NO_CONTENT, String::new())
        }
        Err(e) => (StatusCode::UNAUTHORIZED, e.code().to_owned()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("WEBHOOK_SECRET").map_err(|_| "set WEBHOOK_SECRET=whsec_...")?;
    let (router, _) = app(&secret)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("receiving on http://127.0.0.1:3000/webhooks");
    axum::serve(listener, router).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hookproof_sender::api::models::CreateWebhook;
    use hookproof_sender::store::DeliveryStatus;
    use hookproof_sender::TestSender;
    use serde_json::json;

    const SECRET: &str = "whsec_YXh1bS1yZWNlaXZlci10ZXN0LXNlY3JldA";

    /// The receiver on a free port: its URL and the events it accepted.
    async fn serve() -> (String, super::Accepted) {
        let (router, events) = super::app(SECRET).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (url, events)
    }

    fn webhook(url: &str, secret: Option<&str>, schedule: Option<Vec<f64>>) -> CreateWebhook {
        CreateWebhook {
            url: url.into(),
            events: vec!["*".into()],
            profile: Some("stripe".into()),
            secret: secret.map(Into::into),
            retry_schedule: schedule.map(|s| {
                s.into_iter()
                    .map(hookproof_sender::api::models::Wait::Seconds)
                    .collect()
            }),
            ..CreateWebhook::default()
        }
    }

    #[tokio::test]
    async fn a_signed_delivery_is_accepted_and_a_forged_one_rejected() {
        let (url, events) = serve().await;
        let sender = TestSender::start().await.unwrap();

        let wh = sender
            .create_webhook(webhook(&url, Some(SECRET), None))
            .await
            .unwrap();
        let sent = sender
            .send_event("invoice.paid", json!({"amount": 4200}))
            .await
            .unwrap();
        let d = sender
            .wait_for_delivery(&sent[0].id, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(d.status, DeliveryStatus::Success);
        assert_eq!(d.attempts, 1);
        assert_eq!(*events.lock().unwrap(), ["invoice.paid"]);
        sender
            .call("DELETE", &format!("/v1/webhooks/{}", wh.id), None)
            .await
            .unwrap();

        // Signed with a secret the receiver does not hold: one attempt, refused.
        sender
            .create_webhook(webhook(&url, None, Some(vec![0.0])))
            .await
            .unwrap();
        let sent = sender.send_event("invoice.paid", json!({})).await.unwrap();
        let d = sender
            .wait_for_delivery(&sent[0].id, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(d.status, DeliveryStatus::Failed);
        assert_eq!(d.last_status_code, Some(401));
        let attempts = sender.attempts(&d.id).await.unwrap();
        assert_eq!(
            attempts[0].response_body.as_deref(),
            Some("no_matching_signature")
        );
        assert_eq!(events.lock().unwrap().len(), 1);

        let e = sender
            .call("GET", "/v1/webhooks/wh_nope", None)
            .await
            .unwrap_err();
        assert_eq!((e.status, e.code.as_str()), (404, "not_found"));
        sender.stop(Duration::from_secs(5)).await;
    }
}
