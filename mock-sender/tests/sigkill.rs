//! SIGKILL: `serve` killed outright while retries are pending, then started again on the
//! same db: every delivery completes, none is lost (at least once: an attempt cut off by
//! the kill is simply made again).

#![cfg(unix)]

mod common;

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use common::{http_json as api, receiver, spawn_serve, Answer};
use hookproof_sender::store::{DeliveryStatus, Query, SqliteStore, Store};
use serde_json::json;

const EVENTS: usize = 5;
/// The receiver fails this many requests (whichever deliveries they belong to), then
/// answers 200.
const FAILURES: usize = 10;

/// `serve` on a free port with `db`, waits scaled by 0.001; the child and its base URL.
fn serve(db: &Path) -> (Child, String) {
    spawn_serve([
        OsStr::new("--attempt-timeout"),
        OsStr::new("2s"),
        OsStr::new("--time-scale"),
        OsStr::new("0.001"),
        OsStr::new("--db"),
        db.as_os_str(),
    ])
}

async fn serve_async(db: &Path) -> (Child, String) {
    let db = db.to_owned();
    tokio::task::spawn_blocking(move || serve(&db))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_with_retries_pending_loses_no_delivery() {
    let db = std::env::temp_dir().join(format!("hookproof-sigkill-{}.db", ulid::Ulid::new()));
    let rx = receiver(vec![Answer::Status(500); FAILURES]).await;
    let (mut child, base) = serve_async(&db).await;
    let post = reqwest::Method::POST;
    // Waits of 300 s, scaled: 300 ms between attempts, 8 attempts.
    api(
        post.clone(),
        format!("{base}/v1/webhooks"),
        Some(
            json!({"url": rx.url, "events": ["*"], "profile": "standard",
                    "retry_schedule": [0, 300, 300, 300, 300, 300, 300, 300]}),
        ),
    )
    .await;
    let mut sent = HashSet::new();
    for i in 0..EVENTS {
        let ev = api(
            post.clone(),
            format!("{base}/v1/events"),
            Some(json!({"type": "order.paid", "data": {"order": i}})),
        )
        .await;
        sent.insert(
            ev["data"]["deliveries"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(sent.len(), EVENTS);

    // Every first attempt failed: the retries are waiting. Kill now (SIGKILL: no cleanup).
    let deadline = Instant::now() + Duration::from_secs(10);
    while rx.hits().len() < EVENTS {
        assert!(
            Instant::now() < deadline,
            "the first attempts did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal: {status:?}");

    let pending = {
        let store = SqliteStore::open(&db).unwrap();
        store
            .deliveries(&Query {
                status: Some(DeliveryStatus::Pending),
                ..Query::default()
            })
            .unwrap()
            .len()
    };
    assert!(pending > 0, "nothing was pending at the kill");

    // The same db: the pending deliveries resume and complete.
    let (mut again, base) = serve_async(&db).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let deliveries = loop {
        let list = api(reqwest::Method::GET, format!("{base}/v1/deliveries"), None).await;
        let list = list["data"].as_array().unwrap().clone();
        if list.iter().all(|d| d["status"] != "pending") {
            break list;
        }
        if Instant::now() > deadline {
            let _ = again.kill();
            panic!("deliveries still pending 20 s after the restart: {list:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let logs = api(reqwest::Method::GET, format!("{base}/v1/logs"), None).await;
    let _ = again.kill();
    let _ = again.wait();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }

    let success: HashSet<String> = deliveries
        .iter()
        .filter(|d| d["status"] == "success")
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(success, sent, "{deliveries:?}");
    // Each delivery reached the receiver with a 200 at least once, under its own id.
    let answered: HashSet<String> = rx
        .hits()
        .iter()
        .skip(FAILURES)
        .filter_map(|h| {
            h.headers
                .iter()
                .find(|(k, _)| k == "webhook-id")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert!(answered.is_superset(&sent), "{answered:?} vs {sent:?}");
    let logged_ok = logs["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["outcome"] == "success")
        .count();
    assert_eq!(logged_ok, EVENTS, "{logs}");
}
