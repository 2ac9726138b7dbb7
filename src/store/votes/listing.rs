//! What a vote's page shows without reading the whole vote: the frozen
//! electorate's figures, how many have voted, one voter's ballots, and one
//! page of the published ballot list in dwelling order. A closed vote's
//! figures and list order are read once into [`Published`] and kept in
//! memory (`Caches::votes`, good until the roll or an account changes).

use super::{Ballot, Elector, Vote, frozen_electorate};
use crate::error::Error;
use rusqlite::{Connection, params};
use std::collections::{HashMap, HashSet};

/// The frozen electorate's size, total area (none when a member has none)
/// and number of households.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    pub count: usize,
    pub area_centi: Option<i64>,
    pub households: usize,
}

impl Figures {
    /// The figures of electors read whole.
    pub fn of(electors: &[Elector]) -> Figures {
        Figures {
            count: electors.len(),
            area_centi: electors.iter().map(|e| e.area_centi).sum(),
            households: electors
                .iter()
                .filter_map(|e| e.household.as_deref())
                .collect::<HashSet<_>>()
                .len(),
        }
    }
}

/// The figures of a frozen electorate, by one aggregate over its rows.
pub fn figures(conn: &Connection, vote_id: i64) -> Result<Figures, Error> {
    let (count, with_area, area, households): (i64, i64, Option<i64>, i64) = conn
        .prepare_cached(
            "SELECT count(*), count(area_centi), sum(area_centi), count(DISTINCT household)
             FROM vote_electorate WHERE vote_id = ?1",
        )?
        .query_row([vote_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    Ok(Figures {
        count: count as usize,
        area_centi: (with_area == count).then(|| area.unwrap_or(0)),
        households: households as usize,
    })
}

/// The voters with a ballot (the ballots' key only).
pub fn voters_with_ballots(conn: &Connection, vote_id: i64) -> Result<HashSet<String>, Error> {
    let v = conn
        .prepare_cached("SELECT DISTINCT voter FROM ballots WHERE vote_id = ?1")?
        .query_map([vote_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// How many voters have a ballot agreeing.
pub fn agreed_count(conn: &Connection, vote_id: i64) -> Result<usize, Error> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(DISTINCT voter) FROM ballots WHERE vote_id = ?1 AND choice = 'agree'",
        )?
        .query_row([vote_id], |r| r.get(0))?;
    Ok(n as usize)
}

/// One voter's ballots (one per channel), by the ballots' key.
pub fn ballots_of(conn: &Connection, vote_id: i64, voter: &str) -> Result<Vec<Ballot>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT b.voter, CASE WHEN b.by_proxy IS NULL THEN b.channel ELSE 'proxy' END, b.choice, b.cast_at, b.receipt,
                r.name, a.display_name
         FROM ballots b LEFT JOIN residents r ON r.id = b.cast_by_resident LEFT JOIN accounts a ON a.id = b.entered_by
         WHERE b.vote_id = ?1 AND b.voter = ?2 ORDER BY b.channel",
    )?;
    let v = st
        .query_map(params![vote_id, voter], super::ballots::ballot_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// What a closed vote's page shows everyone that would otherwise mean
/// reading its whole electorate and every ballot.
#[derive(Debug)]
pub struct Published {
    pub figures: Figures,
    /// The voters with a ballot, in the electorate's dwelling order.
    pub listed: Vec<String>,
    /// Where each listed voter is in `listed`.
    pub position: HashMap<String, usize>,
    /// Who entered how many paper ballots, most first.
    pub paper_by: Vec<(String, i64)>,
}

impl Published {
    /// Roughly the bytes it holds, for a budget.
    pub fn size(&self) -> usize {
        self.listed.iter().map(|v| 2 * v.len() + 80).sum::<usize>()
            + self
                .paper_by
                .iter()
                .map(|(n, _)| n.len() + 32)
                .sum::<usize>()
    }
}

/// Reads a closed vote's [`Published`] part (the electorate once, the
/// ballots' keys only).
pub fn published(conn: &Connection, v: &Vote) -> Result<Published, Error> {
    let electorate = frozen_electorate(conn, v.id)?;
    let voted = voters_with_ballots(conn, v.id)?;
    let figures = Figures::of(&electorate);
    let listed: Vec<String> = electorate
        .into_iter()
        .filter(|e| voted.contains(&e.voter))
        .map(|e| e.voter)
        .collect();
    let position = listed
        .iter()
        .enumerate()
        .map(|(i, v)| (v.clone(), i))
        .collect();
    Ok(Published {
        figures,
        listed,
        position,
        paper_by: super::paper_by(conn, v.id)?,
    })
}

/// One row of the published ballot list.
#[derive(Debug, Clone)]
pub struct Line {
    pub voter: String,
    /// None for a voter not in the electorate (never, unless edited by hand).
    pub label: Option<String>,
    pub dwellings: Vec<String>,
    pub choice: String,
    pub channel: String,
    pub receipt: String,
}

impl Line {
    /// Roughly the bytes it holds, for a budget.
    pub fn size(&self) -> usize {
        let d: usize = self.dwellings.iter().map(|d| d.len() + 24).sum();
        self.voter.len()
            + self.label.as_ref().map_or(0, |l| l.len())
            + d
            + self.choice.len()
            + self.channel.len()
            + self.receipt.len()
            + 160
    }
}

/// The ballots of `voters` (one page of the list), in that order, each
/// voter's by channel: one statement, a lookup by key for each voter (the
/// CROSS JOIN keeps the list outermost: otherwise SQLite may walk every
/// ballot of the vote and the whole list for each).
pub fn lines(conn: &Connection, vote_id: i64, voters: &[String]) -> Result<Vec<Line>, Error> {
    let wanted = serde_json::to_string(voters).map_err(|e| Error::Internal(e.to_string()))?;
    let mut st = conn.prepare_cached(
        "SELECT b.voter, e.label, e.dwellings, b.choice,
                CASE WHEN b.by_proxy IS NULL THEN b.channel ELSE 'proxy' END, b.receipt
         FROM json_each(?2) j CROSS JOIN ballots b ON b.vote_id = ?1 AND b.voter = j.value
         LEFT JOIN vote_electorate e ON e.vote_id = b.vote_id AND e.voter = b.voter
         ORDER BY j.key, b.channel",
    )?;
    let v = st
        .query_map(params![vote_id, wanted], |r| {
            let dwellings: Option<String> = r.get(2)?;
            Ok(Line {
                voter: r.get(0)?,
                label: r.get(1)?,
                dwellings: dwellings
                    .and_then(|d| serde_json::from_str(&d).ok())
                    .unwrap_or_default(),
                choice: r.get(3)?,
                channel: r.get(4)?,
                receipt: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}
