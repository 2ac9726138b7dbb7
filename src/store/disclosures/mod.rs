//! Disclosures in SQLite and their workflow: the committee drafts and
//! submits; the supervision committee signs off or queries (on the whole or
//! on a row); the committee answers or corrects and resubmits; once signed
//! and with every query answered, the committee publishes. A published
//! revision never changes (triggers refuse it); a correction is a new
//! revision with a reason. Every step is a ledger entry.

mod board;
mod cadence;
mod draft;
mod review;
mod verdicts;
mod verify;

pub use board::*;
pub use cadence::*;
pub use draft::*;
pub use review::*;
pub use verdicts::*;
pub use verify::*;

use crate::domain::Msg;
use crate::domain::disclosure::{Category, Period, ThreadKind};
use crate::domain::ledger::{self};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Review,
    Queried,
    Published,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Queried => "queried",
            Status::Published => "published",
        }
    }
    fn parse(s: &str) -> Status {
        match s {
            "review" => Status::Review,
            "queried" => Status::Queried,
            "published" => Status::Published,
            _ => Status::Draft,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Disclosure {
    pub id: i64,
    pub community_id: i64,
    pub category: Category,
    pub period: Period,
    pub status: Status,
    pub published_rev: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub rev: i64,
    pub title: String,
    pub explanation: String,
    pub rows: Vec<Vec<String>>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Signoff {
    pub rev: i64,
    pub name: String,
    pub content_hash: String,
    pub signed_at: i64,
}

#[derive(Debug, Clone)]
pub struct Thread {
    pub id: i64,
    pub kind: ThreadKind,
    pub rev: i64,
    pub row: Option<i64>,
    pub text: String,
    pub author: String,
    pub asked_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

pub const MAX_TEXT: usize = 2000;

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Disclosure> {
    let cat: String = r.get(2)?;
    let period: String = r.get(3)?;
    let status: String = r.get(4)?;
    Ok(Disclosure {
        id: r.get(0)?,
        community_id: r.get(1)?,
        category: Category::parse(&cat).unwrap_or(Category::General),
        period: Period::parse(&period).unwrap_or(Period::Year(2000)),
        status: Status::parse(&status),
        published_rev: r.get(5)?,
        created_at: r.get(6)?,
    })
}

const COLS: &str = "id, community_id, category, period, status, published_rev, created_at";

pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Disclosure, Error> {
    conn.prepare_cached(&format!(
        "SELECT {COLS} FROM disclosures WHERE community_id = ?1 AND id = ?2"
    ))?
    .query_row(params![community_id, id], from_row)
    .optional()?
    .ok_or(Error::NotFound)
}

fn rev_from(r: &rusqlite::Row) -> rusqlite::Result<Revision> {
    let rows: String = r.get(3)?;
    Ok(Revision {
        rev: r.get(0)?,
        title: r.get(1)?,
        explanation: r.get(2)?,
        rows: serde_json::from_str(&rows).unwrap_or_default(),
        reason: r.get(4)?,
        created_at: r.get(5)?,
        published_at: r.get(6)?,
    })
}

/// Every revision, oldest first.
pub fn revisions(conn: &Connection, id: i64) -> Result<Vec<Revision>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT rev, title, explanation, rows, reason, created_at, published_at
         FROM disclosure_revisions WHERE disclosure_id = ?1 ORDER BY rev",
    )?;
    let v = st.query_map([id], rev_from)?.collect::<Result<_, _>>()?;
    Ok(v)
}

/// The revision being worked on (not yet published), if any.
pub fn working(conn: &Connection, id: i64) -> Result<Option<Revision>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT rev, title, explanation, rows, reason, created_at, published_at
             FROM disclosure_revisions WHERE disclosure_id = ?1 AND published_at IS NULL",
        )?
        .query_row([id], rev_from)
        .optional()?)
}

pub fn revision(conn: &Connection, id: i64, rev: i64) -> Result<Revision, Error> {
    conn.prepare_cached(
        "SELECT rev, title, explanation, rows, reason, created_at, published_at
         FROM disclosure_revisions WHERE disclosure_id = ?1 AND rev = ?2",
    )?
    .query_row(params![id, rev], rev_from)
    .optional()?
    .ok_or(Error::NotFound)
}

/// What the ledger fixes of a revision: a digest of everything shown.
pub fn content_hash(d: &Disclosure, r: &Revision) -> String {
    ledger::digest(&json!({
        "category": d.category.as_str(),
        "period": d.period.key(),
        "title": r.title,
        "explanation": r.explanation,
        "rows": r.rows,
    }))
}

fn owner(id: i64, rev: i64) -> String {
    format!("disclosure:{id}:{rev}")
}

/// The owner key of a revision's attachments.
pub fn files_owner(id: i64, rev: i64) -> String {
    owner(id, rev)
}

pub fn signoffs(conn: &Connection, id: i64) -> Result<Vec<Signoff>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT rev, name, content_hash, signed_at FROM disclosure_signoffs WHERE disclosure_id = ?1 ORDER BY signed_at, name",
    )?;
    let v = st
        .query_map([id], |r| {
            Ok(Signoff {
                rev: r.get(0)?,
                name: r.get(1)?,
                content_hash: r.get(2)?,
                signed_at: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub fn threads(conn: &Connection, id: i64) -> Result<Vec<Thread>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT id, kind, rev, row, text, author, asked_at, answer, answered_at
         FROM disclosure_threads WHERE disclosure_id = ?1 ORDER BY id",
    )?;
    let v = st
        .query_map([id], |r| {
            Ok(Thread {
                id: r.get(0)?,
                kind: crate::store::deliberations::code_at(r, 1)?,
                rev: r.get(2)?,
                row: r.get(3)?,
                text: r.get(4)?,
                author: r.get(5)?,
                asked_at: r.get(6)?,
                answer: r.get(7)?,
                answered_at: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

fn text_ok(text: &str) -> Result<String, Error> {
    super::required_text(text, MAX_TEXT)
}

fn wrong_state(zh: &str, en: &str) -> Error {
    Error::Conflict(Msg::new(zh, en))
}

fn set_status(tx: &Transaction, id: i64, s: Status) -> Result<(), Error> {
    tx.execute(
        "UPDATE disclosures SET status = ?2 WHERE id = ?1",
        params![id, s.as_str()],
    )?;
    Ok(())
}
