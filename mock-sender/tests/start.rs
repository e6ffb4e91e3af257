//! How `serve` starts, or refuses to: beyond loopback only with a token (or an explicit
//! `--insecure-no-token`, with a warning), and without writing anything when it cannot.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::BIN;

/// How one `serve ARGS` went: it printed `listening on ...` (then it is killed) or it
/// exited with a code; and its stderr.
struct Start {
    listening: Option<String>,
    code: Option<i32>,
    stderr: String,
}

fn start(args: &[&str]) -> Start {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .env("RUST_LOG", "error")
        .env_remove("HOOKPROOF_SENDER_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // The first line, or nothing when serve exits first; bounded.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
    let listening = line.trim().strip_prefix("listening on ").map(str::to_owned);
    if listening.is_some() {
        let _ = child.kill();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve {args:?} did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Start {
        listening,
        code: status.code(),
        stderr,
    }
}

#[test]
fn beyond_loopback_serve_needs_a_token_or_says_it_has_none() {
    let refused = start(&["--memory", "--addr", "0.0.0.0:0"]);
    assert_eq!(refused.listening, None, "{}", refused.stderr);
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("--token"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--insecure-no-token"),
        "{}",
        refused.stderr
    );

    let with_token = start(&["--memory", "--addr", "0.0.0.0:0", "--token", "t0ken"]);
    assert!(with_token.listening.is_some(), "{}", with_token.stderr);
    assert!(
        !with_token.stderr.contains("warning"),
        "{}",
        with_token.stderr
    );

    let insecure = start(&["--memory", "--addr", "0.0.0.0:0", "--insecure-no-token"]);
    assert!(insecure.listening.is_some(), "{}", insecure.stderr);
    assert!(
        insecure.stderr.contains("warning") && insecure.stderr.contains("without --token"),
        "{}",
        insecure.stderr
    );

    // Loopback needs neither; an empty token is no token.
    let local = start(&["--memory", "--addr", "127.0.0.1:0"]);
    assert!(local.listening.is_some(), "{}", local.stderr);
    let empty = start(&["--memory", "--addr", "127.0.0.1:0", "--token", " "]);
    assert_eq!(empty.code, Some(2), "{}", empty.stderr);
    assert!(empty.stderr.contains("--token"), "{}", empty.stderr);
}

#[test]
fn allowed_host_takes_names_only() {
    let bad = start(&["--memory", "--addr", "127.0.0.1:0", "--allowed-host", "a b"]);
    assert_eq!(bad.code, Some(2), "{}", bad.stderr);
    assert!(bad.stderr.contains("--allowed-host"), "{}", bad.stderr);
    let good = start(&[
        "--memory",
        "--addr",
        "127.0.0.1:0",
        "--allowed-host",
        "devbox.lan",
        "--allowed-host",
        "other.lan:8787",
    ]);
    assert!(good.listening.is_some(), "{}", good.stderr);
}

#[test]
fn a_port_in_use_leaves_no_db_file() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!("hookproof-port-in-use-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sender.db");
    let out = start(&["--addr", &addr, "--db", db.to_str().unwrap()]);
    assert_eq!(out.listening, None, "{}", out.stderr);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("cannot listen on"), "{}", out.stderr);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sender `inbox` starts has no token, so it refuses a bind beyond loopback, naming
/// the way that has one.
#[test]
fn the_inbox_command_starts_its_sender_on_loopback_only() {
    let out = Command::new(BIN)
        .args(["inbox", "demo", "--addr", "0.0.0.0:0"])
        .env("RUST_LOG", "error")
        .env_remove("HOOKPROOF_SENDER_URL")
        .env_remove("HOOKPROOF_SENDER_TOKEN")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("--token") && stderr.contains("--api"),
        "{stderr}"
    );
}
