//! Every route in-process with `warp::test::request()`, and the error shape of each failure.

mod common;

use common::{call, call_with, config, finished, started, wait_until};
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

#[tokio::test]
async fn health_and_openapi_describe_every_route() {
    let app = started(&config(&[]));
    assert_eq!(
        call(&app, "GET", "/health", None).await,
        (200, json!({"ok": true}))
    );
    let (status, doc) = call(&app, "GET", "/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.0.3");
    for path in [
        "/health",
        "/openapi.json",
        "/webhooks",
        "/webhooks/{id}",
        "/webhooks/{id}/rotate-secret",
        "/webhooks/{id}/test",
        "/events",
        "/deliveries",
        "/deliveries/{id}",
        "/deliveries/{id}/attempts",
        "/deliveries/{id}/retry",
        "/logs",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

#[tokio::test]
async fn webhook_crud() {
    let app = started(&config(&[]));
    let (status, w) = call(
        &app,
        "POST",
        "/webhooks",
        Some(json!({"url": DEAD_URL, "type": "slack", "events": ["a"], "description": "d"})),
    )
    .await;
    assert_eq!(status, 201, "{w}");
    let id = w["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("wh_"));
    assert_eq!(w["type"], "slack");
    assert!(w["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(w["events"], json!(["a"]));

    let (status, got) = call(&app, "GET", &format!("/webhooks/{id}"), None).await;
    assert_eq!((status, &got), (200, &w));
    let (status, list) = call(&app, "GET", "/webhooks", None).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"], json!([w]));

    let (status, patched) = call(
        &app,
        "PATCH",
        &format!("/webhooks/{id}"),
        Some(json!({"url": "http://127.0.0.1:2/x", "type": "github", "disabled": true})),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["url"], "http://127.0.0.1:2/x");
    assert_eq!(patched["type"], "github");
    assert_eq!(patched["disabled"], true);
    assert_eq!(patched["secret"], w["secret"]);

    // A fixed id, with the `scheme` alias and a given secret.
    let (status, fixed) = call(
        &app,
        "POST",
        "/webhooks",
        Some(json!({"id": "wh_fixed", "url": DEAD_URL, "scheme": "stripe", "secret": "sk_test"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        (fixed["id"].as_str(), fixed["secret"].as_str()),
        (Some("wh_fixed"), Some("sk_test"))
    );
    let (status, body) = call(
        &app,
        "POST",
        "/webhooks",
        Some(json!({"id": "wh_fixed", "url": DEAD_URL})),
    )
    .await;
    assert_error(status, &body, 409, "conflict", Some("id"));

    let (status, body) = call(&app, "DELETE", &format!("/webhooks/{id}"), None).await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = call(&app, "GET", &format!("/webhooks/{id}"), None).await;
    assert_error(status, &body, 404, "not_found", None);
    let (status, body) = call(&app, "DELETE", &format!("/webhooks/{id}"), None).await;
    assert_error(status, &body, 404, "not_found", None);
    let (status, body) = call(&app, "PATCH", &format!("/webhooks/{id}"), Some(json!({}))).await;
    assert_error(status, &body, 404, "not_found", None);
}

#[tokio::test]
async fn invalid_requests_are_json_errors() {
    let app = started(&config(&[]));
    let post = |body: Value| {
        let app = &app;
        async move { call(app, "POST", "/webhooks", Some(body)).await }
    };
    let (s, b) = post(json!({"url": "ftp://x"})).await;
    assert_error(s, &b, 400, "invalid_field", Some("url"));
    let (s, b) = post(json!({"url": DEAD_URL, "type": "carrier-pigeon"})).await;
    assert_error(s, &b, 400, "invalid_field", Some("type"));
    let (s, b) = post(json!({"url": DEAD_URL, "secret": "whsec_!!!"})).await;
    assert_error(s, &b, 400, "invalid_field", Some("secret"));
    let (s, b) = post(json!({"url": DEAD_URL, "id": "bad id"})).await;
    assert_error(s, &b, 400, "invalid_field", Some("id"));
    let (s, b) = post(json!({"url": DEAD_URL, "colour": "red"})).await;
    assert_error(s, &b, 400, "invalid_body", Some("colour"));
    let (s, b) = post(json!({"type": "stripe"})).await;
    assert_error(s, &b, 400, "invalid_body", Some("url"));

    let res = warp::test::request()
        .method("POST")
        .path("/webhooks")
        .body("{not json")
        .reply(&app.routes)
        .await;
    let b: Value = serde_json::from_slice(res.body()).unwrap();
    assert_error(res.status().as_u16(), &b, 400, "invalid_body", None);

    let (s, b) = call(&app, "POST", "/webhooks", None).await;
    assert_error(s, &b, 400, "invalid_body", None);

    let big = json!({"url": DEAD_URL, "description": "x".repeat(70 * 1024)});
    let (s, b) = call(&app, "POST", "/webhooks", Some(big)).await;
    assert_error(s, &b, 413, "payload_too_large", None);

    let res = warp::test::request()
        .method("POST")
        .path("/events")
        .header("transfer-encoding", "chunked")
        .reply(&app.routes)
        .await;
    let b: Value = serde_json::from_slice(res.body()).unwrap();
    assert_error(res.status().as_u16(), &b, 411, "length_required", None);

    let (s, b) = call(&app, "PUT", "/webhooks", Some(json!({}))).await;
    assert_error(s, &b, 405, "method_not_allowed", None);
    let (s, b) = call(&app, "GET", "/nowhere", None).await;
    assert_error(s, &b, 404, "not_found", None);
    let (s, b) = call(&app, "GET", "/deliveries?status=lost", None).await;
    assert_error(s, &b, 400, "invalid_query", None);
    let (s, b) = call(&app, "GET", "/logs?limit=0", None).await;
    assert_error(s, &b, 400, "invalid_field", Some("limit"));
    let (s, b) = call(&app, "POST", "/events", Some(json!({"type": ""}))).await;
    assert_error(s, &b, 400, "invalid_field", Some("type"));
    let (s, b) = call(
        &app,
        "POST",
        "/events",
        Some(json!({"type": "a", "webhook_ids": ["wh_nope"]})),
    )
    .await;
    assert_error(s, &b, 404, "not_found", Some("webhook_ids"));
    for path in ["/deliveries/msg_nope", "/deliveries/msg_nope/attempts"] {
        let (s, b) = call(&app, "GET", path, None).await;
        assert_error(s, &b, 404, "not_found", None);
    }
    let (s, b) = call(&app, "POST", "/deliveries/msg_nope/retry", None).await;
    assert_error(s, &b, 404, "not_found", None);
    for path in ["/webhooks/wh_nope/test", "/webhooks/wh_nope/rotate-secret"] {
        let (s, b) = call(&app, "POST", path, None).await;
        assert_error(s, &b, 404, "not_found", None);
    }
}

#[tokio::test]
async fn the_token_guards_the_api_but_not_health() {
    let mut cfg = config(&[]);
    cfg.token = Some("s3cret".into());
    let app = started(&cfg);
    assert_eq!(call(&app, "GET", "/health", None).await.0, 200);
    assert_eq!(call(&app, "GET", "/openapi.json", None).await.0, 200);
    let (s, b) = call(&app, "GET", "/webhooks", None).await;
    assert_error(s, &b, 401, "unauthorized", None);
    let (s, b) = call_with(&app, "GET", "/webhooks", None, Some("wrong")).await;
    assert_error(s, &b, 401, "unauthorized", None);
    let (s, b) = call(&app, "POST", "/events", Some(json!({"type": "a"}))).await;
    assert_error(s, &b, 401, "unauthorized", None);
    let (s, _) = call_with(&app, "GET", "/webhooks", None, Some("s3cret")).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn events_fan_out_to_the_webhooks_that_want_them() {
    let app = started(&config(&[]));
    let mut ids = Vec::new();
    for body in [
        json!({"url": DEAD_URL, "events": ["order.paid"]}),
        json!({"url": DEAD_URL}),
        json!({"url": DEAD_URL, "events": ["*"]}),
        json!({"url": DEAD_URL, "disabled": true}),
    ] {
        let (_, w) = call(&app, "POST", "/webhooks", Some(body)).await;
        ids.push(w["id"].as_str().unwrap().to_owned());
    }
    let (s, ev) = call(
        &app,
        "POST",
        "/events",
        Some(json!({"type": "order.paid", "data": {"n": 1}})),
    )
    .await;
    assert_eq!(s, 202);
    assert!(ev["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(ev["type"], "order.paid");
    assert_eq!(ev["deliveries"].as_array().unwrap().len(), 3);
    let (_, ev) = call(
        &app,
        "POST",
        "/events",
        Some(json!({"type": "order.refunded", "id": "evt_fixed"})),
    )
    .await;
    assert_eq!(ev["id"], "evt_fixed");
    assert_eq!(ev["deliveries"].as_array().unwrap().len(), 2);
    let (_, ev) = call(
        &app,
        "POST",
        "/events",
        Some(json!({"type": "order.paid", "webhook_ids": [ids[1]]})),
    )
    .await;
    let ds = ev["deliveries"].as_array().unwrap();
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0]["webhook_id"], ids[1].as_str());
    assert_eq!(ds[0]["status"], "pending");

    let (_, list) = call(
        &app,
        "GET",
        &format!("/deliveries?webhook_id={}", ids[1]),
        None,
    )
    .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
    let (_, list) = call(
        &app,
        "GET",
        "/deliveries?event_type=order.refunded&limit=1",
        None,
    )
    .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn deliveries_attempts_logs_retry_and_test() {
    let app = started(&config(&[]));
    let (_, w) = call(&app, "POST", "/webhooks", Some(json!({"url": DEAD_URL}))).await;
    let wid = w["id"].as_str().unwrap();
    let (s, d) = call(&app, "POST", &format!("/webhooks/{wid}/test"), None).await;
    assert_eq!(s, 202, "{d}");
    assert_eq!(d["event_type"], "webhook.test");
    let id = d["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("msg_"));

    let done = wait_until(&app, &id, finished).await;
    assert_eq!(done.attempts, 1);
    let (s, got) = call(&app, "GET", &format!("/deliveries/{id}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(got["status"], "failed");
    assert_eq!(got["max_attempts"], 1);
    let (_, failed) = call(&app, "GET", "/deliveries?status=failed", None).await;
    assert_eq!(failed["data"][0]["id"], id.as_str());

    let (s, again) = call(&app, "POST", &format!("/deliveries/{id}/retry"), None).await;
    assert_eq!(s, 202);
    assert_eq!(again["status"], "pending");
    let done = wait_until(&app, &id, |d| d.attempts == 2 && finished(d)).await;
    assert_eq!(done.max_attempts, 2);

    let (s, attempts) = call(&app, "GET", &format!("/deliveries/{id}/attempts"), None).await;
    assert_eq!(s, 200);
    let attempts = attempts["data"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[1]["attempt"], 2);
    assert_eq!(attempts[0]["outcome"], "connection_error");
    assert!(attempts[0]["request_headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "webhook-signature"));

    let (s, logs) = call(&app, "GET", &format!("/logs?delivery_id={id}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(logs["data"][0]["attempt"], 2, "newest first");
    let (_, logs) = call(
        &app,
        "GET",
        &format!("/logs?webhook_id={wid}&limit=1"),
        None,
    )
    .await;
    assert_eq!(logs["data"].as_array().unwrap().len(), 1);

    // A custom test event; rotate-secret without a body generates a secret.
    let (s, d) = call(
        &app,
        "POST",
        &format!("/webhooks/{wid}/test"),
        Some(json!({"type": "ping", "data": {"hello": "world"}})),
    )
    .await;
    assert_eq!(s, 202);
    assert_eq!(d["event_type"], "ping");
    assert!(d["body"].as_str().unwrap().contains("world"));
    let (s, r) = call(
        &app,
        "POST",
        &format!("/webhooks/{wid}/rotate-secret"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_ne!(r["secret"], w["secret"]);
    assert_eq!(r["previous_secrets"][0]["secret"], w["secret"]);
}

#[tokio::test]
async fn config_file_creates_and_replaces_webhooks() {
    let app = started(&config(&[]));
    let path = std::env::temp_dir().join(format!("hookproof-sender-{}.json", ulid::Ulid::new()));
    std::fs::write(
        &path,
        r#"{"webhooks": [
            {"id": "wh_orders", "url": "http://127.0.0.1:3000/a", "type": "stripe", "secret": "sk_1", "events": ["order.paid"]},
            {"url": "http://127.0.0.1:3000/b"}
        ]}"#,
    )
    .unwrap();
    let created = app.load_config_file(&path).unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].id, "wh_orders");
    assert_eq!(created[1].scheme, "standard");
    std::fs::write(&path, r#"[{"id": "wh_orders", "url": "http://127.0.0.1:3000/c", "type": "stripe", "secret": "sk_1"}]"#).unwrap();
    app.load_config_file(&path).unwrap();
    let (_, w) = call(&app, "GET", "/webhooks/wh_orders", None).await;
    assert_eq!(w["url"], "http://127.0.0.1:3000/c");
    assert_eq!(w["created_at"], created[0].created_at);

    std::fs::write(
        &path,
        r#"[{"url": "http://127.0.0.1:3000/c", "type": "nope"}]"#,
    )
    .unwrap();
    let err = app.load_config_file(&path).unwrap_err().to_string();
    assert!(err.contains("webhooks[0].type"), "{err}");
    let _ = std::fs::remove_file(&path);
}
