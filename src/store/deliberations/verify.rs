//! Checking a ledger entry about minutes or an action against the records.

use super::*;
use crate::domain::ledger::{self, Broken, Entry};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, params};

/// Does a ledger entry about minutes or an action still match the records?
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    let broken = |zh: String, en: String| Ok(Some(Broken { seq: e.seq, zh, en }));
    match e.kind.as_str() {
        "minutes.published" | "minutes.amended" => {
            let id = e.payload["deliberation"].as_i64().unwrap_or(-1);
            let rev = e.payload["rev"].as_i64().unwrap_or(-1);
            let d = match get(conn, community_id, id) {
                Ok(d) => d,
                Err(Error::NotFound) => {
                    return broken(
                        format!("第 {} 条记录所说的议事会 {id} 不见了", e.seq),
                        format!("entry {}: deliberation {id} is gone", e.seq),
                    );
                }
                Err(err) => return Err(err),
            };
            let r = revisions(conn, id)?.into_iter().find(|r| r.rev == rev);
            if r.is_none_or(|r| {
                e.payload["minutes_hash"].as_str() != Some(minutes_hash(&d, &r.minutes).as_str())
            }) {
                return broken(
                    format!(
                        "第 {} 条记录：议事会“{}”已公开的纪要（第 {rev} 版）被改动过",
                        e.seq, d.title
                    ),
                    format!(
                        "entry {}: the published minutes of \"{}\" (revision {rev}) were altered",
                        e.seq, d.title
                    ),
                );
            }
        }
        "action.closed" => {
            let id = e.payload["action"].as_i64().unwrap_or(-1);
            let report: Option<Option<String>> = conn
                .query_row(
                    "SELECT report FROM actions WHERE id = ?1 AND community_id = ?2",
                    params![id, community_id],
                    |r| r.get(0),
                )
                .optional()?;
            if report
                .flatten()
                .map(|t| ledger::sha256_hex(t.as_bytes()))
                .as_deref()
                != e.payload["report_hash"].as_str()
            {
                return broken(
                    format!("第 {} 条记录：跟进事项的完成情况被改动过", e.seq),
                    format!(
                        "entry {}: the report of a follow-up action was altered",
                        e.seq
                    ),
                );
            }
        }
        _ => {}
    }
    Ok(None)
}
