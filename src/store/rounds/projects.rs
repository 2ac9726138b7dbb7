//! A round's project ideas: submitted by residents, reviewed by the committee
//! (feasible or not, the cost adjusted only with a reason).

use super::Round;
use crate::domain::Msg;
use crate::domain::round::{self, Phase};
use crate::error::Error;
use crate::store::now;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone)]
pub struct Project {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub team: String,
    pub proposed_cost: i64,
    pub cost: i64,
    pub cost_reason: String,
    pub review: String,
    pub review_reason: String,
    pub submitter: Option<String>,
    pub funded: bool,
    pub progress: String,
    pub approvals: i64,
}

pub fn projects(conn: &Connection, round: i64) -> Result<Vec<Project>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT p.id, p.code, p.title, p.description, p.team, p.proposed_cost, p.cost, p.cost_reason, p.review,
                p.review_reason, a.display_name, p.funded, p.progress,
                (SELECT count(*) FROM round_approvals x WHERE x.project_id = p.id)
         FROM round_projects p LEFT JOIN accounts a ON a.id = p.submitted_by
         WHERE p.round_id = ?1 ORDER BY p.id",
    )?;
    let rows = st.query_map([round], |r| {
        Ok(Project {
            id: r.get(0)?,
            code: r.get(1)?,
            title: r.get(2)?,
            description: r.get(3)?,
            team: r.get(4)?,
            proposed_cost: r.get(5)?,
            cost: r.get(6)?,
            cost_reason: r.get(7)?,
            review: r.get(8)?,
            review_reason: r.get(9)?,
            submitter: r.get(10)?,
            funded: r.get(11)?,
            progress: r.get(12)?,
            approvals: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct NewProject {
    pub title: String,
    pub description: String,
    pub team: String,
    pub cost: i64,
}

pub fn submit(tx: &Transaction, r: &Round, n: &NewProject, by: Option<i64>) -> Result<i64, Error> {
    if r.phase != Phase::Collect {
        return Err(Error::Conflict(Msg::new(
            "本轮已停止征集项目",
            "this round is no longer collecting ideas",
        )));
    }
    round::check_cost(n.cost, r.min_cost, r.max_cost, r.budget).map_err(Error::Invalid)?;
    let k: i64 = tx.query_row(
        "SELECT count(*) FROM round_projects WHERE round_id = ?1",
        [r.id],
        |x| x.get(0),
    )?;
    tx.execute(
        "INSERT INTO round_projects (round_id, code, title, description, team, proposed_cost, cost, submitted_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)",
        params![r.id, format!("P{}", k + 1), n.title, n.description, n.team, n.cost, by, now()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The committee's review: feasible or not (with a reason when not), and
/// the cost, adjusted only with a reason.
pub fn review(
    tx: &Transaction,
    r: &Round,
    project: i64,
    feasible: bool,
    reason: &str,
    cost: i64,
    cost_reason: &str,
) -> Result<(), Error> {
    if r.phase > Phase::Review {
        return Err(Error::Conflict(Msg::new(
            "投票开始后不能再评审",
            "projects cannot be reviewed once voting has opened",
        )));
    }
    let proposed: i64 = tx
        .query_row(
            "SELECT proposed_cost FROM round_projects WHERE id = ?1 AND round_id = ?2",
            params![project, r.id],
            |x| x.get(0),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    if !feasible && reason.trim().is_empty() {
        return Err(Error::Invalid(Msg::new(
            "认定不可行时须写明理由",
            "say why the project is not feasible",
        )));
    }
    if cost != proposed && cost_reason.trim().is_empty() {
        return Err(Error::Invalid(Msg::new(
            "调整费用时须写明理由",
            "say why the cost is adjusted",
        )));
    }
    if feasible {
        round::check_cost(cost, r.min_cost, r.max_cost, r.budget).map_err(Error::Invalid)?;
    }
    tx.execute(
        "UPDATE round_projects SET review = ?2, review_reason = ?3, cost = ?4, cost_reason = ?5 WHERE id = ?1",
        params![
            project,
            if feasible { "feasible" } else { "infeasible" },
            reason.trim(),
            cost,
            cost_reason.trim()
        ],
    )?;
    Ok(())
}
