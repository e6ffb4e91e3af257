//! A URL's userinfo is sent as curl sends it, `Authorization: Basic base64(user:password)`
//! percent-decoded, and never in the request line or `Host`: to a receiver behind Basic
//! auth, a webhook's deliveries, an inbox's forwards, `post` (probe) and the CLI's `--api`
//! get through. An Authorization given explicitly wins; the password shows nowhere.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::inbox::{forwarded, post_in};
use common::{config, create, ok, send, started, wait_until, BIN};
use hookproof_sender::delivery::{post, Target};
use hookproof_sender::store::{DeliveryStatus, Outcome};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `user:p@ss`, as the URL writes it (`@` percent-encoded) and as the header sends it.
const USERINFO: &str = "user:p%40ss@";
const BASIC: &str = "Basic dXNlcjpwQHNz";
/// What must not show anywhere: the password, encoded or not, and the header's value.
const SECRETS: [&str; 3] = ["p%40ss", "p@ss", "dXNlcjpwQHNz"];

/// One request as it came over the wire.
#[derive(Clone, Debug)]
struct Seen {
    line: String,
    host: String,
    authorization: Option<String>,
}

/// A receiver on loopback that wants `Authorization: Basic dXNlcjpwQHNz` (200 with
/// `{"data": []}`, what the API answers a listing) and answers anything else 401.
struct BasicReceiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl BasicReceiver {
    async fn start() -> BasicReceiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                tokio::spawn(answer(conn, Arc::clone(&log)));
            }
        });
        BasicReceiver { addr, seen }
    }

    /// `http://{USERINFO}127.0.0.1:port{path}`.
    fn url(&self, path: &str) -> String {
        format!("http://{USERINFO}{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request (head and `content-length` body), records it, answers, closes.
async fn answer(mut conn: tokio::net::TcpStream, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default().to_owned();
    let header = |name: &str| {
        head.split("\r\n")
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let length: usize = header("content-length").map_or(0, |v| v.parse().unwrap());
    while buf.len() < head_end + 4 + length {
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let seen = Seen {
        line,
        host: header("host").unwrap_or_default(),
        authorization: header("authorization"),
    };
    let allowed = seen.authorization.as_deref() == Some(BASIC);
    log.lock().unwrap().push(seen);
    let (status, body) = if allowed {
        ("200 OK", r#"{"data":[]}"#)
    } else {
        (
            "401 Unauthorized\r\nwww-authenticate: Basic realm=\"hooks\"",
            r#"{"error":{"code":"unauthorized","message":"basic auth required"}}"#,
        )
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = conn.write_all(reply.as_bytes()).await;
}

/// Fails when `v` shows the password or the credentials.
fn hides(what: &str, v: &Value) {
    let text = v.to_string();
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows {s}: {text}");
    }
}

/// The request went where the URL points, without its userinfo, with the credentials.
fn sent_right(seen: &Seen, path: &str, addr: SocketAddr) {
    assert!(
        seen.line.starts_with(&format!("POST {path} HTTP/1.1")),
        "{seen:?}"
    );
    assert_eq!(seen.host, addr.to_string(), "{seen:?}");
    assert_eq!(seen.authorization.as_deref(), Some(BASIC), "{seen:?}");
}

#[tokio::test]
async fn a_webhook_url_with_userinfo_is_delivered_with_basic_auth_and_shown_masked() {
    let app = started(&config()).await;
    let rx = BasicReceiver::start().await;
    let w = create(&app, &rx.url("/hooks?a=1"), "standard", None).await;
    let id = w["id"].as_str().unwrap().to_owned();
    let shown = format!("http://user:••••@{}/hooks?a=1", rx.addr);
    assert_eq!(w["url"], shown.as_str());
    let delivery = send(&app, "order.created").await;
    let d = wait_until(&app, &delivery, common::finished).await;
    assert_eq!(d.status, DeliveryStatus::Success, "{d:?}");
    let seen = rx.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    sent_right(&seen[0], "/hooks?a=1", rx.addr);

    // The attempt log shows the request as sent, its credentials masked.
    let attempts = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{delivery}/attempts"),
        None,
        200,
    )
    .await;
    let a = &attempts[0];
    assert_eq!(a["status_code"], 200, "{a}");
    assert_eq!(a["url"], shown.as_str());
    let headers = a["request_headers"].as_array().unwrap();
    assert_eq!(headers[0], json!(["authorization", "Basic ••••"]), "{a}");
    // The views that show the URL show it masked; none shows the password.
    for (path, shows_url) in [
        (format!("/v1/webhooks/{id}"), true),
        ("/v1/webhooks".to_owned(), true),
        (format!("/v1/deliveries/{delivery}/attempts"), true),
        ("/v1/logs".to_owned(), true),
        (format!("/v1/deliveries/{delivery}"), false),
    ] {
        let v = ok(&app, "GET", &path, None, 200).await;
        hides(&path, &v);
        assert_eq!(
            v.to_string().contains("user:••••@"),
            shows_url,
            "{path}: {v}"
        );
    }
}

#[tokio::test]
async fn an_inbox_forward_sends_its_url_userinfo_unless_the_capture_has_an_authorization() {
    let app = started(&config()).await;
    let rx = BasicReceiver::start().await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/q",
        Some(json!({"forward_to": rx.url("/fwd")})),
        201,
    )
    .await;
    let (status, capture) =
        post_in(&app, "q", &[("content-type", "application/json")], b"{}").await;
    assert_eq!(status, 200);
    let c = forwarded(&app, "q", &capture).await;
    assert_eq!(c["forward"]["status_code"], 200, "{c}");
    sent_right(&rx.seen()[0], "/fwd", rx.addr);
    assert_eq!(
        c["forward"]["url"],
        format!("http://user:••••@{}/fwd", rx.addr).as_str()
    );
    let headers = c["forward"]["headers"].as_array().unwrap();
    assert!(
        headers.contains(&json!(["authorization", "Basic ••••"])),
        "{c}"
    );
    hides("the capture", &c);

    // The provider's own Authorization is sent on as received: it wins over the URL's.
    let (_, capture) = post_in(
        &app,
        "q",
        &[("authorization", "Bearer provider_token")],
        b"{}",
    )
    .await;
    let c = forwarded(&app, "q", &capture).await;
    assert_eq!(c["forward"]["status_code"], 401, "{c}");
    let seen = rx.seen();
    assert_eq!(
        seen[1].authorization.as_deref(),
        Some("Bearer provider_token")
    );
    assert_eq!(seen[1].line, "POST /fwd HTTP/1.1");
}

#[tokio::test]
async fn post_to_a_url_text_sends_its_userinfo_and_an_explicit_authorization_wins() {
    let rx = BasicReceiver::start().await;
    let client = hookproof_sender::http_client(&config()).unwrap();
    let url = rx.url("/probe");
    let timeout = Duration::from_secs(5);
    let sent = post(&client, Target::Text(&url), &[], Bytes::new(), timeout).await;
    assert_eq!(sent.outcome, Outcome::Success, "{:?}", sent.error);
    sent_right(&rx.seen()[0], "/probe", rx.addr);

    let explicit = [("Authorization".to_owned(), "Basic eDp5".to_owned())];
    let sent = post(
        &client,
        Target::Text(&url),
        &explicit,
        Bytes::new(),
        timeout,
    )
    .await;
    assert_eq!(sent.status_code, Some(401));
    assert_eq!(rx.seen()[1].authorization.as_deref(), Some("Basic eDp5"));
}

#[tokio::test]
async fn the_cli_api_url_may_carry_basic_credentials_and_its_errors_mask_them() {
    let rx = BasicReceiver::start().await;
    let run = |api: String| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(BIN)
                .args(["webhooks", "list", "--json", "--api", &api])
                .env_remove("HOOKPROOF_SENDER_TOKEN")
                .output()
                .unwrap()
        })
    };
    let out = run(format!("http://{USERINFO}{}", rx.addr)).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "[]");
    let seen = rx.seen();
    assert!(seen[0].line.starts_with("GET /v1/webhooks"), "{seen:?}");
    assert_eq!(seen[0].host, rx.addr.to_string());
    assert_eq!(seen[0].authorization.as_deref(), Some(BASIC));

    // A wrong password is refused, and the error does not show it.
    let out = run(format!("http://user:wr%40ng@{}", rx.addr))
        .await
        .unwrap();
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("401"), "{text}");
    assert!(
        !text.contains("wr%40ng") && !text.contains("wr@ng"),
        "{text}"
    );
}
