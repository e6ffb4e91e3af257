//! The inbox tables of the `--db` file, on the store's connection (so its writes take the
//! writer thread's turn as every other): settings and captures as JSON next to the columns
//! the queries filter on.

use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};

use super::{limit_of, CaptureCount, InboxStore};
use super::{Capture, InboxConfig};
use crate::store::sqlite::lock;
use crate::store::StoreError;

/// The inbox tables of the `--db` file.
pub struct SqliteInboxes {
    /// The store's write connection.
    conn: Arc<Mutex<Connection>>,
    /// The store's read connection (its write connection in a store in memory).
    reader: Arc<Mutex<Connection>>,
}

impl SqliteInboxes {
    /// The inbox tables on `conn`, `SqliteStore`'s write connection (added if missing),
    /// read through `reader`.
    pub(in crate::store) fn on(
        conn: Arc<Mutex<Connection>>,
        reader: Arc<Mutex<Connection>>,
    ) -> Result<SqliteInboxes, StoreError> {
        let inboxes = SqliteInboxes { conn, reader };
        inboxes.create_tables()?;
        Ok(inboxes)
    }

    fn create_tables(&self) -> Result<(), StoreError> {
        let mut conn = self.conn();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS inboxes (name TEXT PRIMARY KEY, json TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS inbox_captures (
               id TEXT PRIMARY KEY, inbox TEXT NOT NULL, received_at INTEGER NOT NULL,
               json TEXT NOT NULL, delivery_id TEXT);",
        )?;
        add_delivery_ids(&mut conn)?;
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS inbox_captures_by_inbox ON inbox_captures (inbox, id);
             CREATE INDEX IF NOT EXISTS inbox_captures_by_time ON inbox_captures (received_at);
             CREATE INDEX IF NOT EXISTS inbox_captures_by_delivery_id
               ON inbox_captures (inbox, delivery_id, id) WHERE delivery_id IS NOT NULL;",
        )?;
        Ok(())
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    fn reader(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.reader)
    }
}

/// A file whose `inbox_captures` has no `delivery_id` column gets it, filled from each
/// row's JSON (the id its scheme reads from its headers or body).
fn add_delivery_ids(conn: &mut Connection) -> Result<(), StoreError> {
    let has_column: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('inbox_captures') WHERE name = 'delivery_id'",
        [],
        |r| r.get(0),
    )?;
    if has_column {
        return Ok(());
    }
    let tx = conn.transaction()?;
    tx.execute_batch("ALTER TABLE inbox_captures ADD COLUMN delivery_id TEXT")?;
    let rows = {
        let mut stmt = tx.prepare("SELECT id, json FROM inbox_captures")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    for (id, json) in rows {
        let mut c: Capture = serde_json::from_str(&json)?;
        let Some(scheme) = c.scheme.as_deref().and_then(|s| s.parse().ok()) else {
            continue;
        };
        c.delivery_id = super::records::delivery_id(scheme, &c.joined_headers(), &c.body_bytes());
        tx.execute(
            "UPDATE inbox_captures SET delivery_id = ?1, json = ?2 WHERE id = ?3",
            params![c.delivery_id, serde_json::to_string(&c)?, id],
        )?;
    }
    tx.commit()?;
    Ok(())
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
            .reader()
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
            "INSERT OR REPLACE INTO inbox_captures (id, inbox, received_at, json, delivery_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                capture.id,
                capture.inbox,
                capture.received_at,
                serde_json::to_string(capture)?,
                capture.delivery_id
            ],
        )?;
        Ok(())
    }
    fn capture(&self, inbox: &str, id: &str) -> Result<Option<Capture>, StoreError> {
        let json: Option<String> = self
            .reader()
            .query_row(
                "SELECT json FROM inbox_captures WHERE id = ?1 AND inbox = ?2",
                [id, inbox],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }
    fn captures(&self, inbox: &str, limit: Option<u32>) -> Result<Vec<Capture>, StoreError> {
        let conn = self.reader();
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
    fn captures_by_delivery_id(
        &self,
        inbox: &str,
        delivery_id: &str,
    ) -> Result<Vec<Capture>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT json FROM inbox_captures INDEXED BY inbox_captures_by_delivery_id
             WHERE inbox = ?1 AND delivery_id = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map([inbox, delivery_id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?)?);
        }
        Ok(out)
    }
    fn inboxes(&self) -> Result<Vec<InboxConfig>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached("SELECT json FROM inboxes ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?)?);
        }
        Ok(out)
    }
    fn capture_counts(&self) -> Result<Vec<CaptureCount>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT inbox, count(*), max(received_at) FROM inbox_captures
             GROUP BY inbox ORDER BY inbox",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CaptureCount {
                inbox: r.get(0)?,
                captures: r.get(1)?,
                last_received_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
    fn prune(&self, before_ms: i64) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM inbox_captures WHERE received_at < ?1",
            [before_ms],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    fn open(path: &std::path::Path) -> SqliteInboxes {
        crate::store::SqliteStore::open(path)
            .unwrap()
            .inboxes()
            .unwrap()
    }

    #[test]
    fn sqlite_finds_captures_by_delivery_id_through_its_index() {
        let dir = temp_dir();
        let store = open(&dir.join("db.sqlite"));
        both_stores_find_captures_by_delivery_id(&store);
        let plan: String = store
            .conn()
            .query_row(
                "EXPLAIN QUERY PLAN SELECT json FROM inbox_captures
                 WHERE inbox = 'a' AND delivery_id = 'm' ORDER BY id",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("inbox_captures_by_delivery_id"), "{plan}");
        drop(store);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_without_delivery_ids_gets_them_on_open() {
        let dir = temp_dir();
        let path = dir.join("db.sqlite");
        let mut c = capture("cap_1", "a", 10);
        c.scheme = Some("github".into());
        c.headers = vec![
            ("x-github-delivery".into(), "d-1".into()),
            (
                "x-hub-signature-256".into(),
                format!("sha256={}", "0".repeat(64)),
            ),
        ];
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE inbox_captures (id TEXT PRIMARY KEY, inbox TEXT NOT NULL,
                   received_at INTEGER NOT NULL, json TEXT NOT NULL);",
            )
            .unwrap();
            let mut json = serde_json::to_value(&c).unwrap();
            json.as_object_mut().unwrap().remove("delivery_id");
            conn.execute(
                "INSERT INTO inbox_captures VALUES ('cap_1', 'a', 10, ?1)",
                [json.to_string()],
            )
            .unwrap();
        }
        let store = open(&path);
        let found = store.captures_by_delivery_id("a", "d-1").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].delivery_id.as_deref(), Some("d-1"));
        drop(store);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn sqlite() {
        let dir = temp_dir();
        let store = open(&dir.join("db.sqlite"));
        both_stores_keep_captures_alike(&store);
        drop(store);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
