//! The review: submit, sign off or query on what the supervisor saw,
//! questions and answers, publish, and starting a correction.

use super::*;
use crate::domain::Msg;
use crate::domain::ledger::{self, Entry};
use crate::error::Error;
use crate::store::attachments;
use rusqlite::{Connection, Transaction, params};
use serde_json::json;

fn open_queries(tx: &Connection, id: i64, rev: i64) -> Result<i64, Error> {
    Ok(tx.query_row(
        "SELECT count(*) FROM disclosure_threads WHERE disclosure_id = ?1 AND rev = ?2 AND kind = 'query' AND answer IS NULL",
        params![id, rev],
        |r| r.get(0),
    )?)
}

/// Draft or queried → review, once every query is answered.
pub fn submit(tx: &Transaction, d: &Disclosure) -> Result<Entry, Error> {
    if !matches!(d.status, Status::Draft | Status::Queried) {
        return Err(wrong_state(
            "这项公开不在草稿状态",
            "this disclosure is not a draft",
        ));
    }
    let w = working(tx, d.id)?
        .ok_or_else(|| wrong_state("没有待审核的版本", "there is no revision to submit"))?;
    if open_queries(tx, d.id, w.rev)? > 0 {
        return Err(wrong_state(
            "还有未答复的质询，请先逐条答复",
            "some queries are unanswered; answer each first",
        ));
    }
    set_status(tx, d.id, Status::Review)?;
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.submitted",
        &crate::domain::Subject::Disclosure(d.id).to_string(),
    )
}

/// What a supervisor was shown when signing or querying: the revision, its
/// content hash, and a digest of its attachments. The forms carry it; the
/// step is refused if it is no longer what the revision holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub rev: i64,
    pub content_hash: String,
    pub files: String,
}

/// A digest of a revision's attachments: each one's id and SHA-256, in order.
pub fn files_digest(conn: &Connection, d: &Disclosure, rev: i64) -> Result<String, Error> {
    let list = attachments::list(conn, d.community_id, &owner(d.id, rev))?;
    Ok(files_digest_of(&list))
}

/// [`files_digest`] of a list already read (in its order, by id).
pub fn files_digest_of(list: &[attachments::Attachment]) -> String {
    let text: String = list
        .iter()
        .map(|a| format!("{}:{}\n", a.id, a.sha256))
        .collect();
    ledger::sha256_hex(text.as_bytes())
}

/// What a revision holds now, as a form would carry it.
pub fn seen_now(conn: &Connection, d: &Disclosure, r: &Revision) -> Result<Seen, Error> {
    Ok(Seen {
        rev: r.rev,
        content_hash: content_hash(d, r),
        files: files_digest(conn, d, r.rev)?,
    })
}

/// Refuses with 409 when what the supervisor saw is not revision `r` as it is now.
fn still_as_seen(
    conn: &Connection,
    d: &Disclosure,
    r: &Revision,
    seen: &Seen,
    doing: (&str, &str),
) -> Result<(), Error> {
    if seen_now(conn, d, r)? == *seen {
        return Ok(());
    }
    Err(Error::Conflict(Msg::new(
        format!("公开内容在您查看后已改动，请重新查看后再{}", doing.0),
        format!(
            "The disclosure changed after you viewed it; please look at it again before {}.",
            doing.1
        ),
    )))
}

/// A supervisor's signature on the revision under review, exactly as they
/// were shown it (`seen`), else 409 and nothing is signed.
pub fn sign(
    tx: &Transaction,
    d: &Disclosure,
    account: i64,
    name: &str,
    seen: &Seen,
) -> Result<Entry, Error> {
    if d.status != Status::Review {
        return Err(wrong_state(
            "这项公开不在审核中",
            "this disclosure is not under review",
        ));
    }
    let w = working(tx, d.id)?
        .ok_or_else(|| wrong_state("没有待审核的版本", "there is no revision under review"))?;
    still_as_seen(tx, d, &w, seen, ("签字", "signing"))?;
    let hash = content_hash(d, &w);
    let done = tx
        .prepare_cached(
            "SELECT 1 FROM disclosure_signoffs WHERE disclosure_id = ?1 AND rev = ?2 AND account_id = ?3 AND content_hash = ?4",
        )?
        .exists(params![d.id, w.rev, account, hash])?;
    if done {
        return Err(wrong_state(
            "您已经签署过这一版本",
            "you have already signed this revision",
        ));
    }
    tx.execute(
        "INSERT INTO disclosure_signoffs (disclosure_id, rev, account_id, name, content_hash, signed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![d.id, w.rev, account, name, hash, crate::store::now()],
    )?;
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.signed",
        &crate::domain::Subject::Disclosure(d.id).to_string(),
    )
}

/// A supervisor's query on the whole disclosure or on one row: under review
/// (it goes back to the committee) or after publication (it stays up); on
/// the revision as they were shown it (`seen`), else 409.
pub fn query(
    tx: &Transaction,
    d: &Disclosure,
    account: i64,
    name: &str,
    row: Option<i64>,
    text: &str,
    seen: &Seen,
) -> Result<Entry, Error> {
    let text = text_ok(text)?;
    let rev = match d.status {
        Status::Review => working(tx, d.id)?.map(|w| w.rev),
        Status::Published => d.published_rev,
        _ => None,
    }
    .ok_or_else(|| {
        wrong_state(
            "只能对审核中或已公开的内容提出质询",
            "only a disclosure under review or published can be queried",
        )
    })?;
    let r = revision(tx, d.id, rev)?;
    still_as_seen(tx, d, &r, seen, ("提出质询", "raising a query"))?;
    if let Some(n) = row
        && (n < 1 || n as usize > r.rows.len())
    {
        return Err(Error::Invalid(Msg::new(
            format!("没有第 {n} 行（表格共 {} 行）", r.rows.len()),
            format!("there is no row {n} (the table has {})", r.rows.len()),
        )));
    }
    tx.execute(
        "INSERT INTO disclosure_threads (disclosure_id, kind, rev, row, text, author, asked_by, asked_at)
         VALUES (?1, 'query', ?2, ?3, ?4, ?5, ?6, ?7)",
        params![d.id, rev, row, text, name, account, crate::store::now()],
    )?;
    if d.status == Status::Review {
        set_status(tx, d.id, Status::Queried)?;
    }
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.queried",
        &crate::domain::Subject::Disclosure(d.id).to_string(),
    )
}

/// A resident's public question on a published disclosure.
pub fn ask(
    tx: &Transaction,
    d: &Disclosure,
    account: i64,
    author: &str,
    text: &str,
) -> Result<Entry, Error> {
    let text = text_ok(text)?;
    let rev = d.published_rev.ok_or_else(|| {
        wrong_state(
            "只能对已公开的内容提问",
            "only a published disclosure takes questions",
        )
    })?;
    tx.execute(
        "INSERT INTO disclosure_threads (disclosure_id, kind, rev, text, author, asked_by, asked_at)
         VALUES (?1, 'question', ?2, ?3, ?4, ?5, ?6)",
        params![d.id, rev, text, author, account, crate::store::now()],
    )?;
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.question",
        &crate::domain::Subject::Disclosure(d.id).to_string(),
    )
}

/// The committee's public answer to a query or a question.
pub fn answer(
    tx: &Transaction,
    d: &Disclosure,
    thread: i64,
    text: &str,
    by: i64,
) -> Result<Entry, Error> {
    let text = text_ok(text)?;
    let n = tx.execute(
        "UPDATE disclosure_threads SET answer = ?3, answered_by = ?4, answered_at = ?5
         WHERE id = ?1 AND disclosure_id = ?2 AND answer IS NULL",
        params![thread, d.id, text, by, crate::store::now()],
    )?;
    if n == 0 {
        return Err(wrong_state(
            "没有这条待答复的意见",
            "there is no such unanswered item",
        ));
    }
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.answered",
        &crate::domain::Subject::Disclosure(d.id).to_string(),
    )
}

/// Publishes the revision under review: signed by at least one supervisor
/// on exactly this content, and every query on it answered.
pub fn publish(tx: &Transaction, d: &Disclosure) -> Result<Entry, Error> {
    if d.status != Status::Review {
        return Err(wrong_state(
            "只有经过审核的内容才能公开",
            "only a disclosure under review can be published",
        ));
    }
    let w = working(tx, d.id)?
        .ok_or_else(|| wrong_state("没有待公开的版本", "there is no revision to publish"))?;
    let hash = content_hash(d, &w);
    let names: Vec<String> = tx
        .prepare_cached(
            "SELECT name FROM disclosure_signoffs WHERE disclosure_id = ?1 AND rev = ?2 AND content_hash = ?3 ORDER BY signed_at, name",
        )?
        .query_map(params![d.id, w.rev, hash], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if names.is_empty() {
        return Err(wrong_state(
            "监督委员会还没有签署这一版本，不能公开",
            "the supervision committee has not signed this revision yet",
        ));
    }
    if open_queries(tx, d.id, w.rev)? > 0 {
        return Err(wrong_state(
            "还有未答复的质询",
            "some queries are unanswered",
        ));
    }
    let now = crate::store::now();
    tx.execute(
        "UPDATE disclosure_revisions SET published_at = ?3 WHERE disclosure_id = ?1 AND rev = ?2",
        params![d.id, w.rev, now],
    )?;
    tx.execute(
        "UPDATE disclosures SET status = 'published', published_rev = ?2 WHERE id = ?1",
        params![d.id, w.rev],
    )?;
    let files = attachments::digest_list(tx, d.community_id, &owner(d.id, w.rev))?;
    let mut payload = json!({
        "disclosure": d.id,
        "rev": w.rev,
        "category": d.category.as_str(),
        "period": d.period.key(),
        "title": w.title,
        "rows": w.rows.len(),
        "content_hash": hash,
        "signed_by": names,
        "attachments": files,
    });
    let kind = match d.published_rev {
        Some(prev) => {
            payload["reason"] = json!(w.reason);
            payload["replaces"] = json!(prev);
            "disclosure.corrected"
        }
        None => "disclosure.published",
    };
    crate::store::anchor::publish(
        tx,
        d.community_id,
        kind,
        &crate::domain::Subject::Disclosure(d.id).to_string(),
    )
}

/// Starts a correction of a published disclosure: a new working revision
/// (a copy of the published one, attachments included) with a reason.
pub fn correct(tx: &Transaction, d: &Disclosure, reason: &str, by: i64) -> Result<i64, Error> {
    let reason = text_ok(reason)?;
    let (Status::Published, Some(rev)) = (d.status, d.published_rev) else {
        return Err(wrong_state(
            "只有已公开的内容需要更正；草稿可以直接修改",
            "only a published disclosure is corrected; a draft is simply edited",
        ));
    };
    let next = rev + 1;
    tx.execute(
        "INSERT INTO disclosure_revisions (disclosure_id, rev, title, explanation, rows, reason, created_by, created_at)
         SELECT disclosure_id, ?3, title, explanation, rows, ?4, ?5, ?6 FROM disclosure_revisions WHERE disclosure_id = ?1 AND rev = ?2",
        params![d.id, rev, next, reason, by, crate::store::now()],
    )?;
    tx.execute(
        "INSERT INTO attachments (community_id, owner, name, mime, size, sha256, data, uploaded_by, uploaded_at)
         SELECT community_id, ?3, name, mime, size, sha256, data, uploaded_by, uploaded_at FROM attachments
         WHERE community_id = ?1 AND owner = ?2 ORDER BY id",
        params![d.community_id, owner(d.id, rev), owner(d.id, next)],
    )?;
    set_status(tx, d.id, Status::Draft)?;
    // In public: the published revision stays up while its correction is
    // written.
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.correcting",
        &crate::domain::Subject::Disclosure(d.id).to_string(),
    )?;
    Ok(next)
}
