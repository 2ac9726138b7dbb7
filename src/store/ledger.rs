//! The ledger in SQLite: append (inside the transaction that publishes the
//! record), read, export as JSON lines, and verify both the chain and that
//! every published record still matches its entry.

use crate::domain::ledger::{self, Broken, Entry};
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

/// What verification found for one community.
#[derive(Debug, Clone)]
pub struct Report {
    pub community: String,
    pub entries: usize,
    pub broken: Option<Broken>,
}

/// Verifies every community: the chain, then each record against its entry.
pub fn verify_db(conn: &Connection) -> Result<Vec<Report>, Error> {
    let communities: Vec<(i64, String)> = conn
        .prepare("SELECT id, slug FROM communities ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    communities
        .into_iter()
        .map(|(id, slug)| verify_community(conn, id, slug))
        .collect()
}

/// Verifies one community's chain, then each record against its entry.
pub fn verify_community(conn: &Connection, id: i64, slug: String) -> Result<Report, Error> {
    let es = entries(conn, id)?;
    let mut broken = ledger::verify_chain(&es).err();
    if broken.is_none() {
        for e in &es {
            let found = match e.kind.split('.').next().unwrap_or("") {
                "proposal" => super::proposals::check_entry(conn, id, e)?,
                "round" => super::rounds::check_entry(conn, id, e)?,
                _ => match super::objections::check_entry(conn, e)? {
                    Some(b) => Some(b),
                    None => match super::disclosures::check_entry(conn, id, e)? {
                        Some(b) => Some(b),
                        None => match super::deliberations::check_entry(conn, id, e)? {
                            Some(b) => Some(b),
                            None => super::votes::check_entry(conn, id, e)?,
                        },
                    },
                },
            };
            if found.is_some() {
                broken = found;
                break;
            }
        }
    }
    Ok(Report {
        community: slug,
        entries: es.len(),
        broken,
    })
}
