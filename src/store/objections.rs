//! The publicity period (公示期) after a vote's result: residents lodge
//! objections, the committee answers each publicly, and once the period is
//! over and every objection is answered the result becomes final. Each step
//! is a ledger entry.

use super::votes::{Status, Vote};
use crate::domain::Msg;
use crate::domain::ledger::{self, Broken, Entry};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone)]
pub struct Objection {
    pub id: i64,
    pub author: String,
    pub text: String,
    pub created_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

pub const MAX_TEXT: usize = 2000;

/// The end of the publicity period, once the vote has closed.
pub fn publicity_end(v: &Vote) -> Option<i64> {
    v.closed_at.map(|c| c + v.publicity_days * 24 * 3600)
}

pub fn list(conn: &Connection, vote_id: i64) -> Result<Vec<Objection>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT id, author, text, created_at, answer, answered_at FROM vote_objections WHERE vote_id = ?1 ORDER BY id",
    )?;
    let v = st
        .query_map([vote_id], |r| {
            Ok(Objection {
                id: r.get(0)?,
                author: r.get(1)?,
                text: r.get(2)?,
                created_at: r.get(3)?,
                answer: r.get(4)?,
                answered_at: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

fn text_ok(text: &str) -> Result<String, Error> {
    super::required_text(text, MAX_TEXT)
}

pub fn lodge(
    tx: &Transaction,
    v: &Vote,
    account_id: i64,
    author: &str,
    text: &str,
) -> Result<Entry, Error> {
    let text = text_ok(text)?;
    let now = super::now();
    match (v.status, publicity_end(v)) {
        (Status::Closed, Some(end)) if now < end && v.final_at.is_none() => {}
        _ => {
            return Err(Error::Conflict(Msg::new(
                "只能在公示期内提出异议",
                "objections can only be lodged during the publicity period",
            )));
        }
    }
    tx.execute(
        "INSERT INTO vote_objections (vote_id, account_id, author, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![v.id, account_id, author, text, now],
    )?;
    super::anchor::publish(
        tx,
        v.community_id,
        "vote.objection",
        &format!("vote:{}", v.id),
    )
}

pub fn answer(
    tx: &Transaction,
    v: &Vote,
    objection_id: i64,
    account_id: i64,
    text: &str,
) -> Result<Entry, Error> {
    let text = text_ok(text)?;
    let existing: Option<Option<String>> = tx
        .query_row(
            "SELECT answer FROM vote_objections WHERE id = ?1 AND vote_id = ?2",
            params![objection_id, v.id],
            |r| r.get(0),
        )
        .optional()?;
    match existing {
        None => return Err(Error::NotFound),
        Some(Some(_)) => {
            return Err(Error::Conflict(Msg::new(
                "这条异议已经答复过了",
                "this objection has already been answered",
            )));
        }
        Some(None) => {}
    }
    tx.execute(
        "UPDATE vote_objections SET answer = ?2, answered_by = ?3, answered_at = ?4 WHERE id = ?1",
        params![objection_id, text, account_id, super::now()],
    )?;
    super::anchor::publish(tx, v.community_id, "vote.answer", &format!("vote:{}", v.id))
}

/// Makes the result final: after the publicity period, with every objection answered.
pub fn finalize(tx: &Transaction, v: &Vote) -> Result<Entry, Error> {
    let now = super::now();
    let Some(end) = publicity_end(v) else {
        return Err(Error::Conflict(Msg::new(
            "表决还没有结束",
            "the vote has not closed yet",
        )));
    };
    if v.final_at.is_some() {
        return Err(Error::Conflict(Msg::new(
            "结果已经是最终结果",
            "the result is already final",
        )));
    }
    if now < end {
        return Err(Error::Conflict(Msg::new(
            "公示期还没有结束",
            "the publicity period is not over yet",
        )));
    }
    let open: i64 = tx.query_row(
        "SELECT count(*) FROM vote_objections WHERE vote_id = ?1 AND answer IS NULL",
        [v.id],
        |r| r.get(0),
    )?;
    if open > 0 {
        return Err(Error::Conflict(Msg::new(
            format!("还有 {open} 条异议没有答复"),
            format!("{open} objections are not answered yet"),
        )));
    }
    tx.execute(
        "UPDATE votes SET final_at = ?2 WHERE id = ?1",
        params![v.id, now],
    )?;
    super::anchor::publish(tx, v.community_id, "vote.final", &format!("vote:{}", v.id))
}

/// Does an objection or answer entry still match the stored text?
pub fn check_entry(conn: &Connection, e: &Entry) -> Result<Option<Broken>, Error> {
    let field = match e.kind.as_str() {
        "vote.objection" => "text",
        "vote.answer" => "answer",
        _ => return Ok(None),
    };
    let id = e.payload["objection"].as_i64().unwrap_or(-1);
    let text: Option<Option<String>> = conn
        .query_row(
            &format!("SELECT {field} FROM vote_objections WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let hash = text.flatten().map(|t| ledger::sha256_hex(t.as_bytes()));
    if hash.as_deref() != e.payload["text_hash"].as_str() {
        return Ok(Some(Broken {
            seq: e.seq,
            zh: format!("第 {} 条记录：异议或答复的文字被改动过", e.seq),
            en: format!(
                "entry {}: the text of an objection or answer was altered",
                e.seq
            ),
        }));
    }
    Ok(None)
}

/// Unanswered objections in a community, oldest first: (vote, title, objection).
pub fn unanswered(
    conn: &Connection,
    community_id: i64,
) -> Result<Vec<(i64, String, Objection)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT v.id, v.title, o.id, o.author, o.text, o.created_at
         FROM vote_objections o JOIN votes v ON v.id = o.vote_id
         WHERE v.community_id = ?1 AND o.answer IS NULL ORDER BY o.created_at",
    )?;
    let v = st
        .query_map([community_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Objection {
                    id: r.get(2)?,
                    author: r.get(3)?,
                    text: r.get(4)?,
                    created_at: r.get(5)?,
                    answer: None,
                    answered_at: None,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}
