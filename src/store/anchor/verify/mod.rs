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
mod split;

pub use cached::{Cached, FULL_EVERY, verify_cached};

use super::Table;
use crate::domain::ledger::{self, Broken};
use crate::error::Error;
use crate::store::ledger::Stored;
use checks::{Anchors, derived_check, legacy_checks};
use compare::{How, differences, frozen_change, parse, same, shown};
use rusqlite::Connection;
use serde_json::Value;

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

/// What walking a community's entries found.
struct Walk {
    /// The latest anchor of each row, by table and key.
    latest: Anchors,
    /// Entries of earlier formats, and closings (whose file hash is
    /// checked too), kept whole for their own checks.
    whole: Vec<Stored>,
    problems: Vec<Broken>,
    /// Entries walked, and the last of them.
    n: usize,
    last: Option<(i64, String)>,
    /// Where the chain broke, if it did (the walk stops there).
    chain: Option<Broken>,
}

/// How a walk reads the entries: by their `seq`, through the index, or in
/// the table's own order (the order they were appended in).
#[derive(Clone, Copy)]
enum Order {
    Seq,
    /// The entries with ids in `(from, to]`.
    Table {
        from: i64,
        to: i64,
    },
}

/// Walks the entries after entry `after` (whose hash is `after_hash`; 0 and
/// genesis for all), reading each as stored: the chain hashed over the
/// stored payload text, each anchored document kept as its canonical text,
/// and a later document of a row checked against the earlier one.
fn walk(
    conn: &Connection,
    id: i64,
    slug: &str,
    after: i64,
    after_hash: &str,
    order: Order,
) -> Result<Walk, Error> {
    let mut w = Walk {
        latest: Anchors::default(),
        whole: Vec::new(),
        problems: Vec::new(),
        n: 0,
        last: None,
        chain: None,
    };
    let mut prev = after_hash.to_string();
    let mut st = conn.prepare_cached(match order {
        Order::Seq => {
            "SELECT seq, at, kind, subject, payload, prev, hash FROM ledger
             WHERE community_id = ?1 AND seq > ?2 ORDER BY seq"
        }
        Order::Table { .. } => {
            "SELECT seq, at, kind, subject, payload, prev, hash FROM ledger NOT INDEXED
             WHERE community_id = ?1 AND seq > ?2 AND id > ?3 AND id <= ?4 ORDER BY id"
        }
    })?;
    let mut rows = match order {
        Order::Seq => st.query(rusqlite::params![id, after])?,
        Order::Table { from, to } => st.query(rusqlite::params![id, after, from, to])?,
    };
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let at: i64 = r.get(1)?;
        let text = |i: usize| -> Result<&str, Error> {
            r.get_ref(i)?
                .as_str()
                .map_err(|e| Error::Internal(format!("entry {seq}: {e}")))
        };
        let (kind, subject, payload, p, hash) = (text(2)?, text(3)?, text(4)?, text(5)?, text(6)?);
        w.n += 1;
        let want = after + w.n as i64;
        let bad = if seq != want {
            Some((
                format!("第 {want} 条记录缺失或顺序被改动（看到的是第 {seq} 条）"),
                format!("entry {want} is missing or out of order (found {seq})"),
            ))
        } else if p != prev {
            Some((
                format!("第 {seq} 条记录没有接上前一条"),
                format!("entry {seq} does not link to the previous one"),
            ))
        } else if !(ledger::Envelope {
            community: slug,
            seq,
            at,
            kind,
            subject,
            payload,
            prev: p,
        })
        .matches(hash)
        {
            Some((
                format!("第 {seq} 条记录的内容与其哈希不符：它被改过"),
                format!("entry {seq}'s content does not match its hash: it was altered"),
            ))
        } else {
            None
        };
        if let Some((zh, en)) = bad {
            w.last = Some((seq, hash.to_string()));
            w.chain = Some(Broken { seq, zh, en });
            return Ok(w);
        }
        prev.clear();
        prev.push_str(hash);
        let parsed = payload::rows(payload);
        if parsed.is_none() || kind == "vote.closed" {
            w.whole.push(Stored {
                seq,
                at,
                kind: kind.to_string(),
                subject: subject.to_string(),
                payload: payload.to_string(),
                prev: p.to_string(),
                hash: hash.to_string(),
            });
        }
        for row in parsed.unwrap_or_default() {
            let Some(t) = super::table(&row.table) else {
                w.problems.push(Broken {
                    seq,
                    zh: format!("第 {seq} 条记录登记了未知的表 {}", row.table),
                    en: format!("entry {seq} anchors an unknown table {}", row.table),
                });
                continue;
            };
            let of_table = w.latest.entry(t.name).or_default();
            let (k, d) = (row.key, row.doc);
            let Some(i) = of_table.find(k) else {
                of_table.insert(k, seq, d);
                continue;
            };
            if of_table.doc(i) != d {
                let (was, now) = (parse(of_table.doc(i)), parse(d));
                if frozen_change(conn, t, &was, &now)? {
                    w.problems.push(differences(
                        t,
                        &parse(k),
                        seq,
                        &shown(conn, t, &was)?,
                        &shown(conn, t, &now)?,
                        How::Reanchored(of_table.slot(i).seq),
                    ));
                }
                of_table.set_doc(i, d);
            }
            of_table.slot_mut(i).seq = seq;
        }
        w.last = Some((seq, hash.to_string()));
    }
    drop(rows);
    // The entries kept whole: earlier formats by their area's own check, a
    // closing by recomputing the file hash it states.
    for e in &w.whole {
        let entry = e.entry(slug);
        if super::is_current(&entry) {
            if let Some(b) = derived_check(conn, id, &entry)? {
                w.problems.push(b);
            }
            continue;
        }
        for check in legacy_checks(&entry.kind) {
            if let Some(b) = check(conn, id, &entry)? {
                w.problems.push(b);
                break;
            }
        }
    }
    Ok(w)
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
    let tail = match path {
        Some(_) if own * 2 > all => split::point(conn, id, own)?,
        _ => None,
    };
    std::thread::scope(|s| {
        let name = slug.clone();
        let second = path.map(|p| {
            let tail = tail.as_ref();
            s.spawn(move || split::second(p, id, &name, tail))
        });
        let here = rows::head(conn)?;
        let first = match &tail {
            Some(t) => walk(conn, id, &slug, 0, ledger::GENESIS, t.before())?,
            None => walk_all(conn, id, &slug, own, all)?,
        };
        let second = second
            .and_then(|h| h.join().ok())
            .and_then(Result::ok)
            .filter(|s| s.seen == here);
        let (w, docs) = match (&tail, second) {
            (None, s) => (first, s.map(|s| s.docs)),
            (Some(t), Some(s)) => match split::join(conn, first, t, s.walk)? {
                Some(w) => (w, Some(s.docs)),
                None => (walk_all(conn, id, &slug, own, all)?, Some(s.docs)),
            },
            (Some(_), None) => (walk_all(conn, id, &slug, own, all)?, None),
        };
        if let Some(b) = w.chain.clone().or(outside_chain(conn, id, w.n)?) {
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
    })
}

/// An entry of the community that the walk over `1..=n` did not meet: a
/// number out of range (0, negative) or given twice (possible only with the
/// table rebuilt without its UNIQUE constraint).
fn outside_chain(conn: &Connection, id: i64, n: usize) -> Result<Option<Broken>, Error> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM ledger WHERE community_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    if count == n as i64 {
        return Ok(None);
    }
    let odd: Option<i64> = conn
        .prepare_cached(
            "SELECT seq FROM ledger WHERE community_id = ?1
               AND (seq < 1 OR seq > ?2 OR seq IN (SELECT seq FROM ledger
                    WHERE community_id = ?1 GROUP BY seq HAVING count(*) > 1))
             ORDER BY seq LIMIT 1",
        )?
        .query_row(rusqlite::params![id, n as i64], |r| r.get(0))
        .ok();
    let seq = odd.unwrap_or(0);
    let extra = count - n as i64;
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
    Ok(own * 2 > all && split::point(conn, id, own)?.is_some())
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

/// The walk of a whole community: in the table's order when the community
/// holds most of the ledger (one pass, no index), else by its index; a
/// chain that breaks in table order is walked again by `seq`, so the
/// report names what the entries' own order shows.
fn walk_all(conn: &Connection, id: i64, slug: &str, own: i64, all: i64) -> Result<Walk, Error> {
    if own * 2 > all {
        let whole = Order::Table {
            from: 0,
            to: i64::MAX,
        };
        let w = walk(conn, id, slug, 0, ledger::GENESIS, whole)?;
        if w.chain.is_none() {
            return Ok(w);
        }
    }
    walk(conn, id, slug, 0, ledger::GENESIS, Order::Seq)
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
    let w = walk(conn, id, &slug, *seq, hash, Order::Seq)?;
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
    let orphans: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT community_id, count(*) FROM ledger
             WHERE community_id NOT IN (SELECT id FROM communities) GROUP BY community_id",
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
