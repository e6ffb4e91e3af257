//! Receivers that misbehave at the byte level (raw `TcpListener`s, so the test controls
//! every byte): a reset, a redirect, a 100 MB answer, an answer trickling a byte a second.
//! Each is one logged attempt with the right outcome, and the delivery carries on.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{config, ok, started, wait_until};
use hookproof_sender::store::{AttemptRecord, DeliveryStatus, Outcome, Query};
use hookproof_sender::App;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A listener on 127.0.0.1:0 running `handle` on every connection; its URL and how many
/// connections it accepted.
async fn raw_receiver<F, Fut>(handle: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handle(socket));
        }
    });
    (url, count)
}

/// Reads one request (headers, then a Content-Length body).
async fn read_request(socket: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = socket.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return;
            }
        }
    }
}

/// A webhook for every event with attempts at 0 and 1000 s (1 s at the test scale, so the
/// second is still scheduled when the test looks), and one event; the delivery id.
async fn deliver(app: &App, url: &str) -> String {
    ok(
        app,
        "POST",
        "/v1/webhooks",
        Some(json!({"url": url, "events": ["*"], "retry_schedule": [0, 1000]})),
        201,
    )
    .await;
    let ev = ok(
        app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order.paid", "data": {"order": 42}})),
        202,
    )
    .await;
    ev["deliveries"][0]["id"].as_str().unwrap().to_owned()
}

/// The first attempt of delivery `id`, once logged.
async fn first_attempt(app: &App, id: &str) -> AttemptRecord {
    wait_until(app, id, |d| d.attempts >= 1).await;
    app.store
        .attempts(&Query {
            delivery_id: Some(id.to_owned()),
            ..Query::default()
        })
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn a_reset_connection_is_a_connection_error_then_a_retry() {
    let (url, accepted) = raw_receiver(|socket: TcpStream| async move {
        // SO_LINGER 0: closing sends RST, not FIN.
        socket.set_zero_linger().unwrap();
        drop(socket);
    })
    .await;
    let app = started(&config()).await;
    let id = deliver(&app, &url).await;
    let a = first_attempt(&app, &id).await;
    assert_eq!(a.outcome, Outcome::ConnectionError, "{a:?}");
    assert_eq!(a.status_code, None);
    assert!(a.error.as_deref().is_some_and(|e| !e.is_empty()), "{a:?}");
    assert!(a.next_attempt_at.is_some(), "next attempt scheduled: {a:?}");
    let d = app.store.delivery(&id).await.unwrap().unwrap();
    assert_eq!(d.status, DeliveryStatus::Pending);
    assert_eq!(d.next_attempt_at, a.next_attempt_at);
    assert!(accepted.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn a_redirect_is_a_failed_attempt_and_is_not_followed() {
    let (target, target_hits) = raw_receiver(|mut socket: TcpStream| async move {
        read_request(&mut socket).await;
        let _ = socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await;
    })
    .await;
    let location = target.clone();
    let (url, _) = raw_receiver(move |mut socket: TcpStream| {
        let target = target.clone();
        async move {
            read_request(&mut socket).await;
            let answer = format!(
                "HTTP/1.1 302 Found\r\nlocation: {target}\r\ncontent-length: 5\r\n\r\nmoved"
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    })
    .await;
    let app = started(&config()).await;
    let id = deliver(&app, &url).await;
    let a = first_attempt(&app, &id).await;
    assert_eq!(a.outcome, Outcome::HttpError, "{a:?}");
    assert_eq!(a.status_code, Some(302));
    assert_eq!(a.response_body.as_deref(), Some("moved"));
    assert_eq!(
        a.response_headers,
        [("location", location.as_str()), ("content-length", "5")]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        "the answer's headers, in order"
    );
    assert!(a.next_attempt_at.is_some(), "{a:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        target_hits.load(Ordering::SeqCst),
        0,
        "the redirect target got a request"
    );
}

#[tokio::test]
async fn a_huge_answer_is_capped_and_the_attempt_completes() {
    const CHUNK: usize = 64 * 1024;
    const TOTAL: usize = 100 * 1024 * 1024;
    // How much of the answer got onto the wire before the sender hung up.
    let sent = Arc::new(AtomicUsize::new(0));
    let written = Arc::clone(&sent);
    let (url, _) = raw_receiver(move |mut socket: TcpStream| {
        let written = Arc::clone(&written);
        async move {
            read_request(&mut socket).await;
            let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n";
            if socket.write_all(head).await.is_err() {
                return;
            }
            let mut chunk = format!("{CHUNK:x}\r\n").into_bytes();
            chunk.resize(chunk.len() + CHUNK, b'x');
            chunk.extend_from_slice(b"\r\n");
            for _ in 0..TOTAL / CHUNK {
                // The sender hangs up once it has its 4 KB: stop then.
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
                written.fetch_add(chunk.len(), Ordering::SeqCst);
            }
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
    })
    .await;
    let mut cfg = config();
    cfg.attempt_timeout = Some(Duration::from_secs(5));
    let app = started(&cfg).await;
    let id = deliver(&app, &url).await;
    let a = first_attempt(&app, &id).await;
    assert_eq!(a.outcome, Outcome::Success, "{:?}", a.error);
    assert_eq!(a.status_code, Some(200));
    let body = a.response_body.as_deref().unwrap();
    assert!(body.len() <= 4096 && body.len() >= 1024, "{}", body.len());
    assert!(body.bytes().all(|b| b == b'x'));
    let d = app.store.delivery(&id).await.unwrap().unwrap();
    assert_eq!(d.status, DeliveryStatus::Success);
    // Memory stays bounded: the sender stopped reading long before the end (what got
    // onto the wire is at most the socket buffers, not the 100 MB).
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        sent.load(Ordering::SeqCst) < TOTAL / 4,
        "{}",
        sent.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn an_answer_at_a_byte_a_second_times_out() {
    let (url, _) = raw_receiver(|mut socket: TcpStream| async move {
        read_request(&mut socket).await;
        for b in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" {
            if socket.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let mut cfg = config();
    cfg.attempt_timeout = Some(Duration::from_millis(300));
    let app = started(&cfg).await;
    let id = deliver(&app, &url).await;
    let a = first_attempt(&app, &id).await;
    assert_eq!(a.outcome, Outcome::Timeout, "{a:?}");
    assert_eq!(a.status_code, None);
    assert_eq!(a.error.as_deref(), Some("timed out after 300 ms"));
    assert!(
        (300..1500).contains(&a.response_time_ms),
        "{}",
        a.response_time_ms
    );
    assert!(a.next_attempt_at.is_some(), "{a:?}");
}
