//! What guards the API: the token, and the Host and Origin checks that keep pages elsewhere
//! (cross-site, DNS rebinding) from driving it.

use serde_json::{json, Value};

use crate::common::api::assert_error;
use crate::common::{call, call_with, config, ok, started};

#[tokio::test]
async fn the_token_guards_the_api_but_not_healthz() {
    let mut cfg = config();
    cfg.token = Some("s3cret".into());
    let app = started(&cfg).await;
    assert_eq!(call(&app, "GET", "/healthz", None).await.0, 200);
    assert_eq!(call(&app, "GET", "/openapi.json", None).await.0, 200);
    for (method, path) in [
        ("GET", "/v1/webhooks"),
        ("POST", "/v1/events"),
        ("GET", "/v1/stream"),
        ("GET", "/v1/stream?token=wrong"),
    ] {
        let (s, b) = call(&app, method, path, Some(json!({"type": "a"}))).await;
        assert_error(s, &b, 401, "unauthorized", None);
    }
    let (s, b) = call_with(&app, "GET", "/v1/webhooks", None, Some("wrong")).await;
    assert_error(s, &b, 401, "unauthorized", None);
    let (s, _) = call_with(&app, "GET", "/v1/webhooks", None, Some("s3cret")).await;
    assert_eq!(s, 200);
}

/// A request with these headers (name, value): its status and error code, if any.
async fn with_headers(
    app: &hookproof_sender::App,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut req = warp::test::request()
        .method(method)
        .path(path)
        .header("content-type", "text/plain")
        .body(r#"{"url": "https://example.com/x", "events": ["*"]}"#);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.reply(&app.routes).await;
    let body: Value = serde_json::from_slice(res.body()).unwrap_or(Value::Null);
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (res.status().as_u16(), code)
}

#[tokio::test]
async fn pages_elsewhere_cannot_drive_the_api() {
    let app = started(&config()).await;
    // A cross-site page's simple POST, and a DNS-rebinding page (its own host name).
    for (headers, code) in [
        (
            vec![
                ("host", "127.0.0.1:8787"),
                ("origin", "https://evil.example"),
            ],
            "forbidden_origin",
        ),
        (
            vec![("host", "127.0.0.1:8787"), ("origin", "null")],
            "forbidden_origin",
        ),
        (
            vec![
                ("host", "evil.example:8787"),
                ("origin", "http://evil.example:8787"),
            ],
            "forbidden_host",
        ),
        (vec![("host", "evil.example:8787")], "forbidden_host"),
        (vec![("host", "127.0.0.1.evil.example")], "forbidden_host"),
    ] {
        for (method, path) in [
            ("POST", "/v1/webhooks"),
            ("GET", "/v1/webhooks"),
            ("GET", "/"),
        ] {
            let got = with_headers(&app, method, path, &headers).await;
            assert_eq!(got, (403, code.to_owned()), "{method} {path} {headers:?}");
        }
    }
    assert!(ok(&app, "GET", "/v1/webhooks", None, 200)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    // The sender's own pages, other loopback origins, and clients without an Origin.
    for headers in [
        vec![
            ("host", "127.0.0.1:8787"),
            ("origin", "http://127.0.0.1:8787"),
        ],
        vec![
            ("host", "localhost:8787"),
            ("origin", "http://localhost:3000"),
        ],
        vec![("host", "[::1]:8787"), ("origin", "http://[::1]:8787")],
        vec![("host", "app.localhost:8787")],
        vec![("host", "127.0.0.1")],
        vec![],
    ] {
        assert_eq!(
            with_headers(&app, "GET", "/v1/webhooks", &headers).await.0,
            200,
            "{headers:?}"
        );
        assert_eq!(
            with_headers(&app, "POST", "/v1/webhooks", &headers).await.0,
            201,
            "{headers:?}"
        );
    }
    // On every bind (0.0.0.0 too): IP addresses and the names of --allowed-host, and
    // still no cross-site Origin.
    let mut cfg = config();
    cfg.listen = Some("0.0.0.0:8787".parse().unwrap());
    let open = started(&cfg).await;
    for headers in [
        vec![("host", "devbox.lan:8787")],
        vec![
            ("host", "evil.example:8787"),
            ("origin", "http://evil.example:8787"),
        ],
    ] {
        let got = with_headers(&open, "POST", "/v1/webhooks", &headers).await;
        assert_eq!(got, (403, "forbidden_host".to_owned()), "{headers:?}");
    }
    for host in ["192.168.1.20:8787", "[fe80::1]:8787", "0.0.0.0:8787"] {
        let got = with_headers(&open, "GET", "/v1/webhooks", &[("host", host)]).await;
        assert_eq!(got.0, 200, "{host}");
    }
    cfg.allowed_hosts = vec!["devbox.lan".into()];
    let named = started(&cfg).await;
    let got = with_headers(
        &named,
        "GET",
        "/v1/webhooks",
        &[("host", "devbox.lan:8787")],
    )
    .await;
    assert_eq!(got.0, 200);
    let got = with_headers(
        &named,
        "POST",
        "/v1/webhooks",
        &[
            ("host", "devbox.lan:8787"),
            ("origin", "http://devbox.lan:8787"),
        ],
    )
    .await;
    assert_eq!(got.0, 201);
    for (host, origin, code) in [
        (
            "devbox.lan:8787",
            "https://evil.example",
            "forbidden_origin",
        ),
        (
            "evil.example:8787",
            "http://evil.example:8787",
            "forbidden_host",
        ),
    ] {
        let got = with_headers(
            &named,
            "POST",
            "/v1/webhooks",
            &[("host", host), ("origin", origin)],
        )
        .await;
        assert_eq!(got, (403, code.to_owned()), "{host} {origin}");
    }
}
