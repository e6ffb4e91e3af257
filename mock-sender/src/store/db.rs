//! `Db`: the store as async code reaches it. Writes go to the writer thread, reads of rows
//! to the blocking pool, reads of webhooks answer at once; a store that never blocks is
//! called inline (the rule in the module docs of `store`).

use std::path::Path;
use std::sync::Arc;

use super::inbox::{CaptureCount, InboxStore, MemoryInboxes};
use super::{
    AttemptRecord, DeliveryCounts, DeliveryRecord, MemoryStore, Query, SqliteStore, Store,
    StoreError, WebhookRecord, Writer,
};
use crate::store::inbox::{Capture, InboxConfig};

/// The store and the inboxes beside it, behind one writer. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    stores: Arc<Stores>,
    writer: Writer,
}

struct Stores {
    store: Arc<dyn Store>,
    inboxes: Arc<dyn InboxStore>,
}

impl Db {
    /// `serve --db`: the file at `path` (made if missing), its inbox tables on the same
    /// connection, and the writer thread that writes it.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        let store = Arc::new(SqliteStore::open(path)?);
        let inboxes = Arc::new(store.inboxes()?);
        Db::with(store, inboxes)
    }

    /// `serve --memory`: deliveries and logs up to `limit` bytes, captures up to a quarter
    /// of it besides.
    pub fn memory(limit: usize) -> Db {
        let store = Arc::new(MemoryStore::with_limit(limit));
        let inboxes = Arc::new(MemoryInboxes::with_limit(limit / 4));
        Db::with(store, inboxes).expect("a memory store starts no thread")
    }

    /// Any store and inbox store (tests); the writer thread starts if `store` blocks.
    pub fn with(store: Arc<dyn Store>, inboxes: Arc<dyn InboxStore>) -> Result<Db, StoreError> {
        Ok(Db {
            writer: Writer::spawn(Arc::clone(&store))?,
            stores: Arc::new(Stores { store, inboxes }),
        })
    }

    /// A SQLite store in memory, with its writer thread (tests).
    #[cfg(test)]
    pub(crate) fn sqlite_in_memory() -> Db {
        let store = Arc::new(SqliteStore::memory().unwrap());
        let inboxes = Arc::new(store.inboxes().unwrap());
        Db::with(store, inboxes).unwrap()
    }

    /// `f`, a read, where it blocks no runtime worker: the blocking pool, or inline for a
    /// store that never blocks.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Stores) -> Result<T, StoreError> + Send + 'static,
    {
        if !self.stores.store.blocks() {
            return f(&self.stores);
        }
        let stores = Arc::clone(&self.stores);
        tokio::task::spawn_blocking(move || f(&stores))
            .await
            .map_err(|e| StoreError::ReadStopped(e.to_string()))?
    }

    /// `f`, a write, on the writer thread in its turn (inline for a store that never
    /// blocks).
    async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Stores) -> Result<T, StoreError> + Send + 'static,
    {
        let stores = Arc::clone(&self.stores);
        self.writer.run(move || f(&stores)).await
    }

    /// Called once on a clean exit, when nothing writes any more (`Store::close`).
    pub async fn close(&self) -> Result<(), StoreError> {
        self.write(|s| s.store.close()).await
    }

    // Webhooks: kept in memory by every store, so their reads answer at once.

    pub fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>, StoreError> {
        self.stores.store.webhook(id)
    }

    /// `Store::shared_webhook`: what every attempt reads.
    pub fn shared_webhook(&self, id: &str) -> Result<Option<Arc<WebhookRecord>>, StoreError> {
        self.stores.store.shared_webhook(id)
    }

    /// Oldest first: what every `POST /v1/events` reads.
    pub fn webhooks(&self) -> Result<Vec<Arc<WebhookRecord>>, StoreError> {
        self.stores.store.webhooks()
    }

    pub async fn put_webhook(&self, webhook: WebhookRecord) -> Result<(), StoreError> {
        self.write(move |s| s.store.put_webhook(&webhook)).await
    }

    pub async fn delete_webhook(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |s| s.store.delete_webhook(&id)).await
    }

    // Deliveries and attempts.

    /// Stores one event's deliveries (one transaction) and hands them back.
    pub async fn put_deliveries(
        &self,
        deliveries: Vec<DeliveryRecord>,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.writer.put_deliveries(deliveries).await
    }

    pub async fn put_delivery(&self, delivery: DeliveryRecord) -> Result<(), StoreError> {
        self.writer.put_delivery(delivery).await
    }

    /// Stores an attempt's log row, and the delivery after it unless `None` (a chaos
    /// extra), in one transaction; hands the row back.
    pub async fn record_attempt(
        &self,
        attempt: Arc<AttemptRecord>,
        delivery: Option<Arc<DeliveryRecord>>,
    ) -> Result<Arc<AttemptRecord>, StoreError> {
        self.writer.record_attempt(attempt, delivery).await
    }

    pub async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        let id = id.to_owned();
        self.read(move |s| s.store.delivery(&id)).await
    }

    /// Newest first.
    pub async fn deliveries(&self, query: &Query) -> Result<Vec<DeliveryRecord>, StoreError> {
        let query = query.clone();
        self.read(move |s| s.store.deliveries(&query)).await
    }

    pub async fn delivery_counts(&self, webhook_id: &str) -> Result<DeliveryCounts, StoreError> {
        let id = webhook_id.to_owned();
        self.read(move |s| s.store.delivery_counts(&id)).await
    }

    /// Newest first.
    pub async fn attempts(&self, query: &Query) -> Result<Vec<AttemptRecord>, StoreError> {
        let query = query.clone();
        self.read(move |s| s.store.attempts(&query)).await
    }

    /// Deletes logs and finished deliveries older than `before_ms`, and captures received
    /// before it; how many rows went (logs and deliveries, captures).
    pub async fn prune(&self, before_ms: i64) -> Result<(usize, usize), StoreError> {
        self.write(move |s| Ok((s.store.prune(before_ms)?, s.inboxes.prune(before_ms)?)))
            .await
    }

    // Inboxes and their captures.

    pub async fn put_inbox(&self, inbox: InboxConfig) -> Result<(), StoreError> {
        self.write(move |s| s.inboxes.put_inbox(&inbox)).await
    }

    pub async fn inbox(&self, name: &str) -> Result<Option<InboxConfig>, StoreError> {
        let name = name.to_owned();
        self.read(move |s| s.inboxes.inbox(&name)).await
    }

    /// Every configured inbox, by name.
    pub async fn inboxes(&self) -> Result<Vec<InboxConfig>, StoreError> {
        self.read(|s| s.inboxes.inboxes()).await
    }

    /// Deletes the inbox's settings and captures; whether it had either.
    pub async fn delete_inbox(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.write(move |s| s.inboxes.delete_inbox(&name)).await
    }

    pub async fn put_capture(&self, capture: Capture) -> Result<(), StoreError> {
        self.write(move |s| s.inboxes.put_capture(&capture)).await
    }

    /// Changes stored capture `id` of `inbox` by `change`, read and written back in one
    /// turn of the writer (no other write between); the capture after it, if stored.
    pub async fn update_capture<F>(
        &self,
        inbox: &str,
        id: &str,
        change: F,
    ) -> Result<Option<Capture>, StoreError>
    where
        F: FnOnce(&mut Capture) + Send + 'static,
    {
        let (inbox, id) = (inbox.to_owned(), id.to_owned());
        self.write(move |s| {
            let Some(mut c) = s.inboxes.capture(&inbox, &id)? else {
                return Ok(None);
            };
            change(&mut c);
            s.inboxes.put_capture(&c)?;
            Ok(Some(c))
        })
        .await
    }

    pub async fn capture(&self, inbox: &str, id: &str) -> Result<Option<Capture>, StoreError> {
        let (inbox, id) = (inbox.to_owned(), id.to_owned());
        self.read(move |s| s.inboxes.capture(&inbox, &id)).await
    }

    /// Newest first, at most `limit` (`inbox::DEFAULT_LIMIT`).
    pub async fn captures(
        &self,
        inbox: &str,
        limit: Option<u32>,
    ) -> Result<Vec<Capture>, StoreError> {
        let inbox = inbox.to_owned();
        self.read(move |s| s.inboxes.captures(&inbox, limit)).await
    }

    /// The inbox's captures with this `delivery_id`, oldest first.
    pub async fn captures_by_delivery_id(
        &self,
        inbox: &str,
        delivery_id: &str,
    ) -> Result<Vec<Capture>, StoreError> {
        let (inbox, id) = (inbox.to_owned(), delivery_id.to_owned());
        self.read(move |s| s.inboxes.captures_by_delivery_id(&inbox, &id))
            .await
    }

    /// Each inbox that holds captures, by name.
    pub async fn capture_counts(&self) -> Result<Vec<CaptureCount>, StoreError> {
        self.read(|s| s.inboxes.capture_counts()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{delivery, webhook};
    use crate::store::DeliveryStatus;

    /// Called from a current-thread runtime, a `--db` store's reads and writes still
    /// complete: they run on other threads, not on the one worker.
    #[tokio::test(flavor = "current_thread")]
    async fn a_file_store_answers_off_the_runtime() {
        let dir = std::env::temp_dir().join(format!("hookproof-db-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(&dir.join("db.sqlite")).unwrap();
        db.put_webhook(webhook("wh_1")).await.unwrap();
        assert!(db.webhook("wh_1").unwrap().is_some());
        db.put_deliveries(vec![delivery("msg_1", DeliveryStatus::Pending)])
            .await
            .unwrap();
        let d = db.delivery("msg_1").await.unwrap().unwrap();
        assert_eq!(d.status, DeliveryStatus::Pending);
        db.put_inbox(InboxConfig::unconfigured("a")).await.unwrap();
        assert_eq!(db.inboxes().await.unwrap().len(), 1);
        assert!(db.delete_webhook("wh_1").await.unwrap());
        db.close().await.unwrap();
        drop(db);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_memory_store_is_called_inline() {
        let db = Db::memory(1 << 20);
        db.put_webhook(webhook("wh_1")).await.unwrap();
        assert_eq!(db.webhooks().unwrap().len(), 1);
        assert_eq!(db.prune(i64::MAX).await.unwrap(), (0, 0));
    }
}
