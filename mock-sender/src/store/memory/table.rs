//! One table of the memory store: rows in the order they were written, indexed by id and
//! by two columns, each weighed for `--memory-limit`.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::mem::size_of;
use std::sync::Arc;

use crate::store::{AttemptRecord, Body, DeliveryCounts, DeliveryRecord, DeliveryStatus};

/// A record that lives in a `Table`: its id, and the two columns the table is indexed on
/// (those listings filter on, and that never change in a stored row).
pub(super) trait Row: Clone {
    fn id(&self) -> &str;
    fn keys(&self) -> [&str; 2];
    /// About the bytes the row takes in the store: the record, its strings and its entries
    /// in the table and indexes. Counted against `--memory-limit`.
    fn weight(&self) -> usize;
    /// When it last changed (Unix ms): the memory limit drops the oldest first.
    fn changed_at(&self) -> i64;
    /// The body it shares with other rows, which its table counts once (`Table::bodies`).
    fn body(&self) -> Option<&Body> {
        None
    }
    /// The memory limit may drop it (anything but a pending delivery).
    fn droppable(&self) -> bool;
    /// The webhook and status its table counts it under (`Table::tallies`).
    fn tally(&self) -> Option<(&str, DeliveryStatus)> {
        None
    }
}

/// What a row costs besides its record and strings: its `Arc`'s counts, its slot in the
/// deque, its id's entry in `ids` (with a copy of the id, counted by `weight`) and two
/// index entries.
pub(super) const ROW_OVERHEAD: usize = 112;

/// What a body costs besides its text: its `Arc`'s counts and its entry in
/// `Table::bodies`.
pub(super) const BODY_OVERHEAD: usize = 48;

/// `enforce_limit` looks past the pending deliveries again after dropping this fraction of
/// the limit.
pub(super) const LIMIT_SLACK: usize = 32;

/// The indexes of `Table::by_key`.
pub(super) const DELIVERIES_BY_WEBHOOK: usize = 0;
pub(super) const DELIVERIES_BY_EVENT_TYPE: usize = 1;
pub(super) const ATTEMPTS_BY_DELIVERY: usize = 0;
pub(super) const ATTEMPTS_BY_WEBHOOK: usize = 1;

impl Row for DeliveryRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn keys(&self) -> [&str; 2] {
        [&self.webhook_id, &self.event_type]
    }
    /// Without the body, which the table counts once however many deliveries share it.
    fn weight(&self) -> usize {
        size_of::<Self>()
            + ROW_OVERHEAD
            + 2 * self.id.len()
            + self.webhook_id.len()
            + self.event_id.len()
            + self.event_type.len()
            + self.schedule.len() * size_of::<u64>()
            + self.last_error.as_ref().map_or(0, String::len)
    }
    fn changed_at(&self) -> i64 {
        self.updated_at
    }
    fn droppable(&self) -> bool {
        self.status != DeliveryStatus::Pending
    }
    fn body(&self) -> Option<&Body> {
        Some(&self.body)
    }
    fn tally(&self) -> Option<(&str, DeliveryStatus)> {
        Some((&self.webhook_id, self.status))
    }
}

impl Row for AttemptRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn keys(&self) -> [&str; 2] {
        [&self.delivery_id, &self.webhook_id]
    }
    fn weight(&self) -> usize {
        size_of::<Self>()
            + ROW_OVERHEAD
            + 2 * self.id.len()
            + self.delivery_id.len()
            + self.webhook_id.len()
            + self.event_type.len()
            + self.url.len()
            + self.error.as_ref().map_or(0, String::len)
            + self.response_body.as_ref().map_or(0, String::len)
            + self
                .request_headers
                .iter()
                .chain(&self.response_headers)
                .map(|(k, v)| size_of::<(String, String)>() + k.len() + v.len())
                .sum::<usize>()
    }
    fn changed_at(&self) -> i64 {
        self.delivered_at
    }
    fn droppable(&self) -> bool {
        true
    }
}

/// Rows in insertion order, with their ids and the indexes on `Row::keys`. A row's `seq` is
/// its place in that order; `rows[i]` has `seq` `first + i`, `None` once pruned. Each row
/// is behind a pointer: when the deque grows it moves 8 bytes per row, not ~250 (hundreds
/// of MB at a million rows, copied while every writer waits: p99 latency spikes of
/// ~100 ms). An `Arc`, so that an attempt's row and the delivery after it are stored as the
/// engine hands them over (`Write::Attempt`), not copied.
pub(super) struct Table<T> {
    pub(super) rows: VecDeque<Option<Arc<T>>>,
    pub(super) first: u64,
    /// B-trees, not hash maps: a hash map that outgrows its table rehashes every key at
    /// once (each behind a pointer: a cache miss), which at half a million rows stalled
    /// every delivery for ~100 ms under the lock. A B-tree grows a node at a time, and the
    /// sender's ids (ULIDs) are made in order, so inserts and the lookups of recent rows
    /// stay at its warm right edge.
    pub(super) ids: BTreeMap<Box<str>, u64>,
    /// Per index, the seqs of each key's rows, ascending (a deque: the memory limit drops
    /// the oldest).
    pub(super) by_key: [BTreeMap<Box<str>, VecDeque<u64>>; 2],
    /// The rows sharing each body (`Row::body`), by `Body::key`. An event's deliveries
    /// share one, so it is counted once: when each delivery counted it in full, a
    /// 16-webhook fan-out of 4 KB bodies weighed ~16 times what it took.
    pub(super) bodies: BTreeMap<usize, usize>,
    /// The rows by `Row::tally` (each webhook's deliveries by status), kept as rows come
    /// and go: `delivery_counts` reads it instead of visiting every row.
    pub(super) tallies: HashMap<Box<str>, DeliveryCounts>,
    /// The sum of the rows' `Row::weight`, and of their bodies' (`body_weight`), each once.
    pub(super) weight: usize,
}

/// What a body weighs, once for all the rows that share it.
pub(super) fn body_weight(body: &Body) -> usize {
    BODY_OVERHEAD + body.len()
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: VecDeque::new(),
            first: 0,
            ids: BTreeMap::new(),
            by_key: [BTreeMap::new(), BTreeMap::new()],
            tallies: HashMap::new(),
            bodies: BTreeMap::new(),
            weight: 0,
        }
    }
}

impl<T: Row> Table<T> {
    pub(super) fn at(&self, seq: u64) -> Option<&T> {
        let i = usize::try_from(seq.checked_sub(self.first)?).ok()?;
        self.rows.get(i)?.as_deref()
    }

    /// Replaces the row with `row`'s id in place (it keeps its position), or appends it.
    /// The key of a row never changes (a delivery stays with its webhook).
    pub(super) fn upsert(&mut self, row: Arc<T>) {
        match self.ids.get(row.id()) {
            Some(&seq) => {
                self.weight += row.weight();
                self.hold(&*row);
                if let Some(stored) = self.rows[(seq - self.first) as usize].replace(row) {
                    self.weight -= stored.weight();
                    self.release(&*stored);
                }
            }
            None => self.append(row),
        }
    }

    /// Counts `row` in its tally, and its body unless a row already holds it.
    pub(super) fn hold(&mut self, row: &T) {
        if let Some((key, status)) = row.tally() {
            match self.tallies.get_mut(key) {
                Some(counts) => counts.add(status, 1),
                None => {
                    let mut counts = DeliveryCounts::default();
                    counts.add(status, 1);
                    self.tallies.insert(key.into(), counts);
                }
            }
        }
        if let Some(body) = row.body() {
            let rows = self.bodies.entry(body.key()).or_insert(0);
            *rows += 1;
            if *rows == 1 {
                self.weight += body_weight(body);
            }
        }
    }

    /// Takes `row` out of its tally, and lets go of its body: uncounted once no row holds it.
    pub(super) fn release(&mut self, row: &T) {
        if let Some((key, status)) = row.tally() {
            if let Some(counts) = self.tallies.get_mut(key) {
                counts.remove(status);
            }
        }
        if let Some(body) = row.body() {
            if let Entry::Occupied(mut rows) = self.bodies.entry(body.key()) {
                *rows.get_mut() -= 1;
                if *rows.get() == 0 {
                    rows.remove();
                    self.weight -= body_weight(body);
                }
            }
        }
    }

    pub(super) fn append(&mut self, row: Arc<T>) {
        let seq = self.first + self.rows.len() as u64;
        self.ids.insert(row.id().into(), seq);
        for (index, key) in self.by_key.iter_mut().zip(row.keys()) {
            match index.get_mut(key) {
                Some(seqs) => seqs.push_back(seq),
                None => {
                    index.insert(key.into(), VecDeque::from([seq]));
                }
            }
        }
        self.weight += row.weight();
        self.hold(&*row);
        self.rows.push_back(Some(row));
    }

    /// The first row at `*cursor` or after that the memory limit may drop: its seq and
    /// `changed_at`. Leaves `*cursor` at it.
    pub(super) fn next_droppable(&self, cursor: &mut u64) -> Option<(u64, i64)> {
        *cursor = (*cursor).max(self.first);
        loop {
            match self.rows.get((*cursor - self.first) as usize)? {
                Some(row) if row.droppable() => return Some((*cursor, row.changed_at())),
                _ => *cursor += 1,
            }
        }
    }

    /// Removes the row at `seq`, if any, leaving its slot empty.
    pub(super) fn remove_at(&mut self, seq: u64) {
        let Some(row) = self
            .rows
            .get_mut((seq - self.first) as usize)
            .and_then(Option::take)
        else {
            return;
        };
        self.ids.remove(row.id());
        self.weight -= row.weight();
        self.release(&*row);
        for (index, key) in self.by_key.iter_mut().zip(row.keys()) {
            if let Some(seqs) = index.get_mut(key) {
                // Old rows go first, so `seq` is at or near the front.
                if let Ok(i) = seqs.binary_search(&seq) {
                    seqs.remove(i);
                }
                if seqs.is_empty() {
                    index.remove(key);
                }
            }
        }
    }

    /// Drops the empty slots at the front.
    pub(super) fn trim_front(&mut self) {
        while self.rows.front().is_some_and(Option::is_none) {
            self.rows.pop_front();
            self.first += 1;
        }
    }

    pub(super) fn get(&self, id: &str) -> Option<&T> {
        self.ids.get(id).and_then(|&seq| self.at(seq))
    }

    /// Newest first: the rows with key `k` in index `i` for the first `(i, Some(k))` of
    /// `keys`, else all; those `keep` accepts, `limit` at most.
    pub(super) fn list(
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
    pub(super) fn remove_where(&mut self, gone: impl Fn(&T) -> bool) -> usize {
        let seqs: Vec<u64> = (self.first..)
            .zip(&self.rows)
            .filter(|(_, row)| row.as_deref().is_some_and(&gone))
            .map(|(seq, _)| seq)
            .collect();
        // Oldest first: each is at or near the front of its index entries.
        for &seq in &seqs {
            self.remove_at(seq);
        }
        self.trim_front();
        seqs.len()
    }
}
