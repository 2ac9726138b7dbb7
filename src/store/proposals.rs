//! Proposals in SQLite: drafts, co-signatures, comments, the timeline of
//! steps co-signers are told about, dispatch and ratings; co-signatures in
//! [`cosigns`].

use super::{attachments, deliberations::place_label, now};
use crate::domain::Msg;
use crate::domain::ledger::Broken;
use crate::domain::ledger::Entry;
use crate::domain::proposal::Status;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

mod cosigns;
pub use cosigns::{cosign, has_cosigned, withdraw as withdraw_cosign};

#[derive(Debug, Clone)]
pub struct Proposal {
    pub id: i64,
    pub community_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub category: String,
    pub place: String,
    pub place_label: String,
    pub status: Status,
    pub needed: i64,
    pub cosigns: i64,
    pub decision_reason: Option<String>,
    pub deliberation_id: Option<i64>,
    pub vote_id: Option<i64>,
    pub assignee_kind: Option<String>,
    pub assignee_name: Option<String>,
    pub assignee_account: Option<i64>,
    pub report: Option<String>,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub completed_at: Option<i64>,
}

const COLS: &str = "p.id, p.community_id, p.author_id, a.display_name, p.title, p.body, p.category, p.place,
    p.place_label, p.status, p.needed, p.cosigns, p.decision_reason, p.deliberation_id, p.vote_id,
    p.assignee_kind, p.assignee_name, p.assignee_account, p.report, p.created_at, p.published_at, p.completed_at";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Proposal> {
    let status: String = r.get(9)?;
    Ok(Proposal {
        id: r.get(0)?,
        community_id: r.get(1)?,
        author_id: r.get(2)?,
        author_name: r.get(3)?,
        title: r.get(4)?,
        body: r.get(5)?,
        category: r.get(6)?,
        place: r.get(7)?,
        place_label: r.get(8)?,
        status: Status::parse(&status).unwrap_or(Status::Draft),
        needed: r.get(10)?,
        cosigns: r.get(11)?,
        decision_reason: r.get(12)?,
        deliberation_id: r.get(13)?,
        vote_id: r.get(14)?,
        assignee_kind: r.get(15)?,
        assignee_name: r.get(16)?,
        assignee_account: r.get(17)?,
        report: r.get(18)?,
        created_at: r.get(19)?,
        published_at: r.get(20)?,
        completed_at: r.get(21)?,
    })
}

pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Proposal, Error> {
    conn.query_row(
        &format!("SELECT {COLS} FROM proposals p JOIN accounts a ON a.id = p.author_id WHERE p.id = ?1 AND p.community_id = ?2"),
        params![id, community_id],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound)
}

/// Every proposal but drafts (and the viewer's own drafts), newest first.
pub fn list(
    conn: &Connection,
    community_id: i64,
    viewer: Option<i64>,
) -> Result<Vec<Proposal>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM proposals p JOIN accounts a ON a.id = p.author_id
         WHERE p.community_id = ?1 AND (p.status != 'draft' OR p.author_id = ?2)
         ORDER BY p.id DESC"
    ))?;
    let rows = st.query_map(params![community_id, viewer.unwrap_or(0)], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One page of the proposals a viewer may see (newest first), optionally of
/// one status, and how many there are in all.
pub fn page(
    conn: &Connection,
    community_id: i64,
    viewer: Option<i64>,
    status: Option<Status>,
    offset: usize,
    limit: usize,
) -> Result<(Vec<Proposal>, i64), Error> {
    let filter = "p.community_id = ?1 AND (p.status != 'draft' OR p.author_id = ?2)
         AND (?3 IS NULL OR p.status = ?3)";
    let (viewer, status) = (viewer.unwrap_or(0), status.map(|s| s.as_str()));
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM proposals p JOIN accounts a ON a.id = p.author_id
         WHERE {filter} ORDER BY p.id DESC LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = st
        .query_map(
            params![community_id, viewer, status, limit as i64, offset as i64],
            from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let total = conn
        .prepare_cached(&format!("SELECT count(*) FROM proposals p WHERE {filter}"))?
        .query_row(params![community_id, viewer, status], |r| r.get(0))?;
    Ok((rows, total))
}

/// Titles and states of published proposals, for the "similar proposals" hint.
pub fn published_titles(
    conn: &Connection,
    community_id: i64,
) -> Result<Vec<(i64, String, Status)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT id, title, status FROM proposals WHERE community_id = ?1 AND status NOT IN ('draft', 'withdrawn')",
    )?;
    let rows = st.query_map([community_id], |r| {
        let status: String = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            Status::parse(&status).unwrap_or(Status::Open),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct NewProposal {
    pub title: String,
    pub body: String,
    pub category: String,
    pub place: String,
}

pub fn create(
    tx: &Transaction,
    community_id: i64,
    author: i64,
    n: &NewProposal,
) -> Result<i64, Error> {
    let label = place_label(tx, community_id, &n.place)?;
    tx.execute(
        "INSERT INTO proposals (community_id, author_id, title, body, category, place, place_label, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![community_id, author, n.title, n.body, n.category, n.place, label, now()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Rewrites the author's own draft: title, body, category and place. A
/// proposal already published (or another's) is refused, in the same
/// statement, so a publish racing the edit leaves the published text alone.
pub fn update_draft(
    tx: &Transaction,
    community_id: i64,
    id: i64,
    author: i64,
    n: &NewProposal,
) -> Result<(), Error> {
    let label = place_label(tx, community_id, &n.place)?;
    let done = tx.execute(
        "UPDATE proposals SET title = ?4, body = ?5, category = ?6, place = ?7, place_label = ?8
         WHERE id = ?1 AND community_id = ?2 AND author_id = ?3 AND status = 'draft' AND published_at IS NULL",
        params![id, community_id, author, n.title, n.body, n.category, n.place, label],
    )?;
    if done == 0 {
        return Err(Error::Conflict(Msg::new(
            "只有提案人可以修改自己的草稿；公开后不能再修改",
            "only the author can edit their draft, and not once it is published",
        )));
    }
    Ok(())
}

/// SQL condition: household `h` is in `place` ("community", "zone:N", "building:N").
fn place_sql(place: &str) -> Result<(&'static str, i64), Error> {
    match place.split_once(':') {
        // The whole community: no place filter (?2 is bound, and 0).
        None if place == "community" => Ok(("?2 = 0", 0)),
        Some(("zone", id)) => Ok(("h.zone_id = ?2", id.parse().map_err(|_| Error::NotFound)?)),
        Some(("building", id)) => Ok((
            "h.dwelling_id IN (SELECT d.id FROM dwellings d JOIN units u ON u.id = d.unit_id WHERE u.building_id = ?2)",
            id.parse().map_err(|_| Error::NotFound)?,
        )),
        _ => Err(Error::NotFound),
    }
}

/// Households with anyone living there in a place.
pub fn households_in(conn: &Connection, community_id: i64, place: &str) -> Result<u64, Error> {
    let (cond, id) = place_sql(place)?;
    let n: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM households h WHERE h.community_id = ?1 AND ({cond})
             AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.active = 1)"
        ),
        params![community_id, id],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Whether an account's resident lives in a place.
pub fn lives_in(
    conn: &Connection,
    community_id: i64,
    place: &str,
    account: i64,
) -> Result<bool, Error> {
    let (cond, id) = place_sql(place)?;
    let n: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM accounts a JOIN residents r ON r.id = a.resident_id
             JOIN households h ON h.id = r.household_id
             WHERE a.id = ?3 AND r.active = 1 AND h.community_id = ?1 AND ({cond})"
        ),
        params![community_id, id, account],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub fn set_status(tx: &Transaction, id: i64, status: Status) -> Result<(), Error> {
    tx.execute(
        "UPDATE proposals SET status = ?2 WHERE id = ?1",
        params![id, status.as_str()],
    )?;
    Ok(())
}

/// A step on the proposal's timeline; co-signers and the author see it on
/// their account page.
pub fn event(
    tx: &Transaction,
    proposal: i64,
    kind: &str,
    note: &str,
    actor: Option<i64>,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO proposal_events (proposal_id, kind, note, actor_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![proposal, kind, note, actor, now()],
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub note: String,
    pub actor: Option<String>,
    pub at: i64,
}

pub fn events(conn: &Connection, proposal: i64) -> Result<Vec<Event>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT e.id, e.kind, e.note, a.display_name, e.created_at FROM proposal_events e
         LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.proposal_id = ?1 ORDER BY e.id",
    )?;
    let rows = st.query_map([proposal], |r| {
        Ok(Event {
            id: r.get(0)?,
            kind: r.get(1)?,
            note: r.get(2)?,
            actor: r.get(3)?,
            at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn publish(tx: &Transaction, p: &Proposal, needed: u64) -> Result<(), Error> {
    tx.execute(
        "UPDATE proposals SET status = 'open', needed = ?2, published_at = ?3 WHERE id = ?1",
        params![p.id, needed as i64, now()],
    )?;
    event(tx, p.id, "published", "", Some(p.author_id))
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: i64,
    pub parent: Option<i64>,
    pub author: String,
    pub body: String,
    pub at: i64,
}

pub fn comment(
    tx: &Transaction,
    p: &Proposal,
    parent: Option<i64>,
    account: i64,
    body: &str,
) -> Result<i64, Error> {
    if let Some(parent) = parent {
        let ok: Option<i64> = tx
            .query_row(
                "SELECT id FROM proposal_comments WHERE id = ?1 AND proposal_id = ?2",
                params![parent, p.id],
                |r| r.get(0),
            )
            .optional()?;
        if ok.is_none() {
            return Err(Error::Invalid(Msg::new(
                "要回复的留言不存在",
                "the comment you are replying to does not exist",
            )));
        }
    }
    tx.execute(
        "INSERT INTO proposal_comments (proposal_id, parent_id, account_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![p.id, parent, account, body, now()],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn comments(conn: &Connection, proposal: i64) -> Result<Vec<Comment>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT c.id, c.parent_id, a.display_name, c.body, c.created_at FROM proposal_comments c
         JOIN accounts a ON a.id = c.account_id WHERE c.proposal_id = ?1 ORDER BY c.id",
    )?;
    let rows = st.query_map([proposal], |r| {
        Ok(Comment {
            id: r.get(0)?,
            parent: r.get(1)?,
            author: r.get(2)?,
            body: r.get(3)?,
            at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The committee's decision, published in the ledger with its reason.
pub fn decide(
    tx: &Transaction,
    p: &Proposal,
    status: Status,
    reason: &str,
    actor: i64,
) -> Result<Entry, Error> {
    tx.execute(
        "UPDATE proposals SET status = ?2, decision_reason = ?3 WHERE id = ?1",
        params![p.id, status.as_str(), reason],
    )?;
    event(tx, p.id, status.as_str(), reason, Some(actor))?;
    super::anchor::publish(
        tx,
        p.community_id,
        "proposal.decided",
        &crate::domain::Subject::Proposal(p.id).to_string(),
    )
}

pub fn link_meeting(tx: &Transaction, id: i64, deliberation: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE proposals SET deliberation_id = ?2 WHERE id = ?1",
        params![id, deliberation],
    )?;
    Ok(())
}

/// Links a vote drafted from a proposal the committee referred to a vote;
/// the step goes on the proposal's timeline. Only a proposal waiting for
/// its vote can be linked, and only once.
pub fn link_vote(
    tx: &Transaction,
    p: &Proposal,
    vote: i64,
    title: &str,
    actor: i64,
) -> Result<(), Error> {
    if p.status != Status::Voting || p.vote_id.is_some() {
        return Err(Error::Conflict(Msg::new(
            "这条提案不在待表决状态，或已有表决",
            "that proposal is not waiting for a vote, or already has one",
        )));
    }
    tx.execute(
        "UPDATE proposals SET vote_id = ?2 WHERE id = ?1",
        params![p.id, vote],
    )?;
    event(tx, p.id, "vote_drafted", title, Some(actor))
}

pub fn dispatch(
    tx: &Transaction,
    id: i64,
    kind: &str,
    name: &str,
    account: Option<i64>,
) -> Result<(), Error> {
    tx.execute(
        "UPDATE proposals SET status = 'dispatched', assignee_kind = ?2, assignee_name = ?3, assignee_account = ?4 WHERE id = ?1",
        params![id, kind, name, account],
    )?;
    Ok(())
}

/// The completion report, published in the ledger with its photos' hashes.
pub fn complete(tx: &Transaction, p: &Proposal, report: &str, actor: i64) -> Result<Entry, Error> {
    tx.execute(
        "UPDATE proposals SET status = 'completed', report = ?2, completed_at = ?3 WHERE id = ?1",
        params![p.id, report, now()],
    )?;
    event(tx, p.id, "completed", report, Some(actor))?;
    super::anchor::publish(
        tx,
        p.community_id,
        "proposal.completed",
        &crate::domain::Subject::Proposal(p.id).to_string(),
    )
}

/// A resident's rating; rating again replaces their earlier one.
pub fn rate(
    tx: &Transaction,
    proposal: i64,
    account: i64,
    score: u8,
    comment: &str,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO proposal_ratings (proposal_id, account_id, score, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (proposal_id, account_id) DO UPDATE SET score = excluded.score, comment = excluded.comment, created_at = excluded.created_at",
        params![proposal, account, score, comment, now()],
    )?;
    Ok(())
}

/// (score, comment, at) for a proposal, and the viewer's own score.
pub fn ratings(conn: &Connection, proposal: i64) -> Result<Vec<(u8, String, i64, i64)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT score, comment, created_at, account_id FROM proposal_ratings WHERE proposal_id = ?1 ORDER BY created_at",
    )?;
    let rows = st.query_map([proposal], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// (assignee, kind, proposal, score) for proposals completed in [from, to).
pub fn ratings_between(
    conn: &Connection,
    community_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64, u8)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT p.assignee_name, p.assignee_kind, p.id, r.score FROM proposal_ratings r
         JOIN proposals p ON p.id = r.proposal_id
         WHERE p.community_id = ?1 AND p.completed_at >= ?2 AND p.completed_at < ?3 AND p.assignee_name IS NOT NULL",
    )?;
    let rows = st.query_map(params![community_id, from, to], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A step on a proposal the account wrote or co-signed.
#[derive(Debug, Clone)]
pub struct Update {
    pub slug: String,
    pub proposal: i64,
    pub title: String,
    pub kind: String,
    pub note: String,
    pub at: i64,
    /// The community's time zone, to show `at` in.
    pub tz: String,
}

pub fn updates_for(conn: &Connection, account: i64, limit: i64) -> Result<Vec<Update>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT c.slug, p.id, p.title, e.kind, e.note, e.created_at, c.tz FROM proposal_events e
         JOIN proposals p ON p.id = e.proposal_id JOIN communities c ON c.id = p.community_id
         WHERE (p.author_id = ?1 OR EXISTS (SELECT 1 FROM proposal_cosigns s WHERE s.proposal_id = p.id AND s.account_id = ?1
                                      AND s.withdrawn_at IS NULL))
           AND (e.actor_id IS NULL OR e.actor_id != ?1)
         ORDER BY e.id DESC LIMIT ?2",
    )?;
    let rows = st.query_map(params![account, limit], |r| {
        Ok(Update {
            slug: r.get(0)?,
            proposal: r.get(1)?,
            title: r.get(2)?,
            kind: r.get(3)?,
            note: r.get(4)?,
            at: r.get(5)?,
            tz: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Checks a ledger entry about a proposal against the record.
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    let field = |k: &str| {
        e.payload
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let id = e
        .payload
        .get("proposal")
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    let broken = |zh: &str, en: &str| {
        Ok(Some(Broken {
            seq: e.seq,
            zh: format!("第 {} 条记录：提案 {id} 的{zh}与记录不符", e.seq),
            en: format!(
                "entry {}: proposal {id}'s {en} differs from the record",
                e.seq
            ),
        }))
    };
    match e.kind.as_str() {
        "proposal.decided" => {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM proposal_events ev JOIN proposals p ON p.id = ev.proposal_id
                 WHERE p.id = ?1 AND p.community_id = ?2 AND ev.kind = ?3 AND ev.note = ?4",
                params![id, community_id, field("decision"), field("reason")],
                |r| r.get(0),
            )?;
            if n == 0 {
                return broken("决定或理由", "decision or its reason");
            }
            Ok(None)
        }
        "proposal.completed" => {
            let report = get(conn, community_id, id)
                .ok()
                .and_then(|p| p.report)
                .unwrap_or_default();
            if report != field("report") {
                return broken("办结报告", "completion report");
            }
            let digests =
                attachments::digest_list(conn, community_id, &format!("proposal-report:{id}"))?;
            if e.payload.get("photos") != Some(&digests) {
                return broken("办结照片", "report photos");
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// The assignee hands a proposal back: under review again, nobody assigned.
pub fn hand_back(tx: &Transaction, id: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE proposals SET status = 'review', assignee_kind = NULL, assignee_name = NULL, assignee_account = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(())
}
