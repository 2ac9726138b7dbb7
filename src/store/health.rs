//! Is the database alive? For `/healthz`: a reader answers `SELECT 1` and
//! the writer thread takes a job. The check is shared: a result at most
//! [`FRESH`] old answers at once, and when it is older one caller redoes it
//! while the others wait for that one, so a health check under load costs a
//! few atomic loads instead of two thread round trips.

use super::Db;
use crate::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A passed check younger than this answers.
pub const FRESH: Duration = Duration::from_secs(1);

pub(super) struct Liveness {
    base: Instant,
    /// Microseconds after `base` of the last passed check, plus one (0: none yet).
    passed_at: AtomicU64,
    /// One check at a time.
    gate: tokio::sync::Mutex<()>,
}

impl Liveness {
    pub(super) fn new() -> Self {
        Liveness {
            base: Instant::now(),
            passed_at: AtomicU64::new(0),
            gate: tokio::sync::Mutex::new(()),
        }
    }

    fn now(&self) -> u64 {
        self.base.elapsed().as_micros() as u64 + 1
    }

    fn fresh(&self, within: Duration) -> bool {
        let at = self.passed_at.load(Ordering::Acquire);
        at != 0 && self.now().saturating_sub(at) < within.as_micros() as u64
    }
}

impl Db {
    /// Ok if a reader answered and the writer took a job within `within`
    /// (checking again now if the last check is older, or failed).
    pub async fn alive(&self, within: Duration) -> Result<(), Error> {
        let live = &self.liveness;
        if live.fresh(within) {
            return Ok(());
        }
        let _one = live.gate.lock().await;
        // Someone else may have checked while this caller waited.
        if live.fresh(within) {
            return Ok(());
        }
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await?;
        self.ping_writer().await?;
        live.passed_at.store(live.now(), Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stopped_writer_is_seen_once_the_check_is_old() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::open(&dir.path().join("t.sqlite3"), 1).unwrap();
        let checks = || db.stats.reads_done.load(Ordering::Relaxed);
        db.alive(FRESH).await.unwrap();
        assert_eq!(checks(), 1);
        // Fresh: answered from the shared result, no new round trip.
        db.alive(FRESH).await.unwrap();
        assert_eq!(checks(), 1);
        // Asked for a result newer than any: checked again.
        db.alive(Duration::ZERO).await.unwrap();
        assert_eq!(checks(), 2);
        // A writer that is gone fails the next real check.
        let mut dead = db.clone();
        dead.writer = std::sync::mpsc::channel().0;
        assert!(dead.alive(FRESH).await.is_ok(), "still fresh");
        assert!(dead.alive(Duration::ZERO).await.is_err());
    }
}
