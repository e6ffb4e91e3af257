//! The delivery engine: pending deliveries wait in `queue` (one timer map, a queue per
//! endpoint) until their next attempt and a free slot of their endpoint (at most
//! `max_in_flight` requests to one endpoint are on the wire at once, and none starts
//! while the endpoint is throttled after a 429, 502, 503 or 504); each attempt is a task
//! of its own, signing with `hookproof` and logging the attempt to the store and to
//! subscribers.
//!
//! By job: `engine` (the engine and its queue state), `enqueue` (deliveries made, resumed
//! and retried), `guards` (what an attempt's task gives back however it ends), `run` (one
//! attempt: sign, post, judge the answer, record it), `signer` (each webhook's signer and
//! parsed URL, cached), `chaos` (a webhook's chaos, as the engine acts it out), `queue`,
//! `schedule` (retry waits and answer rules), `attempt` (the HTTP request), `endpoint` (a URL
//! parsed to send to, its userinfo sent as `Authorization: Basic`) and `payload` (bodies
//! and headers of each profile).

mod attempt;
mod chaos;
mod endpoint;
mod engine;
mod enqueue;
mod guards;
pub mod payload;
mod queue;
mod run;
mod schedule;
mod signer;

use std::sync::Arc;
use std::time::Duration;

pub use attempt::{post, HttpClient, Sent, Target, HOP_HEADER};
pub use endpoint::{parse_url, take_credentials, Endpoint};
pub use engine::Engine;
pub use schedule::{profile_default, profile_timeout, scaled_after, LONGEST_PROFILE_TIMEOUT};
pub use signer::signed_headers;

use crate::store::{AttemptRecord, DeliveryRecord};

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
