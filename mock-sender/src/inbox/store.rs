//! Where inboxes and their captures are kept: in memory (`serve --memory`), or in tables
//! of their own in the `--db` file, through a connection of their own.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use super::{Capture, InboxConfig};
use crate::store::StoreError;

/// Captures kept in memory at most; past it, or past the store's byte limit, the oldest go.
pub const MEMORY_CAPTURES: usize = 10_000;

/// Captures a listing returns when it sets no limit.
pub const DEFAULT_LIMIT: u32 = 1000;

pub trait InboxStore: Send + Sync + 'static {
    /// Inserts or replaces.
    fn put_inbox(&self, inbox: &InboxConfig) -> Result<(), StoreError>;
    fn inbox(&self, name: &str) -> Result<Option<InboxConfig>, StoreError>;
    /// Deletes the inbox's settings and captures; whether it had either.
    fn delete_inbox(&self, name: &str) -> Result<bool, StoreError>;
    /// Inserts or replaces.
    fn put_capture(&self, capture: &Capture) -> Result<(), StoreError>;
    fn capture(&self, inbox: &str, id: &str) -> Result<Option<Capture>, StoreError>;
    /// Newest first, at most `limit` (`DEFAULT_LIMIT`).
    fn captures(&self, inbox: &str, limit: Option<u32>) -> Result<Vec<Capture>, StoreError>;
    /// Deletes captures received before `before_ms`; how many went.
    fn prune(&self, before_ms: i64) -> Result<usize, StoreError>;
}

fn limit_of(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT) as usize
}

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
        let before = m.captures.len();
        m.captures.retain(|_, c| c.inbox != name);
        m.bytes = m.captures.values().map(weight).sum();
        Ok(m.inboxes.remove(name).is_some() || m.captures.len() != before)
    }
    fn put_capture(&self, capture: &Capture) -> Result<(), StoreError> {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        m.bytes += weight(capture);
        if let Some(old) = m.captures.insert(capture.id.clone(), capture.clone()) {
            m.bytes -= weight(&old);
        }
        while m.captures.len() > 1 && (m.captures.len() > MEMORY_CAPTURES || m.bytes > self.limit) {
            if let Some((_, gone)) = m.captures.pop_first() {
                m.bytes -= weight(&gone);
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
    fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let before = m.captures.len();
        m.captures.retain(|_, c| c.received_at >= before_ms);
        m.bytes = m.captures.values().map(weight).sum();
        Ok(before - m.captures.len())
    }
}

/// The inbox tables of the `--db` file.
pub struct SqliteInboxes {
    conn: Mutex<Connection>,
}

impl SqliteInboxes {
    /// Opens `path` (which `SqliteStore::open` made) and adds the inbox tables if missing.
    pub fn open(path: &Path) -> Result<SqliteInboxes, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS inboxes (name TEXT PRIMARY KEY, json TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS inbox_captures (
               id TEXT PRIMARY KEY, inbox TEXT NOT NULL, received_at INTEGER NOT NULL,
               json TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS inbox_captures_by_inbox ON inbox_captures (inbox, id);
             CREATE INDEX IF NOT EXISTS inbox_captures_by_time ON inbox_captures (received_at);",
        )?;
        Ok(SqliteInboxes {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl InboxStore for SqliteInboxes {
    fn put_inbox(&self, inbox: &InboxConfig) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT OR REPLACE INTO inboxes (name, json) VALUES (?1, ?2)",
            params![inbox.name, serde_json::to_string(inbox)?],
        )?;
        Ok(())
    }
    fn inbox(&self, name: &str) -> Result<Option<InboxConfig>, StoreError> {
        let json: Option<String> = self
            .conn()
            .query_row("SELECT json FROM inboxes WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }
    fn delete_inbox(&self, name: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let a = tx.execute("DELETE FROM inboxes WHERE name = ?1", [name])?;
        let b = tx.execute("DELETE FROM inbox_captures WHERE inbox = ?1", [name])?;
        tx.commit()?;
        Ok(a + b > 0)
    }
    fn put_capture(&self, capture: &Capture) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT OR REPLACE INTO inbox_captures (id, inbox, received_at, json) VALUES (?1, ?2, ?3, ?4)",
            params![capture.id, capture.inbox, capture.received_at, serde_json::to_string(capture)?],
        )?;
        Ok(())
    }
    fn capture(&self, inbox: &str, id: &str) -> Result<Option<Capture>, StoreError> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT json FROM inbox_captures WHERE id = ?1 AND inbox = ?2",
                [id, inbox],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }
    fn captures(&self, inbox: &str, limit: Option<u32>) -> Result<Vec<Capture>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT json FROM inbox_captures WHERE inbox = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![inbox, limit_of(limit) as i64], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?)?);
        }
        Ok(out)
    }
    fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM inbox_captures WHERE received_at < ?1",
            [before_ms],
        )?)
    }
}

/// Deletes captures past `retention` now and then as `store::prune` does for logs.
pub fn keep_pruning(store: std::sync::Arc<dyn InboxStore>, retention: Duration) {
    let retention_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(crate::store::prune::interval(retention));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let before = crate::clock::now_ms().saturating_sub(retention_ms);
            match store.prune(before) {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "pruned captures past --retention"),
                Err(e) => tracing::error!(error = %e, "pruning captures"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(id: &str, inbox: &str, at: i64) -> Capture {
        Capture {
            id: id.into(),
            inbox: inbox.into(),
            method: "POST".into(),
            path: format!("/in/{inbox}"),
            query: None,
            headers: vec![("a".into(), "1".into()), ("a".into(), "2".into())],
            body_base64: "e30=".into(),
            body: Some("{}".into()),
            received_at: at,
            remote_addr: None,
            status: 200,
            verification: None,
            conformance: vec![],
            scheme: None,
            forward: None,
            replays: vec![],
        }
    }

    fn both_stores_keep_captures_alike(store: &dyn InboxStore) {
        store.put_capture(&capture("cap_1", "a", 10)).unwrap();
        store.put_capture(&capture("cap_2", "a", 20)).unwrap();
        store.put_capture(&capture("cap_3", "b", 30)).unwrap();
        let ids = |v: Vec<Capture>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(store.captures("a", None).unwrap()), ["cap_2", "cap_1"]);
        assert_eq!(ids(store.captures("a", Some(1)).unwrap()), ["cap_2"]);
        assert_eq!(
            store.capture("a", "cap_1").unwrap(),
            Some(capture("cap_1", "a", 10))
        );
        assert_eq!(store.capture("b", "cap_1").unwrap(), None);
        assert_eq!(store.prune(15).unwrap(), 1);
        assert_eq!(ids(store.captures("a", None).unwrap()), ["cap_2"]);
        let mut config = InboxConfig::unconfigured("a");
        config.scheme = Some(hookproof::Scheme::Stripe);
        store.put_inbox(&config).unwrap();
        assert_eq!(store.inbox("a").unwrap(), Some(config));
        assert!(store.delete_inbox("a").unwrap());
        assert_eq!(store.inbox("a").unwrap(), None);
        assert!(store.captures("a", None).unwrap().is_empty());
        assert!(!store.delete_inbox("a").unwrap());
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

    #[test]
    fn sqlite() {
        let dir = std::env::temp_dir().join(format!("hookproof-inbox-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = SqliteInboxes::open(&dir.join("db.sqlite")).unwrap();
        both_stores_keep_captures_alike(&store);
        drop(store);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
