//! The tables, their indexes and the migrations from older files, run on open.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, RwLock};

use rusqlite::{params, Connection};

use super::write::{body_hash, json_without_body, put_body};
use super::{SqliteStore, STATEMENT_CACHE};
use crate::store::{DeliveryRecord, StoreError, WebhookRecord};

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
pub(super) const INDEX_BY_WEBHOOK: &str = "
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
pub(super) const INDEX_EVERY: usize = 4096;

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
const SCHEMA_VERSION: i64 = 7;

impl SqliteStore {
    pub(super) fn init(
        mut conn: Connection,
        index_every: usize,
    ) -> Result<SqliteStore, StoreError> {
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
            // indexes on `webhook_id` (`INDEXES`). Version 5 to 6: attempts keep their
            // answer's `response_headers`; a row stored without them reads as none.
            // Version 6 to 7: `rewrite_webhooks`.
            (false, _) | (true, 4 | 5 | 6 | SCHEMA_VERSION) => false,
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
        if tables > 0 && version < SCHEMA_VERSION {
            rewrite_webhooks(&tx)?;
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
            conn: Arc::new(Mutex::new(conn)),
            reader: None,
            checkpoints: Mutex::new(None),
            webhooks: RwLock::new(webhooks),
            unindexed: AtomicUsize::new(0),
            index_every,
        })
    }
}

/// Version 6's webhook records named a webhook's kind `type` and had no `segments`: each
/// is written again as records are now, so that an older sender refuses the file (by its
/// version) rather than read a Slack webhook as an HTTP one, or ignore its segments.
/// Attempt records still say `event` for `event_type`: they are read under either name.
fn rewrite_webhooks(tx: &Connection) -> Result<(), StoreError> {
    let rows = {
        let mut stmt = tx.prepare("SELECT seq, json FROM webhooks")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    for (seq, json) in rows {
        let w: WebhookRecord = serde_json::from_str(&json)?;
        tx.execute(
            "UPDATE webhooks SET json = ?1 WHERE seq = ?2",
            params![serde_json::to_string(&w)?, seq],
        )?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{attempt, delivery, webhook};
    use crate::store::sqlite::tests::{count, ids};
    use crate::store::{AttemptRecord, DeliveryStatus, Outcome, Query, Store};

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
            conn: Arc::new(Mutex::new(conn)),
            reader: None,
            checkpoints: Mutex::new(None),
            webhooks: RwLock::default(),
            unindexed: AtomicUsize::new(0),
            index_every: usize::MAX,
        };
        let d = delivery("msg_1", DeliveryStatus::Pending);
        old.put_deliveries(&[d.clone(), delivery("msg_2", DeliveryStatus::Pending)])
            .unwrap();
        old.add_attempt(&attempt(0, "msg_1", Outcome::Timeout, 5))
            .unwrap();
        let conn = Arc::into_inner(old.conn).unwrap().into_inner().unwrap();

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
    fn a_version_5_database_reads_its_attempts_without_response_headers() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("{SCHEMA}{INDEXES}PRAGMA user_version = 5;"))
            .unwrap();
        let a = attempt(0, "msg_1", Outcome::Success, 5);
        let mut json = serde_json::to_value(&a).unwrap();
        json.as_object_mut().unwrap().remove("response_headers");
        conn.execute(
            "INSERT INTO attempts (id, delivery_id, webhook_id, json) VALUES (?1, ?2, ?3, ?4)",
            params![a.id, a.delivery_id, a.webhook_id, json.to_string()],
        )
        .unwrap();

        let s = SqliteStore::init(conn, 3).unwrap();
        assert_eq!(count(&s, "PRAGMA user_version"), SCHEMA_VERSION);
        let read = s.attempts(&Query::default()).unwrap();
        assert_eq!(read, std::slice::from_ref(&a));
        assert!(read[0].response_headers.is_empty());
        let kept = AttemptRecord {
            id: "atm_2".into(),
            response_headers: vec![("x-request-id".into(), "r1".into())],
            ..a
        };
        s.add_attempt(&kept).unwrap();
        assert_eq!(s.attempts(&Query::default()).unwrap()[0], kept);
    }

    #[test]
    fn a_version_6_database_gets_its_webhooks_rewritten() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("{SCHEMA}{INDEXES}PRAGMA user_version = 6;"))
            .unwrap();
        let stored = r#"{"id":"wh_1","type":"slack","url":"http://127.0.0.1:1/","profile":"stripe",
            "secret":"whsec_x","events":["*"],"enabled":true,"created_at":1,"updated_at":1}"#;
        conn.execute(
            "INSERT INTO webhooks (id, json) VALUES ('wh_1', ?1)",
            params![stored],
        )
        .unwrap();

        let s = SqliteStore::init(conn, 3).unwrap();
        assert_eq!(count(&s, "PRAGMA user_version"), SCHEMA_VERSION);
        let w = s.webhook("wh_1").unwrap().unwrap();
        assert_eq!(w.kind, crate::store::Kind::Slack);
        let json: String = s
            .conn()
            .query_row("SELECT json FROM webhooks", [], |r| r.get(0))
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            (&json["kind"], &json["segments"]),
            (&serde_json::json!("slack"), &serde_json::json!([]))
        );
        assert!(json.get("type").is_none(), "{json}");
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
