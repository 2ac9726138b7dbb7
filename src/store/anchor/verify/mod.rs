//! `verify`: the chain, then every published row against the latest entry
//! that anchored it, by rebuilding the row's document with the same
//! function that anchored it ([`super::doc`]). Nothing is compared by hand:
//! a record kind is checked because it is in [`super::tables::TABLES`].
//!
//! Entries written before row documents (no `"v": 2`) are checked as they
//! always were, by their area's own check.

mod anchors;
mod cached;
mod checks;
mod compare;
mod payload;
mod rows;
pub(crate) mod split;
mod walk;

pub use cached::{Cached, FULL_EVERY, verify_cached};

use super::Table;
use crate::domain::ledger::Broken;
use crate::error::Error;
use compare::{How, differences, parse, same};
use rusqlite::Connection;
use serde_json::Value;
use walk::{Order, Walk, walk_all};

/// How much of the file a verifying connection maps instead of reading
/// through SQLite's page cache (the whole of any real community's file).
pub const MMAP: i64 = 1 << 30;

/// What verification found for one community.
#[derive(Debug, Clone)]
pub struct Report {
    pub community: String,
    pub entries: usize,
    /// The first problem, by entry.
    pub broken: Option<Broken>,
    /// How many problems in all.
    pub problems: usize,
    /// Every problem, by entry.
    pub all: Vec<Broken>,
    /// The head that was verified (seq, hash), when everything held.
    pub head: Option<(i64, String)>,
}

/// The documents of every published row of a table in one community.
pub fn current_docs(
    conn: &Connection,
    t: &Table,
    community: i64,
) -> Result<Vec<(String, Value)>, Error> {
    Ok(super::docs_of(conn, t, community)?
        .into_iter()
        .map(|(k, d)| (k, parse(&d)))
        .collect())
}

/// Has this database been opened by a version that anchors rows?
fn upgraded(conn: &Connection) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'anchor_queue'",
        )?
        .exists([])?)
}

/// A row anchored last by entry `seq` and no longer published.
fn gone(t: &Table, key: &str, seq: i64) -> Broken {
    let key = parse(key);
    Broken {
        seq,
        zh: format!("第 {seq} 条记录所载的{}不见了或被撤回", t.name_zh(&key)),
        en: format!(
            "entry {seq}: the {} it anchors is gone or was unpublished",
            t.name_en(&key)
        ),
    }
}

/// Full verification of one community: the chain, every entry, and every
/// published row against the entry that anchored it last. On a database
/// file the work is shared with a second connection on a thread of its own
/// (see [`split`]); each reads in one read transaction, and what the
/// second read is used only if both saw the same ledger head.
pub fn verify_community(conn: &Connection, id: i64, slug: String) -> Result<Report, Error> {
    // A caller's own transaction may hold changes not yet committed, which
    // a second connection would not see: then everything is read here.
    let ours = conn.is_autocommit();
    // One snapshot for the walk and the rows (none is open on a fresh
    // connection: each statement would see its own).
    let _snapshot = match ours {
        true => Some(conn.unchecked_transaction()?),
        false => None,
    };
    let upgraded = upgraded(conn)?;
    let path = conn.path().filter(|p| !p.is_empty() && upgraded && ours);
    let (own, all) = sizes(conn, id)?;
    let parts = match path {
        Some(_) if own * 2 > all => split::Parts::of(conn, id, own)?,
        _ => None,
    };
    let (w, docs) = std::thread::scope(|s| {
        let name = slug.clone();
        let second = path.map(|p| {
            let parts = parts.as_ref();
            s.spawn(move || split::second(p, id, &name, parts))
        });
        let here = rows::head(conn)?;
        let first = match &parts {
            Some(p) => p.walk_first(conn, id, &slug)?,
            None => walk_all(conn, id, &slug, own, all)?,
        };
        let second = second
            .and_then(|h| h.join().ok())
            .and_then(Result::ok)
            .filter(|s| s.seen == here);
        Ok::<_, Error>(match (&parts, second) {
            (None, s) => (first, s.map(|s| s.docs)),
            (Some(p), Some(s)) => match split::join(conn, first, p, s.walks)? {
                Some(w) => (w, Some(s.docs)),
                None => (walk_all(conn, id, &slug, own, all)?, Some(s.docs)),
            },
            // The second side failed: its parts are walked again here,
            // unless this side took them all.
            (Some(p), None) if p.all_first() => (first, None),
            (Some(_), None) => (walk_all(conn, id, &slug, own, all)?, None),
        })
    })?;
    if let Some(b) = w.chain.clone().or(outside_chain(conn, id)?) {
        return Ok(report_of(slug, w.n, w.last, vec![b]));
    }
    let Walk {
        latest,
        mut problems,
        n,
        last,
        ..
    } = w;
    // A database from before row documents (not yet opened by this
    // version) is checked by its entries alone, as it always was.
    if !upgraded {
        return Ok(report_of(slug, n, last, problems));
    }
    let source = match docs {
        Some(d) => rows::Source::Apart(d),
        None => rows::Source::Here,
    };
    let head = last.as_ref().map(|l| l.0).unwrap_or(0);
    rows::check(conn, id, head, latest, source, &mut problems)?;
    Ok(report_of(slug, n, last, problems))
}

/// Frees what a full check built (every anchor and every row's document)
/// on a thread of its own: giving a hundred megabytes back to the system
/// takes milliseconds that nobody needs to wait for.
fn free_later<T: Send + 'static>(big: T) {
    // Were no thread to be had, the closure, and `big`, are dropped here.
    let _ = std::thread::Builder::new()
        .name("verify-free".into())
        .spawn(move || drop(big));
}

/// An entry of the community that the walk did not meet. The walk meets
/// every entry numbered 1 or more (one more, or a number given twice —
/// possible only with the table rebuilt without its UNIQUE constraint —
/// breaks the chain where it stands), so what it cannot meet is a number
/// below 1: found through the index, not by counting the whole chain.
fn outside_chain(conn: &Connection, id: i64) -> Result<Option<Broken>, Error> {
    let (extra, seq): (i64, Option<i64>) = conn
        .prepare_cached(
            "SELECT count(*), min(seq) FROM ledger WHERE community_id = ?1 AND seq < 1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let Some(seq) = seq.filter(|_| extra > 0) else {
        return Ok(None);
    };
    Ok(Some(Broken {
        seq,
        zh: format!("账本里有 {extra} 条不在链上的记录（编号 {seq} 重复或越界）：它们是后加进去的"),
        en: format!(
            "the ledger holds {extra} entries outside the chain (number {seq} repeated or out of range): they were added"
        ),
    }))
}

/// Would a full check of this community walk it in two parts?
#[cfg(test)]
pub(crate) fn splits(conn: &Connection, id: i64) -> Result<bool, Error> {
    let (own, all) = sizes(conn, id)?;
    Ok(own * 2 > all && split::Parts::of(conn, id, own)?.is_some())
}

/// The community's entries (its last seq) and the ledger's (its last id).
fn sizes(conn: &Connection, id: i64) -> Result<(i64, i64), Error> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT coalesce(max(seq), 0) FROM ledger WHERE community_id = ?1),
                    (SELECT coalesce(max(id), 0) FROM ledger)",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Verification of what is new since a head verified before (`known`):
/// the chain from there, the new entries, and the rows they anchor. The
/// public ledger page runs this on most views (see [`verify_cached`]).
pub fn verify_since(
    conn: &Connection,
    id: i64,
    slug: String,
    known: Option<&(i64, String)>,
) -> Result<Report, Error> {
    let Some((seq, hash)) = known else {
        return verify_community(conn, id, slug);
    };
    let stands: Option<String> = {
        use rusqlite::OptionalExtension;
        conn.prepare_cached("SELECT hash FROM ledger WHERE community_id = ?1 AND seq = ?2")?
            .query_row(rusqlite::params![id, seq], |r| r.get(0))
            .optional()?
    };
    // The head we knew is gone or changed: check everything.
    if stands.as_deref() != Some(hash.as_str()) {
        return verify_community(conn, id, slug);
    }
    let w = walk::walk(conn, id, &slug, *seq, hash, Order::Seq)?;
    let entries = usize::try_from(*seq).unwrap_or(0) + w.n;
    let last = w.last.clone().or_else(|| Some((*seq, hash.clone())));
    if let Some(b) = w.chain {
        return Ok(report_of(slug, entries, last, vec![b]));
    }
    let mut problems = w.problems;
    for (name, m) in w.latest {
        let Some(t) = super::table(name) else {
            continue;
        };
        for (k, a, was) in m.iter() {
            match super::doc(conn, t, &parse(k))? {
                Some(now) if same(t, &parse(was), &now) => {}
                Some(now) => problems.push(differences(
                    t,
                    &parse(k),
                    a.seq,
                    &parse(was),
                    &now,
                    How::Stored,
                )),
                None => problems.push(gone(t, k, a.seq)),
            }
        }
    }
    Ok(report_of(slug, entries, last, problems))
}

fn report_of(
    community: String,
    entries: usize,
    last: Option<(i64, String)>,
    mut problems: Vec<Broken>,
) -> Report {
    problems.sort_by_key(|b| b.seq);
    let n = problems.len();
    let broken = problems.first().cloned();
    let head = if broken.is_none() { last } else { None };
    Report {
        community,
        entries,
        broken,
        problems: n,
        all: problems,
        head,
    }
}

/// Verifies every community, and every community the ledger names (a
/// community removed from its table, or renumbered, leaves its entries
/// behind: that is reported, never skipped).
pub fn verify_db(conn: &Connection) -> Result<Vec<Report>, Error> {
    let communities: Vec<(i64, String)> = conn
        .prepare("SELECT id, slug FROM communities ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    // The communities the ledger names, one index step each (not a pass
    // over every entry), and those no longer in their table.
    let orphans: Vec<(i64, i64)> = conn
        .prepare(
            "WITH RECURSIVE named(id) AS (
                 SELECT (SELECT min(community_id) FROM ledger)
                 UNION ALL
                 SELECT (SELECT min(community_id) FROM ledger WHERE community_id > named.id)
                 FROM named WHERE named.id IS NOT NULL)
             SELECT id, (SELECT count(*) FROM ledger WHERE community_id = named.id) FROM named
             WHERE id IS NOT NULL AND id NOT IN (SELECT id FROM communities)",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut out: Vec<Report> = communities
        .into_iter()
        .map(|(id, slug)| verify_community(conn, id, slug))
        .collect::<Result<_, _>>()?;
    for (id, n) in orphans {
        let b = Broken {
            seq: 1,
            zh: format!(
                "账本里有社区 {id} 的 {n} 条记录，但这个社区已不在数据库中（被删除或改了编号）"
            ),
            en: format!(
                "the ledger holds {n} entries of community {id}, which is no longer in the database (deleted or renumbered)"
            ),
        };
        out.push(Report {
            community: format!("#{id}"),
            entries: usize::try_from(n).unwrap_or(0),
            broken: Some(b.clone()),
            problems: 1,
            all: vec![b],
            head: None,
        });
    }
    Ok(out)
}
