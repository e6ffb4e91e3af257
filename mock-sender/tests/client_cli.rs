//! The CLI as a client of a running sender: `webhooks`, `events send`, `deliveries`,
//! `logs tail` against a `serve` child, as tables (piped: no colour) and as `--json`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{receiver, spawn_serve, Answer, BIN};
use serde_json::Value;

/// `events send --data`: key order, `1.50` and a 25-digit integer must reach the receiver
/// as written.
const DATA: &str = r#"{"n":1,"price":1.50,"id":1234567890123456789012345}"#;

/// `hookproof-sender ARGS --api BASE`, off the runtime's threads.
async fn run(base: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).args(["--api", base]).env_remove("NO_COLOR");
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

async fn stdout(base: &str, args: &[&str]) -> String {
    let out = run(base, args).await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains('\x1b'), "no colour when piped: {text}");
    text
}

async fn json(base: &str, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    serde_json::from_str(&stdout(base, &args).await).unwrap()
}

#[tokio::test]
async fn webhooks_events_deliveries_and_logs_tail() {
    let (mut child, base) = spawn_serve(["--memory", "--time-scale", "0.001"]);
    let rx = receiver(vec![Answer::Status(500)]).await;

    let created = stdout(
        &base,
        &[
            "webhooks",
            "create",
            "--url",
            &rx.url,
            "--events",
            "order.*,invoice.paid",
            "--profile",
            "stripe",
            "--retry-schedule",
            "0,1s",
        ],
    )
    .await;
    let id = created
        .lines()
        .find_map(|l| l.strip_prefix("created "))
        .and_then(|l| l.split(' ').next())
        .expect(&created)
        .to_owned();
    assert!(created.contains("\nsecret whsec_"), "{created}");

    let list = stdout(&base, &["webhooks", "list"]).await;
    let mut lines = list.lines();
    assert!(lines.next().unwrap().starts_with("ID "), "{list}");
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&id) && row.contains("stripe") && row.contains("order.*,invoice.paid"),
        "{list}"
    );
    let listed = json(&base, &["webhooks", "list"]).await;
    assert_eq!(listed[0]["id"], id.as_str());

    // `logs tail --json` from before the event: one object a line.
    let mut tail = Command::new(BIN)
        .args(["logs", "tail", "--json", "--webhook", &id])
        .env("HOOKPROOF_SENDER_URL", &base)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let tail_out = tail.stdout.take().unwrap();
    let tailed = std::thread::spawn(move || {
        let mut events = Vec::new();
        for line in BufReader::new(tail_out).lines() {
            let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
            let done = v["event"] == "attempt" && v["data"]["status"] == "success";
            events.push(v);
            if done {
                break;
            }
        }
        events
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    let sent = json(&base, &["events", "send", "order.created", "--data", DATA]).await;
    let delivery = sent["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let events = tokio::task::spawn_blocking(move || tailed.join().unwrap())
        .await
        .unwrap();
    let _ = tail.kill();
    let _ = tail.wait();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["delivery", "attempt", "attempt"]);
    assert_eq!(events[1]["data"]["status_code"], 500);
    assert_eq!(events[2]["data"]["delivery_id"], delivery.as_str());

    let list = stdout(&base, &["deliveries", "list", "--webhook", &id]).await;
    assert!(list.starts_with("ID "), "{list}");
    assert!(
        list.contains(&delivery) && list.contains("success") && list.contains("2/2"),
        "{list}"
    );
    let shown = stdout(&base, &["deliveries", "show", &delivery]).await;
    assert!(shown.contains("attempts      2 of 2"), "{shown}");
    assert!(
        shown.contains("http_error") && shown.contains("500"),
        "{shown}"
    );
    assert!(shown.contains(DATA), "the body, byte for byte: {shown}");
    let retried = stdout(&base, &["deliveries", "retry", &delivery]).await;
    assert!(
        retried.starts_with(&format!("retrying {delivery} (attempt 3 of 3)")),
        "{retried}"
    );

    let deleted = stdout(&base, &["webhooks", "delete", &id]).await;
    assert_eq!(deleted.trim(), format!("deleted {id}"));
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn api_errors_and_an_absent_sender_are_one_clear_line() {
    let (mut child, base) = spawn_serve(["--memory", "--token", "t0k"]);
    let out = run(&base, &["webhooks", "list"]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(unauthorized; HTTP 401)"), "{stderr}");

    let out = run(&base, &["webhooks", "delete", "wh_nope", "--token", "t0k"]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no webhook wh_nope (not_found; HTTP 404)"),
        "{stderr}"
    );

    let out = run(
        &base,
        &["webhooks", "create", "--url", "ftp://x", "--token", "t0k"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("field url"), "{stderr}");
    let _ = child.kill();
    let _ = child.wait();

    let out = run("http://127.0.0.1:1", &["deliveries", "list"]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach a sender at http://127.0.0.1:1")
            && stderr.contains("hookproof-sender serve"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// The body of the first delivery `events send` answered with (`deliveries show`).
async fn first_body(base: &str, sent: &Value) -> Value {
    let delivery = sent["deliveries"][0]["id"].as_str().unwrap();
    let shown = json(base, &["deliveries", "show", delivery]).await;
    serde_json::from_str(shown["delivery"]["body"].as_str().expect("the body")).unwrap()
}

#[tokio::test]
async fn events_send_overrides_edit_the_example_or_send_nothing() {
    let (mut child, base) = spawn_serve(["--memory", "--time-scale", "0.001"]);
    let rx = receiver(vec![]).await;
    let created = json(
        &base,
        &[
            "webhooks",
            "create",
            "--url",
            &rx.url,
            "--events",
            "invoice.paid",
            "--profile",
            "stripe",
        ],
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let sent = json(
        &base,
        &[
            "events",
            "send",
            "invoice.paid",
            "--override",
            "data.object.amount_paid=5000",
            "--override",
            "data.object.customer_name=Ada Lovelace",
        ],
    )
    .await;
    let body = first_body(&base, &sent).await;
    assert_eq!(
        body["data"]["object"]["amount_paid"], 5000,
        "JSON: a number"
    );
    assert_eq!(
        body["data"]["object"]["customer_name"], "Ada Lovelace",
        "not JSON: a string"
    );

    // Applied in the order given, as trigger applies them: a path given again comes last.
    let sent = json(
        &base,
        &[
            "events",
            "send",
            "invoice.paid",
            "--override",
            "data.object.amount_paid=1",
            "--override",
            r#"data.object={"amount_paid":2}"#,
            "--override",
            "data.object.amount_paid=3",
        ],
    )
    .await;
    let body = first_body(&base, &sent).await;
    assert_eq!(body["data"]["object"]["amount_paid"], 3);

    // A path the example lacks: the API's error, and nothing sent.
    let out = run(
        &base,
        &[
            "events",
            "send",
            "invoice.paid",
            "--override",
            "data.object.amunt_paid=1",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("field overrides.data.object.amunt_paid") && stderr.contains("stripe"),
        "{stderr}"
    );
    let out = run(
        &base,
        &[
            "events",
            "send",
            "invoice.paid",
            "--data",
            "{}",
            "--override",
            "a=1",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "--override conflicts with --data"
    );
    // The two sent above: the refused ones sent nothing.
    let listed = json(&base, &["deliveries", "list", "--webhook", &id]).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let _ = child.kill();
    let _ = child.wait();
}
