//! The JSON shapes the API reads. Records it returns are the store's own (`store::*Record`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::{DeliveryRecord, DeliveryStatus};

/// `POST /webhooks`, and each entry of a `--config` file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Optional fixed id (letters, digits, `_`, `-`); a `wh_` ULID otherwise.
    pub id: Option<String>,
    pub url: String,
    /// The signing profile; `standard` by default.
    #[serde(rename = "type", alias = "scheme")]
    pub scheme: Option<String>,
    /// `whsec_` + base64 of 24 random bytes when omitted.
    pub secret: Option<String>,
    #[serde(default)]
    pub events: Vec<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub disabled: bool,
}

/// `PATCH /webhooks/{id}`: fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    pub url: Option<String>,
    #[serde(rename = "type", alias = "scheme")]
    pub scheme: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub disabled: Option<bool>,
}

/// `POST /webhooks/{id}/rotate-secret`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// The new secret; generated when omitted.
    pub secret: Option<String>,
    /// How long the old secret keeps signing alongside the new one. Default 86400 (24 h).
    pub grace_period_secs: Option<u64>,
}

/// `POST /events`: one event, delivered to every enabled webhook that wants its type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(default)]
    pub data: Value,
    /// Optional event id; an `evt_` ULID otherwise.
    pub id: Option<String>,
    /// Deliver only to these webhooks (still subject to their event filter).
    pub webhook_ids: Option<Vec<String>>,
}

/// `POST /webhooks/{id}/test`: sent whatever the webhook's event filter says.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TestEvent {
    /// Default `webhook.test`.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub data: Option<Value>,
}

/// Query string of `GET /deliveries`, `GET /logs`, `GET /deliveries/{id}/attempts`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub webhook_id: Option<String>,
    pub delivery_id: Option<String>,
    pub status: Option<DeliveryStatus>,
    pub event_type: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

/// The answer to `POST /events`.
#[derive(Debug, Serialize)]
pub struct EventAccepted {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub deliveries: Vec<DeliveryRecord>,
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
