//! What nearly every request reads, kept in memory: the live session behind
//! a cookie (with its account) and the community behind a slug. An entry
//! is good while nothing that could change it has been committed since it
//! was read: temporary triggers on the writer connection mark a write to
//! sessions, accounts, memberships or communities, and the writer bumps
//! [`Caches::auth`] after that transaction commits (or rolls back), before
//! any caller hears back — so a logout, a role taken away or a renamed
//! community is seen by the very next request. A commit by any other
//! connection (the CLI importing a roll while the server runs, a test's own
//! SQL) makes every entry stale as well: `PRAGMA data_version` of a
//! connection changes when another one has committed, and it is read on a
//! watching connection of its own before an entry is used, and on the
//! writer's connection after each of its transactions (see
//! [`Caches::transaction_ended`]). Entries also expire after [`MAX_AGE`],
//! sessions at their own expiry, and each map holds at most [`CAP`]
//! entries (it is emptied when full), so memory stays bounded. What a page
//! shows everyone can be kept too, good until the next commit of any write
//! ([`Caches::data`]). What a closed vote's page reads of its frozen
//! electorate and ballots is kept by vote ([`Caches::votes`], its pages
//! of ballots in [`Caches::vote_pages`] and those rendered in
//! [`Caches::vote_rows`]), good until the roll's places, a
//! closed vote's rows or an account change ([`Caches::roll`]); the roll's
//! counts and where its pages start, by filter ([`Caches::roll_index`]), until a resident, a zone or
//! any of those change ([`Caches::register`]).

mod memo;

use memo::Entry;
pub use memo::{CAP, MAX_AGE, Memo};

use super::accounts::Account;
use super::communities::Community;
use super::sessions::Kind;
use rusqlite::Connection;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// At most this many bytes of whole pages kept for anonymous visitors.
pub const RENDERED_BYTES: usize = 16 << 20;

/// The tables whose changes make a cached session or community stale.
const WATCHED: [&str; 4] = ["sessions", "accounts", "memberships", "communities"];
/// The tables a vote's dwelling order is read from.
const PLACES: [&str; 4] = ["dwellings", "units", "buildings", "households"];
/// The tables whose rows a closed vote's kept list is read from: a change
/// to them for a closed vote (never made by the server, but by hand or a
/// repair) makes the kept lists stale like a change to [`PLACES`].
const CLOSED_VOTE_ROWS: [&str; 2] = ["ballots", "vote_electorate"];
/// The tables the roll's counts and filter choices are read from beyond
/// [`PLACES`] and the accounts.
const REGISTER: [&str; 2] = ["residents", "zones"];
/// At most this many closed votes' lists kept (each about 1 MB at 10,000 voters).
pub const VOTES_KEPT: usize = 16;
/// At most this many pages of closed votes' ballot lists kept, and bytes.
pub const VOTE_PAGES_KEPT: usize = 128;
pub const VOTE_PAGES_BYTES: usize = 8 << 20;
/// At most this many of those pages rendered (by language), and bytes.
pub const VOTE_ROWS_KEPT: usize = 128;
pub const VOTE_ROWS_BYTES: usize = 8 << 20;
/// What is read by the roll's change counters (closed votes' lists, the
/// roll's counts) is good this long: only a change tells it is stale.
pub const ROLL_AGE: Duration = Duration::from_secs(3600);
/// At most this many roll counts kept (by community and filter).
pub const COUNTS_KEPT: usize = 1024;
/// At most this many bytes of where the roll's pages start (about 50 KB a
/// filter of a 25,000-resident community).
pub const ROLL_INDEX_BYTES: usize = 16 << 20;
/// At most this many pages' shared parts kept (by page and community).
pub const PAGES_KEPT: usize = 1024;

/// Rows of a table rendered once for every reader of one language: their
/// HTML one after another, and where each ends.
pub type RenderedRows = (String, Vec<usize>);

/// A community's zones and buildings: (id, name or number) each.
pub type RollPlaces = (Vec<(i64, String)>, Vec<(i64, String)>);

/// A live session as the request context needs it.
#[derive(Clone)]
pub struct Session {
    pub account: Arc<Account>,
    pub csrf: String,
    pub kind: Kind,
    /// Unix seconds; past it the session is not live.
    pub expires_at: i64,
}

pub struct Caches {
    /// Bumped after every transaction that wrote a watched table, and when
    /// another connection has committed.
    auth: AtomicU64,
    /// Bumped after every transaction of the writer that changed a row, and
    /// when another connection has committed.
    data: AtomicU64,
    /// Bumped after every transaction that wrote a table of [`PLACES`] (or
    /// a closed vote's rows), and when another connection has committed.
    roll: AtomicU64,
    /// Bumped after every transaction that wrote a table of [`REGISTER`],
    /// and when another connection has committed.
    register: AtomicU64,
    /// A read-only connection of its own and its `data_version` when last
    /// accounted for: a different value means someone committed since.
    watcher: Mutex<Watcher>,
    /// By the SHA-256 of the session cookie's token.
    pub sessions: Memo<Vec<u8>, Session>,
    /// By slug.
    pub communities: Memo<String, Arc<Community>>,
    /// A closed vote's figures and list order, by vote id, read under
    /// [`Caches::roll`]; at most [`VOTES_KEPT`].
    pub votes: Memo<i64, Arc<super::votes::Published>>,
    /// Pages of closed votes' ballot lists, by vote and page, read under
    /// [`Caches::roll`]; at most [`VOTE_PAGES_KEPT`] and [`VOTE_PAGES_BYTES`].
    pub vote_pages: Memo<(i64, usize), Arc<Vec<super::votes::listing::Line>>>,
    /// Those pages' rows as rendered for everyone, by vote, page and
    /// language (the rows' HTML and where each ends), read under
    /// [`Caches::roll`]; at most [`VOTE_ROWS_KEPT`] and [`VOTE_ROWS_BYTES`].
    pub vote_rows: Memo<(i64, usize, u8), Arc<RenderedRows>>,
    /// How many residents a roll filter selects and where each of its
    /// pages starts, by community and filter, read under
    /// [`Caches::register`]; at most [`COUNTS_KEPT`] and [`ROLL_INDEX_BYTES`].
    pub roll_index: Memo<(i64, String), Arc<super::roll::list::PageIndex>>,
    /// A community's zones and buildings as the roll's filter offers them,
    /// read under [`Caches::register`]; at most [`COUNTS_KEPT`].
    pub roll_places: Memo<i64, Arc<RollPlaces>>,
    /// What a page reads for everyone (the board's community-wide part),
    /// by page and community, good until the next commit (see [`Caches::page`]).
    pages: Memo<(&'static str, i64), Arc<dyn Any + Send + Sync>>,
    /// Whole pages as an anonymous visitor gets them, good until the next
    /// commit (see [`Caches::rendered`]), at most [`RENDERED_BYTES`].
    rendered: Mutex<RenderedMap>,
    /// Pages being built for anonymous visitors, by key: one builds, the
    /// others asking for the same page meanwhile wait for its copy.
    building: Mutex<HashMap<PageKey, Arc<tokio::sync::Mutex<()>>>>,
}

/// What a page is kept by: its path and query, the reader's language and
/// text size, and the origin its links are written for.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub path: String,
    pub lang: u8,
    pub large: bool,
    pub origin: String,
}

/// A page as sent to an anonymous visitor, cut where the visitor's own CSRF
/// token was (each visitor gets theirs put back in).
pub struct Rendered {
    pub content_type: Vec<u8>,
    pub parts: Vec<bytes::Bytes>,
}

impl Rendered {
    /// The page cut around every occurrence of `token`.
    pub fn cut(content_type: Vec<u8>, body: &bytes::Bytes, token: &str) -> Rendered {
        let mut parts = Vec::new();
        let mut at = 0;
        let t = token.as_bytes();
        if !t.is_empty() {
            while let Some(i) = find(&body[at..], t) {
                parts.push(body.slice(at..at + i));
                at += i + t.len();
            }
        }
        parts.push(body.slice(at..));
        Rendered {
            content_type,
            parts,
        }
    }

    /// The page with `token` where the cut visitor's was.
    pub fn with_token(&self, token: &str) -> Vec<u8> {
        let len: usize = self.parts.iter().map(|p| p.len()).sum();
        let mut out = Vec::with_capacity(len + token.len() * self.parts.len());
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(token.as_bytes());
            }
            out.extend_from_slice(p);
        }
        out
    }

    fn size(&self) -> usize {
        self.parts.iter().map(|p| p.len()).sum::<usize>() + 64
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[derive(Default)]
struct RenderedMap {
    map: HashMap<PageKey, Entry<Arc<Rendered>>>,
    bytes: usize,
}

struct Watcher {
    conn: Connection,
    /// The watcher's `data_version` when last accounted for.
    seen: i64,
    /// The writer connection's own `data_version` after its last transaction.
    writer_seen: Option<i64>,
    /// The writer connection's `total_changes` after its last transaction:
    /// a transaction that changed no row (a worker finding nothing to do)
    /// leaves what pages read good.
    writer_changes: Option<u64>,
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))
}

impl Caches {
    /// Caches watching the database through `watcher`, a connection
    /// nobody writes through.
    pub fn new(watcher: Connection) -> rusqlite::Result<Self> {
        let seen = data_version(&watcher)?;
        Ok(Caches {
            auth: AtomicU64::new(0),
            data: AtomicU64::new(0),
            roll: AtomicU64::new(0),
            register: AtomicU64::new(0),
            watcher: Mutex::new(Watcher {
                conn: watcher,
                seen,
                writer_seen: None,
                writer_changes: None,
            }),
            sessions: Memo::new(),
            communities: Memo::new(),
            votes: Memo::bounded(VOTES_KEPT, usize::MAX, ROLL_AGE),
            vote_pages: Memo::bounded(VOTE_PAGES_KEPT, VOTE_PAGES_BYTES, ROLL_AGE),
            vote_rows: Memo::bounded(VOTE_ROWS_KEPT, VOTE_ROWS_BYTES, ROLL_AGE),
            roll_index: Memo::bounded(COUNTS_KEPT, ROLL_INDEX_BYTES, ROLL_AGE),
            roll_places: Memo::bounded(COUNTS_KEPT, 16 << 20, ROLL_AGE),
            pages: Memo::bounded(PAGES_KEPT, usize::MAX, MAX_AGE),
            rendered: Mutex::new(RenderedMap::default()),
            building: Mutex::new(HashMap::new()),
        })
    }

    /// Everything is stale: someone else committed (or we cannot tell).
    fn all_stale(&self) {
        self.auth.fetch_add(1, Ordering::SeqCst);
        self.data.fetch_add(1, Ordering::SeqCst);
        self.roll.fetch_add(1, Ordering::SeqCst);
        self.register.fetch_add(1, Ordering::SeqCst);
    }

    /// Has anyone committed that we have not accounted for? Then all is stale.
    fn look(&self) {
        let Ok(mut w) = self.watcher.lock() else {
            return self.all_stale();
        };
        match data_version(&w.conn) {
            Ok(v) if v == w.seen => {}
            Ok(v) => {
                w.seen = v;
                self.all_stale();
            }
            Err(_) => self.all_stale(),
        }
    }

    /// The current generation of sessions and communities: read it before
    /// reading the database, and cache what was read under it.
    pub fn generation(&self) -> u64 {
        self.look();
        self.auth.load(Ordering::SeqCst)
    }

    /// The current generation of everything else (any commit changes it).
    pub fn data(&self) -> u64 {
        self.look();
        self.data.load(Ordering::SeqCst)
    }

    /// The generation of what a closed vote's page keeps: it changes when
    /// the roll's places, a session, an account, a membership or a
    /// community changed (both counters only grow, so their sum changes
    /// whenever either does).
    pub fn roll(&self) -> u64 {
        self.look();
        self.roll.load(Ordering::SeqCst) + self.auth.load(Ordering::SeqCst)
    }

    /// The generation of what the roll's counts are read from: it changes
    /// when [`Caches::roll`] does or a resident or zone changed.
    pub fn register(&self) -> u64 {
        self.roll() + self.register.load(Ordering::SeqCst)
    }

    /// The generation of sessions and communities as last looked at, without
    /// looking again (for an answer that is already on its way out).
    pub fn last_generation(&self) -> u64 {
        self.auth.load(Ordering::SeqCst)
    }

    /// What `page` read for `community` when `commits` write transactions
    /// had been committed, if none has been since (and it is younger than
    /// [`MAX_AGE`]).
    pub fn page<T: Any + Send + Sync>(
        &self,
        page: &'static str,
        community: i64,
        commits: u64,
    ) -> Option<Arc<T>> {
        self.pages
            .get(&(page, community), commits)
            .and_then(|v| v.downcast::<T>().ok())
    }

    /// Keeps what `page` read for `community` after `commits` commits.
    pub fn keep_page<T: Any + Send + Sync>(
        &self,
        page: &'static str,
        community: i64,
        commits: u64,
        v: Arc<T>,
    ) {
        self.pages.put((page, community), commits, v);
    }

    /// The page kept for `key` when `commits` write transactions had been
    /// committed, if none has been since (and it is younger than [`MAX_AGE`]).
    pub fn rendered(&self, key: &PageKey, commits: u64) -> Option<Arc<Rendered>> {
        let m = self.rendered.lock().ok()?;
        let e = m.map.get(key)?;
        (e.generation == commits && e.at.elapsed() < MAX_AGE).then(|| e.value.clone())
    }

    /// The lock whoever builds the page for `key` holds: the first to take
    /// it builds; those who waited find the page kept (or build it in turn
    /// if it could not be kept). [`Caches::built`] lets the next build start afresh.
    pub fn build_lock(&self, key: &PageKey) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut m = self.building.lock().ok()?;
        Some(m.entry(key.clone()).or_default().clone())
    }

    /// The page for `key` was built (kept or not).
    pub fn built(&self, key: &PageKey) {
        if let Ok(mut m) = self.building.lock() {
            m.remove(key);
        }
    }

    /// Keeps a page; when the pages kept would pass [`RENDERED_BYTES`],
    /// those of earlier generations go first, then all.
    pub fn keep_rendered(&self, key: PageKey, commits: u64, page: Arc<Rendered>) {
        let size = page.size() + key.path.len() + key.origin.len();
        if size > RENDERED_BYTES / 8 {
            return;
        }
        let Ok(mut m) = self.rendered.lock() else {
            return;
        };
        if m.bytes + size > RENDERED_BYTES {
            m.map.retain(|_, e| e.generation == commits);
            m.bytes = m
                .map
                .iter()
                .map(|(k, e)| e.value.size() + k.path.len() + k.origin.len())
                .sum();
            if m.bytes + size > RENDERED_BYTES {
                m.map.clear();
                m.bytes = 0;
            }
        }
        let entry = Entry {
            generation: commits,
            at: Instant::now(),
            value: page,
        };
        if let Some(old) = m.map.insert(key.clone(), entry) {
            m.bytes = m
                .bytes
                .saturating_sub(old.value.size() + key.path.len() + key.origin.len());
        }
        m.bytes += size;
    }

    /// Installs the triggers on the writer connection: temporary, so they
    /// live only in this connection (another process writing the same file,
    /// such as the CLI, never sees them). They mark a watched write in a
    /// temporary table, which rolls back with the write.
    pub(super) fn watch(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS cache_touched (n INTEGER)")?;
        for table in WATCHED {
            for op in ["INSERT", "UPDATE", "DELETE"] {
                conn.execute_batch(&format!(
                    "CREATE TEMP TRIGGER IF NOT EXISTS cache_{table}_{op} AFTER {op} ON main.{table}
                     BEGIN INSERT INTO temp.cache_touched VALUES (1); END;"
                ))?;
            }
        }
        for table in PLACES {
            for op in ["INSERT", "UPDATE", "DELETE"] {
                conn.execute_batch(&format!(
                    "CREATE TEMP TRIGGER IF NOT EXISTS cache_{table}_{op} AFTER {op} ON main.{table}
                     BEGIN INSERT INTO temp.cache_touched VALUES (2); END;"
                ))?;
            }
        }
        for table in CLOSED_VOTE_ROWS {
            for (op, row) in [("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")] {
                conn.execute_batch(&format!(
                    "CREATE TEMP TRIGGER IF NOT EXISTS cache_{table}_{op} AFTER {op} ON main.{table}
                     WHEN (SELECT status FROM main.votes WHERE id = {row}.vote_id) = 'closed'
                     BEGIN INSERT INTO temp.cache_touched VALUES (2); END;"
                ))?;
            }
        }
        for table in REGISTER {
            for op in ["INSERT", "UPDATE", "DELETE"] {
                conn.execute_batch(&format!(
                    "CREATE TEMP TRIGGER IF NOT EXISTS cache_{table}_{op} AFTER {op} ON main.{table}
                     BEGIN INSERT INTO temp.cache_touched VALUES (3); END;"
                ))?;
            }
        }
        let own = data_version(conn)?;
        if let Ok(mut w) = self.watcher.lock() {
            w.writer_seen = Some(own);
        }
        // Whatever was kept before the writer started watching is stale.
        self.all_stale();
        Ok(())
    }

    /// After a transaction of the writer ended (committed or rolled back),
    /// before its callers hear back: what a page read is stale, and if a
    /// watched table was written, every cached session and community too.
    /// The watcher's new `data_version` is this commit's, unless another
    /// connection committed too — which the writer's own `data_version`
    /// (read after the watcher's, unchanged by its own commits) tells.
    /// Whatever cannot be read counts as a change.
    pub(super) fn transaction_ended(&self, conn: &Connection) {
        let changes = conn.total_changes();
        // (watched tables, places, register) marked; unreadable: all.
        let (marked, places, register) = conn
            .prepare_cached(
                "SELECT coalesce(max(n = 1), 0), coalesce(max(n = 2), 0), coalesce(max(n = 3), 0)
                 FROM temp.cache_touched",
            )
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
            })
            .unwrap_or((1, 1, 1));
        if marked + places + register > 0 {
            let _ = conn
                .prepare_cached("DELETE FROM temp.cache_touched")
                .and_then(|mut s| s.execute([]));
        }
        let mut w = match self.watcher.lock() {
            Ok(w) => w,
            Err(_) => return self.all_stale(),
        };
        let watched = data_version(&w.conn);
        let own = data_version(conn).ok();
        let others = own.is_none() || w.writer_seen.is_some_and(|s| Some(s) != own);
        w.writer_seen = own;
        let changed = w.writer_changes != Some(changes);
        w.writer_changes = Some(conn.total_changes());
        match watched {
            Ok(v) => w.seen = v,
            Err(_) => return self.all_stale(),
        }
        drop(w);
        if others {
            self.all_stale();
        } else {
            if marked > 0 {
                self.auth.fetch_add(1, Ordering::SeqCst);
            }
            if places > 0 {
                self.roll.fetch_add(1, Ordering::SeqCst);
            }
            if register > 0 {
                self.register.fetch_add(1, Ordering::SeqCst);
            }
            if changed || marked + places + register > 0 {
                self.data.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

impl super::Db {
    /// What `page` shows everyone in `community`, read with `f` — or the
    /// copy read since the last commit of any write (and within
    /// [`MAX_AGE`]), so a page under load costs one read a commit.
    pub async fn read_shared<T, F>(
        &self,
        page: &'static str,
        community: i64,
        f: F,
    ) -> Result<Arc<T>, crate::error::Error>
    where
        T: Send + Sync + 'static,
        F: FnOnce(&Connection) -> Result<T, crate::error::Error> + Send + 'static,
    {
        let commits = self.cache.data();
        if let Some(v) = self.cache.page::<T>(page, community, commits) {
            return Ok(v);
        }
        let v = Arc::new(self.read(f).await?);
        self.cache.keep_page(page, community, commits, v.clone());
        Ok(v)
    }
}

#[cfg(test)]
mod tests;
