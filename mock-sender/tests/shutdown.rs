//! SIGTERM: `serve` lets the attempt on the wire finish and be logged, then exits 0,
//! open `/v1/stream` connections or not.

#![cfg(unix)]

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{http_json as api, receiver, spawn_serve, Answer};
use serde_json::json;

/// `serve` on a free port with `db`; the child and its base URL.
fn serve(db: &Path) -> (Child, String) {
    spawn_serve([
        OsStr::new("--attempt-timeout"),
        OsStr::new("5s"),
        OsStr::new("--db"),
        db.as_os_str(),
    ])
}

/// Sends `child` SIGTERM and waits for its exit (at most 10 s, then kills it and fails).
async fn terminate(mut child: Child) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("serve did not exit within 10 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .unwrap()
}

/// [`serve`] from async code (it blocks until the sender listens).
async fn started(db: &Path) -> (Child, String) {
    let db = db.to_owned();
    tokio::task::spawn_blocking(move || serve(&db))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_attempt_in_flight_finish() {
    let db = std::env::temp_dir().join(format!("hookproof-sigterm-{}.db", ulid::Ulid::new()));
    let rx = receiver(vec![Answer::Hang(Duration::from_millis(500))]).await;
    let (child, base) = started(&db).await;
    let post = reqwest::Method::POST;
    api(
        post.clone(),
        format!("{base}/v1/webhooks"),
        Some(json!({"url": rx.url, "events": ["*"]})),
    )
    .await;
    api(
        post,
        format!("{base}/v1/events"),
        Some(json!({"type": "order.paid", "data": {"order": 42}})),
    )
    .await;

    // The request has arrived; the receiver answers 500 ms later.
    let deadline = Instant::now() + Duration::from_secs(5);
    while rx.hits().is_empty() {
        assert!(Instant::now() < deadline, "no request reached the receiver");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // An open dashboard (server-sent events) must not hold the shutdown up.
    let stream = reqwest::get(format!("{base}/v1/stream")).await.unwrap();
    assert!(stream.status().is_success());
    let sent_at = Instant::now();
    let status = terminate(child).await;
    assert_eq!(status.code(), Some(0), "{status:?}");
    drop(stream);
    assert!(
        sent_at.elapsed() >= Duration::from_millis(300),
        "exited before the answer: {:?}",
        sent_at.elapsed()
    );
    assert_eq!(rx.hits().len(), 1);

    // The attempt was logged before the exit.
    let (mut again, base) = started(&db).await;
    let logs = api(reqwest::Method::GET, format!("{base}/v1/logs"), None).await;
    let _ = again.kill();
    let _ = again.wait();
    // A killed sender leaves SQLite's side files too.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let logs = logs["data"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["status_code"], 200, "{logs:?}");
    assert_eq!(logs[0]["outcome"], "success", "{logs:?}");
}

/// A request whose body stops halfway holds the shutdown up for --shutdown-grace at most.
#[test]
fn a_stalled_request_does_not_keep_serve_from_exiting() {
    use std::io::Write;
    let (mut child, base) =
        spawn_serve(["--memory", "--read-timeout", "5m", "--shutdown-grace", "1s"]);
    let addr = base.strip_prefix("http://").unwrap();
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.write_all(b"POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 1000\r\n\r\n{")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let sent_at = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent_at.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("serve did not exit within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
    let took = sent_at.elapsed();
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    drop(conn);
}

/// A clean exit leaves no WAL beside --db: it held every page written since the last
/// checkpoint (4.9 GB after a 30 s load), and stayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_exit_leaves_no_wal() {
    let db = std::env::temp_dir().join(format!("hookproof-wal-{}.db", ulid::Ulid::new()));
    let wal = format!("{}-wal", db.display());
    let rx = receiver(vec![]).await;
    let (child, base) = started(&db).await;
    let post = reqwest::Method::POST;
    api(
        post.clone(),
        format!("{base}/v1/webhooks"),
        Some(json!({"url": rx.url, "events": ["*"]})),
    )
    .await;
    for n in 0..20 {
        api(
            post.clone(),
            format!("{base}/v1/events"),
            Some(json!({"type": "order.paid", "data": {"order": n}})),
        )
        .await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while rx.hits().len() < 20 {
        assert!(Instant::now() < deadline, "the deliveries did not arrive");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let status = terminate(child).await;
    let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(left, 0, "{wal} holds {left} bytes after a clean exit");
}
