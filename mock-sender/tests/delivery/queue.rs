//! The queue: pending and overdue retries resumed after a restart on the same db, the
//! in-flight cap, a long queue to one endpoint in order.

use std::time::Duration;

use hookproof_sender::store::DeliveryStatus;
use hookproof_sender::{app, DbLocation};

use crate::common::delivery::idle;
use crate::common::{config, create, finished, receiver, send, started, wait_until, Answer};

#[tokio::test]
async fn pending_retries_resume_after_a_restart_on_the_same_db() {
    let path = std::env::temp_dir().join(format!("hookproof-sender-{}.db", ulid::Ulid::new()));
    let mut cfg = config();
    cfg.db = DbLocation::File(path.clone());
    let rx = receiver(vec![Answer::Status(500)]).await;

    let first = started(&cfg).await;
    create(&first, &rx.url, "github", Some(&[0, 1000])).await; // 1 s once scaled
    let id = send(&first, "push").await;
    let d = wait_until(&first, &id, |d| d.attempts == 1).await;
    assert_eq!(d.status, DeliveryStatus::Pending);
    assert!(d.next_attempt_at.is_some());
    first.engine.shutdown();
    drop(first);

    let second = app(&cfg).unwrap();
    assert_eq!(
        second.start().await.unwrap(),
        1,
        "one pending delivery resumed"
    );
    let d = wait_until(&second, &id, finished).await;
    assert_eq!(d.status, DeliveryStatus::Success);
    assert_eq!(d.attempts, 2);
    let hits = rx.hits();
    assert_eq!(hits.len(), 2, "the stopped engine sent nothing more");
    let delivery_ids: Vec<_> = hits
        .iter()
        .map(|h| h.header("x-github-delivery").map(str::to_owned))
        .collect();
    assert_eq!(delivery_ids, [Some(id.clone()), Some(id)]);
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{f}", path.display()));
    }
}

#[tokio::test]
async fn overdue_retries_resume_oldest_first() {
    let path = std::env::temp_dir().join(format!("hookproof-sender-{}.db", ulid::Ulid::new()));
    let mut cfg = config();
    cfg.db = DbLocation::File(path.clone());
    cfg.max_in_flight = 1;
    let fail = Answer::Status(500);
    let rx = receiver(vec![fail, fail, fail]).await;

    let first = started(&cfg).await;
    create(&first, &rx.url, "github", Some(&[0, 1000])).await; // 1 s once scaled
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        ids.push(send(&first, name).await);
    }
    for id in &ids {
        wait_until(&first, id, |d| d.attempts == 1).await;
    }
    first.engine.shutdown();
    drop(first);
    // Past every retry's time: all three are due at once on the restart.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let second = started(&cfg).await;
    for id in &ids {
        wait_until(&second, id, finished).await;
    }
    let resumed: Vec<_> = rx.hits()[3..]
        .iter()
        .map(|h| h.header("x-github-delivery").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(resumed, ids, "in the order they were queued");
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{f}", path.display()));
    }
}

#[tokio::test]
async fn the_in_flight_cap_queues_requests_to_one_endpoint() {
    let mut cfg = config();
    cfg.max_in_flight = 1;
    let app = started(&cfg).await;
    let slow = Answer::Hang(Duration::from_millis(150));
    let rx = receiver(vec![slow, slow, slow]).await;
    create(&app, &rx.url, "generic", None).await;
    let ids = [
        send(&app, "a").await,
        send(&app, "b").await,
        send(&app, "c").await,
    ];
    for id in &ids {
        let d = wait_until(&app, id, finished).await;
        assert_eq!(d.status, DeliveryStatus::Success);
    }
    let mut at: Vec<_> = rx.hits().iter().map(|h| h.at).collect();
    at.sort();
    for pair in at.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(140), "one at a time: {gap:?}");
    }
}

#[tokio::test]
async fn a_long_queue_to_one_endpoint_is_delivered_in_order() {
    // One request at a time, the first held for 150 ms: the others queue behind it, more
    // than the queue keeps in memory (the rest are read back from the store).
    let mut cfg = config();
    cfg.max_in_flight = 1;
    let app = started(&cfg).await;
    let rx = receiver(vec![Answer::Hang(Duration::from_millis(150))]).await;
    create(&app, &rx.url, "github", None).await;
    let mut ids = Vec::new();
    for _ in 0..300 {
        ids.push(send(&app, "a").await);
    }
    for id in &ids {
        let d = wait_until(&app, id, finished).await;
        assert_eq!((d.status, d.attempts), (DeliveryStatus::Success, 1));
    }
    let order: Vec<_> = rx
        .hits()
        .iter()
        .map(|h| {
            h.header("x-github-delivery")
                .map(str::to_owned)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(order.len(), 300);
    assert_eq!(order, ids, "first in, first out");
    assert_eq!(idle(&app).await, 0);
}
