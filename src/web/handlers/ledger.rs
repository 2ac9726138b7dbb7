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
use crate::web::routes::on_get;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Msg;
use teahouse_views::pages::ledger as view;

/// The ledger's routes: its page and its download.
pub fn routes() -> crate::web::routes::Routes {
    vec![
        on_get("/c/{community}/ledger", page),
        on_get("/api/v1/c/{community}/ledger.jsonl", jsonl),
    ]
}

#[derive(Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    hash: String,
    /// 1-based page of the list, newest first (a string: bad input is told
    /// so in words, not refused by the extractor).
    #[serde(default)]
    page: String,
}

/// Entries per page of the list.
const PER_PAGE: usize = 50;

/// The page asked for: blank is the first; else a whole number from 1.
fn page_number(typed: &str) -> Result<usize, Msg> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(1);
    }
    match t.parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(Msg::new(
            format!(
                "页码“{}”无效：请用从 1 开始的整数",
                t.chars().take(20).collect::<String>()
            ),
            format!(
                "page \"{}\" is not valid: use a whole number from 1",
                t.chars().take(20).collect::<String>()
            ),
        )),
    }
}

/// What a resident typed: 4 to 64 hexadecimal characters.
fn prefix(typed: &str) -> Result<String, Msg> {
    let p: String = typed
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if p.len() < 4 || p.len() > 64 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Msg::new(
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

fn records(e: &Entry) -> Vec<Msg> {
    anchor::rows_of(e)
        .iter()
        .map(|(t, k, _)| match anchor::table(t) {
            Some(t) => Msg::new(t.name_zh(k), t.name_en(k)),
            None => Msg::new(format!("{t} {k}"), format!("{t} {k}")),
        })
        .collect()
}

/// What the check found, in words: how fresh the full check is, or the
/// first break.
fn verdict(c: &verify::Cached) -> Msg {
    let age = c.full_age;
    let report = &c.report;
    match &report.broken {
        None if age == 0 => Msg::new(
            format!(
                "核验通过：{} 条记录完整，内容与记录一致（刚刚完整核验）。",
                report.entries
            ),
            format!(
                "Verified: {} entries, chain intact, records match (fully checked just now).",
                report.entries
            ),
        ),
        None => Msg::new(
            format!(
                "核验通过：{} 条记录；{} 分钟前完整核验过，之后的新记录已逐条核验。完整核验每 5 分钟一次，监督委员会也可在监督台随时核验。",
                report.entries,
                age.div_ceil(60)
            ),
            format!(
                "Verified: {} entries; fully checked {} min ago, every entry since checked as it came. The full check runs every 5 minutes; supervisors can run it from their desk at any time.",
                report.entries,
                age.div_ceil(60)
            ),
        ),
        Some(b) => Msg::new(
            format!("核验失败：{}", b.zh),
            format!("Verification failed: {}", b.en),
        ),
    }
}

/// One entry as the list shows it; `total` entries in all, so the page
/// of the list the entry is on can be told.
fn line(e: &Entry, tz: &str, total: i64) -> view::LedgerLine {
    let per = PER_PAGE as i64;
    view::LedgerLine {
        seq: e.seq,
        at: fmt_time(e.at, tz),
        kind: e.kind.clone(),
        subject: e.subject.clone(),
        hash: e.hash.clone(),
        // Entries are numbered 1, 2, … in order: newest first, entry `seq`
        // is on this page of the list.
        page: (total - e.seq).max(0) / per + 1,
    }
}

/// The entries a hash search found, each with its page and its records.
fn found_lines(found: &[Entry], slug: &str, tz: &str, total: i64) -> Vec<view::Found> {
    found
        .iter()
        .map(|e| view::Found {
            line: line(e, tz, total),
            prev: e.prev.clone(),
            link: link(slug, &e.subject),
            records: records(e),
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
    let page_no = page_number(&q.page);
    let offset = (page_no.as_ref().copied().unwrap_or(1) - 1) * PER_PAGE;
    let ((entries, total), report, found) = st
        .db
        .read(move |c| {
            // Only what is new since the head verified last; the full check
            // is the CLI's and the supervisors' desk's.
            let report = verify::verify_cached(c, &db, cid, slug)?;
            let found = match lookup {
                Some(p) => Some(ledger::find_by_hash(c, cid, &p)?),
                None => None,
            };
            Ok((ledger::page(c, cid, offset, PER_PAGE)?, report, found))
        })
        .await?;
    let tz = &v.community.tz;
    let slug = v.community.slug.clone();
    let search = match (wanted, found) {
        (Some(Err(m)), _) => Some(Err(m)),
        (Some(Ok(_)), Some(found)) => Some(Ok(found_lines(&found, &slug, tz, total))),
        _ => None,
    };
    let per = PER_PAGE as i64;
    let pages = ((total + per - 1) / per).max(1) as usize;
    let status = match &page_no {
        Err(_) => StatusCode::BAD_REQUEST,
        Ok(n) if *n > pages => StatusCode::NOT_FOUND,
        Ok(_) => StatusCode::OK,
    };
    let lines = match status {
        StatusCode::OK => entries.iter().map(|e| line(e, tz, total)).collect(),
        _ => Vec::new(),
    };
    let body = view::ledger_page(
        &v.ctx.chrome(Some(&v.community)),
        &view::LedgerView {
            slug,
            lines,
            total,
            page: match &page_no {
                Ok(n) => view::Page::At(*n, pages),
                Err(m) => view::Page::Bad(m.clone()),
            },
            intact: Some(verdict(&report)),
            query: q.hash.trim().chars().take(64).collect(),
            search,
        },
    );
    Ok((status, body).into_response())
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
    fn a_page_number_is_a_whole_number_from_one() {
        assert_eq!(page_number("").unwrap(), 1);
        assert_eq!(page_number(" 3 ").unwrap(), 3);
        assert!(page_number("0").is_err());
        assert!(page_number("-1").is_err());
        assert!(page_number("abc").is_err());
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
