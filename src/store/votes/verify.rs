//! `teahouse verify`'s check that a vote's ledger entries still match its rows.

use super::{ballots_digest, electorate_digest, get};
use crate::domain::ledger::{Broken, Entry};
use crate::domain::vote_export;
use crate::error::Error;
use crate::store::vote_files::{Form, export};
use rusqlite::Connection;
use serde_json::Value;

/// Does a ledger entry still match the records it speaks for?
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    let Some(id) = e
        .subject
        .strip_prefix("vote:")
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return Ok(None);
    };
    let broken = |zh: String, en: String| Ok(Some(Broken { seq: e.seq, zh, en }));
    let v = match get(conn, community_id, id) {
        Ok(v) => v,
        Err(Error::NotFound) => {
            return broken(
                format!("第 {} 条记录所说的表决 {id} 不见了", e.seq),
                format!("entry {}: vote {id} is gone", e.seq),
            );
        }
        Err(err) => return Err(err),
    };
    // Objections, answers and finals are checked by `objections::check_entry`.
    if !matches!(e.kind.as_str(), "vote.opened" | "vote.closed") {
        return Ok(None);
    }
    let export = export(conn, &v, Form::Ledger)?;
    let words = if e.kind == "vote.opened" {
        changed_since_opening(conn, community_id, e, &v, &export).map(|(zh, en)| {
            (
                format!(
                    "第 {} 条记录：表决“{}”的{zh}在开始后被改动过",
                    e.seq, v.title
                ),
                format!(
                    "entry {}: the {en} of vote \"{}\" changed after it opened",
                    e.seq, v.title
                ),
            )
        })
    } else {
        closing_differs(conn, e, &v, &export)?
    };
    match words {
        Some((zh, en)) => broken(zh, en),
        None => Ok(None),
    }
}

/// What no longer matches the opening entry: the electorate, the options or
/// the attachments (in Chinese and English).
fn changed_since_opening(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
    v: &super::Vote,
    export: &vote_export::VoteExport,
) -> Option<(&'static str, &'static str)> {
    if e.payload["electorate_hash"].as_str() != Some(electorate_digest(export).as_str()) {
        return Some(("选民名单", "electorate"));
    }
    if e.payload["options"] != serde_json::to_value(&v.options).unwrap_or(Value::Null) {
        return Some(("选项", "options"));
    }
    let attachments_changed = e.payload.get("attachments").is_some_and(|a| {
        crate::store::attachments::digest_list(conn, community_id, &e.subject)
            .map(|now| &now != a)
            .unwrap_or(true)
    });
    attachments_changed.then_some(("附件", "attachments"))
}

/// What no longer matches the closing entry: the ballots, the count file,
/// the published result or a recount; the whole sentence in both languages.
fn closing_differs(
    conn: &Connection,
    e: &Entry,
    v: &super::Vote,
    export: &vote_export::VoteExport,
) -> Result<Option<(String, String)>, Error> {
    if e.payload["ballots_hash"].as_str() != Some(ballots_digest(export).as_str()) {
        return Ok(Some((
            format!(
                "第 {} 条记录：表决“{}”的选票在结束后被改动过",
                e.seq, v.title
            ),
            format!(
                "entry {}: the ballots of vote \"{}\" changed after it closed",
                e.seq, v.title
            ),
        )));
    }
    if let Some(h) = e.payload.get("export_sha256").and_then(Value::as_str)
        && crate::store::vote_files::export_sha256(conn, v)? != h
    {
        return Ok(Some((
            format!(
                "第 {} 条记录：表决“{}”的计票文件与结束时记录的哈希不符",
                e.seq, v.title
            ),
            format!(
                "entry {}: the count file of vote \"{}\" differs from the hash recorded at closing",
                e.seq, v.title
            ),
        )));
    }
    let published = serde_json::to_value(&v.result).unwrap_or(Value::Null);
    if published != e.payload["result"] {
        return Ok(Some((
            format!("第 {} 条记录：表决“{}”公布的结果与记录不符", e.seq, v.title),
            format!(
                "entry {}: the published result of vote \"{}\" differs from the ledger",
                e.seq, v.title
            ),
        )));
    }
    let recount = vote_export::recount(export).map_err(Error::Invalid)?;
    if serde_json::to_value(&recount).unwrap_or(Value::Null) != e.payload["result"] {
        return Ok(Some((
            format!("第 {} 条记录：重新计票的结果与记录不符", e.seq),
            format!(
                "entry {}: a recount differs from the recorded result",
                e.seq
            ),
        )));
    }
    Ok(None)
}
