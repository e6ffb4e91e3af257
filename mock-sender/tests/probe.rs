//! `probe` against a receiver that verifies with `hookproof` (every check passes) and a
//! naive one answering 200 to everything (the must-reject rows fail, by name).

mod common;

use std::process::Command;

use common::verifying_receiver;
use hookproof::Scheme;

const BIN: &str = env!("CARGO_BIN_EXE_hookproof-sender");
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn probe(url: String, profile: &'static str) -> (Option<i32>, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(BIN)
            .args(["probe", "--url", &url, "--profile", profile])
            .args(["--secret", SECRET, "--attempt-timeout", "5s"])
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(SECRET), "the secret was printed");
        (out.status.code(), text)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifying_receiver_passes_every_check() {
    for (profile, scheme) in [
        ("stripe", Scheme::Stripe),
        ("standard", Scheme::Standard),
        ("github", Scheme::Github),
        ("slack", Scheme::Slack),
    ] {
        let url = verifying_receiver(SECRET, scheme).await.0;
        let (code, out) = probe(url, profile).await;
        assert_eq!(code, Some(0), "{profile}:\n{out}");
        assert!(out.contains("checks passed"), "{profile}:\n{out}");
        assert!(!out.contains("FAIL"), "{profile}:\n{out}");
        assert!(out.contains("the same delivery twice"), "{profile}:\n{out}");
        assert!(out.contains("oversized body"), "{profile}:\n{out}");
        if profile == "stripe" || profile == "standard" {
            assert!(out.contains("several signatures"), "{profile}:\n{out}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_naive_receiver_fails_by_name() {
    let rx = common::receiver(vec![]).await;
    let (code, out) = probe(rx.url.clone(), "standard").await;
    assert_eq!(code, Some(1), "{out}");
    for case in [
        "tampered body",
        "signed with another secret",
        "missing webhook-signature",
        "missing webhook-id",
        "missing webhook-timestamp",
        "stale timestamp",
        "future timestamp",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("FAIL") && l.contains(case)),
            "{case}:\n{out}"
        );
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("PASS") && l.contains("valid delivery")),
        "{out}"
    );
    assert!(out.contains("checks failed: tampered body"), "{out}");
}

#[test]
fn probe_rejects_bad_flags() {
    for (args, want) in [
        (
            vec!["--url", "http://example.com/", "--secret", SECRET],
            "--url",
        ),
        (
            vec![
                "--url",
                "http://127.0.0.1:1/",
                "--secret",
                SECRET,
                "--profile",
                "nope",
            ],
            "--profile",
        ),
        (
            vec!["--url", "http://127.0.0.1:1/", "--secret", ""],
            "--secret",
        ),
    ] {
        let out = Command::new(BIN)
            .arg("probe")
            .args(&args)
            .env_remove("HOOKPROOF_SECRET")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}
