//! Follow-up actions from published minutes, and closing one.

use super::*;
use crate::domain::Msg;
use crate::domain::deliberation::ActionStatus;
use crate::domain::ledger::Entry;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone)]
pub struct Action {
    pub id: i64,
    pub deliberation_id: i64,
    pub meeting: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: ActionStatus,
    pub report: Option<String>,
    pub closed_at: Option<i64>,
}

/// Follow-up actions, open first (oldest due first), then done.
pub fn actions(
    conn: &Connection,
    community_id: i64,
    deliberation: Option<i64>,
) -> Result<Vec<Action>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT a.id, a.deliberation_id, d.title, a.title, a.owner, a.due, a.status, a.report, a.closed_at
         FROM actions a JOIN deliberations d ON d.id = a.deliberation_id
         WHERE a.community_id = ?1 AND (?2 IS NULL OR a.deliberation_id = ?2)
         ORDER BY a.status = 'done', a.due, a.id",
    )?;
    let v = st
        .query_map(params![community_id, deliberation], |r| {
            Ok(Action {
                id: r.get(0)?,
                deliberation_id: r.get(1)?,
                meeting: r.get(2)?,
                title: r.get(3)?,
                owner: r.get(4)?,
                due: r.get(5)?,
                status: code_at(r, 6)?,
                report: r.get(7)?,
                closed_at: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Closes an action with a short report; in the ledger, so it sticks.
pub fn close_action(
    tx: &Transaction,
    community_id: i64,
    id: i64,
    report: &str,
    by: i64,
) -> Result<Entry, Error> {
    let report = text(report, 1000, "完成情况说明", "a short report")?;
    let deliberation: i64 = tx
        .query_row(
            "UPDATE actions SET status = 'done', report = ?3, closed_by = ?4, closed_at = ?5
             WHERE id = ?1 AND community_id = ?2 AND status = 'open' RETURNING deliberation_id",
            params![id, community_id, report, by, crate::store::now()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            Error::Conflict(Msg::new(
                "这项跟进已经办结或不存在",
                "this action is already done or does not exist",
            ))
        })?;
    crate::store::anchor::publish(
        tx,
        community_id,
        "action.closed",
        &crate::domain::Subject::Deliberation(deliberation).to_string(),
    )
}
