//! Minutes as revisions: the host's draft, publishing (frozen, in the
//! ledger, its follow-up actions created) and attendees' confirmations.

use super::*;
use crate::domain::Msg;
use crate::domain::deliberation::Minutes;
use crate::domain::ledger::{self, Entry};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct Revision {
    pub rev: i64,
    pub minutes: Minutes,
    pub reason: Option<String>,
    pub published_at: Option<i64>,
}

pub fn revisions(conn: &Connection, id: i64) -> Result<Vec<Revision>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT rev, body, reason, published_at FROM minutes_revisions WHERE deliberation_id = ?1 ORDER BY rev",
    )?;
    let v = st
        .query_map([id], |r| {
            let body: String = r.get(1)?;
            Ok(Revision {
                rev: r.get(0)?,
                minutes: serde_json::from_str(&body).unwrap_or_default(),
                reason: r.get(2)?,
                published_at: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Saves the host's draft of the minutes (the working revision); the
/// meeting counts as held from then on.
pub fn save_minutes(
    tx: &Transaction,
    d: &Deliberation,
    m: &Minutes,
    reason: Option<&str>,
    by: i64,
) -> Result<i64, Error> {
    if d.starts_at > crate::store::now() {
        return Err(Error::Conflict(Msg::new(
            "议事会还没有开始，不能写纪要",
            "the meeting has not started yet; minutes come after",
        )));
    }
    let body = serde_json::to_string(m).unwrap_or_default();
    let working: Option<i64> = tx
        .query_row(
            "SELECT rev FROM minutes_revisions WHERE deliberation_id = ?1 AND published_at IS NULL",
            [d.id],
            |r| r.get(0),
        )
        .optional()?;
    let rev = match working {
        Some(rev) => {
            tx.execute(
                "UPDATE minutes_revisions SET body = ?3 WHERE deliberation_id = ?1 AND rev = ?2",
                params![d.id, rev, body],
            )?;
            rev
        }
        None => {
            let next = d.published_rev.unwrap_or(0) + 1;
            if next > 1 && reason.is_none_or(|r| r.trim().is_empty()) {
                return Err(Error::Invalid(Msg::new(
                    "已公开的纪要只能修订：请写明修订原因",
                    "published minutes are amended, not edited: give the reason",
                )));
            }
            tx.execute(
                "INSERT INTO minutes_revisions (deliberation_id, rev, body, reason, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![d.id, next, body, reason.map(str::trim), by, crate::store::now()],
            )?;
            next
        }
    };
    if d.status == Status::Planned {
        tx.execute(
            "UPDATE deliberations SET status = 'held' WHERE id = ?1",
            [d.id],
        )?;
    }
    Ok(rev)
}

/// What the ledger fixes of published minutes.
pub fn minutes_hash(d: &Deliberation, m: &Minutes) -> String {
    ledger::digest(
        &json!({"deliberation": d.id, "title": d.title, "place": d.place_label, "starts_at": d.starts_at, "minutes": m}),
    )
}

/// Publishes the working revision: frozen, in the ledger, and its new
/// follow-up actions created.
pub fn publish(tx: &Transaction, d: &Deliberation) -> Result<Entry, Error> {
    let Some(w) = revisions(tx, d.id)?
        .into_iter()
        .find(|r| r.published_at.is_none())
    else {
        return Err(Error::Conflict(Msg::new(
            "没有待公开的纪要",
            "there are no draft minutes to publish",
        )));
    };
    let now = crate::store::now();
    tx.execute(
        "UPDATE minutes_revisions SET published_at = ?3 WHERE deliberation_id = ?1 AND rev = ?2",
        params![d.id, w.rev, now],
    )?;
    tx.execute(
        "UPDATE deliberations SET status = 'published', published_rev = ?2 WHERE id = ?1",
        params![d.id, w.rev],
    )?;
    for item in &w.minutes.items {
        for a in &item.actions {
            tx.execute(
                "INSERT INTO actions (community_id, deliberation_id, item_id, title, owner, due, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (deliberation_id, item_id, title) DO UPDATE SET owner = excluded.owner, due = excluded.due",
                params![d.community_id, d.id, item.item, a.title, a.owner, a.due, now],
            )?;
        }
    }
    let attendees: i64 = tx.query_row(
        "SELECT count(*) FROM attendance WHERE deliberation_id = ?1",
        [d.id],
        |r| r.get(0),
    )?;
    let mut payload = json!({
        "deliberation": d.id,
        "rev": w.rev,
        "title": d.title,
        "place": d.place_label,
        "minutes_hash": minutes_hash(d, &w.minutes),
        "items": w.minutes.items.len(),
        "attendees": attendees,
    });
    let kind = if w.rev > 1 {
        payload["reason"] = json!(w.reason);
        "minutes.amended"
    } else {
        "minutes.published"
    };
    crate::store::anchor::publish(
        tx,
        d.community_id,
        kind,
        &crate::domain::Subject::Deliberation(d.id).to_string(),
    )
}

/// An attendee confirms the published (or draft) minutes they read.
pub fn confirm(tx: &Transaction, d: &Deliberation, rev: i64, account: i64) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO minutes_confirmations (deliberation_id, rev, account_id, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![d.id, rev, account, crate::store::now()],
    )?;
    Ok(())
}

pub fn confirmations(conn: &Connection, id: i64) -> Result<Vec<(i64, String)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT c.rev, a.display_name FROM minutes_confirmations c JOIN accounts a ON a.id = c.account_id
         WHERE c.deliberation_id = ?1 ORDER BY c.at",
    )?;
    let v = st
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}
