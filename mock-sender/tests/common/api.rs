//! The API tests' helpers: a URL nothing listens at, the JSON error shape, webhooks created
//! from a whole body.

use hookproof_sender::App;
use serde_json::Value;

use super::ok;

/// Unreachable at once (nothing listens on port 1), so deliveries fail fast without a server.
pub const DEAD_URL: &str = "http://127.0.0.1:1/hook";

/// An error answer: `want_status`, `code`, a message, and `field` (`None`: no field).
pub fn assert_error(status: u16, body: &Value, want_status: u16, code: &str, field: Option<&str>) {
    assert_eq!(status, want_status, "{body}");
    let e = &body["error"];
    assert_eq!(e["code"], code, "{body}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(e["field"].as_str(), field, "{body}");
}

/// `POST /v1/webhooks` with this whole body, expecting 201: the webhook.
pub async fn create(app: &App, body: Value) -> Value {
    ok(app, "POST", "/v1/webhooks", Some(body), 201).await
}
