//! The vectorco profile (Vector.co): its events are the body itself, signed with the
//! generic scheme; a webhook's `segments` keep out the events of other segments.

mod common;

use common::*;
use hookproof::{Scheme, Webhook};
use serde_json::{json, Value};

/// A vectorco webhook for contact and company events, with `segments` if given.
async fn vectorco(app: &hookproof_sender::App, url: &str, segments: Option<&[&str]>) -> Value {
    let mut body = json!({"url": url, "events": ["contact.*", "company.*"], "profile": "vectorco"});
    if let Some(s) = segments {
        body["segments"] = json!(s);
    }
    ok(app, "POST", "/v1/webhooks", Some(body), 201).await
}

/// The webhooks `POST /v1/events` with `body` made deliveries to.
async fn sent_to(app: &hookproof_sender::App, body: Value) -> Vec<String> {
    let ev = ok(app, "POST", "/v1/events", Some(body), 202).await;
    ev["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["webhook_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn segments_are_created_shown_changed_and_checked() {
    let app = started(&config()).await;
    let w = vectorco(&app, DEAD, Some(&["segment_12345"])).await;
    assert_eq!(w["profile"], "vectorco");
    assert_eq!(w["segments"], json!(["segment_12345"]));
    let id = w["id"].as_str().unwrap();
    let got = ok(&app, "GET", &format!("/v1/webhooks/{id}"), None, 200).await;
    assert_eq!(got["segments"], json!(["segment_12345"]));

    let path = format!("/v1/webhooks/{id}");
    let put = ok(
        &app,
        "PUT",
        &path,
        Some(json!({"segments": ["a", "b"]})),
        200,
    )
    .await;
    assert_eq!(put["segments"], json!(["a", "b"]));
    let put = ok(&app, "PUT", &path, Some(json!({"description": "d"})), 200).await;
    assert_eq!(put["segments"], json!(["a", "b"]), "left out: unchanged");
    let put = ok(&app, "PUT", &path, Some(json!({"segments": null})), 200).await;
    assert_eq!(put["segments"], json!([]), "null: every segment");

    let none = vectorco(&app, DEAD, None).await;
    assert_eq!(none["segments"], json!([]));
    for (segments, field) in [
        (json!([""]), "segments[0]"),
        (json!(["ok", "no spaces"]), "segments[1]"),
        (json!(["a", "a"]), "segments[1]"),
        (json!("segment_1"), "segments"),
    ] {
        let (status, body) = call(
            &app,
            "POST",
            "/v1/webhooks",
            Some(json!({"url": DEAD, "events": ["*"], "segments": segments})),
        )
        .await;
        assert_eq!(status, 400, "{segments}: {body}");
        assert_eq!(body["error"]["field"], field, "{body}");
        let (status, body) = call(&app, "PUT", &path, Some(json!({"segments": segments}))).await;
        assert_eq!((status, &body["error"]["field"]), (400, &json!(field)));
    }
    let after = ok(&app, "GET", &path, None, 200).await;
    assert_eq!(
        after["segments"],
        json!([]),
        "a refused change changed nothing"
    );

    let doc = ok_raw(&app, "/openapi.json").await;
    let profiles = &doc["components"]["schemas"]["CreateWebhook"]["properties"]["profile"]["enum"];
    assert!(
        profiles.as_array().unwrap().contains(&json!("vectorco")),
        "{profiles}"
    );
    assert!(doc["components"]["schemas"]["Webhook"]["properties"]["segments"].is_object());
}

#[tokio::test]
async fn a_vectorco_delivery_is_the_event_itself_signed_with_the_generic_scheme() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let w = vectorco(&app, &rx.url, None).await;
    let data = r#"{"event": "contact.visited", "timestamp": "2025-12-05T14:30:00.000Z", "contact": {"id": "cont_1", "visit_count": 1.50}, "segment": {"id": "segment_1", "name": "A"}}"#;
    let body = format!(r#"{{"type": "contact.visited", "data": {data}}}"#);
    let res = warp::test::request()
        .method("POST")
        .path("/v1/events")
        .header("content-type", "application/json")
        .body(body)
        .reply(&app.routes)
        .await;
    assert_eq!(res.status(), 202);
    let ev: Value = serde_json::from_slice(res.body()).unwrap();
    let id = ev["data"]["deliveries"][0]["id"].as_str().unwrap();
    let d = wait_until(&app, id, finished).await;
    assert_eq!(d.status, hookproof_sender::store::DeliveryStatus::Success);

    let hit = rx.hits().pop().unwrap();
    assert_eq!(
        hit.body,
        data.as_bytes(),
        "the body is the data, byte for byte"
    );
    assert_eq!(hit.header("x-webhook-event"), Some("contact.visited"));
    assert!(hit.header("x-webhook-signature").is_some());
    let secret = w["secret"].as_str().unwrap();
    Webhook::new(Scheme::Generic, secret)
        .unwrap()
        .verify_at(&hit.body, &hit.headers, now_secs())
        .expect("verifies as the generic scheme");

    // Without data: the catalog's example, with a fresh timestamp.
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "company.visited"})),
        202,
    )
    .await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap();
    wait_until(&app, id, finished).await;
    let hit = rx.hits().pop().unwrap();
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["event"], "company.visited");
    assert!(body["company"]["id"].as_str().unwrap().starts_with("comp_"));
    assert_eq!(body["segment"]["id"], "segment_12345");
    assert_ne!(body["timestamp"], "2025-12-05T14:30:00.000Z", "made fresh");
}

#[tokio::test]
async fn a_webhook_with_segments_gets_only_those_segments_events() {
    let app = started(&config()).await;
    let ours = vectorco(&app, DEAD, Some(&["segment_1"])).await;
    let catalogs = vectorco(&app, DEAD, Some(&["segment_12345", "segment_9"])).await;
    let every = vectorco(&app, DEAD, None).await;
    let standard = ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(
            json!({"url": DEAD, "events": ["*"], "profile": "standard", "segments": ["segment_1"]}),
        ),
        201,
    )
    .await;
    let id = |w: &Value| w["id"].as_str().unwrap().to_owned();

    let to = sent_to(
        &app,
        json!({"type": "contact.intent", "data": {"event": "contact.intent", "segment": {"id": "segment_1", "name": "A"}}}),
    )
    .await;
    assert_eq!(to, [id(&ours), id(&every), id(&standard)]);

    // Without data each webhook gets its profile's example, of segment_12345.
    let to = sent_to(&app, json!({"type": "contact.visited"})).await;
    assert_eq!(to, [id(&catalogs), id(&every)]);

    // An event naming no segment is not filtered; the events filter still is.
    let to = sent_to(
        &app,
        json!({"type": "company.visited", "data": {"event": "company.visited"}}),
    )
    .await;
    assert_eq!(to, [id(&ours), id(&catalogs), id(&every), id(&standard)]);
    let to = sent_to(
        &app,
        json!({"type": "user.created", "data": {"segment": {"id": "segment_2"}}}),
    )
    .await;
    assert!(
        to.is_empty(),
        "only standard takes user.created, and not segment_2: {to:?}"
    );

    // A webhook's segments can be changed; an empty list takes every segment again.
    let path = format!("/v1/webhooks/{}", id(&ours));
    ok(&app, "PUT", &path, Some(json!({"segments": []})), 200).await;
    let to = sent_to(
        &app,
        json!({"type": "contact.intent", "data": {"segment": {"id": "segment_2"}}}),
    )
    .await;
    assert_eq!(to, [id(&ours), id(&every)]);
}

/// Nothing listens on port 9 of loopback: deliveries there fail at once.
const DEAD: &str = "http://127.0.0.1:9/hook";

/// `GET path` as the API answers it, not under `data`.
async fn ok_raw(app: &hookproof_sender::App, path: &str) -> Value {
    let (status, body) = call(app, "GET", path, None).await;
    assert_eq!(status, 200, "{body}");
    body
}
