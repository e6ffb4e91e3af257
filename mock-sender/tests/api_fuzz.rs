//! API fuzzing as a property test (in place of schemathesis): random requests to every
//! `/v1` route in-process (`warp::test::request()`): random JSON of every shape, valid
//! bodies with one field broken, huge strings, invalid UTF-8, random ids in paths and
//! random query strings. Never a 5xx or a panic; every failure is a 4xx
//! `{"error":{"code","message","field"}}`, and changes nothing.

mod common;

use std::cell::RefCell;

use common::{config, started};
use hookproof_sender::App;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};

/// A webhook and a delivery that exist (recreated when a case deleted the webhook), so
/// requests also reach the handlers past the 404.
const WEBHOOK: &str = "wh_fuzz";
const DEAD_URL: &str = "http://127.0.0.1:1/hook";
const CASES: u32 = 400;

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone)]
struct Req {
    method: &'static str,
    path: String,
    body: Body,
    /// The field a 400 must name (a valid body with this one field broken).
    blames: Option<String>,
}

/// Any JSON value: scalars of every type, long strings, nested arrays and objects.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        (1usize..20_000).prop_map(|n| Value::from("x".repeat(n))),
        prop_oneof![
            Just("*"),
            Just("order.*"),
            Just("http://127.0.0.1:1/hook"),
            Just("stripe"),
            Just("slack"),
            Just("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Just("2.5m"),
            Just(""),
            Just(WEBHOOK),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The API's field names (so objects often look almost right), or anything.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "id", "kind", "type", "url", "events", "enabled", "profile", "secret", "retry_schedule",
            "description", "data", "webhook_ids", "grace_period_secs", "chaos",
        ])
        .prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

/// A valid body for the route, with one field replaced (or removed, or an unknown one
/// added); the field a 400 must then name, when it is sure to be one.
fn broken_body(valid: Value) -> impl Strategy<Value = (Value, Option<String>)> {
    let keys: Vec<String> = valid.as_object().unwrap().keys().cloned().collect();
    (prop::sample::select(keys), wrong_value(), 0..3u8).prop_map(move |(key, wrong, how)| {
        let mut body = valid.clone();
        let obj = body.as_object_mut().unwrap();
        match how {
            0 => {
                obj.insert(key.clone(), wrong);
                (body, None)
            }
            1 => {
                obj.remove(&key);
                (body, None)
            }
            _ => {
                obj.insert("no_such_field".into(), wrong);
                (body, Some("no_such_field".into()))
            }
        }
    })
}

/// A value that is never right where a string, a list of strings or a bool goes, besides
/// the random ones.
fn wrong_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_value(),
        Just(json!({"nested": {"junk": [1, 2, {"x": null}]}})),
        Just(json!([[[]]])),
        Just(json!(-1)),
        Just(json!(1e300)),
    ]
}

/// Bodies that must be rejected, each with the field at fault.
fn invalid_create() -> Vec<(Value, &'static str)> {
    let base = || json!({"url": DEAD_URL, "events": ["*"]});
    let with = |k: &str, v: Value| {
        let mut b = base();
        b[k] = v;
        b
    };
    vec![
        (with("url", json!(5)), "url"),
        (with("url", json!("ftp://x")), "url"),
        (with("url", json!("http://example.com/hook")), "url"),
        (with("events", json!([])), "events"),
        (with("events", json!("order.paid")), "events"),
        (with("events", json!(["a b"])), "events[0]"),
        (with("events", json!(["ok", 7])), "events[1]"),
        (with("profile", json!("nope")), "profile"),
        (with("profile", json!(1)), "profile"),
        (with("kind", json!("stripe")), "kind"),
        (with("enabled", json!("yes")), "enabled"),
        (with("secret", json!("")), "secret"),
        (with("retry_schedule", json!([])), "retry_schedule"),
        (with("retry_schedule", json!([-1])), "retry_schedule[0]"),
        (
            with("retry_schedule", json!([0, "5y"])),
            "retry_schedule[1]",
        ),
        (
            with("retry_schedule", json!([0, 1e12])),
            "retry_schedule[1]",
        ),
        (with("retry_schedule", json!([true])), "retry_schedule[0]"),
        (with("id", json!("a b")), "id"),
        (with("id", json!("x".repeat(200))), "id"),
        (with("description", json!({})), "description"),
        (json!({"events": ["*"]}), "url"),
        (json!({"url": DEAD_URL}), "events"),
    ]
}

/// An id for a path: an existing one, or random bytes percent-encoded.
fn path_id() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(WEBHOOK.to_owned()),
        "[A-Za-z0-9_-]{1,30}",
        prop::collection::vec(any::<u8>(), 1..40).prop_map(|bytes| percent(&bytes)),
        (1usize..3000).prop_map(|n| "a".repeat(n)),
    ]
}

fn percent(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(b) {
                char::from(*b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A query string: the listings' parameters and others, with values of any kind.
fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "limit",
            "status",
            "event",
            "event_type",
            "webhook_id",
            "delivery_id",
            "token",
        ])
        .prop_map(str::to_owned),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| percent(&b)),
    ];
    let value = prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "1000",
            "1001",
            "-1",
            "99999999999",
            "pending",
            "success",
            "failed",
            "x",
            "",
            WEBHOOK,
        ])
        .prop_map(str::to_owned),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(|b| percent(&b)),
    ];
    prop::collection::vec((key, value), 0..4).prop_map(|pairs| {
        if pairs.is_empty() {
            return String::new();
        }
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("?{}", q.join("&"))
    })
}

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"])
}

/// Paths of every `/v1` route but the (endless) stream, and some that are no route.
fn path() -> impl Strategy<Value = String> {
    let templates = vec![
        "/v1/webhooks",
        "/v1/webhooks/{}",
        "/v1/webhooks/{}/rotate-secret",
        "/v1/webhooks/{}/test",
        "/v1/webhooks/{}/deliveries",
        "/v1/webhooks/{}/logs",
        "/v1/webhooks/{}/stats",
        "/v1/events",
        "/v1/deliveries",
        "/v1/deliveries/{}",
        "/v1/deliveries/{}/attempts",
        "/v1/deliveries/{}/retry",
        "/v1/logs",
        "/v1/inboxes",
        "/v1/inboxes/{}",
        "/v1/inboxes/{}/captures",
        "/v1/inboxes/{}/captures/{}",
        "/v1/inboxes/{}/captures/{}/replay",
        "/v1/{}",
        "/v1/webhooks/{}/{}",
    ];
    (
        prop::sample::select(templates),
        path_id(),
        path_id(),
        query(),
    )
        .prop_map(|(t, a, b, q)| format!("{}{q}", t.replacen("{}", &a, 1).replacen("{}", &b, 1)))
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        2 => Just(Body::None),
        4 => json_value().prop_map(Body::Json),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(Body::Bytes),
        // Invalid UTF-8 inside what is otherwise JSON.
        1 => Just(Body::Bytes(b"{\"url\": \"http://127.0.0.1:1/\xff\xfe\", \"events\": [\"*\"]}".to_vec())),
        // Larger than --max-body-bytes (64 KiB in these tests).
        1 => (65_537usize..100_000).prop_map(|n| Body::Json(json!({"url": "x".repeat(n), "events": ["*"]}))),
    ]
}

/// The request generator: random requests, and valid ones with one field broken.
fn request() -> impl Strategy<Value = Req> {
    let random = (method(), path(), body()).prop_map(|(method, path, body)| Req {
        method,
        path,
        body,
        blames: None,
    });
    let create = json!({"url": DEAD_URL, "events": ["*"], "profile": "stripe",
        "retry_schedule": [0, 60], "description": "d", "enabled": true, "kind": "http"});
    let broken_create = broken_body(create).prop_map(|(b, blames)| Req {
        method: "POST",
        path: "/v1/webhooks".into(),
        body: Body::Json(b),
        blames,
    });
    let update = json!({"url": DEAD_URL, "events": ["a.*"], "enabled": false,
        "retry_schedule": ["1s"], "description": "e"});
    let broken_update = broken_body(update).prop_map(|(b, blames)| Req {
        method: "PUT",
        path: format!("/v1/webhooks/{WEBHOOK}"),
        body: Body::Json(b),
        blames,
    });
    let event = json!({"type": "order.paid", "data": {"a": 1}, "webhook_ids": [WEBHOOK]});
    let broken_event = broken_body(event).prop_map(|(b, blames)| Req {
        method: "POST",
        path: "/v1/events".into(),
        body: Body::Json(b),
        blames,
    });
    let inbox = json!({"scheme": "standard", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "tolerance_seconds": 300, "forward_to": DEAD_URL, "respond_with": {"status": 202, "body": "ok"}});
    let broken_inbox = broken_body(inbox).prop_map(|(b, blames)| Req {
        method: "PUT",
        path: "/v1/inboxes/fuzz".into(),
        body: Body::Json(b),
        blames,
    });
    let invalid = prop::sample::select(invalid_create()).prop_map(|(b, field)| Req {
        method: "POST",
        path: "/v1/webhooks".into(),
        body: Body::Json(b),
        blames: Some(field.to_owned()),
    });
    prop_oneof![
        6 => random,
        2 => broken_create,
        2 => broken_update,
        1 => broken_event,
        1 => broken_inbox,
        2 => invalid,
    ]
}

async fn send(app: &App, req: &Req) -> (u16, Vec<u8>) {
    let mut r = warp::test::request().method(req.method).path(&req.path);
    match &req.body {
        Body::None => {}
        Body::Json(v) => r = r.json(v),
        Body::Bytes(b) => r = r.header("content-type", "application/json").body(b),
    }
    let res = r.reply(&app.routes).await;
    (res.status().as_u16(), res.body().to_vec())
}

async fn get(app: &App, path: &str) -> Value {
    let res = warp::test::request().path(path).reply(&app.routes).await;
    assert_eq!(res.status(), 200, "GET {path}");
    serde_json::from_slice(res.body()).unwrap()
}

/// What a failed request must not change: the webhooks, and how many deliveries exist
/// (their statuses move on in the background).
async fn snapshot(app: &App) -> (Value, usize, Value) {
    let webhooks = get(app, "/v1/webhooks").await;
    let deliveries = get(app, "/v1/deliveries").await["data"]
        .as_array()
        .map_or(0, Vec::len);
    (webhooks, deliveries, get(app, "/v1/inboxes").await)
}

async fn check(app: &App, req: &Req) -> Result<(), TestCaseError> {
    // Keep the known webhook around so its id reaches the handlers.
    if app.store.webhook(WEBHOOK).unwrap().is_none() {
        let (status, _) = send(
            app,
            &Req {
                method: "POST",
                path: "/v1/webhooks".into(),
                body: Body::Json(json!({"id": WEBHOOK, "url": DEAD_URL, "events": ["*"]})),
                blames: None,
            },
        )
        .await;
        prop_assert_eq!(status, 201);
    }
    let before = snapshot(app).await;
    let (status, body) = send(app, req).await;
    let text = String::from_utf8_lossy(&body);
    prop_assert!(
        status < 500,
        "{} {}: {} {}",
        req.method,
        req.path,
        status,
        text
    );
    if status < 400 {
        prop_assert!(req.blames.is_none(), "accepted a broken body: {}", text);
        return Ok(());
    }
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| TestCaseError::fail(format!("{status}: not JSON ({e}): {text}")))?;
    prop_assert_eq!(v.as_object().map(|o| o.len()), Some(1), "{}", text);
    let e = &v["error"];
    prop_assert!(
        e["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{}",
        text
    );
    prop_assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        text
    );
    prop_assert!(e["field"].is_string() || e["field"].is_null(), "{}", text);
    if e["code"] == "invalid_field" {
        prop_assert!(
            e["field"].is_string(),
            "invalid_field names no field: {}",
            text
        );
    }
    if let Some(field) = &req.blames {
        if e["code"] == "payload_too_large" {
            // A body over --max-body-bytes is refused whole, before any field is read.
            prop_assert_eq!(status, 413, "{}", text);
        } else {
            prop_assert_eq!(status, 400, "{}", text);
            prop_assert_eq!(e["field"].as_str(), Some(field.as_str()), "{}", text);
        }
    }
    let after = snapshot(app).await;
    prop_assert!(
        before == after,
        "{} {} failed ({}) but changed the state",
        req.method,
        req.path,
        status
    );
    Ok(())
}

#[test]
fn random_requests_never_5xx_and_every_error_is_a_json_4xx_that_changed_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(async { started(&config()).await });
    let mut runner = TestRunner::new(RunnerConfig {
        cases: CASES,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let app = RefCell::new(app);
    let result = runner.run(&request(), |req| {
        let app = app.borrow();
        rt.block_on(check(&app, &req))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
