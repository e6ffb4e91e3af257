//! The delivery engine: pending deliveries wait in `queue` (one timer map, a queue per
//! endpoint) until their next attempt and a free slot of their endpoint (at most
//! `max_in_flight` requests to one endpoint are on the wire at once, and none starts
//! while the endpoint is throttled after a 429, 502, 503 or 504); each attempt is a task
//! of its own, signing with `hookproof` and logging the attempt to the store and to
//! subscribers.

mod attempt;
pub mod payload;
mod queue;
mod schedule;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hookproof::{Scheme, Webhook};
use hyper::Uri;
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::Value;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::AbortHandle;

pub use attempt::{post, HttpClient, Sent, Target};
pub use schedule::{profile_default, profile_timeout, scaled_after, LONGEST_PROFILE_TIMEOUT};

use queue::{Queue, Waiting};

use crate::chaos::{self, Chaos};
use crate::store::{
    AttemptRecord, Body, DeliveryRecord, DeliveryStatus, Kind, Outcome, Query, Store, StoreError,
    WebhookRecord, Writer,
};

/// How often logs past `retention` are looked for: hourly, or every half retention when
/// that is shorter (a log then outlives the retention by half of it at most), 1 s at least.
pub fn prune_interval(retention: Duration) -> Duration {
    (retention / 2).clamp(Duration::from_secs(1), Duration::from_secs(3600))
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// How long from now until `at_ms` (Unix ms), to the microsecond; zero once past. The
/// timer sleeps this, not whole milliseconds from `now_ms` (which floors the present):
/// that woke it up to 1 ms after the tick tokio rounds a deadline up to, ~1.4 ms late at
/// the median instead of ~0.5 (BENCHMARKS.md, "Sender throughput").
fn until(at_ms: i64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Duration::from_millis(u64::try_from(at_ms).unwrap_or(0)).saturating_sub(now)
}

/// A new id: `prefix_` and a ULID.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}

/// What subscribers hear about.
#[derive(Debug, Clone)]
pub enum Notice {
    /// A delivery was made (before its first attempt).
    Delivery(DeliveryRecord),
    /// An attempt was logged; `delivery` is the delivery after it. Both as the store
    /// keeps them (shared, not copied).
    Attempt {
        attempt: Arc<AttemptRecord>,
        delivery: Arc<DeliveryRecord>,
    },
}

/// What a delivery's last error says after a 410 to the standard profile
/// (`schedule::answer_rule`).
const GONE_DISABLES: &str =
    "410 Gone: the receiver wants no more webhooks, so the webhook is now disabled (Standard Webhooks)";
const GONE_ALREADY: &str =
    "410 Gone: the receiver wants no more webhooks (the webhook was already disabled or deleted)";

/// A new delivery's id, in the form of its profile's delivery id header: a UUID for GitHub's
/// X-GitHub-Delivery and Shopify's X-Shopify-Webhook-Id (a receiver may keep it in a UUID
/// column), `msg_<ULID>` for Standard Webhooks' and Svix's message id, a bare ULID for
/// Vector's X-Vector-Delivery (and the profiles that send none). Each begins with its
/// time, so new ids land at the warm end of the stores' id indexes.
pub fn delivery_id(scheme: Scheme) -> String {
    match scheme {
        Scheme::Github | Scheme::Shopify => uuid::Uuid::now_v7().to_string(),
        Scheme::Standard | Scheme::Svix => new_id("msg"),
        _ => ulid::Ulid::new().to_string(),
    }
}

/// How the engine delivers.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Multiplies every wait of every schedule, and every throttle pause.
    pub time_scale: f64,
    /// How long one HTTP attempt may take, connection to last byte (not scaled); `None`:
    /// the profile's (`schedule::profile_timeout`).
    pub attempt_timeout: Option<Duration>,
    /// Requests on the wire at once to one endpoint; more wait their turn.
    pub max_in_flight: usize,
    /// `--chaos-seed`: seeds each webhook's chaos RNG (with its id) unless it has its own.
    pub chaos_seed: Option<u64>,
}

pub struct Engine {
    store: Arc<dyn Store>,
    /// Every write of the delivery path goes through it, off the runtime's workers.
    writer: Writer,
    client: HttpClient,
    settings: Settings,
    /// The waiting deliveries and the attempts under way.
    state: Mutex<State>,
    /// Wakes the timer task: a delivery now comes due first.
    timer: Arc<Notify>,
    timer_started: AtomicBool,
    next_tag: AtomicU64,
    events: broadcast::Sender<Notice>,
    /// Set (under the `state` lock) by `stop`: no attempt starts after it.
    stopping: AtomicBool,
    /// Attempts under way.
    busy: watch::Sender<usize>,
    /// True once stopping: ends the `/v1/stream` connections.
    closing: watch::Sender<bool>,
    /// What each webhook's attempts need, built once: see `Prepared`.
    prepared: Mutex<HashMap<String, Arc<Prepared>>>,
    /// Each webhook's chaos RNG, with the settings it was made for (new settings, new RNG).
    chaos_rngs: Mutex<HashMap<String, (Chaos, StdRng)>>,
    /// The latest release time (Unix ms) of a delayed attempt per webhook, so that
    /// `delay_ms` without `reorder` keeps the deliveries in order.
    chaos_release: Mutex<HashMap<String, i64>>,
    /// Held while a webhook is read, changed and written back, by the API (create, update,
    /// rotate, delete) and by the engine (a 410 disabling one), so that no writer's change
    /// is lost to another's.
    webhook_writes: Arc<Mutex<()>>,
}

/// What every attempt to one webhook needs, built once from it rather than per attempt:
/// its signer (each secret decoded, its HMAC pads hashed) and its parsed URL.
struct Prepared {
    /// The webhook it was built from. The store hands out a new `Arc` when a webhook
    /// changes (an update, a rotation), so a different pointer means "build again".
    webhook: Arc<WebhookRecord>,
    /// Unix ms when a previous secret it signs with leaves its grace period: from then
    /// on it is built again, without that secret.
    until: i64,
    signer: Result<Webhook, hookproof::Error>,
    /// `None` if the URL does not parse: `post` is then given the text, and fails on it.
    url: Option<Uri>,
}

impl Prepared {
    fn new(webhook: &Arc<WebhookRecord>, now_ms: i64) -> Prepared {
        let signer = webhook.profile.parse().and_then(|scheme: Scheme| {
            Webhook::with_secrets(scheme, webhook.signing_secrets(now_ms))
        });
        let until = webhook
            .previous_secrets
            .iter()
            .map(|p| p.expires_at)
            .filter(|&at| at > now_ms)
            .min()
            .unwrap_or(i64::MAX);
        Prepared {
            webhook: Arc::clone(webhook),
            until,
            signer,
            url: attempt::parse_url(&webhook.url),
        }
    }

    /// How long an attempt may take: `--attempt-timeout`, else the profile's.
    fn timeout(&self, settings: &Settings) -> Duration {
        settings
            .attempt_timeout
            .unwrap_or_else(|| match &self.signer {
                Ok(signer) => schedule::profile_timeout(signer.scheme()),
                Err(_) => schedule::LONGEST_PROFILE_TIMEOUT,
            })
    }

    fn fits(&self, webhook: &Arc<WebhookRecord>, now_ms: i64) -> bool {
        Arc::ptr_eq(&self.webhook, webhook) && now_ms < self.until
    }

    /// POSTs `body` to the webhook's URL.
    async fn post(
        &self,
        client: &HttpClient,
        headers: &[(String, String)],
        body: bytes::Bytes,
        timeout: Duration,
    ) -> Sent {
        let target = match &self.url {
            Some(uri) => Target::Parsed(uri),
            None => Target::Text(&self.webhook.url),
        };
        attempt::post(client, target, headers, body, timeout).await
    }
}

#[derive(Default)]
struct State {
    queue: Queue,
    /// The task of each attempt under way (its handle once spawned), tagged so that a
    /// replaced task's end cannot remove its replacement.
    running: HashMap<Box<str>, (u64, Option<AbortHandle>)>,
    /// Deliveries a manual retry asked for while an attempt was on the wire: that attempt
    /// ends and is logged as usual, then the retry is made (`Running`'s drop).
    retry_after: HashSet<Box<str>>,
    /// Deliveries a manual retry is rewriting (out of the queue, not yet back in): a second
    /// retry meanwhile changes nothing.
    retrying: HashSet<Box<str>>,
    /// Attempts to spawn once the lock is released (`Engine::with_state`): a task dropped
    /// as it is spawned (by a runtime shutting down) takes the lock.
    starts: Vec<(Waiting, u64)>,
}

/// One attempt's task, from its start to its end, also when it is aborted: counted in
/// `Engine::busy`, listed in `State::running`.
struct Running {
    engine: Arc<Engine>,
    id: Box<str>,
    tag: u64,
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut state = self.engine.state();
        let mine = state
            .running
            .get(&self.id)
            .is_some_and(|(t, _)| *t == self.tag);
        if mine {
            state.running.remove(&self.id);
        }
        // (Emptiness first: no hashing on the path of every attempt.)
        let retry = mine && !state.retry_after.is_empty() && state.retry_after.remove(&self.id);
        drop(state);
        let runtime = tokio::runtime::Handle::try_current().ok().filter(|_| retry);
        let Some(runtime) = runtime else {
            self.engine.release_busy();
            return;
        };
        // The retry asked for while this attempt was on the wire, now that it is logged.
        // It keeps this attempt's unit of `busy` until it has queued the delivery again.
        let busy = Busy(Arc::clone(&self.engine));
        let id = self.id.clone();
        runtime.spawn(async move {
            if let Err(e) = busy.0.retry(&id).await {
                tracing::error!(delivery = %id, error = %e, "retry failed");
            }
            drop(busy);
        });
    }
}

/// One unit of `Engine::busy`, given back when dropped (also by a runtime dropping the
/// task that holds it).
struct Busy(Arc<Engine>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.release_busy();
    }
}

/// A slot of an endpoint's in-flight cap, from when its attempt starts until its request
/// has an answer (or the task is aborted); then the endpoint's next delivery starts.
struct Slot {
    engine: Arc<Engine>,
    webhook_id: Arc<str>,
    /// Its task ran. One dropped before (aborted, or dropped by a runtime shutting down)
    /// leaves starting the next to a task of its own, so that a runtime dropping tasks
    /// does not start (and drop) the whole queue in one chain of drops.
    ran: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let engine = Arc::clone(&self.engine);
        let webhook_id = Arc::clone(&self.webhook_id);
        if self.ran {
            engine.with_state(|state| {
                state.queue.release(&webhook_id);
                engine.start_ready(state, &webhook_id);
            });
        } else {
            engine.state().queue.release(&webhook_id);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let engine = Arc::clone(&engine);
                runtime.spawn(async move {
                    engine.with_state(|state| engine.start_ready(state, &webhook_id));
                });
            }
        }
    }
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        client: HttpClient,
        settings: Settings,
    ) -> std::io::Result<Arc<Engine>> {
        Ok(Arc::new(Engine {
            writer: Writer::spawn(Arc::clone(&store))?,
            store,
            client,
            settings,
            state: Mutex::new(State::default()),
            timer: Arc::new(Notify::new()),
            timer_started: AtomicBool::new(false),
            next_tag: AtomicU64::new(0),
            events: broadcast::channel(1024).0,
            stopping: AtomicBool::new(false),
            busy: watch::channel(0).0,
            closing: watch::channel(false).0,
            prepared: Mutex::new(HashMap::new()),
            chaos_rngs: Mutex::new(HashMap::new()),
            chaos_release: Mutex::new(HashMap::new()),
            webhook_writes: Arc::default(),
        }))
    }

    /// The lock of webhook writes (see the field): the API takes it around its own.
    pub fn webhook_writes(&self) -> MutexGuard<'_, ()> {
        self.webhook_writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Disables webhook `id` (a 410 to a Standard Webhooks delivery): off the runtime's
    /// workers, under the webhook lock; whether it was enabled.
    async fn disable_webhook(&self, id: &str) -> bool {
        let store = Arc::clone(&self.store);
        let writes = Arc::clone(&self.webhook_writes);
        let id = id.to_owned();
        let disabled = tokio::task::spawn_blocking(move || -> Result<bool, StoreError> {
            let _one_at_a_time = writes.lock().unwrap_or_else(|e| e.into_inner());
            let Some(mut w) = store.webhook(&id)? else {
                return Ok(false);
            };
            if !w.enabled {
                return Ok(false);
            }
            w.enabled = false;
            w.updated_at = now_ms();
            store.put_webhook(&w)?;
            Ok(true)
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
        disabled.unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot disable the webhook");
            false
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Every new delivery and every attempt, as they are stored.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.events.subscribe()
    }

    /// Sends subscribers the notice `make` makes, made only if there is one (most of the
    /// time nobody listens: the records' copies would be made for nothing).
    fn notify(&self, make: impl FnOnce() -> Notice) {
        if self.events.receiver_count() > 0 {
            // One gone since is fine.
            let _ = self.events.send(make());
        }
    }

    /// Deletes logs older than `retention` now, then every [`prune_interval`] (an hour,
    /// or half the retention when that is shorter, so a short `--retention` is kept to).
    pub fn keep_pruning(self: &Arc<Self>, retention: Duration) {
        let engine = Arc::clone(self);
        let retention_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(prune_interval(retention));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match engine.store.prune(now_ms().saturating_sub(retention_ms)) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(rows = n, "pruned logs past --retention"),
                    Err(e) => tracing::error!(error = %e, "pruning"),
                }
            }
        });
    }

    /// Stores a delivery of one event to one endpoint and starts it.
    pub async fn enqueue(
        self: &Arc<Self>,
        webhook: &WebhookRecord,
        event_id: &str,
        event_type: &str,
        data: &Value,
    ) -> Result<DeliveryRecord, StoreError> {
        let mut all = self
            .enqueue_all(&[webhook], event_id, event_type, data)
            .await?;
        Ok(all.remove(0))
    }

    /// Stores one event's deliveries to `webhooks` in one transaction, then starts them.
    pub async fn enqueue_all(
        self: &Arc<Self>,
        webhooks: &[&WebhookRecord],
        event_id: &str,
        event_type: &str,
        data: &Value,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let now = now_ms();
        let event = payload::Event {
            id: event_id,
            event_type,
            data,
            created_at: now,
        };
        // The body depends only on the event and the webhook's kind and profile: made once
        // for each pair and shared by those deliveries' records.
        let mut bodies: Vec<((Kind, Scheme), Body)> = Vec::new();
        let deliveries: Vec<DeliveryRecord> = webhooks
            .iter()
            .map(|w| {
                // The profile was checked when the webhook was stored.
                let scheme = w.profile.parse().unwrap_or(Scheme::Vector);
                let key = (w.kind, scheme);
                let body = match bodies.iter().find(|(k, _)| *k == key) {
                    Some((_, body)) => body.clone(),
                    None => {
                        let body = Body::from(payload::body(w.kind, scheme, &event));
                        bodies.push((key, body.clone()));
                        body
                    }
                };
                self.new_delivery(w, scheme, &event, body)
            })
            .collect();
        let deliveries = self.writer.put_deliveries(deliveries).await?;
        for d in &deliveries {
            self.notify(|| Notice::Delivery(d.clone()));
        }
        self.with_state(|state| {
            for d in &deliveries {
                self.start(state, d.clone());
            }
        });
        Ok(deliveries)
    }

    /// A new pending delivery of `event` to `webhook` (of profile `scheme`) with `body`:
    /// its schedule and first time.
    fn new_delivery(
        &self,
        webhook: &WebhookRecord,
        scheme: Scheme,
        event: &payload::Event<'_>,
        body: Body,
    ) -> DeliveryRecord {
        let now = event.created_at;
        let schedule = webhook
            .retry_schedule
            .clone()
            .unwrap_or_else(|| profile_default(scheme));
        let first = scaled_after(
            now,
            schedule.first().copied().unwrap_or(0),
            self.settings.time_scale,
        );
        DeliveryRecord {
            id: delivery_id(scheme),
            webhook_id: webhook.id.clone(),
            event_id: event.id.to_owned(),
            event_type: event.event_type.to_owned(),
            body,
            status: DeliveryStatus::Pending,
            attempts: 0,
            max_attempts: u32::try_from(schedule.len()).unwrap_or(u32::MAX),
            schedule,
            next_attempt_at: Some(first),
            last_status_code: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Gives back one unit of `busy` (an attempt's task, or the retry it handed over to).
    fn release_busy(&self) {
        self.busy.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Restarts every pending delivery found in the store (after a restart).
    pub fn resume(self: &Arc<Self>) -> Result<usize, StoreError> {
        let pending = self.store.deliveries(&Query {
            status: Some(DeliveryStatus::Pending),
            limit: Some(u32::MAX),
            ..Query::default()
        })?;
        let count = pending.len();
        self.with_state(|state| {
            // Oldest first, as they were queued before the restart (the listing is
            // newest first).
            for d in pending.into_iter().rev() {
                self.start(state, d);
            }
        });
        Ok(count)
    }

    /// One more attempt now: a pending delivery's wait is cut short; a finished one gets
    /// an extra attempt. An attempt on the wire is not cut off: it ends and is logged, and
    /// the retry follows it.
    pub async fn retry(self: &Arc<Self>, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        enum Turn {
            /// Taken out of the queue: this call rewrites and restarts it.
            Mine,
            /// On the wire, or being retried already: that settles it.
            Later,
        }
        let turn = self.with_state(|state| {
            if state.running.contains_key(id) {
                state.retry_after.insert(id.into());
                Turn::Later
            } else if !state.retrying.insert(id.into()) {
                Turn::Later
            } else {
                // Out of the queue, so no attempt starts while the record is rewritten.
                state.queue.remove(id);
                Turn::Mine
            }
        });
        if let Turn::Later = turn {
            return self.store.delivery(id);
        }
        let rewritten = self.rewrite_for_retry(id).await;
        self.with_state(|state| {
            state.retrying.remove(id);
            if let Ok(Some(d)) = &rewritten {
                self.start(state, d.clone());
            }
        });
        rewritten
    }

    /// Delivery `id`, stored as due now (pending again, with one more attempt allowed when
    /// it had finished).
    async fn rewrite_for_retry(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        let Some(mut d) = self.store.delivery(id)? else {
            return Ok(None);
        };
        let now = now_ms();
        if d.status != DeliveryStatus::Pending {
            d.status = DeliveryStatus::Pending;
            d.max_attempts = d.attempts + 1;
        }
        d.next_attempt_at = Some(now);
        d.updated_at = now;
        self.writer.put_delivery(d.clone()).await?;
        Ok(Some(d))
    }

    /// Stops every delivery task now, in flight or not; pending deliveries stay pending
    /// in the store.
    pub fn shutdown(&self) {
        self.closing.send_replace(true);
        let mut state = self.state();
        self.stopping.store(true, Ordering::SeqCst);
        state.queue.clear();
        let running: Vec<_> = state.running.drain().collect();
        // Aborted tasks take the lock as they end.
        drop(state);
        for (_, (_, handle)) in running {
            if let Some(handle) = handle {
                handle.abort();
            }
        }
    }

    /// The first half of a graceful shutdown: no new attempt starts, deliveries waiting
    /// for their next attempt stop (they stay pending in the store, and resume on the
    /// next start), `/v1/stream` connections end. Attempts on the wire carry on: see
    /// `drained`.
    pub fn stop(&self) {
        self.closing.send_replace(true);
        let mut state = self.state();
        self.stopping.store(true, Ordering::SeqCst);
        state.queue.clear();
    }

    /// After `stop`: waits until the attempts on the wire have finished and been logged,
    /// `limit` at most, then stops whatever is left.
    pub async fn drained(&self, limit: Duration) {
        let mut busy = self.busy.subscribe();
        if tokio::time::timeout(limit, busy.wait_for(|n| *n == 0))
            .await
            .is_err()
        {
            tracing::warn!(
                in_flight = *busy.borrow(),
                "attempts still in flight at shutdown: cut short"
            );
        }
        self.shutdown();
    }

    /// Resolves once `stop` or `shutdown` was called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|c| *c).await;
        }
    }

    /// Pending deliveries being driven right now: waiting, or making an attempt.
    pub fn active(&self) -> usize {
        let state = self.state();
        state.queue.len() + state.running.len()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `f` under the state lock, then the attempts it started are spawned.
    fn with_state<R>(self: &Arc<Self>, f: impl FnOnce(&mut State) -> R) -> R {
        let (result, starts) = {
            let mut state = self.state();
            let result = f(&mut state);
            (result, std::mem::take(&mut state.starts))
        };
        if !starts.is_empty() {
            self.spawn_attempts(starts);
        }
        result
    }

    /// Queues pending delivery `d` for its next attempt (stored as it is now: only its
    /// attempts change it from here on, each storing it after itself).
    fn start(self: &Arc<Self>, state: &mut State, d: DeliveryRecord) {
        if self.stopping.load(Ordering::SeqCst) {
            // Stays pending in the store: the next start resumes it.
            return;
        }
        let at = d.next_attempt_at.unwrap_or_else(now_ms);
        let w = state.queue.admit(d);
        self.wait_until(state, w, at);
    }

    /// `w`'s turn comes at `at` (Unix ms): the timer, or now.
    fn wait_until(self: &Arc<Self>, state: &mut State, w: Waiting, at: i64) {
        if at > now_ms() {
            if state.queue.schedule(w, at) {
                self.wake_timer();
            }
        } else {
            self.due(state, w);
        }
    }

    /// `w`'s time has come: it waits for its webhook's chaos delay, if any, then for a
    /// slot of its endpoint.
    fn due(self: &Arc<Self>, state: &mut State, mut w: Waiting) {
        if !w.held {
            let hold = self.chaos_hold(&w.webhook_id);
            if hold > 0 {
                w.held = true;
                let at = now_ms().saturating_add(i64::try_from(hold).unwrap_or(i64::MAX));
                if state.queue.schedule(w, at) {
                    self.wake_timer();
                }
                return;
            }
        }
        w.held = false;
        let webhook_id = Arc::clone(&w.webhook_id);
        state.queue.push_ready(w);
        self.start_ready(state, &webhook_id);
    }

    /// Starts the attempts of `webhook_id`'s ready deliveries while it has free slots.
    fn start_ready(self: &Arc<Self>, state: &mut State, webhook_id: &str) {
        if self.stopping.load(Ordering::SeqCst) {
            return;
        }
        while let Some(w) = state
            .queue
            .start_next(webhook_id, self.settings.max_in_flight)
        {
            let tag = self.next_tag.fetch_add(1, Ordering::Relaxed);
            self.busy.send_modify(|n| *n += 1);
            state.running.insert(w.id.clone(), (tag, None));
            state.starts.push((w, tag));
        }
    }

    /// Spawns the attempts `start_ready` started (not under the state lock).
    fn spawn_attempts(self: &Arc<Self>, starts: Vec<(Waiting, u64)>) {
        let runtime = tokio::runtime::Handle::try_current().ok();
        let mut handles = Vec::with_capacity(starts.len());
        for (w, tag) in starts {
            // Counted and listed from here on, whatever happens to the task.
            let running = Running {
                engine: Arc::clone(self),
                id: w.id.clone(),
                tag,
            };
            let slot = Slot {
                engine: Arc::clone(self),
                webhook_id: Arc::clone(&w.webhook_id),
                ran: false,
            };
            let Some(runtime) = &runtime else {
                continue;
            };
            let id = w.id.clone();
            let engine = Arc::clone(self);
            let handle = runtime.spawn(async move {
                let _running = running;
                let mut slot = slot;
                slot.ran = true;
                engine.run_attempt(w, slot).await;
            });
            handles.push((id, tag, handle.abort_handle()));
        }
        let mut state = self.state();
        for (id, tag, handle) in handles {
            match state.running.get_mut(&id).filter(|(t, _)| *t == tag) {
                Some(entry) => entry.1 = Some(handle),
                // Replaced between `start_ready` and here (a manual retry found no handle
                // to abort): this attempt must not run beside the new one. A task that
                // already finished is unaffected.
                None => handle.abort(),
            }
        }
    }

    /// The task of one attempt: reads the record if the queue did not keep it, attempts,
    /// and queues the delivery for its next attempt if there is one.
    async fn run_attempt(self: Arc<Self>, w: Waiting, slot: Slot) {
        if self.stopping.load(Ordering::SeqCst) {
            // Its turn came past a shutdown: left pending for the next start.
            return;
        }
        let mut d = match w.record {
            Some(d) => *d,
            None => {
                let store = Arc::clone(&self.store);
                let id = w.id.clone();
                // Off the runtime's workers: the store may block.
                let read = tokio::task::spawn_blocking(move || store.delivery(&id))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()));
                match read {
                    Ok(Some(d)) if d.status == DeliveryStatus::Pending => d,
                    // Finished by other means meanwhile (a manual retry).
                    Ok(_) => return,
                    Err(e) => {
                        tracing::error!(delivery = %w.id, error = %e, "delivery stopped");
                        return;
                    }
                }
            }
        };
        match self.attempt(&mut d, slot).await {
            Ok(Some(next)) => self.with_state(|state| {
                if !self.stopping.load(Ordering::SeqCst) {
                    let w = state.queue.admit(d);
                    self.wait_until(state, w, next);
                }
            }),
            Ok(None) => {}
            Err(e) => tracing::error!(delivery = %d.id, error = %e, "delivery stopped"),
        }
    }

    /// Starts the timer task if it is not running, and has it look at the queue again.
    fn wake_timer(self: &Arc<Self>) {
        if !self.timer_started.load(Ordering::SeqCst) {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                if !self.timer_started.swap(true, Ordering::SeqCst) {
                    runtime.spawn(run_timer(Arc::downgrade(self), Arc::clone(&self.timer)));
                }
            }
        }
        self.timer.notify_one();
    }

    /// Moves the deliveries that have come due out of the timer map and starts the
    /// queues of the endpoints whose pause has ended; when the next one comes due.
    fn fire_due(self: &Arc<Self>) -> Option<i64> {
        self.with_state(|state| {
            let now = now_ms();
            while let Some(w) = state.queue.pop_due(now) {
                self.due(state, w);
            }
            while let Some(webhook_id) = state.queue.pop_unthrottled(now) {
                self.start_ready(state, &webhook_id);
            }
            state.queue.next_due()
        })
    }

    /// When the pause of webhook `webhook_id`'s endpoint ends (Unix ms), if it is
    /// throttled (in memory only: a restart forgets it).
    pub fn throttled_until(&self, webhook_id: &str) -> Option<i64> {
        let until = self.state().queue.throttled_until(webhook_id)?;
        // The timer lifts it a moment after.
        (until > now_ms()).then_some(until)
    }

    /// Ends the pause of webhook `webhook_id`'s endpoint (the webhook was deleted, and one
    /// made again with its id is a new endpoint); its waiting deliveries start.
    pub fn unthrottle(self: &Arc<Self>, webhook_id: &str) {
        self.with_state(|state| {
            if state.queue.unthrottle(webhook_id) {
                self.start_ready(state, webhook_id);
            }
        });
    }

    /// Pauses the endpoint of delivery `d` for `throttle` (scaled), or leaves a longer
    /// pause as it is; what the attempt log says of it.
    fn throttle(self: &Arc<Self>, d: &DeliveryRecord, throttle: schedule::Throttle) -> String {
        let until = scaled_after(now_ms(), throttle.ms, self.settings.time_scale);
        let extended = self.state().queue.throttle(&d.webhook_id, until);
        if extended == Some(true) {
            self.wake_timer();
        }
        throttle.describe(extended.is_some(), self.settings.time_scale)
    }

    /// Makes the next attempt of pending delivery `d`, holding `slot` until the answer,
    /// and stores `d` after it; the time of the one after, if any.
    async fn attempt(
        self: &Arc<Self>,
        d: &mut DeliveryRecord,
        slot: Slot,
    ) -> Result<Option<i64>, StoreError> {
        // Read on every attempt: an update, a rotation or a deletion applies to the next one.
        let webhook = self.store.shared_webhook(&d.webhook_id)?;
        let number = d.attempts + 1;
        let reason = retry_reason(d);
        let started_at = now_ms();
        let mut headers = Vec::new();
        let mut sent = match &webhook {
            None => {
                self.forget_prepared(&d.webhook_id);
                Sent::not_sent("the webhook was deleted".into())
            }
            // As providers do: disabling an endpoint stops its retries too.
            Some(w) if !w.enabled => Sent::not_sent("the webhook is disabled".into()),
            Some(w) => {
                let prepared = self.prepared(w, started_at);
                let request = request_of(d, &w.id, number, reason);
                match sign(&prepared, d, &request, started_at) {
                    Err(e) => Sent::not_sent(format!("cannot sign: {e}")),
                    Ok(h) => {
                        headers = h;
                        let timeout = prepared.timeout(&self.settings);
                        prepared
                            .post(&self.client, &headers, d.body.bytes(), timeout)
                            .await
                    }
                }
            }
        };
        // The extra requests of the webhook's chaos (below) go out on this attempt's slot,
        // so that --max-in-flight bounds them too; otherwise the slot is free now.
        let extras = sent.outcome != Outcome::Error
            && webhook
                .as_ref()
                .and_then(|w| w.chaos.as_ref())
                .is_some_and(|c| c.sends_extra());
        // Before the slot is given back, or the endpoint's next delivery would start.
        if let Some(throttle) = schedule::throttle(sent.status_code, sent.retry_after) {
            let note = self.throttle(d, throttle);
            if let Some(error) = &mut sent.error {
                error.push_str("; ");
                error.push_str(&note);
            }
        }
        let slot = extras.then_some(slot);
        let now = now_ms();
        let rule = match &webhook {
            Some(w) => schedule::answer_rule(w, d, &mut sent),
            None => schedule::AnswerRule::default(),
        };
        if rule.disable {
            let disabled = self.disable_webhook(&d.webhook_id).await;
            if disabled {
                tracing::warn!(webhook = %d.webhook_id, "410 Gone: webhook disabled (Standard Webhooks)");
            }
            sent.error = Some(
                if disabled {
                    GONE_DISABLES
                } else {
                    GONE_ALREADY
                }
                .into(),
            );
        }
        let next = match sent.outcome {
            Outcome::Success => {
                d.status = DeliveryStatus::Success;
                None
            }
            // Nothing will change on its own: no point retrying.
            Outcome::Error => {
                d.status = DeliveryStatus::Failed;
                None
            }
            _ if rule.last => {
                d.status = DeliveryStatus::Failed;
                None
            }
            _ => match schedule::wait_after(&d.schedule, number, d.max_attempts) {
                Some(wait) => Some(scaled_after(
                    now,
                    wait.max(rule.at_least_ms),
                    self.settings.time_scale,
                )),
                None => {
                    d.status = DeliveryStatus::Failed;
                    None
                }
            },
        };
        d.attempts = number;
        d.next_attempt_at = next;
        d.last_status_code = sent.status_code;
        d.last_error.clone_from(&sent.error);
        d.updated_at = now;
        let url = webhook.as_ref().map(|w| w.url.clone()).unwrap_or_default();
        let record = AttemptRecord {
            next_attempt_at: next,
            ..attempt_record(d, number, url, started_at, sent, headers)
        };
        // The extra requests of the webhook's chaos follow the real attempt.
        let chaos = webhook
            .as_ref()
            .zip(webhook.as_ref().and_then(|w| w.chaos.clone()))
            .filter(|_| extras)
            .map(|(w, c)| (Arc::clone(w), c, record.request_headers.clone()));
        // One transaction for the attempt's log row and the delivery's new state.
        let delivery = Arc::new(d.clone());
        let record = self
            .writer
            .record_attempt(Arc::new(record), Some(Arc::clone(&delivery)))
            .await?;
        tracing::info!(
            delivery = %d.id,
            webhook = %d.webhook_id,
            attempt = number,
            outcome = ?record.outcome,
            status = ?record.status_code,
            response_time_ms = record.response_time_ms,
            error = record.error.as_deref().unwrap_or(""),
            final_status = d.status.as_str(),
            "attempt"
        );
        self.notify(|| Notice::Attempt {
            attempt: record,
            delivery,
        });
        if let Some((w, c, headers)) = chaos {
            self.chaos_sends(&w, &c, d, (number, reason), headers)
                .await?;
        }
        drop(slot);
        Ok(next)
    }

    /// Draws from webhook `w`'s chaos RNG.
    fn chaos_draw<T>(&self, w: &WebhookRecord, c: &Chaos, f: impl FnOnce(&mut StdRng) -> T) -> T {
        let mut rngs = self.chaos_rngs.lock().unwrap_or_else(|e| e.into_inner());
        let entry = rngs
            .entry(w.id.clone())
            .or_insert_with(|| (c.clone(), chaos::rng(c, self.settings.chaos_seed, &w.id)));
        if entry.0 != *c {
            *entry = (c.clone(), chaos::rng(c, self.settings.chaos_seed, &w.id));
        }
        f(&mut entry.1)
    }

    /// How long (ms) the next attempt to webhook `webhook_id` waits for its `delay_ms` /
    /// `reorder`; 0 without them.
    fn chaos_hold(&self, webhook_id: &str) -> u64 {
        let Some(w) = self.store.shared_webhook(webhook_id).ok().flatten() else {
            return 0;
        };
        let Some(c) = w.chaos.clone() else {
            return 0;
        };
        let Some([min, max]) = c.delay_range() else {
            return 0;
        };
        let delay = self.chaos_draw(&w, &c, |rng| rng.gen_range(min..=max.max(min)));
        if c.reorder {
            return delay;
        }
        // In order: never released before an earlier attempt to the same endpoint.
        let now = now_ms();
        let mut release = self.chaos_release.lock().unwrap_or_else(|e| e.into_inner());
        let last = release.entry(w.id.clone()).or_insert(0);
        let at = (now + i64::try_from(delay).unwrap_or(i64::MAX)).max(*last + 1);
        *last = at;
        u64::try_from(at - now).unwrap_or(0)
    }

    /// After attempt `number` of `d`: the duplicate, forged and stale requests the
    /// webhook's chaos draws, each sent and logged; the delivery is left as it is.
    async fn chaos_sends(
        &self,
        w: &Arc<WebhookRecord>,
        c: &Chaos,
        d: &DeliveryRecord,
        (number, reason): (u32, Option<&'static str>),
        headers: Vec<(String, String)>,
    ) -> Result<(), StoreError> {
        let scheme: Scheme = w.profile.parse().unwrap_or(Scheme::Vector);
        let request = request_of(d, &w.id, number, reason);
        let (duplicate, forged, stale) = self.chaos_draw(w, c, |rng| {
            (
                chaos::chance(rng, c.duplicate),
                chaos::chance(rng, c.forge_signature),
                chaos::chance(rng, c.stale_timestamp),
            )
        });
        let now = now_ms();
        let secs = now.div_euclid(1000);
        let mut sends = Vec::new();
        if duplicate && !headers.is_empty() {
            sends.push((chaos::Kind::Duplicate, Ok(headers)));
        }
        if forged {
            // A key the receiver cannot have: a fresh random secret.
            let wrong = crate::api::handlers::generate_secret();
            let h = Webhook::new(scheme, &wrong).and_then(|signer| {
                signed_headers(&signer, &request, &d.id, d.body.as_bytes(), secs)
            });
            sends.push((chaos::Kind::Forged, h));
        }
        let prepared = self.prepared(w, now);
        if stale && scheme.is_timestamped() {
            if let Ok(signer) = &prepared.signer {
                let at = secs - chaos::STALE_SECS;
                let h = signed_headers(signer, &request, &d.id, d.body.as_bytes(), at);
                sends.push((chaos::Kind::Stale, h));
            }
        }
        for (kind, headers) in sends {
            let Ok(headers) = headers else {
                continue;
            };
            let started_at = now_ms();
            let timeout = prepared.timeout(&self.settings);
            let sent = prepared
                .post(&self.client, &headers, d.body.bytes(), timeout)
                .await;
            let expect = kind.expect();
            let accepted_bad = expect == chaos::Expect::Reject && sent.outcome == Outcome::Success;
            let (outcome, error) = match (kind, sent.outcome) {
                (chaos::Kind::Duplicate, o) => (o, sent.error.clone()),
                (chaos::Kind::Forged, Outcome::Success) => (
                    Outcome::AcceptedForgery,
                    Some("accepted a request signed with a wrong key: it must be rejected".into()),
                ),
                (chaos::Kind::Stale, Outcome::Success) => (
                    Outcome::AcceptedStale,
                    Some(format!(
                        "accepted a replay signed {} s ago: it must be rejected",
                        chaos::STALE_SECS
                    )),
                ),
                (_, Outcome::HttpError) => (Outcome::Rejected, None),
                (_, o) => (o, sent.error.clone()),
            };
            let record = AttemptRecord {
                outcome,
                error,
                chaos: Some(chaos::Sent {
                    kind,
                    expect,
                    receiver_accepted_bad: accepted_bad,
                }),
                ..attempt_record(d, number, w.url.clone(), started_at, sent, headers)
            };
            let record = self.writer.record_attempt(Arc::new(record), None).await?;
            if accepted_bad {
                tracing::warn!(
                    delivery = %d.id,
                    webhook = %d.webhook_id,
                    chaos = ?kind,
                    status = ?record.status_code,
                    "the receiver accepted a request it must reject"
                );
            } else {
                tracing::info!(
                    delivery = %d.id,
                    webhook = %d.webhook_id,
                    chaos = ?kind,
                    outcome = ?record.outcome,
                    status = ?record.status_code,
                    "chaos request"
                );
            }
            self.notify(|| Notice::Attempt {
                attempt: record,
                delivery: Arc::new(d.clone()),
            });
        }
        Ok(())
    }

    /// What attempts to webhook `w` need at `now_ms`: the one built before if it still
    /// fits, else a new one.
    fn prepared(&self, w: &Arc<WebhookRecord>, now_ms: i64) -> Arc<Prepared> {
        let cached = self
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&w.id)
            .filter(|p| p.fits(w, now_ms))
            .cloned();
        cached.unwrap_or_else(|| {
            let fresh = Arc::new(Prepared::new(w, now_ms));
            self.prepared
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(w.id.clone(), Arc::clone(&fresh));
            fresh
        })
    }

    /// Drops what was built for a deleted webhook.
    fn forget_prepared(&self, webhook_id: &str) {
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(webhook_id);
    }
}

/// The timer task: moves deliveries out of the timer map as they come due, sleeping
/// until the next one or until woken (one comes due sooner). Ends with the engine.
async fn run_timer(engine: Weak<Engine>, wake: Arc<Notify>) {
    loop {
        let Some(next) = engine.upgrade().map(|e| e.fire_due()) else {
            return;
        };
        match next {
            Some(at) => {
                let wait = until(at);
                if !wait.is_zero() {
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = wake.notified() => {}
                    }
                }
            }
            None => wake.notified().await,
        }
    }
}

/// Every header of one attempt: the profile's own, then the signature headers from
/// `hookproof`, signed now with the current secret and any still in their grace period.
fn sign(
    p: &Prepared,
    d: &DeliveryRecord,
    r: &payload::Request<'_>,
    now_ms: i64,
) -> Result<Vec<(String, String)>, hookproof::Error> {
    let signer = p.signer.as_ref().map_err(Clone::clone)?;
    signed_headers(signer, r, &d.id, d.body.as_bytes(), now_ms.div_euclid(1000))
}

/// Request number `attempt` of delivery `d` to webhook `webhook_id`, retrying after a
/// failure for `retry_reason`.
fn request_of<'a>(
    d: &'a DeliveryRecord,
    webhook_id: &'a str,
    attempt: u32,
    retry_reason: Option<&'static str>,
) -> payload::Request<'a> {
    payload::Request {
        event_type: &d.event_type,
        event_id: &d.event_id,
        webhook_id,
        created_at: d.created_at,
        attempt,
        retry_reason,
    }
}

/// Why `d`'s last attempt failed, in Slack's words (`X-Slack-Retry-Reason`), before its
/// next attempt; `None` before its first.
fn retry_reason(d: &DeliveryRecord) -> Option<&'static str> {
    if d.attempts == 0 {
        None
    } else if d.last_status_code.is_some() {
        Some("http_error")
    } else if d
        .last_error
        .as_deref()
        .is_some_and(|e| e.starts_with(attempt::TIMED_OUT))
    {
        Some("http_timeout")
    } else {
        Some("connection_failed")
    }
}

/// Every header of request `r` of `signer`'s profile: the profile's own, then the
/// signature headers of `body`, delivery `delivery_id`, signed at `timestamp` (Unix
/// seconds) by `signer`.
pub fn signed_headers(
    signer: &Webhook,
    r: &payload::Request<'_>,
    delivery_id: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Vec<(String, String)>, hookproof::Error> {
    let signed = signer.sign(body, delivery_id, timestamp)?;
    Ok(payload::headers(signer.scheme(), r)
        .into_iter()
        .chain(signed)
        .map(|(k, v)| (k.to_owned(), v))
        .collect())
}

/// The log row of one request sent for delivery `d` (a real attempt or a chaos extra).
fn attempt_record(
    d: &DeliveryRecord,
    number: u32,
    url: String,
    started_at: i64,
    sent: Sent,
    request_headers: Vec<(String, String)>,
) -> AttemptRecord {
    AttemptRecord {
        id: new_id("atm"),
        delivery_id: d.id.clone(),
        webhook_id: d.webhook_id.clone(),
        event: d.event_type.clone(),
        attempt: number,
        url,
        delivered_at: started_at,
        response_time_ms: u64::try_from(sent.duration.as_millis()).unwrap_or(u64::MAX),
        outcome: sent.outcome,
        status_code: sent.status_code,
        error: sent.error,
        response_body: sent.response_body,
        request_headers,
        next_attempt_at: None,
        chaos: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PreviousSecret;

    #[test]
    fn the_timer_sleeps_until_the_millisecond_not_whole_milliseconds_from_now() {
        assert_eq!(until(now_ms() - 5), Duration::ZERO);
        assert_eq!(until(-1), Duration::ZERO);
        let at = now_ms() + 1000;
        let wait = until(at);
        // Whatever part of the present millisecond has passed is not waited again.
        assert!(wait <= Duration::from_millis(1000), "{wait:?}");
        assert!(wait > Duration::from_millis(990), "{wait:?}");
    }

    #[test]
    fn prune_interval_is_hourly_or_half_a_short_retention() {
        let secs = |s: u64| Duration::from_secs(s);
        assert_eq!(prune_interval(secs(90 * 86_400)), secs(3600));
        assert_eq!(prune_interval(secs(7200)), secs(3600));
        assert_eq!(prune_interval(secs(600)), secs(300));
        assert_eq!(prune_interval(secs(1)), secs(1));
        assert_eq!(prune_interval(Duration::ZERO), secs(1));
    }

    fn webhook(previous_expires_at: i64) -> WebhookRecord {
        WebhookRecord {
            url: "http://127.0.0.1:1/hook".into(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            previous_secrets: vec![PreviousSecret {
                secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
                expires_at: previous_expires_at,
            }],
            ..crate::store::fixtures::webhook("wh_1")
        }
    }

    fn signatures(p: &Prepared) -> usize {
        let signed = p.signer.as_ref().unwrap().sign(b"{}", "msg_1", 1).unwrap();
        let (_, sigs) = signed
            .iter()
            .find(|(k, _)| *k == "webhook-signature")
            .unwrap();
        sigs.split(' ').count()
    }

    #[test]
    fn delivery_ids_take_their_providers_form() {
        let uuid = delivery_id(Scheme::Github);
        assert!(uuid::Uuid::parse_str(&uuid).is_ok(), "{uuid}");
        assert!(uuid::Uuid::parse_str(&delivery_id(Scheme::Shopify)).is_ok());
        assert!(delivery_id(Scheme::Svix).starts_with("msg_"));
        assert!(delivery_id(Scheme::Standard).starts_with("msg_"));
        assert!(delivery_id(Scheme::Vector).parse::<ulid::Ulid>().is_ok());
    }

    #[tokio::test]
    async fn an_events_deliveries_of_one_profile_share_one_body() {
        let store = Arc::new(crate::store::SqliteStore::memory().unwrap());
        let settings = Settings {
            time_scale: 1.0,
            attempt_timeout: Some(Duration::from_secs(1)),
            max_in_flight: 1,
            chaos_seed: None,
        };
        let client = HttpClient::new(rustls::RootCertStore::empty()).unwrap();
        let engine = Engine::new(store, client, settings).unwrap();
        let standard = |id: &str| WebhookRecord {
            // Attempts start only after a minute: this test looks at the records alone.
            retry_schedule: Some(vec![60_000]),
            ..crate::store::fixtures::webhook(id)
        };
        let (a, b) = (standard("wh_a"), standard("wh_b"));
        let stripe = WebhookRecord {
            profile: "stripe".into(),
            ..standard("wh_c")
        };
        let data = serde_json::json!({ "n": 1 });
        let ds = engine
            .enqueue_all(&[&a, &b, &stripe], "evt_1", "a.b", &data)
            .await
            .unwrap();
        assert_eq!(ds[0].body.as_ptr(), ds[1].body.as_ptr(), "one body");
        assert_ne!(ds[0].body, ds[2].body, "each profile its own");
        assert!(ds[2].body.contains(r#""object":"event""#));
        engine.shutdown();
    }

    #[test]
    fn a_prepared_webhook_lasts_until_it_changes_or_a_grace_period_ends() {
        let w = Arc::new(webhook(1_000));
        let p = Prepared::new(&w, 500);
        assert_eq!(
            signatures(&p),
            2,
            "the previous secret is in its grace period"
        );
        assert_eq!(
            p.url.as_ref().map(ToString::to_string).as_deref(),
            Some(w.url.as_str())
        );
        assert!(p.fits(&w, 999));
        assert!(!p.fits(&w, 1_000), "the grace period is over");
        assert_eq!(signatures(&Prepared::new(&w, 1_000)), 1);
        let same_but_stored_again = Arc::new(webhook(1_000));
        assert!(!p.fits(&same_but_stored_again, 500));
        let expired = Arc::new(webhook(0));
        assert!(
            Prepared::new(&expired, 500).fits(&expired, i64::MAX - 1),
            "no grace period to end"
        );
    }
}
