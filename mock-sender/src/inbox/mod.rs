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
use tokio::sync::broadcast;

use crate::clock::now_ms;
use crate::delivery::HttpClient;
use crate::ids::new_id;
pub use crate::store::inbox::{Capture, Finding, InboxConfig, Respond, Verification};
use crate::store::{Db, StoreError};
pub use conformance::Check;
pub use forward::Forwarded;

/// Inbox names: what fits in a URL path segment without escaping.
pub const MAX_NAME_LEN: usize = 64;

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
    /// Held from a capture's check against the earlier ones to its store and feed: one
    /// capture at a time, so their ids (which listings and waits go by) are in the order
    /// they were stored and told, and two copies of a delivery arriving together are one
    /// first and one repeat.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl Inboxes {
    pub fn new(store: Db, client: HttpClient, timeout: std::time::Duration) -> Inboxes {
        Inboxes {
            store,
            client,
            feed: broadcast::channel(256).0,
            timeout,
            turn: Arc::new(tokio::sync::Mutex::new(())),
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
            // Given in its turn, below.
            id: String::new(),
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
        let turn = self.turn.lock().await;
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
        capture.id = new_id("cap");
        self.store.put_capture(capture.clone()).await?;
        let _ = self.feed.send(Arc::new(capture.clone()));
        drop(turn);
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
