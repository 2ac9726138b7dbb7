//! `teahouse verify`'s check of a round's published result against a recount.

use super::{ballots_digest, election, get};
use crate::domain::ledger::{Broken, Entry};
use crate::domain::pb_rules::Rule;
use crate::error::Error;
use rusqlite::Connection;
use serde_json::json;

/// Checks a round's published result against its ballots and the rule.
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    if e.kind != "round.results" {
        return Ok(None);
    }
    let id = e.payload["round"].as_i64().unwrap_or(-1);
    let broken = |zh: &str, en: &str| {
        Ok(Some(Broken {
            seq: e.seq,
            zh: format!("第 {} 条记录：公益创投第 {id} 轮{zh}", e.seq),
            en: format!("entry {}: round {id} {en}", e.seq),
        }))
    };
    let Ok(r) = get(conn, community_id, id) else {
        return broken("不见了", "is gone");
    };
    let (_, inst, voters) = election(conn, &r)?;
    if e.payload["ballots_sha256"].as_str() != Some(ballots_digest(&inst, &voters).as_str()) {
        return broken("的选票被改动过", "ballots were altered");
    }
    let rule = Rule::parse(e.payload["rule"].as_str().unwrap_or("")).unwrap_or(r.rule);
    let selected: Vec<String> = rule
        .select(&inst)
        .iter()
        .map(|&p| inst.ids[p].clone())
        .collect();
    if e.payload["selected"] != json!(selected) {
        return broken(
            "的结果与重新计票不一致",
            "result differs from a recount of its ballots",
        );
    }
    Ok(None)
}
