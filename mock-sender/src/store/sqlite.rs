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
//! and connection of their own, a passive one every [`CHECKPOINT_EVERY`], instead of inside
//! whichever commit crossed SQLite's 1000-page threshold: that commit, and every delivery
//! waiting on the store's writer behind it, would stall for the fsyncs (about a fifth of
//! the `--db` throughput lost, and the paced p99 latency tripled).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use rusqlite::{params, Connection, ToSql};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::{
    AttemptRecord, Body, DeliveryCounts, DeliveryRecord, DeliveryStatus, Query, Store, StoreError,
    WebhookRecord, Write, DEFAULT_LIMIT,
};

/// The schema of a new file. Listings are newest first (`ORDER BY seq DESC`): an index on
/// `(x)` is in `(x, rowid)` order and `seq` is the rowid, so each index below serves
/// "rows with this x, newest first" without a sort.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS webhooks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    webhook_id TEXT NOT NULL,
    status TEXT NOT NULL,
    event_type TEXT NOT NULL,
    updated_at INTEGER NOT NULL DEFAULT 0,
    json TEXT NOT NULL,
    body_hash BLOB
);
CREATE TABLE IF NOT EXISTS attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    delivery_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER NOT NULL DEFAULT 0,
    json TEXT NOT NULL
);
-- Each delivery's body, once per text: an event's deliveries share theirs.
CREATE TABLE IF NOT EXISTS bodies (
    seq INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    text TEXT NOT NULL
);
-- The listings by webhook: each row's (webhook_id, seq), up to the seq in `by_webhook_marks`,
-- added in bulk (`INDEX_BY_WEBHOOK` in store/sqlite.rs says why).
CREATE TABLE IF NOT EXISTS deliveries_by_webhook (
    webhook_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attempts_by_webhook (
    webhook_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS by_webhook_marks (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
INSERT OR IGNORE INTO by_webhook_marks (name, seq) VALUES ('deliveries', 0), ('attempts', 0);
";

/// Indexes, created after the tables (and after a migration added their columns).
/// Version 4 and before also indexed `webhook_id` (now `*_by_webhook`).
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status);
CREATE INDEX IF NOT EXISTS deliveries_body ON deliveries (body_hash);
CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts (delivery_id);
DROP INDEX IF EXISTS deliveries_webhook;
DROP INDEX IF EXISTS attempts_webhook;
";

/// Adds the rows past each table's mark to its `*_by_webhook` table and moves the mark.
///
/// The listings by webhook used to go through an index on `webhook_id`. Every commit then
/// dirtied one leaf page of each such index per webhook it wrote to (an event fanned out
/// to 16 webhooks: 32 of the ~87 pages a commit wrote to the WAL at saturation). The
/// writer runs this instead, every [`INDEX_EVERY`] rows, in the transaction of the write
/// that crosses it: a few pages per webhook for thousands of rows. The rows past the
/// mark, never more than about that many, are found by a scan (`listing`).
const INDEX_BY_WEBHOOK: &str = "
INSERT INTO deliveries_by_webhook (webhook_id, seq)
    SELECT webhook_id, seq FROM deliveries
    WHERE seq > (SELECT seq FROM by_webhook_marks WHERE name = 'deliveries');
UPDATE by_webhook_marks SET seq = max(seq, (SELECT coalesce(max(seq), 0) FROM deliveries))
    WHERE name = 'deliveries';
INSERT INTO attempts_by_webhook (webhook_id, seq)
    SELECT webhook_id, seq FROM attempts
    WHERE seq > (SELECT seq FROM by_webhook_marks WHERE name = 'attempts');
UPDATE by_webhook_marks SET seq = max(seq, (SELECT coalesce(max(seq), 0) FROM attempts))
    WHERE name = 'attempts';
";

/// Rows written (deliveries and attempts) between two runs of [`INDEX_BY_WEBHOOK`].
const INDEX_EVERY: usize = 4096;

/// Version 2 kept `updated_at`, `failed` and `delivered_at` only in the JSON; `failed` is
/// `Outcome::is_failure`.
const MIGRATE_2_TO_3: &str = "
ALTER TABLE deliveries ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET updated_at = json_extract(json, '$.updated_at');
ALTER TABLE attempts ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN delivered_at INTEGER NOT NULL DEFAULT 0;
UPDATE attempts SET failed = (json_extract(json, '$.outcome') NOT IN ('success', 'rejected')),
    delivered_at = json_extract(json, '$.delivered_at');
";

/// Version 3 kept each delivery's body in its `json`: once per webhook an event went to,
/// and written again with every attempt's update of the row. Version 4 keeps it once in
/// `bodies` (by SHA-256), which `move_bodies` fills from the rows.
const MIGRATE_3_TO_4: &str = "ALTER TABLE deliveries ADD COLUMN body_hash BLOB;";

/// Bumped whenever a stored record or the tables change shape; older versions this one can
/// upgrade are migrated on open.
const SCHEMA_VERSION: i64 = 5;

/// Distinct statements: ~8 fixed ones plus up to 8 filter combinations per listing.
const STATEMENT_CACHE: usize = 64;

const UPSERT_WEBHOOK: &str = "INSERT INTO webhooks (id, json) VALUES (?1, ?2)
     ON CONFLICT(id) DO UPDATE SET json = excluded.json RETURNING seq";
const UPSERT_DELIVERY: &str =
    "INSERT INTO deliveries (id, webhook_id, status, event_type, updated_at, json, body_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT(id) DO UPDATE SET
         status = excluded.status, updated_at = excluded.updated_at, json = excluded.json";
const INSERT_BODY: &str =
    "INSERT INTO bodies (hash, text) VALUES (?1, ?2) ON CONFLICT(hash) DO NOTHING";
/// A webhook's deliveries by status: those past the mark by their own column, the rest
/// through the side table (as `listing` finds them).
const COUNT_BY_WEBHOOK: &str = "SELECT status, count(*) FROM (
        SELECT d.status FROM deliveries d
         WHERE d.seq > (SELECT seq FROM by_webhook_marks WHERE name = 'deliveries')
           AND d.webhook_id = ?1
        UNION ALL
        SELECT d.status FROM deliveries_by_webhook x CROSS JOIN deliveries d
         WHERE x.webhook_id = ?1
           AND x.seq <= (SELECT seq FROM by_webhook_marks WHERE name = 'deliveries')
           AND d.seq = x.seq
     ) GROUP BY status";
/// A table as `listing` reads it: its name (`{name}_by_webhook` is its side table), the
/// columns a row is read from, and the table (as `alias`) with what it joins.
struct Listed {
    name: &'static str,
    columns: &'static str,
    from: &'static str,
    alias: &'static str,
}

/// A delivery's row with its body, for `delivery_rows`.
const DELIVERIES: Listed = Listed {
    name: "deliveries",
    columns: "d.json, b.text",
    from: "deliveries d LEFT JOIN bodies b ON b.hash = d.body_hash",
    alias: "d",
};
/// An attempt's row, for `json_rows`.
const ATTEMPTS: Listed = Listed {
    name: "attempts",
    columns: "a.json",
    from: "attempts a",
    alias: "a",
};
const INSERT_ATTEMPT: &str =
    "INSERT INTO attempts (id, delivery_id, webhook_id, failed, delivered_at, json)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// How often the checkpoint thread copies the WAL into the database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// `--db` files: dropping it stops the checkpoint thread.
    _checkpoints: Option<mpsc::Sender<()>>,
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

/// A thread with its own connection to `path` that runs a passive checkpoint every
/// [`CHECKPOINT_EVERY`] (never waiting for the writer, which carries on appending to the
/// WAL meanwhile) until the returned sender is dropped.
fn checkpoint_thread(path: &Path) -> Result<mpsc::Sender<()>, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || loop {
            match stopped.recv_timeout(CHECKPOINT_EVERY) {
                Err(RecvTimeoutError::Timeout) => {
                    // (busy, WAL frames, frames checkpointed); a failure is retried next time.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
        })?;
    Ok(stop)
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
        // A checkpoint after a burst leaves the WAL file at its peak size; trim it.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        // Checkpoints happen on the thread below, not inside a commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let mut store = SqliteStore::init(conn, INDEX_EVERY)?;
        store._checkpoints = Some(checkpoint_thread(path)?);
        Ok(store)
    }

    pub fn memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::init(Connection::open_in_memory()?, 3)
    }

    fn init(mut conn: Connection, index_every: usize) -> Result<SqliteStore, StoreError> {
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let tx = conn.transaction()?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tables: i64 = tx.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'webhooks'",
            [],
            |r| r.get(0),
        )?;
        let bodies_in_rows = match (tables > 0, version) {
            // Version 4 to 5: the `*_by_webhook` tables (`SCHEMA`), filled below, for the
            // indexes on `webhook_id` (`INDEXES`).
            (false, _) | (true, 4 | SCHEMA_VERSION) => false,
            (true, 2) => {
                tx.execute_batch(MIGRATE_2_TO_3)?;
                tx.execute_batch(MIGRATE_3_TO_4)?;
                true
            }
            (true, 3) => {
                tx.execute_batch(MIGRATE_3_TO_4)?;
                true
            }
            (true, v) => return Err(StoreError::Version(v)),
        };
        tx.execute_batch(SCHEMA)?;
        if bodies_in_rows {
            move_bodies(&tx)?;
        }
        tx.execute_batch(INDEXES)?;
        tx.execute_batch(INDEX_BY_WEBHOOK)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        let webhooks = {
            let mut stmt = conn.prepare("SELECT seq, json FROM webhooks")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(seq, json)| {
                    let w: WebhookRecord = serde_json::from_str(&json)?;
                    Ok((w.id.clone(), (seq, Arc::new(w))))
                })
                .collect::<Result<HashMap<_, _>, StoreError>>()?
        };
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            _checkpoints: None,
            webhooks: RwLock::new(webhooks),
            unindexed: AtomicUsize::new(0),
            index_every,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent; carry on.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
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
            let conn = self.conn();
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
            let conn = self.conn();
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

    /// Every row, in order, in one transaction. Serialised before the lock is taken, so
    /// the API's reads wait less.
    fn write_rows(&self, rows: &[Row<'_>]) -> Result<(), StoreError> {
        // A delivery's body goes to `bodies` once, hashed once for the deliveries that
        // follow it sharing it (an event's fan-out).
        let mut last: Option<(&Body, [u8; 32])> = None;
        let encoded = rows
            .iter()
            .map(|row| {
                Ok(match row {
                    Row::Delivery(d) => {
                        let (hash, new) = match last {
                            Some((body, hash)) if body.is_shared_with(&d.body) => (hash, false),
                            _ => (body_hash(&d.body), true),
                        };
                        last = Some((&d.body, hash));
                        Encoded::Delivery(d, json_without_body(d)?, hash, new)
                    }
                    Row::Attempt(a) => Encoded::Attempt(a, serde_json::to_string(a)?),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for row in &encoded {
            match row {
                Encoded::Delivery(d, json, hash, new) => {
                    if *new {
                        put_body(&tx, hash, &d.body)?;
                    }
                    put_delivery(&tx, d, json, hash)?;
                }
                Encoded::Attempt(a, json) => add_attempt(&tx, a, json)?,
            }
        }
        let unindexed = self.unindexed.load(Ordering::Relaxed) + rows.len();
        let index = unindexed >= self.index_every;
        if index {
            tx.execute_batch(INDEX_BY_WEBHOOK)?;
        }
        tx.commit()?;
        self.unindexed
            .store(if index { 0 } else { unindexed }, Ordering::Relaxed);
        Ok(())
    }
}

/// `SELECT columns FROM table [WHERE a = ?1 AND ...] ORDER BY seq DESC LIMIT ?n`, with a
/// term per filter that is set (each combination is its own cached statement), rather
/// than `(?1 IS NULL OR a = ?1)`, which no index can serve.
///
/// By webhook (unless also by delivery, whose index finds fewer rows), two ranges of seqs
/// merged newest first: the rows `{table}_by_webhook` holds, found through it, and those
/// past its mark, which it does not hold yet (`INDEX_BY_WEBHOOK`), scanned.
fn listing<'a>(
    t: &Listed,
    filters: &[(&str, Option<&'a dyn ToSql>)],
    limit: &'a dyn ToSql,
) -> (String, Vec<&'a dyn ToSql>) {
    let Listed {
        name,
        columns,
        from,
        alias: p,
    } = t;
    let mut args = Vec::new();
    let mut terms = Vec::new();
    let mut webhook = None;
    let mut by_delivery = false;
    for (column, value) in filters {
        if let Some(v) = value {
            args.push(*v);
            let term = format!("{p}.{column} = ?{}", args.len());
            match *column {
                "webhook_id" => webhook = Some((term, args.len())),
                "delivery_id" => {
                    by_delivery = true;
                    terms.push(term);
                }
                _ => terms.push(term),
            }
        }
    }
    args.push(limit);
    let n = args.len();
    let clause = |terms: Vec<String>| {
        if terms.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", terms.join(" AND "))
        }
    };
    let sql = match webhook {
        Some((term, i)) if !by_delivery => {
            let mark = format!("(SELECT seq FROM by_webhook_marks WHERE name = '{name}')");
            let newer = [format!("{p}.seq > {mark}"), term]
                .into_iter()
                .chain(terms.iter().cloned());
            let older = [
                format!("x.webhook_id = ?{i}"),
                format!("x.seq <= {mark}"),
                format!("{p}.seq = x.seq"),
            ]
            .into_iter()
            .chain(terms.iter().cloned());
            format!(
                "SELECT {columns}, {p}.seq AS seq FROM {from}{} \
                 UNION ALL \
                 SELECT {columns}, x.seq AS seq FROM {name}_by_webhook x CROSS JOIN {from}{} \
                 ORDER BY seq DESC LIMIT ?{n}",
                clause(newer.collect()),
                clause(older.collect())
            )
        }
        webhook => {
            terms.extend(webhook.map(|(term, _)| term));
            format!(
                "SELECT {columns} FROM {from}{} ORDER BY {p}.seq DESC LIMIT ?{n}",
                clause(terms)
            )
        }
    };
    (sql, args)
}

/// Version 3's rows to version 4: each delivery's body out of its `json` into `bodies`.
fn move_bodies(tx: &Connection) -> Result<(), StoreError> {
    let rows = {
        let mut stmt = tx.prepare("SELECT seq, json FROM deliveries WHERE body_hash IS NULL")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    for (seq, json) in rows {
        let d: DeliveryRecord = serde_json::from_str(&json)?;
        let hash = body_hash(&d.body);
        put_body(tx, &hash, &d.body)?;
        tx.prepare_cached("UPDATE deliveries SET json = ?1, body_hash = ?2 WHERE seq = ?3")?
            .execute(params![json_without_body(&d)?, &hash[..], seq])?;
    }
    Ok(())
}

/// The key of a body in `bodies`.
fn body_hash(body: &Body) -> [u8; 32] {
    Sha256::digest(body.as_bytes()).into()
}

/// A delivery's `json` column: the record with an empty body (`bodies` has it).
fn json_without_body(d: &DeliveryRecord) -> serde_json::Result<String> {
    serde_json::to_string(&DeliveryRecord {
        body: Body::default(),
        ..d.clone()
    })
}

fn put_body(conn: &Connection, hash: &[u8; 32], body: &Body) -> Result<(), StoreError> {
    conn.prepare_cached(INSERT_BODY)?
        .execute(params![&hash[..], &**body])?;
    Ok(())
}

/// One row of a `Store::write` batch.
enum Row<'a> {
    Delivery(&'a DeliveryRecord),
    Attempt(&'a AttemptRecord),
}

/// A row of `write_rows` ready to write: its `json`, and for a delivery its body's hash
/// and whether the body is new to the batch.
enum Encoded<'a> {
    Delivery(&'a DeliveryRecord, String, [u8; 32], bool),
    Attempt(&'a AttemptRecord, String),
}

fn put_delivery(
    conn: &Connection,
    d: &DeliveryRecord,
    json: &str,
    body_hash: &[u8; 32],
) -> Result<(), StoreError> {
    conn.prepare_cached(UPSERT_DELIVERY)?.execute(params![
        d.id,
        d.webhook_id,
        d.status.as_str(),
        d.event_type,
        d.updated_at,
        json,
        &body_hash[..]
    ])?;
    Ok(())
}

fn add_attempt(conn: &Connection, a: &AttemptRecord, json: &str) -> Result<(), StoreError> {
    conn.prepare_cached(INSERT_ATTEMPT)?.execute(params![
        a.id,
        a.delivery_id,
        a.webhook_id,
        a.outcome.is_failure(),
        a.delivered_at,
        json
    ])?;
    Ok(())
}

impl Store for SqliteStore {
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
        let conn = self.conn();
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
    use crate::store::fixtures::{attempt, delivery, webhook};
    use crate::store::{DeliveryStatus, Outcome};

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
    fn listings_use_the_indexes() {
        let s = SqliteStore::memory().unwrap();
        let value = "x".to_string();
        let limit = 10u32;
        let x = Some(&value as &dyn ToSql);
        // `x` is the side table (`deliveries_by_webhook`, `attempts_by_webhook`).
        let side = "SEARCH x USING PRIMARY KEY (webhook_id=? AND seq<?)";
        for (table, filters, uses) in [
            (&DELIVERIES, vec![("webhook_id", x)], side),
            (&DELIVERIES, vec![("webhook_id", x), ("status", x)], side),
            (&DELIVERIES, vec![("status", x)], "deliveries_status"),
            (&ATTEMPTS, vec![("webhook_id", x)], side),
            (&ATTEMPTS, vec![("delivery_id", x)], "attempts_delivery"),
            (
                &ATTEMPTS,
                vec![("webhook_id", x), ("delivery_id", x)],
                "attempts_delivery",
            ),
        ] {
            let (sql, args) = listing(table, &filters, &limit);
            let conn = s.conn();
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan = stmt
                .query_map(&args[..], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
                .join("; ");
            assert!(plan.contains(uses), "{sql}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{sql} sorts: {plan}");
            // The rows past the mark: a range of the table, not all of it.
            if uses == side {
                assert!(plan.contains("rowid>?"), "{sql}: {plan}");
            }
        }
    }

    #[test]
    fn listings_by_webhook_find_the_rows_on_both_sides_of_the_mark() {
        let s = SqliteStore::memory().unwrap();
        let by = |webhook: &str| Query {
            webhook_id: Some(webhook.into()),
            ..Query::default()
        };
        let mut all = Vec::new();
        let mut sides = (false, false);
        for i in 0..8 {
            let mut d = delivery(&format!("msg_{i}"), DeliveryStatus::Success);
            d.webhook_id = format!("wh_{}", i % 2);
            d.updated_at = i;
            s.put_delivery(&d).unwrap();
            let mut a = attempt(i as usize, &d.id, Outcome::Success, i);
            a.webhook_id.clone_from(&d.webhook_id);
            s.add_attempt(&a).unwrap();
            all.push(d);
            // Every third row written moves the mark (`memory()`): some rows are past it.
            let (indexed, rows): (i64, i64) = s
                .conn()
                .query_row(
                    "SELECT (SELECT count(*) FROM deliveries_by_webhook),
                            (SELECT count(*) FROM deliveries)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert!(indexed <= rows);
            sides.0 |= indexed > 0 && indexed < rows;
            sides.1 |= indexed == rows;
            let want: Vec<String> = all
                .iter()
                .rev()
                .filter(|d| d.webhook_id == "wh_0")
                .map(|d| d.id.clone())
                .collect();
            assert_eq!(ids(s.deliveries(&by("wh_0")).unwrap()), want, "after {i}");
            let attempts: Vec<String> = s
                .attempts(&by("wh_0"))
                .unwrap()
                .into_iter()
                .map(|a| a.delivery_id)
                .collect();
            assert_eq!(attempts, want, "after {i}");
        }
        assert_eq!(
            sides,
            (true, true),
            "listed with and without rows past the mark"
        );
        let indexed = |table: &str| count(&s, &format!("SELECT count(*) FROM {table}_by_webhook"));
        // Pruned rows leave their side tables.
        assert_eq!(s.prune(4).unwrap(), 8);
        assert_eq!(ids(s.deliveries(&by("wh_1")).unwrap()), ["msg_7", "msg_5"]);
        assert_eq!(
            indexed("deliveries") + indexed("attempts"),
            count(
                &s,
                "SELECT count(*) FROM deliveries WHERE seq <= (SELECT seq FROM by_webhook_marks
                 WHERE name = 'deliveries')"
            ) + count(
                &s,
                "SELECT count(*) FROM attempts WHERE seq <= (SELECT seq FROM by_webhook_marks
                 WHERE name = 'attempts')"
            )
        );
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
    fn the_wal_is_checkpointed_in_the_background() {
        let path = std::env::temp_dir().join(format!("hookproof-ckpt-{}.db", ulid::Ulid::new()));
        let s = SqliteStore::open(&path).unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        // Far below SQLite's own 1000-page threshold: only the checkpoint thread moves
        // these pages from the WAL into the database file while the store is open.
        for i in 0..300 {
            s.put_webhook(&webhook(&format!("wh_{i}"))).unwrap();
        }
        let deadline = std::time::Instant::now() + CHECKPOINT_EVERY * 20;
        while size() == before && std::time::Instant::now() < deadline {
            std::thread::sleep(CHECKPOINT_EVERY / 5);
        }
        assert!(
            size() > before,
            "the database file did not grow: no checkpoint"
        );
        drop(s);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn a_version_2_database_is_migrated() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE webhooks (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 id TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
             CREATE TABLE deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 id TEXT NOT NULL UNIQUE, webhook_id TEXT NOT NULL, status TEXT NOT NULL,
                 event_type TEXT NOT NULL, json TEXT NOT NULL);
             CREATE INDEX deliveries_status ON deliveries (status);
             CREATE TABLE attempts (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 id TEXT NOT NULL UNIQUE, delivery_id TEXT NOT NULL,
                 webhook_id TEXT NOT NULL, json TEXT NOT NULL);
             CREATE INDEX attempts_delivery ON attempts (delivery_id);
             PRAGMA user_version = 2;",
        )
        .unwrap();
        let w = webhook("wh_1");
        conn.execute(
            "INSERT INTO webhooks (id, json) VALUES (?1, ?2)",
            params![w.id, serde_json::to_string(&w).unwrap()],
        )
        .unwrap();
        let mut d = delivery("msg_1", DeliveryStatus::Success);
        d.updated_at = 10;
        conn.execute(
            "INSERT INTO deliveries (id, webhook_id, status, event_type, json)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                d.id,
                d.webhook_id,
                "success",
                d.event_type,
                serde_json::to_string(&d).unwrap()
            ],
        )
        .unwrap();
        for (i, (outcome, at)) in [(Outcome::Timeout, 10), (Outcome::Success, 1000)]
            .into_iter()
            .enumerate()
        {
            let a = attempt(i, "msg_1", outcome, at);
            conn.execute(
                "INSERT INTO attempts (id, delivery_id, webhook_id, json)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    a.id,
                    a.delivery_id,
                    a.webhook_id,
                    serde_json::to_string(&a).unwrap()
                ],
            )
            .unwrap();
        }

        let s = SqliteStore::init(conn, 3).unwrap();
        assert_eq!(s.webhook("wh_1").unwrap(), Some(w));
        let failed = Query {
            failed: Some(true),
            ..Query::default()
        };
        let ids: Vec<_> = s
            .attempts(&failed)
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, ["atm_0"]);
        assert_eq!(s.prune(500).unwrap(), 2);
        let version: i64 = s
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    /// The ids of a listing's deliveries, in its order.
    fn ids(ds: Vec<DeliveryRecord>) -> Vec<String> {
        ds.into_iter().map(|d| d.id).collect()
    }

    fn count(s: &SqliteStore, sql: &str) -> i64 {
        s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_body_is_stored_once_and_pruned_with_its_last_delivery() {
        let s = SqliteStore::memory().unwrap();
        let mut a = delivery("msg_1", DeliveryStatus::Success);
        a.body = r#"{"big":"event"}"#.into();
        a.updated_at = 10;
        let mut b = DeliveryRecord {
            id: "msg_2".into(),
            ..a.clone()
        };
        b.updated_at = 1000;
        let mut other = delivery("msg_3", DeliveryStatus::Pending);
        other.body = r#"{"other":1}"#.into();
        s.put_deliveries(&[a.clone(), b.clone(), other.clone()])
            .unwrap();
        // An attempt's update of the row leaves the body where it is.
        s.record_attempt(&attempt(0, "msg_1", Outcome::Success, 10), &a)
            .unwrap();
        assert_eq!(count(&s, "SELECT count(*) FROM bodies"), 2);
        assert_eq!(
            count(
                &s,
                "SELECT count(*) FROM deliveries WHERE json LIKE '%big%'"
            ),
            0,
            "not in the rows"
        );
        assert_eq!(s.delivery("msg_2").unwrap(), Some(b.clone()));
        let all = s.deliveries(&Query::default()).unwrap();
        assert_eq!(all, [other.clone(), b.clone(), a.clone()]);

        s.prune(500).unwrap();
        assert_eq!(
            count(&s, "SELECT count(*) FROM bodies"),
            2,
            "msg_2 still has it"
        );
        s.prune(5000).unwrap();
        assert_eq!(
            count(&s, "SELECT count(*) FROM bodies"),
            1,
            "the pending one's stays"
        );
        assert_eq!(s.delivery("msg_3").unwrap(), Some(other));
    }

    #[test]
    fn a_version_3_database_keeps_its_bodies_once() {
        let conn = Connection::open_in_memory().unwrap();
        // Version 3's tables: today's without `bodies` and `body_hash`.
        let (v3, _bodies) = SCHEMA
            .split_once("CREATE TABLE IF NOT EXISTS bodies")
            .unwrap();
        conn.execute_batch(&format!(
            "{}{}PRAGMA user_version = 3;",
            v3.replace(",\n    body_hash BLOB", ""),
            INDEXES.replace(
                "CREATE INDEX IF NOT EXISTS deliveries_body ON deliveries (body_hash);",
                ""
            )
        ))
        .unwrap();
        let mut d = delivery("msg_1", DeliveryStatus::Pending);
        d.body = r#"{"type":"a.b","data":{"x":"\u00e9"}}"#.into();
        for id in ["msg_1", "msg_2"] {
            let d = DeliveryRecord {
                id: id.into(),
                ..d.clone()
            };
            conn.execute(
                "INSERT INTO deliveries (id, webhook_id, status, event_type, json)
                 VALUES (?1, ?2, 'pending', ?3, ?4)",
                params![
                    d.id,
                    d.webhook_id,
                    d.event_type,
                    serde_json::to_string(&d).unwrap()
                ],
            )
            .unwrap();
        }

        let s = SqliteStore::init(conn, 3).unwrap();
        assert_eq!(s.delivery("msg_1").unwrap(), Some(d));
        assert_eq!(count(&s, "SELECT count(*) FROM bodies"), 1);
        assert_eq!(
            count(
                &s,
                "SELECT count(*) FROM deliveries WHERE json LIKE '%a.b%data%'"
            ),
            0
        );
        assert_eq!(count(&s, "PRAGMA user_version"), SCHEMA_VERSION);
    }

    #[test]
    fn a_version_4_database_gets_its_listings_by_webhook() {
        let conn = Connection::open_in_memory().unwrap();
        // Version 4: today's tables without the side tables, `webhook_id` indexed instead.
        let (v4, _side) = SCHEMA.split_once("-- The listings by webhook").unwrap();
        conn.execute_batch(&format!(
            "{v4}{INDEXES}
             CREATE INDEX deliveries_webhook ON deliveries (webhook_id);
             CREATE INDEX attempts_webhook ON attempts (webhook_id);
             PRAGMA user_version = 4;"
        ))
        .unwrap();
        let old = SqliteStore {
            conn: Mutex::new(conn),
            _checkpoints: None,
            webhooks: RwLock::default(),
            unindexed: AtomicUsize::new(0),
            index_every: usize::MAX,
        };
        let d = delivery("msg_1", DeliveryStatus::Pending);
        old.put_deliveries(&[d.clone(), delivery("msg_2", DeliveryStatus::Pending)])
            .unwrap();
        old.add_attempt(&attempt(0, "msg_1", Outcome::Timeout, 5))
            .unwrap();
        let conn = old.conn.into_inner().unwrap();

        let s = SqliteStore::init(conn, 3).unwrap();
        assert_eq!(count(&s, "PRAGMA user_version"), SCHEMA_VERSION);
        assert_eq!(
            count(
                &s,
                "SELECT count(*) FROM sqlite_master
                 WHERE name IN ('deliveries_webhook', 'attempts_webhook')"
            ),
            0,
            "the old indexes are gone"
        );
        assert_eq!(count(&s, "SELECT count(*) FROM deliveries_by_webhook"), 2);
        let q = Query {
            webhook_id: Some(d.webhook_id.clone()),
            ..Query::default()
        };
        assert_eq!(ids(s.deliveries(&q).unwrap()), ["msg_2", "msg_1"]);
        assert_eq!(s.attempts(&q).unwrap().len(), 1);
    }

    #[test]
    fn an_unknown_version_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE webhooks (seq INTEGER PRIMARY KEY, id TEXT, json TEXT);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        assert!(matches!(
            SqliteStore::init(conn, 3),
            Err(StoreError::Version(1))
        ));
    }
}
