//! Every route in-process with `warp::test::request()`, and the error shape of each failure.

mod common;

use common::{
    attempt_numbers, attempts, call, call_with, config, finished, ok, retry, started, wait_until,
};
use serde_json::{json, Value};

/// Unreachable at once (nothing listens on port 1), so deliveries fail fast without a server.
const DEAD_URL: &str = "http://127.0.0.1:1/hook";

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str, field: Option<&str>) {
    assert_eq!(status, want_status, "{body}");
    let e = &body["error"];
    assert_eq!(e["code"], code, "{body}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(e["field"].as_str(), field, "{body}");
}

async fn create(app: &hookproof_sender::App, body: Value) -> Value {
    ok(app, "POST", "/v1/webhooks", Some(body), 201).await
}

#[tokio::test]
async fn healthz_and_openapi_describe_every_route() {
    let app = started(&config()).await;
    let health = ok(&app, "GET", "/healthz", None, 200).await;
    assert_eq!(health["ok"], true);
    let (status, doc) = call(&app, "GET", "/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = [
        "/healthz",
        "/openapi.json",
        "/v1/webhooks",
        "/v1/webhooks/{id}",
        "/v1/webhooks/{id}/rotate-secret",
        "/v1/webhooks/{id}/test",
        "/v1/webhooks/{id}/deliveries",
        "/v1/webhooks/{id}/logs",
        "/v1/webhooks/{id}/stats",
        "/v1/events",
        "/v1/event-types",
        "/v1/deliveries",
        "/v1/deliveries/{id}",
        "/v1/deliveries/{id}/attempts",
        "/v1/deliveries/{id}/retry",
        "/v1/logs",
        "/v1/stream",
        "/in/{name}",
        "/v1/inboxes",
        "/v1/inboxes/{name}",
        "/v1/inboxes/{name}/captures",
        "/v1/inboxes/{name}/captures/{id}",
        "/v1/inboxes/{name}/captures/{id}/replay",
        "/",
        "/playground",
    ];
    for path in paths {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert_eq!(doc["paths"].as_object().unwrap().len(), paths.len());
    assert!(doc["paths"]["/v1/webhooks/{id}"]["put"].is_object());
}

#[tokio::test]
async fn the_openapi_webhook_schema_names_every_field_a_webhook_shows() {
    let app = started(&config()).await;
    let w = create(&app, json!({"url": DEAD_URL, "events": ["*"]})).await;
    let path = format!("/v1/webhooks/{}", w["id"].as_str().unwrap());
    let shown = ok(&app, "GET", &path, None, 200).await;
    let (_, doc) = call(&app, "GET", "/openapi.json", None).await;
    let schema = &doc["components"]["schemas"]["Webhook"]["properties"];
    for field in shown.as_object().unwrap().keys() {
        assert!(
            schema[field].is_object(),
            "{field} is not in the Webhook schema"
        );
    }
    assert_eq!(shown["throttled_until"], Value::Null, "not throttled");
}

#[tokio::test]
async fn webhook_crud_and_the_secret_is_shown_only_at_creation() {
    let app = started(&config()).await;
    let w = create(
        &app,
        json!({"kind": "http", "url": DEAD_URL, "events": ["order.*"], "enabled": true, "profile": "stripe"}),
    )
    .await;
    let id = w["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("wh_"));
    assert_eq!(w["kind"], "http");
    assert!(
        w.get("type").is_none(),
        "the kind is shown as kind only: {w}"
    );
    assert_eq!(w["profile"], "stripe");
    assert_eq!(w["enabled"], true);
    assert_eq!(w["events"], json!(["order.*"]));
    assert!(w["created_at"].as_str().unwrap().ends_with('Z'));
    let secret = w["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));

    // `type`, the kind's former name, is still read.
    let old = create(
        &app,
        json!({"type": "slack", "url": DEAD_URL, "events": ["*"]}),
    )
    .await;
    assert_eq!(old["kind"], "slack");
    let old_id = old["id"].as_str().unwrap();
    let gone = call(&app, "DELETE", &format!("/v1/webhooks/{old_id}"), None).await;
    assert_eq!(gone, (204, Value::Null));

    // Defaults: kind http, profile vector with its schedule, enabled.
    let d = create(&app, json!({"url": DEAD_URL, "events": ["*"]})).await;
    assert_eq!(
        (&d["kind"], &d["profile"], &d["enabled"]),
        (&json!("http"), &json!("vector"), &json!(true))
    );
    assert_eq!(d["retry_schedule"], json!([0, 42, 150, 540, 1800]));

    let got = ok(&app, "GET", &format!("/v1/webhooks/{id}"), None, 200).await;
    let mut without_secret = w.clone();
    without_secret.as_object_mut().unwrap().remove("secret");
    assert_eq!(got, without_secret);
    let list = ok(&app, "GET", "/v1/webhooks", None, 200).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0], without_secret);

    // PUT is partial.
    let put = ok(
        &app,
        "PUT",
        &format!("/v1/webhooks/{id}"),
        Some(json!({"enabled": false, "events": ["a", "b.*"]})),
        200,
    )
    .await;
    assert_eq!(put["enabled"], false);
    assert_eq!(put["events"], json!(["a", "b.*"]));
    assert_eq!(put["url"], DEAD_URL);
    let put = ok(
        &app,
        "PUT",
        &format!("/v1/webhooks/{id}"),
        Some(json!({"url": "http://localhost:2/x", "retry_schedule": [0, "1s", 2.5]})),
        200,
    )
    .await;
    assert_eq!(put["url"], "http://localhost:2/x");
    assert_eq!(put["enabled"], false);
    assert_eq!(put["retry_schedule"], json!([0, 1, 2.5]));
    // Left out, the schedule stays; null goes back to the profile's, which then applies.
    let put = ok(
        &app,
        "PUT",
        &format!("/v1/webhooks/{id}"),
        Some(json!({"description": "kept"})),
        200,
    )
    .await;
    assert_eq!(put["retry_schedule"], json!([0, 1, 2.5]));
    let put = ok(
        &app,
        "PUT",
        &format!("/v1/webhooks/{id}"),
        Some(json!({"retry_schedule": null})),
        200,
    )
    .await;
    assert_eq!(put["retry_schedule"], w["retry_schedule"]);
    assert_ne!(put["retry_schedule"], json!([0, 1, 2.5]));
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/v1/webhooks/{id}"),
        Some(json!({"retry_schedule": []})),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &json!("retry_schedule"))
    );

    // Rotation returns the new secret, once.
    let rotated = ok(
        &app,
        "POST",
        &format!("/v1/webhooks/{id}/rotate-secret"),
        None,
        200,
    )
    .await;
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert!(rotated.get("previous_secrets").is_none());
    let (status, body) = call(
        &app,
        "POST",
        &format!("/v1/webhooks/{id}/rotate-secret"),
        Some(json!({"secret": "   "})),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &json!("secret")),
        "{body}"
    );

    // No GET or PUT answer, anywhere, carries a secret.
    for (method, path, body) in [
        ("GET", format!("/v1/webhooks/{id}"), None),
        ("GET", "/v1/webhooks".to_owned(), None),
        (
            "PUT",
            format!("/v1/webhooks/{id}"),
            Some(json!({"enabled": true})),
        ),
    ] {
        let res = warp::test::request()
            .method(method)
            .path(&path)
            .json(&body.unwrap_or(Value::Null))
            .reply(&app.routes)
            .await;
        let text = String::from_utf8_lossy(res.body()).into_owned();
        assert!(res.status().is_success(), "{method} {path}: {text}");
        for s in [&secret, &new_secret] {
            assert!(!text.contains(s.as_str()), "{method} {path} leaks: {text}");
        }
        assert!(!text.contains("\"secret\""), "{method} {path}: {text}");
    }

    // A fixed id and a given secret; the same id again is a conflict.
    let fixed = create(
        &app,
        json!({"id": "wh_fixed", "url": DEAD_URL, "events": ["*"], "profile": "github", "secret": "gh_s3cret"}),
    )
    .await;
    assert_eq!(
        (fixed["id"].as_str(), fixed["secret"].as_str()),
        (Some("wh_fixed"), Some("gh_s3cret"))
    );
    assert_eq!(fixed["retry_schedule"], json!([0]), "GitHub does not retry");
    let (status, body) = call(
        &app,
        "POST",
        "/v1/webhooks",
        Some(json!({"id": "wh_fixed", "url": DEAD_URL, "events": ["*"]})),
    )
    .await;
    assert_error(status, &body, 409, "conflict", Some("id"));

    let (status, body) = call(&app, "DELETE", &format!("/v1/webhooks/{id}"), None).await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = call(&app, "GET", &format!("/v1/webhooks/{id}"), None).await;
    assert_error(status, &body, 404, "not_found", None);
    let (status, body) = call(&app, "DELETE", &format!("/v1/webhooks/{id}"), None).await;
    assert_error(status, &body, 404, "not_found", None);
    let (status, body) = call(&app, "PUT", &format!("/v1/webhooks/{id}"), Some(json!({}))).await;
    assert_error(status, &body, 404, "not_found", None);
}

#[tokio::test]
async fn bad_requests_are_json_errors_and_change_nothing() {
    let app = started(&config()).await;
    let w = create(&app, json!({"url": DEAD_URL, "events": ["a"]})).await;
    let wid = w["id"].as_str().unwrap().to_owned();
    let post = |body: Value| {
        let app = &app;
        async move { call(app, "POST", "/v1/webhooks", Some(body)).await }
    };
    let base = || json!({"url": DEAD_URL, "events": ["*"]});
    let with = |k: &str, v: Value| {
        let mut b = base();
        b[k] = v;
        b
    };
    for (body, code, field) in [
        (with("url", json!("ftp://x")), "invalid_field", "url"),
        (
            with("url", json!("http://example.com/hook")),
            "invalid_field",
            "url",
        ),
        // Resolved by the system's resolver, which may ask DNS: not known to be loopback.
        (
            with("url", json!("http://evil.localhost/hook")),
            "invalid_field",
            "url",
        ),
        (with("url", json!(5)), "invalid_body", "url"),
        (with("kind", json!("stripe")), "invalid_field", "kind"),
        (with("type", json!("stripe")), "invalid_field", "kind"),
        (
            with("profile", json!("carrier-pigeon")),
            "invalid_field",
            "profile",
        ),
        (
            json!({"url": DEAD_URL, "events": ["*"], "profile": "standard", "secret": "whsec_!!!"}),
            "invalid_field",
            "secret",
        ),
        // Whitespace is no secret, in any profile (vector takes any text otherwise).
        (with("secret", json!(" ")), "invalid_field", "secret"),
        (with("secret", json!("\t\n ")), "invalid_field", "secret"),
        (
            json!({"url": DEAD_URL, "events": ["*"], "profile": "github", "secret": "  "}),
            "invalid_field",
            "secret",
        ),
        (with("id", json!("bad id")), "invalid_field", "id"),
        (with("events", json!([])), "invalid_field", "events"),
        (with("events", json!(["a*"])), "invalid_field", "events[0]"),
        (with("events", json!(["a", 1])), "invalid_body", "events[1]"),
        (with("enabled", json!("yes")), "invalid_body", "enabled"),
        (
            with("retry_schedule", json!([])),
            "invalid_field",
            "retry_schedule",
        ),
        (
            with("retry_schedule", json!([0, "5y"])),
            "invalid_field",
            "retry_schedule[1]",
        ),
        (
            with("retry_schedule", json!([0, -1])),
            "invalid_field",
            "retry_schedule[1]",
        ),
        (with("colour", json!("red")), "invalid_body", "colour"),
        (json!({"events": ["*"]}), "invalid_body", "url"),
        (json!({"url": DEAD_URL}), "invalid_body", "events"),
    ] {
        let (s, b) = post(body.clone()).await;
        assert_error(s, &b, 400, code, Some(field));
    }
    // https anywhere is fine.
    let (s, _) = post(with("url", json!("https://hooks.slack.com/services/T/B/X"))).await;
    assert_eq!(s, 201);

    let res = warp::test::request()
        .method("POST")
        .path("/v1/webhooks")
        .body("{not json")
        .reply(&app.routes)
        .await;
    let b: Value = serde_json::from_slice(res.body()).unwrap();
    assert_error(res.status().as_u16(), &b, 400, "invalid_body", None);
    let (s, b) = call(&app, "POST", "/v1/webhooks", None).await;
    assert_error(s, &b, 400, "invalid_body", None);
    let big = json!({"url": DEAD_URL, "events": ["*"], "description": "x".repeat(70 * 1024)});
    let (s, b) = call(&app, "POST", "/v1/webhooks", Some(big)).await;
    assert_error(s, &b, 413, "payload_too_large", None);
    let res = warp::test::request()
        .method("POST")
        .path("/v1/events")
        .header("transfer-encoding", "chunked")
        .reply(&app.routes)
        .await;
    let b: Value = serde_json::from_slice(res.body()).unwrap();
    assert_error(res.status().as_u16(), &b, 411, "length_required", None);

    // A bad PUT changes nothing, even in the fields that were valid.
    let path = format!("/v1/webhooks/{wid}");
    for (body, field) in [
        (json!({"enabled": false, "url": "nope"}), "url"),
        (json!({"enabled": false, "events": []}), "events"),
        (json!({"enabled": false, "profile": "stripe"}), "profile"),
        (json!({"enabled": "no"}), "enabled"),
    ] {
        let (s, b) = call(&app, "PUT", &path, Some(body)).await;
        assert!(s == 400, "{b}");
        assert_eq!(b["error"]["field"], field, "{b}");
    }
    assert_eq!(ok(&app, "GET", &path, None, 200).await["enabled"], true);
    assert_eq!(
        ok(&app, "GET", "/v1/webhooks", None, 200)
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let (s, b) = call(&app, "PATCH", &path, Some(json!({}))).await;
    assert_error(s, &b, 405, "method_not_allowed", None);
    let (s, b) = call(&app, "GET", "/nowhere", None).await;
    assert_error(s, &b, 404, "not_found", None);
    let (s, b) = call(&app, "POST", "/nowhere", Some(json!({}))).await;
    assert_error(s, &b, 404, "not_found", None);
    let (s, b) = call(&app, "GET", "/webhooks", None).await;
    assert_error(s, &b, 404, "not_found", None);
    let (s, b) = call(&app, "GET", "/v1/deliveries?colour=red", None).await;
    assert_error(s, &b, 400, "invalid_query", None);
    let message = b["error"]["message"].as_str().unwrap();
    assert!(message.contains("unknown field `colour`"), "{message}");
    let (s, b) = call(&app, "GET", "/v1/logs?limit=many", None).await;
    assert_error(s, &b, 400, "invalid_query", None);
    let (s, b) = call(&app, "GET", "/v1/deliveries?status=lost", None).await;
    assert_error(s, &b, 400, "invalid_field", Some("status"));
    // A filter of the logs only: refused, not ignored.
    let (s, b) = call(&app, "GET", "/v1/deliveries?delivery_id=dl_1", None).await;
    assert_error(s, &b, 400, "invalid_field", Some("delivery_id"));
    let (s, b) = call(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/deliveries?delivery_id=dl_1"),
        None,
    )
    .await;
    assert_error(s, &b, 400, "invalid_field", Some("delivery_id"));
    let (s, b) = call(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/logs?status=pending"),
        None,
    )
    .await;
    assert_error(s, &b, 400, "invalid_field", Some("status"));
    let (s, b) = call(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/logs?limit=0"),
        None,
    )
    .await;
    assert_error(s, &b, 400, "invalid_field", Some("limit"));
    let (s, b) = call(&app, "POST", "/v1/events", Some(json!({"type": ""}))).await;
    assert_error(s, &b, 400, "invalid_field", Some("type"));
    // Sent in headers (X-GitHub-Event, ...): what a header cannot carry is refused now,
    // not failed at every attempt.
    for bad in ["order\npaid", "order paid", "commande.payée"] {
        let (s, b) = call(&app, "POST", "/v1/events", Some(json!({"type": bad}))).await;
        assert_error(s, &b, 400, "invalid_field", Some("type"));
    }
    let (s, b) = call(&app, "POST", "/v1/events", Some(json!({"data": {}}))).await;
    assert_error(s, &b, 400, "invalid_body", Some("type"));
    let (s, b) = call(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a", "webhook_ids": ["wh_nope"]})),
    )
    .await;
    assert_error(s, &b, 404, "not_found", Some("webhook_ids"));
    assert!(ok(&app, "GET", "/v1/deliveries", None, 200)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    for path in [
        "/v1/deliveries/nope",
        "/v1/deliveries/nope/attempts",
        "/v1/webhooks/wh_nope/deliveries",
        "/v1/webhooks/wh_nope/logs",
        "/v1/webhooks/wh_nope/stats",
    ] {
        let (s, b) = call(&app, "GET", path, None).await;
        assert_error(s, &b, 404, "not_found", None);
    }
    for path in [
        "/v1/deliveries/nope/retry",
        "/v1/webhooks/wh_nope/test",
        "/v1/webhooks/wh_nope/rotate-secret",
    ] {
        let (s, b) = call(&app, "POST", path, None).await;
        assert_error(s, &b, 404, "not_found", None);
    }
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_id_make_one_webhook() {
    let path = std::env::temp_dir().join(format!("hookproof-sender-{}.db", ulid::Ulid::new()));
    let mut cfg = config();
    cfg.db = hookproof_sender::DbLocation::File(path.clone());
    let app = std::sync::Arc::new(started(&cfg).await);
    for round in 0..20 {
        let id = format!("wh_same_{round}");
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (app, id) = (std::sync::Arc::clone(&app), id.clone());
                tokio::spawn(async move {
                    let body = json!({"id": id, "url": DEAD_URL, "events": ["*"]});
                    call(&app, "POST", "/v1/webhooks", Some(body)).await.0
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        statuses.sort();
        assert_eq!(statuses, [201, 409, 409, 409], "round {round}");
    }
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{f}", path.display()));
    }
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

#[tokio::test]
async fn events_fan_out_to_the_enabled_webhooks_whose_patterns_match() {
    let app = started(&config()).await;
    let mut ids = Vec::new();
    for body in [
        json!({"url": DEAD_URL, "events": ["order.paid"]}),
        json!({"url": DEAD_URL, "events": ["order.*"]}),
        json!({"url": DEAD_URL, "events": ["*"]}),
        json!({"url": DEAD_URL, "events": ["*"], "enabled": false}),
        json!({"url": DEAD_URL, "events": ["invoice.*", "order"]}),
    ] {
        ids.push(create(&app, body).await["id"].as_str().unwrap().to_owned());
    }
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order.paid", "data": {"n": 1}})),
        202,
    )
    .await;
    assert!(ev["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(ev["type"], "order.paid");
    let to: Vec<_> = ev["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["webhook_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to, ids[..3]);
    let d = &ev["deliveries"][0];
    assert_eq!(d["status"], "pending");
    assert_eq!(d["event_type"], "order.paid");
    assert_eq!(d["event_id"], ev["id"]);
    assert_eq!(d["attempts"], 0);
    assert!(
        ulid::Ulid::from_string(d["id"].as_str().unwrap()).is_ok(),
        "{d}"
    );

    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order", "id": "evt_fixed"})),
        202,
    )
    .await;
    assert_eq!(ev["id"], "evt_fixed");
    assert_eq!(
        ev["deliveries"].as_array().unwrap().len(),
        2,
        "`order.*` is not `order`"
    );
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "order.paid", "webhook_ids": [ids[1]]})),
        202,
    )
    .await;
    assert_eq!(ev["deliveries"].as_array().unwrap().len(), 1);

    let list = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{}/deliveries", ids[1]),
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let list = ok(
        &app,
        "GET",
        &format!("/v1/deliveries?webhook_id={}", ids[2]),
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let list = ok(
        &app,
        "GET",
        "/v1/deliveries?event_type=order&limit=1",
        None,
        200,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["event_type"], "order");
    // `event`, the filter's former name, is still read.
    let list = ok(&app, "GET", "/v1/deliveries?event=order&limit=1", None, 200).await;
    assert_eq!(list[0]["event_type"], "order");
}

#[tokio::test]
async fn deliveries_logs_retry_and_test() {
    let app = started(&config()).await;
    let w = create(
        &app,
        json!({"url": DEAD_URL, "events": ["*"], "profile": "standard", "retry_schedule": [0]}),
    )
    .await;
    let wid = w["id"].as_str().unwrap().to_owned();
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a.b"})),
        202,
    )
    .await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let d = wait_until(&app, &id, finished).await;
    assert_eq!(d.attempts, 1);

    let deliveries = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/deliveries"),
        None,
        200,
    )
    .await;
    let shown = &deliveries[0];
    for key in [
        "id",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ] {
        assert!(shown.get(key).is_some(), "{key}: {shown}");
    }
    assert_eq!(shown["status"], "failed");
    assert!(shown["next_attempt_at"].is_null());
    let failed = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/deliveries?status=failed"),
        None,
        200,
    )
    .await;
    assert_eq!(failed.as_array().unwrap().len(), 1);
    let pending = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/deliveries?status=pending"),
        None,
        200,
    )
    .await;
    assert!(pending.as_array().unwrap().is_empty());
    let stats = ok(&app, "GET", &format!("/v1/webhooks/{wid}/stats"), None, 200).await;
    assert_eq!(stats, json!({"pending": 0, "success": 0, "failed": 1}));

    // Retry after the final failure: one more attempt.
    let r = retry(&app, &id).await;
    assert_eq!(r["status"], "pending");
    let d = wait_until(&app, &id, |d| finished(d) && d.attempts == 2).await;
    assert_eq!(d.status, hookproof_sender::store::DeliveryStatus::Failed);

    let one = ok(&app, "GET", &format!("/v1/deliveries/{id}"), None, 200).await;
    assert_eq!(one["attempts"], 2);
    assert!(one["body"].as_str().unwrap().contains("\"a.b\""));
    let attempts = attempts(&app, &id).await;
    assert_eq!(attempts[0]["attempt"], 1, "oldest first");
    assert!(attempts[0]["request_headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "webhook-signature"));

    let logs = ok(&app, "GET", &format!("/v1/webhooks/{wid}/logs"), None, 200).await;
    let newest = &logs[0];
    assert_eq!(newest["attempt"], 2, "newest first");
    for key in [
        "id",
        "delivery_id",
        "event_type",
        "attempt",
        "status_code",
        "response_time_ms",
        "delivered_at",
        "error",
        "response_body",
    ] {
        assert!(newest.get(key).is_some(), "{key}: {newest}");
    }
    assert_eq!(newest["event_type"], "a.b");
    assert!(
        newest["error"].as_str().unwrap().contains("onnect"),
        "{newest}"
    );
    let limited = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/logs?status=failed&limit=1"),
        None,
        200,
    )
    .await;
    assert_eq!(limited.as_array().unwrap().len(), 1);
    let successes = ok(
        &app,
        "GET",
        &format!("/v1/webhooks/{wid}/logs?status=success"),
        None,
        200,
    )
    .await;
    assert!(successes.as_array().unwrap().is_empty());
    let all = ok(
        &app,
        "GET",
        &format!("/v1/logs?delivery_id={id}"),
        None,
        200,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // A custom test event.
    let d = ok(
        &app,
        "POST",
        &format!("/v1/webhooks/{wid}/test"),
        Some(json!({"type": "ping", "data": {"hello": "world"}})),
        202,
    )
    .await;
    assert_eq!(d["event_type"], "ping");
    // Without a type: the profile's test event from the catalog, as its example.
    let d = ok(&app, "POST", &format!("/v1/webhooks/{wid}/test"), None, 202).await;
    assert_eq!(d["event_type"], "user.created");
    let one = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{}", d["id"].as_str().unwrap()),
        None,
        200,
    )
    .await;
    let body: Value = serde_json::from_str(one["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["type"], "user.created");
    assert!(
        body["data"]["id"].as_str().unwrap().starts_with("user_"),
        "generic's user.created example: {body}"
    );
    // A type the catalog does not have for the profile: a small object naming the webhook.
    let d = ok(
        &app,
        "POST",
        &format!("/v1/webhooks/{wid}/test"),
        Some(json!({"type": "custom.check"})),
        202,
    )
    .await;
    let one = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{}", d["id"].as_str().unwrap()),
        None,
        200,
    )
    .await;
    let body: Value = serde_json::from_str(one["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"], json!({"test": true, "webhook_id": wid}));
    // Another profile's: its own test event (Stripe's invoice.paid, a full event).
    let st = create(
        &app,
        json!({"url": DEAD_URL, "events": ["x"], "profile": "stripe"}),
    )
    .await;
    let sid = st["id"].as_str().unwrap();
    let d = ok(&app, "POST", &format!("/v1/webhooks/{sid}/test"), None, 202).await;
    assert_eq!(d["event_type"], "invoice.paid");

    // A github webhook's test is GitHub's ping, with the hook's configuration.
    let gh = create(
        &app,
        json!({"url": DEAD_URL, "events": ["push"], "profile": "github"}),
    )
    .await;
    let gid = gh["id"].as_str().unwrap();
    let d = ok(&app, "POST", &format!("/v1/webhooks/{gid}/test"), None, 202).await;
    assert_eq!(d["event_type"], "ping");
    let one = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{}", d["id"].as_str().unwrap()),
        None,
        200,
    )
    .await;
    let body: serde_json::Value = serde_json::from_str(one["body"].as_str().unwrap()).unwrap();
    assert!(body["zen"].is_string());
    assert_eq!(body["hook_id"], gid);
    assert_eq!(body["hook"]["config"]["url"], DEAD_URL);
}

#[tokio::test]
async fn config_file_creates_and_replaces_webhooks() {
    let app = started(&config()).await;
    let path = std::env::temp_dir().join(format!("hookproof-sender-{}.json", ulid::Ulid::new()));
    std::fs::write(
        &path,
        r#"{"webhooks": [
            {"id": "wh_orders", "url": "http://127.0.0.1:3000/a", "profile": "stripe", "secret": "sk_1", "events": ["order.*"]},
            {"url": "http://127.0.0.1:3000/b", "events": ["*"]}
        ]}"#,
    )
    .unwrap();
    let created = app.load_config_file(&path).await.unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].id, "wh_orders");
    assert_eq!(created[1].profile.name(), "vector");
    std::fs::write(&path, r#"[{"id": "wh_orders", "url": "http://127.0.0.1:3000/c", "profile": "stripe", "secret": "sk_1", "events": ["*"]}]"#).unwrap();
    app.load_config_file(&path).await.unwrap();
    let w = ok(&app, "GET", "/v1/webhooks/wh_orders", None, 200).await;
    assert_eq!(w["url"], "http://127.0.0.1:3000/c");

    for (text, want) in [
        (
            r#"[{"url": "http://127.0.0.1:3000/c", "events": ["*"], "profile": "nope"}]"#,
            "webhooks[0].profile",
        ),
        (
            r#"[{"url": "http://127.0.0.1:3000/c", "events": ["*"]}, {"url": "x"}]"#,
            "webhooks[1].events",
        ),
        (r#"{"hooks": []}"#, "expected"),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = app.load_config_file(&path).await.unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
    }
    assert_eq!(
        app.store.webhooks().unwrap().len(),
        2,
        "a bad file adds nothing"
    );
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_delivery_lists_all_its_attempts_oldest_first_past_the_default_limit() {
    let app = started(&config()).await;
    // A dead URL with no retry: one failed attempt, the one the others copy.
    create(
        &app,
        json!({"url": DEAD_URL, "events": ["*"], "retry_schedule": [0]}),
    )
    .await;
    let ev = ok(&app, "POST", "/v1/events", Some(json!({"type": "a"})), 202).await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap().to_owned();
    wait_until(&app, &id, finished).await;
    let first = app
        .store
        .attempts(&hookproof_sender::store::Query {
            delivery_id: Some(id.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    for n in 2..=1005u32 {
        let mut more = first.clone();
        more.id = format!("{}_{n}", first.id);
        more.attempt = n;
        more.delivered_at = first.delivered_at + i64::from(n);
        app.store
            .record_attempt(std::sync::Arc::new(more), None)
            .await
            .unwrap();
    }
    assert_eq!(
        attempt_numbers(&app, &id).await,
        (1..=1005).collect::<Vec<_>>()
    );
}
