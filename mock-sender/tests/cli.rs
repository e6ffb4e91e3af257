//! The binary itself: `serve` announces its address on stdout; `trigger` prints each attempt.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{receiver, spawn_serve, Answer, BIN};

#[tokio::test]
async fn trigger_retries_then_delivers() {
    let rx = receiver(vec![Answer::Status(500)]).await;
    let url = rx.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args([
                "trigger",
                "app_mention",
                "--url",
                &url,
                "--profile",
                "slack",
            ])
            .args(["--data", r#"{"text":"hi"}"#, "--time-scale", "0.001"])
            .args(["--retry-schedule", "0,10s,10s", "--attempt-timeout", "2s"])
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("attempt 1/3: failed 500"), "{stdout}");
    assert!(stdout.contains("attempt 2/3: ok 200"), "{stdout}");
    assert!(stdout.contains("delivered after 2 attempt(s)"), "{stdout}");
    let secret = stdout
        .lines()
        .find_map(|l| l.strip_prefix("secret "))
        .expect("generated secret printed");
    let hit = rx.hits().pop().unwrap();
    hookproof::Webhook::new(hookproof::Scheme::Slack, secret)
        .unwrap()
        .verify_at(&hit.body, &hit.headers, common::now_secs())
        .unwrap();
}

#[tokio::test]
async fn trigger_exits_1_when_every_attempt_fails() {
    let out = tokio::task::spawn_blocking(|| {
        Command::new(BIN)
            .args([
                "trigger",
                "order.created",
                "--url",
                "http://127.0.0.1:1/",
                "--secret",
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            ])
            .args(["--time-scale", "0.001", "--retry-schedule", "0,1s"])
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains("secret "), "a given secret is not echoed");
    assert!(
        stdout.contains("attempt 1/2: nothing is listening (connection refused) in"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("nothing is listening at http://127.0.0.1:1/: start your receiver first"),
        "{stdout}"
    );
}

/// Without --retries, one attempt, as `stripe trigger` makes; nothing listening is one line.
#[tokio::test]
async fn trigger_makes_one_attempt_by_default() {
    let rx = receiver(vec![Answer::Status(500)]).await;
    let run = |url: String| {
        tokio::task::spawn_blocking(move || {
            Command::new(BIN)
                .args(["trigger", "order.created", "--url", &url])
                .env("RUST_LOG", "error")
                .output()
                .unwrap()
        })
    };
    let out = run(rx.url.clone()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("attempt 1/1: failed 500"), "{stdout}");
    assert!(stdout.contains("failed after 1 attempt(s)"), "{stdout}");
    assert_eq!(rx.hits().len(), 1);

    let out = run("http://127.0.0.1:1/hook".into()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "secret, delivery, and one line: {stdout}");
    assert_eq!(
        lines[2],
        "nothing is listening at http://127.0.0.1:1/hook: start your receiver first"
    );
}

#[test]
fn trigger_refuses_a_zero_timeout_and_names_a_missing_data_file() {
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .args(["trigger", "a", "--url", "http://127.0.0.1:1/"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--attempt-timeout", "0s"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--attempt-timeout"), "{stderr}");
    let out = run(&["--data", "@/nonexistent/order.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--data @/nonexistent/order.json"),
        "{stderr}"
    );
}

#[test]
fn serve_prints_its_address_and_answers() {
    let (mut child, base) = spawn_serve(["--memory", "--time-scale", "0.001"]);
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["data"]["ok"], true, "{body}");
}

#[test]
fn trigger_rejects_bad_flags_before_sending() {
    for (args, want) in [
        (
            vec!["trigger", "a", "--url", "http://example.com/"],
            "--url: http://",
        ),
        (
            vec![
                "trigger",
                "a",
                "--url",
                "http://127.0.0.1:1/",
                "--profile",
                "nope",
            ],
            "--profile",
        ),
        (
            vec![
                "trigger",
                "a",
                "--url",
                "http://127.0.0.1:1/",
                "--retry-schedule",
                "0,5y",
            ],
            "--retry-schedule",
        ),
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn serve_refuses_memory_limit_without_memory() {
    let db = std::env::temp_dir().join(format!("hookproof-memory-limit-{}.db", std::process::id()));
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--memory-limit",
            "1MB",
            "--db",
        ])
        .arg(&db)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: a sender that starts anyway is killed and the test fails.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(2), "{stderr}");
    assert!(
        stderr.contains("--memory-limit applies to --memory only"),
        "{stderr}"
    );
    assert!(!db.exists(), "nothing is created");
}

/// Writes a captured request (request line, headers, blank line) and its body to files.
fn capture(dir: &std::path::Path, headers: &[(&str, String)], body: &[u8]) -> [String; 2] {
    std::fs::create_dir_all(dir).unwrap();
    let mut text = String::from("POST /hooks HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    let (h, b) = (dir.join("headers.txt"), dir.join("body.bin"));
    std::fs::write(&h, text).unwrap();
    std::fs::write(&b, body).unwrap();
    [h.display().to_string(), b.display().to_string()]
}

fn doctor(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .arg("doctor")
        .args(args)
        .env("RUST_LOG", "error")
        .env_remove("HOOKPROOF_SECRET")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn doctor_verifies_and_explains() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let dir = std::env::temp_dir().join(format!("hookproof-doctor-{}", std::process::id()));
    let body = b"{\"type\": \"order.paid\", \"data\": {\"amount\": 42}}";
    let now = common::now_secs();
    let wh = hookproof::Webhook::new(hookproof::Scheme::Stripe, secret).unwrap();
    let headers = wh.sign(body, "evt_1", now).unwrap();
    let now_arg = now.to_string();

    let [h, b] = capture(&dir.join("good"), &headers, body);
    let (code, stdout, stderr) = doctor(&["--headers", &h, "--body", &b, "--secret", secret]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("verified"), "{stdout}");
    assert!(stdout.contains("stripe"), "{stdout}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret));

    // What JSON.parse then JSON.stringify hands the verifier.
    let [h, b] = capture(
        &dir.join("reserialized"),
        &headers,
        br#"{"type":"order.paid","data":{"amount":42}}"#,
    );
    let (code, stdout, stderr) = doctor(&[
        "--headers",
        &h,
        "--body",
        &b,
        "--secret",
        secret,
        "--now",
        &now_arg,
        "--scheme",
        "stripe",
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.starts_with("not verified"), "{stdout}");
    assert!(stdout.contains("body_reserialized"), "{stdout}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret));

    // Usage errors: exit 2 with the reason.
    for (args, want) in [
        (
            vec![
                "--headers",
                &h,
                "--body",
                "/nonexistent/body",
                "--secret",
                secret,
            ],
            "--body",
        ),
        (
            vec![
                "--headers",
                &h,
                "--body",
                &b,
                "--secret",
                secret,
                "--scheme",
                "nope",
            ],
            "--scheme",
        ),
        (
            vec![
                "--headers",
                &h,
                "--body",
                &b,
                "--secret",
                "",
                "--scheme",
                "stripe",
            ],
            "invalid secret",
        ),
    ] {
        let (code, stdout, stderr) = doctor(&args);
        assert_eq!(code, Some(2), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keygen_prints_an_hmac_secret_or_an_ed25519_key_pair_that_verifies() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN).arg("keygen").args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let hmac = run(&[]);
    let secret = hmac.trim().strip_prefix("secret ").unwrap();
    assert!(secret.starts_with("whsec_"), "{hmac}");
    assert_ne!(run(&[]), hmac, "a new secret each time");
    hookproof::Webhook::new(hookproof::Scheme::Standard, secret).unwrap();

    let quiet = run(&["--quiet"]);
    assert!(
        quiet.starts_with("whsec_") && quiet.lines().count() == 1,
        "{quiet}"
    );
    let quiet_pair = run(&["--ed25519", "-q"]);
    let keys: Vec<&str> = quiet_pair.lines().collect();
    assert!(keys.len() == 2 && keys[0].starts_with("whsk_") && keys[1].starts_with("whpk_"));

    let pair = run(&["--ed25519"]);
    let line = |name: &str| {
        pair.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {pair}"))
            .to_owned()
    };
    let (secret_key, public_key) = (line("secret_key "), line("public_key "));
    let signer = hookproof::Webhook::new(hookproof::Scheme::Standard, &secret_key).unwrap();
    let headers = signer.sign(b"{}", "msg_1", 1_700_000_000).unwrap();
    hookproof::Webhook::new(hookproof::Scheme::Standard, &public_key)
        .unwrap()
        .verify_at(b"{}", &headers, 1_700_000_000)
        .unwrap();
}

#[tokio::test]
async fn trigger_sends_the_catalogs_example_edited_by_overrides() {
    let rx = receiver(vec![]).await;
    let url = rx.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args([
                "trigger",
                "invoice.paid",
                "--url",
                &url,
                "--profile",
                "stripe",
            ])
            .args(["--override", "data.object.amount_paid=5000"])
            .args([
                "--override",
                "data.object.lines.data[0].description=Pro plan",
            ])
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let hit = rx.hits().pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["type"], "invoice.paid");
    assert_eq!(body["object"], "event");
    assert_ne!(
        body["id"], "evt_1SaQ3tLkdIwHu7ixO6JqXbYr",
        "a fresh event id"
    );
    assert!((body["created"].as_i64().unwrap() - common::now_secs()).abs() < 60);
    assert_eq!(body["data"]["object"]["amount_paid"], 5000);
    assert_eq!(
        body["data"]["object"]["lines"]["data"][0]["description"],
        "Pro plan"
    );
    assert_eq!(body["data"]["object"]["customer"], "cus_TX1pQ2cW8mNfKe");
    // Keys in the fixture file's order (Stripe's), not sorted, at every level.
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(&body),
        [
            "id",
            "object",
            "api_version",
            "created",
            "data",
            "livemode",
            "pending_webhooks",
            "request",
            "type"
        ]
    );
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../catalog/stripe/invoice.paid.json")).unwrap();
    let object = &file["payload"]["data"]["object"];
    assert_eq!(keys(&body["data"]["object"]), keys(object));
    assert_eq!(
        keys(&body["data"]["object"]["lines"]["data"][0]),
        keys(&object["lines"]["data"][0])
    );

    let bad = Command::new(BIN)
        .args(["trigger", "invoice.paid", "--url", "http://127.0.0.1:1/"])
        .args(["--profile", "stripe", "--override", "data.object.nope.x=1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("data.object.nope"), "{stderr}");
}

#[test]
fn fixtures_lists_and_shows_the_catalog() {
    let list = Command::new(BIN)
        .args(["fixtures", "list", "--profile", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success());
    assert_eq!(text.lines().count(), 10, "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("github\tpush\t")),
        "{text}"
    );
    let show = Command::new(BIN)
        .args(["fixtures", "show", "orders/create", "--profile", "shopify"])
        .output()
        .unwrap();
    let order: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(order["name"], "#1001");
    assert!(show.stderr.is_empty(), "shopify signs as shopify: no note");
    // Vector.co documents no signature: the generic scheme signs, and show says so.
    let show = Command::new(BIN)
        .args([
            "fixtures",
            "show",
            "contact.visited",
            "--profile",
            "vectorco",
        ])
        .output()
        .unwrap();
    let event: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(event["segment"]["id"], "segment_12345");
    let note = String::from_utf8_lossy(&show.stderr);
    assert!(note.contains("signed with the generic scheme"), "{note}");
    assert!(note.contains("X-Webhook-Signature"), "{note}");
    let schema = Command::new(BIN)
        .args([
            "fixtures",
            "show",
            "push",
            "--profile",
            "github",
            "--schema",
        ])
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert_eq!(schema["type"], "object");
}
