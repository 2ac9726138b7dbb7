//! The audit log: who did what, when, from where. Written in the same
//! transaction as the change it records, so neither exists without the other.

use crate::error::Error;
use rusqlite::{Connection, Transaction, params};

/// Who is acting: an account (or nobody, for a failed login) and an address.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub login: String,
    pub ip: String,
}

impl Actor {
    pub fn system(what: &str) -> Self {
        Actor {
            account_id: None,
            login: format!("system:{what}"),
            ip: "-".into(),
        }
    }
}

pub fn record(
    tx: &Transaction,
    actor: &Actor,
    community_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), Error> {
    tx.prepare_cached(
        "INSERT INTO audit_log (community_id, account_id, actor, at, ip, action, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        community_id,
        actor.account_id,
        actor.login,
        super::now(),
        actor.ip,
        action,
        target,
        detail
    ])?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub page: usize,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

pub const PAGE: usize = 50;

/// One page of a community's log, newest first, and whether more follow.
pub fn list(conn: &Connection, community_id: i64, f: &Filter) -> Result<(Vec<Entry>, bool), Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, ip, action, target, detail FROM audit_log
         WHERE community_id = ?1
           AND (?2 IS NULL OR action LIKE ?2 || '%')
           AND (?3 IS NULL OR actor = ?3)
           AND (?4 IS NULL OR at >= ?4)
           AND (?5 IS NULL OR at < ?5)
         ORDER BY id DESC LIMIT ?6 OFFSET ?7",
    )?;
    let rows = stmt
        .query_map(
            params![
                community_id,
                f.action,
                f.actor,
                f.from,
                f.to,
                (PAGE + 1) as i64,
                (f.page * PAGE) as i64
            ],
            |r| {
                Ok(Entry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    ip: r.get(3)?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    detail: r.get(6)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let more = rows.len() > PAGE;
    Ok((rows.into_iter().take(PAGE).collect(), more))
}

/// The distinct action names used in a community, for the filter's choices.
pub fn actions(conn: &Connection, community_id: i64) -> Result<Vec<String>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT action FROM audit_log WHERE community_id = ?1 ORDER BY action",
    )?;
    let v = stmt
        .query_map([community_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(v)
}
