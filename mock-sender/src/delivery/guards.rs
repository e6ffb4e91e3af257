//! The task-lifetime guards of an attempt: whatever ends its task (its end, an abort, a
//! runtime shutting down), the engine's counts and its endpoint's slot are given back.

use std::sync::Arc;

use super::engine::Engine;

/// One attempt's task, from its start to its end, also when it is aborted: counted in
/// `Engine::busy`, listed in `State::running`.
pub(super) struct Running {
    pub(super) engine: Arc<Engine>,
    pub(super) id: Box<str>,
    pub(super) tag: u64,
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
pub(super) struct Slot {
    pub(super) engine: Arc<Engine>,
    pub(super) webhook_id: Arc<str>,
    /// Its task ran. One dropped before (aborted, or dropped by a runtime shutting down)
    /// leaves starting the next to a task of its own, so that a runtime dropping tasks
    /// does not start (and drop) the whole queue in one chain of drops.
    pub(super) ran: bool,
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
