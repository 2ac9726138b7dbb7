//! A full check on two cores. A second connection, on a thread of its own,
//! reads every published row's document and walks the last part of the
//! chain, while this one walks the first part; the parts meet at an entry
//! whose stored hash the first part checks and the second starts from.

use super::compare::{How, differences, frozen_change, parse, shown};
use super::rows::{self, Docs};
use super::{Order, Walk, walk};
use crate::error::Error;
use rusqlite::Connection;

/// Where the walk is split: the second part walks the entries after
/// `after` (seq), stored with `hash`, from ledger id `from` on.
pub(super) struct Tail {
    after: i64,
    hash: String,
    from: i64,
}

impl Tail {
    /// The first part: the entries up to and including the split.
    pub fn before(&self) -> Order {
        Order::Table {
            from: 0,
            to: self.from,
        }
    }
}

/// The entry four fifths along: the second connection reads the rows
/// too, so it walks the shorter part. None for a short ledger.
pub(super) fn point(conn: &Connection, id: i64, own: i64) -> Result<Option<Tail>, Error> {
    use rusqlite::OptionalExtension;
    let after = own * 4 / 5;
    if own < 2_000 {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached("SELECT id, hash FROM ledger WHERE community_id = ?1 AND seq = ?2")?
        .query_row(rusqlite::params![id, after], |r| {
            Ok(Tail {
                after,
                hash: r.get(1)?,
                from: r.get(0)?,
            })
        })
        .optional()?)
}

/// What the second connection read, and the ledger head it saw.
pub(super) struct Second {
    pub seen: i64,
    pub docs: Vec<Docs>,
    pub walk: Option<Walk>,
}

/// The second connection's work, in one read transaction.
pub(super) fn second(
    path: &str,
    id: i64,
    slug: &str,
    tail: Option<&Tail>,
) -> Result<Second, Error> {
    let conn = rows::open(path)?;
    let tx = conn.unchecked_transaction()?;
    let seen = rows::head(&tx)?;
    let docs = rows::read(&tx, id)?;
    let walk = match tail {
        Some(t) => {
            let after = Order::Table {
                from: t.from,
                to: i64::MAX,
            };
            Some(walk(&tx, id, slug, t.after, &t.hash, after)?)
        }
        None => None,
    };
    Ok(Second { seen, docs, walk })
}

/// The two parts as one walk; None when they do not meet cleanly (a break
/// in either, or the first not ending at the split): then the caller walks
/// everything again in one pass, whose report names the break.
pub(super) fn join(
    conn: &Connection,
    first: Walk,
    tail: &Tail,
    second: Option<Walk>,
) -> Result<Option<Walk>, Error> {
    let Some(second) = second else {
        return Ok(None);
    };
    let meets = first
        .last
        .as_ref()
        .is_some_and(|(s, h)| *s == tail.after && *h == tail.hash);
    if first.chain.is_some() || second.chain.is_some() || !meets {
        return Ok(None);
    }
    let mut w = first;
    w.n += second.n;
    w.last = second.last.or(w.last);
    w.problems.extend(second.problems);
    for (name, later) in second.latest {
        let Some(t) = crate::store::anchor::table(name) else {
            continue;
        };
        let earlier = w.latest.entry(name).or_default();
        for i in 0..later.len() {
            let key = later.key(i);
            let (doc, seq) = (later.doc(i), later.slot(i).seq);
            let Some(j) = earlier.find(key) else {
                earlier.insert(key, seq, doc);
                continue;
            };
            // A row anchored again after the split: its first anchor there
            // against its last one before, as one walk compares them.
            let (again, at) = later.first(i);
            if earlier.doc(j) != again {
                let (was, now) = (parse(earlier.doc(j)), parse(again));
                if frozen_change(conn, t, &was, &now)? {
                    w.problems.push(differences(
                        t,
                        &parse(key),
                        at,
                        &shown(conn, t, &was)?,
                        &shown(conn, t, &now)?,
                        How::Reanchored(earlier.slot(j).seq),
                    ));
                }
            }
            earlier.set_doc(j, doc);
            earlier.slot_mut(j).seq = seq;
        }
    }
    Ok(Some(w))
}
