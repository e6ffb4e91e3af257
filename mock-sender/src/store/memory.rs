//! The store of `serve --memory`: tables behind one lock, nothing serialised.
//!
//! It answers every query as `SqliteStore` does (`store::conformance` tests both), but a write is a few map inserts under a lock held for microseconds, so the
//! delivery path writes inline (`Store::writes_block` is false) instead of handing each
//! write to the writer thread and waiting for it. That thread, and serialising every row
//! to JSON for it, was about a third of the sender's CPU time per delivery with SQLite in
//! memory (BENCHMARKS.md, "Sender throughput").

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{
    AttemptRecord, DeliveryRecord, DeliveryStatus, Query, Store, StoreError, WebhookRecord, Write,
    DEFAULT_LIMIT,
};

#[derive(Default)]
pub struct MemoryStore {
    tables: RwLock<Tables>,
}

#[derive(Default)]
struct Tables {
    /// The order webhooks were made in (what `webhooks()` lists by).
    next_webhook: u64,
    webhooks: HashMap<String, (u64, Arc<WebhookRecord>)>,
    deliveries: Table<DeliveryRecord>,
    attempts: Table<AttemptRecord>,
}

/// A record that lives in a `Table`: its id, and the two columns the table is indexed on
/// (those listings filter on, and that never change in a stored row).
trait Row: Clone {
    fn id(&self) -> &str;
    fn keys(&self) -> [&str; 2];
}

/// The indexes of `Table::by_key`.
const DELIVERIES_BY_WEBHOOK: usize = 0;
const DELIVERIES_BY_EVENT_TYPE: usize = 1;
const ATTEMPTS_BY_DELIVERY: usize = 0;
const ATTEMPTS_BY_WEBHOOK: usize = 1;

impl Row for DeliveryRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn keys(&self) -> [&str; 2] {
        [&self.webhook_id, &self.event_type]
    }
}

impl Row for AttemptRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn keys(&self) -> [&str; 2] {
        [&self.delivery_id, &self.webhook_id]
    }
}

/// Rows in insertion order, with their ids and the indexes on `Row::keys`. A row's `seq` is
/// its place in that order; `rows[i]` has `seq` `first + i`, `None` once pruned. Each row
/// is boxed: when the deque grows it moves 8 bytes per row, not ~250 (hundreds of MB at a
/// million rows, copied while every writer waits: p99 latency spikes of ~100 ms).
struct Table<T> {
    rows: VecDeque<Option<Box<T>>>,
    first: u64,
    /// B-trees, not hash maps: a hash map that outgrows its table rehashes every key at
    /// once (each behind a pointer: a cache miss), which at half a million rows stalled
    /// every delivery for ~100 ms under the lock. A B-tree grows a node at a time, and the
    /// sender's ids (ULIDs) are made in order, so inserts and the lookups of recent rows
    /// stay at its warm right edge.
    ids: BTreeMap<Box<str>, u64>,
    /// Per index, the seqs of each key's rows, ascending.
    by_key: [BTreeMap<Box<str>, Vec<u64>>; 2],
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: VecDeque::new(),
            first: 0,
            ids: BTreeMap::new(),
            by_key: [BTreeMap::new(), BTreeMap::new()],
        }
    }
}

impl<T: Row> Table<T> {
    fn at(&self, seq: u64) -> Option<&T> {
        let i = usize::try_from(seq.checked_sub(self.first)?).ok()?;
        self.rows.get(i)?.as_deref()
    }

    /// Replaces the row with `row`'s id in place (it keeps its position), or appends it.
    /// The key of a row never changes (a delivery stays with its webhook).
    fn upsert(&mut self, row: T) {
        match self.ids.get(row.id()) {
            Some(&seq) => match &mut self.rows[(seq - self.first) as usize] {
                Some(stored) => **stored = row,
                empty => *empty = Some(Box::new(row)),
            },
            None => self.append(row),
        }
    }

    fn append(&mut self, row: T) {
        let seq = self.first + self.rows.len() as u64;
        self.ids.insert(row.id().into(), seq);
        for (index, key) in self.by_key.iter_mut().zip(row.keys()) {
            match index.get_mut(key) {
                Some(seqs) => seqs.push(seq),
                None => {
                    index.insert(key.into(), vec![seq]);
                }
            }
        }
        self.rows.push_back(Some(Box::new(row)));
    }

    fn get(&self, id: &str) -> Option<&T> {
        self.ids.get(id).and_then(|&seq| self.at(seq))
    }

    /// Newest first: the rows with key `k` in index `i` for the first `(i, Some(k))` of
    /// `keys`, else all; those `keep` accepts, `limit` at most.
    fn list(
        &self,
        keys: &[(usize, Option<&str>)],
        limit: u32,
        keep: impl Fn(&T) -> bool,
    ) -> Vec<T> {
        let limit = limit as usize;
        match keys.iter().find_map(|&(i, k)| Some((i, k?))) {
            Some((i, k)) => self.by_key[i].get(k).map_or_else(Vec::new, |seqs| {
                seqs.iter()
                    .rev()
                    .filter_map(|&seq| self.at(seq))
                    .filter(|r| keep(r))
                    .take(limit)
                    .cloned()
                    .collect()
            }),
            None => self
                .rows
                .iter()
                .rev()
                .flatten()
                .filter(|r| keep(r))
                .take(limit)
                .map(|r| T::clone(r))
                .collect(),
        }
    }

    /// Removes the rows `gone` picks; how many.
    fn remove_where(&mut self, gone: impl Fn(&T) -> bool) -> usize {
        let mut keys = BTreeSet::new();
        let mut removed = 0;
        for slot in &mut self.rows {
            if let Some(row) = slot.take_if(|row| gone(row)) {
                self.ids.remove(row.id());
                for (i, key) in row.keys().into_iter().enumerate() {
                    keys.insert((i, Box::<str>::from(key)));
                }
                removed += 1;
            }
        }
        while self.rows.front().is_some_and(Option::is_none) {
            self.rows.pop_front();
            self.first += 1;
        }
        for (i, key) in keys {
            let (rows, first) = (&self.rows, self.first);
            let live = |seq: &u64| {
                seq.checked_sub(first)
                    .and_then(|i| rows.get(i as usize))
                    .is_some_and(Option::is_some)
            };
            if let Some(seqs) = self.by_key[i].get_mut(&key) {
                seqs.retain(live);
                if seqs.is_empty() {
                    self.by_key[i].remove(&key);
                }
            }
        }
        removed
    }
}

impl Tables {
    /// The one write that can be refused: an attempt id that is already stored (or twice
    /// among `ids`). Checked for a whole batch before anything is written.
    fn check<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Result<(), StoreError> {
        let mut new = HashSet::new();
        for id in ids {
            if self.attempts.ids.contains_key(id) || !new.insert(id) {
                return Err(StoreError::Duplicate {
                    table: "attempts",
                    id: id.to_owned(),
                });
            }
        }
        Ok(())
    }

    /// An attempt's row and the delivery after it, if any (checked already).
    fn record(&mut self, attempt: &AttemptRecord, delivery: Option<&DeliveryRecord>) {
        self.attempts.append(attempt.clone());
        if let Some(d) = delivery {
            self.deliveries.upsert(d.clone());
        }
    }

    fn apply(&mut self, w: &Write) {
        match w {
            Write::Deliveries(ds) => {
                for d in ds {
                    self.deliveries.upsert(d.clone());
                }
            }
            Write::Delivery(d) => self.deliveries.upsert(d.clone()),
            Write::Attempt(a, d) => self.record(a, d.as_ref()),
        }
    }
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
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
    fn writes_block(&self) -> bool {
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
        for d in deliveries {
            t.deliveries.upsert(d.clone());
        }
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

    fn add_attempt(&self, attempt: &AttemptRecord) -> Result<(), StoreError> {
        let mut t = self.tables();
        t.check([attempt.id.as_str()])?;
        t.record(attempt, None);
        Ok(())
    }

    fn record_attempt(
        &self,
        attempt: &AttemptRecord,
        delivery: &DeliveryRecord,
    ) -> Result<(), StoreError> {
        let mut t = self.tables();
        t.check([attempt.id.as_str()])?;
        t.record(attempt, Some(delivery));
        Ok(())
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
