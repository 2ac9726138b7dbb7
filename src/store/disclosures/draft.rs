//! A new disclosure and changes to its working revision.

use super::*;
use crate::domain::Msg;
use crate::domain::disclosure::{Cadence, Category, Period};
use crate::error::Error;
use rusqlite::{OptionalExtension, Transaction, params};

pub struct NewDisclosure {
    pub category: Category,
    pub period: Period,
    pub title: String,
    pub explanation: String,
    pub rows: Vec<Vec<String>>,
}

pub fn create(
    tx: &Transaction,
    community_id: i64,
    n: &NewDisclosure,
    by: i64,
) -> Result<i64, Error> {
    let cad = cadence_of(tx, community_id, n.category)?;
    if !n.period.fits(cad) {
        let (z, e) = cad.words();
        return Err(Error::Invalid(Msg::new(
            format!("这一类按“{z}”公开，期间应与之相符（如 2026-03、2026-Q1、2026）"),
            format!(
                "this category is disclosed {e}; the period must match (e.g. 2026-03, 2026-Q1, 2026)"
            ),
        )));
    }
    if cad != Cadence::Prompt {
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM disclosures WHERE community_id = ?1 AND category = ?2 AND period = ?3",
                params![community_id, n.category.as_str(), n.period.key()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = exists {
            return Err(Error::Conflict(Msg::new(
                format!("这一期已有公开（编号 {id}）；如需更改，请在那一项上“更正”"),
                format!(
                    "this period already has a disclosure (no. {id}); to change it, correct that one"
                ),
            )));
        }
    }
    let now = crate::store::now();
    tx.execute(
        "INSERT INTO disclosures (community_id, category, period, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![community_id, n.category.as_str(), n.period.key(), by, now],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO disclosure_revisions (disclosure_id, rev, title, explanation, rows, created_by, created_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)",
        params![id, n.title, n.explanation, serde_json::to_string(&n.rows).unwrap_or_default(), by, now],
    )?;
    Ok(id)
}

/// Changes the working revision (in draft, or while answering queries).
pub fn edit(
    tx: &Transaction,
    d: &Disclosure,
    title: &str,
    explanation: &str,
    rows: &[Vec<String>],
) -> Result<i64, Error> {
    if !matches!(d.status, Status::Draft | Status::Queried) {
        return Err(wrong_state(
            "只有草稿或被质询时可以修改；审核中的内容请等待监督委员会意见",
            "only a draft or a queried disclosure can be edited",
        ));
    }
    let w = working(tx, d.id)?
        .ok_or_else(|| wrong_state("没有可修改的版本", "there is no revision to edit"))?;
    tx.execute(
        "UPDATE disclosure_revisions SET title = ?3, explanation = ?4, rows = ?5 WHERE disclosure_id = ?1 AND rev = ?2",
        params![d.id, w.rev, title, explanation, serde_json::to_string(rows).unwrap_or_default()],
    )?;
    Ok(w.rev)
}
