//! Walking a community's entries: the chain hashed over each stored
//! payload, and each anchored document kept as its canonical text (a later
//! document of a row checked against the earlier one).

use super::anchors::TableAnchors;
use super::checks::{Anchors, derived_check, legacy_checks};
use super::compare::{How, differences, frozen_change, parse, shown};
use super::payload;
use crate::domain::ledger::{self, Broken};
use crate::error::Error;
use crate::store::anchor::{self, Table};
use crate::store::ledger::Stored;
use rusqlite::Connection;

/// What walking a community's entries found.
pub(super) struct Walk {
    /// The latest anchor of each row, by table and key.
    pub latest: Anchors,
    /// Entries of earlier formats, and closings (whose file hash is
    /// checked too), kept whole for their own checks.
    whole: Vec<Stored>,
    pub problems: Vec<Broken>,
    /// Entries walked, and the last of them.
    pub n: usize,
    pub last: Option<(i64, String)>,
    /// Where the chain broke, if it did (the walk stops there).
    pub chain: Option<Broken>,
}

/// How a walk reads the entries: by their `seq`, through the index, or in
/// the table's own order (the order they were appended in).
#[derive(Clone, Copy)]
pub(super) enum Order {
    Seq,
    /// The entries with ids in `(from, to]`.
    Table {
        from: i64,
        to: i64,
    },
}

/// One entry as stored.
struct Row<'r> {
    seq: i64,
    at: i64,
    kind: &'r str,
    subject: &'r str,
    payload: &'r str,
    prev: &'r str,
    hash: &'r str,
}

/// Walks the entries after entry `after` (whose hash is `after_hash`; 0 and
/// genesis for all), then checks the entries kept whole.
pub(super) fn walk(
    conn: &Connection,
    id: i64,
    slug: &str,
    after: i64,
    after_hash: &str,
    order: Order,
) -> Result<Walk, Error> {
    let mut w = Walk::new();
    w.part(conn, id, slug, after, after_hash, order)?;
    w.finish(conn, id, slug)?;
    Ok(w)
}

impl Walk {
    pub fn new() -> Walk {
        Walk {
            latest: Anchors::default(),
            whole: Vec::new(),
            problems: Vec::new(),
            n: 0,
            last: None,
            chain: None,
        }
    }

    /// Walks on through the entries of `order`, continuing this walk: the
    /// walk started after entry `after` (hash `after_hash`), and goes on
    /// from where it stopped. Stops at a break in the chain.
    pub fn part(
        &mut self,
        conn: &Connection,
        id: i64,
        slug: &str,
        after: i64,
        after_hash: &str,
        order: Order,
    ) -> Result<(), Error> {
        if self.chain.is_some() {
            return Ok(());
        }
        let mut prev = match &self.last {
            Some((_, h)) => h.clone(),
            None => after_hash.to_string(),
        };
        let mut st = conn.prepare_cached(match order {
            Order::Seq => {
                "SELECT seq, at, kind, subject, payload, prev, hash FROM ledger
                 WHERE community_id = ?1 AND seq > ?2 ORDER BY seq"
            }
            Order::Table { .. } => {
                // Every numbered entry in the range, whatever its number:
                // one numbered lower than the part's start (a number given
                // twice) breaks the chain where it stands.
                "SELECT seq, at, kind, subject, payload, prev, hash FROM ledger NOT INDEXED
                 WHERE community_id = ?1 AND seq > 0 AND id > ?2 AND id <= ?3 ORDER BY id"
            }
        })?;
        let mut rows = match order {
            Order::Seq => st.query(rusqlite::params![id, after])?,
            Order::Table { from, to } => st.query(rusqlite::params![id, from, to])?,
        };
        let mut last = None;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let text = |i: usize| -> Result<&str, Error> {
                r.get_ref(i)?
                    .as_str()
                    .map_err(|e| Error::Internal(format!("entry {seq}: {e}")))
            };
            let e = Row {
                seq,
                at: r.get(1)?,
                kind: text(2)?,
                subject: text(3)?,
                payload: text(4)?,
                prev: text(5)?,
                hash: text(6)?,
            };
            self.n += 1;
            if let Some((zh, en)) = fault(slug, after + self.n as i64, &prev, &e) {
                self.last = Some((seq, e.hash.to_string()));
                self.chain = Some(Broken { seq, zh, en });
                return Ok(());
            }
            prev.clear();
            prev.push_str(e.hash);
            self.entry(conn, &e)?;
            last = Some(seq);
        }
        if let Some(seq) = last {
            self.last = Some((seq, prev));
        }
        Ok(())
    }

    /// An entry that holds in the chain: kept whole if its own check needs
    /// it, and its anchored documents noted (a later document of a row
    /// checked against the earlier one).
    fn entry(&mut self, conn: &Connection, e: &Row) -> Result<(), Error> {
        let seq = e.seq;
        let parsed = payload::rows(e.payload);
        if parsed.is_none() || e.kind == "vote.closed" {
            self.whole.push(Stored {
                seq,
                at: e.at,
                kind: e.kind.to_string(),
                subject: e.subject.to_string(),
                payload: e.payload.to_string(),
                prev: e.prev.to_string(),
                hash: e.hash.to_string(),
            });
        }
        for row in parsed.unwrap_or_default() {
            let Some(t) = anchor::table(&row.table) else {
                self.problems.push(Broken {
                    seq,
                    zh: format!("第 {seq} 条记录登记了未知的表 {}", row.table),
                    en: format!("entry {seq} anchors an unknown table {}", row.table),
                });
                continue;
            };
            let of_table = self.latest.entry(t.name).or_default();
            let (k, d) = (row.key, row.doc);
            let Some(i) = of_table.find(k) else {
                of_table.insert(k, seq, d);
                continue;
            };
            if of_table.doc(i) != d {
                if let Some(b) = reanchored(conn, t, k, seq, of_table, i, d)? {
                    self.problems.push(b);
                }
                of_table.set_doc(i, d);
            }
            of_table.slot_mut(i).seq = seq;
        }
        Ok(())
    }

    /// The entries kept whole: earlier formats by their area's own check, a
    /// closing by recomputing the file hash it states.
    pub fn finish(&mut self, conn: &Connection, id: i64, slug: &str) -> Result<(), Error> {
        for e in &self.whole {
            let entry = e.entry(slug);
            if anchor::is_current(&entry) {
                if let Some(b) = derived_check(conn, id, &entry)? {
                    self.problems.push(b);
                }
                continue;
            }
            for check in legacy_checks(&entry.kind) {
                if let Some(b) = check(conn, id, &entry)? {
                    self.problems.push(b);
                    break;
                }
            }
        }
        Ok(())
    }
}

/// What is wrong with an entry's place in the chain: its number (`want`
/// expected), its link to the previous hash, or its own hash.
fn fault(slug: &str, want: i64, prev: &str, e: &Row) -> Option<(String, String)> {
    let seq = e.seq;
    if seq != want {
        return Some((
            format!("第 {want} 条记录缺失或顺序被改动（看到的是第 {seq} 条）"),
            format!("entry {want} is missing or out of order (found {seq})"),
        ));
    }
    if e.prev != prev {
        return Some((
            format!("第 {seq} 条记录没有接上前一条"),
            format!("entry {seq} does not link to the previous one"),
        ));
    }
    let envelope = ledger::Envelope {
        community: slug,
        seq,
        at: e.at,
        kind: e.kind,
        subject: e.subject,
        payload: e.payload,
        prev: e.prev,
    };
    (!envelope.matches(e.hash)).then(|| {
        (
            format!("第 {seq} 条记录的内容与其哈希不符：它被改过"),
            format!("entry {seq}'s content does not match its hash: it was altered"),
        )
    })
}

/// A row anchored again with another document (`d`) than its last one
/// (slot `i`): a problem if what changed was frozen.
fn reanchored(
    conn: &Connection,
    t: &'static Table,
    k: &str,
    seq: i64,
    of_table: &TableAnchors,
    i: usize,
    d: &str,
) -> Result<Option<Broken>, Error> {
    let (was, now) = (parse(of_table.doc(i)), parse(d));
    if !frozen_change(conn, t, &was, &now)? {
        return Ok(None);
    }
    Ok(Some(differences(
        t,
        &parse(k),
        seq,
        &shown(conn, t, &was)?,
        &shown(conn, t, &now)?,
        How::Reanchored(of_table.slot(i).seq),
    )))
}

/// The walk of a whole community: in the table's order when the community
/// holds most of the ledger (one pass, no index), else by its index; a
/// chain that breaks in table order is walked again by `seq`, so the
/// report names what the entries' own order shows.
pub(super) fn walk_all(
    conn: &Connection,
    id: i64,
    slug: &str,
    own: i64,
    all: i64,
) -> Result<Walk, Error> {
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
