//! Funded projects' milestones and spending, citing published disclosures.

use super::Round;
use crate::domain::Msg;
use crate::error::Error;
use crate::store::now;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub due: String,
    pub spent: i64,
    pub disclosure_id: Option<i64>,
    pub done_at: Option<i64>,
    pub note: String,
}

pub fn milestones(conn: &Connection, round: i64) -> Result<Vec<Milestone>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT m.id, m.project_id, m.title, m.due, m.spent, m.disclosure_id, m.done_at, m.note
         FROM round_milestones m JOIN round_projects p ON p.id = m.project_id
         WHERE p.round_id = ?1 ORDER BY m.due, m.id",
    )?;
    let rows = st.query_map([round], |r| {
        Ok(Milestone {
            id: r.get(0)?,
            project_id: r.get(1)?,
            title: r.get(2)?,
            due: r.get(3)?,
            spent: r.get(4)?,
            disclosure_id: r.get(5)?,
            done_at: r.get(6)?,
            note: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct NewMilestone {
    pub title: String,
    pub due: String,
    pub spent: i64,
    pub disclosure_id: Option<i64>,
    pub note: String,
    pub done: bool,
}

/// A milestone of a funded project; spending can cite a published disclosure.
pub fn add_milestone(
    tx: &Transaction,
    r: &Round,
    project: i64,
    m: &NewMilestone,
) -> Result<(), Error> {
    let funded: Option<bool> = tx
        .query_row(
            "SELECT funded FROM round_projects WHERE id = ?1 AND round_id = ?2",
            params![project, r.id],
            |x| x.get(0),
        )
        .optional()?;
    match funded {
        None => return Err(Error::NotFound),
        Some(false) => {
            return Err(Error::Conflict(Msg::new(
                "只有获得资助的项目才有进度",
                "only funded projects have milestones",
            )));
        }
        Some(true) => {}
    }
    if let Some(d) = m.disclosure_id {
        let ok: i64 = tx.query_row(
            "SELECT count(*) FROM disclosures WHERE id = ?1 AND community_id = ?2 AND published_rev IS NOT NULL",
            params![d, r.community_id],
            |x| x.get(0),
        )?;
        if ok == 0 {
            return Err(Error::Invalid(Msg::new(
                format!("公开编号 {d} 不存在或尚未公开"),
                format!("disclosure {d} does not exist or is not published"),
            )));
        }
    }
    tx.execute(
        "INSERT INTO round_milestones (project_id, title, due, spent, disclosure_id, note, done_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            project,
            m.title,
            m.due,
            m.spent,
            m.disclosure_id,
            m.note,
            m.done.then(now),
            now()
        ],
    )?;
    Ok(())
}

pub fn set_progress(
    tx: &Transaction,
    r: &Round,
    project: i64,
    progress: &str,
) -> Result<(), Error> {
    let n = tx.execute(
        "UPDATE round_projects SET progress = ?3 WHERE id = ?1 AND round_id = ?2 AND funded = 1",
        params![project, r.id, progress],
    )?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}
