//! One mechanism that ties every published row to the ledger.
//!
//! A row of a published table ([`tables::TABLES`]) has one document: its
//! columns as they are stored (secret ones as their SHA-256), plus the hashes
//! of the rows it stands for (a vote's ballots, say). Triggers made from the
//! same list queue every row that is published or changed while published;
//! the ledger entry written in that transaction carries the documents of the
//! queued rows (`{"v": 2, "rows": [{"table", "key", "doc"}]}`), and if a step
//! wrote no entry of its own, one is written for it when the transaction
//! ends ([`flush`]). `verify` rebuilds each row's document with the same
//! function and compares it with the latest entry that anchored it.
//!
//! Other triggers from the same list refuse, once a row is published, any
//! change to the columns that must not change, and any deletion.

mod scan;
pub mod tables;
mod triggers;
mod upgrade;
pub mod verify;

#[cfg(test)]
mod tests;

use crate::domain::ledger::{Entry, sha256_hex};
use crate::error::Error;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Transaction, params_from_iter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use scan::each_doc;
pub use triggers::install;
pub use upgrade::migration;

/// The payload version written by this mechanism.
pub const VERSION: i64 = 2;

/// One published table (see [`tables`]).
pub struct Table {
    pub name: &'static str,
    /// The kind of record, in words, for messages.
    pub zh: &'static str,
    pub en: &'static str,
    /// The columns that name a row.
    pub key: &'static [&'static str],
    /// SQL for the row's community id (`{r}` is the row).
    pub community: &'static str,
    /// SQL for the ledger subject the row belongs to.
    pub subject: &'static str,
    /// SQL: is the row published?
    pub published: &'static str,
    /// Columns that may still change once published; every change is
    /// anchored by a new entry. Everything else is frozen.
    pub changing: &'static [&'static str],
    /// SQL: once this holds, nothing of the row changes any more.
    pub sealed: &'static str,
    /// Columns anchored as their SHA-256 only.
    pub secret: &'static [&'static str],
    /// `(parent table, this table's column naming the parent's id)`: rows
    /// written while the parent was a draft are queued when it is published.
    pub parent: Option<(&'static str, &'static str)>,
    /// Fields of the document that are hashes of what the row stands for,
    /// for records anchored as a whole rather than row by row.
    pub hashed: &'static [(&'static str, Hashed)],
    /// The entry kind written for a change no named step described.
    pub kind: &'static str,
}

impl Table {
    fn key_where(&self) -> String {
        self.key
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k} = ?{}", i + 1))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn key_json(&self, r: &str) -> String {
        let cols: Vec<String> = self.key.iter().map(|k| format!("{r}.{k}")).collect();
        format!("json_array({})", cols.join(", "))
    }

    /// The record in words, e.g. "评论 [12]（proposal_comments）" /
    /// "comment [12] (proposal_comments)".
    pub fn name_zh(&self, key: &Value) -> String {
        format!("{} {}（{}）", self.zh, key, self.name)
    }

    pub fn name_en(&self, key: &Value) -> String {
        format!("{} {} ({})", self.en, key, self.name)
    }
}

/// What a hashed field of a document is the SHA-256 of.
#[derive(Debug, Clone, Copy)]
pub enum Hashed {
    /// Rows selected by SQL whose parameters `?1` … are the row's key, one
    /// canonical JSON array per row and a newline each (a vote's ballots).
    Rows(&'static str),
    /// One value selected with the row by an SQL expression of `{r}` (the
    /// name shown as its author), hashed as the one row `[value]`.
    Value(&'static str),
}

pub fn table(name: &str) -> Option<&'static Table> {
    tables::TABLES.iter().find(|t| t.name == name)
}

fn sql(template: &str, r: &str) -> String {
    template.replace("{r}", r)
}

fn json_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => json!(f),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(format!("sha256:{}", sha256_hex(b))),
    }
}

fn secret_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Text(b) | ValueRef::Blob(b) => Value::String(format!("sha256:{}", sha256_hex(b))),
        other => Value::String(format!(
            "sha256:{}",
            sha256_hex(json_of(other).to_string().as_bytes())
        )),
    }
}

fn key_params(key: &Value) -> Vec<rusqlite::types::Value> {
    key.as_array()
        .map(|a| {
            a.iter()
                .map(|v| match v {
                    Value::Number(n) => n
                        .as_i64()
                        .map(rusqlite::types::Value::Integer)
                        .unwrap_or(rusqlite::types::Value::Null),
                    Value::String(s) => rusqlite::types::Value::Text(s.clone()),
                    _ => rusqlite::types::Value::Null,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// SHA-256 over rows, one canonical JSON array per row and a newline each.
fn hash_rows(conn: &Connection, q: &str, key: &Value) -> Result<Value, Error> {
    let mut st = conn.prepare_cached(q)?;
    let n = st.column_count();
    let mut params = key_params(key);
    params.truncate(st.parameter_count());
    let mut rows = st.query(params_from_iter(params))?;
    let mut h = Sha256::new();
    let mut any = false;
    while let Some(r) = rows.next()? {
        any = true;
        let line: Vec<Value> = (0..n)
            .map(|i| r.get_ref(i).map(json_of))
            .collect::<Result<_, _>>()?;
        h.update(Value::Array(line).to_string().as_bytes());
        h.update(b"\n");
    }
    Ok(if any {
        Value::String(hex::encode(h.finalize()))
    } else {
        Value::Null
    })
}

/// The same hash as [`hash_rows`] over the one row `[value]` a
/// [`Hashed::Value`] selects (null when there is none).
fn hash_value(v: ValueRef<'_>) -> Value {
    if v == ValueRef::Null {
        return Value::Null;
    }
    let mut line = Vec::with_capacity(64);
    line.push(b'[');
    write_value(&mut line, &json_of(v));
    line.extend_from_slice(b"]\n");
    Value::String(sha256_hex(&line))
}

/// The document of one row as it is stored now, or None if there is no
/// such published row. Anchoring uses it; `verify` uses [`each_doc`], which
/// builds the same text with the same [`Layout`].
pub fn doc(conn: &Connection, t: &Table, key: &Value) -> Result<Option<Value>, Error> {
    let q = format!(
        "SELECT {}* FROM {} AS r WHERE {} AND {}",
        Layout::values_sql(t),
        t.name,
        t.key_where(),
        sql(t.published, "r")
    );
    let mut st = conn.prepare_cached(&q)?;
    let mut layout = Layout::new(t, &st, 0);
    let mut rows = st.query(params_from_iter(key_params(key)))?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let mut text = Vec::new();
    layout.write(&mut text, conn, r, key)?;
    Ok(Some(serde_json::from_slice(&text).map_err(|e| {
        Error::Internal(format!("a document is not JSON: {e}"))
    })?))
}

/// One field of a document, in the order canonical JSON sorts keys.
enum Field {
    Column {
        at: usize,
        secret: bool,
    },
    /// Rows selected by the key, hashed ([`Hashed::Rows`]).
    Rows(&'static str),
    /// One value selected with the row, hashed ([`Hashed::Value`]).
    Value(usize),
}

/// How a table's rows become documents: their columns (secret ones as their
/// SHA-256) and the hashes of the rows they stand for, written directly as
/// canonical JSON (keys sorted, no spaces), the same text
/// `domain::ledger::canonical` gives for the same values.
struct Layout {
    /// Each field with its name written before it (`{"name":`, `,"name":`).
    fields: Vec<(Vec<u8>, Field)>,
    /// Hashes of [`Hashed::Value`] values met before (an author's name is
    /// met on every comment they wrote).
    seen: std::collections::HashMap<Vec<u8>, Value>,
}

impl Layout {
    /// The [`Hashed::Value`] expressions, selected before the row's columns.
    fn values_sql(t: &Table) -> String {
        t.hashed
            .iter()
            .filter_map(|(_, h)| match h {
                Hashed::Value(e) => Some(format!("{}, ", sql(e, "r"))),
                Hashed::Rows(_) => None,
            })
            .collect()
    }

    /// `from`: where the selected values start ([`Layout::values_sql`]),
    /// the row's own columns after them.
    fn new(t: &Table, st: &rusqlite::Statement, from: usize) -> Layout {
        let values = t
            .hashed
            .iter()
            .filter(|(_, h)| matches!(h, Hashed::Value(_)))
            .count();
        let mut fields: Vec<(String, Field)> = st
            .column_names()
            .iter()
            .enumerate()
            .skip(from + values)
            .map(|(at, n)| {
                (
                    n.to_string(),
                    Field::Column {
                        at,
                        secret: t.secret.contains(n),
                    },
                )
            })
            .collect();
        let mut at = from;
        for (f, h) in t.hashed {
            let field = match h {
                Hashed::Rows(q) => Field::Rows(q),
                Hashed::Value(_) => {
                    at += 1;
                    Field::Value(at - 1)
                }
            };
            fields.push(((*f).to_string(), field));
        }
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let fields = fields
            .into_iter()
            .enumerate()
            .map(|(i, (name, f))| {
                let mut prefix = vec![if i == 0 { b'{' } else { b',' }];
                write_str(&mut prefix, &name);
                prefix.push(b':');
                (prefix, f)
            })
            .collect();
        Layout {
            fields,
            seen: Default::default(),
        }
    }

    /// Appends the row's document to `out`.
    fn write(
        &mut self,
        out: &mut Vec<u8>,
        conn: &Connection,
        r: &rusqlite::Row,
        key: &Value,
    ) -> Result<(), Error> {
        if self.fields.is_empty() {
            out.push(b'{');
        }
        for (prefix, f) in &self.fields {
            out.extend_from_slice(prefix);
            match f {
                Field::Column { at, secret } => match (r.get_ref(*at)?, secret) {
                    (ValueRef::Null, _) => out.extend_from_slice(b"null"),
                    (ValueRef::Integer(n), false) => {
                        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes())
                    }
                    (ValueRef::Text(b), false) => match std::str::from_utf8(b) {
                        Ok(s) => write_str(out, s),
                        Err(_) => write_value(out, &json_of(ValueRef::Text(b))),
                    },
                    (v, true) => write_value(out, &secret_of(v)),
                    (v, false) => write_value(out, &json_of(v)),
                },
                Field::Rows(q) => write_value(out, &hash_rows(conn, q, key)?),
                Field::Value(at) => {
                    let v = r.get_ref(*at)?;
                    let raw = match v {
                        ValueRef::Text(b) | ValueRef::Blob(b) => b,
                        _ => &[],
                    };
                    match self.seen.get(raw) {
                        Some(h) if !raw.is_empty() => write_value(out, h),
                        _ => {
                            let h = hash_value(v);
                            write_value(out, &h);
                            if !raw.is_empty() && self.seen.len() < 100_000 {
                                self.seen.insert(raw.to_vec(), h);
                            }
                        }
                    }
                }
            }
        }
        out.push(b'}');
        Ok(())
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    crate::domain::ledger::json_str(out, s);
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::String(s) => write_str(out, s),
        // Columns are never arrays or objects; anything else is a scalar.
        other => out.extend_from_slice(crate::domain::ledger::canonical(other).as_bytes()),
    }
}

/// The document of every published row of a table in one community, as
/// canonical text keyed by the key's JSON text: the same documents as
/// [`doc`], read in one pass.
pub fn docs_of(
    conn: &Connection,
    t: &Table,
    community: i64,
) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    each_doc(conn, t, community, |k, d| {
        out.push((k.to_string(), String::from_utf8_lossy(d).into_owned()));
        Ok(())
    })?;
    Ok(out)
}

/// A queued row: which table, which key, its community and subject.
struct Queued {
    n: i64,
    table: &'static Table,
    key: Value,
    community: i64,
    subject: String,
}

fn queued(tx: &Transaction) -> Result<Vec<Queued>, Error> {
    let raw: Vec<(i64, String, String)> = tx
        .prepare_cached("SELECT n, tbl, key FROM anchor_queue ORDER BY n")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(raw.len());
    for (n, tbl, key) in raw {
        let Some(t) = table(&tbl) else {
            tx.execute("DELETE FROM anchor_queue WHERE n = ?1", [n])?;
            continue;
        };
        let key: Value = serde_json::from_str(&key).unwrap_or(Value::Null);
        let q = format!(
            "SELECT {}, {} FROM {} AS r WHERE {}",
            sql(t.community, "r"),
            sql(t.subject, "r"),
            t.name,
            t.key_where()
        );
        let found = tx
            .prepare_cached(&q)?
            .query_map(params_from_iter(key_params(&key)), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .next()
            .transpose()?;
        match found {
            Some((community, subject)) => out.push(Queued {
                n,
                table: t,
                key,
                community,
                subject,
            }),
            // Written and removed again in the same transaction.
            None => {
                tx.execute("DELETE FROM anchor_queue WHERE n = ?1", [n])?;
            }
        }
    }
    Ok(out)
}

fn payload_of(tx: &Transaction, rows: &[Queued]) -> Result<Value, Error> {
    let mut docs = Vec::with_capacity(rows.len());
    for q in rows {
        if let Some(d) = doc(tx, q.table, &q.key)? {
            docs.push(json!({"table": q.table.name, "key": q.key, "doc": d}));
        }
        tx.execute("DELETE FROM anchor_queue WHERE n = ?1", [q.n])?;
    }
    Ok(json!({"v": VERSION, "rows": docs}))
}

/// Appends an entry for a named step (`vote.opened`, …) whose payload
/// anchors every row of this community published or changed so far in the
/// transaction.
pub fn publish(
    tx: &Transaction,
    community_id: i64,
    kind: &str,
    subject: &str,
) -> Result<Entry, Error> {
    let rows: Vec<Queued> = queued(tx)?
        .into_iter()
        .filter(|q| q.community == community_id)
        .collect();
    let payload = payload_of(tx, &rows)?;
    super::ledger::append(tx, community_id, kind, subject, payload)
}

/// [`publish`], and the entry also states `derived` (an object of values
/// computed from the rows, such as a file's hash). `verify` recomputes them
/// with the same function (see `verify::derived`).
pub fn publish_with(
    tx: &Transaction,
    community_id: i64,
    kind: &str,
    subject: &str,
    derived: Value,
) -> Result<Entry, Error> {
    let rows: Vec<Queued> = queued(tx)?
        .into_iter()
        .filter(|q| q.community == community_id)
        .collect();
    let mut payload = payload_of(tx, &rows)?;
    if let (Some(p), Value::Object(d)) = (payload.as_object_mut(), derived) {
        for (k, v) in d {
            if k != "v" && k != "rows" {
                p.insert(k, v);
            }
        }
    }
    super::ledger::append(tx, community_id, kind, subject, payload)
}

/// At the end of a write: anchors whatever was published or changed without
/// a named step (a comment, a co-signature, a check-in …), one entry per
/// community and subject.
pub fn flush(tx: &Transaction) -> Result<Vec<Entry>, Error> {
    let rows = queued(tx)?;
    let mut groups: Vec<(i64, String, &'static str, Vec<Queued>)> = Vec::new();
    for q in rows {
        match groups
            .iter_mut()
            .find(|g| g.0 == q.community && g.1 == q.subject)
        {
            Some(g) => g.3.push(q),
            None => groups.push((q.community, q.subject.clone(), q.table.kind, vec![q])),
        }
    }
    let mut out = Vec::new();
    for (community, subject, kind, rows) in groups {
        let payload = payload_of(tx, &rows)?;
        out.push(super::ledger::append(
            tx, community, kind, &subject, payload,
        )?);
    }
    Ok(out)
}

/// The rows an entry anchors: `(table, key, document)`.
pub fn rows_of(e: &Entry) -> Vec<(&str, &Value, &Value)> {
    e.payload
        .get("rows")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| Some((r.get("table")?.as_str()?, r.get("key")?, r.get("doc")?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Does this entry use the row documents (rather than an earlier format)?
pub fn is_current(e: &Entry) -> bool {
    e.payload.get("v").and_then(Value::as_i64) == Some(VERSION)
}

/// Does this entry anchor that row?
pub fn anchors(e: &Entry, table: &str, key: &Value) -> bool {
    rows_of(e).iter().any(|(t, k, _)| *t == table && *k == key)
}

/// The latest entry that anchored a row (`table`, key as JSON), if any.
pub fn entry_for<'a>(entries: &'a [Entry], table: &str, key: &Value) -> Option<&'a Entry> {
    entries
        .iter()
        .rev()
        .find(|e| rows_of(e).iter().any(|(t, k, _)| *t == table && *k == key))
}
