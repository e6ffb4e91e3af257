//! Persistence behind one small trait: webhooks, deliveries and their attempts, and the
//! inboxes' captures (`inbox`).
//!
//! Two stores answer it alike (`conformance` tests both): `SqliteStore` for `serve --db`,
//! which keeps records as JSON next to the few columns the queries filter on (adding a
//! field to a record needs no migration), and `MemoryStore` for `serve --memory`.
//!
//! **The rule of access.** Outside this module the store is reached through [`Db`] only,
//! an async handle, and nothing else names `rusqlite` (`tests/layers.rs` holds both). `Db`
//! decides where each call runs, so no caller blocks a runtime worker:
//! - every write goes to the store's one writer thread (`writer`), in the order made; the
//!   delivery path's writes that queue up together share one transaction;
//! - a read of rows runs on Tokio's blocking pool (`spawn_blocking`), with `--db` on a read
//!   connection of its own, so that it waits for neither the writer's lock nor its
//!   transaction;
//! - a read of webhooks answers at once: every store keeps its webhooks in memory;
//! - a store that never blocks (`Store::blocks` false: `MemoryStore` and its inboxes) is
//!   called inline, reads and writes alike, since a hop to another thread would cost more
//!   than the call.

#[cfg(test)]
mod conformance;
mod db;
pub mod inbox;
mod memory;
pub mod prune;
mod sqlite;
mod writer;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::profile::Profile;

pub use db::Db;
pub use inbox::{CaptureCount, InboxStore, MemoryInboxes, SqliteInboxes};
pub use memory::MemoryStore;
pub use sqlite::SqliteStore;
pub use writer::Writer;

/// A store failure: always the sender's fault, never the caller's.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A stored record no longer parses.
    #[error("stored record: {0}")]
    Json(#[from] serde_json::Error),
    /// The file was written by another version of the sender.
    #[error("the database has schema version {0}, from another hookproof-sender version; delete it or pick another --db")]
    Version(i64),
    /// A row with this id is already stored (ids are made unique by the sender: a bug).
    #[error("{table}: the id {id} is already stored")]
    Duplicate { table: &'static str, id: String },
    /// The writer thread is gone (the engine is shutting down).
    #[error("the store's writer thread stopped")]
    WriterGone,
    /// A read on the blocking pool did not finish (it panicked, or the runtime stopped).
    #[error("a read of the store stopped: {0}")]
    ReadStopped(String),
    /// A clean exit could not empty the WAL file: another connection kept reading it.
    #[error("the WAL file could not be emptied: a reader kept it in use")]
    WalInUse,
    /// A thread of the store could not start.
    #[error("cannot start a store thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Where a webhook's deliveries go: any HTTP receiver, or a Slack incoming webhook.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The profile's envelope, POSTed to the URL.
    #[default]
    Http,
    /// The event rendered as a Slack Block Kit message (`text` + `blocks`).
    Slack,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Http, Kind::Slack];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Slack => "slack",
        }
    }
}

/// A receiver endpoint: where to send, how to sign, with which secret(s). Never served
/// as is: the API shows `api::models::WebhookView`, which has no secrets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebhookRecord {
    pub id: String,
    /// Stored as `type` before it was named `kind`: read under either name.
    #[serde(default, alias = "type")]
    pub kind: Kind,
    pub url: String,
    /// The envelope, headers and signature, stored by its name (`vector`, `stripe`, ...).
    pub profile: Profile,
    pub secret: String,
    /// Secrets replaced by a rotation, still signed with until `expires_at`.
    #[serde(default)]
    pub previous_secrets: Vec<PreviousSecret>,
    /// Event type patterns: an exact name, `prefix.*` or `*`.
    pub events: Vec<String>,
    /// Vector.co segment ids: an event whose data names a segment (`segment.id`) comes
    /// only when it is one of these; empty: every segment.
    #[serde(default)]
    pub segments: Vec<String>,
    pub enabled: bool,
    /// Waits (ms, unscaled) before attempts 1, 2, ...; `None`: the profile's default.
    #[serde(default)]
    pub retry_schedule: Option<Vec<u64>>,
    #[serde(default)]
    pub description: Option<String>,
    /// Duplicates, forged and stale requests, delays: see `crate::chaos`.
    #[serde(default)]
    pub chaos: Option<crate::chaos::Chaos>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PreviousSecret {
    pub secret: String,
    /// Unix milliseconds after which this secret no longer signs.
    pub expires_at: i64,
}

impl WebhookRecord {
    /// The secrets to sign with at `now_ms`: the current one first, then those in grace.
    pub fn signing_secrets(&self, now_ms: i64) -> Vec<&str> {
        std::iter::once(self.secret.as_str())
            .chain(
                self.previous_secrets
                    .iter()
                    .filter(|p| p.expires_at > now_ms)
                    .map(|p| p.secret.as_str()),
            )
            .collect()
    }

    /// Whether an event of `event_type` goes to this endpoint, by its events (its
    /// segments are `takes_segment`'s).
    pub fn wants(&self, event_type: &str) -> bool {
        self.enabled && self.events.iter().any(|p| event_matches(p, event_type))
    }

    /// Whether an event for `segment` (the `segment.id` of its data, if it names one)
    /// goes to this endpoint: every segment when it lists none.
    pub fn takes_segment(&self, segment: Option<&str>) -> bool {
        self.segments.is_empty() || segment.is_none_or(|s| self.segments.iter().any(|x| x == s))
    }
}

/// `*` matches everything, `order.*` every type below `order.`, anything else itself.
pub fn event_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) if prefix.ends_with('.') => {
            event_type.len() > prefix.len() && event_type.starts_with(prefix)
        }
        _ => pattern == event_type,
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Success,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Success => "success",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// One event on its way to one endpoint. Its `id` is the delivery id every attempt signs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeliveryRecord {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    /// The exact body sent on every attempt.
    pub body: Body,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// The schedule's length, or one more than `attempts` after a manual retry.
    pub max_attempts: u32,
    /// Waits (ms, unscaled) before attempts 1, 2, ..., fixed when the delivery is made.
    pub schedule: Vec<u64>,
    /// Unix milliseconds of the next attempt, while pending.
    pub next_attempt_at: Option<i64>,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A delivery's body: the text (JSON) shared by every copy of the record and sent on
/// every attempt without being copied.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Body(Arc<str>);

impl Body {
    /// The buffer to send: the same bytes, not a copy.
    pub fn bytes(&self) -> bytes::Bytes {
        bytes::Bytes::from_owner(SharedText(Arc::clone(&self.0)))
    }

    /// The same text, not only an equal one (an event's deliveries share theirs).
    pub fn is_shared_with(&self, other: &Body) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// What tells shared texts apart: the same for bodies `is_shared_with` each other,
    /// and unique among the texts alive (the address of the text).
    pub(crate) fn key(&self) -> usize {
        Arc::as_ptr(&self.0).cast::<u8>().addr()
    }
}

/// Lends `Bytes` the body's text.
struct SharedText(Arc<str>);

impl AsRef<[u8]> for SharedText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body(text.into())
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body(text.into())
    }
}

impl std::ops::Deref for Body {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Body, D::Error> {
        String::deserialize(d).map(Body::from)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A 2xx answer.
    Success,
    /// Any other status.
    HttpError,
    /// No answer within the attempt timeout.
    Timeout,
    /// No connection, or it broke.
    ConnectionError,
    /// The request could not be signed or built (e.g. the endpoint was deleted).
    Error,
    /// A chaos request that must be rejected (forged or stale) got a non-2xx answer: right.
    Rejected,
    /// A forged chaos request (signed with a wrong key) got a 2xx: the receiver is at fault.
    AcceptedForgery,
    /// A stale chaos request (a replay past the tolerance) got a 2xx: the receiver is at fault.
    AcceptedStale,
}

impl Outcome {
    /// What `?status=failed` lists: anything but a 2xx to a real attempt or duplicate, and
    /// a correctly rejected chaos request.
    pub fn is_failure(self) -> bool {
        !matches!(self, Outcome::Success | Outcome::Rejected)
    }
}

/// The log of one HTTP attempt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AttemptRecord {
    pub id: String,
    pub delivery_id: String,
    pub webhook_id: String,
    /// The event type (read as `event` from rows written before it had this name).
    #[serde(alias = "event")]
    pub event_type: String,
    /// 1-based.
    pub attempt: u32,
    pub url: String,
    /// Unix milliseconds when the request went out.
    pub delivered_at: i64,
    pub response_time_ms: u64,
    pub outcome: Outcome,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    /// The first 4 KiB of the answer.
    pub response_body: Option<String>,
    /// The headers sent (signatures included, secrets never).
    pub request_headers: Vec<(String, String)>,
    /// The answer's headers, in order (names lower-case; at most 64 and 8 KiB: the
    /// delivery engine's bound). None before the sender kept them.
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    /// Unix milliseconds of the retry this failure scheduled, if any.
    pub next_attempt_at: Option<i64>,
    /// Set on the extra requests of the webhook's `chaos` (not on real attempts).
    #[serde(default)]
    pub chaos: Option<crate::chaos::Sent>,
}

/// Rows returned when a listing sets no limit.
pub(crate) const DEFAULT_LIMIT: u32 = 1000;

/// Filters for listings; `None` matches anything.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub webhook_id: Option<String>,
    pub delivery_id: Option<String>,
    pub status: Option<DeliveryStatus>,
    pub event_type: Option<String>,
    /// Attempts only: `Some(true)` for failed ones, `Some(false)` for successes.
    pub failed: Option<bool>,
    pub limit: Option<u32>,
}

/// A webhook's deliveries by status (`GET /v1/webhooks/{id}/stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub pending: u64,
    pub success: u64,
    pub failed: u64,
}

impl DeliveryCounts {
    /// Counts `n` more deliveries of status `status`.
    pub fn add(&mut self, status: DeliveryStatus, n: u64) {
        *self.of(status) += n;
    }

    /// Counts one delivery of status `status` fewer.
    pub fn remove(&mut self, status: DeliveryStatus) {
        let n = self.of(status);
        *n = n.saturating_sub(1);
    }

    fn of(&mut self, status: DeliveryStatus) -> &mut u64 {
        match status {
            DeliveryStatus::Pending => &mut self.pending,
            DeliveryStatus::Success => &mut self.success,
            DeliveryStatus::Failed => &mut self.failed,
        }
    }
}

/// One write of the delivery path. `Store::write` makes several in one transaction, and
/// `Writer` gathers them from concurrent deliveries.
#[derive(Debug, Clone)]
pub enum Write {
    /// One event's deliveries: `put_deliveries`.
    Deliveries(Vec<DeliveryRecord>),
    /// `put_delivery`.
    Delivery(DeliveryRecord),
    /// An attempt's log row and the delivery after it (`record_attempt`), or only the row
    /// (`add_attempt`: a chaos extra leaves the delivery as it is).
    Attempt(Arc<AttemptRecord>, Option<Arc<DeliveryRecord>>),
}

/// Everything the sender keeps. Its calls may block on a lock or the disk: async code
/// reaches it through [`Db`], which runs each where it blocks no runtime worker.
pub trait Store: Send + Sync + 'static {
    /// Whether a call may take a while (a disk, a big transaction): `Db` then hands its
    /// writes to `Writer`'s thread and its reads of rows to the blocking pool. A store in
    /// memory says `false` and is called inline.
    fn blocks(&self) -> bool {
        true
    }
    /// Called on a clean exit, once nothing writes any more: `SqliteStore` copies its WAL
    /// into the database file and empties it, so no WAL is left beside the file.
    fn close(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Inserts or replaces.
    fn put_webhook(&self, webhook: &WebhookRecord) -> Result<(), StoreError>;
    /// Webhooks are few: every store keeps them in memory, so reading them never blocks
    /// (`webhook`, `shared_webhook`, `webhooks`).
    fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>, StoreError>;
    /// `webhook(id)`, shared: what every attempt reads. A store that keeps its webhooks
    /// in memory hands out the same `Arc` until the webhook changes.
    fn shared_webhook(&self, id: &str) -> Result<Option<Arc<WebhookRecord>>, StoreError> {
        Ok(self.webhook(id)?.map(Arc::new))
    }
    /// Oldest first, shared as `shared_webhook`'s: what every `POST /v1/events` reads.
    fn webhooks(&self) -> Result<Vec<Arc<WebhookRecord>>, StoreError>;
    fn delete_webhook(&self, id: &str) -> Result<bool, StoreError>;
    /// Inserts or replaces. A delivery's body is fixed when it is made, and a replacement
    /// must carry the same one (`SqliteStore` keeps bodies apart from the rows and would
    /// keep the first).
    fn put_delivery(&self, delivery: &DeliveryRecord) -> Result<(), StoreError>;
    /// Inserts or replaces several, all or none: one transaction (one commit) for the
    /// fan-out of one event, instead of one per delivery.
    fn put_deliveries(&self, deliveries: &[DeliveryRecord]) -> Result<(), StoreError> {
        deliveries.iter().try_for_each(|d| self.put_delivery(d))
    }
    fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError>;
    /// Newest first; filters on webhook, status and event type.
    fn deliveries(&self, query: &Query) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// How many of webhook `webhook_id`'s stored deliveries are in each status.
    /// `MemoryStore` keeps the counts as rows come and go; `SqliteStore` visits each of the
    /// webhook's deliveries (about a second per million), since counts kept by triggers
    /// cost ~15 % of its delivery throughput.
    fn delivery_counts(&self, webhook_id: &str) -> Result<DeliveryCounts, StoreError>;
    fn add_attempt(&self, attempt: &AttemptRecord) -> Result<(), StoreError>;
    /// `add_attempt(attempt)` then `put_delivery(delivery)` (the delivery after that
    /// attempt), both or neither: one transaction and one lock instead of two.
    fn record_attempt(
        &self,
        attempt: &AttemptRecord,
        delivery: &DeliveryRecord,
    ) -> Result<(), StoreError> {
        self.add_attempt(attempt)?;
        self.put_delivery(delivery)
    }
    /// Every write of `batch`, in order, all or none: one transaction.
    fn write(&self, batch: &[Write]) -> Result<(), StoreError> {
        batch.iter().try_for_each(|w| match w {
            Write::Deliveries(ds) => self.put_deliveries(ds),
            Write::Delivery(d) => self.put_delivery(d),
            Write::Attempt(a, Some(d)) => self.record_attempt(a, d),
            Write::Attempt(a, None) => self.add_attempt(a),
        })
    }
    /// Newest first; filters on webhook, delivery and failure.
    fn attempts(&self, query: &Query) -> Result<Vec<AttemptRecord>, StoreError>;
    /// Deletes attempts made, and finished deliveries last changed, before `before_ms`;
    /// how many rows went.
    fn prune(&self, before_ms: i64) -> Result<usize, StoreError>;
}

/// Records for the store's tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub(crate) fn webhook(id: &str) -> WebhookRecord {
        WebhookRecord {
            id: id.into(),
            kind: Kind::Http,
            url: "http://127.0.0.1:1/".into(),
            profile: Profile::Standard,
            secret: "whsec_x".into(),
            previous_secrets: vec![],
            events: vec!["*".into()],
            segments: vec![],
            enabled: true,
            retry_schedule: None,
            description: None,
            chaos: None,
            created_at: 1,
            updated_at: 1,
        }
    }

    pub(crate) fn delivery(id: &str, status: DeliveryStatus) -> DeliveryRecord {
        DeliveryRecord {
            id: id.into(),
            webhook_id: "wh_1".into(),
            event_id: "evt_1".into(),
            event_type: "a.b".into(),
            body: "{}".into(),
            status,
            attempts: 0,
            max_attempts: 3,
            schedule: vec![0, 1, 2],
            next_attempt_at: Some(5),
            last_status_code: None,
            last_error: None,
            created_at: 1,
            updated_at: 1,
        }
    }

    pub(crate) fn attempt(i: usize, delivery_id: &str, outcome: Outcome, at: i64) -> AttemptRecord {
        AttemptRecord {
            id: format!("atm_{i}"),
            delivery_id: delivery_id.into(),
            webhook_id: "wh_1".into(),
            event_type: "a.b".into(),
            attempt: 1,
            url: "u".into(),
            delivered_at: at,
            response_time_ms: 0,
            outcome,
            status_code: None,
            error: None,
            response_body: None,
            request_headers: vec![],
            response_headers: vec![],
            next_attempt_at: None,
            chaos: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhooks_profile_is_stored_by_name() {
        let w = fixtures::webhook("wh_1");
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(json["profile"], "standard");
        assert_eq!(json["kind"], "http");
        assert_eq!(serde_json::from_value::<WebhookRecord>(json).unwrap(), w);
        // A record as every version of the sender has stored it.
        let stored = r#"{"id":"wh_1","type":"http","url":"http://127.0.0.1:1/","profile":"stripe",
            "secret":"whsec_x","events":["*"],"enabled":true,"created_at":1,"updated_at":1}"#;
        let read: WebhookRecord = serde_json::from_str(stored).unwrap();
        assert_eq!(read.profile, Profile::Stripe);
        assert!(read.segments.is_empty());
        assert_eq!(read.kind, Kind::Http);
        let unknown = stored.replace(r#""stripe""#, r#""pigeon""#);
        assert!(serde_json::from_str::<WebhookRecord>(&unknown).is_err());
    }

    #[test]
    fn a_body_is_stored_as_text_and_sent_without_a_copy() {
        let body = Body::from(r#"{"a":"é"}"#);
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(json, r#""{\"a\":\"é\"}""#);
        assert_eq!(serde_json::from_str::<Body>(&json).unwrap(), body);
        let bytes = body.bytes();
        assert_eq!(&bytes[..], body.as_bytes());
        assert_eq!(bytes.as_ptr(), body.as_ptr(), "the same buffer");
        assert_eq!(body.clone().as_ptr(), body.as_ptr());
    }
}
