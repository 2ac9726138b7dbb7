//! Disclosures in SQLite and their workflow: the committee drafts and
//! submits; the supervision committee signs off or queries (on the whole or
//! on a row); the committee answers or corrects and resubmits; once signed
//! and with every query answered, the committee publishes. A published
//! revision never changes (triggers refuse it); a correction is a new
//! revision with a reason. Every step is a ledger entry.

use super::attachments;
use crate::domain::Msg;
use crate::domain::disclosure::{Cadence, Category, Period};
use crate::domain::ledger::{self, Broken, Entry};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Value, json};
use std::collections::HashMap;

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
    pub kind: String,
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
                kind: r.get(1)?,
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

/// The cadence of each category: the community's choice, else the default.
pub fn cadences(conn: &Connection, community_id: i64) -> Result<Vec<(Category, Cadence)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT category, cadence FROM disclosure_cadence WHERE community_id = ?1",
    )?;
    let set: HashMap<String, String> = st
        .query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Category::ALL
        .into_iter()
        .map(|c| {
            let cad = set
                .get(c.as_str())
                .and_then(|s| Cadence::parse(s))
                .unwrap_or(c.default_cadence());
            (c, cad)
        })
        .collect())
}

pub fn cadence_of(conn: &Connection, community_id: i64, c: Category) -> Result<Cadence, Error> {
    Ok(cadences(conn, community_id)?
        .into_iter()
        .find(|(k, _)| *k == c)
        .map(|(_, v)| v)
        .unwrap_or(c.default_cadence()))
}

pub fn set_cadence(
    tx: &Transaction,
    community_id: i64,
    c: Category,
    cad: Cadence,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO disclosure_cadence (community_id, category, cadence) VALUES (?1, ?2, ?3)
         ON CONFLICT (community_id, category) DO UPDATE SET cadence = excluded.cadence",
        params![community_id, c.as_str(), cad.as_str()],
    )?;
    Ok(())
}

/// Periods published per category (for the board's "last disclosed" and overdue).
pub fn published_periods(
    conn: &Connection,
    community_id: i64,
) -> Result<HashMap<Category, Vec<Period>>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT category, period FROM disclosures WHERE community_id = ?1 AND published_rev IS NOT NULL",
    )?;
    let mut out: HashMap<Category, Vec<Period>> = HashMap::new();
    let rows = st.query_map([community_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (c, p) = row?;
        if let (Some(c), Ok(p)) = (Category::parse(&c), Period::parse(&p)) {
            out.entry(c).or_default().push(p);
        }
    }
    Ok(out)
}

pub struct NewDisclosure {
    pub category: Category,
    pub period: Period,
    pub title: String,
    pub explanation: String,
    pub rows: Vec<Vec<String>>,
}

pub fn create(
    tx: &Transaction,
    community_id: i64,
    n: &NewDisclosure,
    by: i64,
) -> Result<i64, Error> {
    let cad = cadence_of(tx, community_id, n.category)?;
    if !n.period.fits(cad) {
        let (z, e) = cad.words();
        return Err(Error::Invalid(Msg::new(
            format!("这一类按“{z}”公开，期间应与之相符（如 2026-03、2026-Q1、2026）"),
            format!(
                "this category is disclosed {e}; the period must match (e.g. 2026-03, 2026-Q1, 2026)"
            ),
        )));
    }
    if cad != Cadence::Prompt {
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM disclosures WHERE community_id = ?1 AND category = ?2 AND period = ?3",
                params![community_id, n.category.as_str(), n.period.key()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = exists {
            return Err(Error::Conflict(Msg::new(
                format!("这一期已有公开（编号 {id}）；如需更改，请在那一项上“更正”"),
                format!(
                    "this period already has a disclosure (no. {id}); to change it, correct that one"
                ),
            )));
        }
    }
    let now = super::now();
    tx.execute(
        "INSERT INTO disclosures (community_id, category, period, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![community_id, n.category.as_str(), n.period.key(), by, now],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO disclosure_revisions (disclosure_id, rev, title, explanation, rows, created_by, created_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)",
        params![id, n.title, n.explanation, serde_json::to_string(&n.rows).unwrap_or_default(), by, now],
    )?;
    Ok(id)
}

/// Changes the working revision (in draft, or while answering queries).
pub fn edit(
    tx: &Transaction,
    d: &Disclosure,
    title: &str,
    explanation: &str,
    rows: &[Vec<String>],
) -> Result<i64, Error> {
    if !matches!(d.status, Status::Draft | Status::Queried) {
        return Err(wrong_state(
            "只有草稿或被质询时可以修改；审核中的内容请等待监督委员会意见",
            "only a draft or a queried disclosure can be edited",
        ));
    }
    let w = working(tx, d.id)?
        .ok_or_else(|| wrong_state("没有可修改的版本", "there is no revision to edit"))?;
    tx.execute(
        "UPDATE disclosure_revisions SET title = ?3, explanation = ?4, rows = ?5 WHERE disclosure_id = ?1 AND rev = ?2",
        params![d.id, w.rev, title, explanation, serde_json::to_string(rows).unwrap_or_default()],
    )?;
    Ok(w.rev)
}

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
    super::anchor::publish(
        tx,
        d.community_id,
        "disclosure.submitted",
        &format!("disclosure:{}", d.id),
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
        params![d.id, w.rev, account, name, hash, super::now()],
    )?;
    super::anchor::publish(
        tx,
        d.community_id,
        "disclosure.signed",
        &format!("disclosure:{}", d.id),
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
        params![d.id, rev, row, text, name, account, super::now()],
    )?;
    if d.status == Status::Review {
        set_status(tx, d.id, Status::Queried)?;
    }
    super::anchor::publish(
        tx,
        d.community_id,
        "disclosure.queried",
        &format!("disclosure:{}", d.id),
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
        params![d.id, rev, text, author, account, super::now()],
    )?;
    super::anchor::publish(
        tx,
        d.community_id,
        "disclosure.question",
        &format!("disclosure:{}", d.id),
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
        params![thread, d.id, text, by, super::now()],
    )?;
    if n == 0 {
        return Err(wrong_state(
            "没有这条待答复的意见",
            "there is no such unanswered item",
        ));
    }
    super::anchor::publish(
        tx,
        d.community_id,
        "disclosure.answered",
        &format!("disclosure:{}", d.id),
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
    let now = super::now();
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
    super::anchor::publish(tx, d.community_id, kind, &format!("disclosure:{}", d.id))
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
        params![d.id, rev, next, reason, by, super::now()],
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
    super::anchor::publish(
        tx,
        d.community_id,
        "disclosure.correcting",
        &format!("disclosure:{}", d.id),
    )?;
    Ok(next)
}

/// One line of the board or of the supervisor's queue.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: i64,
    pub category: Category,
    pub period: Period,
    pub status: Status,
    pub title: String,
    pub rev: i64,
    pub published_at: Option<i64>,
    pub open_threads: i64,
}

pub struct Filter {
    pub category: Option<Category>,
    pub year: Option<i16>,
    pub q: String,
    /// Staff see drafts and reviews too.
    pub staff: bool,
}

/// The board: public sees each disclosure's published revision; staff also
/// see work in progress (with its working title).
pub fn list(conn: &Connection, community_id: i64, f: &Filter) -> Result<Vec<Line>, Error> {
    let like = format!("%{}%", f.q.trim().replace(['%', '_'], ""));
    let mut st = conn.prepare_cached(
        "SELECT d.id, d.category, d.period, d.status, r.title, r.rev, r.published_at,
                (SELECT count(*) FROM disclosure_threads t WHERE t.disclosure_id = d.id AND t.answer IS NULL)
         FROM disclosures d
         JOIN disclosure_revisions r ON r.disclosure_id = d.id
           AND r.rev = CASE WHEN ?2 THEN (SELECT max(rev) FROM disclosure_revisions x WHERE x.disclosure_id = d.id) ELSE d.published_rev END
         WHERE d.community_id = ?1
           AND (?3 IS NULL OR d.category = ?3)
           AND (?4 IS NULL OR substr(d.period, 1, 4) = ?4)
           AND (?5 = '%%' OR r.title LIKE ?5 OR r.explanation LIKE ?5 OR r.rows LIKE ?5)
         ORDER BY coalesce(r.published_at, r.created_at) DESC, d.id DESC",
    )?;
    let v = st
        .query_map(
            params![
                community_id,
                f.staff,
                f.category.map(|c| c.as_str()),
                f.year.map(|y| y.to_string()),
                like
            ],
            |r| {
                let cat: String = r.get(1)?;
                let period: String = r.get(2)?;
                let status: String = r.get(3)?;
                Ok(Line {
                    id: r.get(0)?,
                    category: Category::parse(&cat).unwrap_or(Category::General),
                    period: Period::parse(&period).unwrap_or(Period::Year(2000)),
                    status: Status::parse(&status),
                    title: r.get(4)?,
                    rev: r.get(5)?,
                    published_at: r.get(6)?,
                    open_threads: r.get(7)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Unanswered queries and questions, oldest first: (disclosure, title, thread).
pub fn unanswered(
    conn: &Connection,
    community_id: i64,
) -> Result<Vec<(i64, String, Thread)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT d.id, r.title, t.id, t.kind, t.rev, t.row, t.text, t.author, t.asked_at
         FROM disclosure_threads t JOIN disclosures d ON d.id = t.disclosure_id
         JOIN disclosure_revisions r ON r.disclosure_id = d.id AND r.rev = t.rev
         WHERE d.community_id = ?1 AND t.answer IS NULL ORDER BY t.asked_at",
    )?;
    let v = st
        .query_map([community_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Thread {
                    id: r.get(2)?,
                    kind: r.get(3)?,
                    rev: r.get(4)?,
                    row: r.get(5)?,
                    text: r.get(6)?,
                    author: r.get(7)?,
                    asked_at: r.get(8)?,
                    answer: None,
                    answered_at: None,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Is this revision public? (For attachments.)
pub fn revision_published(
    conn: &Connection,
    community_id: i64,
    id: i64,
    rev: i64,
) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM disclosure_revisions r JOIN disclosures d ON d.id = r.disclosure_id
             WHERE d.community_id = ?1 AND d.id = ?2 AND r.rev = ?3 AND r.published_at IS NOT NULL",
        )?
        .exists(params![community_id, id, rev])?)
}

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
    match e.kind.as_str() {
        "disclosure.published" | "disclosure.corrected" => {
            let rev = e.payload["rev"].as_i64().unwrap_or(-1);
            let r = match revision(conn, id, rev) {
                Ok(r) => r,
                Err(Error::NotFound) => {
                    return broken(
                        format!("第 {} 条记录：公开 {id} 的第 {rev} 版不见了", e.seq),
                        format!("entry {}: revision {rev} of disclosure {id} is gone", e.seq),
                    );
                }
                Err(err) => return Err(err),
            };
            if e.payload["content_hash"].as_str() != Some(content_hash(&d, &r).as_str()) {
                return broken(
                    format!(
                        "第 {} 条记录：已公开的“{}”（第 {rev} 版）内容被改动过",
                        e.seq, r.title
                    ),
                    format!(
                        "entry {}: the published content of \"{}\" (revision {rev}) was altered",
                        e.seq, r.title
                    ),
                );
            }
            let files = attachments::digest_list(conn, community_id, &owner(id, rev))?;
            if e.payload["attachments"] != files {
                return broken(
                    format!("第 {} 条记录：“{}”的附件被改动过", e.seq, r.title),
                    format!(
                        "entry {}: the attachments of \"{}\" were altered",
                        e.seq, r.title
                    ),
                );
            }
            let hash = content_hash(&d, &r);
            let names: Vec<String> = conn
                .prepare_cached(
                    "SELECT name FROM disclosure_signoffs WHERE disclosure_id = ?1 AND rev = ?2 AND content_hash = ?3 ORDER BY signed_at, name",
                )?
                .query_map(params![id, rev, hash], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            if json!(names) != e.payload["signed_by"] {
                return broken(
                    format!(
                        "第 {} 条记录：“{}”的监督委员会签署记录被改动过",
                        e.seq, r.title
                    ),
                    format!(
                        "entry {}: the sign-offs of \"{}\" were altered",
                        e.seq, r.title
                    ),
                );
            }
        }
        "disclosure.queried" | "disclosure.question" | "disclosure.answered" => {
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
                return broken(
                    format!("第 {} 条记录：质询、提问或答复的文字被改动过", e.seq),
                    format!(
                        "entry {}: the text of a query, question or answer was altered",
                        e.seq
                    ),
                );
            }
        }
        _ => {}
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
