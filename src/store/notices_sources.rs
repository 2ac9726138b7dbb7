//! What a notice says about its subject, read in the event's transaction:
//! a vote's title and times, a meeting's place and time, a disclosure's
//! category and period, a proposal's title and the accounts behind it.

use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, params};

pub struct VoteFacts {
    pub title: String,
    pub scope_label: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub status: String,
    /// `civil_code_278_*`: an owners' decision (15 days' notice).
    pub owners_rule: bool,
}

pub fn vote(conn: &Connection, id: i64) -> Result<Option<VoteFacts>, Error> {
    Ok(conn
        .query_row(
            "SELECT title, scope_label, opens_at, closes_at, status, rule FROM votes WHERE id = ?1",
            [id],
            |r| {
                let rule: String = r.get(5)?;
                Ok(VoteFacts {
                    title: r.get(0)?,
                    scope_label: r.get(1)?,
                    opens_at: r.get(2)?,
                    closes_at: r.get(3)?,
                    status: r.get(4)?,
                    owners_rule: rule.starts_with("civil_code_278"),
                })
            },
        )
        .optional()?)
}

pub struct MeetingFacts {
    pub title: String,
    pub place: String,
    pub place_label: String,
    pub venue: String,
    pub starts_at: i64,
    pub status: String,
}

pub fn meeting(conn: &Connection, id: i64) -> Result<Option<MeetingFacts>, Error> {
    Ok(conn
        .query_row(
            "SELECT title, place, place_label, venue, starts_at, status FROM deliberations WHERE id = ?1",
            [id],
            |r| {
                Ok(MeetingFacts {
                    title: r.get(0)?,
                    place: r.get(1)?,
                    place_label: r.get(2)?,
                    venue: r.get(3)?,
                    starts_at: r.get(4)?,
                    status: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// (category code, period) of a disclosure.
pub fn disclosure(conn: &Connection, id: i64) -> Result<Option<(String, String)>, Error> {
    Ok(conn
        .query_row(
            "SELECT category, period FROM disclosures WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// A proposal's title and status, and the accounts of its author and
/// co-signers.
pub fn proposal(conn: &Connection, id: i64) -> Result<Option<(String, String, Vec<i64>)>, Error> {
    let Some((title, status, author)) = conn
        .query_row(
            "SELECT title, status, author_id FROM proposals WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut st = conn.prepare_cached(
        // A withdrawn co-signature no longer follows the proposal.
        "SELECT account_id FROM proposal_cosigns WHERE proposal_id = ?1 AND withdrawn_at IS NULL
         ORDER BY account_id LIMIT 10000",
    )?;
    let mut ids: Vec<i64> = vec![author];
    for a in st.query_map(params![id], |r| r.get(0))? {
        ids.push(a?);
    }
    Ok(Some((title, status, ids)))
}

/// A community's slug and time zone.
pub fn community(conn: &Connection, id: i64) -> Result<(String, String), Error> {
    Ok(conn.query_row(
        "SELECT slug, tz FROM communities WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}
