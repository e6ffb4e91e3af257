//! Credentials in URLs are masked in every view and sent exact: an inbox's `forward_to`
//! with userinfo and a token in its query, a capture's query tokens, and a webhook's URL,
//! in the API's answers, `/v1/stream` and the forward/replay/attempt records; a form that
//! sends the masked URL back keeps the real one.

mod common;

use common::inbox::{forwarded, next_capture, raw, serve};
use common::{config, create, ok, receiver, send, started, wait_until, Answer};
use serde_json::{json, Value};

/// Fails when `v` shows any of `secrets`.
fn hides(v: &Value, secrets: &[&str]) {
    let text = v.to_string();
    for s in secrets {
        assert!(!text.contains(s), "{s} shown: {text}");
    }
}

#[tokio::test]
async fn an_inbox_shows_its_forward_url_and_the_capture_query_masked_and_forwards_them_exact() {
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Status(202)]).await;
    let forward_to = format!(
        "{}?token=fwd_tok_hush&x=1",
        rx.url.replace("http://", "http://ops:fwd_pass_hush@")
    );
    let shown_forward = format!(
        "{}?token=••••&x=1",
        rx.url.replace("http://", "http://ops:••••@")
    );
    let secrets = [
        "fwd_pass_hush",
        "fwd_tok_hush",
        "cap_tok_hush",
        "cap_key_hush",
    ];
    let configured = ok(
        &app,
        "PUT",
        "/v1/inboxes/q",
        Some(json!({"forward_to": forward_to})),
        201,
    )
    .await;
    assert_eq!(configured["forward_to"], shown_forward.as_str());
    let addr = serve(&app);
    let mut stream = reqwest::get(format!("http://{addr}/v1/stream"))
        .await
        .unwrap();
    let head = "POST /in/q?Token=cap_tok_hush&API_KEY=cap_key_hush&page=2 HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json";
    assert_eq!(raw(addr, head, b"{}").await, 200);
    let live = next_capture(&mut stream).await;
    hides(&live, &secrets);
    assert_eq!(live["query"], "Token=••••&API_KEY=••••&page=2");
    let id = live["id"].as_str().unwrap().to_owned();

    // The forward goes to the real URL (its query token and all); its record shows it masked.
    let c = forwarded(&app, "q", &id).await;
    assert_eq!(c["forward"]["status_code"], 202, "{c}");
    assert_eq!(rx.hits()[0].query, "token=fwd_tok_hush&x=1");
    assert_eq!(c["forward"]["url"], shown_forward.as_str());
    let replay = ok(
        &app,
        "POST",
        &format!("/v1/inboxes/q/captures/{id}/replay"),
        None,
        200,
    )
    .await;
    assert_eq!(rx.hits()[1].query, "token=fwd_tok_hush&x=1");
    assert_eq!(replay["url"], shown_forward.as_str());
    for path in [
        format!("/v1/inboxes/q/captures/{id}"),
        "/v1/inboxes/q/captures".to_owned(),
        "/v1/inboxes/q".to_owned(),
        "/v1/inboxes".to_owned(),
    ] {
        let v = ok(&app, "GET", &path, None, 200).await;
        hides(&v, &secrets);
        assert!(v.to_string().contains("••••"), "{path}: {v}");
    }

    // The dashboard's form sends the URL back as shown: the real one is kept.
    ok(
        &app,
        "PUT",
        "/v1/inboxes/q",
        Some(json!({"forward_to": shown_forward})),
        200,
    )
    .await;
    ok(
        &app,
        "POST",
        &format!("/v1/inboxes/q/captures/{id}/replay"),
        None,
        200,
    )
    .await;
    assert_eq!(rx.hits()[2].query, "token=fwd_tok_hush&x=1");
    // A bad URL's error names it masked.
    let bad = ok(
        &app,
        "POST",
        &format!("/v1/inboxes/q/captures/{id}/replay"),
        Some(json!({"url": "http://ops:fwd_pass_hush@[::1/?token=fwd_tok_hush"})),
        200,
    )
    .await;
    hides(&bad, &secrets);
    assert!(
        bad["error"].as_str().unwrap().contains("ops:••••@"),
        "{bad}"
    );
}

#[tokio::test]
async fn a_webhook_url_with_credentials_is_masked_in_every_view_and_sent_exact() {
    let app = started(&config()).await;
    let rx = receiver(vec![]).await;
    let url = format!(
        "{}?access_token=wh_tok_hush",
        rx.url.replace("http://", "http://hook:wh_pass_hush@")
    );
    let shown = format!(
        "{}?access_token=••••",
        rx.url.replace("http://", "http://hook:••••@")
    );
    let secrets = ["wh_pass_hush", "wh_tok_hush"];
    let w = create(&app, &url, "standard", None).await;
    assert_eq!(w["url"], shown.as_str());
    let id = w["id"].as_str().unwrap().to_owned();
    let delivery = send(&app, "order.created").await;
    wait_until(&app, &delivery, common::finished).await;
    assert_eq!(rx.hits()[0].query, "access_token=wh_tok_hush");
    for path in [
        "/v1/webhooks".to_owned(),
        format!("/v1/webhooks/{id}"),
        format!("/v1/deliveries/{delivery}"),
        format!("/v1/deliveries/{delivery}/attempts"),
        "/v1/deliveries".to_owned(),
        "/v1/logs".to_owned(),
    ] {
        hides(&ok(&app, "GET", &path, None, 200).await, &secrets);
    }
    let attempts = ok(
        &app,
        "GET",
        &format!("/v1/deliveries/{delivery}/attempts"),
        None,
        200,
    )
    .await;
    assert_eq!(attempts[0]["url"], shown.as_str(), "{attempts}");

    // An edit that sends the shown URL back keeps the real one.
    let edited = ok(
        &app,
        "PUT",
        &format!("/v1/webhooks/{id}"),
        Some(json!({"url": shown, "description": "kept"})),
        200,
    )
    .await;
    assert_eq!(edited["url"], shown.as_str());
    let again = send(&app, "order.created").await;
    wait_until(&app, &again, common::finished).await;
    assert_eq!(rx.hits()[1].query, "access_token=wh_tok_hush");
}
