//! Waiting on the server: `GET /v1/deliveries/{id}?wait=` answers when the delivery is
//! final, `GET /v1/webhooks/{id}/deliveries?wait=&after=` when the webhook has a newer
//! delivery, `GET /v1/inboxes/{name}/captures?wait=&after=` when the inbox has a newer
//! capture; all at the end of the wait otherwise.

mod common;

use std::time::{Duration, Instant};

use common::inbox::post_in;
use common::{call, call_with, config, create, ok, receiver, send, started, Answer};

#[tokio::test]
async fn a_delivery_wait_answers_when_it_is_final() {
    let app = started(&config()).await;
    // 500, then a retry 2 s later (at --time-scale 0.001: 2 ms), then 200.
    let rx = receiver(vec![Answer::Status(500)]).await;
    create(&app, &rx.url, "vector", Some(&[0, 2000])).await;
    let id = send(&app, "order.created").await;
    let d = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{id}?wait=10s"),
        None,
        200,
    )
    .await;
    assert_eq!(d["status"], "success", "{d}");
    assert_eq!(d["attempts"], 2);
    assert!(d["body"].is_string(), "the delivery as GET shows it: {d}");
    // Already final: at once.
    let started_at = Instant::now();
    let d = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{id}?wait=10s"),
        None,
        200,
    )
    .await;
    assert_eq!(d["status"], "success");
    assert!(started_at.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_delivery_wait_ends_with_the_pending_delivery() {
    let app = started(&config()).await;
    // Fails, and the next attempt is an hour away (scaled: 3.6 s).
    let rx = receiver(vec![Answer::Status(500)]).await;
    create(&app, &rx.url, "vector", Some(&[0, 3600])).await;
    let id = send(&app, "order.created").await;
    let started_at = Instant::now();
    let d = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{id}?wait=300ms"),
        None,
        200,
    )
    .await;
    let took = started_at.elapsed();
    assert_eq!(d["status"], "pending", "{d}");
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn wait_errors_are_the_apis() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let w = create(&app, &rx.url, "vector", None).await;
    let wid = w["id"].as_str().unwrap();
    for (path, status, code, field) in [
        ("/v1/deliveries/dlv_nope?wait=1s", 404, "not_found", None),
        (
            "/v1/deliveries/dlv_nope?wait=soon",
            400,
            "invalid_field",
            Some("wait"),
        ),
        (
            "/v1/deliveries/dlv_nope?wait=1s&x=1",
            400,
            "invalid_query",
            None,
        ),
        (
            &format!("/v1/webhooks/{wid}/deliveries?wait=1s&after=dlv_nope"),
            400,
            "invalid_field",
            Some("after"),
        ),
        (
            &format!("/v1/webhooks/{wid}/deliveries?wait=1s&status=done"),
            400,
            "invalid_query",
            None,
        ),
        (
            "/v1/webhooks/wh_nope/deliveries?wait=1s",
            404,
            "not_found",
            None,
        ),
    ] {
        let (got, body) = call(&app, "GET", path, None).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        assert_eq!(body["error"]["field"].as_str(), field, "{path}: {body}");
    }
    // The token is asked for as on every /v1 route.
    let app = started(&hookproof_sender::Config {
        token: Some("t".into()),
        ..config()
    })
    .await;
    let (got, _) = call(&app, "GET", "/v1/deliveries/dlv_x?wait=1s", None).await;
    assert_eq!(got, 401);
    let (got, _) = call_with(&app, "GET", "/v1/deliveries/dlv_x?wait=1s", None, Some("t")).await;
    assert_eq!(got, 404);
}

#[tokio::test]
async fn a_webhook_wait_answers_with_its_next_delivery() {
    let app = std::sync::Arc::new(started(&config()).await);
    let rx = receiver(vec![]).await;
    let w = create(&app, &rx.url, "vector", None).await;
    let wid = w["id"].as_str().unwrap().to_owned();
    let first = send(&app, "order.created").await;

    // Nothing after `first` yet: the wait ends empty.
    let path = format!("/v1/webhooks/{wid}/deliveries?wait=200ms&after={first}");
    let list = ok(&app, "GET", &path, None, 200).await;
    assert_eq!(list, serde_json::json!([]));

    // A wait for a succeeded delivery after `first`, answered by the next event.
    let waiter = {
        let app = std::sync::Arc::clone(&app);
        let path = format!("/v1/webhooks/{wid}/deliveries?wait=10s&after={first}&status=success");
        tokio::spawn(async move { ok(&app, "GET", &path, None, 200).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = send(&app, "invoice.paid").await;
    let list = waiter.await.unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], second.as_str());
    assert_eq!(list[0]["status"], "success");

    // Without `after`: a delivery made after the request came.
    let waiter = {
        let app = std::sync::Arc::clone(&app);
        let path = format!("/v1/webhooks/{wid}/deliveries?wait=10s");
        tokio::spawn(async move { ok(&app, "GET", &path, None, 200).await })
    };
    // The waiter must have taken the newest as its mark before the next is made.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let third = send(&app, "order.created").await;
    let list = waiter.await.unwrap();
    assert_eq!(list[0]["id"], third.as_str(), "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);

    // `after=` empty: any delivery, at once (none made before the request is missed).
    let path = format!("/v1/webhooks/{wid}/deliveries?wait=10s&after=&limit=2");
    let list = ok(&app, "GET", &path, None, 200).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [third.as_str(), second.as_str()]);
}

#[tokio::test]
async fn openapi_documents_the_waits() {
    let app = started(&config()).await;
    let (_, doc) = call(&app, "GET", "/openapi.json", None).await;
    let names = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("/v1/deliveries/{id}"), ["wait"]);
    assert_eq!(
        names("/v1/webhooks/{id}/deliveries"),
        ["status", "event_type", "limit", "wait", "after"]
    );
    assert_eq!(
        names("/v1/inboxes/{name}/captures"),
        ["limit", "wait", "after"]
    );
}

/// Captures the inbox's next request; its id.
async fn capture(app: &hookproof_sender::App, inbox: &str) -> String {
    let (status, id) = post_in(app, inbox, &[], b"{}").await;
    assert_eq!(status, 200);
    id
}

fn ids(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn an_inbox_wait_answers_with_its_next_capture() {
    let app = std::sync::Arc::new(started(&config()).await);
    let first = capture(&app, "hooks").await;

    // Nothing after `first` yet: the wait ends empty, at its end.
    let started_at = Instant::now();
    let path = format!("/v1/inboxes/hooks/captures?wait=200ms&after={first}");
    let list = ok(&app, "GET", &path, None, 200).await;
    assert_eq!(list, serde_json::json!([]));
    assert!(started_at.elapsed() >= Duration::from_millis(200));

    // A wait after `first`, answered by the next capture (not by another inbox's).
    let waiter = {
        let app = std::sync::Arc::clone(&app);
        let path = format!("/v1/inboxes/hooks/captures?wait=10s&after={first}");
        tokio::spawn(async move { ok(&app, "GET", &path, None, 200).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    capture(&app, "other").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !waiter.is_finished(),
        "another inbox's capture answered the wait"
    );
    let second = capture(&app, "hooks").await;
    let list = waiter.await.unwrap();
    assert_eq!(ids(&list), [second.as_str()]);
    assert!(
        list[0]["conformance"].is_array(),
        "a capture as GET shows it: {list}"
    );

    // Without `after`: a capture made after the request came.
    let waiter = {
        let app = std::sync::Arc::clone(&app);
        tokio::spawn(async move {
            ok(
                &app,
                "GET",
                "/v1/inboxes/hooks/captures?wait=10s",
                None,
                200,
            )
            .await
        })
    };
    // The waiter must have taken the newest as its mark before the next is made.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let third = capture(&app, "hooks").await;
    assert_eq!(ids(&waiter.await.unwrap()), [third.as_str()]);

    // After `first`: at once, newest first; `after=` empty: every capture.
    let path = format!("/v1/inboxes/hooks/captures?wait=10s&after={first}");
    let started_at = Instant::now();
    let list = ok(&app, "GET", &path, None, 200).await;
    assert_eq!(ids(&list), [third.as_str(), second.as_str()]);
    assert!(started_at.elapsed() < Duration::from_secs(5));
    let list = ok(
        &app,
        "GET",
        "/v1/inboxes/hooks/captures?after=&limit=2",
        None,
        200,
    )
    .await;
    assert_eq!(ids(&list), [third.as_str(), second.as_str()]);
    // An inbox with no capture yet: `after=` empty waits for its first.
    let waiter = {
        let app = std::sync::Arc::clone(&app);
        tokio::spawn(async move {
            ok(
                &app,
                "GET",
                "/v1/inboxes/new/captures?wait=10s&after=",
                None,
                200,
            )
            .await
        })
    };
    let only = capture(&app, "new").await;
    assert_eq!(ids(&waiter.await.unwrap()), [only.as_str()]);
}

#[tokio::test]
async fn inbox_wait_errors_are_the_apis() {
    let app = started(&config()).await;
    let other = capture(&app, "other").await;
    for (path, status, code, field) in [
        (
            "/v1/inboxes/hooks/captures?wait=1s&after=cap_nope".to_owned(),
            400,
            "invalid_field",
            Some("after"),
        ),
        // A capture of another inbox is not this one's.
        (
            format!("/v1/inboxes/hooks/captures?wait=1s&after={other}"),
            400,
            "invalid_field",
            Some("after"),
        ),
        (
            "/v1/inboxes/hooks/captures?wait=soon".to_owned(),
            400,
            "invalid_field",
            Some("wait"),
        ),
        (
            "/v1/inboxes/hooks/captures?wait=1s&limit=0".to_owned(),
            400,
            "invalid_field",
            Some("limit"),
        ),
        (
            "/v1/inboxes/hooks/captures?wait=1s&x=1".to_owned(),
            400,
            "invalid_query",
            None,
        ),
        (
            "/v1/inboxes/a%20b/captures?wait=1s".to_owned(),
            404,
            "not_found",
            None,
        ),
    ] {
        let (got, body) = call(&app, "GET", &path, None).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        assert_eq!(body["error"]["field"].as_str(), field, "{path}: {body}");
    }
    let app = started(&hookproof_sender::Config {
        token: Some("t".into()),
        ..config()
    })
    .await;
    let path = "/v1/inboxes/hooks/captures?wait=1ms";
    let (got, _) = call(&app, "GET", path, None).await;
    assert_eq!(got, 401);
    let (got, body) = call_with(&app, "GET", path, None, Some("t")).await;
    assert_eq!((got, body["data"].clone()), (200, serde_json::json!([])));
}
