//! The inbox: webhooks coming **in**. `POST|PUT|PATCH /in/{name}` captures any request
//! exactly as received; an inbox configured with a scheme and secret verifies each capture
//! (and diagnoses a failure with the crate's doctor), checks it against the rules a sender
//! of that scheme must follow (`conformance`), and forwards it (`forward`). Captures are
//! kept by the store (`store::inbox`: in memory or in the `--db` file) for `--retention`.

pub mod conformance;
pub mod forward;

use std::sync::Arc;

use base64::Engine as _;
use hookproof::{Scheme, Webhook};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::clock::now_ms;
use crate::delivery::HttpClient;
use crate::ids::new_id;
use crate::mask;
use crate::store::{Db, StoreError};
pub use conformance::Check;
pub use forward::Forwarded;

/// Inbox names: what fits in a URL path segment without escaping.
pub const MAX_NAME_LEN: usize = 64;

/// An inbox's settings. The secrets are never served: see `InboxView`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InboxConfig {
    pub name: String,
    /// The scheme captures are verified and checked against, by name.
    #[serde(default, with = "scheme_name")]
    pub scheme: Option<Scheme>,
    #[serde(default)]
    pub secrets: Vec<String>,
    pub tolerance_seconds: u64,
    #[serde(default)]
    pub forward_to: Option<String>,
    pub respond_with: Respond,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What `/in/{name}` answers the sender.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Respond {
    pub status: u16,
    #[serde(default)]
    pub body: String,
}

impl Default for Respond {
    fn default() -> Respond {
        Respond {
            status: 200,
            body: String::new(),
        }
    }
}

impl InboxConfig {
    /// What an inbox never configured does: capture, answer 200, nothing else.
    pub fn unconfigured(name: &str) -> InboxConfig {
        InboxConfig {
            name: name.to_owned(),
            scheme: None,
            secrets: vec![],
            tolerance_seconds: hookproof::DEFAULT_TOLERANCE_SECS,
            forward_to: None,
            respond_with: Respond::default(),
            created_at: 0,
            updated_at: 0,
        }
    }

    /// The verifier (and signer) of the inbox's scheme and secrets, if it has both.
    pub fn webhook(&self) -> Option<Result<Webhook, hookproof::Error>> {
        let scheme = self.scheme?;
        if self.secrets.is_empty() {
            return None;
        }
        Some(
            Webhook::with_secrets(scheme, self.secrets.iter().map(String::as_str))
                .map(|w| w.with_tolerance(self.tolerance_seconds)),
        )
    }
}

mod scheme_name {
    use hookproof::Scheme;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(scheme: &Option<Scheme>, s: S) -> Result<S::Ok, S::Error> {
        match scheme {
            Some(scheme) => s.serialize_str(scheme.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Scheme>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|name| name.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// One request received at `/in/{name}`, as it came.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Capture {
    pub id: String,
    pub inbox: String,
    pub method: String,
    /// The path as requested (`/in/{name}` and anything below it).
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: Option<String>,
    /// Every header in the order received, repeats kept (names lower-case, as hyper reads
    /// them; a repeated header's values follow its first one).
    pub headers: Vec<(String, String)>,
    /// The exact body, base64.
    pub body_base64: String,
    /// The body as text, when it is UTF-8.
    pub body: Option<String>,
    /// Unix milliseconds.
    pub received_at: i64,
    pub remote_addr: Option<String>,
    /// The status answered.
    pub status: u16,
    /// With a scheme and secret: whether it verifies, and the doctor's findings if not.
    pub verification: Option<Verification>,
    /// The sender rules of the inbox's scheme (or the one its headers name).
    pub conformance: Vec<Check>,
    /// The scheme `conformance` checked against.
    pub scheme: Option<String>,
    /// The delivery id the request carries under that scheme (`conformance::delivery_id`).
    #[serde(default)]
    pub delivery_id: Option<String>,
    /// The forward to `forward_to`, once answered.
    pub forward: Option<Forwarded>,
    /// Every replay, oldest first.
    #[serde(default)]
    pub replays: Vec<Forwarded>,
}

impl Capture {
    /// The capture as it may be shown: the credentials of the request, in its headers and
    /// its query (and of its forward and replays), masked (`mask`).
    pub fn shown(&self) -> Capture {
        Capture {
            headers: mask::headers(&self.headers),
            query: self.query.as_deref().map(mask::query),
            forward: self.forward.as_ref().map(Forwarded::shown),
            replays: self.replays.iter().map(Forwarded::shown).collect(),
            ..self.clone()
        }
    }

    pub fn body_bytes(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_base64)
            .unwrap_or_default()
    }

    /// The headers as the verifier reads them: a repeated header's values joined by ", ".
    pub fn joined_headers(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some((_, v)) => {
                    v.push_str(", ");
                    v.push_str(value);
                }
                None => out.push((name.clone(), value.clone())),
            }
        }
        out
    }
}

/// `Webhook::diagnose`'s report, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Verification {
    pub verified: bool,
    pub code: Option<String>,
    pub message: Option<String>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub kind: String,
    pub message: String,
}

impl Verification {
    fn of(webhook: &Webhook, body: &[u8], headers: &[(String, String)], now: i64) -> Verification {
        let d = webhook.diagnose(body, headers, now);
        Verification {
            verified: d.verified,
            code: d.code.map(str::to_owned),
            message: d.message,
            findings: d
                .findings
                .into_iter()
                .map(|f| Finding {
                    kind: f.kind.to_owned(),
                    message: f.message,
                })
                .collect(),
        }
    }
}

/// A request as `/in/{name}` received it.
pub struct Incoming {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: bytes::Bytes,
    pub remote_addr: Option<String>,
}

/// The inboxes: their store, the client that forwards and replays, and the feed of
/// captures that `/v1/stream` relays.
#[derive(Clone)]
pub struct Inboxes {
    pub store: Db,
    client: HttpClient,
    feed: broadcast::Sender<Arc<Capture>>,
    timeout: std::time::Duration,
}

impl Inboxes {
    pub fn new(store: Db, client: HttpClient, timeout: std::time::Duration) -> Inboxes {
        Inboxes {
            store,
            client,
            feed: broadcast::channel(256).0,
            timeout,
        }
    }

    /// New captures and captures changed (a forward answered, a replay made).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Capture>> {
        self.feed.subscribe()
    }

    /// The inbox's settings, or an unconfigured inbox's.
    pub async fn config(&self, name: &str) -> Result<InboxConfig, StoreError> {
        Ok(self
            .store
            .inbox(name)
            .await?
            .unwrap_or_else(|| InboxConfig::unconfigured(name)))
    }

    /// Stores a capture of `req`, verified and checked as the inbox says, starts its
    /// forward, and returns it (its `status` is what to answer).
    pub async fn capture(&self, name: &str, req: Incoming) -> Result<Capture, StoreError> {
        let config = self.config(name).await?;
        let now = now_ms();
        let body_base64 = base64::engine::general_purpose::STANDARD.encode(&req.body);
        let mut capture = Capture {
            id: new_id("cap"),
            inbox: name.to_owned(),
            method: req.method,
            path: req.path,
            query: req.query,
            headers: req.headers,
            body_base64,
            body: std::str::from_utf8(&req.body).ok().map(str::to_owned),
            received_at: now,
            remote_addr: req.remote_addr,
            status: config.respond_with.status,
            verification: None,
            conformance: vec![],
            scheme: None,
            delivery_id: None,
            forward: None,
            replays: vec![],
        };
        let joined = capture.joined_headers();
        if let Some(Ok(webhook)) = config.webhook() {
            capture.verification = Some(Verification::of(&webhook, &req.body, &joined, now / 1000));
        }
        let scheme = config.scheme.or_else(|| Scheme::detect(&joined));
        if let Some(scheme) = scheme {
            let id = conformance::delivery_id(scheme, &joined, &req.body);
            // Every earlier capture of the inbox with this id, however old.
            let same_id = match &id {
                Some(id) => self.store.captures_by_delivery_id(name, id).await?,
                None => vec![],
            };
            capture.scheme = Some(scheme.name().to_owned());
            capture.conformance = conformance::check(
                scheme,
                config.tolerance_seconds,
                &joined,
                &req.body,
                now / 1000,
                id.as_deref(),
                &same_id,
            );
            capture.delivery_id = id;
        }
        self.store.put_capture(capture.clone()).await?;
        let _ = self.feed.send(Arc::new(capture.clone()));
        if let Some(url) = config.forward_to.clone() {
            let this = self.clone();
            let captured = capture.clone();
            tokio::spawn(async move {
                let sent = forward::send(&this.client, &url, &captured, None, this.timeout).await;
                let stored = this
                    .update(&captured.inbox, &captured.id, |c| c.forward = Some(sent))
                    .await;
                if let Err(e) = stored {
                    tracing::error!(error = %e, "storing a forward's answer");
                }
            });
        }
        Ok(capture)
    }

    /// Sends capture `id` again, to `url` or the inbox's `forward_to`; with `resign`,
    /// signed afresh (a new timestamp and id) with the inbox's secret.
    pub async fn replay(
        &self,
        config: &InboxConfig,
        capture: &Capture,
        url: &str,
        resign: Option<&Webhook>,
    ) -> Result<Forwarded, StoreError> {
        let sent = forward::send(&self.client, url, capture, resign, self.timeout).await;
        let logged = sent.clone();
        self.update(&config.name, &capture.id, move |c| c.replays.push(logged))
            .await?;
        Ok(sent)
    }

    /// Changes a stored capture and tells the feed.
    async fn update(
        &self,
        inbox: &str,
        id: &str,
        change: impl FnOnce(&mut Capture) + Send + 'static,
    ) -> Result<(), StoreError> {
        if let Some(c) = self.store.update_capture(inbox, id, change).await? {
            let _ = self.feed.send(Arc::new(c));
        }
        Ok(())
    }
}

/// A name `/in/{name}` and `/v1/inboxes/{name}` take: 1 to 64 of `A-Z a-z 0-9 - _ .`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}
