//! The JSON shapes of the API: requests it reads, and views of the stored records it
//! returns. Views never carry a secret, except `CreatedWebhook` (create and rotate-secret).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::chaos::{self, Chaos};
use crate::clock::rfc3339;
use crate::store::{AttemptRecord, DeliveryRecord, DeliveryStatus, Outcome, WebhookRecord};
pub use crate::webhooks::requests::{
    ChaosRequest, CreateWebhook, RotateSecret, UpdateWebhook, Wait,
};

/// `POST /v1/events`: one event, delivered to every enabled webhook that wants its type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    /// Sent as given (number text, key order kept); none: the catalog's example of the
    /// event for each webhook's profile.
    pub data: Option<Box<RawValue>>,
    /// Edits of the catalog's example, path (dotted keys and `[n]`, relative to the body
    /// the profile sends) to value; refused with `data`.
    pub overrides: Option<Map<String, Value>>,
    /// Optional event id; an `evt_` ULID otherwise.
    pub id: Option<String>,
    /// Deliver only to these webhooks (still subject to their event filter).
    pub webhook_ids: Option<Vec<String>>,
}

/// `POST /v1/webhooks/{id}/test`: sent whatever the webhook's event filter says.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TestEvent {
    /// Default: the profile's test event (`payload::test_event_type`).
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub data: Option<Box<RawValue>>,
    /// As `SendEvent`'s, for an event sent as the catalog's example.
    pub overrides: Option<Map<String, Value>>,
}

/// Query string of the listings. `status` is a delivery status for deliveries,
/// `success` or `failed` for logs.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub webhook_id: Option<String>,
    pub delivery_id: Option<String>,
    pub status: Option<String>,
    /// Also read as `event`.
    #[serde(alias = "event")]
    pub event_type: Option<String>,
    pub limit: Option<u32>,
}

/// `?token=` on `/v1/stream`: `EventSource` cannot send an Authorization header.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct StreamQuery {
    pub token: Option<String>,
}

/// Every answer: `{"data": ...}`.
#[derive(Debug, Serialize)]
pub struct Data<T> {
    pub data: T,
}

/// A webhook as the API shows it: no secret.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookView {
    pub id: String,
    /// `http` or `slack`.
    pub kind: &'static str,
    pub url: String,
    pub events: Vec<String>,
    /// Vector.co segment ids it takes events of; empty: every segment.
    pub segments: Vec<String>,
    pub enabled: bool,
    pub profile: &'static str,
    /// Waits in seconds before attempts 1, 2, ... (unscaled): its own or the profile's.
    pub retry_schedule: Vec<Value>,
    pub description: Option<String>,
    /// `null` when off.
    pub chaos: Option<Chaos>,
    /// The `whpk_` public key of a `whsk_` secret (Ed25519, `v1a`), which the receiver
    /// verifies with; `null` for other secrets. Public, so shown by every GET.
    pub public_key: Option<String>,
    /// While the receiver's 429, 502, 503 or 504 pauses the endpoint: no new attempt
    /// starts before then. `null` when not throttled.
    pub throttled_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl WebhookView {
    pub fn new(w: &WebhookRecord, schedule: &[u64], throttled_until: Option<i64>) -> WebhookView {
        WebhookView {
            id: w.id.clone(),
            kind: w.kind.as_str(),
            url: crate::mask::url(&w.url),
            events: w.events.clone(),
            segments: w.segments.clone(),
            enabled: w.enabled,
            profile: w.profile.name(),
            retry_schedule: schedule.iter().map(|ms| seconds(*ms)).collect(),
            description: w.description.clone(),
            chaos: w.chaos.clone(),
            public_key: hookproof::ed25519_public_key(&w.secret).ok(),
            throttled_until: throttled_until.map(rfc3339),
            created_at: rfc3339(w.created_at),
            updated_at: rfc3339(w.updated_at),
        }
    }
}

/// Milliseconds as a JSON number of seconds: `42`, `2.5`.
fn seconds(ms: u64) -> Value {
    if ms % 1000 == 0 {
        Value::from(ms / 1000)
    } else {
        // Precise enough for any schedule.
        Value::from(ms as f64 / 1000.0)
    }
}

/// The answer to create and rotate-secret: the one time the secret is shown.
#[derive(Debug, Serialize)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookView,
    pub secret: String,
}

/// A delivery: one event on its way to one endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    /// A ULID: the delivery id every attempt sends (X-Vector-Delivery, webhook-id, ...).
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub max_attempts: u32,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The exact body sent; only on `GET /v1/deliveries/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl DeliveryView {
    pub fn new(d: &DeliveryRecord) -> DeliveryView {
        DeliveryView {
            id: d.id.clone(),
            webhook_id: d.webhook_id.clone(),
            event_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            status: d.status,
            attempts: d.attempts,
            max_attempts: d.max_attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            next_attempt_at: d.next_attempt_at.map(rfc3339),
            created_at: rfc3339(d.created_at),
            updated_at: rfc3339(d.updated_at),
            body: None,
        }
    }

    pub fn with_body(d: &DeliveryRecord) -> DeliveryView {
        DeliveryView {
            body: Some(d.body.to_string()),
            ..DeliveryView::new(d)
        }
    }
}

/// One attempt, as `/logs` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct LogView {
    pub id: String,
    pub delivery_id: String,
    pub webhook_id: String,
    pub event_type: String,
    /// 1-based.
    pub attempt: u32,
    pub status_code: Option<u16>,
    pub response_time_ms: u64,
    pub delivered_at: String,
    pub error: Option<String>,
    /// The first 4 KiB of the answer.
    pub response_body: Option<String>,
    pub outcome: Outcome,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    /// The answer's headers in order, names lower-case (at most 64, 8 KiB in all).
    pub response_headers: Vec<(String, String)>,
    /// When the retry this failure scheduled happens, if any.
    pub next_attempt_at: Option<String>,
    /// An extra request of the webhook's chaos: `duplicate`, `forged` or `stale`; `null`
    /// for a real attempt.
    pub chaos: Option<chaos::Kind>,
    /// What a correct receiver answers a chaos request: `accept` (2xx) or `reject`.
    pub expect: Option<chaos::Expect>,
    /// A chaos request that must be rejected was answered 2xx.
    pub receiver_accepted_bad: Option<bool>,
}

impl LogView {
    pub fn new(a: &AttemptRecord) -> LogView {
        LogView {
            id: a.id.clone(),
            delivery_id: a.delivery_id.clone(),
            webhook_id: a.webhook_id.clone(),
            event_type: a.event_type.clone(),
            attempt: a.attempt,
            status_code: a.status_code,
            response_time_ms: a.response_time_ms,
            delivered_at: rfc3339(a.delivered_at),
            error: a.error.clone(),
            response_body: a.response_body.clone(),
            outcome: a.outcome,
            url: crate::mask::url(&a.url),
            request_headers: crate::mask::headers(&a.request_headers),
            response_headers: a.response_headers.clone(),
            next_attempt_at: a.next_attempt_at.map(rfc3339),
            chaos: a.chaos.as_ref().map(|c| c.kind),
            expect: a.chaos.as_ref().map(|c| c.expect),
            receiver_accepted_bad: a.chaos.as_ref().map(|c| c.receiver_accepted_bad),
        }
    }
}

/// An `attempt` event of `/v1/stream`: the log entry and the delivery's status after it.
#[derive(Debug, Serialize)]
pub struct StreamAttempt {
    #[serde(flatten)]
    pub log: LogView,
    pub status: DeliveryStatus,
}

/// The answer to `POST /v1/events`.
#[derive(Debug, Serialize)]
pub struct EventAccepted {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub deliveries: Vec<DeliveryView>,
}

/// A `--config` file: `{"webhooks": [...]}` or just the array.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ConfigFile {
    Object { webhooks: Vec<CreateWebhook> },
    List(Vec<CreateWebhook>),
}

impl ConfigFile {
    pub fn into_webhooks(self) -> Vec<CreateWebhook> {
        match self {
            ConfigFile::Object { webhooks } | ConfigFile::List(webhooks) => webhooks,
        }
    }
}
