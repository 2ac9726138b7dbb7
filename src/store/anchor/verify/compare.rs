//! Comparing documents: what differs, in words; what a later document of
//! a row may not change; whether a row as stored still says what its
//! entry says.

use super::super::{Table, tables};
use crate::domain::ledger::Broken;
use crate::error::Error;
use rusqlite::Connection;
use serde_json::{Map, Value};

pub(super) fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

pub(super) fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "∅".into(),
        Some(Value::String(s)) => {
            let s: String = s.chars().take(80).collect();
            format!("“{s}”")
        }
        Some(other) => other.to_string(),
    }
}

/// The fields that differ between two documents, in words.
pub(super) fn differences(
    t: &Table,
    key: &Value,
    seq: i64,
    was: &Value,
    now: &Value,
    how: How,
) -> Broken {
    let empty = Map::new();
    let a = was.as_object().unwrap_or(&empty);
    let b = now.as_object().unwrap_or(&empty);
    let mut diff: Vec<&String> = a.keys().filter(|f| a.get(*f) != b.get(*f)).collect();
    diff.extend(b.keys().filter(|f| {
        !a.contains_key(*f) && !tables::ADDED.iter().any(|(tn, c)| *tn == t.name && c == f)
    }));
    let zh_list: Vec<String> = diff
        .iter()
        .take(3)
        .map(|f| format!("{f} 原为 {}，现为 {}", show(a.get(*f)), show(b.get(*f))))
        .collect();
    let en_list: Vec<String> = diff
        .iter()
        .take(3)
        .map(|f| format!("{f} was {}, now {}", show(a.get(*f)), show(b.get(*f))))
        .collect();
    let more_zh = if diff.len() > 3 {
        format!("（另有 {} 处）", diff.len() - 3)
    } else {
        String::new()
    };
    let more_en = if diff.len() > 3 {
        format!(" (and {} more)", diff.len() - 3)
    } else {
        String::new()
    };
    let (zh, en) = match how {
        How::Stored => (
            format!(
                "第 {seq} 条记录所载的{}已被改动：{}{more_zh}",
                t.name_zh(key),
                zh_list.join("；")
            ),
            format!(
                "entry {seq}: the {} it anchors was altered: {}{more_en}",
                t.name_en(key),
                en_list.join("; ")
            ),
        ),
        How::Reanchored(prev) => (
            format!(
                "第 {seq} 条记录重新登记的{}改动了不可更改的内容（与第 {prev} 条相比）：{}{more_zh}",
                t.name_zh(key),
                zh_list.join("；")
            ),
            format!(
                "entry {seq} anchors the {} again with fields that may not change (compared with entry {prev}): {}{more_en}",
                t.name_en(key),
                en_list.join("; ")
            ),
        ),
    };
    Broken { seq, zh, en }
}

#[derive(Clone, Copy)]
pub(super) enum How {
    /// The row as stored differs from the entry.
    Stored,
    /// A later entry changed frozen fields (the earlier entry's seq).
    Reanchored(i64),
}

/// Of a re-anchored document, only the fields that may not change.
pub(super) fn frozen_part(t: &Table, d: &Value) -> Value {
    let mut m = d.as_object().cloned().unwrap_or_default();
    m.retain(|k, _| !t.changing.contains(&k.as_str()));
    Value::Object(m)
}

/// Does a later document of a row change what may not change? A field it
/// leaves out counts as changed; a hash taken later (the ballots, at
/// closing) may be set once, never taken back; once the row was sealed (an
/// answer given) nothing may change at all.
pub(super) fn frozen_change(
    conn: &Connection,
    t: &Table,
    was: &Value,
    now: &Value,
) -> Result<bool, Error> {
    let (Some(a), Some(b)) = (was.as_object(), now.as_object()) else {
        return Ok(was != now);
    };
    if a.keys().any(|k| !b.contains_key(k)) {
        return Ok(true);
    }
    if sealed(conn, t, was)? && a != b {
        return Ok(true);
    }
    Ok(a.iter().any(|(k, v)| {
        let hashed_later = t.hashed.iter().any(|(f, _)| f == k) && v.is_null();
        !t.changing.contains(&k.as_str()) && !hashed_later && b.get(k) != Some(v)
    }))
}

/// What a message about a re-anchored row shows: the fields that may not
/// change, or every field once the earlier document was sealed.
pub(super) fn shown(conn: &Connection, t: &Table, d: &Value) -> Result<Value, Error> {
    Ok(if sealed(conn, t, d)? {
        d.clone()
    } else {
        frozen_part(t, d)
    })
}

/// Did this document describe a sealed row? (The table's `sealed` SQL,
/// asked of the document.)
pub(super) fn sealed(conn: &Connection, t: &Table, doc: &Value) -> Result<bool, Error> {
    if t.sealed == "0" {
        return Ok(false);
    }
    let mut q = String::new();
    let mut rest = t.sealed;
    while let Some(i) = rest.find("{r}.") {
        q.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        q.push_str(&format!("json_extract(?1, '$.{}')", &after[..end]));
        rest = &after[end..];
    }
    q.push_str(rest);
    let text = crate::domain::ledger::canonical(doc);
    Ok(conn
        .prepare_cached(&format!("SELECT coalesce(({q}), 0)"))?
        .query_row([text], |r| r.get::<_, bool>(0))
        .unwrap_or(false))
}

/// Does the row as stored still say what the entry says? A column added by
/// a later migration is not in older entries, and is not held against them.
pub(super) fn same(t: &Table, anchored: &Value, now: &Value) -> bool {
    match (anchored.as_object(), now.as_object()) {
        (Some(a), Some(b)) => {
            a.iter().all(|(k, v)| b.get(k) == Some(v))
                && b.keys().all(|k| {
                    a.contains_key(k) || tables::ADDED.iter().any(|(tn, c)| *tn == t.name && c == k)
                })
        }
        _ => anchored == now,
    }
}
