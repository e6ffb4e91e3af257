//! The inbox: `/in/{name}` captures, verification, sender conformance, forward, replay.

mod common;

use std::time::Duration;

use common::inbox::{deliver, forwarded, post_in, raw, rule, serve, signed, STANDARD_SECRET};
use common::{call, call_with, config, now_secs as now, ok, receiver, started};
use common::{verifying_receiver, Answer};
use hookproof::Scheme;
use serde_json::{json, Value};

#[tokio::test]
async fn a_capture_keeps_the_request_as_received_from_any_host_without_the_token() {
    let app = started(&hookproof_sender::Config {
        token: Some("t0k".into()),
        max_body_bytes: 1024,
        ..config()
    })
    .await;
    let body = b"\xff\x00{not utf-8}\r\n";
    let addr = serve(&app);
    let status = raw(
        addr,
        "POST /in/demo/sub/path?b=2&a=1 HTTP/1.1\r\nhost: hooks.example.com\r\norigin: https://provider.example\r\nx-b: 1\r\nx-a: one\r\nx-a: two",
        body,
    )
    .await;
    assert_eq!(status, 200);
    // /v1 still wants the token.
    let (status, _) = call(&app, "GET", "/v1/inboxes/demo/captures", None).await;
    assert_eq!(status, 401);
    let (status, list) =
        call_with(&app, "GET", "/v1/inboxes/demo/captures", None, Some("t0k")).await;
    assert_eq!(status, 200);
    let c = &list["data"][0];
    assert!(c["id"].as_str().unwrap().starts_with("cap_"));
    assert_eq!(c["method"], "POST");
    assert_eq!(c["path"], "/in/demo/sub/path");
    assert_eq!(c["query"], "b=2&a=1");
    assert!(c["remote_addr"].as_str().unwrap().starts_with("127.0.0.1:"));
    let headers: Vec<(String, String)> = serde_json::from_value(c["headers"].clone()).unwrap();
    let custom: Vec<_> = headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-"))
        .collect();
    assert_eq!(
        custom,
        [
            &("x-b".to_owned(), "1".to_owned()),
            &("x-a".to_owned(), "one".to_owned()),
            &("x-a".to_owned(), "two".to_owned())
        ]
    );
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(c["body_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes, body);
    assert_eq!(c["body"], Value::Null, "not UTF-8");
    assert!(c["received_at"].as_str().unwrap().ends_with('Z'));

    // Size-limited, and only methods that carry a body.
    let (status, _) = post_in(&app, "demo", &[], &[b'x'; 2048]).await;
    assert_eq!(status, 413);
    let res = warp::test::request()
        .method("GET")
        .path("/in/demo")
        .reply(&app.routes)
        .await;
    assert_eq!(res.status(), 405);
    for method in ["PUT", "PATCH"] {
        let res = warp::test::request()
            .method(method)
            .path("/in/demo")
            .body("{}")
            .reply(&app.routes)
            .await;
        assert_eq!(res.status(), 200, "{method}");
    }
    // The rest of the API keeps its Host guard.
    let res = warp::test::request()
        .path("/v1/inboxes/demo")
        .header("host", "hooks.example.com")
        .header("authorization", "Bearer t0k")
        .reply(&app.routes)
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn an_inbox_answers_its_configured_status_and_never_shows_its_secret() {
    let app = started(&config()).await;
    let put = ok(
        &app,
        "PUT",
        "/v1/inboxes/shop",
        Some(json!({"scheme": "stripe", "secret": "whsec_topsecret", "respond_with": {"status": 202, "body": "queued"}})),
        201,
    )
    .await;
    assert_eq!(put["scheme"], "stripe");
    assert_eq!(put["secrets"], 1);
    assert!(!put.to_string().contains("topsecret"));
    let res = warp::test::request()
        .method("POST")
        .path("/in/shop")
        .body("{}")
        .reply(&app.routes)
        .await;
    assert_eq!(res.status(), 202);
    assert_eq!(res.body().as_ref(), b"queued");
    let shown = ok(&app, "GET", "/v1/inboxes/shop", None, 200).await;
    assert!(!shown.to_string().contains("topsecret"));
    let captures = ok(&app, "GET", "/v1/inboxes/shop/captures", None, 200).await;
    assert!(!captures.to_string().contains("topsecret"));
    // A PUT without a secret keeps it.
    let again = ok(
        &app,
        "PUT",
        "/v1/inboxes/shop",
        Some(json!({"scheme": "stripe"})),
        200,
    )
    .await;
    assert_eq!(again["secrets"], 1);
    // Errors name the field, not the secret.
    let (status, err) = call(
        &app,
        "PUT",
        "/v1/inboxes/shop",
        Some(json!({"scheme": "standard", "secret": "whsec_!!notbase64"})),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["field"], "secret");
    assert!(!err.to_string().contains("notbase64"));
    let (status, _) = call(
        &app,
        "PUT",
        "/v1/inboxes/shop",
        Some(json!({"scheme": "pigeon"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, err) = call(
        &app,
        "PUT",
        "/v1/inboxes/shop",
        Some(json!({"forward_to": "http://localhost:8025/in/shop"})),
    )
    .await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (400, &json!("forward_to"))
    );
    let (status, _) = call(&app, "DELETE", "/v1/inboxes/shop", None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, "DELETE", "/v1/inboxes/shop", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn captures_are_verified_and_a_failure_diagnosed() {
    let app = started(&config()).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/gh",
        Some(json!({"scheme": "github", "secret": "s3cret"})),
        201,
    )
    .await;
    let body = br#"{"a": 1}"#;
    let headers = signed(Scheme::Github, "s3cret", body, "d-1", 0);
    let h: Vec<(&str, String)> = headers.iter().map(|(k, v)| (*k, v.clone())).collect();
    let good = deliver(&app, "gh", &h, body).await;
    assert_eq!(good["verification"]["verified"], true, "{good}");
    // What JSON.stringify(JSON.parse(body)) makes of it.
    let bad = deliver(&app, "gh", &h, br#"{"a":1}"#).await;
    assert_eq!(bad["verification"]["verified"], false);
    assert_eq!(bad["verification"]["code"], "no_matching_signature");
    assert_eq!(
        bad["verification"]["findings"][0]["kind"],
        "body_reserialized"
    );
    let inbox = ok(&app, "GET", "/v1/inboxes/gh", None, 200).await;
    assert_eq!(
        (inbox["verified"].as_u64(), inbox["unverified"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn each_conformance_rule_passes_and_fails() {
    let app = started(&config()).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/sw",
        Some(json!({"scheme": "standard", "secret": STANDARD_SECRET})),
        201,
    )
    .await;
    let body = br#"{"type":"order.paid"}"#;
    let sign = |id: &str, ts: i64, body: &[u8]| -> Vec<(&'static str, String)> {
        signed(Scheme::Standard, STANDARD_SECRET, body, id, ts)
    };
    let good = deliver(&app, "sw", &sign("msg_1", now(), body), body).await;
    for r in [
        "headers_present",
        "signature_format",
        "timestamp_seconds",
        "timestamp_fresh",
        "id_unique",
        "content_type_json",
        "body_json",
    ] {
        assert_eq!(rule(&good, r), "pass", "{r}: {good}");
    }
    assert_eq!(good["verification"]["verified"], true);
    let inbox = ok(&app, "GET", "/v1/inboxes/sw", None, 200).await;
    assert_eq!(inbox["compliant"], true, "{inbox}");

    // A retry of msg_1 with the same body is allowed; another body under it is not.
    let retry = deliver(&app, "sw", &sign("msg_1", now(), body), body).await;
    assert_eq!(rule(&retry, "id_unique"), "pass");
    let other = br#"{"type":"order.refunded"}"#;
    let reused = deliver(&app, "sw", &sign("msg_1", now(), other), other).await;
    assert_eq!(rule(&reused, "id_unique"), "fail");

    let missing: Vec<_> = sign("msg_2", now(), body)
        .into_iter()
        .filter(|(k, _)| *k != "webhook-id")
        .collect();
    let c = deliver(&app, "sw", &missing, body).await;
    assert_eq!(rule(&c, "headers_present"), "fail");

    let ms = now() * 1000;
    let mut h = sign("msg_3", now(), body);
    h.retain(|(k, _)| *k != "webhook-timestamp");
    h.push(("webhook-timestamp", ms.to_string()));
    assert_eq!(
        rule(&deliver(&app, "sw", &h, body).await, "timestamp_seconds"),
        "fail"
    );
    let mut h = sign("msg_4", 0, body);
    h.retain(|(k, _)| *k != "webhook-timestamp");
    h.push(("webhook-timestamp", "1.5e9".into()));
    assert_eq!(
        rule(&deliver(&app, "sw", &h, body).await, "timestamp_seconds"),
        "fail"
    );

    let stale = deliver(&app, "sw", &sign("msg_5", now() - 3600, body), body).await;
    assert_eq!(rule(&stale, "timestamp_fresh"), "fail");
    assert_eq!(rule(&stale, "timestamp_seconds"), "pass");

    let mut h = sign("msg_6", now(), body);
    h.retain(|(k, _)| *k != "webhook-signature");
    h.push(("webhook-signature", "sha256=abcdef".into()));
    assert_eq!(
        rule(&deliver(&app, "sw", &h, body).await, "signature_format"),
        "fail"
    );

    let mut h = sign("msg_7", now(), body);
    h.push(("content-type", "text/plain".into()));
    assert_eq!(
        rule(&deliver(&app, "sw", &h, body).await, "content_type_json"),
        "fail"
    );
    let mut h = sign("msg_8", now(), body);
    h.push((
        "content-type",
        "application/cloudevents+json; charset=utf-8".into(),
    ));
    assert_eq!(
        rule(&deliver(&app, "sw", &h, body).await, "content_type_json"),
        "pass"
    );

    let text = b"order paid";
    assert_eq!(
        rule(
            &deliver(&app, "sw", &sign("msg_9", now(), text), text).await,
            "body_json"
        ),
        "fail"
    );

    let inbox = ok(&app, "GET", "/v1/inboxes/sw", None, 200).await;
    assert_eq!(inbox["compliant"], false);
    let table = inbox["conformance"].as_array().unwrap();
    let row = |name: &str| table.iter().find(|r| r["rule"] == name).unwrap().clone();
    assert_eq!(row("id_unique")["fail"], 1, "{inbox}");
    assert_eq!(row("timestamp_seconds")["fail"], 2);
    assert_eq!(row("body_json")["fail"], 1);
    assert_eq!(inbox["captures"], 11);
}

#[tokio::test]
async fn without_a_configured_scheme_the_headers_name_it() {
    let app = started(&config()).await;
    let body = br#"{"id":"evt_1","object":"event"}"#;
    let h: Vec<(&str, String)> = signed(Scheme::Stripe, "whsec_x", body, "evt_1", now())
        .into_iter()
        .collect();
    let c = deliver(&app, "anon", &h, body).await;
    assert_eq!(c["scheme"], "stripe");
    assert_eq!(c["verification"], Value::Null, "no secret: not verified");
    assert_eq!(rule(&c, "signature_format"), "pass");
    assert_eq!(rule(&c, "id_unique"), "pass", "Stripe's id is the event's");
    let other = br#"{"id":"evt_1","object":"other"}"#;
    let h: Vec<(&str, String)> = signed(Scheme::Stripe, "whsec_x", other, "evt_1", now())
        .into_iter()
        .collect();
    assert_eq!(
        rule(&deliver(&app, "anon", &h, other).await, "id_unique"),
        "fail"
    );
}

#[tokio::test]
async fn a_capture_is_forwarded_byte_for_byte_and_its_answer_logged() {
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Status(418)]).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/fw",
        Some(json!({"forward_to": rx.url})),
        201,
    )
    .await;
    let mut stream = app.inboxes.subscribe();
    let body = b"{\"a\":1}\n\xfe";
    let status = raw(
        serve(&app),
        "POST /in/fw HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-one: 1\r\nx-two: a\r\nx-two: b\r\nx-drop: hop\r\nkeep-alive: timeout=5\r\nconnection: x-drop",
        body,
    )
    .await;
    assert_eq!(status, 200);
    let first = stream.recv().await.unwrap();
    let id = first.id.clone();
    let c = forwarded(&app, "fw", &id).await;
    assert_eq!(c["forward"]["status_code"], 418, "{c}");
    assert_eq!(c["forward"]["response_body"], "ok");
    let hits = rx.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(&hits[0].body[..], body);
    let names: Vec<&str> = hits[0].headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(hits[0].header("x-one"), Some("1"));
    let twos: Vec<&str> = hits[0]
        .headers
        .iter()
        .filter(|(k, _)| k == "x-two")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(twos, ["a", "b"]);
    for hop in ["x-drop", "keep-alive"] {
        assert!(!names.contains(&hop), "{hop} forwarded: {names:?}");
    }
    // The feed of /v1/stream saw the capture, then its forward.
    let second = tokio::time::timeout(Duration::from_secs(5), stream.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.forward.as_ref().unwrap().status_code, Some(418));
}

#[tokio::test]
async fn a_replay_goes_as_is_or_signed_afresh() {
    let app = started(&config()).await;
    let (url, hits) = verifying_receiver(STANDARD_SECRET, Scheme::Standard).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/rp",
        Some(json!({"scheme": "standard", "secret": STANDARD_SECRET})),
        201,
    )
    .await;
    let body = br#"{"type":"order.paid"}"#;
    // Signed an hour ago: past any receiver's tolerance.
    let old = signed(
        Scheme::Standard,
        STANDARD_SECRET,
        body,
        "msg_old",
        now() - 3600,
    );
    let c = deliver(&app, "rp", &old, body).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/v1/inboxes/rp/captures/{id}/replay");

    let (status, err) = call(&app, "POST", &path, None).await;
    assert_eq!(status, 400, "no url and no forward_to: {err}");
    let as_is = ok(&app, "POST", &path, Some(json!({"url": url})), 200).await;
    assert_eq!(as_is["status_code"], 401, "stale: {as_is}");
    assert_eq!(as_is["resigned"], false);
    let fresh = ok(
        &app,
        "POST",
        &path,
        Some(json!({"url": url, "resign": true})),
        200,
    )
    .await;
    assert_eq!(fresh["status_code"], 204, "{fresh}");
    assert_eq!(fresh["resigned"], true);
    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2);
    assert_eq!(&hits[1].body[..], body);
    assert_eq!(hits[0].header("webhook-id"), Some("msg_old"));
    let new_id = hits[1].header("webhook-id").unwrap();
    assert_ne!(new_id, "msg_old");
    assert_eq!(
        hits[1]
            .headers
            .iter()
            .filter(|(k, _)| k == "webhook-signature")
            .count(),
        1
    );
    let ts: i64 = hits[1]
        .header("webhook-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!((now() - ts).abs() < 60);
    let c = ok(
        &app,
        "GET",
        &format!("/v1/inboxes/rp/captures/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(c["replays"].as_array().unwrap().len(), 2);

    // Without a secret there is nothing to re-sign with.
    ok(&app, "PUT", "/v1/inboxes/rp", Some(json!({})), 200).await;
    let (status, _) = call(
        &app,
        "POST",
        &path,
        Some(json!({"url": url, "resign": true})),
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn captures_persist_in_the_db_file() {
    let dir = std::env::temp_dir().join(format!("hookproof-inbox-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sender.db");
    let cfg = hookproof_sender::Config {
        db: hookproof_sender::DbLocation::File(db.clone()),
        ..config()
    };
    let id = {
        let app = started(&cfg).await;
        ok(
            &app,
            "PUT",
            "/v1/inboxes/keep",
            Some(json!({"scheme": "github", "secret": "s"})),
            201,
        )
        .await;
        post_in(&app, "keep", &[], b"{}").await.1
    };
    let app = started(&cfg).await;
    let c = ok(
        &app,
        "GET",
        &format!("/v1/inboxes/keep/captures/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(c["body"], "{}");
    let inbox = ok(&app, "GET", "/v1/inboxes/keep", None, 200).await;
    assert_eq!(inbox["scheme"], "github");
    drop(app);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_inbox_command_prints_each_capture_with_its_results_and_forward() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let rx = receiver(vec![Answer::Status(202)]).await;
    let mut child = Command::new(common::BIN)
        .args(["inbox", "demo", "--scheme", "github", "--secret", "s3cret"])
        .args(["--addr", "127.0.0.1:0", "--forward-to", &rx.url])
        .env("RUST_LOG", "error")
        .env("NO_COLOR", "1")
        .env_remove("HOOKPROOF_SENDER_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let ready = next(&mut lines).await;
    assert!(!ready.contains("s3cret"), "{ready}");
    let url = ready
        .split_whitespace()
        .find(|w| w.starts_with("http://") && w.contains("/in/demo"))
        .unwrap_or_else(|| panic!("no inbox URL in {ready}"))
        .trim_end_matches(',')
        .to_owned();
    let body = br#"{"action":"opened"}"#;
    let client = reqwest::Client::new();
    let mut req = client.post(&url).header("content-type", "application/json");
    for (k, v) in signed(Scheme::Github, "s3cret", body, "d-1", 0) {
        req = req.header(k, v);
    }
    assert_eq!(req.body(body.to_vec()).send().await.unwrap().status(), 200);
    let capture = next(&mut lines).await;
    assert!(capture.contains("POST /in/demo"), "{capture}");
    assert!(capture.contains("verified"), "{capture}");
    assert!(!capture.contains("not verified"), "{capture}");
    assert!(capture.contains("conformance 5/5 pass"), "{capture}");
    let forward = next(&mut lines).await;
    assert!(forward.contains(&format!("-> {} 202", rx.url)), "{forward}");
    assert_eq!(&rx.hits()[0].body[..], body);
    child.kill().unwrap();
    child.wait().unwrap();
}

async fn next(lines: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), lines.recv())
        .await
        .expect("a line within 10 s")
        .expect("the command is running")
}

#[tokio::test]
async fn a_forwards_long_answer_is_logged_up_to_4_kib() {
    let app = started(&config()).await;
    let rx = receiver(vec![Answer::Echo]).await;
    ok(
        &app,
        "PUT",
        "/v1/inboxes/long",
        Some(json!({"forward_to": rx.url})),
        201,
    )
    .await;
    let body = vec![b'a'; 10_000];
    let (status, id) = post_in(&app, "long", &[], &body).await;
    assert_eq!(status, 200);
    let c = forwarded(&app, "long", &id).await;
    assert_eq!(c["forward"]["status_code"], 200, "{c}");
    assert_eq!(c["forward"]["response_body"].as_str().unwrap().len(), 4096);
    assert_eq!(rx.hits()[0].body.len(), 10_000);
}
