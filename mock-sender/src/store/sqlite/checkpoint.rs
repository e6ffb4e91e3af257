//! The WAL's upkeep for `--db` files, on a thread and connection of its own (not inside
//! whichever commit crossed SQLite's threshold: that commit, and every delivery waiting on
//! the store's writer behind it, would stall for the fsyncs).
//!
//! Every [`CHECKPOINT_EVERY`] a passive checkpoint copies the WAL into the database file
//! without waiting for the writer. Under a load that never pauses it never catches up, so
//! the WAL would never start over and would grow without bound: past [`WAL_LIMIT_BYTES`] a
//! RESTART checkpoint waits for the writer (a pause of the copy's length) so that the next
//! commit starts the WAL over, and `journal_size_limit` trims the file. Once no commit has
//! come for [`IDLE_ROUNDS`] rounds, a TRUNCATE checkpoint empties the file; a clean exit
//! empties it too (`SqliteStore::close`).

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::store::StoreError;

/// How often the checkpoint thread copies the WAL into the database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// The WAL's size past which a checkpoint waits for the writer to start it over; also its
/// `journal_size_limit`, what a WAL that starts over is trimmed to.
pub const WAL_LIMIT_BYTES: i64 = 64 * 1024 * 1024;

/// Rounds without a commit after which the WAL file is emptied (1 s).
const IDLE_ROUNDS: u32 = 4;

/// How long a clean exit's TRUNCATE checkpoint retries while a reader still uses the WAL.
const CLOSE_PATIENCE: Duration = Duration::from_secs(5);

/// The running checkpoint thread; [`Checkpoints::stop`] ends it and waits for it.
pub(super) struct Checkpoints {
    stop: mpsc::Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpoints {
    /// Ends the thread after its current round, so that no checkpoint of its own runs
    /// beside the one a clean exit makes.
    pub(super) fn stop(&mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts the thread with its own connection to `path`; it runs until stopped or dropped.
pub(super) fn spawn(path: &Path) -> Result<Checkpoints, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            let mut upkeep = Upkeep::default();
            loop {
                match stopped.recv_timeout(CHECKPOINT_EVERY) {
                    Err(RecvTimeoutError::Timeout) => {
                        // A failure (busy past the timeout) is retried next round.
                        if let Err(e) = upkeep.round(&conn, page_size) {
                            tracing::warn!(error = %e, "WAL checkpoint failed");
                        }
                    }
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        })?;
    Ok(Checkpoints {
        stop,
        thread: Some(thread),
    })
}

/// Empties the WAL file on a clean exit: a TRUNCATE checkpoint, retried while another
/// connection still reads from the WAL (SQLite then reports it busy and leaves the file).
pub(super) fn truncate(conn: &Connection) -> Result<(), StoreError> {
    let deadline = Instant::now() + CLOSE_PATIENCE;
    loop {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(StoreError::WalInUse);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A checkpoint: `PASSIVE`, `RESTART` or `TRUNCATE`; the WAL's frames, and how many of
/// them are now in the database file.
pub(super) fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
}

#[derive(Default)]
struct Upkeep {
    /// The WAL's frames after the previous round.
    frames: i64,
    /// Rounds in a row in which no frame came.
    idle: u32,
}

impl Upkeep {
    fn round(&mut self, conn: &Connection, page_size: i64) -> rusqlite::Result<()> {
        let (frames, copied) = checkpoint(conn, "PASSIVE")?;
        if frames.saturating_mul(page_size) > WAL_LIMIT_BYTES {
            checkpoint(conn, "RESTART")?;
        } else if frames > 0 && frames == copied && frames == self.frames {
            self.idle += 1;
            if self.idle >= IDLE_ROUNDS {
                checkpoint(conn, "TRUNCATE")?;
            }
        } else {
            self.idle = 0;
        }
        self.frames = frames;
        Ok(())
    }
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

    #[test]
    fn the_wal_is_emptied_once_idle_and_on_close() {
        let path = std::env::temp_dir().join(format!("hookproof-idle-{}.db", ulid::Ulid::new()));
        let wal = || {
            std::fs::metadata(format!("{}-wal", path.display()))
                .map(|m| m.len())
                .unwrap_or(0)
        };
        let s = SqliteStore::open(&path).unwrap();
        for i in 0..300 {
            s.put_webhook(&webhook(&format!("wh_{i}"))).unwrap();
        }
        assert!(wal() > 0);
        let deadline = std::time::Instant::now() + CHECKPOINT_EVERY * 40;
        while wal() > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(CHECKPOINT_EVERY / 5);
        }
        assert_eq!(wal(), 0, "an idle store's WAL is emptied");
        s.put_webhook(&webhook("wh_last")).unwrap();
        assert!(wal() > 0);
        s.close().unwrap();
        assert_eq!(wal(), 0, "close empties the WAL");
        drop(s);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
