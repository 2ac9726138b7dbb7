//! SQLite: one writer connection on its own thread, a small pool of read-only
//! connections used from `spawn_blocking`, and numbered migrations at start-up.
//! Every write runs as one IMMEDIATE transaction, committed with
//! `synchronous=FULL` before the caller hears back.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod codes;
pub mod communities;
pub mod deliberations;
pub mod disclosures;
pub mod elevator;
pub mod ledger;
pub mod migrations;
pub mod objections;
pub mod places;
pub mod proposals;
pub mod proxies;
pub mod roll;
pub mod roll_previews;
pub mod round_imports;
pub mod rounds;
pub mod sessions;
pub mod vote_files;
pub mod votes;

use crate::error::Error;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::{Semaphore, oneshot};

/// Free text a person must write (an objection, a query, an answer):
/// trimmed, not empty, at most `max` characters.
pub fn required_text(text: &str, max: usize) -> Result<String, Error> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(Error::Invalid(crate::domain::Msg::new(
            format!("请写下内容（最多 {max} 字）"),
            format!("please write something ({max} characters at most)"),
        )));
    }
    Ok(t.to_string())
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// Counters for /metrics.
#[derive(Default, Debug)]
pub struct DbStats {
    pub writes_queued: AtomicUsize,
    pub writes_done: AtomicUsize,
    pub reads_in_use: AtomicUsize,
    pub reads_done: AtomicUsize,
}

#[derive(Clone)]
pub struct Db {
    writer: mpsc::Sender<Job>,
    readers: Arc<ReaderPool>,
    pub path: PathBuf,
    pub stats: Arc<DbStats>,
}

struct ReaderPool {
    conns: Mutex<Vec<Connection>>,
    permits: Semaphore,
    size: usize,
}

fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if writer {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
    } else {
        conn.pragma_update(None, "query_only", "ON")?;
    }
    Ok(())
}

/// Opens (creating if needed) the database and runs the migrations.
pub fn open(path: &Path, readers: usize) -> Result<Db, Error> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Internal(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut wconn = Connection::open(path)?;
    configure(&wconn, true)?;
    migrations::run(&mut wconn)?;
    let mut conns = Vec::with_capacity(readers);
    for _ in 0..readers.max(1) {
        let c = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        configure(&c, false)?;
        conns.push(c);
    }
    let size = conns.len();
    let stats = Arc::new(DbStats::default());
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || {
            let mut conn = wconn;
            while let Ok(job) = rx.recv() {
                job(&mut conn);
            }
            // All senders gone: the server is shutting down. Fold the WAL back.
            let _ = conn.pragma_update(None, "wal_checkpoint", "TRUNCATE");
        })
        .map_err(|e| Error::Internal(format!("cannot start writer thread: {e}")))?;
    Ok(Db {
        writer: tx,
        readers: Arc::new(ReaderPool {
            conns: Mutex::new(conns),
            permits: Semaphore::new(size),
            size,
        }),
        path: path.to_path_buf(),
        stats,
    })
}

impl Db {
    /// Runs `f` in one IMMEDIATE transaction on the writer connection. The
    /// transaction commits only if `f` returns Ok; the caller hears back after
    /// the commit is durable.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T, Error> + Send + 'static,
    {
        let (otx, orx) = oneshot::channel();
        let stats = self.stats.clone();
        stats.writes_queued.fetch_add(1, Ordering::Relaxed);
        let job: Job = Box::new(move |conn| {
            // Nobody waits any more (the request timed out or its client
            // left): do nothing, so a request answered "timed out" was not
            // saved after all.
            if otx.is_closed() {
                stats.writes_queued.fetch_sub(1, Ordering::Relaxed);
                return;
            }
            // A panic inside the step rolls its transaction back (the
            // transaction is dropped while unwinding), answers the caller
            // with an error, and leaves the writer thread running.
            let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let v = f(&tx)?;
                if otx.is_closed() {
                    // Gone while the step ran: roll back (the transaction drops).
                    return Err(Error::Internal("the request was abandoned".into()));
                }
                tx.commit()?;
                Ok(v)
            }))
            .unwrap_or_else(|p| Err(panicked("write", p)));
            stats.writes_queued.fetch_sub(1, Ordering::Relaxed);
            stats.writes_done.fetch_add(1, Ordering::Relaxed);
            let _ = otx.send(res);
        });
        self.writer
            .send(job)
            .map_err(|_| Error::Internal("the database writer has stopped".into()))?;
        orx.await
            .map_err(|_| Error::Internal("the database writer dropped a request".into()))?
    }

    /// Runs `f` on a read-only connection from the pool, off the async executor.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Error> + Send + 'static,
    {
        let _permit = self
            .readers
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Internal("reader pool closed".into()))?;
        let pool = self.readers.clone();
        let stats = self.stats.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool
                .conns
                .lock()
                .map_err(|_| Error::Internal("reader pool poisoned".into()))?
                .pop()
                .ok_or_else(|| Error::Internal("no reader connection free".into()))?;
            stats.reads_in_use.fetch_add(1, Ordering::Relaxed);
            // A panicking read still gives its connection back.
            let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&conn)))
                .unwrap_or_else(|p| Err(panicked("read", p)));
            stats.reads_in_use.fetch_sub(1, Ordering::Relaxed);
            stats.reads_done.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut v) = pool.conns.lock() {
                v.push(conn);
            }
            res
        })
        .await
        .map_err(|e| Error::Internal(format!("read task failed: {e}")))?
    }

    /// A round trip through the writer thread without a transaction: is it
    /// alive and taking jobs? (For `/healthz`.)
    pub async fn ping_writer(&self) -> Result<(), Error> {
        let (otx, orx) = oneshot::channel::<()>();
        let job: Job = Box::new(move |_| {
            let _ = otx.send(());
        });
        self.writer
            .send(job)
            .map_err(|_| Error::Internal("the database writer has stopped".into()))?;
        orx.await
            .map_err(|_| Error::Internal("the database writer dropped a request".into()))
    }

    pub fn reader_pool_size(&self) -> usize {
        self.readers.size
    }

    /// A consistent copy of the live database (readers and the writer may go
    /// on meanwhile): `VACUUM INTO` runs inside one read transaction.
    pub async fn backup_to(&self, out: PathBuf) -> Result<(), Error> {
        let src = self.path.clone();
        tokio::task::spawn_blocking(move || backup_file(&src, &out))
            .await
            .map_err(|e| Error::Internal(format!("backup task failed: {e}")))?
    }
}

/// The error a panicking job answers with; the panic is logged.
fn panicked(kind: &str, p: Box<dyn std::any::Any + Send>) -> Error {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(kind, panic = %what, "a database job panicked; its transaction was rolled back");
    Error::Internal(format!(
        "a database {kind} failed unexpectedly; nothing was saved"
    ))
}

/// Writes a consistent copy of the database at `src` to `out` (which must not exist).
pub fn backup_file(src: &Path, out: &Path) -> Result<(), Error> {
    if out.exists() {
        return Err(Error::Internal(format!(
            "{} already exists; choose a new file name",
            out.display()
        )));
    }
    let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let target = out
        .to_str()
        .ok_or_else(|| Error::Internal("backup path is not UTF-8".into()))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}

/// Seconds since the Unix epoch, UTC.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// True when a SQLite error is a UNIQUE or other constraint violation, which
/// handlers turn into a field error rather than a 500.
pub fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_rolls_back_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("t.sqlite3"), 1).unwrap();
        let r: Result<(), Error> = db
            .write(|tx| {
                tx.execute(
                    "INSERT INTO communities (slug, name, kind, created_at) VALUES ('x', 'x', 'village', 0)",
                    [],
                )?;
                panic!("a bug in a step");
            })
            .await;
        assert!(matches!(r, Err(Error::Internal(_))), "{r:?}");
        // The next write succeeds; the panicking one left nothing behind.
        db.write(|tx| {
            tx.execute(
                "INSERT INTO communities (slug, name, kind, created_at) VALUES ('y', 'y', 'village', 0)",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let slugs: Vec<String> = db
            .read(|c| {
                let mut s = c.prepare("SELECT slug FROM communities ORDER BY slug")?;
                let v = s
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()?;
                Ok(v)
            })
            .await
            .unwrap();
        assert_eq!(slugs, ["y"]);
        db.ping_writer().await.unwrap();
    }

    /// A write whose caller stopped waiting (a request that timed out) is
    /// not done later behind its back.
    #[tokio::test]
    async fn an_abandoned_write_is_not_done() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("t.sqlite3"), 1).unwrap();
        let busy = {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(|_| {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    Ok(())
                })
                .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let gave_up = tokio::time::timeout(
            std::time::Duration::from_millis(20),
            db.write(|tx| {
                tx.execute(
                    "INSERT INTO communities (slug, name, kind, created_at) VALUES ('late', 'x', 'village', 0)",
                    [],
                )?;
                Ok(())
            }),
        )
        .await;
        assert!(
            gave_up.is_err(),
            "the caller gave up while the writer was busy"
        );
        busy.await.unwrap().unwrap();
        db.ping_writer().await.unwrap();
        let n: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM communities", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(n, 0, "the abandoned insert was never run");
    }

    #[tokio::test]
    async fn a_panicking_read_gives_its_connection_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("t.sqlite3"), 1).unwrap();
        let r: Result<(), Error> = db.read(|_| panic!("a bug in a page")).await;
        assert!(r.is_err());
        // The pool has one connection: it must be back.
        let one: i64 = db
            .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(one, 1);
    }
}
