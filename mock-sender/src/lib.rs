//! # hookproof-sender
//!
//! A local, offline webhook provider: it stores webhook endpoints, sends them events
//! signed by `hookproof` (the same code receivers verify with), retries failures on a
//! schedule, and logs every attempt. `main.rs` is only the CLI; everything is here so
//! tests can drive the API in-process with `warp::test::request()`.

#![forbid(unsafe_code)]
// `api::openapi::document` is one `serde_json::json!`, deeper than the default limit of 128.
#![recursion_limit = "256"]

pub mod api;
pub mod catalog;
pub mod chaos;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod doctor;
pub mod ids;
pub mod inbox;
pub mod keys;
pub mod mask;
pub mod probe;
pub mod profile;
pub mod server;
pub mod store;
pub mod testing;
pub mod webhooks;

use std::path::Path;
use std::sync::Arc;

use warp::filters::BoxedFilter;
use warp::reply::Response;

pub use api::error::ApiError;
pub use config::{Config, DbLocation};
pub use delivery::Engine;
pub use testing::TestSender;

use api::models::CreateWebhook;
use delivery::{HttpClient, Settings};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use store::{Db, StoreError, WebhookRecord};
use webhooks::Webhooks;

/// Where Linux distributions (and the BSDs, macOS with Homebrew's OpenSSL) keep the
/// system's trusted roots, as one PEM bundle; `SSL_CERT_FILE` first.
const SYSTEM_ROOT_BUNDLES: [&str; 6] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
];

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("HTTP client: {0}")]
    Client(#[from] rustls::Error),
    #[error("config file {path}: {message}")]
    ConfigFile { path: String, message: String },
    #[error("--ca-cert {path}: {message}")]
    CaCert { path: String, message: String },
    #[error("starting the store's writer thread: {0}")]
    Writer(#[from] std::io::Error),
    #[error("cannot listen: {0}")]
    Listen(String),
}

/// A built sender: the routes to serve and the engine delivering in the background.
pub struct App {
    pub routes: BoxedFilter<(Response,)>,
    pub engine: Arc<Engine>,
    /// The store, as async code reaches it (`store::Db`).
    pub store: Db,
    pub webhooks: Arc<Webhooks>,
    pub inboxes: inbox::Inboxes,
    retention: std::time::Duration,
}

/// Builds the sender. Nothing runs until `App::start` (inside a Tokio runtime).
pub fn app(config: &Config) -> Result<App, StartError> {
    let store = match &config.db {
        // Captures may take a quarter of --memory-limit besides the deliveries.
        DbLocation::Memory => {
            Db::memory(usize::try_from(config.memory_limit).unwrap_or(usize::MAX))
        }
        DbLocation::File(path) => Db::open(path)?,
    };
    let webhooks =
        Arc::new(Webhooks::new(store.clone(), config.allow_http).listening_on(config.listen));
    let engine = Engine::new(
        Arc::clone(&webhooks),
        http_client(config)?,
        Settings {
            time_scale: config.time_scale,
            attempt_timeout: config.attempt_timeout,
            max_in_flight: config.max_in_flight,
            chaos_seed: config.chaos_seed,
        },
    )?;
    let inboxes = inbox::Inboxes::new(
        store.clone(),
        http_client(config)?,
        config
            .attempt_timeout
            .unwrap_or(config::DEFAULT_ATTEMPT_TIMEOUT),
    );
    let state = api::State {
        store: store.clone(),
        webhooks: Arc::clone(&webhooks),
        engine: Arc::clone(&engine),
        max_body_bytes: config.max_body_bytes,
        body_read_timeout: config.body_read_timeout,
        token: config.token.as_deref().map(Arc::from),
        allowed_hosts: config.allowed_hosts.clone().into(),
        inboxes: inboxes.clone(),
    };
    let files = api::files::routes(config.www_dir.as_deref(), config.pkg_dir.as_deref());
    Ok(App {
        routes: api::filters::routes(state, files),
        engine,
        inboxes,
        store,
        webhooks,
        retention: config.retention,
    })
}

/// The HTTP client of every attempt (`delivery::HttpClient`): the built-in webpki roots,
/// the system's roots and `--ca-cert`.
pub fn http_client(config: &Config) -> Result<HttpClient, StartError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let system = std::env::var_os("SSL_CERT_FILE")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain(SYSTEM_ROOT_BUNDLES.iter().map(std::path::PathBuf::from))
        .find(|p| p.is_file());
    if let Some(pem) = system.and_then(|p| std::fs::read(p).ok()) {
        // What of a system bundle does not parse is skipped: the built-in roots remain.
        roots.add_parsable_certificates(CertificateDer::pem_slice_iter(&pem).flatten());
    }
    if let Some(path) = &config.ca_cert {
        let fail = |message: String| StartError::CaCert {
            path: path.display().to_string(),
            message,
        };
        let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(e.to_string()))?;
        if certs.is_empty() {
            return Err(fail("no PEM certificate in the file".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| fail(e.to_string()))?;
        }
    }
    Ok(HttpClient::new(roots)?)
}

impl App {
    /// Resumes the pending deliveries found in the store (how many), and starts pruning
    /// logs and captures past the retention.
    pub async fn start(&self) -> Result<usize, StoreError> {
        store::prune::keep_pruning(self.store.clone(), self.retention);
        self.engine.resume().await
    }

    /// Creates a webhook, or replaces the one with the same id (keeping its creation
    /// time): what `--config` does for each entry.
    pub async fn upsert_webhook(&self, req: CreateWebhook) -> Result<WebhookRecord, ApiError> {
        Ok(self.webhooks.upsert(req).await?)
    }

    /// Creates or replaces the webhooks of a `--config` file.
    pub async fn load_config_file(&self, path: &Path) -> Result<Vec<WebhookRecord>, StartError> {
        let fail = |message: String| StartError::ConfigFile {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let file: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
        let entries = match file {
            serde_json::Value::Array(list) => list,
            serde_json::Value::Object(mut o) => match o.remove("webhooks") {
                Some(serde_json::Value::Array(list)) => list,
                _ => return Err(fail("expected {\"webhooks\": [...]} or an array".into())),
            },
            _ => return Err(fail("expected {\"webhooks\": [...]} or an array".into())),
        };
        // Every entry is checked before any is stored.
        let requests = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let bytes = serde_json::to_vec(entry).unwrap_or_default();
                api::error::parse_json::<CreateWebhook>(&bytes).map_err(|e| (i, e))
            })
            .collect::<Result<Vec<_>, _>>();
        let at = |i: usize, e: ApiError| {
            let field = e.field.map(|f| format!(".{f}")).unwrap_or_default();
            fail(format!("webhooks[{i}]{field}: {}", e.message))
        };
        let requests = requests.map_err(|(i, e)| at(i, e))?;
        for (i, req) in requests.iter().enumerate() {
            self.webhooks
                .check(req.clone())
                .map_err(|e| at(i, e.into()))?;
        }
        let mut stored = Vec::with_capacity(requests.len());
        for (i, req) in requests.into_iter().enumerate() {
            stored.push(self.upsert_webhook(req).await.map_err(|e| at(i, e))?);
        }
        Ok(stored)
    }
}
