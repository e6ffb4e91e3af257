//! The engine and its queue state: where deliveries wait for their next attempt and a
//! free slot of their endpoint, and how each attempt's task is started.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rand::rngs::StdRng;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::AbortHandle;

use super::guards::{Running, Slot};
use super::queue::{Queue, Waiting};
use super::signer::Prepared;
use super::{scaled_after, schedule, HttpClient, Notice, Settings};
use crate::chaos::Chaos;
use crate::clock::{now_ms, until};
use crate::store::{Db, DeliveryRecord, DeliveryStatus};
use crate::webhooks::Webhooks;

/// Delivers: see the module's documentation.
pub struct Engine {
    /// The store: writes go to its writer thread, off the runtime's workers.
    pub(super) store: Db,
    pub(super) client: HttpClient,
    pub(super) settings: Settings,
    /// The waiting deliveries and the attempts under way.
    pub(super) state: Mutex<State>,
    /// Wakes the timer task: a delivery now comes due first.
    pub(super) timer: Arc<Notify>,
    pub(super) timer_started: AtomicBool,
    pub(super) next_tag: AtomicU64,
    pub(super) events: broadcast::Sender<Notice>,
    /// Set (under the `state` lock) by `stop`: no attempt starts after it.
    pub(super) stopping: AtomicBool,
    /// Attempts under way.
    pub(super) busy: watch::Sender<usize>,
    /// True once stopping: ends the `/v1/stream` connections.
    pub(super) closing: watch::Sender<bool>,
    /// What each webhook's attempts need, built once: see `Prepared`.
    pub(super) prepared: Mutex<HashMap<String, Arc<Prepared>>>,
    /// Each webhook's chaos RNG, with the settings it was made for (new settings, new RNG).
    pub(super) chaos_rngs: Mutex<HashMap<String, (Chaos, StdRng)>>,
    /// The latest release time (Unix ms) of a delayed attempt per webhook, so that
    /// `delay_ms` without `reorder` keeps the deliveries in order.
    pub(super) chaos_release: Mutex<HashMap<String, i64>>,
    /// The webhooks' rules: a 410 disables a webhook through them.
    pub(super) webhooks: Arc<Webhooks>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) queue: Queue,
    /// The task of each attempt under way (its handle once spawned), tagged so that a
    /// replaced task's end cannot remove its replacement.
    pub(super) running: HashMap<Box<str>, (u64, Option<AbortHandle>)>,
    /// Deliveries a manual retry asked for while an attempt was on the wire: that attempt
    /// ends and is logged as usual, then the retry is made (`Running`'s drop).
    pub(super) retry_after: HashSet<Box<str>>,
    /// Deliveries a manual retry is rewriting (out of the queue, not yet back in): a second
    /// retry meanwhile changes nothing.
    pub(super) retrying: HashSet<Box<str>>,
    /// Attempts to spawn once the lock is released (`Engine::with_state`): a task dropped
    /// as it is spawned (by a runtime shutting down) takes the lock.
    pub(super) starts: Vec<(Waiting, u64)>,
}

impl Engine {
    pub fn new(
        webhooks: Arc<Webhooks>,
        client: HttpClient,
        settings: Settings,
    ) -> std::io::Result<Arc<Engine>> {
        Ok(Arc::new(Engine {
            store: webhooks.store().clone(),
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
            webhooks,
        }))
    }

    pub fn store(&self) -> &Db {
        &self.store
    }

    /// The `HOP_HEADER` value of this engine's requests.
    pub fn hop(&self) -> &str {
        self.client.hop()
    }

    /// Every new delivery and every attempt, as they are stored.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.events.subscribe()
    }

    /// Sends subscribers the notice `make` makes, made only if there is one (most of the
    /// time nobody listens: the records' copies would be made for nothing).
    pub(super) fn notify(&self, make: impl FnOnce() -> Notice) {
        if self.events.receiver_count() > 0 {
            // One gone since is fine.
            let _ = self.events.send(make());
        }
    }

    /// Gives back one unit of `busy` (an attempt's task, or the retry it handed over to).
    pub(super) fn release_busy(&self) {
        self.busy.send_modify(|n| *n = n.saturating_sub(1));
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

    /// Pending deliveries being driven right now: waiting, making an attempt, or a retry
    /// asked for during an attempt that is being handed over once it is logged (it has left
    /// `running` but still holds its unit of `busy` until it is queued again).
    pub fn active(&self) -> usize {
        let state = self.state();
        let attempts = state.running.len().max(*self.busy.borrow());
        state.queue.len() + attempts
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `f` under the state lock, then the attempts it started are spawned.
    pub(super) fn with_state<R>(self: &Arc<Self>, f: impl FnOnce(&mut State) -> R) -> R {
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
    pub(super) fn start(self: &Arc<Self>, state: &mut State, d: DeliveryRecord) {
        if self.stopping.load(Ordering::SeqCst) {
            // Stays pending in the store: the next start resumes it.
            return;
        }
        let at = d.next_attempt_at.unwrap_or_else(now_ms);
        let w = state.queue.admit(d);
        self.wait_until(state, w, at);
    }

    /// `w`'s turn comes at `at` (Unix ms): the timer, or now.
    pub(super) fn wait_until(self: &Arc<Self>, state: &mut State, w: Waiting, at: i64) {
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
    pub(super) fn due(self: &Arc<Self>, state: &mut State, mut w: Waiting) {
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
    pub(super) fn start_ready(self: &Arc<Self>, state: &mut State, webhook_id: &str) {
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
    pub(super) fn spawn_attempts(self: &Arc<Self>, starts: Vec<(Waiting, u64)>) {
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
    pub(super) async fn run_attempt(self: Arc<Self>, w: Waiting, slot: Slot) {
        if self.stopping.load(Ordering::SeqCst) {
            // Its turn came past a shutdown: left pending for the next start.
            return;
        }
        let mut d = match w.record {
            Some(d) => *d,
            None => {
                match self.store.delivery(&w.id).await {
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
    pub(super) fn wake_timer(self: &Arc<Self>) {
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
    pub(super) fn fire_due(self: &Arc<Self>) -> Option<i64> {
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
    pub(super) fn throttle(
        self: &Arc<Self>,
        d: &DeliveryRecord,
        throttle: schedule::Throttle,
    ) -> String {
        let until = scaled_after(now_ms(), throttle.ms, self.settings.time_scale);
        let extended = self.state().queue.throttle(&d.webhook_id, until);
        if extended == Some(true) {
            self.wake_timer();
        }
        throttle.describe(extended.is_some(), self.settings.time_scale)
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
