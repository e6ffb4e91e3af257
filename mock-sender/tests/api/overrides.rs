//! `overrides`: edits of the catalog's example of an event, for `POST /v1/events` and a
//! webhook's test event; every matching webhook's example checked before anything is sent.

use serde_json::{json, Value};

use crate::common::api::{assert_error, create, DEAD_URL};
use crate::common::{call, config, finished, ok, receiver, started, wait_until};

/// The keys of an object, in order.
fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// The body the delivery sends, parsed (`GET /v1/deliveries/{id}`).
async fn body_of(app: &hookproof_sender::App, delivery: &Value) -> Value {
    let id = delivery["id"].as_str().unwrap();
    let one = ok(app, "GET", &format!("/v1/deliveries/{id}"), None, 200).await;
    serde_json::from_str(one["body"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn overrides_edit_the_example_a_receiver_gets_in_its_key_order() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    create(
        &app,
        json!({"url": rx.url, "events": ["invoice.*"], "profile": "stripe"}),
    )
    .await;
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "invoice.paid", "overrides": {
            "data.object.amount_paid": 5000,
            "data.object.lines.data[0].description": "Pro plan",
        }})),
        202,
    )
    .await;
    let id = ev["deliveries"][0]["id"].as_str().unwrap();
    wait_until(&app, id, finished).await;
    let hits = rx.hits();
    assert_eq!(hits.len(), 1);
    let got: Value = serde_json::from_slice(&hits[0].body).unwrap();
    assert_eq!(got["data"]["object"]["amount_paid"], 5000);
    assert_eq!(
        got["data"]["object"]["lines"]["data"][0]["description"],
        "Pro plan"
    );
    assert_eq!(got["id"], ev["id"], "fresh ids as without overrides");
    let example = &hookproof_sender::catalog::catalog()
        .entry("stripe", "invoice.paid")
        .unwrap()
        .payload;
    assert_eq!(keys(&got), keys(example));
    assert_eq!(
        keys(&got["data"]["object"]),
        keys(&example["data"]["object"])
    );
}

#[tokio::test]
async fn a_path_one_webhooks_example_lacks_refuses_the_whole_event() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    for profile in ["stripe", "standard"] {
        create(
            &app,
            json!({"url": rx.url, "events": ["invoice.paid"], "profile": profile}),
        )
        .await;
    }
    // Any event, as the API takes it; `send`: invoice.paid with `overrides`.
    let post_event = |event: Value| {
        let app = &app;
        async move { call(app, "POST", "/v1/events", Some(event)).await }
    };
    let send =
        |overrides: Value| post_event(json!({"type": "invoice.paid", "overrides": overrides}));
    let (status, body) = send(json!({"data.object.amunt_paid": 5000})).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_field",
        Some("overrides.data.object.amunt_paid"),
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stripe profile"),
        "{body}"
    );
    // Stripe's event has data.object, the Standard Webhooks envelope's data is the invoice:
    // good for one webhook, not the other, so for neither.
    let (status, body) = send(json!({"data.object.amount_paid": 5000})).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_field",
        Some("overrides.data.object.amount_paid"),
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("standard profile"), "{body}");
    let (status, body) = send(json!({"a[x]": 1})).await;
    assert_error(status, &body, 400, "invalid_field", Some("overrides.a[x]"));

    // Data is sent byte for byte: there is nothing to edit.
    let (status, body) =
        post_event(json!({"type": "invoice.paid", "data": {"n": 1}, "overrides": {"n": 2}})).await;
    assert_error(status, &body, 400, "invalid_field", Some("overrides"));
    // `{}` edits nothing: with data too, the data is sent.
    let (status, body) =
        post_event(json!({"type": "invoice.other", "data": {"n": 1}, "overrides": {}})).await;
    assert_eq!(status, 202, "{body}");
    // No webhook wants the event: its paths must still edit it as some profile sends it,
    // so a mistyped one is refused rather than accepted unseen.
    let (status, body) =
        post_event(json!({"type": "customer.created", "overrides": {"data.object.emial": "x"}}))
            .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_field",
        Some("overrides.data.object.emial"),
    );
    let accepted = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "customer.created", "overrides": {"data.object.email": "x"}})),
        202,
    )
    .await;
    assert_eq!(accepted["deliveries"], json!([]));
    // An event the catalog does not have: no example.
    let (status, body) =
        post_event(json!({"type": "invoice.made_up", "overrides": {"id": "x"}})).await;
    assert_error(status, &body, 400, "invalid_field", Some("overrides"));
    create(
        &app,
        json!({"url": DEAD_URL, "events": ["invoice.made_up"]}),
    )
    .await;
    let (status, body) =
        post_event(json!({"type": "invoice.made_up", "overrides": {"id": "x"}})).await;
    assert_error(status, &body, 400, "invalid_field", Some("overrides"));

    let deliveries = ok(&app, "GET", "/v1/deliveries", None, 200).await;
    assert_eq!(deliveries, json!([]), "nothing was enqueued");
    // The same paths fit both profiles: both go.
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "invoice.paid", "overrides": {"type": "invoice.paid"}})),
        202,
    )
    .await;
    assert_eq!(ev["deliveries"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_test_event_takes_overrides_of_its_example() {
    let app = started(&config()).await;
    let st = create(
        &app,
        json!({"url": DEAD_URL, "events": ["x"], "profile": "stripe", "retry_schedule": [0]}),
    )
    .await;
    let test = format!("/v1/webhooks/{}/test", st["id"].as_str().unwrap());
    // The profile's test event (invoice.paid), and a type named.
    for (request, event) in [
        (
            json!({"overrides": {"data.object.amount_paid": 7}}),
            "invoice.paid",
        ),
        (
            json!({"type": "invoice.payment_failed", "overrides": {"data.object.amount_paid": 7}}),
            "invoice.payment_failed",
        ),
    ] {
        let d = ok(&app, "POST", &test, Some(request), 202).await;
        assert_eq!(d["event_type"], event);
        let body = body_of(&app, &d).await;
        assert_eq!(body["data"]["object"]["amount_paid"], 7, "{body}");
        assert_eq!(body["type"], event);
    }
    for (request, field) in [
        (
            json!({"overrides": {"data.object.amunt_paid": 7}}),
            "overrides.data.object.amunt_paid",
        ),
        (
            json!({"data": {"n": 1}, "overrides": {"n": 2}}),
            "overrides",
        ),
        (
            json!({"type": "custom.check", "overrides": {"test": false}}),
            "overrides",
        ),
    ] {
        let (status, body) = call(&app, "POST", &test, Some(request)).await;
        assert_error(status, &body, 400, "invalid_field", Some(field));
    }
    // GitHub's ping carries the hook's configuration, made by the sender.
    let gh = create(
        &app,
        json!({"url": DEAD_URL, "events": ["push"], "profile": "github"}),
    )
    .await;
    let (status, body) = call(
        &app,
        "POST",
        &format!("/v1/webhooks/{}/test", gh["id"].as_str().unwrap()),
        Some(json!({"overrides": {"zen": "x"}})),
    )
    .await;
    assert_error(status, &body, 400, "invalid_field", Some("overrides"));
    let listed = ok(&app, "GET", "/v1/deliveries", None, 200).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "only the two good tests"
    );
}
