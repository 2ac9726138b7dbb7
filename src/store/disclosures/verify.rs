//! A disclosure as the ledger and the open data see it: checking an entry
//! against the records, and the public JSON.

use super::*;
use crate::domain::ledger::{self, Broken, Entry};
use crate::error::Error;
use crate::store::attachments;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

/// Does a ledger entry about a disclosure still match the records?
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    if !e.kind.starts_with("disclosure.") {
        return Ok(None);
    }
    let id = e.payload["disclosure"].as_i64().unwrap_or(-1);
    let broken = |zh: String, en: String| Ok(Some(Broken { seq: e.seq, zh, en }));
    let d = match get(conn, community_id, id) {
        Ok(d) => d,
        Err(Error::NotFound) => {
            return broken(
                format!("第 {} 条记录所说的公开 {id} 不见了", e.seq),
                format!("entry {}: disclosure {id} is gone", e.seq),
            );
        }
        Err(err) => return Err(err),
    };
    let words = match e.kind.as_str() {
        "disclosure.published" | "disclosure.corrected" => {
            published_differs(conn, community_id, e, &d)?
        }
        "disclosure.queried" | "disclosure.question" | "disclosure.answered" => {
            thread_text_differs(conn, e, id)?
        }
        _ => None,
    };
    match words {
        Some((zh, en)) => broken(zh, en),
        None => Ok(None),
    }
}

/// What is wrong, in Chinese and English, if anything.
type Words = Option<(String, String)>;

/// The published revision an entry names: gone, or its content, attachments
/// or sign-offs altered.
fn published_differs(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
    d: &Disclosure,
) -> Result<Words, Error> {
    let id = d.id;
    let rev = e.payload["rev"].as_i64().unwrap_or(-1);
    let r = match revision(conn, id, rev) {
        Ok(r) => r,
        Err(Error::NotFound) => {
            return Ok(Some((
                format!("第 {} 条记录：公开 {id} 的第 {rev} 版不见了", e.seq),
                format!("entry {}: revision {rev} of disclosure {id} is gone", e.seq),
            )));
        }
        Err(err) => return Err(err),
    };
    let hash = content_hash(d, &r);
    if e.payload["content_hash"].as_str() != Some(hash.as_str()) {
        return Ok(Some((
            format!(
                "第 {} 条记录：已公开的“{}”（第 {rev} 版）内容被改动过",
                e.seq, r.title
            ),
            format!(
                "entry {}: the published content of \"{}\" (revision {rev}) was altered",
                e.seq, r.title
            ),
        )));
    }
    let files = attachments::digest_list(conn, community_id, &owner(id, rev))?;
    if e.payload["attachments"] != files {
        return Ok(Some((
            format!("第 {} 条记录：“{}”的附件被改动过", e.seq, r.title),
            format!(
                "entry {}: the attachments of \"{}\" were altered",
                e.seq, r.title
            ),
        )));
    }
    let names: Vec<String> = conn
        .prepare_cached(
            "SELECT name FROM disclosure_signoffs WHERE disclosure_id = ?1 AND rev = ?2 AND content_hash = ?3 ORDER BY signed_at, name",
        )?
        .query_map(params![id, rev, hash], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if json!(names) != e.payload["signed_by"] {
        return Ok(Some((
            format!(
                "第 {} 条记录：“{}”的监督委员会签署记录被改动过",
                e.seq, r.title
            ),
            format!(
                "entry {}: the sign-offs of \"{}\" were altered",
                e.seq, r.title
            ),
        )));
    }
    Ok(None)
}

/// The text of the query, question or answer an entry names, if altered.
fn thread_text_differs(conn: &Connection, e: &Entry, id: i64) -> Result<Words, Error> {
    let field = if e.kind == "disclosure.answered" {
        "answer"
    } else {
        "text"
    };
    let tid = e.payload["thread"].as_i64().unwrap_or(-1);
    let text: Option<Option<String>> = conn
        .query_row(
            &format!("SELECT {field} FROM disclosure_threads WHERE id = ?1 AND disclosure_id = ?2"),
            params![tid, id],
            |r| r.get(0),
        )
        .optional()?;
    let hash = text.flatten().map(|t| ledger::sha256_hex(t.as_bytes()));
    if hash.as_deref() != e.payload["text_hash"].as_str() {
        return Ok(Some((
            format!("第 {} 条记录：质询、提问或答复的文字被改动过", e.seq),
            format!(
                "entry {}: the text of a query, question or answer was altered",
                e.seq
            ),
        )));
    }
    Ok(None)
}

/// The public JSON of a disclosure (open data).
pub fn to_json(d: &Disclosure, r: &Revision, signed: &[Signoff]) -> Value {
    let cols: Vec<&str> = d.category.template().iter().map(|c| c.key).collect();
    json!({
        "id": d.id,
        "category": d.category.as_str(),
        "period": d.period.key(),
        "revision": r.rev,
        "title": r.title,
        "explanation": r.explanation,
        "columns": cols,
        "rows": r.rows,
        "correction_reason": r.reason,
        "published_at": r.published_at,
        "content_hash": content_hash(d, r),
        "signed_by": signed.iter().filter(|s| s.rev == r.rev).map(|s| s.name.clone()).collect::<Vec<_>>(),
    })
}
