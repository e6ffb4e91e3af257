//! The sender never drives itself: a webhook may not point at its own address, and a
//! request it sent that comes back (through another host, or by a name it cannot tell is
//! its own) is refused, so no event multiplies.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{call, config, ok, started};
use serde_json::{json, Value};

fn webhook(url: &str) -> Value {
    json!({"url": url, "events": ["*"]})
}

#[tokio::test]
async fn a_webhook_may_not_point_at_the_sender_itself() {
    let mut cfg = config();
    cfg.listen = Some("127.0.0.1:8787".parse().unwrap());
    let app = started(&cfg).await;
    let elsewhere = ok(
        &app,
        "POST",
        "/v1/webhooks",
        Some(webhook("http://127.0.0.1:8788/v1/events")),
        201,
    )
    .await;
    for url in [
        "http://127.0.0.1:8787/v1/events",
        "http://localhost:8787/v1/events",
        "http://LOCALHOST:8787/",
        "http://[::1]:8787/v1/events",
        "http://0.0.0.0:8787/v1/events",
        "http://127.0.0.2:8787/hook",
        "https://127.0.0.1:8787/v1/events",
    ] {
        let (status, body) = call(&app, "POST", "/v1/webhooks", Some(webhook(url))).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["error"]["field"], "url", "{url}: {body}");
        let path = format!("/v1/webhooks/{}", elsewhere["id"].as_str().unwrap());
        let (status, body) = call(&app, "PUT", &path, Some(json!({"url": url}))).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["error"]["field"], "url", "{url}: {body}");
    }

    // Bound to one address: that address at its port too; others are not the sender.
    cfg.listen = Some("192.168.1.20:8787".parse().unwrap());
    cfg.allow_http = true;
    let lan = started(&cfg).await;
    let (status, body) = call(
        &lan,
        "POST",
        "/v1/webhooks",
        Some(webhook("https://192.168.1.20:8787/v1/events")),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &json!("url")),
        "{body}"
    );
    for url in ["http://192.168.1.20:80/", "http://192.168.1.21:8787/"] {
        ok(&lan, "POST", "/v1/webhooks", Some(webhook(url)), 201).await;
    }
}

#[tokio::test]
async fn a_config_file_may_not_point_at_the_sender_either() {
    let mut cfg = config();
    cfg.listen = Some("127.0.0.1:8787".parse().unwrap());
    let app = started(&cfg).await;
    let path = std::env::temp_dir().join(format!("hookproof-loop-{}.json", ulid::Ulid::new()));
    let file = json!([{"url": "http://localhost:8787/v1/events", "events": ["*"]}]);
    std::fs::write(&path, file.to_string()).unwrap();
    let err = app.load_config_file(&path).await.unwrap_err().to_string();
    let _ = std::fs::remove_file(&path);
    assert!(err.contains("webhooks[0].url"), "{err}");
}

/// Two webhooks that post every event back to the sender's `/v1/events` by an address it
/// cannot tell is its own (as through a proxy): each event nested 8 deep used to double
/// at every level (1,022 deliveries); now the returning requests are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_that_come_back_are_refused() {
    // Not told its address, as if reached through another host.
    let app = started(&config()).await;
    let (addr, server): (SocketAddr, _) =
        warp::serve(app.routes.clone()).bind_ephemeral(([127, 0, 0, 1], 0));
    tokio::spawn(server);
    for _ in 0..2 {
        let hook = json!({"url": format!("http://{addr}/v1/events"), "events": ["*"], "profile": "github"});
        ok(&app, "POST", "/v1/webhooks", Some(hook), 201).await;
    }
    let mut data = json!({"n": 0});
    for level in 1..=8 {
        data = json!({"type": format!("level.{level}"), "data": data});
    }
    ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "level.9", "data": data})),
        202,
    )
    .await;
    // Time for a few levels of doubling, had the loop not been cut.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let deliveries = ok(&app, "GET", "/v1/deliveries?limit=1000", None, 200).await;
    let deliveries = deliveries.as_array().unwrap();
    assert_eq!(deliveries.len(), 2, "{deliveries:#?}");
    let logs = ok(&app, "GET", "/v1/logs?limit=1000", None, 200).await;
    for log in logs.as_array().unwrap() {
        assert_eq!(log["status_code"], 508, "{log}");
        let answer = log["response_body"].as_str().unwrap_or_default();
        assert!(answer.contains("loop_detected"), "{log}");
    }
}
