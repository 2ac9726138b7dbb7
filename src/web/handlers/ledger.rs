//! The public ledger: the page (what is new verified on every view, and a
//! search by the first characters of a hash printed on paper) and the
//! JSON Lines download.

use super::fmt_time;
use crate::domain::ledger::Entry;
use crate::error::Error;
use crate::store::anchor::{self, verify};
use crate::store::ledger;
use crate::web::AppState;
use crate::web::ctx::Visitor;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Bi;
use teahouse_views::pages::ledger as view;

#[derive(Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    hash: String,
}

/// What a resident typed: 4 to 64 hexadecimal characters.
fn prefix(typed: &str) -> Result<String, Bi> {
    let p: String = typed
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if p.len() < 4 || p.len() > 64 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Bi::new(
            "请输入哈希的前 8 位：数字 0–9 和字母 a–f，至少 4 位",
            "type the first 8 characters of the hash: digits 0–9 and letters a–f, at least 4",
        ));
    }
    Ok(p)
}

/// The page a subject lives on, if it has one.
fn link(slug: &str, subject: &str) -> Option<String> {
    let (kind, id) = subject.split_once(':')?;
    let id: i64 = id.split(':').next()?.parse().ok()?;
    let area = match kind {
        "vote" => "votes",
        "disclosure" => "disclosures",
        "deliberation" => "deliberations",
        "proposal" | "proposal-report" => "proposals",
        "round" => "rounds",
        _ => return None,
    };
    Some(format!("/c/{slug}/{area}/{id}"))
}

fn records(e: &Entry) -> Vec<Bi> {
    anchor::rows_of(e)
        .iter()
        .map(|(t, k, _)| match anchor::table(t) {
            Some(t) => Bi::new(t.name_zh(k), t.name_en(k)),
            None => Bi::new(format!("{t} {k}"), format!("{t} {k}")),
        })
        .collect()
}

pub async fn page(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<Search>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let slug = v.community.slug.clone();
    let db = st.db.path.clone();
    let wanted = (!q.hash.trim().is_empty()).then(|| prefix(&q.hash));
    let lookup = wanted.clone().and_then(Result::ok);
    let (entries, report, found) = st
        .db
        .read(move |c| {
            // Only what is new since the head verified last; the full check
            // is the CLI's and the supervisors' desk's.
            let report = verify::verify_cached(c, &db, cid, slug)?;
            let found = match lookup {
                Some(p) => Some(ledger::find_by_hash(c, cid, &p)?),
                None => None,
            };
            Ok((ledger::entries(c, cid)?, report, found))
        })
        .await?;
    let intact = Some(match report.broken {
        None => Bi::new(
            format!("核验通过：{} 条记录完整，内容与记录一致。", report.entries),
            format!(
                "Verified: {} entries, chain intact, records match.",
                report.entries
            ),
        ),
        Some(b) => Bi::new(
            format!("核验失败：{}", b.zh),
            format!("Verification failed: {}", b.en),
        ),
    });
    let tz = v.community.tz.clone();
    let slug = v.community.slug.clone();
    let line = |e: &Entry| view::LedgerLine {
        seq: e.seq,
        at: fmt_time(e.at, &tz),
        kind: e.kind.clone(),
        subject: e.subject.clone(),
        hash: e.hash.clone(),
    };
    let search = match (wanted, found) {
        (Some(Err(m)), _) => Some(Err(m)),
        (Some(Ok(_)), Some(found)) => Some(Ok(found
            .iter()
            .map(|e| view::Found {
                line: line(e),
                prev: e.prev.clone(),
                link: link(&slug, &e.subject),
                records: records(e),
            })
            .collect())),
        _ => None,
    };
    let lines: Vec<view::LedgerLine> = entries.iter().rev().map(line).collect();
    Ok(view::ledger_page(
        &v.ctx.chrome(Some(&v.community)),
        &view::LedgerView {
            slug,
            lines,
            intact,
            query: q.hash.trim().chars().take(64).collect(),
            search,
        },
    )
    .into_response())
}

pub async fn jsonl(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let entries = st.db.read(move |c| ledger::entries(c, cid)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")],
        ledger::to_jsonl(&entries),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_prefix_is_read_kindly_and_refused_clearly() {
        assert_eq!(prefix(" 3F2A 9b01 ").unwrap(), "3f2a9b01");
        assert!(prefix("3f2").is_err());
        assert!(prefix("xyz12345").is_err());
        assert!(prefix(&"a".repeat(65)).is_err());
    }

    #[test]
    fn subjects_link_to_their_pages() {
        assert_eq!(
            link("wutong", "vote:3").as_deref(),
            Some("/c/wutong/votes/3")
        );
        assert_eq!(
            link("x", "disclosure:4:2").as_deref(),
            Some("/c/x/disclosures/4")
        );
        assert_eq!(link("x", "table:votes"), None);
    }
}
