//! Micro-venture rounds in SQLite: the round, its project ideas and their
//! review, approval ballots, the published result, and funded projects'
//! milestones and spending.

mod ballots;
mod count;
mod import;
mod milestones;
mod projects;
mod verify;

pub use ballots::*;
pub use count::*;
pub use import::*;
pub use milestones::*;
pub use projects::*;
pub use verify::*;

use super::{deliberations::place_label, now};
use crate::domain::Msg;
use crate::domain::ledger::Entry;
use crate::domain::pb_rules::Rule;
use crate::domain::round::Phase;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Round {
    pub id: i64,
    pub community_id: i64,
    pub title: String,
    pub description: String,
    pub budget: i64,
    pub min_cost: i64,
    pub max_cost: i64,
    pub place: String,
    pub place_label: String,
    pub rule: Rule,
    pub max_approvals: Option<u32>,
    pub collect_until: String,
    pub review_until: String,
    pub vote_until: String,
    pub phase: Phase,
    pub imported: bool,
    pub result: Option<Value>,
    pub created_at: i64,
}

const COLS: &str =
    "id, community_id, title, description, budget, min_cost, max_cost, place, place_label, rule,
    max_approvals, collect_until, review_until, vote_until, phase, imported, result, created_at";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Round> {
    let rule: String = r.get(9)?;
    let phase: String = r.get(14)?;
    let result: Option<String> = r.get(16)?;
    Ok(Round {
        id: r.get(0)?,
        community_id: r.get(1)?,
        title: r.get(2)?,
        description: r.get(3)?,
        budget: r.get(4)?,
        min_cost: r.get(5)?,
        max_cost: r.get(6)?,
        place: r.get(7)?,
        place_label: r.get(8)?,
        rule: Rule::parse(&rule).unwrap_or(Rule::Greedy),
        max_approvals: r.get(10)?,
        collect_until: r.get(11)?,
        review_until: r.get(12)?,
        vote_until: r.get(13)?,
        phase: Phase::parse(&phase).unwrap_or(Phase::Collect),
        imported: r.get(15)?,
        result: result.and_then(|s| serde_json::from_str(&s).ok()),
        created_at: r.get(17)?,
    })
}

/// A round, unless it is an import still being written (`imported = 2`).
pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Round, Error> {
    conn.query_row(
        &format!("SELECT {COLS} FROM rounds WHERE id = ?1 AND community_id = ?2 AND imported != 2"),
        params![id, community_id],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound)
}

/// A round, staged or not.
fn get_any(conn: &Connection, community_id: i64, id: i64) -> Result<Round, Error> {
    conn.query_row(
        &format!("SELECT {COLS} FROM rounds WHERE id = ?1 AND community_id = ?2"),
        params![id, community_id],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound)
}

pub fn list(conn: &Connection, community_id: i64) -> Result<Vec<Round>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM rounds WHERE community_id = ?1 AND imported != 2 ORDER BY id DESC"
    ))?;
    let rows = st.query_map([community_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone)]
pub struct NewRound {
    pub title: String,
    pub description: String,
    pub budget: i64,
    pub min_cost: i64,
    pub max_cost: i64,
    pub place: String,
    pub rule: Rule,
    pub max_approvals: Option<u32>,
    pub collect_until: String,
    pub review_until: String,
    pub vote_until: String,
}

pub fn create(tx: &Transaction, community_id: i64, n: &NewRound, by: i64) -> Result<i64, Error> {
    let label = place_label(tx, community_id, &n.place)?;
    tx.execute(
        "INSERT INTO rounds (community_id, title, description, budget, min_cost, max_cost, place, place_label, rule,
             max_approvals, collect_until, review_until, vote_until, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            community_id,
            n.title,
            n.description,
            n.budget,
            n.min_cost,
            n.max_cost,
            n.place,
            label,
            n.rule.as_str(),
            n.max_approvals,
            n.collect_until,
            n.review_until,
            n.vote_until,
            by,
            now()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The rule and the approval limit, fixed once voting opens.
pub fn set_rule(tx: &Transaction, r: &Round, rule: Rule, max: Option<u32>) -> Result<(), Error> {
    if r.phase >= Phase::Vote {
        return Err(Error::Conflict(Msg::new(
            "投票开始后不能再改计票规则",
            "the rule cannot change once voting has opened",
        )));
    }
    tx.execute(
        "UPDATE rounds SET rule = ?2, max_approvals = ?3 WHERE id = ?1",
        params![r.id, rule.as_str(), max],
    )?;
    Ok(())
}

/// The newest rounds not yet at their results (at most `limit`), for the board.
pub fn open(conn: &Connection, community_id: i64, limit: usize) -> Result<Vec<Round>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM rounds WHERE community_id = ?1 AND imported != 2 AND phase != 'results'
         ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![community_id, limit as i64], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn set_phase(tx: &Transaction, r: &Round, to: Phase) -> Result<Option<Entry>, Error> {
    if r.phase.next() != Some(to) {
        return Err(Error::Conflict(Msg::new(
            "本轮不能转入该阶段",
            "the round cannot move to that phase",
        )));
    }
    if to == Phase::Vote {
        let ps = projects(tx, r.id)?;
        if ps.iter().any(|p| p.review == "pending") {
            return Err(Error::Invalid(Msg::new(
                "还有项目未评审，请先评审每个项目",
                "some projects are not reviewed yet; review every project first",
            )));
        }
        if !ps.iter().any(|p| p.review == "feasible") {
            return Err(Error::Invalid(Msg::new(
                "没有可行的项目，无法开始投票",
                "no project is feasible, so voting cannot open",
            )));
        }
    }
    tx.execute(
        "UPDATE rounds SET phase = ?2 WHERE id = ?1",
        params![r.id, to.as_str()],
    )?;
    match to {
        Phase::Vote => Ok(Some(super::anchor::publish(
            tx,
            r.community_id,
            "round.vote_opened",
            &crate::domain::Subject::Round(r.id).to_string(),
        )?)),
        Phase::Results => publish_results(tx, r, None).map(Some),
        _ => Ok(None),
    }
}
