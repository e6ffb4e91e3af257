//! A sender inside a Rust receiver's own tests: [`TestSender::start`] serves the whole
//! sender (API, engine, dashboard) on a free loopback port of the test's runtime, in
//! memory, with retry waits scaled by 0.001; its methods call the same API in-process.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use hookproof_sender::{api::models::CreateWebhook, TestSender};
//!
//! let sender = TestSender::start().await?;
//! let webhook = sender.create_webhook(CreateWebhook {
//!     url: "http://127.0.0.1:3000/webhooks".into(),
//!     events: vec!["*".into()],
//!     profile: Some("stripe".into()),
//!     ..CreateWebhook::default()
//! }).await?; // webhook.secret: the receiver's secret
//! let deliveries = sender.send_event("invoice.paid", serde_json::json!({"amount": 4200})).await?;
//! let delivered = sender.wait_for_delivery(&deliveries[0].id, std::time::Duration::from_secs(5)).await?;
//! assert_eq!(delivered.status, hookproof_sender::store::DeliveryStatus::Success);
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::oneshot;
use warp::http::StatusCode;

use crate::api::error::ApiError;
use crate::api::models::CreateWebhook;
use crate::store::{AttemptRecord, DeliveryRecord, Query, StoreError, WebhookRecord};
use crate::{App, Config, StartError};

/// A failed call: the API's `{error: {code, message, field}}` and HTTP status, or `timeout`
/// (408) from [`TestSender::wait_for_delivery`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message} ({code})")]
pub struct Error {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Error {
        Error {
            status: e.status.as_u16(),
            code: e.code.to_owned(),
            message: e.message,
            field: e.field,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        ApiError::from(e).into()
    }
}

/// A running sender for tests; stopped by [`TestSender::stop`] or when dropped.
pub struct TestSender {
    url: String,
    addr: SocketAddr,
    app: App,
    stop: Option<oneshot::Sender<()>>,
}

impl TestSender {
    /// The settings of [`TestSender::start`]: in memory, retry waits x0.001 (a 5 min retry
    /// in 300 ms), 5 s per attempt. Change them for [`TestSender::start_with`].
    pub fn config() -> Config {
        Config {
            time_scale: 0.001,
            attempt_timeout: Some(Duration::from_secs(5)),
            ..Config::default()
        }
    }

    /// Starts a sender with [`TestSender::config`] on a free port of 127.0.0.1.
    pub async fn start() -> Result<TestSender, StartError> {
        TestSender::start_with(TestSender::config()).await
    }

    /// Starts a sender with `config` on a free port of 127.0.0.1 (inside a Tokio runtime).
    pub async fn start_with(config: Config) -> Result<TestSender, StartError> {
        let app = crate::app(&config)?;
        app.start().await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let (addr, server) = warp::serve(app.routes.clone())
            .try_bind_with_graceful_shutdown(([127, 0, 0, 1], 0), async {
                let _ = stopped.await;
            })
            .map_err(|e| StartError::Listen(e.to_string()))?;
        tokio::spawn(server);
        Ok(TestSender {
            url: format!("http://{addr}"),
            addr,
            app,
            stop: Some(stop),
        })
    }

    /// `http://127.0.0.1:PORT`: the API, and the dashboard at `/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The sender itself: its store, engine and routes.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Creates (or, with an `id` that exists, replaces) a webhook, as `POST /v1/webhooks`
    /// checks it; the record holds its `secret`.
    pub async fn create_webhook(&self, req: CreateWebhook) -> Result<WebhookRecord, Error> {
        Ok(self.app.upsert_webhook(req).await?)
    }

    /// Any API call, in-process: the answer's `data`, or the API's error.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Error> {
        let mut req = warp::test::request()
            .method(method)
            .path(path)
            .header("host", self.addr.to_string());
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.reply(&self.app.routes).await;
        let json: Value = if res.body().is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(res.body()).unwrap_or(Value::Null)
        };
        if res.status().is_success() {
            return Ok(json.get("data").cloned().unwrap_or(json));
        }
        let e = &json["error"];
        Err(Error {
            status: res.status().as_u16(),
            code: e["code"].as_str().unwrap_or("unknown").to_owned(),
            message: e["message"]
                .as_str()
                .unwrap_or("the sender refused the call")
                .to_owned(),
            field: e["field"].as_str().map(str::to_owned),
        })
    }

    /// Sends event `event_type` with `data` to every enabled webhook that wants it (as
    /// `POST /v1/events`): the deliveries made, not yet attempted.
    pub async fn send_event(
        &self,
        event_type: &str,
        data: Value,
    ) -> Result<Vec<DeliveryRecord>, Error> {
        let sent = self
            .call(
                "POST",
                "/v1/events",
                Some(json!({ "type": event_type, "data": data })),
            )
            .await?;
        let ids = sent["deliveries"].as_array().cloned().unwrap_or_default();
        let mut deliveries = Vec::with_capacity(ids.len());
        for id in ids.iter().filter_map(|d| d["id"].as_str()) {
            deliveries.push(self.delivery(id).await?);
        }
        Ok(deliveries)
    }

    /// Delivery `id` as it is now.
    pub async fn delivery(&self, id: &str) -> Result<DeliveryRecord, Error> {
        self.app
            .store
            .delivery(id)
            .await?
            .ok_or_else(|| ApiError::not_found("delivery", id).into())
    }

    /// Delivery `id` once it is final (succeeded or failed, retries included), or a 408
    /// `timeout` error after `timeout`. Waits for the engine's notices, not by polling.
    pub async fn wait_for_delivery(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<DeliveryRecord, Error> {
        let d = crate::api::wait::until_final(&self.app.engine, &self.app.store, id, timeout)
            .await?
            .ok_or_else(|| ApiError::not_found("delivery", id))?;
        if d.status == crate::store::DeliveryStatus::Pending {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!(
                    "delivery {id} still pending after {} ms ({} attempt(s))",
                    timeout.as_millis(),
                    d.attempts
                ),
            )
            .into());
        }
        Ok(d)
    }

    /// The attempts of delivery `id`, oldest first.
    pub async fn attempts(&self, id: &str) -> Result<Vec<AttemptRecord>, Error> {
        let mut list = self
            .app
            .store
            .attempts(&Query {
                delivery_id: Some(id.to_owned()),
                limit: Some(u32::MAX),
                ..Query::default()
            })
            .await?;
        list.reverse();
        Ok(list)
    }

    /// Stops serving and lets the attempts on the wire finish (at most `drain`).
    pub async fn stop(mut self, drain: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.app.engine.stop();
        self.app.engine.drained(drain).await;
    }
}

impl Drop for TestSender {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
            self.app.engine.stop();
        }
    }
}
