//! What a resident did themselves, for their account page: the proposals
//! they wrote, the ones they co-signed, the votes they were in (whether
//! their ballot is in and its receipt, never the choice), their round
//! ballots, and the questions they asked with the answers. Each list is the
//! latest `limit` rows with the count of all, across their communities.

use crate::domain::proposal::Status;
use crate::error::Error;
use crate::store::votes::Status as VoteStatus;
use rusqlite::{Connection, params};

/// Where a row lives: the community's slug, name and time zone.
#[derive(Debug, Clone)]
pub struct Place {
    pub slug: String,
    pub community: String,
    pub tz: String,
}

fn place(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Place> {
    Ok(Place {
        slug: r.get(at)?,
        community: r.get(at + 1)?,
        tz: r.get(at + 2)?,
    })
}

/// A list cut to its latest rows, and how many there are in all.
#[derive(Debug, Clone)]
pub struct Latest<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

fn latest<T>(
    conn: &Connection,
    rows_sql: &str,
    count_sql: &str,
    who: i64,
    limit: usize,
    f: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<Latest<T>, Error> {
    let rows = conn
        .prepare_cached(rows_sql)?
        .query_map(params![who, limit as i64], f)?
        .collect::<Result<Vec<_>, _>>()?;
    let total = conn
        .prepare_cached(count_sql)?
        .query_row([who], |r| r.get(0))?;
    Ok(Latest { rows, total })
}

/// A proposal of the account's, or one it co-signed.
#[derive(Debug, Clone)]
pub struct MyProposal {
    pub place: Place,
    pub id: i64,
    pub title: String,
    pub status: Status,
    pub cosigns: i64,
    pub needed: i64,
    /// When it was written (own) or co-signed.
    pub at: i64,
}

fn my_proposal(r: &rusqlite::Row) -> rusqlite::Result<MyProposal> {
    let status: String = r.get(2)?;
    Ok(MyProposal {
        id: r.get(0)?,
        title: r.get(1)?,
        status: Status::parse(&status).unwrap_or(Status::Draft),
        cosigns: r.get(3)?,
        needed: r.get(4)?,
        at: r.get(5)?,
        place: place(r, 6)?,
    })
}

const COMMUNITY: &str = "c.slug, c.name, c.tz";

pub fn proposals(
    conn: &Connection,
    account: i64,
    limit: usize,
) -> Result<Latest<MyProposal>, Error> {
    latest(
        conn,
        &format!(
            "SELECT p.id, p.title, p.status, p.cosigns, p.needed, p.created_at, {COMMUNITY}
             FROM proposals p JOIN communities c ON c.id = p.community_id
             WHERE p.author_id = ?1 ORDER BY p.id DESC LIMIT ?2"
        ),
        "SELECT count(*) FROM proposals WHERE author_id = ?1",
        account,
        limit,
        my_proposal,
    )
}

/// Co-signatures the account has not withdrawn.
pub fn cosigns(conn: &Connection, account: i64, limit: usize) -> Result<Latest<MyProposal>, Error> {
    latest(
        conn,
        &format!(
            "SELECT p.id, p.title, p.status, p.cosigns, p.needed, s.created_at, {COMMUNITY}
             FROM proposal_cosigns s JOIN proposals p ON p.id = s.proposal_id
             JOIN communities c ON c.id = p.community_id
             WHERE s.account_id = ?1 AND s.withdrawn_at IS NULL
             ORDER BY s.created_at DESC, p.id DESC LIMIT ?2"
        ),
        "SELECT count(*) FROM proposal_cosigns WHERE account_id = ?1 AND withdrawn_at IS NULL",
        account,
        limit,
        my_proposal,
    )
}

/// A vote whose electorate the resident is in.
#[derive(Debug, Clone)]
pub struct MyVote {
    pub place: Place,
    pub id: i64,
    pub title: String,
    pub status: VoteStatus,
    pub closes_at: i64,
    /// The voter's ballot as counted (the latest one), if there is one:
    /// (channel, receipt, cast_at). Never its choice.
    pub ballot: Option<(String, String, i64)>,
}

fn vote_status(s: &str) -> VoteStatus {
    match s {
        "open" => VoteStatus::Open,
        "closed" => VoteStatus::Closed,
        _ => VoteStatus::Draft,
    }
}

pub fn votes(conn: &Connection, resident: i64, limit: usize) -> Result<Latest<MyVote>, Error> {
    latest(
        conn,
        &format!(
            "SELECT v.id, v.title, v.status, v.closes_at, b.channel, b.receipt, b.cast_at, {COMMUNITY}
             FROM vote_members m JOIN votes v ON v.id = m.vote_id
             JOIN communities c ON c.id = v.community_id
             LEFT JOIN ballots b ON b.vote_id = m.vote_id AND b.voter = m.voter
               AND b.cast_at = (SELECT max(cast_at) FROM ballots x WHERE x.vote_id = m.vote_id AND x.voter = m.voter)
             WHERE m.resident_id = ?1 GROUP BY v.id ORDER BY v.opens_at DESC, v.id DESC LIMIT ?2"
        ),
        "SELECT count(*) FROM vote_members WHERE resident_id = ?1",
        resident,
        limit,
        |r| {
            let status: String = r.get(2)?;
            let channel: Option<String> = r.get(4)?;
            Ok(MyVote {
                id: r.get(0)?,
                title: r.get(1)?,
                status: vote_status(&status),
                closes_at: r.get(3)?,
                ballot: match channel {
                    Some(ch) => Some((ch, r.get(5)?, r.get(6)?)),
                    None => None,
                },
                place: place(r, 7)?,
            })
        },
    )
}

/// A ballot the account cast in a micro-venture round: what it approved.
#[derive(Debug, Clone)]
pub struct MyRoundBallot {
    pub place: Place,
    pub round: i64,
    pub title: String,
    pub cast_at: i64,
    /// (code, title) of each project approved, in code order.
    pub approved: Vec<(String, String)>,
}

pub fn round_ballots(
    conn: &Connection,
    account: i64,
    limit: usize,
) -> Result<Latest<MyRoundBallot>, Error> {
    let voter = crate::store::rounds::voter_key(account);
    let mut st = conn.prepare_cached(&format!(
        "SELECT b.id, r.id, r.title, b.cast_at, {COMMUNITY} FROM round_ballots b
         JOIN rounds r ON r.id = b.round_id JOIN communities c ON c.id = r.community_id
         WHERE b.voter = ?1 ORDER BY b.id DESC LIMIT ?2"
    ))?;
    let heads = st
        .query_map(params![voter, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                MyRoundBallot {
                    round: r.get(1)?,
                    title: r.get(2)?,
                    cast_at: r.get(3)?,
                    place: place(r, 4)?,
                    approved: Vec::new(),
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut projects = conn.prepare_cached(
        "SELECT p.code, p.title FROM round_approvals a JOIN round_projects p ON p.id = a.project_id
         WHERE a.ballot_id = ?1 ORDER BY p.code",
    )?;
    let mut rows = Vec::with_capacity(heads.len());
    for (ballot, mut b) in heads {
        b.approved = projects
            .query_map([ballot], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.push(b);
    }
    let total = conn
        .prepare_cached("SELECT count(*) FROM round_ballots WHERE voter = ?1")?
        .query_row([voter], |r| r.get(0))?;
    Ok(Latest { rows, total })
}

/// A question (or, for a supervisor, a query) the account asked about a
/// disclosure, and the committee's answer if there is one.
#[derive(Debug, Clone)]
pub struct MyQuestion {
    pub place: Place,
    pub disclosure: i64,
    pub title: String,
    pub query: bool,
    pub text: String,
    pub asked_at: i64,
    pub answer: Option<(String, i64)>,
}

pub fn questions(
    conn: &Connection,
    account: i64,
    limit: usize,
) -> Result<Latest<MyQuestion>, Error> {
    latest(
        conn,
        &format!(
            "SELECT d.id, (SELECT title FROM disclosure_revisions r WHERE r.disclosure_id = d.id
                           ORDER BY r.rev DESC LIMIT 1),
                    t.kind, t.text, t.asked_at, t.answer, t.answered_at, {COMMUNITY}
             FROM disclosure_threads t JOIN disclosures d ON d.id = t.disclosure_id
             JOIN communities c ON c.id = d.community_id
             WHERE t.asked_by = ?1 ORDER BY t.id DESC LIMIT ?2"
        ),
        "SELECT count(*) FROM disclosure_threads WHERE asked_by = ?1",
        account,
        limit,
        |r| {
            let kind: String = r.get(2)?;
            let answer: Option<String> = r.get(5)?;
            Ok(MyQuestion {
                disclosure: r.get(0)?,
                title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                query: kind == "query",
                text: r.get(3)?,
                asked_at: r.get(4)?,
                answer: match answer {
                    Some(a) => Some((a, r.get::<_, Option<i64>>(6)?.unwrap_or(0))),
                    None => None,
                },
                place: place(r, 7)?,
            })
        },
    )
}
