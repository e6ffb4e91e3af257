//! The inbox tests' helpers: posting to `/in/`, raw requests, signed deliveries.

use std::time::{Duration, Instant};

use hookproof::{Scheme, Webhook};
use hookproof_sender::App;
use serde_json::Value;

use super::ok;

pub const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Posts to `/in/{path}` with `headers` and `body`; the status and the capture id.
pub async fn post_in(
    app: &App,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut req = warp::test::request()
        .method("POST")
        .path(&format!("/in/{path}"))
        .remote_addr("192.0.2.7:4567".parse().unwrap());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.body(body).reply(&app.routes).await;
    let id = res
        .headers()
        .get("x-hookproof-capture")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status().as_u16(), id)
}

/// Serves the app on a loopback port: repeated headers need a real request (warp::test
/// keeps one value per name).
pub fn serve(app: &App) -> std::net::SocketAddr {
    let (addr, server) = warp::serve(app.routes.clone()).bind_ephemeral(([127, 0, 0, 1], 0));
    tokio::spawn(server);
    addr
}

/// Writes `head` (the request line and headers, CRLF-separated, without the blank line)
/// and `body` to `addr`; the status answered.
pub async fn raw(addr: std::net::SocketAddr, head: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{head}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    conn.write_all(&req).await.unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).unwrap().parse().unwrap()
}

pub fn signed(
    scheme: Scheme,
    secret: &str,
    body: &[u8],
    id: &str,
    ts: i64,
) -> Vec<(&'static str, String)> {
    Webhook::new(scheme, secret)
        .unwrap()
        .sign(body, id, ts)
        .unwrap()
}

/// Posts a delivery signed by `headers` plus a JSON Content-Type; the capture.
pub async fn deliver(app: &App, inbox: &str, headers: &[(&str, String)], body: &[u8]) -> Value {
    let mut all: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        all.push(("content-type", "application/json"));
    }
    let (status, id) = post_in(app, inbox, &all, body).await;
    assert_eq!(status, 200);
    ok(
        app,
        "GET",
        &format!("/v1/inboxes/{inbox}/captures/{id}"),
        None,
        200,
    )
    .await
}

pub fn rule<'a>(capture: &'a Value, name: &str) -> &'a str {
    capture["conformance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == name)
        .unwrap_or_else(|| panic!("no {name} in {capture}"))["status"]
        .as_str()
        .unwrap()
}

/// Polls capture `id` until it has a forward, 10 s at most.
pub async fn forwarded(app: &App, inbox: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let c = ok(
            app,
            "GET",
            &format!("/v1/inboxes/{inbox}/captures/{id}"),
            None,
            200,
        )
        .await;
        if !c["forward"].is_null() {
            return c;
        }
        assert!(Instant::now() < deadline, "no forward: {c}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The first `capture` event of `/v1/stream` at `base`, read over HTTP.
pub async fn next_capture(stream: &mut reqwest::Response) -> Value {
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let chunk = stream.chunk().await.unwrap().expect("stream open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            for block in text.split("\n\n") {
                if block
                    .lines()
                    .any(|l| l == "event: capture" || l == "event:capture")
                {
                    let data = block.lines().find_map(|l| l.strip_prefix("data:")).unwrap();
                    return serde_json::from_str(data.trim()).unwrap();
                }
            }
        }
    })
    .await
    .expect("a capture event within 10 s")
}
