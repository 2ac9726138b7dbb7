//! SQLite: one writer connection on its own thread, a small pool of read-only
//! connections used from `spawn_blocking`, and numbered migrations at start-up.
//! Writes waiting together are run in one IMMEDIATE transaction, each in its
//! own savepoint (see `writer`), committed with `synchronous=FULL` before
//! their callers hear back.

pub mod accounts;
pub mod anchor;
pub mod attachments;
pub mod audit;
pub mod cache;
pub mod codes;
pub mod communities;
pub mod deliberations;
pub mod desk;
pub mod disclosures;
pub mod elevator;
pub mod health;
pub mod ledger;
pub mod meetings;
pub mod migrations;
pub mod mine;
pub mod notices;
pub mod notices_advance;
pub mod notices_record;
pub mod notices_sources;
pub mod notify_prefs;
pub mod notify_settings;
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
pub mod writer;

use crate::error::Error;
use rusqlite::{Connection, OpenFlags, Transaction};
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

use writer::Job;

/// Counters for /metrics.
#[derive(Default, Debug)]
pub struct DbStats {
    pub writes_queued: AtomicUsize,
    pub writes_done: AtomicUsize,
    /// Write transactions committed (each holds one or more writes).
    pub commits: AtomicUsize,
    pub reads_in_use: AtomicUsize,
    pub reads_done: AtomicUsize,
}

#[derive(Clone)]
pub struct Db {
    writer: mpsc::Sender<Job>,
    readers: Arc<ReaderPool>,
    pub path: PathBuf,
    pub stats: Arc<DbStats>,
    liveness: Arc<health::Liveness>,
    /// Sessions and communities as most requests read them.
    pub cache: Arc<cache::Caches>,
}

struct ReaderPool {
    conns: Mutex<Vec<Connection>>,
    permits: Semaphore,
    size: usize,
}

fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // A page runs a score of statements (the desk 25): rusqlite keeps 16.
    conn.set_prepared_statement_cache_capacity(128);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if writer {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
    } else {
        conn.pragma_update(None, "query_only", "ON")?;
    }
    Ok(())
}

/// A read-only connection to the database at `path`.
fn reader(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    configure(&c, false)?;
    Ok(c)
}

/// Opens (creating if needed) the database and runs the migrations.
pub fn open(path: &Path, readers: usize) -> Result<Db, Error> {
    open_with(path, readers, writer::Limits::default())
}

/// [`open`], with the writer's batches bounded by `limits`.
pub fn open_with(path: &Path, readers: usize, limits: writer::Limits) -> Result<Db, Error> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Internal(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut wconn = Connection::open(path)?;
    configure(&wconn, true)?;
    migrations::run(&mut wconn)?;
    anchor::install(&wconn)?;
    let mut conns = Vec::with_capacity(readers);
    for _ in 0..readers.max(1) {
        conns.push(reader(path)?);
    }
    let size = conns.len();
    let stats = Arc::new(DbStats::default());
    let (tx, rx) = mpsc::channel::<Job>();
    let wstats = stats.clone();
    let cache = Arc::new(cache::Caches::new(reader(path)?)?);
    let wcache = cache.clone();
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || writer::run(wconn, rx, &wstats, limits, &wcache))
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
        liveness: Arc::new(health::Liveness::new()),
        cache,
    })
}

impl Db {
    /// Runs `f` on the writer connection, inside a savepoint of the
    /// IMMEDIATE transaction that it shares with the writes queued with it.
    /// Its changes are kept only if `f` returns Ok (an error or a panic
    /// rolls back `f`'s changes alone), and the caller hears back after the
    /// commit is durable. A write whose caller stopped waiting before it ran
    /// is not done.
    pub async fn write<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T, Error> + Send + 'static,
    {
        let (otx, orx) = oneshot::channel();
        self.stats.writes_queued.fetch_add(1, Ordering::Relaxed);
        if self
            .writer
            .send(Job::Write(Box::new(writer::Write::new(f, otx))))
            .is_err()
        {
            self.stats.writes_queued.fetch_sub(1, Ordering::Relaxed);
            return Err(Error::Internal("the database writer has stopped".into()));
        }
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
    /// alive and taking jobs? (For `/healthz`, through [`Db::alive`].)
    pub async fn ping_writer(&self) -> Result<(), Error> {
        let (otx, orx) = oneshot::channel::<()>();
        self.writer
            .send(Job::Ping(otx))
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

    /// Holds the writer inside a job until `release` is sent (or dropped),
    /// so that the writes queued meanwhile are taken as one batch.
    async fn hold_writer(
        db: &Db,
    ) -> (
        std::sync::mpsc::Sender<()>,
        tokio::task::JoinHandle<Result<(), Error>>,
    ) {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, is_started) = oneshot::channel::<()>();
        let db2 = db.clone();
        let held = tokio::spawn(async move {
            db2.write(move |_| {
                let _ = started.send(());
                let _ = wait.recv();
                Ok(())
            })
            .await
        });
        is_started.await.unwrap();
        (release, held)
    }

    /// Queues a write and returns once it is in the writer's queue, so that
    /// the writes queue in the order they are made here.
    async fn queue<T, F>(db: &Db, f: F) -> tokio::task::JoinHandle<Result<T, Error>>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T, Error> + Send + 'static,
    {
        let before = db.stats.writes_queued.load(Ordering::Relaxed);
        let db2 = db.clone();
        let h = tokio::spawn(async move { db2.write(f).await });
        while db.stats.writes_queued.load(Ordering::Relaxed) == before {
            tokio::task::yield_now().await;
        }
        h
    }

    /// Adds a community and says how many there are now.
    fn add(tx: &Transaction, slug: &str) -> Result<i64, Error> {
        tx.execute(
            "INSERT INTO communities (slug, name, kind, created_at) VALUES (?1, ?1, 'village', 0)",
            [slug],
        )?;
        Ok(tx.query_row("SELECT count(*) FROM communities", [], |r| r.get(0))?)
    }

    async fn slugs(db: &Db) -> Vec<String> {
        db.read(|c| {
            let mut s = c.prepare("SELECT slug FROM communities ORDER BY id")?;
            let v = s
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(v)
        })
        .await
        .unwrap()
    }

    /// Batches as large as the test makes them (never cut short by time).
    fn open_unhurried(dir: &tempfile::TempDir) -> Db {
        let limits = writer::Limits {
            jobs: 256,
            time: std::time::Duration::from_secs(24 * 3600),
        };
        open_with(&dir.path().join("t.sqlite3"), 1, limits).unwrap()
    }

    /// In one batch, a job that fails and one that panics are rolled back
    /// alone and their callers get their own errors; a job whose caller left
    /// is not done; the others commit together, in queue order, and each
    /// caller gets its own answer.
    #[tokio::test]
    async fn a_failing_job_in_a_batch_does_not_undo_its_neighbours() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_unhurried(&dir);
        let (release, held) = hold_writer(&db).await;
        let a = queue(&db, |tx| add(tx, "a")).await;
        let b = queue(&db, |tx| -> Result<i64, Error> {
            add(tx, "b")?;
            Err(Error::Invalid(crate::domain::Msg::new(
                "乙不行",
                "b refused",
            )))
        })
        .await;
        let c = queue(&db, |tx| -> Result<i64, Error> {
            add(tx, "c")?;
            panic!("a bug in c");
        })
        .await;
        let gone = queue(&db, |tx| add(tx, "gone")).await;
        gone.abort();
        assert!(gone.await.unwrap_err().is_cancelled());
        let e = queue(&db, |tx| add(tx, "e")).await;
        release.send(()).unwrap();

        held.await.unwrap().unwrap();
        assert_eq!(a.await.unwrap().unwrap(), 1);
        match b.await.unwrap() {
            Err(Error::Invalid(m)) => assert_eq!(m.en, "b refused"),
            r => panic!("{r:?}"),
        }
        assert!(matches!(c.await.unwrap(), Err(Error::Internal(_))));
        // e ran after a, and saw neither b nor c nor the abandoned job.
        assert_eq!(e.await.unwrap().unwrap(), 2);
        assert_eq!(slugs(&db).await, ["a", "e"]);
        assert_eq!(db.stats.commits.load(Ordering::Relaxed), 1, "one batch");
        assert_eq!(db.stats.writes_queued.load(Ordering::Relaxed), 0);
        assert_eq!(db.stats.writes_done.load(Ordering::Relaxed), 5);
        db.ping_writer().await.unwrap();
    }

    /// Writes queued together run in queue order, one after another, and
    /// commit once.
    #[tokio::test]
    async fn a_batch_keeps_the_queue_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_unhurried(&dir);
        let (release, held) = hold_writer(&db).await;
        let mut jobs = Vec::new();
        for i in 0..40 {
            jobs.push(queue(&db, move |tx| add(tx, &format!("s{i:02}"))).await);
        }
        drop(release);
        held.await.unwrap().unwrap();
        for (i, j) in jobs.into_iter().enumerate() {
            assert_eq!(j.await.unwrap().unwrap(), i as i64 + 1);
        }
        let want: Vec<String> = (0..40).map(|i| format!("s{i:02}")).collect();
        assert_eq!(slugs(&db).await, want);
        assert_eq!(db.stats.commits.load(Ordering::Relaxed), 1);
        assert_eq!(db.stats.writes_queued.load(Ordering::Relaxed), 0);
    }

    /// A batch is cut at its job limit: the rest waits for the next commit.
    #[tokio::test]
    async fn a_batch_holds_at_most_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let limits = writer::Limits {
            jobs: 4,
            time: std::time::Duration::from_secs(24 * 3600),
        };
        let db = open_with(&dir.path().join("t.sqlite3"), 1, limits).unwrap();
        let (release, held) = hold_writer(&db).await;
        let mut jobs = Vec::new();
        for i in 0..7 {
            jobs.push(queue(&db, move |tx| add(tx, &format!("s{i}"))).await);
        }
        drop(release);
        held.await.unwrap().unwrap();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        // The held job and three more, then four.
        assert_eq!(db.stats.commits.load(Ordering::Relaxed), 2);
        assert_eq!(slugs(&db).await.len(), 7);
    }

    /// If the one commit fails, every job of the batch hears so and nothing
    /// of the batch is saved; the writer goes on.
    #[tokio::test]
    async fn a_failed_commit_fails_every_job_of_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_unhurried(&dir);
        let (release, held) = hold_writer(&db).await;
        let a = queue(&db, |tx| add(tx, "a")).await;
        // A foreign key checked only at COMMIT, pointing nowhere.
        let b = queue(&db, |tx| {
            tx.execute_batch(
                "PRAGMA defer_foreign_keys = ON;
                 INSERT INTO zones (community_id, name) VALUES (999, 'nowhere');",
            )?;
            Ok(())
        })
        .await;
        let c = queue(&db, |tx| add(tx, "c")).await;
        drop(release);
        assert!(held.await.unwrap().is_err());
        assert!(matches!(a.await.unwrap(), Err(Error::Internal(_))));
        assert!(matches!(b.await.unwrap(), Err(Error::Internal(_))));
        assert!(matches!(c.await.unwrap(), Err(Error::Internal(_))));
        assert!(slugs(&db).await.is_empty());
        assert_eq!(db.stats.commits.load(Ordering::Relaxed), 0);
        assert_eq!(db.stats.writes_queued.load(Ordering::Relaxed), 0);
        assert_eq!(db.write(|tx| add(tx, "after")).await.unwrap(), 1);
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
