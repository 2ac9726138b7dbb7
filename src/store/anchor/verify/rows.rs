//! The published rows' part of a full check: each row's document against
//! its latest anchor, the documents read here or on the second connection
//! (see [`super::split`]).

use super::anchors::TableAnchors;
use super::checks::{Anchors, POINTERS, pointer_check, round_ballots};
use super::compare::{How, differences, parse, same};
use super::gone;
use crate::domain::ledger::Broken;
use crate::error::Error;
use crate::store::anchor::{Table, each_doc, tables};
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Every published row's document of one table, keys and documents kept
/// end to end in one buffer (a hundred thousand rows, one allocation).
pub(super) struct Docs {
    table: &'static Table,
    buf: Vec<u8>,
    /// Where each row's key, then its document, ends in `buf`.
    ends: Vec<(usize, usize)>,
}

impl Docs {
    fn each(&self, mut f: impl FnMut(&str, &[u8]) -> Result<(), Error>) -> Result<(), Error> {
        let mut start = 0;
        for &(k, d) in &self.ends {
            // Keys were read as text: they are UTF-8.
            let key = std::str::from_utf8(&self.buf[start..k]).map_err(|e| {
                Error::Internal(format!("{}: a key is not text: {e}", self.table.name))
            })?;
            f(key, &self.buf[k..d])?;
            start = d;
        }
        Ok(())
    }
}

/// The id of the last ledger entry this connection sees.
pub(super) fn head(conn: &Connection) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM ledger")?
        .query_row([], |r| r.get(0))?)
}

/// A read-only connection of the verifier's own to the same file.
pub(super) fn open(path: &str) -> Result<Connection, Error> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "mmap_size", super::MMAP)?;
    Ok(conn)
}

/// Every published row's document of one community.
pub(super) fn read(conn: &Connection, community: i64) -> Result<Vec<Docs>, Error> {
    let mut out = Vec::with_capacity(tables::TABLES.len());
    for t in tables::TABLES {
        let mut d = Docs {
            table: t,
            buf: Vec::new(),
            ends: Vec::new(),
        };
        each_doc(conn, t, community, |k, doc| {
            d.buf.extend_from_slice(k.as_bytes());
            let k = d.buf.len();
            d.buf.extend_from_slice(doc);
            d.ends.push((k, d.buf.len()));
            Ok(())
        })?;
        out.push(d);
    }
    Ok(out)
}

/// Where the documents come from: read beside the walk, or now.
pub(super) enum Source {
    Apart(Vec<Docs>),
    Here,
}

/// Compares every published row with its latest anchor (`latest`, from
/// the walk), and reports what is anchored but no longer published.
pub(super) fn check(
    conn: &Connection,
    community: i64,
    head: i64,
    mut latest: Anchors,
    source: Source,
    problems: &mut Vec<Broken>,
) -> Result<(), Error> {
    let mut c = Check {
        conn,
        community,
        head,
        pointing: Vec::new(),
        problems,
    };
    let mut revisions: HashMap<&'static str, HashSet<String>> = HashMap::new();
    let apart = match source {
        Source::Apart(d) => Some(d),
        Source::Here => None,
    };
    for (i, t) in tables::TABLES.iter().enumerate() {
        let of_table = latest.entry(t.name).or_default();
        let pointed = POINTERS.iter().any(|(_, _, r)| *r == t.name);
        let mut keys = HashSet::new();
        let mut row = |k: &str, now: &[u8]| {
            if pointed {
                keys.insert(k.to_string());
            }
            c.row(t, of_table, k, now)
        };
        match apart.as_ref().and_then(|d| d.get(i)) {
            Some(d) => d.each(&mut row)?,
            None => each_doc(conn, t, community, &mut row)?,
        }
        if pointed {
            revisions.insert(t.name, keys);
        }
    }
    for (t, k, now, seq) in &c.pointing {
        if let Some(b) = pointer_check(t, k, now, *seq, &latest, &revisions) {
            c.problems.push(b);
        }
    }
    // What is anchored but no longer there (deleted, or made a draft again).
    for (name, m) in &latest {
        if let Some(t) = crate::store::anchor::table(name) {
            c.problems.extend(
                m.iter()
                    .filter(|(_, a, _)| !a.seen)
                    .map(|(k, a, _)| gone(t, k, a.seq)),
            );
        }
    }
    super::free_later((latest, apart));
    Ok(())
}

struct Check<'a> {
    conn: &'a Connection,
    community: i64,
    head: i64,
    /// Rows that name a published revision, checked once all are read.
    pointing: Vec<(&'static Table, String, String, i64)>,
    problems: &'a mut Vec<Broken>,
}

impl Check<'_> {
    fn row(
        &mut self,
        t: &'static Table,
        anchors: &mut TableAnchors,
        k: &str,
        now: &[u8],
    ) -> Result<(), Error> {
        let found = anchors.find(k);
        if t.name == "rounds"
            && let Some(b) = round_ballots(
                self.conn,
                self.community,
                k,
                &String::from_utf8_lossy(now),
                found.map(|i| anchors.slot(i).seq),
            )?
        {
            self.problems.push(b);
        }
        let Some(i) = found else {
            let key = parse(k);
            self.problems.push(Broken {
                seq: self.head + 1,
                zh: format!("{}已公开，但账本里没有它的记录", t.name_zh(&key)),
                en: format!(
                    "the {} is published but no ledger entry anchors it",
                    t.name_en(&key)
                ),
            });
            return Ok(());
        };
        anchors.slot_mut(i).seen = true;
        let seq = anchors.slot(i).seq;
        if POINTERS.iter().any(|(n, _, _)| *n == t.name) {
            let now = String::from_utf8_lossy(now).into_owned();
            self.pointing.push((t, k.to_string(), now, seq));
        }
        let was = anchors.doc(i);
        if was.as_bytes() != now {
            let (was, now) = (parse(was), parse(&String::from_utf8_lossy(now)));
            if !same(t, &was, &now) {
                self.problems
                    .push(differences(t, &parse(k), seq, &was, &now, How::Stored));
            }
        }
        Ok(())
    }
}
