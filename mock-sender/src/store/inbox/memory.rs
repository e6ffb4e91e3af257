//! The inboxes of `serve --memory`: captures by id (oldest first), an index by delivery
//! id, and a limit in count and body bytes past which the oldest go.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use super::{limit_of, CaptureCount, InboxStore, MEMORY_CAPTURES};
use super::{Capture, InboxConfig};
use crate::store::StoreError;

pub struct MemoryInboxes {
    inner: Mutex<Memory>,
    /// Bytes of bodies kept at most (the newest capture is kept whatever its size).
    limit: usize,
}

impl Default for MemoryInboxes {
    fn default() -> MemoryInboxes {
        MemoryInboxes::with_limit(usize::MAX)
    }
}

impl MemoryInboxes {
    pub fn with_limit(limit: usize) -> MemoryInboxes {
        MemoryInboxes {
            inner: Mutex::default(),
            limit,
        }
    }
}

/// What a capture weighs against the limit: its body, twice (base64 and text).
fn weight(c: &Capture) -> usize {
    c.body_base64.len() + c.body.as_ref().map_or(0, String::len)
}

#[derive(Default)]
struct Memory {
    bytes: usize,
    inboxes: BTreeMap<String, InboxConfig>,
    /// By id: ids begin with their time, so this is oldest first.
    captures: BTreeMap<String, Capture>,
    /// (inbox, delivery id) -> the ids of its captures.
    by_delivery_id: HashMap<(String, String), BTreeSet<String>>,
}

impl Memory {
    /// Inserts or replaces.
    fn insert(&mut self, capture: Capture) {
        self.remove(&capture.id);
        self.bytes += weight(&capture);
        self.index(&capture);
        self.captures.insert(capture.id.clone(), capture);
    }

    fn remove(&mut self, id: &str) {
        if let Some(gone) = self.captures.remove(id) {
            self.bytes -= weight(&gone);
            self.unindex(&gone);
        }
    }

    /// Removes the captures `gone` picks.
    fn remove_where(&mut self, gone: impl Fn(&Capture) -> bool) -> usize {
        let ids: Vec<String> = self
            .captures
            .values()
            .filter(|c| gone(c))
            .map(|c| c.id.clone())
            .collect();
        ids.iter().for_each(|id| self.remove(id));
        ids.len()
    }

    fn index(&mut self, c: &Capture) {
        if let Some(d) = &c.delivery_id {
            self.by_delivery_id
                .entry((c.inbox.clone(), d.clone()))
                .or_default()
                .insert(c.id.clone());
        }
    }

    fn unindex(&mut self, c: &Capture) {
        if let Some(d) = &c.delivery_id {
            let key = (c.inbox.clone(), d.clone());
            if let Some(ids) = self.by_delivery_id.get_mut(&key) {
                ids.remove(&c.id);
                if ids.is_empty() {
                    self.by_delivery_id.remove(&key);
                }
            }
        }
    }
}

impl InboxStore for MemoryInboxes {
    fn put_inbox(&self, inbox: &InboxConfig) -> Result<(), StoreError> {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        m.inboxes.insert(inbox.name.clone(), inbox.clone());
        Ok(())
    }
    fn inbox(&self, name: &str) -> Result<Option<InboxConfig>, StoreError> {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Ok(m.inboxes.get(name).cloned())
    }
    fn delete_inbox(&self, name: &str) -> Result<bool, StoreError> {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let removed = m.remove_where(|c| c.inbox == name);
        Ok(m.inboxes.remove(name).is_some() || removed > 0)
    }
    fn put_capture(&self, capture: &Capture) -> Result<(), StoreError> {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        m.insert(capture.clone());
        while m.captures.len() > 1 && (m.captures.len() > MEMORY_CAPTURES || m.bytes > self.limit) {
            if let Some(oldest) = m.captures.keys().next().cloned() {
                m.remove(&oldest);
            }
        }
        Ok(())
    }
    fn capture(&self, inbox: &str, id: &str) -> Result<Option<Capture>, StoreError> {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Ok(m.captures.get(id).filter(|c| c.inbox == inbox).cloned())
    }
    fn captures(&self, inbox: &str, limit: Option<u32>) -> Result<Vec<Capture>, StoreError> {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Ok(m.captures
            .values()
            .rev()
            .filter(|c| c.inbox == inbox)
            .take(limit_of(limit))
            .cloned()
            .collect())
    }
    fn captures_by_delivery_id(
        &self,
        inbox: &str,
        delivery_id: &str,
    ) -> Result<Vec<Capture>, StoreError> {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let key = (inbox.to_owned(), delivery_id.to_owned());
        Ok(m.by_delivery_id
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|id| m.captures.get(id).cloned())
            .collect())
    }
    fn inboxes(&self) -> Result<Vec<InboxConfig>, StoreError> {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Ok(m.inboxes.values().cloned().collect())
    }
    fn capture_counts(&self) -> Result<Vec<CaptureCount>, StoreError> {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut counts: BTreeMap<&str, CaptureCount> = BTreeMap::new();
        for c in m.captures.values() {
            let count = counts.entry(&c.inbox).or_insert_with(|| CaptureCount {
                inbox: c.inbox.clone(),
                captures: 0,
                last_received_at: c.received_at,
            });
            count.captures += 1;
            count.last_received_at = count.last_received_at.max(c.received_at);
        }
        Ok(counts.into_values().collect())
    }
    fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Ok(m.remove_where(|c| c.received_at < before_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn memory_finds_captures_by_delivery_id() {
        both_stores_find_captures_by_delivery_id(&MemoryInboxes::default());
        // Dropped past the limit: out of the index too.
        let store = MemoryInboxes::with_limit(6);
        for i in 1..=2 {
            store
                .put_capture(&with_delivery_id(capture(&format!("cap_{i}"), "a", i), "m"))
                .unwrap();
        }
        let found = store.captures_by_delivery_id("a", "m").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(store.inner.lock().unwrap().by_delivery_id.len(), 1);
    }

    #[test]
    fn memory_drops_the_oldest_captures_past_its_byte_limit() {
        // Each fixture capture weighs 6 bytes ("e30=" and "{}").
        let store = MemoryInboxes::with_limit(13);
        for i in 1..=4 {
            store
                .put_capture(&capture(&format!("cap_{i}"), "a", i))
                .unwrap();
        }
        let ids: Vec<String> = store
            .captures("a", None)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ["cap_4", "cap_3"]);
    }

    #[test]
    fn memory() {
        both_stores_keep_captures_alike(&MemoryInboxes::default());
    }
}
