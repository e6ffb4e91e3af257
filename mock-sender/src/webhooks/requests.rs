//! What a request about a webhook asks for, as the API's JSON bodies and a `--config`
//! file's entries carry it; `super` checks it.

use serde::Deserialize;

/// `POST /v1/webhooks`, and each entry of a `--config` file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Optional fixed id (letters, digits, `_`, `-`); a `wh_` ULID otherwise.
    pub id: Option<String>,
    /// `http` (default) or `slack`; also read as `type`, its name before `kind`.
    #[serde(alias = "type")]
    pub kind: Option<String>,
    pub url: String,
    /// Event type patterns: exact names, `prefix.*` or `*`.
    pub events: Vec<String>,
    /// Vector.co segment ids: an event naming a segment (`segment.id` in its data) comes
    /// only for these. None: every segment.
    pub segments: Option<Vec<String>>,
    /// Default true.
    pub enabled: Option<bool>,
    /// Envelope and signature: `vector` by default.
    pub profile: Option<String>,
    /// `whsec_` + base64 of 24 random bytes when omitted (or a `whsk_` key: `signing`).
    pub secret: Option<String>,
    /// What a generated secret is: `hmac` (default) or `ed25519` (standard and svix: a
    /// `whsk_` key that signs Standard Webhooks' `v1a`).
    pub signing: Option<String>,
    /// Waits before attempts 1, 2, ...: seconds, or durations like `"42s"`, `"2.5m"`.
    pub retry_schedule: Option<Vec<Wait>>,
    pub description: Option<String>,
    /// Duplicates, forged and stale requests, delays: see `crate::chaos`.
    pub chaos: Option<ChaosRequest>,
}

/// A webhook's `chaos`, as sent: every field optional (0, false or none).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ChaosRequest {
    /// Probability (0-1) of sending an attempt's request again, unchanged.
    pub duplicate: Option<f64>,
    /// Deliveries may overtake each other (random delays within `delay_ms`).
    pub reorder: Option<bool>,
    /// `[min, max]` ms each attempt waits before it goes out.
    pub delay_ms: Option<[u64; 2]>,
    /// Probability (0-1) of a request signed with a wrong key after an attempt.
    pub forge_signature: Option<f64>,
    /// Probability (0-1) of a correctly signed request with a 10 min old timestamp.
    pub stale_timestamp: Option<f64>,
    /// Seeds this webhook's chaos draws (else `--chaos-seed`, else random).
    pub seed: Option<u64>,
}

/// `Some(None)` for an explicit `null`, `None` when the field is left out.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// One entry of a `retry_schedule`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Wait {
    Seconds(f64),
    Duration(String),
}

/// `PUT /v1/webhooks/{id}`: fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    pub enabled: Option<bool>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// Replaces the segments; `null` or `[]`: every segment.
    #[serde(default, deserialize_with = "nullable")]
    pub segments: Option<Option<Vec<String>>>,
    /// Replaces the retry schedule; `null` goes back to the profile's.
    #[serde(default, deserialize_with = "nullable")]
    pub retry_schedule: Option<Option<Vec<Wait>>>,
    pub description: Option<String>,
    /// Replaces the chaos settings; `null` turns chaos off.
    #[serde(default, deserialize_with = "nullable")]
    pub chaos: Option<Option<ChaosRequest>>,
}

/// `POST /v1/webhooks/{id}/rotate-secret`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// The new secret; generated when omitted.
    pub secret: Option<String>,
    /// What a generated secret is: `hmac` or `ed25519`; default the current secret's kind.
    pub signing: Option<String>,
    /// How long the old secret keeps signing alongside the new one. Default 86400 (24 h).
    pub grace_period_secs: Option<u64>,
}
