//! The HTTP server of `serve` over real loopback connections: hyper's own 4xx answers carry
//! the API's JSON error, a request's head and body must arrive in time, and a shutdown
//! closes the connections still open after its grace.

mod common;

use std::time::{Duration, Instant};

use common::{config, started};
use hookproof_sender::server::{serve, Limits};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const LIMITS: Limits = Limits {
    header_read_timeout: Duration::from_millis(300),
    shutdown_grace: Duration::from_millis(300),
};

/// A sender with `body_read_timeout` on 127.0.0.1:0: its address, the switch that stops
/// it, and its server's task.
async fn running(
    body_read_timeout: Duration,
    limits: Limits,
) -> (
    std::net::SocketAddr,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let mut cfg = config();
    cfg.body_read_timeout = body_read_timeout;
    let app = started(&cfg).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app.routes.clone(), limits, async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}

/// Writes `request` and reads the answer until the server closes (5 s at most); the
/// status and the JSON body.
async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> (u16, Value) {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before it has read all of a huge request.
    let _ = conn.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect(&text);
    let status = head[9..12].parse().unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    (status, serde_json::from_str(body).expect(&text))
}

#[tokio::test]
async fn hypers_own_4xx_answers_are_json_errors() {
    let (addr, _stop, _server) = running(Duration::from_secs(5), LIMITS).await;
    let long_uri = format!(
        "GET /{} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n",
        "a".repeat(70_000)
    );
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n{}\r\n",
        (0..120)
            .map(|i| format!("x-{i}: {i}\r\n"))
            .collect::<String>()
    );
    for (request, status, code) in [
        (long_uri.into_bytes(), 414, "uri_too_long"),
        (many_headers.into_bytes(), 431, "headers_too_large"),
        (b"NOT HTTP AT ALL\r\n\r\n".to_vec(), 400, "bad_request"),
    ] {
        let (got, body) = exchange(addr, &request).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    // The API's own answers pass through untouched.
    let (got, body) = exchange(
        addr,
        b"GET /nothing HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(
        (got, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn a_head_or_a_body_that_stalls_is_cut_off() {
    let (addr, _stop, _server) = running(Duration::from_millis(300), LIMITS).await;
    // A head that never ends: the connection is closed.
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nhost: 127.0.0")
        .await
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut rest))
        .await
        .expect("the connection is closed")
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(250));
    // An idle connection too, past the same time.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut rest))
        .await
        .expect("the idle connection is closed")
        .unwrap();
    // A body that stops halfway: 408 with the JSON error.
    let started = Instant::now();
    let (status, body) = exchange(
        addr,
        b"POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n{\"type\":",
    )
    .await;
    assert_eq!(status, 408, "{body}");
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn shutdown_closes_what_is_still_open_after_its_grace() {
    // The body read timeout is far away: only the grace can end the stalled request.
    let (addr, stop, server) = running(Duration::from_secs(60), LIMITS).await;
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops after its grace")
        .unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(250), "{took:?}");
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.read_to_end(&mut rest)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
