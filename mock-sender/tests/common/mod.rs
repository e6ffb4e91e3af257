//! Shared by the integration tests: a loopback receiver and an in-process API client.
#![allow(dead_code)]

pub mod api;
pub mod delivery;
pub mod inbox;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hookproof::{Scheme, Webhook};
use hookproof_sender::store::DeliveryRecord;
use hookproof_sender::{app, App, Config, DbLocation};
use serde_json::{json, Value};
use warp::http::{HeaderMap, StatusCode};
use warp::{Filter, Reply};

/// What the receiver does with the n-th request; past the script it answers 200.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Status(u16),
    /// Sleeps this long before answering 200 (longer than the attempt timeout).
    Hang(Duration),
    /// This status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// This status with `Retry-After: <text>`, whatever it says.
    RetryAfterText(u16, &'static str),
    /// 200 with the request's body as the answer's.
    Echo,
}

/// One request the receiver saw.
#[derive(Clone, Debug)]
pub struct Hit {
    pub at: Instant,
    /// The query string as received, without `?` ("" for none).
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Hit {
    /// The value of header `name` (lower-case), if the request had it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Receiver {
    pub url: String,
    pub hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

/// A tiny HTTP server on 127.0.0.1:0 recording every request; it lives as long as the
/// test's runtime.
pub async fn receiver(script: Vec<Answer>) -> Receiver {
    let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let script = Arc::new(script);
    let seen = Arc::clone(&hits);
    let route = warp::any()
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(warp::header::headers_cloned())
        .and(warp::body::bytes())
        .and_then(move |query: String, headers: HeaderMap, body: Bytes| {
            let seen = Arc::clone(&seen);
            let script = Arc::clone(&script);
            async move {
                let n = {
                    let mut hits = seen.lock().unwrap();
                    hits.push(Hit {
                        at: Instant::now(),
                        query,
                        headers: headers
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                            .collect(),
                        body,
                    });
                    hits.len() - 1
                };
                let answer = script.get(n).copied();
                let (status, retry_after) = match answer {
                    Some(Answer::Status(s)) => (s, None),
                    Some(Answer::Echo) => (200, None),
                    Some(Answer::Hang(d)) => {
                        tokio::time::sleep(d).await;
                        (200, None)
                    }
                    Some(Answer::RetryAfter(s, secs)) => (s, Some(secs.to_string())),
                    Some(Answer::RetryAfterText(s, text)) => (s, Some(text.to_owned())),
                    None => (200, None),
                };
                let text = match answer {
                    Some(Answer::Echo) => {
                        String::from_utf8_lossy(&seen.lock().unwrap()[n].body).into_owned()
                    }
                    _ => "ok".to_owned(),
                };
                let mut reply =
                    warp::reply::with_status(text, StatusCode::from_u16(status).unwrap())
                        .into_response();
                if let Some(value) = retry_after {
                    reply
                        .headers_mut()
                        .insert("retry-after", value.parse().unwrap());
                }
                Ok::<_, warp::Rejection>(reply)
            }
        });
    let (addr, server): (SocketAddr, _) = warp::serve(route).bind_ephemeral(([127, 0, 0, 1], 0));
    tokio::spawn(server);
    Receiver {
        url: format!("http://{addr}/hook"),
        hits,
    }
}

/// A fast config: waits scaled by 0.001, 200 ms attempt timeout.
pub fn config() -> Config {
    Config {
        db: DbLocation::Memory,
        time_scale: 0.001,
        attempt_timeout: Some(Duration::from_millis(200)),
        max_body_bytes: 64 * 1024,
        ..Config::default()
    }
}

pub async fn started(config: &Config) -> App {
    let app = app(config).expect("app");
    app.start().await.expect("start");
    app
}

/// A webhook for every event; `schedule` in seconds (scaled by `--time-scale`), or the
/// profile's.
pub async fn create(app: &App, url: &str, profile: &str, schedule: Option<&[u64]>) -> Value {
    let mut body = json!({"kind": "http", "url": url, "events": ["*"], "profile": profile});
    if let Some(s) = schedule {
        body["retry_schedule"] = json!(s);
    }
    ok(app, "POST", "/v1/webhooks", Some(body), 201).await
}

/// `POST /v1/events` of type `ty`, to every webhook that wants it; the first delivery's id.
pub async fn send(app: &App, ty: &str) -> String {
    let ev = ok(
        app,
        "POST",
        "/v1/events",
        Some(json!({"type": ty, "data": {"order": 42}})),
        202,
    )
    .await;
    ev["deliveries"][0]["id"].as_str().unwrap().to_owned()
}

/// Calls the API in-process; the status and the JSON body (Null when empty).
/// `data` of the answer is what most tests want: see `ok`.
pub async fn call(app: &App, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    call_with(app, method, path, body, None).await
}

pub async fn call_with(
    app: &App,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> (u16, Value) {
    let mut req = warp::test::request().method(method).path(path);
    if let Some(b) = body {
        req = req.json(&b);
    }
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let res = req.reply(&app.routes).await;
    let json = if res.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(res.body()).expect("JSON answer")
    };
    (res.status().as_u16(), json)
}

/// Calls the API, expects `status`, and returns the answer's `data`.
pub async fn ok(app: &App, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
    let (got, json) = call(app, method, path, body).await;
    assert_eq!(got, status, "{method} {path}: {json}");
    json["data"].clone()
}

/// `GET /v1/deliveries/{id}/attempts`: the delivery's attempts, oldest first.
pub async fn attempts(app: &App, id: &str) -> Value {
    ok(
        app,
        "GET",
        &format!("/v1/deliveries/{id}/attempts"),
        None,
        200,
    )
    .await
}

/// The attempt numbers of delivery `id`'s log, as the API lists them (oldest first).
pub async fn attempt_numbers(app: &App, id: &str) -> Vec<u64> {
    attempts(app, id)
        .await
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["attempt"].as_u64().expect("an attempt number"))
        .collect()
}

/// `POST /v1/deliveries/{id}/retry`, expecting 202: the delivery as the answer shows it.
pub async fn retry(app: &App, id: &str) -> Value {
    ok(
        app,
        "POST",
        &format!("/v1/deliveries/{id}/retry"),
        None,
        202,
    )
    .await
}

/// Polls the store until the delivery is no longer pending (or `pred` holds), 10 s at most.
pub async fn wait_until(
    app: &App,
    id: &str,
    pred: impl Fn(&DeliveryRecord) -> bool,
) -> DeliveryRecord {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let d = app.store.delivery(id).await.unwrap().expect("delivery");
        if pred(&d) {
            return d;
        }
        assert!(Instant::now() < deadline, "timed out waiting: {d:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub fn finished(d: &DeliveryRecord) -> bool {
    d.status != hookproof_sender::store::DeliveryStatus::Pending
}

pub fn now_secs() -> i64 {
    hookproof_sender::clock::now_ms() / 1000
}

/// The sender binary built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_hookproof-sender");

/// Starts `hookproof-sender serve --addr 127.0.0.1:0 ARGS...` (logs off); the child and
/// its base URL, read from the `listening on` line it prints first.
pub fn spawn_serve<I, S>(args: I) -> (Child, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .to_owned();
    (child, base)
}

/// A JSON request to a running sender over HTTP; panics unless it answers 2xx.
pub async fn http_json(method: reqwest::Method, url: String, body: Option<Value>) -> Value {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut req = client.request(method, url);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    serde_json::from_slice(&res.bytes().await.unwrap()).unwrap()
}

/// A receiver verifying every request with `hookproof` (`scheme`, `secret`): 204 or 401;
/// its URL and the requests it saw.
pub async fn verifying_receiver(secret: &str, scheme: Scheme) -> (String, Arc<Mutex<Vec<Hit>>>) {
    let webhook = Arc::new(Webhook::new(scheme, secret).unwrap());
    let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let seen = Arc::clone(&hits);
    let route = warp::any()
        .and(warp::header::headers_cloned())
        .and(warp::body::bytes())
        .map(move |headers: HeaderMap, body: Bytes| {
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let status = match webhook.verify(&body, &headers) {
                Ok(_) => StatusCode::NO_CONTENT,
                Err(_) => StatusCode::UNAUTHORIZED,
            };
            seen.lock().unwrap().push(Hit {
                at: Instant::now(),
                query: String::new(),
                headers,
                body,
            });
            warp::reply::with_status("", status)
        });
    let (addr, server): (SocketAddr, _) = warp::serve(route).bind_ephemeral(([127, 0, 0, 1], 0));
    tokio::spawn(server);
    (format!("http://{addr}/hook"), hits)
}
