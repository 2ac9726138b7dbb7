//! Every published row of a table in one pass, as `verify` reads them: the
//! table's own SQL snippets, rewritten so SQLite reads the table once
//! instead of running a subquery per row. A snippet that looks a value up
//! in another table by its id, `(SELECT e FROM T WHERE id = {r}.c) rest`,
//! becomes a set of T's ids (a filter) or a join (a value). Both give the
//! same rows and values as the snippet does row by row, because T's `id`
//! is its primary key (were it not, the set could only admit more rows to
//! the check, never fewer).

use super::{Hashed, Layout, Table, sql};
use crate::error::Error;
use rusqlite::Connection;
use serde_json::Value;

/// `(SELECT e FROM T WHERE id = {r}.c) rest`, taken apart.
#[derive(Debug, PartialEq)]
struct Lookup<'a> {
    e: &'a str,
    table: &'a str,
    col: &'a str,
    rest: &'a str,
}

fn ident(s: &str) -> Option<&str> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then_some(s)
}

/// The snippet as a lookup by id, if it is exactly one (anything else is
/// read as written).
fn lookup(snippet: &str) -> Option<Lookup<'_>> {
    let inner = snippet.trim().strip_prefix("(SELECT ")?;
    let close = inner.find(')')?;
    let (body, rest) = (&inner[..close], &inner[close + 1..]);
    let (e, from) = body.split_once(" FROM ")?;
    let (table, col) = from.split_once(" WHERE id = {r}.")?;
    let plain = |s: &str| !s.contains("{r}") && !s.contains("SELECT") && !s.contains('(');
    (plain(e) && plain(rest)).then_some(())?;
    Some(Lookup {
        e,
        table: ident(table)?,
        col: ident(col)?,
        rest,
    })
}

/// The WHERE clause selecting the community's (`?1`) published rows.
fn filter(t: &Table) -> String {
    let (c, p) = (lookup(t.community), lookup(t.published));
    match (c, p) {
        (Some(c), Some(p)) if (c.table, c.col) == (p.table, p.col) => format!(
            "+r.{} IN (SELECT id FROM {} WHERE ({}){} = ?1 AND (({}){}))",
            c.col, c.table, c.e, c.rest, p.e, p.rest
        ),
        (Some(c), _) => format!(
            "+r.{} IN (SELECT id FROM {} WHERE ({}){} = ?1) AND {}",
            c.col,
            c.table,
            c.e,
            c.rest,
            sql(t.published, "r")
        ),
        (None, _) => format!(
            "{} = ?1 AND {}",
            sql(t.community, "r"),
            sql(t.published, "r")
        ),
    }
}

/// The selected [`Hashed::Value`] expressions (each followed by `, `, as
/// [`Layout::values_sql`] writes them) and the joins they read from.
fn values(t: &Table) -> (String, String) {
    let (mut select, mut joins) = (String::new(), String::new());
    let each = t.hashed.iter().filter_map(|(_, h)| match h {
        Hashed::Value(e) => Some(*e),
        Hashed::Rows(_) => None,
    });
    for (i, e) in each.enumerate() {
        match lookup(e) {
            Some(l) => {
                select.push_str(&format!("(h{i}.anchor_v){}, ", l.rest));
                joins.push_str(&format!(
                    " LEFT JOIN (SELECT id AS anchor_k, ({}) AS anchor_v FROM {}) AS h{i} ON h{i}.anchor_k = r.{}",
                    l.e, l.table, l.col
                ));
            }
            None => select.push_str(&format!("{}, ", sql(e, "r"))),
        }
    }
    (select, joins)
}

/// The query [`each_doc`] runs: the key as JSON, the hashed values, then
/// the row's own columns.
fn query(t: &Table) -> String {
    let (select, joins) = values(t);
    format!(
        "SELECT {} AS anchor_key, {select}r.* FROM {} AS r{joins} WHERE {}",
        t.key_json("r"),
        t.name,
        filter(t)
    )
}

/// [`super::docs_of`] without keeping them: `f` sees each row's key (JSON
/// text) and document (canonical text, UTF-8: it is written from text
/// that is) in turn.
pub fn each_doc(
    conn: &Connection,
    t: &Table,
    community: i64,
    mut f: impl FnMut(&str, &[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut st = conn.prepare_cached(&query(t))?;
    let mut layout = Layout::new(t, &st, 1);
    let by_rows = t.hashed.iter().any(|(_, h)| matches!(h, Hashed::Rows(_)));
    let mut rows = st.query([community])?;
    let mut text: Vec<u8> = Vec::with_capacity(512);
    while let Some(r) = rows.next()? {
        let k = r
            .get_ref(0)?
            .as_str()
            .map_err(|e| Error::Internal(format!("{}: a key is not text: {e}", t.name)))?;
        // Only rows hashed by their key need the key as values.
        let key = if by_rows {
            serde_json::from_str(k).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        text.clear();
        layout.write(&mut text, conn, r, &key)?;
        f(k, &text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::anchor::tables::TABLES;

    #[test]
    fn a_lookup_by_id_is_taken_apart_and_nothing_else_is() {
        assert_eq!(
            lookup("(SELECT status FROM votes WHERE id = {r}.vote_id) != 'draft'"),
            Some(Lookup {
                e: "status",
                table: "votes",
                col: "vote_id",
                rest: " != 'draft'"
            })
        );
        assert_eq!(lookup("{r}.community_id"), None);
        assert_eq!(lookup("1"), None);
        // A lookup by anything but the id, or with a subquery inside.
        assert_eq!(lookup("(SELECT x FROM t WHERE k = {r}.c)"), None);
        assert_eq!(
            lookup(
                "(SELECT r.community_id FROM round_projects p JOIN rounds r ON r.id = p.round_id WHERE p.id = {r}.project_id)"
            ),
            None
        );
        assert_eq!(lookup("(SELECT a FROM t WHERE id = {r}.c) OR {r}.x"), None);
    }

    /// Every table's one-pass query selects the same rows with the same
    /// documents as its snippets evaluated row by row, on the demo's data.
    #[test]
    fn the_one_pass_query_reads_what_the_snippets_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite3");
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let db = crate::store::open(&path, 1).unwrap();
            let hasher = crate::password::Hasher::start();
            crate::demo::seed_if_empty(&db, &hasher).await.unwrap();
        });
        let c = Connection::open(&path).unwrap();
        let communities: Vec<i64> = c
            .prepare("SELECT id FROM communities")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut seen = 0;
        for t in TABLES {
            let slow = format!(
                "SELECT {} AS anchor_key, {}* FROM {} AS r WHERE {} = ?1 AND {}",
                t.key_json("r"),
                Layout::values_sql(t),
                t.name,
                sql(t.community, "r"),
                sql(t.published, "r")
            );
            for &id in &communities {
                let read = |q: &str| -> Vec<(String, Vec<u8>)> {
                    let mut st = c.prepare(q).unwrap();
                    let mut layout = Layout::new(t, &st, 1);
                    let mut rows = st.query([id]).unwrap();
                    let mut out = Vec::new();
                    while let Some(r) = rows.next().unwrap() {
                        let k: String = r.get(0).unwrap();
                        let key = serde_json::from_str(&k).unwrap();
                        let mut d = Vec::new();
                        layout.write(&mut d, &c, r, &key).unwrap();
                        out.push((k, d));
                    }
                    out.sort();
                    out
                };
                let (a, b) = (read(&slow), read(&query(t)));
                assert_eq!(a, b, "{} in community {id}", t.name);
                seen += a.len();
            }
        }
        assert!(seen > 100, "the demo publishes rows ({seen})");
    }
}
