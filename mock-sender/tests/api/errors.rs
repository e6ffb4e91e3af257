//! Bad requests: the JSON error of each (status, code, field), and nothing changed by them.

use serde_json::{json, Value};

use crate::common::api::{assert_error, create, DEAD_URL};
use crate::common::{call, config, ok, started};

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
