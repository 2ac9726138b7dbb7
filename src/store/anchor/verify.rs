//! `verify`: the chain, then every published row against the latest entry
//! that anchored it, by rebuilding the row's document with the same
//! function that anchored it ([`super::doc`]). Nothing is compared by hand:
//! a record kind is checked because it is in [`super::tables::TABLES`].
//!
//! Entries written before row documents (no `"v": 2`) are checked as they
//! always were, by their area's own check.

use super::{Table, is_current, rows_of, tables};
use crate::domain::ledger::{self, Broken, Entry};
use crate::error::Error;
use crate::store::ledger::entries;
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What verification found for one community.
#[derive(Debug, Clone)]
pub struct Report {
    pub community: String,
    pub entries: usize,
    /// The first problem, by entry.
    pub broken: Option<Broken>,
    /// How many problems in all.
    pub problems: usize,
    /// Every problem, by entry.
    pub all: Vec<Broken>,
    /// The head that was verified (seq, hash), when everything held.
    pub head: Option<(i64, String)>,
}

/// A check of entries written before row documents.
type Legacy = fn(&Connection, i64, &Entry) -> Result<Option<Broken>, Error>;

fn legacy_checks(kind: &str) -> &'static [Legacy] {
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

fn show(v: Option<&Value>) -> String {
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
fn differences(t: &Table, key: &Value, seq: i64, was: &Value, now: &Value, how: How) -> Broken {
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
enum How {
    /// The row as stored differs from the entry.
    Stored,
    /// A later entry changed frozen fields (the earlier entry's seq).
    Reanchored(i64),
}

/// Of a re-anchored document, only the fields that may not change.
fn frozen_part(t: &Table, d: &Value) -> Value {
    let mut m = d.as_object().cloned().unwrap_or_default();
    m.retain(|k, _| !t.changing.contains(&k.as_str()));
    Value::Object(m)
}

/// Does a later document of a row change what may not change? A field it
/// leaves out counts as changed; a hash taken later (the ballots, at
/// closing) may be set once, never taken back; once the row was sealed (an
/// answer given) nothing may change at all.
fn frozen_change(conn: &Connection, t: &Table, was: &Value, now: &Value) -> Result<bool, Error> {
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
fn shown(conn: &Connection, t: &Table, d: &Value) -> Result<Value, Error> {
    Ok(if sealed(conn, t, d)? {
        d.clone()
    } else {
        frozen_part(t, d)
    })
}

/// Did this document describe a sealed row? (The table's `sealed` SQL,
/// asked of the document.)
fn sealed(conn: &Connection, t: &Table, doc: &Value) -> Result<bool, Error> {
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
fn same(t: &Table, anchored: &Value, now: &Value) -> bool {
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

/// The documents of every published row of a table in one community.
pub fn current_docs(
    conn: &Connection,
    t: &Table,
    community: i64,
) -> Result<Vec<(String, Value)>, Error> {
    Ok(super::docs_of(conn, t, community)?
        .into_iter()
        .map(|(k, d)| (k, parse(&d)))
        .collect())
}

struct Anchored {
    seq: i64,
    key: Value,
    doc: Value,
}

/// Checks entries (the chain from `prev`, then each entry's own checks)
/// and collects the latest document of each row they anchor.
fn walk(
    conn: &Connection,
    community: i64,
    es: &[Entry],
    problems: &mut Vec<Broken>,
) -> Result<HashMap<(&'static str, String), Anchored>, Error> {
    let mut latest: HashMap<(&'static str, String), Anchored> = HashMap::new();
    for e in es {
        if !is_current(e) {
            for check in legacy_checks(&e.kind) {
                if let Some(b) = check(conn, community, e)? {
                    problems.push(b);
                    break;
                }
            }
            continue;
        }
        if e.kind == "vote.closed"
            && let Some(b) = derived_check(conn, community, e)?
        {
            problems.push(b);
        }
        for (name, key, d) in rows_of(e) {
            let Some(t) = super::table(name) else {
                problems.push(Broken {
                    seq: e.seq,
                    zh: format!("第 {} 条记录登记了未知的表 {name}", e.seq),
                    en: format!("entry {} anchors an unknown table {name}", e.seq),
                });
                continue;
            };
            let k = key.to_string();
            if let Some(prev) = latest.get(&(t.name, k.clone()))
                && frozen_change(conn, t, &prev.doc, d)?
            {
                problems.push(differences(
                    t,
                    key,
                    e.seq,
                    &shown(conn, t, &prev.doc)?,
                    &shown(conn, t, d)?,
                    How::Reanchored(prev.seq),
                ));
            }
            latest.insert(
                (t.name, k),
                Anchored {
                    seq: e.seq,
                    key: key.clone(),
                    doc: d.clone(),
                },
            );
        }
    }
    Ok(latest)
}

/// Has this database been opened by a version that anchors rows?
fn upgraded(conn: &Connection) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'anchor_queue'",
        )?
        .exists([])?)
}

#[derive(serde::Deserialize)]
struct RawPayload<'a> {
    v: Option<i64>,
    #[serde(borrow)]
    rows: Option<Vec<RawRow<'a>>>,
}

#[derive(serde::Deserialize)]
struct RawRow<'a> {
    #[serde(borrow)]
    table: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    key: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    doc: &'a serde_json::value::RawValue,
}

/// A row's latest anchor, its document kept as the canonical text stored.
struct AnchoredText {
    seq: i64,
    key: String,
    doc: String,
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// What an entry states beyond its rows, recomputed by the function that
/// built it (`votes::closed_derived` for a closing).
fn derived_check(conn: &Connection, community: i64, e: &Entry) -> Result<Option<Broken>, Error> {
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
const POINTERS: &[(&str, &str, &str)] = &[
    ("disclosures", "published_rev", "disclosure_revisions"),
    ("deliberations", "published_rev", "minutes_revisions"),
];

type Anchors = HashMap<&'static str, HashMap<String, AnchoredText>>;

fn pointer_check(
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
fn round_ballots(
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

/// Full verification of one community: the chain, every entry, and every
/// published row against the entry that anchored it last. Entries are read
/// as stored: the chain is hashed over the stored payload text, and a
/// document is compared as the canonical text it was anchored as.
pub fn verify_community(conn: &Connection, id: i64, slug: String) -> Result<Report, Error> {
    let mut problems = Vec::new();
    let mut latest: HashMap<&'static str, HashMap<String, AnchoredText>> = HashMap::new();
    // Entries of earlier formats, and closings (whose file hash is checked
    // too), kept whole for their checks after the walk.
    let mut whole: Vec<crate::store::ledger::Stored> = Vec::new();
    let mut prev = ledger::GENESIS.to_string();
    let mut n = 0usize;
    let mut last: Option<(i64, String)> = None;
    let mut st = conn.prepare_cached(
        "SELECT seq, at, kind, subject, payload, prev, hash FROM ledger WHERE community_id = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query([id])?;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let at: i64 = r.get(1)?;
        let text = |i: usize| -> Result<&str, Error> {
            r.get_ref(i)?
                .as_str()
                .map_err(|e| Error::Internal(format!("entry {seq}: {e}")))
        };
        let (kind, subject, payload, p, hash) = (text(2)?, text(3)?, text(4)?, text(5)?, text(6)?);
        n += 1;
        let want = n as i64;
        let bad = if seq != want {
            Some((
                format!("第 {want} 条记录缺失或顺序被改动（看到的是第 {seq} 条）"),
                format!("entry {want} is missing or out of order (found {seq})"),
            ))
        } else if p != prev {
            Some((
                format!("第 {seq} 条记录没有接上前一条"),
                format!("entry {seq} does not link to the previous one"),
            ))
        } else if !ledger::envelope_matches(&slug, seq, at, kind, subject, payload, p, hash) {
            Some((
                format!("第 {seq} 条记录的内容与其哈希不符：它被改过"),
                format!("entry {seq}'s content does not match its hash: it was altered"),
            ))
        } else {
            None
        };
        if let Some((zh, en)) = bad {
            return Ok(report_of(
                slug,
                n,
                Some((seq, hash.to_string())),
                vec![Broken { seq, zh, en }],
            ));
        }
        prev.clear();
        prev.push_str(hash);
        let parsed = match serde_json::from_str::<RawPayload>(payload) {
            Ok(pl) if pl.v == Some(super::VERSION) => Some(pl.rows.unwrap_or_default()),
            _ => None,
        };
        if parsed.is_none() || kind == "vote.closed" {
            whole.push(crate::store::ledger::Stored {
                seq,
                at,
                kind: kind.to_string(),
                subject: subject.to_string(),
                payload: payload.to_string(),
                prev: p.to_string(),
                hash: hash.to_string(),
            });
        }
        for row in parsed.unwrap_or_default() {
            let Some(t) = super::table(&row.table) else {
                problems.push(Broken {
                    seq,
                    zh: format!("第 {seq} 条记录登记了未知的表 {}", row.table),
                    en: format!("entry {seq} anchors an unknown table {}", row.table),
                });
                continue;
            };
            let k = row.key.get();
            let d = row.doc.get();
            let of_table = latest.entry(t.name).or_default();
            match of_table.get_mut(k) {
                Some(a) => {
                    if a.doc != d {
                        let (was, now) = (parse(&a.doc), parse(d));
                        if frozen_change(conn, t, &was, &now)? {
                            problems.push(differences(
                                t,
                                &parse(k),
                                seq,
                                &shown(conn, t, &was)?,
                                &shown(conn, t, &now)?,
                                How::Reanchored(a.seq),
                            ));
                        }
                        a.doc.clear();
                        a.doc.push_str(d);
                    }
                    a.seq = seq;
                }
                None => {
                    of_table.insert(
                        k.to_string(),
                        AnchoredText {
                            seq,
                            key: k.to_string(),
                            doc: d.to_string(),
                        },
                    );
                }
            }
        }
        last = Some((seq, hash.to_string()));
    }
    drop(rows);
    for e in &whole {
        let entry = e.entry(&slug);
        if super::is_current(&entry) {
            if let Some(b) = derived_check(conn, id, &entry)? {
                problems.push(b);
            }
            continue;
        }
        for check in legacy_checks(&entry.kind) {
            if let Some(b) = check(conn, id, &entry)? {
                problems.push(b);
                break;
            }
        }
    }
    let es_len = n;
    // A database from before row documents (not yet opened by this
    // version) is checked by its entries alone, as it always was.
    if !upgraded(conn)? {
        return Ok(report_of(slug, es_len, last, problems));
    }
    let head = last.as_ref().map(|l| l.0).unwrap_or(0);
    // The rows published now, table by table (for the pointer checks too).
    let mut docs: Vec<(&'static Table, Vec<(String, String)>)> = Vec::new();
    for t in tables::TABLES {
        docs.push((t, super::docs_of(conn, t, id)?));
    }
    let current: HashMap<&'static str, std::collections::HashSet<String>> = docs
        .iter()
        .map(|(t, d)| (t.name, d.iter().map(|(k, _)| k.clone()).collect()))
        .collect();
    for (t, d) in &docs {
        for (k, now) in d {
            if let Some(seq) = latest.get(t.name).and_then(|m| m.get(k)).map(|a| a.seq)
                && let Some(b) = pointer_check(t, k, now, seq, &latest, &current)
            {
                problems.push(b);
            }
        }
    }
    for (t, d) in docs {
        let of_table = latest.entry(t.name).or_default();
        for (k, now) in d {
            if t.name == "rounds"
                && let Some(b) =
                    round_ballots(conn, id, &k, &now, of_table.get(k.as_str()).map(|a| a.seq))?
            {
                problems.push(b);
            }
            match of_table.remove(k.as_str()) {
                None => {
                    let key = parse(&k);
                    problems.push(Broken {
                        seq: head + 1,
                        zh: format!("{}已公开，但账本里没有它的记录", t.name_zh(&key)),
                        en: format!(
                            "the {} is published but no ledger entry anchors it",
                            t.name_en(&key)
                        ),
                    });
                }
                Some(a) if a.doc != now => {
                    let (was, now) = (parse(&a.doc), parse(&now));
                    if !same(t, &was, &now) {
                        problems.push(differences(
                            t,
                            &parse(&a.key),
                            a.seq,
                            &was,
                            &now,
                            How::Stored,
                        ));
                    }
                }
                Some(_) => {}
            }
        }
    }
    // What is anchored but no longer there (deleted, or made a draft again).
    for (name, a) in latest
        .into_iter()
        .flat_map(|(n, m)| m.into_values().map(move |a| (n, a)))
    {
        if let Some(t) = super::table(name) {
            let key = parse(&a.key);
            problems.push(Broken {
                seq: a.seq,
                zh: format!("第 {} 条记录所载的{}不见了或被撤回", a.seq, t.name_zh(&key)),
                en: format!(
                    "entry {}: the {} it anchors is gone or was unpublished",
                    a.seq,
                    t.name_en(&key)
                ),
            });
        }
    }
    Ok(report_of(slug, es_len, last, problems))
}

/// Verification of what is new since a head verified before (`known`):
/// the chain from there, and the rows the new entries anchor. The public
/// ledger page runs this on every view; the full check is the CLI's and
/// the supervisors' desk's.
pub fn verify_since(
    conn: &Connection,
    id: i64,
    slug: String,
    known: Option<&(i64, String)>,
) -> Result<Report, Error> {
    let Some((seq, hash)) = known else {
        return verify_community(conn, id, slug);
    };
    let es = entries(conn, id)?;
    let start = usize::try_from(*seq).unwrap_or(usize::MAX);
    match es.get(start.wrapping_sub(1)) {
        Some(e) if e.seq == *seq && &e.hash == hash => {}
        // The head we knew is gone or changed: check everything.
        _ => return verify_community(conn, id, slug),
    }
    let new = es.get(start..).unwrap_or(&[]);
    let mut problems = Vec::new();
    if let Err(b) = ledger::verify_chain_from(new, *seq, hash) {
        return Ok(report(slug, &es, vec![b]));
    }
    let latest = walk(conn, id, new, &mut problems)?;
    for ((name, _), a) in latest {
        let Some(t) = super::table(name) else {
            continue;
        };
        match super::doc(conn, t, &a.key)? {
            Some(now) if same(t, &a.doc, &now) => {}
            Some(now) => problems.push(differences(t, &a.key, a.seq, &a.doc, &now, How::Stored)),
            None => problems.push(Broken {
                seq: a.seq,
                zh: format!(
                    "第 {} 条记录所载的{}不见了或被撤回",
                    a.seq,
                    t.name_zh(&a.key)
                ),
                en: format!(
                    "entry {}: the {} it anchors is gone or was unpublished",
                    a.seq,
                    t.name_en(&a.key)
                ),
            }),
        }
    }
    Ok(report(slug, &es, problems))
}

/// Heads verified before, per database file and community, with when the
/// last full verification ran.
type Heads = HashMap<(std::path::PathBuf, i64), ((i64, String), std::time::Instant)>;
static HEADS: std::sync::LazyLock<std::sync::Mutex<Heads>> =
    std::sync::LazyLock::new(Default::default);

/// How long the public page trusts a full verification before running one
/// again (what is new is checked on every view).
pub const FULL_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// What the public ledger page verified.
pub struct Cached {
    pub report: Report,
    /// Seconds since the last full verification (0: this view ran it).
    pub full_age: u64,
}

/// The public page's check: what is new since the head this process
/// verified last for this database and community, and everything again
/// when the last full verification is older than [`FULL_EVERY`] (so an
/// edit of an old entry or row shows within minutes, not never).
pub fn verify_cached(
    conn: &Connection,
    db: &std::path::Path,
    id: i64,
    slug: String,
) -> Result<Cached, Error> {
    let k = (db.to_path_buf(), id);
    let known = HEADS.lock().ok().and_then(|h| h.get(&k).cloned());
    let fresh = known
        .as_ref()
        .is_some_and(|(_, at)| at.elapsed() < FULL_EVERY);
    let (r, full_at) = match &known {
        Some((head, at)) if fresh => (verify_since(conn, id, slug, Some(head))?, *at),
        _ => (verify_community(conn, id, slug)?, std::time::Instant::now()),
    };
    if let Ok(mut h) = HEADS.lock() {
        match &r.head {
            Some(head) => {
                h.insert(k, (head.clone(), full_at));
            }
            None => {
                h.remove(&k);
            }
        }
    }
    Ok(Cached {
        report: r,
        full_age: full_at.elapsed().as_secs(),
    })
}

fn report(community: String, es: &[Entry], problems: Vec<Broken>) -> Report {
    let last = es.last().map(|e| (e.seq, e.hash.clone()));
    report_of(community, es.len(), last, problems)
}

fn report_of(
    community: String,
    entries: usize,
    last: Option<(i64, String)>,
    mut problems: Vec<Broken>,
) -> Report {
    problems.sort_by_key(|b| b.seq);
    let n = problems.len();
    let broken = problems.first().cloned();
    let head = if broken.is_none() { last } else { None };
    Report {
        community,
        entries,
        broken,
        problems: n,
        all: problems,
        head,
    }
}

/// Verifies every community, and every community the ledger names (a
/// community removed from its table, or renumbered, leaves its entries
/// behind: that is reported, never skipped).
pub fn verify_db(conn: &Connection) -> Result<Vec<Report>, Error> {
    let communities: Vec<(i64, String)> = conn
        .prepare("SELECT id, slug FROM communities ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let orphans: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT community_id, count(*) FROM ledger
             WHERE community_id NOT IN (SELECT id FROM communities) GROUP BY community_id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut out: Vec<Report> = communities
        .into_iter()
        .map(|(id, slug)| verify_community(conn, id, slug))
        .collect::<Result<_, _>>()?;
    for (id, n) in orphans {
        let b = Broken {
            seq: 1,
            zh: format!(
                "账本里有社区 {id} 的 {n} 条记录，但这个社区已不在数据库中（被删除或改了编号）"
            ),
            en: format!(
                "the ledger holds {n} entries of community {id}, which is no longer in the database (deleted or renumbered)"
            ),
        };
        out.push(Report {
            community: format!("#{id}"),
            entries: usize::try_from(n).unwrap_or(0),
            broken: Some(b.clone()),
            problems: 1,
            all: vec![b],
            head: None,
        });
    }
    Ok(out)
}
