//! The write path: deliveries, their bodies (stored once per text) and attempts, several
//! rows in one transaction.

use std::sync::atomic::Ordering;

use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};

use super::*;
use crate::store::{AttemptRecord, Body, DeliveryRecord, StoreError};

pub(super) const UPSERT_WEBHOOK: &str = "INSERT INTO webhooks (id, json) VALUES (?1, ?2)
     ON CONFLICT(id) DO UPDATE SET json = excluded.json RETURNING seq";
const UPSERT_DELIVERY: &str =
    "INSERT INTO deliveries (id, webhook_id, status, event_type, updated_at, json, body_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT(id) DO UPDATE SET
         status = excluded.status, updated_at = excluded.updated_at, json = excluded.json";
const INSERT_BODY: &str =
    "INSERT INTO bodies (hash, text) VALUES (?1, ?2) ON CONFLICT(hash) DO NOTHING";
const INSERT_ATTEMPT: &str =
    "INSERT INTO attempts (id, delivery_id, webhook_id, failed, delivered_at, json)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

impl SqliteStore {
    /// Every row, in order, in one transaction. Serialised before the lock is taken, so
    /// the API's reads wait less.
    pub(super) fn write_rows(&self, rows: &[Row<'_>]) -> Result<(), StoreError> {
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

/// The key of a body in `bodies`.
pub(super) fn body_hash(body: &Body) -> [u8; 32] {
    Sha256::digest(body.as_bytes()).into()
}

/// A delivery's `json` column: the record with an empty body (`bodies` has it).
pub(super) fn json_without_body(d: &DeliveryRecord) -> serde_json::Result<String> {
    serde_json::to_string(&DeliveryRecord {
        body: Body::default(),
        ..d.clone()
    })
}

pub(super) fn put_body(conn: &Connection, hash: &[u8; 32], body: &Body) -> Result<(), StoreError> {
    conn.prepare_cached(INSERT_BODY)?
        .execute(params![&hash[..], &**body])?;
    Ok(())
}

/// One row of a `Store::write` batch.
pub(super) enum Row<'a> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{attempt, delivery};
    use crate::store::sqlite::tests::count;
    use crate::store::{DeliveryStatus, Outcome, Query, Store};

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
}
