//! The SQLite store of `serve --db`. `SqliteStore::memory()` is for tests (`serve
//! --memory` uses `MemoryStore`).
//!
//! Speed: every statement is prepared once and kept in the connection's statement cache
//! (`prepare_cached`); a method that writes several rows does it in one transaction; the
//! columns the listings and the pruning filter on are real columns (no `json_extract` per row),
//! indexed, or for the listings by webhook kept in side tables filled in bulk
//! (`INDEX_BY_WEBHOOK`: an index on `webhook_id` dirtied a page per webhook in every commit);
//! webhooks, few and read on every attempt and every event, are mirrored in memory, so reading
//! one takes neither the connection lock nor SQL.
//!
//! A delivery's body is kept once per text in `bodies` (by SHA-256), not in each
//! delivery's row: an event fanned out to 16 webhooks stored it 16 times, and each
//! attempt's update of a row wrote it again (with 4 KB bodies that costs ~20 % more CPU per
//! delivery).
//!
//! Durability of `--db` files: WAL with `synchronous=NORMAL`. A commit is in the WAL file
//! (the OS's page cache) when it returns, but is fsynced only at checkpoints. So a process
//! crash (panic, OOM kill, SIGKILL) loses nothing committed: the kernel still writes the
//! WAL out and the next open replays it (the restart tests exercise this). A power loss or
//! kernel crash can lose the last transactions before the latest checkpoint (the database
//! stays consistent, never corrupt): deliveries made or attempts logged in the last moments
//! would be missing, so an event might not be delivered, or an attempt be made again.
//! `synchronous=FULL` (SQLite's default) closes that window at the cost of an fsync per
//! commit, which capped `--db` at a few hundred deliveries/s.
//!
//! Checkpoints (copying the WAL into the database file, with its fsyncs) run on a thread
//! and connection of their own, a passive one every [`checkpoint::CHECKPOINT_EVERY`],
//! instead of inside whichever commit crossed SQLite's 1000-page threshold: that commit,
//! and every delivery waiting on the store's writer behind it, would stall for the fsyncs
//! (about a fifth of the `--db` throughput lost, and the paced p99 latency tripled). The
//! WAL stays under about [`WAL_LIMIT_BYTES`], is emptied once idle, and `close` empties it
//! on a clean exit.
//!
//! Besides the checkpoints', two connections: the writer thread writes on one (`Db`: every
//! write, the inboxes' too), reads of rows go through the other, which WAL lets read while a
//! write is under way.
//!
//! By job: `schema` (tables, indexes, migrations on open), `write` (the write path and
//! bodies), `listing` (newest-first listings through the side tables) and `checkpoint`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use rusqlite::{params, Connection, ToSql};
use serde::de::DeserializeOwned;

use super::inbox::SqliteInboxes;
use super::{
    AttemptRecord, DeliveryCounts, DeliveryRecord, DeliveryStatus, Query, Store, StoreError,
    WebhookRecord, Write, DEFAULT_LIMIT,
};
use checkpoint::WAL_LIMIT_BYTES;
use listing::{listing, ATTEMPTS, COUNT_BY_WEBHOOK, DELIVERIES};
use schema::{INDEX_BY_WEBHOOK, INDEX_EVERY};
use write::{Row, UPSERT_WEBHOOK};

mod checkpoint;
mod listing;
mod schema;
mod write;

/// Distinct statements: ~8 fixed ones plus up to 8 filter combinations per listing.
const STATEMENT_CACHE: usize = 64;

pub struct SqliteStore {
    /// The write connection: every write is made on it by the writer thread (`Db`); the
    /// inbox tables share it.
    conn: Arc<Mutex<Connection>>,
    /// `--db` files: the connection that reads rows (listings, one delivery, counts), so
    /// that a read waits for neither the writer's lock nor its transaction (WAL lets it read
    /// while the writer writes). `None` in `memory()` stores: one connection does both.
    reader: Option<Arc<Mutex<Connection>>>,
    /// `--db` files: the checkpoint thread, stopped by `close` (or when dropped).
    checkpoints: Mutex<Option<checkpoint::Checkpoints>>,
    /// Every stored webhook with its `seq`: a mirror of the table, written only while the
    /// connection lock is held (so it changes in the same order as the table). A changed
    /// webhook is a new `Arc`.
    webhooks: RwLock<HashMap<String, (i64, Arc<WebhookRecord>)>>,
    /// Rows written since [`INDEX_BY_WEBHOOK`] last ran (changed only under the `conn`
    /// lock).
    unindexed: AtomicUsize,
    /// [`INDEX_EVERY`]; 3 in `memory()` stores, so that the tests' listings cross the mark.
    index_every: usize,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        // WAL keeps readers (the API) from waiting on the delivery writer.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // No fsync per commit: see the module docs for what that risks (power loss only).
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Another process (sqlite3 looking at the file) may hold a lock for a moment.
        conn.busy_timeout(Duration::from_secs(5))?;
        // A WAL that starts over after a burst is trimmed to this size.
        conn.pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES)?;
        // Checkpoints happen on the thread of `checkpoint`, not inside a commit; it also
        // bounds the WAL.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let mut store = SqliteStore::init(conn, INDEX_EVERY)?;
        store.checkpoints = Mutex::new(Some(checkpoint::spawn(path)?));
        store.reader = Some(Arc::new(Mutex::new(open_reader(path)?)));
        Ok(store)
    }

    pub fn memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::init(Connection::open_in_memory()?, 3)
    }

    /// The inbox tables of the same file, on the same connections.
    pub fn inboxes(&self) -> Result<SqliteInboxes, StoreError> {
        let reader = self.reader.as_ref().unwrap_or(&self.conn);
        SqliteInboxes::on(Arc::clone(&self.conn), Arc::clone(reader))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// The connection that reads rows.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        lock(self.reader.as_ref().unwrap_or(&self.conn))
    }

    fn mirror(&self) -> RwLockReadGuard<'_, HashMap<String, (i64, Arc<WebhookRecord>)>> {
        self.webhooks.read().unwrap_or_else(|e| e.into_inner())
    }

    fn mirror_mut(&self) -> RwLockWriteGuard<'_, HashMap<String, (i64, Arc<WebhookRecord>)>> {
        self.webhooks.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The `json` column of a listing's rows; the lock is released before they are parsed.
    fn json_rows<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
    ) -> Result<Vec<T>, StoreError> {
        let rows = {
            let conn = self.reader();
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt
                .query_map(args, |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            rows
        };
        rows.iter()
            .map(|s| serde_json::from_str(s).map_err(StoreError::from))
            .collect()
    }

    /// Deliveries with their bodies (the columns of `DELIVERIES`), parsed after the lock
    /// is released.
    fn delivery_rows(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows = {
            let conn = self.reader();
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt
                .query_map(args, |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows
        };
        rows.into_iter()
            .map(|(json, body)| {
                let mut d: DeliveryRecord = serde_json::from_str(&json)?;
                if let Some(body) = body {
                    d.body = body.into();
                }
                Ok(d)
            })
            .collect()
    }
}

/// A connection's lock. A panic while holding it leaves SQLite consistent; carry on.
pub(in crate::store) fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|e| e.into_inner())
}

/// The read connection of the file at `path` (which `init` made): it refuses writes.
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "query_only", true)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

impl Store for SqliteStore {
    fn close(&self) -> Result<(), StoreError> {
        let running = self.checkpoints.lock().map_or(None, |mut c| c.take());
        if let Some(mut checkpoints) = running {
            checkpoints.stop();
        }
        checkpoint::truncate(&self.conn())
    }

    fn put_webhook(&self, webhook: &WebhookRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(webhook)?;
        let conn = self.conn();
        let seq: i64 = conn
            .prepare_cached(UPSERT_WEBHOOK)?
            .query_row(params![webhook.id, json], |r| r.get(0))?;
        self.mirror_mut()
            .insert(webhook.id.clone(), (seq, Arc::new(webhook.clone())));
        Ok(())
    }

    fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>, StoreError> {
        Ok(self.mirror().get(id).map(|(_, w)| WebhookRecord::clone(w)))
    }

    fn shared_webhook(&self, id: &str) -> Result<Option<Arc<WebhookRecord>>, StoreError> {
        Ok(self.mirror().get(id).map(|(_, w)| Arc::clone(w)))
    }

    fn webhooks(&self) -> Result<Vec<Arc<WebhookRecord>>, StoreError> {
        let mirror = self.mirror();
        let mut all: Vec<&(i64, Arc<WebhookRecord>)> = mirror.values().collect();
        all.sort_unstable_by_key(|(seq, _)| *seq);
        Ok(all.into_iter().map(|(_, w)| Arc::clone(w)).collect())
    }

    fn delete_webhook(&self, id: &str) -> Result<bool, StoreError> {
        let conn = self.conn();
        let deleted = conn
            .prepare_cached("DELETE FROM webhooks WHERE id = ?1")?
            .execute([id])?
            > 0;
        self.mirror_mut().remove(id);
        Ok(deleted)
    }

    fn put_delivery(&self, d: &DeliveryRecord) -> Result<(), StoreError> {
        self.write_rows(&[Row::Delivery(d)])
    }

    fn put_deliveries(&self, deliveries: &[DeliveryRecord]) -> Result<(), StoreError> {
        self.write_rows(&deliveries.iter().map(Row::Delivery).collect::<Vec<_>>())
    }

    fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE d.id = ?1",
            DELIVERIES.columns, DELIVERIES.from
        );
        Ok(self.delivery_rows(&sql, &[&id])?.pop())
    }

    fn deliveries(&self, q: &Query) -> Result<Vec<DeliveryRecord>, StoreError> {
        let status = q.status.map(|s| s.as_str());
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        let (sql, args) = listing(
            &DELIVERIES,
            &[
                ("webhook_id", q.webhook_id.as_ref().map(|v| v as &dyn ToSql)),
                ("status", status.as_ref().map(|v| v as &dyn ToSql)),
                ("event_type", q.event_type.as_ref().map(|v| v as &dyn ToSql)),
            ],
            &limit,
        );
        self.delivery_rows(&sql, &args)
    }

    fn delivery_counts(&self, webhook_id: &str) -> Result<DeliveryCounts, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(COUNT_BY_WEBHOOK)?;
        let rows = stmt.query_map([webhook_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut counts = DeliveryCounts::default();
        for row in rows {
            let (status, n) = row?;
            let status = [
                DeliveryStatus::Pending,
                DeliveryStatus::Success,
                DeliveryStatus::Failed,
            ]
            .into_iter()
            .find(|s| s.as_str() == status);
            if let Some(status) = status {
                counts.add(status, n.unsigned_abs());
            }
        }
        Ok(counts)
    }

    fn add_attempt(&self, a: &AttemptRecord) -> Result<(), StoreError> {
        self.write_rows(&[Row::Attempt(a)])
    }

    fn record_attempt(&self, a: &AttemptRecord, d: &DeliveryRecord) -> Result<(), StoreError> {
        self.write_rows(&[Row::Attempt(a), Row::Delivery(d)])
    }

    fn write(&self, batch: &[Write]) -> Result<(), StoreError> {
        let mut rows = Vec::with_capacity(batch.len() * 2);
        for w in batch {
            match w {
                Write::Deliveries(ds) => rows.extend(ds.iter().map(Row::Delivery)),
                Write::Delivery(d) => rows.push(Row::Delivery(d)),
                Write::Attempt(a, d) => {
                    rows.push(Row::Attempt(a));
                    rows.extend(d.as_deref().map(Row::Delivery));
                }
            }
        }
        self.write_rows(&rows)
    }

    fn attempts(&self, q: &Query) -> Result<Vec<AttemptRecord>, StoreError> {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        let (sql, args) = listing(
            &ATTEMPTS,
            &[
                ("webhook_id", q.webhook_id.as_ref().map(|v| v as &dyn ToSql)),
                (
                    "delivery_id",
                    q.delivery_id.as_ref().map(|v| v as &dyn ToSql),
                ),
                ("failed", q.failed.as_ref().map(|v| v as &dyn ToSql)),
            ],
            &limit,
        );
        self.json_rows(&sql, &args)
    }

    fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let keys = |r: &rusqlite::Row<'_>| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?));
        let attempts = tx
            .prepare_cached(
                "DELETE FROM attempts WHERE delivered_at < ?1 RETURNING webhook_id, seq",
            )?
            .query_map([before_ms], keys)?
            .collect::<Result<Vec<_>, _>>()?;
        let mut bodies = std::collections::BTreeSet::new();
        let deliveries = tx
            .prepare_cached(
                "DELETE FROM deliveries WHERE status != 'pending' AND updated_at < ?1
                 RETURNING webhook_id, seq, body_hash",
            )?
            .query_map([before_ms], |r| {
                bodies.extend(r.get::<_, Option<Vec<u8>>>(2)?);
                keys(r)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (table, rows) in [("attempts", &attempts), ("deliveries", &deliveries)] {
            let mut stmt = tx.prepare_cached(&format!(
                "DELETE FROM {table}_by_webhook WHERE webhook_id = ?1 AND seq = ?2"
            ))?;
            for (webhook, seq) in rows {
                stmt.execute(params![webhook, seq])?;
            }
        }
        for hash in bodies {
            tx.prepare_cached(
                "DELETE FROM bodies WHERE hash = ?1
                 AND NOT EXISTS (SELECT 1 FROM deliveries WHERE body_hash = ?1)",
            )?
            .execute([hash])?;
        }
        tx.commit()?;
        Ok(attempts.len() + deliveries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{delivery, webhook};
    use crate::store::DeliveryStatus;

    #[test]
    fn a_failed_batch_writes_nothing() {
        let s = SqliteStore::memory().unwrap();
        s.conn()
            .execute_batch(
                "CREATE TRIGGER no_msg_2 BEFORE INSERT ON deliveries WHEN new.id = 'msg_2'
                 BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            )
            .unwrap();
        let batch = [
            delivery("msg_1", DeliveryStatus::Pending),
            delivery("msg_2", DeliveryStatus::Pending),
        ];
        assert!(s.put_deliveries(&batch).is_err());
        assert!(s.delivery("msg_1").unwrap().is_none());
        // The connection is usable afterwards (the transaction was rolled back).
        s.put_deliveries(&batch[..1]).unwrap();
        assert!(s.delivery("msg_1").unwrap().is_some());
    }

    #[test]
    fn webhooks_survive_a_reopen() {
        let path = std::env::temp_dir().join(format!(
            "hookproof-store-test-{}-{}.db",
            std::process::id(),
            ulid::Ulid::new()
        ));
        {
            let s = SqliteStore::open(&path).unwrap();
            s.put_webhook(&webhook("wh_1")).unwrap();
            s.put_webhook(&webhook("wh_2")).unwrap();
            s.put_webhook(&webhook("wh_1")).unwrap();
            s.put_webhook(&webhook("wh_3")).unwrap();
            assert!(s.delete_webhook("wh_3").unwrap());
        }
        let s = SqliteStore::open(&path).unwrap();
        let ids: Vec<_> = s
            .webhooks()
            .unwrap()
            .into_iter()
            .map(|w| w.id.clone())
            .collect();
        assert_eq!(ids, ["wh_1", "wh_2"]);
        assert_eq!(s.webhook("wh_2").unwrap(), Some(webhook("wh_2")));
        let mode: String = s
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(s);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn a_file_store_reads_while_the_writer_holds_its_connection() {
        let path = std::env::temp_dir().join(format!(
            "hookproof-store-test-{}-{}.db",
            std::process::id(),
            ulid::Ulid::new()
        ));
        let s = Arc::new(SqliteStore::open(&path).unwrap());
        s.put_deliveries(&[delivery("msg_1", DeliveryStatus::Pending)])
            .unwrap();
        let writing = s.conn();
        writing.execute_batch("BEGIN IMMEDIATE").unwrap();
        let (done, read) = std::sync::mpsc::channel();
        let reader = Arc::clone(&s);
        std::thread::spawn(move || {
            let _ = done.send(reader.delivery("msg_1").map(|d| d.is_some()));
        });
        let found = read.recv_timeout(Duration::from_secs(5));
        assert!(matches!(found, Ok(Ok(true))), "{found:?}");
        assert!(
            s.reader().execute("DELETE FROM deliveries", []).is_err(),
            "read only"
        );
        writing.execute_batch("ROLLBACK").unwrap();
        drop(writing);
        drop(s);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    pub(super) fn ids(ds: Vec<DeliveryRecord>) -> Vec<String> {
        ds.into_iter().map(|d| d.id).collect()
    }

    pub(super) fn count(s: &SqliteStore, sql: &str) -> i64 {
        s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}
