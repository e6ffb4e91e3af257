//! The REST API: `filters` (one function per route), `handlers`, `models` (JSON shapes),
//! `error` (the JSON rejection handler) and `openapi` (the document at `/openapi.json`).

pub mod error;
pub mod filters;
pub mod handlers;
pub mod models;
pub mod openapi;

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
}
