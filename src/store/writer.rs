//! The writer thread. It takes every write waiting in its queue (up to
//! [`Limits::jobs`] of them, and adds no more once the batch has run for
//! [`Limits::time`]) into one IMMEDIATE transaction, each job inside its own
//! SAVEPOINT: a job that returns an error or panics is rolled back to its
//! savepoint alone and its caller gets its own error, while the others go on.
//! One COMMIT (synchronous=FULL) makes the whole batch durable, and only then
//! do the callers of the successful jobs hear back; if the commit fails, every
//! job of the batch gets the error and nothing of it is saved.
//!
//! The jobs see the database exactly as if they had run one after another in
//! their own transactions: in queue order, each after the effects of the
//! successful ones before it. (A job must not end the transaction itself —
//! none issues COMMIT, ROLLBACK or a PRAGMA that cannot change inside a
//! transaction; a job may use savepoints of its own.)

use super::cache::Caches;
use super::{DbStats, panicked};
use crate::error::Error;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How large a batch may grow.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// At most this many jobs taken into one transaction.
    pub jobs: usize,
    /// No job is added once the batch has run this long, so that no batch
    /// holds the writer (and its first callers) long.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            jobs: 256,
            time: Duration::from_millis(50),
        }
    }
}

pub(super) enum Job {
    /// A write: runs in the batch's transaction, in its own savepoint.
    Write(Box<dyn Step>),
    /// A round trip without a transaction (is the writer alive?).
    Ping(oneshot::Sender<()>),
}

/// One write job, its result type erased: run it, then answer its caller
/// once the batch's fate is known.
pub(super) trait Step: Send {
    /// Its caller stopped waiting (the request timed out or its client left).
    fn abandoned(&self) -> bool;
    /// Runs the job's closure (once); an Ok value is kept for `answer`.
    fn run(&mut self, tx: &Transaction) -> Result<(), Error>;
    /// Tells the caller: the kept value if `outcome` is Ok, else the error.
    fn answer(self: Box<Self>, outcome: Result<(), Error>);
}

pub(super) struct Write<T, F> {
    f: Option<F>,
    value: Option<T>,
    reply: oneshot::Sender<Result<T, Error>>,
}

impl<T, F> Write<T, F> {
    pub(super) fn new(f: F, reply: oneshot::Sender<Result<T, Error>>) -> Self {
        Write {
            f: Some(f),
            value: None,
            reply,
        }
    }
}

impl<T, F> Step for Write<T, F>
where
    T: Send,
    F: FnOnce(&Transaction) -> Result<T, Error> + Send,
{
    fn abandoned(&self) -> bool {
        self.reply.is_closed()
    }

    fn run(&mut self, tx: &Transaction) -> Result<(), Error> {
        let f = self
            .f
            .take()
            .ok_or_else(|| Error::Internal("a write job ran twice".into()))?;
        self.value = Some(f(tx)?);
        // Whatever the step published or changed without an entry of its
        // own is anchored before its savepoint is released.
        crate::store::anchor::flush(tx)?;
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<(), Error>) {
        let Write { value, reply, .. } = *self;
        let res = outcome.and_then(|()| {
            value.ok_or_else(|| Error::Internal("a write job has no result".into()))
        });
        let _ = reply.send(res);
    }
}

/// The writer thread's loop, until every sender is gone (shutdown).
pub(super) fn run(
    mut conn: Connection,
    rx: Receiver<Job>,
    stats: &DbStats,
    limits: Limits,
    caches: &Caches,
) {
    if let Err(e) = caches.watch(&conn) {
        // Without the triggers nothing could tell a cached session is
        // stale: refuse every write rather than serve stale rights.
        tracing::error!(error = %e, "cannot install the cache triggers");
        return;
    }
    while let Ok(job) = rx.recv() {
        if let Some(first) = live(job, stats) {
            batch(&mut conn, first, &rx, stats, limits, caches);
        }
    }
    // All senders gone: the server is shutting down. Fold the WAL back.
    let _ = conn.pragma_update(None, "wal_checkpoint", "TRUNCATE");
}

/// The write in `job` if someone still waits for it; a ping is answered at
/// once, and a job nobody waits for any more is dropped undone, so a request
/// answered "timed out" was not saved after all.
fn live(job: Job, stats: &DbStats) -> Option<Box<dyn Step>> {
    match job {
        Job::Ping(p) => {
            let _ = p.send(());
            None
        }
        Job::Write(s) if s.abandoned() => {
            stats.writes_queued.fetch_sub(1, Ordering::Relaxed);
            None
        }
        Job::Write(s) => Some(s),
    }
}

/// The next live write waiting in the queue, if the batch may still grow.
fn more(
    rx: &Receiver<Job>,
    stats: &DbStats,
    limits: Limits,
    started: Instant,
    taken: &mut usize,
) -> Option<Box<dyn Step>> {
    while *taken < limits.jobs && started.elapsed() < limits.time {
        let job = rx.try_recv().ok()?;
        if let Some(s) = live(job, stats) {
            *taken += 1;
            return Some(s);
        }
    }
    None
}

fn answer(stats: &DbStats, step: Box<dyn Step>, outcome: Result<(), Error>) {
    stats.writes_queued.fetch_sub(1, Ordering::Relaxed);
    stats.writes_done.fetch_add(1, Ordering::Relaxed);
    step.answer(outcome);
}

fn batch(
    conn: &mut Connection,
    first: Box<dyn Step>,
    rx: &Receiver<Job>,
    stats: &DbStats,
    limits: Limits,
    caches: &Caches,
) {
    let mut b = Batch {
        rx,
        stats,
        limits,
        started: Instant::now(),
        taken: 1,
    };
    let mut next = Some(first);
    // One transaction, unless SQLite itself ended it midway (a disk error):
    // then the rest of the batch goes on in a fresh one.
    while let Some(step) = next.take() {
        next = transaction(conn, step, &mut b, caches);
    }
}

/// A batch being gathered: where its jobs come from and how far it may grow.
struct Batch<'a> {
    rx: &'a Receiver<Job>,
    stats: &'a DbStats,
    limits: Limits,
    started: Instant,
    taken: usize,
}

impl Batch<'_> {
    fn more(&mut self) -> Option<Box<dyn Step>> {
        more(
            self.rx,
            self.stats,
            self.limits,
            self.started,
            &mut self.taken,
        )
    }
}

/// Runs `first` and the live jobs behind it in one transaction and commits.
/// Returns the next job if the transaction was lost before the batch was full.
fn transaction(
    conn: &mut Connection,
    first: Box<dyn Step>,
    b: &mut Batch,
    caches: &Caches,
) -> Option<Box<dyn Step>> {
    let stats = b.stats;
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            answer(stats, first, Err(e.into()));
            return None;
        }
    };
    // Run and released, waiting for the commit.
    let mut done: Vec<Box<dyn Step>> = Vec::new();
    let mut step = Some(first);
    while let Some(mut s) = step.take() {
        match in_savepoint(&tx, s.as_mut()) {
            Ok(()) => done.push(s),
            Err(e) => {
                answer(stats, s, Err(e));
                if tx.is_autocommit() {
                    // SQLite rolled the whole transaction back: the jobs
                    // before this one are undone too.
                    drop(tx);
                    caches.transaction_ended(conn);
                    tracing::error!(
                        jobs = done.len(),
                        "the write transaction was rolled back by SQLite"
                    );
                    for d in done {
                        answer(stats, d, Err(not_saved("it was rolled back")));
                    }
                    return b.more();
                }
            }
        }
        step = b.more();
    }
    let committed = tx.commit();
    // Committed or not, the caches hear of it before any caller hears back.
    caches.transaction_ended(conn);
    match committed {
        Ok(()) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            for d in done {
                answer(stats, d, Ok(()));
            }
        }
        Err(e) => {
            // The transaction is rolled back as it drops.
            tracing::error!(error = %e, jobs = done.len(), "a write batch failed to commit");
            for d in done {
                answer(stats, d, Err(not_saved(&e.to_string())));
            }
        }
    }
    None
}

fn not_saved(why: &str) -> Error {
    Error::Internal(format!("the write was not saved: {why}"))
}

/// Runs one job inside `SAVEPOINT job`: released if it succeeds, rolled back
/// to alone if it fails, panics, or its caller left while it ran.
fn in_savepoint(tx: &Transaction, s: &mut dyn Step) -> Result<(), Error> {
    // Kept prepared: parsed once, not twice a job.
    tx.prepare_cached("SAVEPOINT job")?.execute([])?;
    let res = catch_unwind(AssertUnwindSafe(|| s.run(tx)))
        .unwrap_or_else(|p| Err(panicked("write", p)))
        .and_then(|()| {
            if s.abandoned() {
                Err(Error::Internal("the request was abandoned".into()))
            } else {
                Ok(())
            }
        })
        .and_then(|()| Ok(tx.prepare_cached("RELEASE job")?.execute([]).map(drop)?));
    if res.is_err() {
        // Also undoes any savepoint of the job's own left open. Fails only
        // when SQLite already ended the transaction, which the caller sees.
        let _ = tx.execute_batch("ROLLBACK TO job; RELEASE job");
    }
    res
}
