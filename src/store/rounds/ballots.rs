//! A round's approval ballots: one per voter, and what a voter approved.

use super::Round;
use crate::domain::Msg;
use crate::domain::round::Phase;
use crate::error::Error;
use crate::store::now;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The key a resident's ballot is stored under (imported ballots keep the
/// file's voter ids as "pb:ID").
pub fn voter_key(account: i64) -> String {
    format!("account:{account}")
}

pub fn has_voted(conn: &Connection, round: i64, voter: &str) -> Result<bool, Error> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM round_ballots WHERE round_id = ?1 AND voter = ?2",
            params![round, voter],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The projects a voter's own ballot approved, by id (none if no ballot).
pub fn my_approvals(conn: &Connection, round: i64, voter: &str) -> Result<Vec<i64>, Error> {
    let mut st = conn.prepare(
        "SELECT x.project_id FROM round_ballots b JOIN round_approvals x ON x.ballot_id = b.id
         WHERE b.round_id = ?1 AND b.voter = ?2 ORDER BY x.project_id",
    )?;
    let ids = st
        .query_map(params![round, voter], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// One approval ballot per voter; a second is refused.
pub fn cast(tx: &Transaction, r: &Round, voter: &str, approved: &[i64]) -> Result<(), Error> {
    if r.phase != Phase::Vote {
        return Err(Error::Conflict(Msg::new(
            "本轮现在不在投票阶段",
            "this round is not open for voting",
        )));
    }
    let done = tx.execute(
        "INSERT OR IGNORE INTO round_ballots (round_id, voter, cast_at) VALUES (?1, ?2, ?3)",
        params![r.id, voter, now()],
    )?;
    if done == 0 {
        return Err(Error::Conflict(Msg::new(
            "你已在本轮投过票，每人只能投一次",
            "you have already voted in this round; one ballot each",
        )));
    }
    let ballot = tx.last_insert_rowid();
    for p in approved {
        tx.execute(
            "INSERT INTO round_approvals (ballot_id, project_id) VALUES (?1, ?2)",
            params![ballot, p],
        )?;
    }
    Ok(())
}
