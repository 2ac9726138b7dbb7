//! The checks beyond comparing documents: entries of earlier formats,
//! values an entry states that are computed from rows, revisions a record
//! names as published, and a counted round's ballots and outcome.

use super::Table;
use super::anchors::TableAnchors;
use super::compare::{parse, show};
use crate::domain::ledger::{Broken, Entry};
use crate::error::Error;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::HashMap;

/// A check of entries written before row documents.
pub(super) type Legacy = fn(&Connection, i64, &Entry) -> Result<Option<Broken>, Error>;

pub(super) fn legacy_checks(kind: &str) -> &'static [Legacy] {
    use crate::store::{deliberations, disclosures, objections, proposals, rounds, votes};
    fn objection(c: &Connection, _: i64, e: &Entry) -> Result<Option<Broken>, Error> {
        objections::check_entry(c, e)
    }
    match kind.split('.').next().unwrap_or("") {
        "proposal" => &[proposals::check_entry],
        "round" => &[rounds::check_entry],
        "vote" => &[objection, votes::check_entry],
        "disclosure" => &[disclosures::check_entry],
        "minutes" | "action" => &[deliberations::check_entry],
        _ => &[],
    }
}

/// What an entry states beyond its rows, recomputed by the function that
/// built it (`votes::closed_derived` for a closing).
pub(super) fn derived_check(
    conn: &Connection,
    community: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    if e.kind != "vote.closed" {
        return Ok(None);
    }
    let Some(id) = e
        .subject
        .strip_prefix("vote:")
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return Ok(None);
    };
    let v = match crate::store::votes::get(conn, community, id) {
        Ok(v) => v,
        Err(Error::NotFound) => return Ok(None),
        Err(err) => return Err(err),
    };
    let now = crate::store::votes::closed_derived(conn, &v)?;
    let Some(m) = now.as_object() else {
        return Ok(None);
    };
    for (k, want) in m {
        if e.payload.get(k) != Some(want) {
            return Ok(Some(Broken {
                seq: e.seq,
                zh: format!(
                    "第 {} 条记录：表决 [{id}] 的 {k} 与现在由记录算出的不符（原为 {}，现为 {}）",
                    e.seq,
                    show(e.payload.get(k)),
                    show(Some(want))
                ),
                en: format!(
                    "entry {}: {k} of vote [{id}] differs from what its rows give now (was {}, now {})",
                    e.seq,
                    show(e.payload.get(k)),
                    show(Some(want))
                ),
            }));
        }
    }
    Ok(None)
}

/// A record that points at one of its revisions as the published one must
/// point at a published revision that the ledger anchors (`(table, column,
/// revisions table)`).
pub(super) const POINTERS: &[(&str, &str, &str)] = &[
    ("disclosures", "published_rev", "disclosure_revisions"),
    ("deliberations", "published_rev", "minutes_revisions"),
];

/// The latest anchor of every row, by table (foldhash: a handful of names).
pub(super) type Anchors = HashMap<&'static str, TableAnchors, foldhash::fast::RandomState>;

pub(super) fn pointer_check(
    t: &Table,
    key: &str,
    doc: &str,
    seq: i64,
    anchored: &Anchors,
    current: &HashMap<&'static str, std::collections::HashSet<String>>,
) -> Option<Broken> {
    let (_, column, revs) = POINTERS.iter().find(|(n, _, _)| *n == t.name)?;
    let rev = parse(doc).get(*column).and_then(Value::as_i64)?;
    let id = parse(key).get(0).and_then(Value::as_i64)?;
    let k = serde_json::json!([id, rev]).to_string();
    let ok = current.get(revs).is_some_and(|s| s.contains(&k))
        && anchored.get(revs).is_some_and(|m| m.contains_key(&k));
    (!ok).then(|| Broken {
        seq,
        zh: format!(
            "第 {seq} 条记录：{}的 {column} 指向第 {rev} 版，但这一版没有公开或不在账本里",
            t.name_zh(&parse(key))
        ),
        en: format!(
            "entry {seq}: {column} of the {} names revision {rev}, which is not published or not in the ledger",
            t.name_en(&parse(key))
        ),
    })
}

/// A counted round's ballots against the SHA-256 its stored result states.
pub(super) fn round_ballots(
    conn: &Connection,
    community: i64,
    key: &str,
    doc: &str,
    seq: Option<i64>,
) -> Result<Option<Broken>, Error> {
    let d = parse(doc);
    let Some(result) = d.get("result").and_then(Value::as_str).map(parse) else {
        return Ok(None);
    };
    let Some(id) = parse(key).get(0).and_then(Value::as_i64) else {
        return Ok(None);
    };
    let seq = seq.unwrap_or(0);
    let r = crate::store::rounds::get(conn, community, id)?;
    let (_, inst, voters) = crate::store::rounds::election(conn, &r)?;
    let now = crate::store::rounds::ballots_digest(&inst, &voters);
    let stated = result
        .get("ballots_sha256")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if now == stated {
        // The outcome it states, recounted from those ballots.
        let rule = result
            .get("rule")
            .and_then(Value::as_str)
            .and_then(crate::domain::pb_rules::Rule::parse)
            .unwrap_or(r.rule);
        let selected: Vec<Value> = rule
            .select(&inst)
            .iter()
            .filter_map(|&p| inst.ids.get(p).map(|c| Value::String(c.clone())))
            .collect();
        let selected = Value::Array(selected);
        if result.get("selected") == Some(&selected) {
            return Ok(None);
        }
        return Ok(Some(Broken {
            seq,
            zh: format!(
                "第 {seq} 条记录：微创投轮次 [{id}]（rounds）所载的入选项目与按其选票重新计票的结果不符（原为 {}，重新计票为 {selected}）",
                show(result.get("selected")),
            ),
            en: format!(
                "entry {seq}: the projects round [{id}] (rounds) states as selected differ from a recount of its ballots (was {}, recount {selected})",
                show(result.get("selected")),
            ),
        }));
    }
    Ok(Some(Broken {
        seq,
        zh: format!(
            "第 {seq} 条记录：微创投轮次 [{id}]（rounds）的选票与其结果所载的 ballots_sha256 不符（原为 {}，现为 {}）",
            show(Some(&Value::String(stated.clone()))),
            show(Some(&Value::String(now.clone())))
        ),
        en: format!(
            "entry {seq}: the ballots of round [{id}] (rounds) differ from the ballots_sha256 its result states (was {}, now {})",
            show(Some(&Value::String(stated))),
            show(Some(&Value::String(now)))
        ),
    }))
}
