//! What waits on the committee and on the supervisors, for their desks:
//! each list is a count and its first few lines, read through an index and
//! bounded by a LIMIT, so a desk costs the same at 100 dwellings or 10,000.

use crate::domain::disclosure::{Category, Period, ThreadKind};
use crate::error::Error;
use crate::store::disclosures::{Line, Status};
use rusqlite::{Connection, Row, ToSql, params};

/// How many lines of each list a desk shows (the count says how many in all).
pub const FIRST: i64 = 5;
/// How many disclosures under review (or queried) the supervisors' desk lists.
pub const REVIEWS: i64 = 20;

/// One thing waiting: what to open, its title, and what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The record the link opens (a proposal, a disclosure, a vote, a meeting).
    pub id: i64,
    pub title: String,
    /// Who wrote it, or whose it is (empty when nobody in particular).
    pub who: String,
    /// Unix seconds it was written or falls due.
    pub at: Option<i64>,
    /// A due date as written (follow-up actions), else empty.
    pub due: String,
    /// The text, cut to a line.
    pub text: String,
}

/// A list on a desk: how many wait, and the first [`FIRST`] of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waiting {
    pub count: i64,
    pub first: Vec<Item>,
}

/// What waits on the committee.
#[derive(Debug, Clone, Default)]
pub struct CommitteeWaits {
    pub proposals: Waiting,
    pub queries: Waiting,
    pub questions: Waiting,
    pub objections: Waiting,
    pub overdue_actions: Waiting,
    pub votes_closing: Waiting,
}

/// What waits on the supervisors beyond the disclosure reviews.
#[derive(Debug, Clone, Default)]
pub struct SupervisorWaits {
    pub answers: Waiting,
    pub overdue_actions: Waiting,
}

fn excerpt(s: &str) -> String {
    let mut t: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        t.push('…');
    }
    t
}

/// A listed row as most lists select it: id, title, who, when, and the
/// text to cut to a line (a fifth column, when the list has one).
fn item(r: &Row) -> rusqlite::Result<Item> {
    let text = match r.as_ref().column_count() > 4 {
        true => excerpt(&r.get::<_, Option<String>>(4)?.unwrap_or_default()),
        false => String::new(),
    };
    Ok(Item {
        id: r.get(0)?,
        title: r.get(1)?,
        who: r.get(2)?,
        at: r.get(3)?,
        due: String::new(),
        text,
    })
}

/// Runs a count and a bounded list built from the same conditions: the
/// list's last parameter is its LIMIT, [`FIRST`].
fn waiting(
    conn: &Connection,
    count_sql: &str,
    list_sql: &str,
    p: &[&dyn ToSql],
    item: impl FnMut(&Row) -> rusqlite::Result<Item>,
) -> Result<Waiting, Error> {
    let count = conn.prepare_cached(count_sql)?.query_row(p, |r| r.get(0))?;
    if count == 0 {
        return Ok(Waiting::default());
    }
    let mut with_limit = p.to_vec();
    with_limit.push(&FIRST);
    let first = conn
        .prepare_cached(list_sql)?
        .query_map(&*with_limit, item)?
        .collect::<Result<_, _>>()?;
    Ok(Waiting { count, first })
}

/// Proposals that reached their co-signatures and wait for the committee's
/// review, oldest first.
pub fn proposals_to_review(conn: &Connection, cid: i64) -> Result<Waiting, Error> {
    waiting(
        conn,
        "SELECT count(*) FROM proposals WHERE community_id = ?1 AND status = 'review'",
        "SELECT p.id, p.title, p.place_label, coalesce(p.published_at, p.created_at), p.body
         FROM proposals p WHERE p.community_id = ?1 AND p.status = 'review'
         ORDER BY p.id LIMIT ?2",
        params![cid],
        item,
    )
}

/// Queries (from the supervisors) or questions (from residents) on a
/// disclosure with no answer yet, oldest first.
pub fn threads_to_answer(conn: &Connection, cid: i64, kind: ThreadKind) -> Result<Waiting, Error> {
    let kind = kind.as_str();
    waiting(
        conn,
        "SELECT count(*) FROM disclosures d JOIN disclosure_threads t ON t.disclosure_id = d.id
         WHERE d.community_id = ?1 AND t.answer IS NULL AND t.kind = ?2",
        "SELECT d.id, r.title, t.author, t.asked_at, t.text
         FROM disclosures d JOIN disclosure_threads t ON t.disclosure_id = d.id
         JOIN disclosure_revisions r ON r.disclosure_id = d.id AND r.rev = t.rev
         WHERE d.community_id = ?1 AND t.answer IS NULL AND t.kind = ?2
         ORDER BY t.asked_at, t.id LIMIT ?3",
        params![cid, kind],
        item,
    )
}

/// Objections to a vote's result with no answer yet, oldest first.
pub fn objections_to_answer(conn: &Connection, cid: i64) -> Result<Waiting, Error> {
    waiting(
        conn,
        "SELECT count(*) FROM votes v JOIN vote_objections o ON o.vote_id = v.id
         WHERE v.community_id = ?1 AND o.answer IS NULL",
        "SELECT v.id, v.title, o.author, o.created_at, o.text
         FROM votes v JOIN vote_objections o ON o.vote_id = v.id
         WHERE v.community_id = ?1 AND o.answer IS NULL
         ORDER BY o.created_at, o.id LIMIT ?2",
        params![cid],
        item,
    )
}

/// Follow-up actions still open after their due date (`today` as
/// YYYY-MM-DD in the community's zone), the longest overdue first; the
/// item's id is the meeting's.
pub fn overdue_actions(conn: &Connection, cid: i64, today: &str) -> Result<Waiting, Error> {
    waiting(
        conn,
        "SELECT count(*) FROM actions WHERE community_id = ?1 AND status = 'open' AND due < ?2",
        "SELECT a.deliberation_id, a.title, a.owner, a.due, d.title
         FROM actions a JOIN deliberations d ON d.id = a.deliberation_id
         WHERE a.community_id = ?1 AND a.status = 'open' AND a.due < ?2
         ORDER BY a.due, a.id LIMIT ?3",
        params![cid, today],
        |r| {
            Ok(Item {
                id: r.get(0)?,
                title: r.get(1)?,
                who: r.get(2)?,
                at: None,
                due: r.get(3)?,
                text: r.get(4)?,
            })
        },
    )
}

/// Open votes whose closing time falls before `until` (or has passed and
/// the clock has not closed them yet), the soonest first.
pub fn votes_closing(conn: &Connection, cid: i64, until: i64) -> Result<Waiting, Error> {
    waiting(
        conn,
        "SELECT count(*) FROM votes WHERE community_id = ?1 AND status = 'open' AND closes_at <= ?2",
        "SELECT id, title, scope_label, closes_at FROM votes
         WHERE community_id = ?1 AND status = 'open' AND closes_at <= ?2
         ORDER BY closes_at, id LIMIT ?3",
        params![cid, until],
        item,
    )
}

/// The committee's answers to the supervisors' queries on a revision still
/// being worked on, with no verdict yet (accept, or query again), oldest first.
pub fn answers_awaiting_verdict(conn: &Connection, cid: i64) -> Result<Waiting, Error> {
    const WHERE: &str = "d.community_id = ?1 AND d.status IN ('queried', 'review')
           AND t.kind = 'query' AND t.answer IS NOT NULL
           AND t.rev = (SELECT max(x.rev) FROM disclosure_revisions x WHERE x.disclosure_id = d.id)
           AND NOT EXISTS (SELECT 1 FROM disclosure_verdicts v WHERE v.thread_id = t.id)";
    waiting(
        conn,
        &format!(
            "SELECT count(*) FROM disclosures d JOIN disclosure_threads t ON t.disclosure_id = d.id
             WHERE {WHERE}"
        ),
        &format!(
            "SELECT d.id, r.title, t.author, t.answered_at, t.answer
             FROM disclosures d JOIN disclosure_threads t ON t.disclosure_id = d.id
             JOIN disclosure_revisions r ON r.disclosure_id = d.id AND r.rev = t.rev
             WHERE {WHERE} ORDER BY t.answered_at, t.id LIMIT ?2"
        ),
        params![cid],
        item,
    )
}

/// Everything the committee's desk lists; votes closing before `until`.
pub fn committee(
    conn: &Connection,
    cid: i64,
    today: &str,
    until: i64,
) -> Result<CommitteeWaits, Error> {
    Ok(CommitteeWaits {
        proposals: proposals_to_review(conn, cid)?,
        queries: threads_to_answer(conn, cid, ThreadKind::Query)?,
        questions: threads_to_answer(conn, cid, ThreadKind::Question)?,
        objections: objections_to_answer(conn, cid)?,
        overdue_actions: overdue_actions(conn, cid, today)?,
        votes_closing: votes_closing(conn, cid, until)?,
    })
}

/// What the supervisors' desk lists besides the disclosure reviews.
pub fn supervisors(conn: &Connection, cid: i64, today: &str) -> Result<SupervisorWaits, Error> {
    Ok(SupervisorWaits {
        answers: answers_awaiting_verdict(conn, cid)?,
        overdue_actions: overdue_actions(conn, cid, today)?,
    })
}

/// Disclosures in `status` (under review, or queried and back with the
/// committee): the oldest [`REVIEWS`] with their working title, and how many.
pub fn disclosures_in(
    conn: &Connection,
    cid: i64,
    status: Status,
) -> Result<(Vec<Line>, i64), Error> {
    let count = conn
        .prepare_cached("SELECT count(*) FROM disclosures WHERE community_id = ?1 AND status = ?2")?
        .query_row(params![cid, status.as_str()], |r| r.get(0))?;
    if count == 0 {
        return Ok((Vec::new(), 0));
    }
    let lines = conn
        .prepare_cached(
            "SELECT d.id, d.category, d.period, r.title, r.rev,
                    (SELECT count(*) FROM disclosure_threads t WHERE t.disclosure_id = d.id AND t.answer IS NULL)
             FROM disclosures d
             JOIN disclosure_revisions r ON r.disclosure_id = d.id
               AND r.rev = (SELECT max(x.rev) FROM disclosure_revisions x WHERE x.disclosure_id = d.id)
             WHERE d.community_id = ?1 AND d.status = ?2
             ORDER BY d.id LIMIT ?3",
        )?
        .query_map(params![cid, status.as_str(), REVIEWS], |r| {
            let cat: String = r.get(1)?;
            let period: String = r.get(2)?;
            Ok(Line {
                id: r.get(0)?,
                category: Category::parse(&cat).unwrap_or(Category::General),
                period: Period::parse(&period).unwrap_or(Period::Year(2000)),
                status,
                title: r.get(3)?,
                rev: r.get(4)?,
                published_at: None,
                open_threads: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok((lines, count))
}
