//! `verify`: the chain, then every published row against the latest entry
//! that anchored it, by rebuilding the row's document with the same
//! function that anchored it ([`super::doc`]). Nothing is compared by hand:
//! a record kind is checked because it is in [`super::tables::TABLES`].
//!
//! Entries written before row documents (no `"v": 2`) are checked as they
//! always were, by their area's own check.

mod cached;
mod checks;
mod compare;

pub use cached::{Cached, FULL_EVERY, verify_cached};

use super::{Table, tables};
use crate::domain::ledger::{self, Broken};
use crate::error::Error;
use crate::store::ledger::Stored;
use checks::{Anchors, POINTERS, derived_check, legacy_checks, pointer_check, round_ballots};
use compare::{How, differences, frozen_change, parse, same, shown};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

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

#[derive(serde::Deserialize)]
struct RawPayload<'a> {
    v: Option<i64>,
    #[serde(borrow)]
    rows: Option<Vec<RawRow<'a>>>,
}

#[derive(serde::Deserialize)]
struct RawRow<'a> {
    #[serde(borrow)]
    table: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    key: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    doc: &'a serde_json::value::RawValue,
}

/// A row's latest anchor, its document kept as the canonical text stored
/// (the row's key is the key of the map that holds it).
struct AnchoredText {
    seq: i64,
    doc: String,
    /// Met among the rows published now (the full check sets it).
    seen: bool,
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
    let mut st = conn.prepare_cached(
        "SELECT seq, at, kind, subject, payload, prev, hash FROM ledger
         WHERE community_id = ?1 AND seq > ?2 ORDER BY seq",
    )?;
    let mut rows = st.query(rusqlite::params![id, after])?;
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
        let parsed = match serde_json::from_str::<RawPayload>(payload) {
            Ok(pl) if pl.v == Some(super::VERSION) => Some(pl.rows.unwrap_or_default()),
            _ => None,
        };
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
            let k = row.key.get();
            let d = row.doc.get();
            let of_table = w.latest.entry(t.name).or_default();
            match of_table.get_mut(k) {
                Some(a) => {
                    if a.doc != d {
                        let (was, now) = (parse(&a.doc), parse(d));
                        if frozen_change(conn, t, &was, &now)? {
                            w.problems.push(differences(
                                t,
                                &parse(k),
                                seq,
                                &shown(conn, t, &was)?,
                                &shown(conn, t, &now)?,
                                How::Reanchored(a.seq),
                            ));
                        }
                        a.doc.clear();
                        a.doc.push_str(d);
                    }
                    a.seq = seq;
                }
                None => {
                    of_table.insert(
                        k.to_string(),
                        AnchoredText {
                            seq,
                            doc: d.to_string(),
                            seen: false,
                        },
                    );
                }
            }
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

fn gone(t: &Table, key: &str, a: &AnchoredText) -> Broken {
    let key = parse(key);
    Broken {
        seq: a.seq,
        zh: format!("第 {} 条记录所载的{}不见了或被撤回", a.seq, t.name_zh(&key)),
        en: format!(
            "entry {}: the {} it anchors is gone or was unpublished",
            a.seq,
            t.name_en(&key)
        ),
    }
}

/// Full verification of one community: the chain, every entry, and every
/// published row against the entry that anchored it last.
pub fn verify_community(conn: &Connection, id: i64, slug: String) -> Result<Report, Error> {
    let w = walk(conn, id, &slug, 0, ledger::GENESIS)?;
    if let Some(b) = w.chain {
        return Ok(report_of(slug, w.n, w.last, vec![b]));
    }
    let Walk {
        mut latest,
        mut problems,
        n,
        last,
        ..
    } = w;
    // A database from before row documents (not yet opened by this
    // version) is checked by its entries alone, as it always was.
    if !upgraded(conn)? {
        return Ok(report_of(slug, n, last, problems));
    }
    let head = last.as_ref().map(|l| l.0).unwrap_or(0);
    // Each published row's document, built as it is read and compared
    // with its latest anchor; nothing of it is kept beyond what the
    // pointer checks need (disclosures and meetings, and their revisions).
    let mut pointing: Vec<(&'static Table, String, String, i64)> = Vec::new();
    let mut revisions: HashMap<&'static str, HashSet<String>> = HashMap::new();
    for t in tables::TABLES {
        let of_table = latest.entry(t.name).or_default();
        let points = POINTERS.iter().any(|(n, _, _)| *n == t.name);
        let pointed = POINTERS.iter().any(|(_, _, r)| *r == t.name);
        let mut keys = HashSet::new();
        super::each_doc(conn, t, id, |k, now| {
            if pointed {
                keys.insert(k.to_string());
            }
            let anchored = of_table.get_mut(k);
            if t.name == "rounds"
                && let Some(b) = round_ballots(
                    conn,
                    id,
                    k,
                    &String::from_utf8_lossy(now),
                    anchored.as_ref().map(|a| a.seq),
                )?
            {
                problems.push(b);
            }
            match anchored {
                None => {
                    let key = parse(k);
                    problems.push(Broken {
                        seq: head + 1,
                        zh: format!("{}已公开，但账本里没有它的记录", t.name_zh(&key)),
                        en: format!(
                            "the {} is published but no ledger entry anchors it",
                            t.name_en(&key)
                        ),
                    });
                }
                Some(a) => {
                    a.seen = true;
                    if points {
                        let now = String::from_utf8_lossy(now).into_owned();
                        pointing.push((t, k.to_string(), now, a.seq));
                    }
                    if a.doc.as_bytes() != now {
                        let (was, now) = (parse(&a.doc), parse(&String::from_utf8_lossy(now)));
                        if !same(t, &was, &now) {
                            problems.push(differences(
                                t,
                                &parse(k),
                                a.seq,
                                &was,
                                &now,
                                How::Stored,
                            ));
                        }
                    }
                }
            }
            Ok(())
        })?;
        if pointed {
            revisions.insert(t.name, keys);
        }
    }
    for (t, k, now, seq) in &pointing {
        if let Some(b) = pointer_check(t, k, now, *seq, &latest, &revisions) {
            problems.push(b);
        }
    }
    // What is anchored but no longer there (deleted, or made a draft again).
    for (name, m) in latest {
        if let Some(t) = super::table(name) {
            problems.extend(
                m.iter()
                    .filter(|(_, a)| !a.seen)
                    .map(|(k, a)| gone(t, k, a)),
            );
        }
    }
    Ok(report_of(slug, n, last, problems))
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
    let w = walk(conn, id, &slug, *seq, hash)?;
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
        for (k, a) in &m {
            match super::doc(conn, t, &parse(k))? {
                Some(now) if same(t, &parse(&a.doc), &now) => {}
                Some(now) => problems.push(differences(
                    t,
                    &parse(k),
                    a.seq,
                    &parse(&a.doc),
                    &now,
                    How::Stored,
                )),
                None => problems.push(gone(t, k, a)),
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
