//! What the sender forgets: the oldest finished deliveries past `--memory-limit`, logs past
//! `--retention`; pending deliveries stay.

use std::time::Duration;

use hookproof_sender::store::DeliveryStatus;
use serde_json::json;

use crate::common::delivery::attempts_of;
use crate::common::{
    attempts, config, create, finished, ok, receiver, started, wait_until, Answer,
};

#[tokio::test]
async fn past_the_memory_limit_the_oldest_finished_deliveries_go() {
    // ~1.5 KB per delivery with its attempt: a dozen or so fit in 16 KiB.
    let mut cfg = config();
    cfg.memory_limit = 16 * 1024;
    let app = started(&cfg).await;
    let done_rx = receiver(vec![]).await;
    let failing_rx = receiver(vec![Answer::Status(500)]).await;
    create(&app, &failing_rx.url, "generic", Some(&[0, 100_000])).await;
    let first = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a", "data": {}})),
        202,
    )
    .await;
    let pending = first["deliveries"][0]["id"].as_str().unwrap().to_owned();
    wait_until(&app, &pending, |d| d.attempts == 1).await;
    create(&app, &done_rx.url, "generic", Some(&[0])).await;
    let mut done = Vec::new();
    for i in 0..60 {
        let ev = ok(
            &app,
            "POST",
            "/v1/events",
            Some(json!({"type": "b", "data": {"i": i}})),
            202,
        )
        .await;
        let ids = ev["deliveries"].as_array().unwrap();
        done.push(ids.last().unwrap()["id"].as_str().unwrap().to_owned());
        wait_until(&app, done.last().unwrap(), finished).await;
    }
    assert_eq!(done_rx.hits().len(), 60, "every delivery was made");

    let listed = ok(&app, "GET", "/v1/deliveries?limit=1000", None, 200).await;
    let listed: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(listed.contains(&pending), "a pending delivery is kept");
    assert!(
        (4..40).contains(&listed.len()),
        "kept {} of 61",
        listed.len()
    );
    assert_eq!(listed[0], done[59], "the newest stay");
    assert!(
        app.store.delivery(&done[0]).await.unwrap().is_none(),
        "the oldest went"
    );
    assert!(
        attempts_of(&app, done[0].clone()).await.is_empty(),
        "its log too"
    );
    assert_eq!(attempts_of(&app, done[59].clone()).await.len(), 1);
    let d = app
        .store
        .delivery(&pending)
        .await
        .unwrap()
        .expect("still there");
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 1));
}

#[tokio::test]
async fn logs_past_a_short_retention_are_pruned_while_running() {
    // --retention 1s: looked for every second (half of it, 1 s at least), real time.
    let mut cfg = config();
    cfg.retention = Duration::from_secs(1);
    let app = started(&cfg).await;
    let done_rx = receiver(vec![]).await;
    let failing_rx = receiver(vec![Answer::Status(500)]).await;
    create(&app, &done_rx.url, "generic", Some(&[0])).await;
    // The retry is 100 s away once scaled: the delivery stays pending throughout.
    create(&app, &failing_rx.url, "generic", Some(&[0, 100_000])).await;
    let ev = ok(
        &app,
        "POST",
        "/v1/events",
        Some(json!({"type": "a", "data": {}})),
        202,
    )
    .await;
    let id = |i: usize| ev["deliveries"][i]["id"].as_str().unwrap().to_owned();
    let (done, pending) = (id(0), id(1));
    wait_until(&app, &done, finished).await;
    let finished_at = std::time::Instant::now();
    wait_until(&app, &pending, |d| d.attempts == 1).await;
    assert_eq!(attempts(&app, &done).await.as_array().unwrap().len(), 1);

    let deadline = finished_at + Duration::from_secs(5);
    while app.store.delivery(&done).await.unwrap().is_some() {
        assert!(std::time::Instant::now() < deadline, "not pruned in 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        finished_at.elapsed() >= Duration::from_millis(900),
        "pruned before the retention passed: {:?}",
        finished_at.elapsed()
    );
    let listed = ok(&app, "GET", "/v1/deliveries", None, 200).await;
    let listed: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        listed,
        std::slice::from_ref(&pending),
        "a pending delivery is kept"
    );
    // Attempt logs go by age alone, the pending delivery's too once old enough.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !attempts_of(&app, pending.clone()).await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "attempt not pruned");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(attempts_of(&app, done).await.is_empty());
    let d = app
        .store
        .delivery(&pending)
        .await
        .unwrap()
        .expect("still there");
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 1));
}
