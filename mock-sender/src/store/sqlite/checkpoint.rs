//! WAL checkpoints, on a thread and connection of their own.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use rusqlite::Connection;

use crate::store::StoreError;

/// How often the checkpoint thread copies the WAL into the database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// A thread with its own connection to `path` that runs a passive checkpoint every
/// [`CHECKPOINT_EVERY`] (never waiting for the writer, which carries on appending to the
/// WAL meanwhile) until the returned sender is dropped.
pub(super) fn checkpoint_thread(path: &Path) -> Result<mpsc::Sender<()>, StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::webhook;
    use crate::store::sqlite::SqliteStore;

    use crate::store::Store;

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
}
