//! Every write to a store that blocks (`Store::blocks`: the `--db` file) is made on one
//! thread of its own, in the order they were handed over: a runtime worker never waits
//! for the store's lock or the disk, and the delivery path's writes that arrive together
//! (the attempts of concurrent deliveries) share one transaction (a group commit). The
//! other writes (webhooks, inboxes, captures, pruning, the checkpoint on exit) take their
//! turn between those batches. A store that does not block (the memory store) is written
//! inline: handing it the write and waiting for the thread would cost more than the write.

use std::sync::{mpsc, Arc};

use tokio::sync::oneshot;

use super::{AttemptRecord, DeliveryRecord, Store, StoreError, Write};

/// Writes gathered into one transaction at most.
const MAX_BATCH: usize = 256;

enum Job {
    /// A write of the delivery path, batched with the ones queued beside it.
    Write {
        write: Write,
        done: oneshot::Sender<Result<Write, StoreError>>,
    },
    /// Any other write: run alone, in its turn (it answers through its own channel).
    Run(Box<dyn FnOnce() + Send>),
}

/// A handle on the writer thread, which ends when the last handle is dropped; or on a
/// store written inline.
#[derive(Clone)]
pub struct Writer(Via);

#[derive(Clone)]
enum Via {
    Thread(mpsc::Sender<Job>),
    Inline(Arc<dyn Store>),
}

impl Writer {
    /// Starts the writer thread, unless `store` is written inline.
    pub fn spawn(store: Arc<dyn Store>) -> std::io::Result<Writer> {
        if !store.blocks() {
            return Ok(Writer(Via::Inline(store)));
        }
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(&*store, &queue))?;
        Ok(Writer(Via::Thread(jobs)))
    }

    /// Stores one event's deliveries (`Store::put_deliveries`) and hands them back.
    pub async fn put_deliveries(
        &self,
        deliveries: Vec<DeliveryRecord>,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        match self.write(Write::Deliveries(deliveries)).await? {
            Write::Deliveries(ds) => Ok(ds),
            _ => unreachable!("the writer hands back what it was given"),
        }
    }

    /// `Store::put_delivery`.
    pub async fn put_delivery(&self, delivery: DeliveryRecord) -> Result<(), StoreError> {
        self.write(Write::Delivery(delivery)).await.map(drop)
    }

    /// Stores an attempt's log row, and the delivery after it unless `None` (a chaos
    /// extra), then hands the row back.
    pub async fn record_attempt(
        &self,
        attempt: Arc<AttemptRecord>,
        delivery: Option<Arc<DeliveryRecord>>,
    ) -> Result<Arc<AttemptRecord>, StoreError> {
        match self.write(Write::Attempt(attempt, delivery)).await? {
            Write::Attempt(a, _) => Ok(a),
            _ => unreachable!("the writer hands back what it was given"),
        }
    }

    /// Makes `write` durable (as the store is) and hands it back: when this returns, the
    /// rows are committed and every reader sees them.
    async fn write(&self, write: Write) -> Result<Write, StoreError> {
        let jobs = match &self.0 {
            Via::Thread(jobs) => jobs,
            Via::Inline(store) => return store.write(std::slice::from_ref(&write)).map(|()| write),
        };
        let (done, result) = oneshot::channel();
        jobs.send(Job::Write { write, done })
            .map_err(|_| StoreError::WriterGone)?;
        result.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Runs `write` (any write to the store, or to the inbox tables beside it) on the
    /// writer thread in its turn, or inline for a store written inline, and hands back
    /// what it returns.
    pub async fn run<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, StoreError> + Send + 'static,
    {
        let jobs = match &self.0 {
            Via::Thread(jobs) => jobs,
            Via::Inline(_) => return write(),
        };
        let (done, result) = oneshot::channel();
        let job = Box::new(move || {
            let _ = done.send(write());
        });
        jobs.send(Job::Run(job))
            .map_err(|_| StoreError::WriterGone)?;
        result.await.map_err(|_| StoreError::WriterGone)?
    }
}

fn run(store: &dyn Store, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = Vec::new();
        for job in std::iter::once(first).chain(queue.try_iter().take(MAX_BATCH - 1)) {
            match job {
                Job::Write { write, done } => batch.push((write, done)),
                Job::Run(other) => {
                    // In order: the writes queued before it first.
                    write_batch(store, std::mem::take(&mut batch));
                    other();
                }
            }
        }
        write_batch(store, batch);
    }
}

/// The delivery path's `batch` in one transaction, each told its own fate.
fn write_batch(store: &dyn Store, batch: Vec<(Write, oneshot::Sender<Result<Write, StoreError>>)>) {
    if batch.is_empty() {
        return;
    }
    let (writes, dones): (Vec<Write>, Vec<_>) = batch.into_iter().unzip();
    // A waiting task may have been aborted since: nobody to tell, hence `let _`.
    match store.write(&writes) {
        Ok(()) => {
            for (done, w) in dones.into_iter().zip(writes) {
                let _ = done.send(Ok(w));
            }
        }
        Err(e) if writes.len() == 1 => {
            if let Some(done) = dones.into_iter().next() {
                let _ = done.send(Err(e));
            }
        }
        // One write spoilt the batch: each on its own, so each learns its own fate.
        Err(_) => {
            for (done, w) in dones.into_iter().zip(writes) {
                let one = store.write(std::slice::from_ref(&w));
                let _ = done.send(one.map(|()| w));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{attempt, delivery};
    use crate::store::{DeliveryStatus, MemoryStore, Outcome, Query, SqliteStore};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bad_write_fails_alone_in_a_batch() {
        let store = Arc::new(SqliteStore::memory().unwrap());
        let writer = Writer::spawn(Arc::clone(&store) as Arc<dyn Store>).unwrap();
        assert!(matches!(writer.0, Via::Thread(_)));
        a_bad_write_fails_alone(&*store, &writer).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_memory_store_is_written_inline() {
        let store = Arc::new(MemoryStore::new());
        let writer = Writer::spawn(Arc::clone(&store) as Arc<dyn Store>).unwrap();
        assert!(matches!(writer.0, Via::Inline(_)));
        a_bad_write_fails_alone(&*store, &writer).await;
    }

    async fn a_bad_write_fails_alone(store: &dyn Store, writer: &Writer) {
        writer
            .put_deliveries(vec![delivery("msg_1", DeliveryStatus::Pending)])
            .await
            .unwrap();
        // 100 attempts at once (so some share a batch), one reusing an id.
        let results = futures_util::future::join_all((0..100).map(|i| {
            let a = attempt(if i == 50 { 0 } else { i }, "msg_1", Outcome::Success, 1);
            let d = delivery("msg_1", DeliveryStatus::Success);
            writer.record_attempt(Arc::new(a), Some(Arc::new(d)))
        }))
        .await;
        let failed: Vec<_> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_err())
            .map(|(i, _)| i)
            .collect();
        assert!(failed == [0] || failed == [50], "{failed:?}");
        let all = Query {
            limit: Some(1000),
            ..Query::default()
        };
        assert_eq!(store.attempts(&all).unwrap().len(), 99);
        let d = store.delivery("msg_1").unwrap().unwrap();
        assert_eq!(d.status, DeliveryStatus::Success);
    }
}
