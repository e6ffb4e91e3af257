//! # hookproof-sender
//!
//! A local, offline webhook provider: it stores webhook endpoints, sends them events
//! signed by `hookproof` (the same code receivers verify with), retries failures on a
//! schedule, and logs every attempt. `main.rs` is only the CLI; everything is here so
//! tests can drive the API in-process with `warp::test::request()`.

#![forbid(unsafe_code)]

pub mod api;
pub mod config;
pub mod delivery;
pub mod store;

use std::path::Path;
use std::sync::Arc;

use warp::filters::BoxedFilter;
use warp::reply::Response;

pub use api::error::ApiError;
pub use config::{Config, DbLocation};
pub use delivery::Engine;

use api::models::{ConfigFile, CreateWebhook};
use delivery::RetrySchedule;
use store::{SqliteStore, Store, StoreError, WebhookRecord};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error("config file {path}: {message}")]
    ConfigFile { path: String, message: String },
}

/// A built sender: the routes to serve and the engine delivering in the background.
pub struct App {
    pub routes: BoxedFilter<(Response,)>,
    pub engine: Arc<Engine>,
    pub store: Arc<dyn Store>,
}

/// Builds the sender. Nothing runs until `App::start` (inside a Tokio runtime).
pub fn app(config: &Config) -> Result<App, StartError> {
    let store: Arc<dyn Store> = match &config.db {
        DbLocation::Memory => Arc::new(SqliteStore::memory()?),
        DbLocation::File(path) => Arc::new(SqliteStore::open(path)?),
    };
    let engine = Engine::new(
        Arc::clone(&store),
        RetrySchedule::new(config.retry_schedule.clone(), config.time_scale),
        config.attempt_timeout,
    )?;
    let state = api::State {
        store: Arc::clone(&store),
        engine: Arc::clone(&engine),
        max_body_bytes: config.max_body_bytes,
        token: config.token.as_deref().map(Arc::from),
    };
    Ok(App {
        routes: api::filters::routes(state),
        engine,
        store,
    })
}

impl App {
    /// Resumes the pending deliveries found in the store; how many.
    pub fn start(&self) -> Result<usize, StoreError> {
        self.engine.resume()
    }

    /// Creates a webhook, or replaces the one with the same id (keeping its creation
    /// time): what `--config` does for each entry.
    pub fn upsert_webhook(&self, req: CreateWebhook) -> Result<WebhookRecord, ApiError> {
        let mut w = api::handlers::new_webhook(req)?;
        if let Some(old) = self.store.webhook(&w.id)? {
            w.created_at = old.created_at;
        }
        self.store.put_webhook(&w)?;
        Ok(w)
    }

    /// Creates or replaces the webhooks of a `--config` file.
    pub fn load_config_file(&self, path: &Path) -> Result<Vec<WebhookRecord>, StartError> {
        let fail = |message: String| StartError::ConfigFile {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let file: ConfigFile = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
        file.into_webhooks()
            .into_iter()
            .enumerate()
            .map(|(i, req)| {
                self.upsert_webhook(req).map_err(|e| {
                    let field = e.field.map(|f| format!(".{f}")).unwrap_or_default();
                    fail(format!("webhooks[{i}]{field}: {}", e.message))
                })
            })
            .collect()
    }
}
