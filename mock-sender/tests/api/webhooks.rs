//! Webhooks through the API: create, read, update, rotate, delete; one webhook per id under
//! concurrent creates; `--config` files.

use serde_json::{json, Value};

use crate::common::api::{assert_error, create, DEAD_URL};
use crate::common::{call, config, ok, started};

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
