//! The rows a current payload anchors, read from its stored text: the
//! canonical layout (`{"rows":[{"doc":…,"key":…,"table":"…"}],"v":2}`) by
//! a scan that only finds where each value ends, anything else through
//! serde_json. A text the scan misreads can only fail to match the rows
//! rebuilt from the database (those are canonical JSON), never pass.

use std::borrow::Cow;

/// One anchored row, its key and document as stored.
#[derive(Debug, PartialEq)]
pub(super) struct Row<'a> {
    pub table: Cow<'a, str>,
    pub key: &'a str,
    pub doc: &'a str,
}

/// The rows of a current (`"v": 2`) payload, or None for another format.
pub(super) fn rows(payload: &str) -> Option<Vec<Row<'_>>> {
    scan(payload).or_else(|| parsed(payload))
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
    table: Cow<'a, str>,
    #[serde(borrow)]
    key: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    doc: &'a serde_json::value::RawValue,
}

fn parsed(payload: &str) -> Option<Vec<Row<'_>>> {
    let p = serde_json::from_str::<RawPayload>(payload).ok()?;
    (p.v == Some(super::super::VERSION)).then(|| {
        p.rows
            .unwrap_or_default()
            .into_iter()
            .map(|r| Row {
                table: r.table,
                key: r.key.get(),
                doc: r.doc.get(),
            })
            .collect()
    })
}

/// The canonical layout, or None (then serde_json reads it).
fn scan(p: &str) -> Option<Vec<Row<'_>>> {
    let b = p.as_bytes();
    let mut i = eat(b, 0, br#"{"rows":["#)?;
    let mut out = Vec::with_capacity(1);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            i = eat(b, i, br#"{"doc":"#)?;
            let (d, e) = (i, skip(b, i)?);
            i = eat(b, e, br#","key":"#)?;
            let (k, f) = (i, skip(b, i)?);
            i = eat(b, f, br#","table":""#)?;
            let t = i;
            i += memchr::memchr2(b'"', b'\\', &b[i..])?;
            if b[i] != b'"' {
                return None;
            }
            out.push(Row {
                table: Cow::Borrowed(p.get(t..i)?),
                key: p.get(k..f)?,
                doc: p.get(d..e)?,
            });
            i = eat(b, i, b"\"}")?;
            match *b.get(i)? {
                b',' => i += 1,
                b']' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (b.get(i..)? == br#","v":2}"#).then_some(out)
}

/// Past `lit` at `i`.
fn eat(b: &[u8], i: usize, lit: &[u8]) -> Option<usize> {
    b.get(i..)?.starts_with(lit).then_some(i + lit.len())
}

/// Where the JSON value starting at `i` ends.
fn skip(b: &[u8], mut i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match *b.get(i)? {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let n = b
                .get(i..)?
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']'))?;
            (n > 0).then_some(i + n)
        }
    }
}

/// Past the string whose opening quote is at `i`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        j += memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
        if b[j] == b'\\' {
            j += 2;
        } else {
            return Some(j + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parsed, scan};
    use crate::domain::ledger::canonical;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            (-1e9f64..1e9).prop_map(|f| json!(f)),
            "(?s).{0,8}".prop_map(Value::String),
            "[\"\\\\{}\\[\\],:a-z]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_\"\\\\]{1,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The scan reads what serde_json reads, for any documents and keys.
        #[test]
        fn the_scan_reads_canonical_payloads_as_serde_json_does(
            rows in prop::collection::vec((value(), value(), "[a-z_]{1,12}"), 0..4),
        ) {
            let rows: Vec<Value> = rows
                .into_iter()
                .map(|(doc, key, table)| json!({"doc": doc, "key": key, "table": table}))
                .collect();
            let text = canonical(&json!({"rows": rows, "v": 2}));
            let fast = scan(&text);
            prop_assert!(fast.is_some(), "{text}");
            prop_assert_eq!(fast, parsed(&text));
        }
    }

    #[test]
    fn other_layouts_are_left_to_serde_json() {
        for text in [
            r#"{"notice":{"n":1},"rows":[],"v":2}"#,
            r#"{"rows":[],"v":2,"w":1}"#,
            r#"{"rows":[{"doc":{},"key":[1],"table":"a\"b"}],"v":2}"#,
            r#"{"rows":[{"doc":{},"key":[1],"table":"t"}],"v":1}"#,
            r#"{"rows":[{"doc":{"a":1]],"key":[1],"table":"t"}],"v":2}"#,
            r#"{"rows":[{"doc":"#,
        ] {
            assert_eq!(scan(text), None, "{text}");
        }
        assert_eq!(
            super::rows(
                r#"{"notice":{"n":1},"rows":[{"doc":{"a":1},"key":[1],"table":"t"}],"v":2}"#
            )
            .map(|r| r.len()),
            Some(1)
        );
        assert_eq!(super::rows(r#"{"rows":[],"v":1}"#), None);
    }
}
