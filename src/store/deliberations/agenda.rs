//! A meeting's agenda: the host's items, residents' suggestions and the
//! host's decision on them.

use super::*;
use crate::domain::Msg;
use crate::domain::deliberation::ItemState;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub title: String,
    pub detail: String,
    /// suggested, agenda, declined
    pub state: ItemState,
    pub suggester: Option<String>,
    pub proposal_id: Option<i64>,
}

pub fn items(conn: &Connection, id: i64) -> Result<Vec<Item>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT id, title, detail, state, suggester, proposal_id FROM agenda_items WHERE deliberation_id = ?1 ORDER BY position, id",
    )?;
    let v = st
        .query_map([id], |r| {
            Ok(Item {
                id: r.get(0)?,
                title: r.get(1)?,
                detail: r.get(2)?,
                state: code_at(r, 3)?,
                suggester: r.get(4)?,
                proposal_id: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// An agenda item: by the host (on the agenda), or suggested by a resident
/// (waiting for the host), optionally linked to a proposal.
pub fn add_item(
    tx: &Transaction,
    d: &Deliberation,
    title: &str,
    detail: &str,
    suggester: Option<(i64, &str)>,
    proposal_id: Option<i64>,
) -> Result<i64, Error> {
    not_after_meeting(d)?;
    let title = text(title, 100, "议题", "the item")?;
    if detail.chars().count() > 2000 {
        return Err(Error::Invalid(Msg::new(
            "说明最多 2000 字",
            "2000 characters at most",
        )));
    }
    let pos: i64 = tx.query_row(
        "SELECT coalesce(max(position), 0) + 1 FROM agenda_items WHERE deliberation_id = ?1",
        [d.id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO agenda_items (deliberation_id, position, title, detail, state, suggested_by, suggester, proposal_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            d.id,
            pos,
            title,
            detail.trim(),
            if suggester.is_some() {
                ItemState::Suggested
            } else {
                ItemState::Agenda
            }
            .as_str(),
            suggester.map(|s| s.0),
            suggester.map(|s| s.1),
            proposal_id,
            crate::store::now()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The host takes a suggestion onto the agenda, or declines it.
pub fn decide_item(
    tx: &Transaction,
    d: &Deliberation,
    item: i64,
    accept: bool,
) -> Result<String, Error> {
    not_after_meeting(d)?;
    tx.query_row(
        "UPDATE agenda_items SET state = ?3 WHERE id = ?1 AND deliberation_id = ?2 AND state = 'suggested' RETURNING title",
        params![
            item,
            d.id,
            if accept {
                ItemState::Agenda
            } else {
                ItemState::Declined
            }
            .as_str()
        ],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(Error::NotFound)
}
