//! The REST API under `/v1`: `filters` (one function per route), `handlers`, `models`
//! (JSON shapes), `error` (the JSON rejection handler), `openapi` (the document at
//! `/openapi.json`), `inbox` (webhooks coming in), `stream` (server-sent events), `wait`
//! (long polls), `event_types` (the catalog), `overrides` (a request's edits of its
//! examples), `files` (the dashboard, the playground and the npm package) and `guard`
//! (the `Host` and `Origin` a request may name).

pub mod error;
pub mod event_types;
pub mod files;
pub mod filters;
pub mod guard;
pub mod handlers;
pub mod inbox;
pub mod models;
pub mod openapi;
pub mod overrides;
pub mod stream;
pub mod wait;

use std::sync::Arc;

use crate::delivery::Engine;
use crate::store::Db;
use crate::webhooks::Webhooks;

pub(crate) use crate::webhooks::checks::is_loopback_host;

/// The address a request came from, as the sender's server (`server::serve`) records it
/// in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub std::net::SocketAddr);

/// What every handler gets.
#[derive(Clone)]
pub struct State {
    /// The store, as async code reaches it.
    pub store: Db,
    /// The webhooks' rules: every change to a webhook goes through them.
    pub webhooks: Arc<Webhooks>,
    pub engine: Arc<Engine>,
    pub max_body_bytes: u64,
    /// A request's body must arrive within this long, else 408.
    pub body_read_timeout: std::time::Duration,
    pub token: Option<Arc<str>>,
    /// Names a request's `Host` may give besides loopback names and IP addresses
    /// (`--allowed-host`).
    pub allowed_hosts: Arc<[String]>,
    /// `/in/{name}` and `/v1/inboxes`.
    pub inboxes: crate::inbox::Inboxes,
}
