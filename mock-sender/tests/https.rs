//! HTTPS delivery end to end: a TLS receiver with a self-signed certificate is trusted
//! with `--ca-cert` (Config::ca_cert), and refused without it.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use common::{config, finished, ok, started, wait_until};
use hookproof::{Scheme, Webhook};
use hookproof_sender::store::DeliveryStatus;
use hookproof_sender::Config;
use serde_json::json;
use warp::http::HeaderMap;
use warp::Filter;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Each request's headers and body, in arrival order.
type Hits = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A certificate for `localhost` and its key, as PEM files in a fresh temp folder.
fn self_signed() -> (PathBuf, String, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = std::env::temp_dir().join(format!("hookproof-https-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = cert.cert.pem();
    std::fs::write(dir.join("ca.pem"), &pem).unwrap();
    (dir, pem, cert.key_pair.serialize_pem())
}

/// A TLS receiver on 127.0.0.1:0 answering 204 and keeping each request's headers and body.
fn tls_receiver(cert: &str, key: &str) -> (u16, Hits) {
    let hits: Hits = Arc::default();
    let seen = Arc::clone(&hits);
    let route = warp::post()
        .and(warp::header::headers_cloned())
        .and(warp::body::bytes())
        .map(move |headers: HeaderMap, body: bytes::Bytes| {
            seen.lock().unwrap().push((headers, body.to_vec()));
            warp::reply::with_status("", warp::http::StatusCode::NO_CONTENT)
        });
    let (addr, server) = warp::serve(route)
        .tls()
        .cert(cert.as_bytes())
        .key(key.as_bytes())
        .bind_ephemeral(([127, 0, 0, 1], 0));
    tokio::spawn(server);
    (addr.port(), hits)
}

async fn deliver(cfg: &Config, url: &str) -> hookproof_sender::store::DeliveryRecord {
    let app = started(cfg).await;
    let body = json!({"url": url, "events": ["*"], "profile": "standard", "secret": SECRET,
                      "retry_schedule": [0]});
    ok(&app, "POST", "/v1/webhooks", Some(body), 201).await;
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order.paid", "data": {"order": 42}})),
        202,
    )
    .await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap().to_owned();
    wait_until(&app, &id, finished).await
}

#[tokio::test]
async fn https_receivers_are_trusted_with_ca_cert_and_refused_without() {
    let (dir, cert, key) = self_signed();
    let (port, hits) = tls_receiver(&cert, &key);
    let url = format!("https://localhost:{port}/hook");
    let untrusted = Config {
        attempt_timeout: Some(std::time::Duration::from_secs(2)),
        ..config()
    };

    // Trusted: delivered once, signed, over TLS.
    let trusted = Config {
        ca_cert: Some(dir.join("ca.pem")),
        ..untrusted.clone()
    };
    let d = deliver(&trusted, &url).await;
    assert_eq!(
        (d.status, d.attempts),
        (DeliveryStatus::Success, 1),
        "{d:?}"
    );
    let (headers, body) = hits.lock().unwrap()[0].clone();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
        .collect();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    Webhook::new(Scheme::Standard, SECRET)
        .unwrap()
        .verify_at(&body, &pairs[..], now)
        .unwrap();

    // Not trusted: the attempt fails on the certificate and nothing arrives.
    let before = hits.lock().unwrap().len();
    let d = deliver(&untrusted, &url).await;
    assert_eq!(d.status, DeliveryStatus::Failed, "{d:?}");
    let error = d.last_error.unwrap_or_default().to_lowercase();
    assert!(error.contains("certificate"), "{error}");
    assert_eq!(hits.lock().unwrap().len(), before);
    let _ = std::fs::remove_dir_all(dir);
}
