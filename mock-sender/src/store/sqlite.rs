//! The SQLite store: a file for `serve --db`, in memory for `--memory` and tests.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;

use super::{AttemptRecord, DeliveryRecord, Query, Store, StoreError, WebhookRecord};

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
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status);
CREATE TABLE IF NOT EXISTS attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    delivery_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts (delivery_id);
";

/// Bumped whenever a stored record changes shape incompatibly.
const SCHEMA_VERSION: i64 = 2;

/// Rows returned when a listing sets no limit.
const DEFAULT_LIMIT: u32 = 1000;

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        // WAL keeps readers (the API) from waiting on the delivery writer.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        SqliteStore::init(conn)
    }

    pub fn memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<SqliteStore, StoreError> {
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'webhooks'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 && version != SCHEMA_VERSION {
            return Err(StoreError::Version(version));
        }
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent; carry on.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn parse_rows<T: DeserializeOwned>(rows: Vec<String>) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|s| serde_json::from_str(s).map_err(StoreError::from))
        .collect()
}

impl Store for SqliteStore {
    fn put_webhook(&self, webhook: &WebhookRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(webhook)?;
        self.conn().execute(
            "INSERT INTO webhooks (id, json) VALUES (?1, ?2)
             ON CONFLICT(id) DO UPDATE SET json = excluded.json",
            params![webhook.id, json],
        )?;
        Ok(())
    }

    fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>, StoreError> {
        let json: Option<String> = self
            .conn()
            .query_row("SELECT json FROM webhooks WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    fn webhooks(&self) -> Result<Vec<WebhookRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT json FROM webhooks ORDER BY seq")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        parse_rows(rows)
    }

    fn delete_webhook(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .execute("DELETE FROM webhooks WHERE id = ?1", [id])?
            > 0)
    }

    fn put_delivery(&self, d: &DeliveryRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(d)?;
        self.conn().execute(
            "INSERT INTO deliveries (id, webhook_id, status, event_type, json)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET status = excluded.status, json = excluded.json",
            params![d.id, d.webhook_id, d.status.as_str(), d.event_type, json],
        )?;
        Ok(())
    }

    fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        let json: Option<String> = self
            .conn()
            .query_row("SELECT json FROM deliveries WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    fn deliveries(&self, q: &Query) -> Result<Vec<DeliveryRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT json FROM deliveries
             WHERE (?1 IS NULL OR webhook_id = ?1)
               AND (?2 IS NULL OR status = ?2)
               AND (?3 IS NULL OR event_type = ?3)
             ORDER BY seq DESC LIMIT ?4",
        )?;
        let rows = stmt
            .query_map(
                params![
                    q.webhook_id,
                    q.status.map(|s| s.as_str()),
                    q.event_type,
                    q.limit.unwrap_or(DEFAULT_LIMIT)
                ],
                |r| r.get(0),
            )?
            .collect::<Result<Vec<String>, _>>()?;
        parse_rows(rows)
    }

    fn add_attempt(&self, a: &AttemptRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(a)?;
        self.conn().execute(
            "INSERT INTO attempts (id, delivery_id, webhook_id, json) VALUES (?1, ?2, ?3, ?4)",
            params![a.id, a.delivery_id, a.webhook_id, json],
        )?;
        Ok(())
    }

    fn attempts(&self, q: &Query) -> Result<Vec<AttemptRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT json FROM attempts
             WHERE (?1 IS NULL OR webhook_id = ?1)
               AND (?2 IS NULL OR delivery_id = ?2)
               AND (?3 IS NULL OR (json_extract(json, '$.outcome') NOT IN ('success', 'rejected')) = ?3)
             ORDER BY seq DESC LIMIT ?4",
        )?;
        let rows = stmt
            .query_map(
                params![
                    q.webhook_id,
                    q.delivery_id,
                    q.failed,
                    q.limit.unwrap_or(DEFAULT_LIMIT)
                ],
                |r| r.get(0),
            )?
            .collect::<Result<Vec<String>, _>>()?;
        parse_rows(rows)
    }

    fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        let conn = self.conn();
        let attempts = conn.execute(
            "DELETE FROM attempts WHERE json_extract(json, '$.delivered_at') < ?1",
            [before_ms],
        )?;
        let deliveries = conn.execute(
            "DELETE FROM deliveries
             WHERE status != 'pending' AND json_extract(json, '$.updated_at') < ?1",
            [before_ms],
        )?;
        Ok(attempts + deliveries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DeliveryStatus, Kind, Outcome};

    fn webhook(id: &str) -> WebhookRecord {
        WebhookRecord {
            id: id.into(),
            kind: Kind::Http,
            url: "http://127.0.0.1:1/".into(),
            profile: "standard".into(),
            secret: "whsec_x".into(),
            previous_secrets: vec![],
            events: vec!["*".into()],
            enabled: true,
            retry_schedule: None,
            description: None,
            chaos: None,
            created_at: 1,
            updated_at: 1,
        }
    }

    fn delivery(id: &str, status: DeliveryStatus) -> DeliveryRecord {
        DeliveryRecord {
            id: id.into(),
            webhook_id: "wh_1".into(),
            event_id: "evt_1".into(),
            event_type: "a.b".into(),
            body: "{}".into(),
            status,
            attempts: 0,
            max_attempts: 3,
            schedule: vec![0, 1, 2],
            next_attempt_at: Some(5),
            last_status_code: None,
            last_error: None,
            created_at: 1,
            updated_at: 1,
        }
    }

    fn attempt(i: usize, delivery_id: &str, outcome: Outcome, at: i64) -> AttemptRecord {
        AttemptRecord {
            id: format!("atm_{i}"),
            delivery_id: delivery_id.into(),
            webhook_id: "wh_1".into(),
            event: "a.b".into(),
            attempt: 1,
            url: "u".into(),
            delivered_at: at,
            response_time_ms: 0,
            outcome,
            status_code: None,
            error: None,
            response_body: None,
            request_headers: vec![],
            next_attempt_at: None,
            chaos: None,
        }
    }

    #[test]
    fn webhooks_round_trip_and_upsert_keeps_order() {
        let s = SqliteStore::memory().unwrap();
        s.put_webhook(&webhook("wh_1")).unwrap();
        s.put_webhook(&webhook("wh_2")).unwrap();
        let mut changed = webhook("wh_1");
        changed.url = "http://127.0.0.1:2/".into();
        s.put_webhook(&changed).unwrap();
        let all = s.webhooks().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], changed);
        assert!(s.delete_webhook("wh_2").unwrap());
        assert!(!s.delete_webhook("wh_2").unwrap());
        assert_eq!(s.webhook("wh_2").unwrap(), None);
    }

    #[test]
    fn deliveries_filter_by_status_newest_first() {
        let s = SqliteStore::memory().unwrap();
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

    #[test]
    fn attempts_filter_by_delivery_and_failure() {
        let s = SqliteStore::memory().unwrap();
        let outcomes = [Outcome::Timeout, Outcome::Success, Outcome::HttpError];
        for (i, d) in ["msg_1", "msg_2", "msg_1"].iter().enumerate() {
            s.add_attempt(&attempt(i, d, outcomes[i], 0)).unwrap();
        }
        let ids = |q: Query| -> Vec<String> {
            s.attempts(&q).unwrap().into_iter().map(|a| a.id).collect()
        };
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

    #[test]
    fn prune_keeps_recent_logs_and_pending_deliveries() {
        let s = SqliteStore::memory().unwrap();
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
}
