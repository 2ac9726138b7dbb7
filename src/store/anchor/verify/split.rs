//! A full check on two cores. The chain is cut into parts at entries whose
//! stored hash ends one part and starts the next. This connection walks the
//! parts from the first on; a second connection, on a thread of its own,
//! first reads every published row's document, then walks parts from the
//! last one back, until the two meet. Whoever is done first takes more of
//! the chain, so neither waits long for the other, whatever the community
//! holds.

use super::compare::{How, differences, frozen_change, parse, shown};
use super::rows::{self, Docs};
use super::walk::{Order, Walk, walk};
use crate::domain::ledger;
use crate::error::Error;
use rusqlite::Connection;
use std::sync::Mutex;

/// Where a part starts: after entry `after` (seq), stored with `hash`, at
/// ledger ids above `from`.
struct Start {
    after: i64,
    hash: String,
    from: i64,
}

/// The parts of the chain, and which of them each side has taken.
pub(super) struct Parts {
    /// The start of every part but the first (which starts at genesis).
    starts: Vec<Start>,
    /// The next part the first side takes, and the first part the second
    /// side has taken (they meet when the two are equal).
    taken: Mutex<(usize, usize)>,
}

/// Parts of at least this many entries.
const PART: i64 = 1_000;
/// At most this many parts.
const PARTS: i64 = 16;

impl Parts {
    /// The parts of a community's chain of `own` entries; None for a short
    /// chain, or when an entry where a part would start is missing (then
    /// one walk finds and names what is wrong).
    pub fn of(conn: &Connection, id: i64, own: i64) -> Result<Option<Parts>, Error> {
        use rusqlite::OptionalExtension;
        let k = (own / PART).min(PARTS);
        if k < 2 {
            return Ok(None);
        }
        let mut st = conn
            .prepare_cached("SELECT id, hash FROM ledger WHERE community_id = ?1 AND seq = ?2")?;
        let mut starts = Vec::with_capacity(k as usize);
        for j in 1..k {
            let after = own * j / k;
            let found = st
                .query_row(rusqlite::params![id, after], |r| {
                    Ok(Start {
                        after,
                        hash: r.get(1)?,
                        from: r.get(0)?,
                    })
                })
                .optional()?;
            let Some(s) = found else {
                return Ok(None);
            };
            starts.push(s);
        }
        let n = starts.len() + 1;
        Ok(Some(Parts {
            starts,
            taken: Mutex::new((0, n)),
        }))
    }

    fn len(&self) -> usize {
        self.starts.len() + 1
    }

    /// Part `i`'s first entry follows entry `.0` with hash `.1`; its
    /// entries are read in table order.
    fn part(&self, i: usize) -> (i64, &str, Order) {
        let to = self.starts.get(i).map(|s| s.from).unwrap_or(i64::MAX);
        match i.checked_sub(1).and_then(|j| self.starts.get(j)) {
            Some(s) => (s.after, &s.hash, Order::Table { from: s.from, to }),
            None => (0, ledger::GENESIS, Order::Table { from: 0, to }),
        }
    }

    fn take_first(&self) -> Option<usize> {
        let mut t = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        (t.0 < t.1).then(|| {
            t.0 += 1;
            t.0 - 1
        })
    }

    fn take_last(&self) -> Option<usize> {
        let mut t = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        (t.1 > t.0).then(|| {
            t.1 -= 1;
            t.1
        })
    }

    /// Has the first side taken every part?
    pub fn all_first(&self) -> bool {
        self.taken.lock().unwrap_or_else(|p| p.into_inner()).0 == self.len()
    }

    /// The first side: parts from the first on, as one walk, until the
    /// sides meet or the chain breaks.
    pub fn walk_first(&self, conn: &Connection, id: i64, slug: &str) -> Result<Walk, Error> {
        let mut w = Walk::new();
        while w.chain.is_none()
            && let Some(i) = self.take_first()
        {
            let (_, _, order) = self.part(i);
            w.part(conn, id, slug, 0, ledger::GENESIS, order)?;
        }
        w.finish(conn, id, slug)?;
        Ok(w)
    }

    /// The second side: parts from the last one back, each its own walk,
    /// until the sides meet or one breaks.
    fn walk_last(
        &self,
        conn: &Connection,
        id: i64,
        slug: &str,
    ) -> Result<Vec<(usize, Walk)>, Error> {
        let mut out = Vec::new();
        while let Some(i) = self.take_last() {
            let (after, hash, order) = self.part(i);
            let w = walk(conn, id, slug, after, hash, order)?;
            let broke = w.chain.is_some();
            out.push((i, w));
            if broke {
                break;
            }
        }
        out.reverse();
        Ok(out)
    }
}

/// What the second connection read, and the ledger head it saw.
pub(super) struct Second {
    pub seen: i64,
    pub docs: Vec<Docs>,
    /// The parts it walked, first to last.
    pub walks: Vec<(usize, Walk)>,
}

/// The second connection's work, in one read transaction.
pub(super) fn second(
    path: &str,
    id: i64,
    slug: &str,
    parts: Option<&Parts>,
) -> Result<Second, Error> {
    let conn = rows::open(path)?;
    let tx = conn.unchecked_transaction()?;
    let seen = rows::head(&tx)?;
    let docs = rows::read(&tx, id)?;
    let walks = match parts {
        Some(p) => p.walk_last(&tx, id, slug)?,
        None => Vec::new(),
    };
    Ok(Second { seen, docs, walks })
}

/// The two sides as one walk; None when they do not meet cleanly (a break
/// in either, or a part not ending where the next starts): then the caller
/// walks everything again in one pass, whose report names the break.
pub(super) fn join(
    conn: &Connection,
    first: Walk,
    parts: &Parts,
    later: Vec<(usize, Walk)>,
) -> Result<Option<Walk>, Error> {
    let mut w = first;
    for (i, second) in later {
        let (after, hash, _) = parts.part(i);
        // The first side may have walked nothing, if the second took all.
        let meets = match &w.last {
            Some((s, h)) => *s == after && h == hash,
            None => w.n == 0 && after == 0,
        };
        if w.chain.is_some() || second.chain.is_some() || !meets {
            return Ok(None);
        }
        w = join_one(conn, w, second)?;
    }
    Ok(Some(w))
}

/// A walk followed by the walk of the part after it.
fn join_one(conn: &Connection, first: Walk, second: Walk) -> Result<Walk, Error> {
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
    Ok(w)
}

/// A community's chain walked with parts `..k` on this connection and the
/// rest on a second one, joined: what a full check's walk finds, whoever
/// takes which part (in a real check that depends on timing). The entries
/// walked and the problems found, rows checked; None if the chain is too
/// short to part, the parts do not meet or the chain breaks (then a full
/// check walks everything again and names the break).
#[cfg(test)]
pub(crate) fn walked_apart(
    conn: &Connection,
    id: i64,
    slug: &str,
    k: usize,
) -> Result<Option<(usize, Vec<crate::domain::ledger::Broken>)>, Error> {
    let own: i64 = conn.query_row(
        "SELECT coalesce(max(seq), 0) FROM ledger WHERE community_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let Some(parts) = Parts::of(conn, id, own)? else {
        return Ok(None);
    };
    let n = parts.len();
    let path = conn.path().unwrap_or_default().to_string();
    let other = rows::open(&path)?;
    *parts.taken.lock().unwrap() = (k.min(n), n);
    let later = parts.walk_last(&other, id, slug)?;
    *parts.taken.lock().unwrap() = (0, k.min(n));
    let first = parts.walk_first(conn, id, slug)?;
    let Some(w) = join(conn, first, &parts, later)?.filter(|w| w.chain.is_none()) else {
        return Ok(None);
    };
    let mut problems = w.problems;
    let head = w.last.as_ref().map(|l| l.0).unwrap_or(0);
    rows::check(conn, id, head, w.latest, rows::Source::Here, &mut problems)?;
    problems.sort_by_key(|b| b.seq);
    Ok(Some((w.n, problems)))
}
