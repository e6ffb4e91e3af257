//! The store of `serve --memory`: tables behind one lock, nothing serialised.
//!
//! It answers every query as `SqliteStore` does (`store::conformance` tests both), but a write is a few map inserts under a lock held for microseconds, so the
//! delivery path writes inline (`Store::blocks` is false) instead of handing each
//! write to the writer thread and waiting for it. That thread, and serialising every row
//! to JSON for it, was about a third of the sender's CPU time per delivery with SQLite in
//! memory.
//!
//! `--memory-limit` (`MemoryStore::with_limit`) bounds what it keeps: past the limit, each
//! write drops the oldest finished deliveries and attempts (`Tables::enforce_limit`).
//! Each table (`table::Table`) keeps its rows in write order, indexed and weighed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{
    AttemptRecord, DeliveryCounts, DeliveryRecord, DeliveryStatus, Query, Store, StoreError,
    WebhookRecord, Write, DEFAULT_LIMIT,
};
use table::*;

mod table;

pub struct MemoryStore {
    tables: RwLock<Tables>,
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::with_limit(usize::MAX)
    }
}

struct Tables {
    /// The order webhooks were made in (what `webhooks()` lists by).
    next_webhook: u64,
    webhooks: HashMap<String, (u64, Arc<WebhookRecord>)>,
    deliveries: Table<DeliveryRecord>,
    attempts: Table<AttemptRecord>,
    /// `--memory-limit`: most `Row::weight` the two tables may hold (see `enforce_limit`).
    limit: usize,
    /// When only pending deliveries were left to drop: `enforce_limit` looks again once
    /// the tables weigh more than this.
    check_above: usize,
    /// Where `enforce_limit` goes on looking for droppable rows: seqs of the deliveries
    /// and of the attempts.
    cursors: (u64, u64),
    /// Bytes `enforce_limit` dropped since it last looked at the deliveries from the first.
    dropped: usize,
}

impl Tables {
    /// The one write that can be refused: an attempt id that is already stored (or twice
    /// among `ids`). Checked for a whole batch before anything is written.
    ///
    /// A batch has an attempt or two (one when the engine writes inline), so the ids seen
    /// are a list, not a hash set, and the last is not kept: the usual check allocates
    /// nothing and hashes nothing (a `HashSet` per write was ~1 % of the sender's CPU).
    fn check<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Result<(), StoreError> {
        let mut ids = ids.into_iter().peekable();
        let mut seen = Vec::new();
        while let Some(id) = ids.next() {
            if self.attempts.ids.contains_key(id) || seen.contains(&id) {
                return Err(StoreError::Duplicate {
                    table: "attempts",
                    id: id.to_owned(),
                });
            }
            if ids.peek().is_some() {
                seen.push(id);
            }
        }
        Ok(())
    }

    /// A delivery, new or replacing the one with its id.
    fn put(&mut self, d: &DeliveryRecord) {
        self.deliveries.upsert(Arc::new(d.clone()));
    }

    /// An attempt's row and the delivery after it, if any (checked already).
    fn record(&mut self, attempt: Arc<AttemptRecord>, delivery: Option<Arc<DeliveryRecord>>) {
        self.attempts.append(attempt);
        if let Some(d) = delivery {
            self.deliveries.upsert(d);
        }
    }

    /// Past `limit`, drops the oldest droppable rows of either table (finished deliveries
    /// and attempts, by `changed_at`) until the tables are back within it. It runs after
    /// every write, so it drops about what that write added: a few rows each time, never a
    /// long run under the lock: dropping 1/8 of the limit at a time (~10k rows) doubles
    /// the paced p99 latency (~9 to ~19 ms).
    ///
    /// The search for droppable deliveries resumes where it stopped; the pending ones it
    /// passed are looked at again after every `limit / LIMIT_SLACK` bytes dropped, so a
    /// scan past them all is rare. Pending deliveries are never dropped, whatever their
    /// number: when only they are left, the next look is after another
    /// `limit / LIMIT_SLACK` bytes are written.
    fn enforce_limit(&mut self) {
        let mut weight = self.weight();
        if weight <= self.limit.max(self.check_above) {
            return;
        }
        self.check_above = 0;
        let mut rescanned = false;
        while weight > self.limit {
            let delivery = self.deliveries.next_droppable(&mut self.cursors.0);
            let attempt = self.attempts.next_droppable(&mut self.cursors.1);
            match (delivery, attempt) {
                (Some((seq, d_at)), Some((_, a_at))) if d_at <= a_at => {
                    self.deliveries.remove_at(seq);
                }
                (_, Some((seq, _))) => self.attempts.remove_at(seq),
                (Some((seq, _)), None) => self.deliveries.remove_at(seq),
                (None, None) if !rescanned => {
                    rescanned = true;
                    self.cursors.0 = self.deliveries.first;
                    continue;
                }
                (None, None) => {
                    self.check_above = weight.saturating_add(self.limit / LIMIT_SLACK);
                    break;
                }
            }
            let after = self.weight();
            self.dropped += weight - after;
            weight = after;
            if self.dropped >= self.limit / LIMIT_SLACK {
                self.dropped = 0;
                self.cursors.0 = self.deliveries.first;
            }
        }
        self.deliveries.trim_front();
        self.attempts.trim_front();
    }

    fn weight(&self) -> usize {
        self.deliveries.weight + self.attempts.weight
    }

    fn apply(&mut self, w: &Write) {
        match w {
            Write::Deliveries(ds) => ds.iter().for_each(|d| self.put(d)),
            Write::Delivery(d) => self.put(d),
            Write::Attempt(a, d) => self.record(Arc::clone(a), d.clone()),
        }
    }
}

impl MemoryStore {
    /// A store without a limit.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store that keeps its deliveries and attempts within about `limit` bytes
    /// (`--memory-limit`): past it, the oldest finished deliveries and attempts are dropped,
    /// as `prune` drops those past `--retention`. Pending deliveries are always kept.
    pub fn with_limit(limit: usize) -> MemoryStore {
        MemoryStore {
            tables: RwLock::new(Tables {
                next_webhook: 0,
                webhooks: HashMap::new(),
                deliveries: Table::default(),
                attempts: Table::default(),
                limit,
                check_above: 0,
                cursors: (0, 0),
                dropped: 0,
            }),
        }
    }

    /// What the kept deliveries and attempts weigh (`Row::weight`).
    #[cfg(test)]
    fn weight(&self) -> usize {
        self.read().weight()
    }

    // A panic while holding the lock leaves every map whole (no write is half-applied:
    // `write` checks before it changes anything); carry on.
    fn read(&self) -> RwLockReadGuard<'_, Tables> {
        self.tables.read().unwrap_or_else(|e| e.into_inner())
    }

    fn tables(&self) -> RwLockWriteGuard<'_, Tables> {
        self.tables.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store for MemoryStore {
    fn blocks(&self) -> bool {
        false
    }

    fn put_webhook(&self, webhook: &WebhookRecord) -> Result<(), StoreError> {
        let mut t = self.tables();
        let seq = match t.webhooks.get(&webhook.id) {
            Some((seq, _)) => *seq,
            None => {
                t.next_webhook += 1;
                t.next_webhook
            }
        };
        t.webhooks
            .insert(webhook.id.clone(), (seq, Arc::new(webhook.clone())));
        Ok(())
    }

    fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>, StoreError> {
        Ok(self.shared_webhook(id)?.map(Arc::unwrap_or_clone))
    }

    fn shared_webhook(&self, id: &str) -> Result<Option<Arc<WebhookRecord>>, StoreError> {
        Ok(self.read().webhooks.get(id).map(|(_, w)| Arc::clone(w)))
    }

    fn webhooks(&self) -> Result<Vec<Arc<WebhookRecord>>, StoreError> {
        let t = self.read();
        let mut all: Vec<_> = t.webhooks.values().collect();
        all.sort_unstable_by_key(|(seq, _)| *seq);
        Ok(all.into_iter().map(|(_, w)| Arc::clone(w)).collect())
    }

    fn delete_webhook(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.tables().webhooks.remove(id).is_some())
    }

    fn put_delivery(&self, delivery: &DeliveryRecord) -> Result<(), StoreError> {
        self.put_deliveries(std::slice::from_ref(delivery))
    }

    fn put_deliveries(&self, deliveries: &[DeliveryRecord]) -> Result<(), StoreError> {
        let mut t = self.tables();
        deliveries.iter().for_each(|d| t.put(d));
        t.enforce_limit();
        Ok(())
    }

    fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        Ok(self.read().deliveries.get(id).cloned())
    }

    fn deliveries(&self, q: &Query) -> Result<Vec<DeliveryRecord>, StoreError> {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        let keep = |d: &DeliveryRecord| {
            q.webhook_id.as_ref().is_none_or(|w| d.webhook_id == *w)
                && q.status.is_none_or(|s| d.status == s)
                && q.event_type.as_ref().is_none_or(|e| d.event_type == *e)
        };
        let keys = [
            (DELIVERIES_BY_WEBHOOK, q.webhook_id.as_deref()),
            (DELIVERIES_BY_EVENT_TYPE, q.event_type.as_deref()),
        ];
        Ok(self.read().deliveries.list(&keys, limit, keep))
    }

    fn delivery_counts(&self, webhook_id: &str) -> Result<DeliveryCounts, StoreError> {
        let tables = self.read();
        Ok(tables
            .deliveries
            .tallies
            .get(webhook_id)
            .copied()
            .unwrap_or_default())
    }

    fn add_attempt(&self, attempt: &AttemptRecord) -> Result<(), StoreError> {
        self.write(&[Write::Attempt(Arc::new(attempt.clone()), None)])
    }

    fn record_attempt(
        &self,
        attempt: &AttemptRecord,
        delivery: &DeliveryRecord,
    ) -> Result<(), StoreError> {
        let delivery = Arc::new(delivery.clone());
        self.write(&[Write::Attempt(Arc::new(attempt.clone()), Some(delivery))])
    }

    fn write(&self, batch: &[Write]) -> Result<(), StoreError> {
        let mut t = self.tables();
        t.check(batch.iter().filter_map(|w| match w {
            Write::Attempt(a, _) => Some(a.id.as_str()),
            _ => None,
        }))?;
        for w in batch {
            t.apply(w);
        }
        t.enforce_limit();
        Ok(())
    }

    fn attempts(&self, q: &Query) -> Result<Vec<AttemptRecord>, StoreError> {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        let keep = |a: &AttemptRecord| {
            q.delivery_id.as_ref().is_none_or(|d| a.delivery_id == *d)
                && q.webhook_id.as_ref().is_none_or(|w| a.webhook_id == *w)
                && q.failed.is_none_or(|f| a.outcome.is_failure() == f)
        };
        let keys = [
            (ATTEMPTS_BY_DELIVERY, q.delivery_id.as_deref()),
            (ATTEMPTS_BY_WEBHOOK, q.webhook_id.as_deref()),
        ];
        Ok(self.read().attempts.list(&keys, limit, keep))
    }

    fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        let mut t = self.tables();
        let attempts = t.attempts.remove_where(|a| a.delivered_at < before_ms);
        let deliveries = t
            .deliveries
            .remove_where(|d| d.status != DeliveryStatus::Pending && d.updated_at < before_ms);
        Ok(attempts + deliveries)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;
    use crate::store::conformance::{apply, op, Op};
    use crate::store::fixtures::{attempt, delivery};
    use crate::store::{Body, Outcome};

    /// Everything the tables must agree on: each row's id and index entries, and the
    /// weight of what is kept.
    fn check_tables(s: &MemoryStore) {
        fn check<T: Row>(t: &Table<T>) {
            assert!(
                t.rows.front().is_none_or(Option::is_some),
                "no empty slot first"
            );
            let live: Vec<(u64, &T)> = (t.first..)
                .zip(&t.rows)
                .filter_map(|(seq, r)| Some((seq, r.as_deref()?)))
                .collect();
            let mut bodies: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
            for (_, r) in &live {
                if let Some(b) = r.body() {
                    bodies.entry(b.key()).or_insert((0, body_weight(b))).0 += 1;
                }
            }
            assert_eq!(
                t.weight,
                live.iter().map(|(_, r)| r.weight()).sum::<usize>()
                    + bodies.values().map(|(_, w)| w).sum::<usize>()
            );
            let held: BTreeMap<usize, usize> = bodies.iter().map(|(k, (n, _))| (*k, *n)).collect();
            assert_eq!(t.bodies, held, "each body's rows");
            assert_eq!(t.ids.len(), live.len());
            for (i, index) in t.by_key.iter().enumerate() {
                let mut want: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
                for (seq, r) in &live {
                    assert_eq!(t.ids.get(r.id()), Some(seq));
                    want.entry(r.keys()[i]).or_default().push(*seq);
                }
                let have: BTreeMap<&str, Vec<u64>> = index
                    .iter()
                    .map(|(k, seqs)| (&**k, seqs.iter().copied().collect()))
                    .collect();
                assert_eq!(have, want, "index {i}");
            }
        }
        let t = s.read();
        check(&t.deliveries);
        check(&t.attempts);
    }

    fn all() -> Query {
        Query {
            limit: Some(u32::MAX),
            ..Query::default()
        }
    }

    #[test]
    fn past_its_limit_the_store_drops_the_oldest_finished_rows() {
        let one = delivery("msg_0", DeliveryStatus::Success).weight();
        let s = MemoryStore::with_limit(10 * one);
        let mut pending = delivery("msg_0", DeliveryStatus::Pending);
        pending.updated_at = 0;
        s.put_delivery(&pending).unwrap();
        for i in 1..=40 {
            let mut d = delivery(&format!("msg_{i}"), DeliveryStatus::Success);
            d.updated_at = i;
            s.put_delivery(&d).unwrap();
            assert!(s.weight() <= 10 * one, "within the limit after every write");
        }
        check_tables(&s);
        let kept: Vec<String> = s
            .deliveries(&all())
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert!(
            kept.len() >= 8,
            "drops a little below the limit, not to nothing: {kept:?}"
        );
        assert_eq!(
            kept.first().map(String::as_str),
            Some("msg_40"),
            "the newest stay"
        );
        assert_eq!(
            kept.last().map(String::as_str),
            Some("msg_0"),
            "a pending delivery stays"
        );
        assert!(
            s.delivery("msg_1").unwrap().is_none(),
            "the oldest finished went"
        );

        // Attempts and deliveries go oldest first, whichever table they are in.
        s.add_attempt(&attempt(1, "msg_40", Outcome::Success, 1_000))
            .unwrap();
        for i in 2..=40 {
            s.add_attempt(&attempt(i, "msg_40", Outcome::Success, 1_000 + i as i64))
                .unwrap();
        }
        check_tables(&s);
        assert!(
            s.deliveries(&all()).unwrap().len() <= 2,
            "the older deliveries went first"
        );
        assert!(s.delivery("msg_0").unwrap().is_some());
        let of = Query {
            delivery_id: Some("msg_40".into()),
            ..all()
        };
        let attempts = s.attempts(&of).unwrap();
        assert_eq!(attempts[0].id, "atm_40");
        assert!(attempts.len() < 40);
    }

    #[test]
    fn a_body_shared_by_an_events_deliveries_weighs_once() {
        let s = MemoryStore::new();
        let body: Body = "x".repeat(4000).into();
        let fan_out: Vec<DeliveryRecord> = (0..16)
            .map(|i| DeliveryRecord {
                body: body.clone(),
                updated_at: i,
                ..delivery(&format!("msg_{i}"), DeliveryStatus::Success)
            })
            .collect();
        let rows: usize = fan_out.iter().map(Row::weight).sum();
        s.put_deliveries(&fan_out).unwrap();
        check_tables(&s);
        assert_eq!(s.weight(), rows + body_weight(&body));
        // An attempt's update of a delivery keeps the body it had.
        let mut updated = fan_out[3].clone();
        updated.attempts = 1;
        s.record_attempt(&attempt(0, "msg_3", Outcome::Success, 3), &updated)
            .unwrap();
        check_tables(&s);
        // Counted while any of them is kept, and no longer once none is.
        s.prune(15).unwrap();
        check_tables(&s);
        assert_eq!(s.weight(), fan_out[15].weight() + body_weight(&body));
        s.prune(16).unwrap();
        check_tables(&s);
        assert_eq!(s.weight(), 0);
    }

    #[test]
    fn pending_deliveries_are_kept_past_the_limit() {
        let s = MemoryStore::with_limit(1);
        for i in 0..100 {
            s.put_delivery(&delivery(&format!("msg_{i}"), DeliveryStatus::Pending))
                .unwrap();
        }
        assert_eq!(s.deliveries(&all()).unwrap().len(), 100);
        // Finished, they go at the next look, once the store has grown again.
        for i in 0..100 {
            s.put_delivery(&delivery(&format!("msg_{i}"), DeliveryStatus::Failed))
                .unwrap();
        }
        s.add_attempt(&attempt(0, "msg_0", Outcome::Timeout, 5))
            .unwrap();
        check_tables(&s);
        assert_eq!(s.weight(), 0);
        assert!(s.deliveries(&all()).unwrap().is_empty());
    }

    proptest::proptest! {
        /// The same writes to a store with a limit and to one without: the limited one
        /// keeps every pending delivery, and of the rest only rows the other has, as they
        /// are there; without pending deliveries it stays within its limit; its indexes
        /// and weight stay whole; every listing is the other's minus what it dropped (a
        /// dropped delivery written again comes back as a new row, so deliveries are
        /// compared by id, not in listing order).
        #[test]
        fn a_limited_store_keeps_a_part_of_an_unlimited_one(
            ops in proptest::collection::vec(op(), 1..80),
            limit in 0..6000usize,
        ) {
            let full = MemoryStore::new();
            let limited = MemoryStore::with_limit(limit);
            let mut any_pending = false;
            for (i, op) in ops.iter().enumerate() {
                for s in [&full, &limited] {
                    apply(s, i, op);
                }
                any_pending |= matches!(op, Op::Delivery(_, DeliveryStatus::Pending, _));
                check_tables(&limited);
                if !any_pending {
                    proptest::prop_assert!(limited.weight() <= limit);
                }
            }
            for n in 0..8 {
                let id = format!("msg_{n}");
                let (kept, all) = (limited.delivery(&id).unwrap(), full.delivery(&id).unwrap());
                if all.as_ref().is_some_and(|d| d.status == DeliveryStatus::Pending) {
                    proptest::prop_assert_eq!(&kept, &all);
                }
                proptest::prop_assert!(kept.is_none() || kept == all);
            }
            for webhook_id in [None, Some("wh_1")] {
                let q = Query { webhook_id: webhook_id.map(Into::into), ..all() };
                let mut kept = limited.deliveries(&q).unwrap();
                let mut all: Vec<_> = full
                    .deliveries(&q)
                    .unwrap()
                    .into_iter()
                    .filter(|d| limited.delivery(&d.id).unwrap().is_some())
                    .collect();
                kept.sort_by(|a, b| a.id.cmp(&b.id));
                all.sort_by(|a, b| a.id.cmp(&b.id));
                proptest::prop_assert_eq!(kept, all);
                let kept = limited.attempts(&q).unwrap();
                let ids: HashSet<String> = kept.iter().map(|a| a.id.clone()).collect();
                let all: Vec<_> = full
                    .attempts(&q)
                    .unwrap()
                    .into_iter()
                    .filter(|a| ids.contains(&a.id))
                    .collect();
                proptest::prop_assert_eq!(kept, all);
            }
        }
    }
}
