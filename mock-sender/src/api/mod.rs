//! The REST API under `/v1`: `filters` (one function per route), `handlers`, `models`
//! (JSON shapes), `error` (the JSON rejection handler), `openapi` (the document at
//! `/openapi.json`), `stream` (server-sent events), `wait` (long polls) and `files` (the dashboard, the
//! playground and the npm package, from disk).

pub mod error;
pub mod files;
pub mod filters;
pub mod handlers;
pub mod models;
pub mod openapi;
pub mod stream;
pub mod wait;

use std::sync::Arc;

use crate::delivery::Engine;
use crate::store::Store;

/// What every handler gets.
#[derive(Clone)]
pub struct State {
    pub store: Arc<dyn Store>,
    pub engine: Arc<Engine>,
    pub max_body_bytes: u64,
    pub token: Option<Arc<str>>,
    /// `http://` URLs to hosts other than loopback are accepted.
    pub allow_http: bool,
    /// The server listens on loopback: requests must name a loopback `Host`.
    pub loopback_only: bool,
}

/// Whether `host` (a URL's or a `Host` header's name, an IPv6 address without brackets)
/// is this machine: `localhost` itself or a loopback address (IPv4-mapped IPv6 included).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Ok(v4) => v4.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

impl State {
    /// The turn to change webhooks; no `.await` while it is held.
    /// Held while a webhook is read, changed and written back (create, update, rotate,
    /// delete), so that two such requests cannot each write over the other's change (a
    /// rotated secret lost to a concurrent update); the engine takes it too.
    pub fn webhook_writes(&self) -> std::sync::MutexGuard<'_, ()> {
        self.engine.webhook_writes()
    }
}
