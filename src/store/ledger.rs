//! The ledger in SQLite: append (inside the transaction that publishes the
//! record), read, and export as JSON lines. What goes into an entry, and
//! `verify`, are in `store::anchor`.

use crate::domain::ledger::{self, Entry};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

fn entry_from(r: &rusqlite::Row) -> rusqlite::Result<Entry> {
    let payload: String = r.get(5)?;
    Ok(Entry {
        community: r.get(0)?,
        seq: r.get(1)?,
        at: r.get(2)?,
        kind: r.get(3)?,
        subject: r.get(4)?,
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        prev: r.get(6)?,
        hash: r.get(7)?,
    })
}

const SELECT: &str = "SELECT c.slug, l.seq, l.at, l.kind, l.subject, l.payload, l.prev, l.hash
     FROM ledger l JOIN communities c ON c.id = l.community_id";

/// Appends an entry; returns it (with its hash, for printing on notices).
pub fn append(
    tx: &Transaction,
    community_id: i64,
    kind: &str,
    subject: &str,
    payload: Value,
) -> Result<Entry, Error> {
    let slug: String = tx.query_row(
        "SELECT slug FROM communities WHERE id = ?1",
        [community_id],
        |r| r.get(0),
    )?;
    let last = tx
        .prepare_cached(&format!(
            "{SELECT} WHERE l.community_id = ?1 ORDER BY l.seq DESC LIMIT 1"
        ))?
        .query_row([community_id], entry_from)
        .optional()?;
    let e = Entry::next(last.as_ref(), &slug, super::now(), kind, subject, payload);
    tx.execute(
        "INSERT INTO ledger (community_id, seq, at, kind, subject, payload, prev, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            community_id,
            e.seq,
            e.at,
            e.kind,
            e.subject,
            ledger::canonical(&e.payload),
            e.prev,
            e.hash
        ],
    )?;
    crate::notify::events::queue(tx, community_id, &e)?;
    Ok(e)
}

pub fn entries(conn: &Connection, community_id: i64) -> Result<Vec<Entry>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT} WHERE l.community_id = ?1 ORDER BY l.seq"
    ))?;
    let v = st
        .query_map([community_id], entry_from)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// One page of a community's entries, newest first, and how many there
/// are in all.
pub fn page(
    conn: &Connection,
    community_id: i64,
    offset: usize,
    limit: usize,
) -> Result<(Vec<Entry>, i64), Error> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT} WHERE l.community_id = ?1 ORDER BY l.seq DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let v = st
        .query_map(
            params![community_id, limit as i64, offset as i64],
            entry_from,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let total = conn
        .prepare_cached("SELECT count(*) FROM ledger WHERE community_id = ?1")?
        .query_row([community_id], |r| r.get(0))?;
    Ok((v, total))
}

pub fn entries_for(
    conn: &Connection,
    community_id: i64,
    subject: &str,
) -> Result<Vec<Entry>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT} WHERE l.community_id = ?1 AND l.subject = ?2 ORDER BY l.seq"
    ))?;
    let v = st
        .query_map(params![community_id, subject], entry_from)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// The latest hash of a community's chain (printed on paper notices).
pub fn head(conn: &Connection, community_id: i64) -> Result<Option<(i64, String)>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT seq, hash FROM ledger WHERE community_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([community_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn to_jsonl(entries: &[Entry]) -> String {
    let mut s = String::new();
    for e in entries {
        s.push_str(&serde_json::to_string(e).unwrap_or_default());
        s.push('\n');
    }
    s
}

/// Entries whose hash starts with `prefix` (lower-case hex), as printed on
/// paper: a resident types the first characters to find the entry.
pub fn find_by_hash(
    conn: &Connection,
    community_id: i64,
    prefix: &str,
) -> Result<Vec<Entry>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT} WHERE l.community_id = ?1 AND substr(l.hash, 1, length(?2)) = ?2 ORDER BY l.seq LIMIT 20"
    ))?;
    let v = st
        .query_map(params![community_id, prefix], entry_from)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// An entry as stored: its payload as the canonical text it was written as.
pub struct Stored {
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub prev: String,
    pub hash: String,
}

impl Stored {
    /// The entry with its payload read (for the checks of earlier formats).
    pub fn entry(&self, community: &str) -> Entry {
        Entry {
            community: community.to_string(),
            seq: self.seq,
            at: self.at,
            kind: self.kind.clone(),
            subject: self.subject.clone(),
            payload: serde_json::from_str(&self.payload).unwrap_or(Value::Null),
            prev: self.prev.clone(),
            hash: self.hash.clone(),
        }
    }
}
