//! Ballots: cast online or on paper (one per voter and channel, changeable
//! until closing), conflicts between channels and their resolution.

use super::{Status, Vote};
use crate::domain::Msg;
use crate::domain::code::ActivationCode;
use crate::domain::vote::Choice;
use crate::error::Error;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The voter a resident casts for in this vote, if any.
pub fn voter_for(
    conn: &Connection,
    vote_id: i64,
    resident_id: i64,
) -> Result<Option<String>, Error> {
    Ok(conn
        .prepare_cached("SELECT voter FROM vote_members WHERE vote_id = ?1 AND resident_id = ?2")?
        .query_row(params![vote_id, resident_id], |r| r.get(0))
        .optional()?)
}

#[derive(Debug, Clone)]
pub struct Ballot {
    pub voter: String,
    pub channel: String,
    /// Canonical text: agree/disagree/abstain, or option letters like "A+C".
    pub choice: String,
    pub cast_at: i64,
    pub receipt: String,
    pub cast_by: Option<String>,
    pub entered_by: Option<String>,
}

pub fn ballots(conn: &Connection, vote_id: i64) -> Result<Vec<Ballot>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT b.voter, CASE WHEN b.by_proxy IS NULL THEN b.channel ELSE 'proxy' END, b.choice, b.cast_at, b.receipt,
                r.name, a.display_name
         FROM ballots b LEFT JOIN residents r ON r.id = b.cast_by_resident LEFT JOIN accounts a ON a.id = b.entered_by
         WHERE b.vote_id = ?1 ORDER BY b.voter, b.channel",
    )?;
    let v = st
        .query_map([vote_id], ballot_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

fn new_receipt() -> String {
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut b);
    ActivationCode::from_random(b).display()
}

/// Records a ballot; a voter may change it until the vote closes (the receipt
/// stays the same). Returns the receipt.
pub fn cast(
    tx: &Transaction,
    v: &Vote,
    voter: &str,
    channel: &str,
    choice: &str,
    cast_by_resident: Option<i64>,
    entered_by: Option<i64>,
) -> Result<String, Error> {
    upsert_ballot(
        tx,
        v,
        voter,
        channel,
        choice,
        cast_by_resident,
        entered_by,
        None,
    )
}

/// Writes a ballot; `by_proxy` names the proxy casting for the voter.
#[allow(clippy::too_many_arguments)]
pub(crate) fn upsert_ballot(
    tx: &Transaction,
    v: &Vote,
    voter: &str,
    channel: &str,
    choice: &str,
    cast_by_resident: Option<i64>,
    entered_by: Option<i64>,
    by_proxy: Option<i64>,
) -> Result<String, Error> {
    let valid = match &v.options {
        Some(o) => o.decode(choice).is_some(),
        None => Choice::parse(choice).is_some(),
    };
    if !valid {
        return Err(Error::Invalid(Msg::new(
            format!("选票内容“{choice}”无效"),
            format!("\"{choice}\" is not a valid choice in this vote"),
        )));
    }
    let now = crate::store::now();
    if v.status == Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "表决还没有开始，不能投票",
            "this vote has not opened yet",
        )));
    }
    if v.status == Status::Closed || now >= v.closes_at {
        return Err(Error::Conflict(Msg::new(
            "表决已结束，不能再投票或改票",
            "voting has closed",
        )));
    }
    // A secret ballot keeps no finer time than its day, even here.
    let cast_at = if v.secret {
        let tz: String = tx
            .prepare_cached("SELECT tz FROM communities WHERE id = ?1")?
            .query_row([v.community_id], |r| r.get(0))?;
        crate::store::vote_files::day_floor(now, &tz)
    } else {
        now
    };
    let in_electorate: bool = tx
        .prepare_cached("SELECT 1 FROM vote_electorate WHERE vote_id = ?1 AND voter = ?2")?
        .exists(params![v.id, voter])?;
    if !in_electorate {
        return Err(Error::Forbidden);
    }
    // Both statements are kept prepared on the writer's connection: parsing
    // them (and coding the ballots' triggers into them) was most of a
    // ballot's time on the writer.
    let existing: Option<String> = tx
        .prepare_cached(
            "SELECT receipt FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel = ?3",
        )?
        .query_row(params![v.id, voter, channel], |r| r.get(0))
        .optional()?;
    let receipt = existing.unwrap_or_else(new_receipt);
    tx.prepare_cached(
        "INSERT INTO ballots (vote_id, voter, channel, choice, cast_by_resident, entered_by, cast_at, receipt, by_proxy)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (vote_id, voter, channel) DO UPDATE SET choice = excluded.choice,
           cast_by_resident = excluded.cast_by_resident, entered_by = excluded.entered_by, cast_at = excluded.cast_at,
           by_proxy = excluded.by_proxy",
    )?
    .execute(params![v.id, voter, channel, choice, cast_by_resident, entered_by, cast_at, receipt, by_proxy])?;
    Ok(receipt)
}

/// Voters with both an online and a paper ballot: the committee must choose.
pub fn conflicts(conn: &Connection, vote_id: i64) -> Result<Vec<String>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT voter FROM ballots WHERE vote_id = ?1 GROUP BY voter HAVING count(*) > 1 ORDER BY voter",
    )?;
    let v = st
        .query_map([vote_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(v)
}

/// The conflicts, each with whether its online ballot is the voter's own
/// (then only the paper ballot can be set aside).
pub fn conflicts_detail(conn: &Connection, vote_id: i64) -> Result<Vec<(String, bool)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT voter, max(channel = 'online' AND by_proxy IS NULL) FROM ballots WHERE vote_id = ?1
         GROUP BY voter HAVING count(*) > 1 ORDER BY voter",
    )?;
    let v = st
        .query_map([vote_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Paper ballots by who entered them: (name, count), most first.
pub fn paper_by(conn: &Connection, vote_id: i64) -> Result<Vec<(String, i64)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT coalesce(a.display_name, '-'), count(*) FROM ballots b LEFT JOIN accounts a ON a.id = b.entered_by
         WHERE b.vote_id = ?1 AND b.channel = 'paper' GROUP BY b.entered_by ORDER BY count(*) DESC, 1",
    )?;
    let v = st
        .query_map([vote_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Keeps one channel's ballot for a conflicting voter and removes the other.
/// A voter's own online ballot is never removed for a paper one the
/// committee entered (it would let the committee vote for them); only a
/// proxy's online ballot gives way to the principal's paper ballot.
pub fn resolve(tx: &Transaction, vote_id: i64, voter: &str, keep: &str) -> Result<(), Error> {
    let own_online: bool = tx
        .prepare_cached(
            "SELECT 1 FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel = 'online' AND by_proxy IS NULL",
        )?
        .exists(params![vote_id, voter])?;
    if keep == "paper" && own_online {
        return Err(Error::Conflict(Msg::new(
            "网上选票是选民本人投的，以本人为准：只能作废这张纸质选票。选民可以在截止前自己改票。",
            "the online ballot was cast by the voter themselves and counts: only the paper ballot can be set aside. The voter may change their own ballot until the vote closes.",
        )));
    }
    let n = tx.execute(
        "DELETE FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel != ?3
           AND EXISTS (SELECT 1 FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel = ?3)",
        params![vote_id, voter, keep],
    )?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// A ballot as its list queries select it (voter, channel, choice, cast at,
/// receipt, who cast it, who entered it).
pub(super) fn ballot_row(r: &rusqlite::Row) -> rusqlite::Result<Ballot> {
    Ok(Ballot {
        voter: r.get(0)?,
        channel: r.get(1)?,
        choice: r.get(2)?,
        cast_at: r.get(3)?,
        receipt: r.get(4)?,
        cast_by: r.get(5)?,
        entered_by: r.get(6)?,
    })
}
