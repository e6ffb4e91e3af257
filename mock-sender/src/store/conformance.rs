//! What every `Store` must do, run on each: `SqliteStore` (in memory) and `MemoryStore`.

use std::sync::Arc;

use super::fixtures::{attempt, delivery, webhook};
use super::{DeliveryCounts, DeliveryStatus, Outcome, Query, Store, Write};

/// Each test below, a `fn(&dyn Store)`, as a `#[test]` per store kind:
/// `store::conformance::sqlite::name` and `store::conformance::memory::name`.
macro_rules! on_each_store {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&crate::store::SqliteStore::memory().unwrap())
            })*
        }
        mod memory {
            $(#[test]
            fn $name() {
                super::$name(&crate::store::MemoryStore::new())
            })*
        }
    };
}

on_each_store!(
    webhooks_round_trip_and_upsert_keeps_order,
    deliveries_filter_by_status_newest_first,
    attempts_filter_by_delivery_and_failure,
    prune_keeps_recent_logs_and_pending_deliveries,
    batched_writes_and_listing_filters_combine,
    a_write_batch_is_one_transaction,
    a_shared_webhook_is_the_same_until_it_changes,
    an_updated_delivery_keeps_its_place,
    pruned_rows_leave_every_listing,
    deliveries_are_counted_by_status,
);

fn webhooks_round_trip_and_upsert_keeps_order(s: &dyn Store) {
    s.put_webhook(&webhook("wh_1")).unwrap();
    s.put_webhook(&webhook("wh_2")).unwrap();
    let mut changed = webhook("wh_1");
    changed.url = "http://127.0.0.1:2/".into();
    s.put_webhook(&changed).unwrap();
    let all = s.webhooks().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(*all[0], changed);
    assert!(s.delete_webhook("wh_2").unwrap());
    assert!(!s.delete_webhook("wh_2").unwrap());
    assert_eq!(s.webhook("wh_2").unwrap(), None);
}

fn deliveries_filter_by_status_newest_first(s: &dyn Store) {
    s.put_delivery(&delivery("msg_1", DeliveryStatus::Pending))
        .unwrap();
    s.put_delivery(&delivery("msg_2", DeliveryStatus::Failed))
        .unwrap();
    s.put_delivery(&delivery("msg_3", DeliveryStatus::Pending))
        .unwrap();
    let q = Query {
        status: Some(DeliveryStatus::Pending),
        ..Query::default()
    };
    let ids: Vec<_> = s
        .deliveries(&q)
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, ["msg_3", "msg_1"]);
    s.put_delivery(&delivery("msg_3", DeliveryStatus::Success))
        .unwrap();
    assert_eq!(s.deliveries(&q).unwrap().len(), 1);
}

fn attempts_filter_by_delivery_and_failure(s: &dyn Store) {
    let outcomes = [Outcome::Timeout, Outcome::Success, Outcome::HttpError];
    for (i, d) in ["msg_1", "msg_2", "msg_1"].iter().enumerate() {
        s.add_attempt(&attempt(i, d, outcomes[i], 0)).unwrap();
    }
    let ids =
        |q: Query| -> Vec<String> { s.attempts(&q).unwrap().into_iter().map(|a| a.id).collect() };
    let by_delivery = Query {
        delivery_id: Some("msg_1".into()),
        ..Query::default()
    };
    assert_eq!(ids(by_delivery), ["atm_2", "atm_0"]);
    let failed = Query {
        failed: Some(true),
        ..Query::default()
    };
    assert_eq!(ids(failed), ["atm_2", "atm_0"]);
    let ok = Query {
        failed: Some(false),
        ..Query::default()
    };
    assert_eq!(ids(ok), ["atm_1"]);
}

fn prune_keeps_recent_logs_and_pending_deliveries(s: &dyn Store) {
    s.add_attempt(&attempt(0, "msg_1", Outcome::Timeout, 10))
        .unwrap();
    s.add_attempt(&attempt(1, "msg_1", Outcome::Success, 1000))
        .unwrap();
    let mut old_done = delivery("msg_1", DeliveryStatus::Success);
    old_done.updated_at = 10;
    s.put_delivery(&old_done).unwrap();
    let mut old_pending = delivery("msg_2", DeliveryStatus::Pending);
    old_pending.updated_at = 10;
    s.put_delivery(&old_pending).unwrap();
    assert_eq!(s.prune(500).unwrap(), 2);
    assert_eq!(s.attempts(&Query::default()).unwrap().len(), 1);
    assert!(s.delivery("msg_1").unwrap().is_none());
    assert!(s.delivery("msg_2").unwrap().is_some());
}

fn batched_writes_and_listing_filters_combine(s: &dyn Store) {
    let mut other = delivery("msg_2", DeliveryStatus::Pending);
    other.webhook_id = "wh_2".into();
    let batch = [
        delivery("msg_1", DeliveryStatus::Pending),
        other,
        delivery("msg_3", DeliveryStatus::Failed),
    ];
    s.put_deliveries(&batch).unwrap();
    let ids = |q: Query| -> Vec<String> {
        s.deliveries(&q)
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect()
    };
    let wh_1_pending = Query {
        webhook_id: Some("wh_1".into()),
        status: Some(DeliveryStatus::Pending),
        ..Query::default()
    };
    assert_eq!(ids(wh_1_pending), ["msg_1"]);
    let wh_1 = Query {
        webhook_id: Some("wh_1".into()),
        limit: Some(1),
        ..Query::default()
    };
    assert_eq!(ids(wh_1), ["msg_3"]);
    let by_type = Query {
        event_type: Some("a.b".into()),
        ..Query::default()
    };
    assert_eq!(ids(by_type), ["msg_3", "msg_2", "msg_1"]);
    let mut done = batch[0].clone();
    done.status = DeliveryStatus::Success;
    done.attempts = 1;
    s.record_attempt(&attempt(0, "msg_1", Outcome::Success, 7), &done)
        .unwrap();
    assert_eq!(s.delivery("msg_1").unwrap(), Some(done));
    let ok_for_wh_1 = Query {
        webhook_id: Some("wh_1".into()),
        delivery_id: Some("msg_1".into()),
        failed: Some(false),
        ..Query::default()
    };
    assert_eq!(s.attempts(&ok_for_wh_1).unwrap().len(), 1);
}

fn a_write_batch_is_one_transaction(s: &dyn Store) {
    let mut done = delivery("msg_1", DeliveryStatus::Success);
    done.attempts = 1;
    let batch = [
        Write::Deliveries(vec![
            delivery("msg_1", DeliveryStatus::Pending),
            delivery("msg_2", DeliveryStatus::Pending),
        ]),
        Write::Attempt(
            Arc::new(attempt(0, "msg_1", Outcome::Success, 7)),
            Some(Arc::new(done.clone())),
        ),
        Write::Attempt(Arc::new(attempt(1, "msg_1", Outcome::Rejected, 8)), None),
        Write::Delivery(delivery("msg_3", DeliveryStatus::Failed)),
    ];
    s.write(&batch).unwrap();
    assert_eq!(s.delivery("msg_1").unwrap(), Some(done));
    assert!(s.delivery("msg_2").unwrap().is_some());
    assert!(s.delivery("msg_3").unwrap().is_some());
    let ids: Vec<_> = s
        .attempts(&Query::default())
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["atm_1", "atm_0"]);
    // The same attempt id again: the whole batch is refused.
    let again = [
        Write::Delivery(delivery("msg_4", DeliveryStatus::Pending)),
        Write::Attempt(Arc::new(attempt(0, "msg_4", Outcome::Success, 9)), None),
    ];
    assert!(s.write(&again).is_err());
    assert!(s.delivery("msg_4").unwrap().is_none());
    // An id twice in one batch, next to each other or not: refused too.
    let of_msg_4 = Query {
        delivery_id: Some("msg_4".into()),
        ..Query::default()
    };
    for ids in [[7, 7, 8], [8, 9, 8]] {
        let twice =
            ids.map(|i| Write::Attempt(Arc::new(attempt(i, "msg_4", Outcome::Success, 9)), None));
        assert!(s.write(&twice).is_err(), "{ids:?}");
        assert!(s.attempts(&of_msg_4).unwrap().is_empty());
    }
}

fn a_shared_webhook_is_the_same_until_it_changes(s: &dyn Store) {
    s.put_webhook(&webhook("wh_1")).unwrap();
    let a = s.shared_webhook("wh_1").unwrap().unwrap();
    let b = s.shared_webhook("wh_1").unwrap().unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    let mut changed = webhook("wh_1");
    changed.secret = "whsec_y".into();
    s.put_webhook(&changed).unwrap();
    let c = s.shared_webhook("wh_1").unwrap().unwrap();
    assert_eq!(c.secret, "whsec_y");
    assert_eq!(a.secret, "whsec_x", "a reader keeps what it read");
    assert!(s.delete_webhook("wh_1").unwrap());
    assert!(s.shared_webhook("wh_1").unwrap().is_none());
}

fn an_updated_delivery_keeps_its_place(s: &dyn Store) {
    for id in ["msg_1", "msg_2", "msg_3"] {
        s.put_delivery(&delivery(id, DeliveryStatus::Pending))
            .unwrap();
    }
    s.put_delivery(&delivery("msg_1", DeliveryStatus::Success))
        .unwrap();
    let ids: Vec<_> = s
        .deliveries(&Query::default())
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.status))
        .collect();
    assert_eq!(
        ids,
        [
            ("msg_3".to_string(), DeliveryStatus::Pending),
            ("msg_2".to_string(), DeliveryStatus::Pending),
            ("msg_1".to_string(), DeliveryStatus::Success),
        ]
    );
}

fn pruned_rows_leave_every_listing(s: &dyn Store) {
    let mut old = delivery("msg_1", DeliveryStatus::Failed);
    old.updated_at = 10;
    s.put_delivery(&old).unwrap();
    s.add_attempt(&attempt(0, "msg_1", Outcome::Timeout, 10))
        .unwrap();
    s.add_attempt(&attempt(1, "msg_2", Outcome::Timeout, 10))
        .unwrap();
    s.add_attempt(&attempt(2, "msg_2", Outcome::Success, 1000))
        .unwrap();
    assert_eq!(s.prune(500).unwrap(), 3);
    let of = |delivery_id: &str| Query {
        delivery_id: Some(delivery_id.into()),
        ..Query::default()
    };
    assert!(s.attempts(&of("msg_1")).unwrap().is_empty());
    let left: Vec<_> = s
        .attempts(&of("msg_2"))
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(left, ["atm_2"]);
    let by_webhook = Query {
        webhook_id: Some("wh_1".into()),
        ..Query::default()
    };
    assert!(s.deliveries(&by_webhook).unwrap().is_empty());
    assert!(s.delivery("msg_1").unwrap().is_none());
    // A pruned attempt's id may not come back (ids are ULIDs), but the store takes it.
    s.add_attempt(&attempt(0, "msg_1", Outcome::Success, 2000))
        .unwrap();
    assert_eq!(s.attempts(&of("msg_1")).unwrap().len(), 1);
}

/// One step of `the_stores_agree` (and of `memory`'s limit test), made by `apply`.
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// Delivery `msg_{n}` (event type `t.{n % 2}`) of webhook `wh_{n % 3}` (a delivery
    /// keeps its webhook, and a pruned one written again takes the same), last changed at
    /// `at`.
    Delivery(u8, DeliveryStatus, i64),
    /// A new attempt on delivery `msg_{n}` of webhook `wh_{w}`, made at `at`.
    Attempt(u8, u8, Outcome, i64),
    Prune(i64),
}

pub(super) fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    let status = prop_oneof![
        Just(DeliveryStatus::Pending),
        Just(DeliveryStatus::Success),
        Just(DeliveryStatus::Failed),
    ];
    let outcome = prop_oneof![
        Just(Outcome::Success),
        Just(Outcome::HttpError),
        Just(Outcome::Rejected),
        Just(Outcome::Timeout),
    ];
    prop_oneof![
        4 => (0..8u8, status, 0..100i64).prop_map(|(n, s, at)| Op::Delivery(n, s, at)),
        4 => (0..8u8, 0..3u8, outcome, 0..100i64).prop_map(|(n, w, o, at)| Op::Attempt(n, w, o, at)),
        1 => (0..100i64).prop_map(Op::Prune),
    ]
}

/// Writes `op`, the `i`th of its run, to `s`.
pub(super) fn apply(s: &dyn Store, i: usize, op: &Op) {
    // Two texts, each shared by the deliveries of one event type, as an event's
    // deliveries share theirs (the memory store counts a shared body once).
    static BODIES: std::sync::LazyLock<[super::Body; 2]> =
        std::sync::LazyLock::new(|| [r#"{"n":0}"#.into(), r#"{"n":1}"#.into()]);
    match op {
        Op::Delivery(n, status, at) => {
            let mut d = delivery(&format!("msg_{n}"), *status);
            d.webhook_id = format!("wh_{}", n % 3);
            d.event_type = format!("t.{}", n % 2);
            d.body = BODIES[usize::from(n % 2)].clone();
            d.updated_at = *at;
            s.put_delivery(&d).unwrap();
        }
        Op::Attempt(n, w, outcome, at) => {
            let mut a = attempt(i, &format!("msg_{n}"), *outcome, *at);
            a.webhook_id = format!("wh_{w}");
            s.add_attempt(&a).unwrap();
        }
        Op::Prune(before) => {
            s.prune(*before).unwrap();
        }
    }
}

fn deliveries_are_counted_by_status(s: &dyn Store) {
    for (i, status) in [
        DeliveryStatus::Pending,
        DeliveryStatus::Success,
        DeliveryStatus::Success,
        DeliveryStatus::Failed,
        DeliveryStatus::Pending,
    ]
    .into_iter()
    .enumerate()
    {
        let mut d = delivery(&format!("msg_{i}"), status);
        d.webhook_id = if i == 4 { "wh_2" } else { "wh_1" }.into();
        s.put_delivery(&d).unwrap();
    }
    // A delivery that changes status moves between the counts.
    let mut d = delivery("msg_0", DeliveryStatus::Failed);
    d.webhook_id = "wh_1".into();
    s.put_delivery(&d).unwrap();
    let counts = |pending, success, failed| DeliveryCounts {
        pending,
        success,
        failed,
    };
    assert_eq!(s.delivery_counts("wh_1").unwrap(), counts(0, 2, 2));
    assert_eq!(s.delivery_counts("wh_2").unwrap(), counts(1, 0, 0));
    assert_eq!(s.delivery_counts("wh_3").unwrap(), counts(0, 0, 0));
}

/// Every listing the API can ask for over the ids `op` makes.
fn queries() -> Vec<Query> {
    let webhooks = [None, Some("wh_0"), Some("wh_2")];
    let mut all = Vec::new();
    for webhook in webhooks {
        for limit in [None, Some(2)] {
            for status in [
                None,
                Some(DeliveryStatus::Pending),
                Some(DeliveryStatus::Failed),
            ] {
                for event_type in [None, Some("t.1")] {
                    all.push(Query {
                        webhook_id: webhook.map(Into::into),
                        status,
                        event_type: event_type.map(Into::into),
                        limit,
                        ..Query::default()
                    });
                }
            }
            for failed in [None, Some(true), Some(false)] {
                for delivery_id in [None, Some("msg_1")] {
                    all.push(Query {
                        webhook_id: webhook.map(Into::into),
                        delivery_id: delivery_id.map(Into::into),
                        failed,
                        limit,
                        ..Query::default()
                    });
                }
            }
        }
    }
    all
}

proptest::proptest! {
    /// The same writes, then the same answers, from `SqliteStore` and `MemoryStore`.
    #[test]
    fn the_stores_agree(ops in proptest::collection::vec(op(), 1..40)) {
        let stores: [Box<dyn Store>; 2] = [
            Box::new(super::SqliteStore::memory().unwrap()),
            Box::new(super::MemoryStore::new()),
        ];
        for (i, op) in ops.iter().enumerate() {
            for s in &stores {
                apply(&**s, i, op);
            }
        }
        for q in queries() {
            proptest::prop_assert_eq!(
                stores[0].deliveries(&q).unwrap(),
                stores[1].deliveries(&q).unwrap(),
                "deliveries {:?}",
                q
            );
            proptest::prop_assert_eq!(
                stores[0].attempts(&q).unwrap(),
                stores[1].attempts(&q).unwrap(),
                "attempts {:?}",
                q
            );
        }
        for w in 0..3 {
            let id = format!("wh_{w}");
            // Kept as rows come and go: the same as counting the rows there are.
            let all = Query { webhook_id: Some(id.clone()), limit: Some(u32::MAX), ..Query::default() };
            let mut counted = DeliveryCounts::default();
            for d in stores[0].deliveries(&all).unwrap() {
                counted.add(d.status, 1);
            }
            for s in &stores {
                proptest::prop_assert_eq!(s.delivery_counts(&id).unwrap(), counted);
            }
        }
        for n in 0..8 {
            let id = format!("msg_{n}");
            proptest::prop_assert_eq!(stores[0].delivery(&id).unwrap(), stores[1].delivery(&id).unwrap());
        }
    }
}
