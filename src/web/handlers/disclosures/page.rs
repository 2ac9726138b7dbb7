//! One disclosure's page: the revision a reader may see, its review,
//! threads, revisions and the changes between two of them.

use super::{cat_bi, is_staff, period_bi, stage_of};
use crate::domain::disclosure::ThreadKind;
use crate::domain::disclosure::{self as rules, Category, Change};
use crate::error::Error;
use crate::store::disclosures::{self as store, Status};
use crate::store::{attachments, ledger};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::handlers::fmt_time;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Msg;
use teahouse_views::pages::disclosures as view;

/// What the step just done did, in words; `village` names the committee.
fn done_words(done: Option<&str>, village: bool) -> Option<Msg> {
    let com = if village { "村委会" } else { "居委会" };
    Some(match done? {
        "created" => Msg::new("草稿已保存。", "The draft was saved."),
        "edited" => Msg::new("已保存。", "Saved."),
        "submitted" => Msg::new(
            "已提交监督委员会审核。",
            "Submitted to the supervision committee.",
        ),
        "signed" => Msg::new(
            "您的签署已记录并记入公开记录。",
            "Your sign-off is recorded and in the ledger.",
        ),
        "queried" => Msg::new(
            "质询已提交，等待答复。",
            "The query was raised; it awaits an answer.",
        ),
        "answered" => Msg::new("答复已公开。", "The answer is public."),
        "accepted" => Msg::new(
            "您认可了这条答复，已记入公开记录。",
            "You accepted the answer; it is in the ledger.",
        ),
        "requeried" => Msg::new(
            "已再次质询，等待答复。",
            "Queried again; it awaits an answer.",
        ),
        "published" => Msg::new(
            "已公开并记入公开记录。",
            "Published and recorded in the ledger.",
        ),
        "correcting" => Msg::new(
            "已开始更正：修改表格后提交审核；原来的版本仍然公开。",
            "A correction has started: edit the table and submit it; the published revision stays up meanwhile.",
        ),
        "asked" => Msg::new(
            format!("您的问题已提交，{com}将公开答复。"),
            "Your question was sent; the committee will answer it in public.",
        ),
        "attached" => Msg::new("附件已上传。", "The attachment was uploaded."),
        "detached" => Msg::new("附件已删除。", "The attachment was removed."),
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
    diff: Option<i64>,
}

fn change_words(cat: Category, ch: &Change) -> Msg {
    let tpl = cat.template();
    match ch {
        Change::Cell(r, k, a, b) => {
            let col = tpl.get(*k).map(|c| (c.zh, c.en)).unwrap_or(("", ""));
            Msg::new(
                format!(
                    "第 {r} 行“{}”：{} → {}",
                    col.0,
                    if a.is_empty() { "（空）" } else { a },
                    if b.is_empty() { "（空）" } else { b }
                ),
                format!(
                    "row {r}, {}: {} → {}",
                    col.1,
                    if a.is_empty() { "(empty)" } else { a },
                    if b.is_empty() { "(empty)" } else { b }
                ),
            )
        }
        Change::Added(r, cells) => Msg::new(
            format!("新增第 {r} 行：{}", cells.join(" | ")),
            format!("row {r} added: {}", cells.join(" | ")),
        ),
        Change::Removed(r, cells) => Msg::new(
            format!("删除第 {r} 行：{}", cells.join(" | ")),
            format!("row {r} removed: {}", cells.join(" | ")),
        ),
    }
}

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (committee, supervisor) = is_staff(&v.ctx, cid);
    let staff = committee || supervisor;
    let member = v.ctx.0.account.as_ref().is_some_and(|a| a.is_member(cid));
    let (d, revs, signoffs, (threads, verdicts), entries) = st
        .db
        .read(move |c| {
            Ok((
                store::get(c, cid, id)?,
                store::revisions(c, id)?,
                store::signoffs(c, id)?,
                (store::threads(c, id)?, store::verdicts(c, id)?),
                ledger::entries_for(c, cid, &crate::domain::Subject::Disclosure(id).to_string())?,
            ))
        })
        .await?;
    // The public sees the published revision; staff see the one being worked on.
    let working = revs.iter().find(|r| r.published_at.is_none());
    let published = d
        .published_rev
        .and_then(|p| revs.iter().find(|r| r.rev == p));
    let shown = match (staff, working, published) {
        (true, Some(w), _) => w,
        (_, _, Some(p)) => p,
        _ => return Err(Error::NotFound),
    };
    let is_working = shown.published_at.is_none();
    let rev = shown.rev;
    let owner = store::files_owner(id, rev);
    let files = st
        .db
        .read(move |c| attachments::list(c, cid, &owner))
        .await?;
    let tz = &v.community.tz;
    let hash = store::content_hash(&d, shown);
    let files_digest = store::files_digest_of(&files);
    let diff = q.diff.and_then(|to| {
        let new = revs.iter().find(|r| r.rev == to)?;
        let old = revs.iter().rev().find(|r| r.rev < to)?;
        if !staff && (new.published_at.is_none() || old.published_at.is_none()) {
            return None;
        }
        let mut changes: Vec<Msg> = Vec::new();
        if old.title != new.title {
            changes.push(Msg::new(
                format!("标题：{} → {}", old.title, new.title),
                format!("title: {} → {}", old.title, new.title),
            ));
        }
        if old.explanation != new.explanation {
            changes.push(Msg::new("说明有改动", "the explanation changed"));
        }
        changes.extend(
            rules::diff(&old.rows, &new.rows)
                .iter()
                .map(|ch| change_words(d.category, ch)),
        );
        Some((old.rev, new.rev, changes))
    });
    let has_open_query = threads
        .iter()
        .any(|t| t.kind == ThreadKind::Query && t.rev == rev && t.answer.is_none());
    let valid_signed = signoffs
        .iter()
        .any(|s| s.rev == rev && s.content_hash == hash);
    let my_signed = supervisor
        && v.ctx.0.account.as_ref().is_some_and(|a| {
            signoffs
                .iter()
                .any(|s| s.rev == rev && s.content_hash == hash && s.name == a.display_name)
        });
    let status = stage_of(d.status, has_open_query, valid_signed);
    // An answered query of the shown revision with no verdict yet, while it
    // is back with the committee or under review again.
    let reviewable = |t: &store::Thread| {
        supervisor
            && is_working
            && matches!(d.status, Status::Queried | Status::Review)
            && t.kind == ThreadKind::Query
            && t.rev == rev
            && t.answer.is_some()
            && !verdicts.iter().any(|x| x.thread_id == t.id)
    };
    let can_accept = threads.iter().any(reviewable);
    let c = v.ctx.chrome(Some(&v.community));
    let sv = view::ShowView {
        id,
        category: cat_bi(d.category),
        period: period_bi(d.period),
        status,
        title: shown.title.clone(),
        explanation: shown.explanation.clone(),
        columns: d
            .category
            .template()
            .iter()
            .map(|c| Msg::new(c.zh, c.en))
            .collect(),
        rows: shown.rows.clone(),
        totals: rules::totals(d.category, &shown.rows),
        rev,
        content_hash: hash.clone(),
        files_digest,
        working: is_working,
        reason: shown.reason.clone(),
        signoffs: signoffs
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    fmt_time(s.signed_at, tz),
                    s.rev,
                    s.content_hash == hash,
                )
            })
            .collect(),
        threads: threads
            .iter()
            .filter(|t| {
                staff
                    || t.kind == ThreadKind::Question
                    || d.published_rev.is_some_and(|p| t.rev <= p)
            })
            .map(|t| view::ThreadLine {
                id: t.id,
                kind: {
                    let (z, e) = t.kind.words();
                    Msg::new(z, e)
                },
                rev: t.rev,
                row: t.row,
                text: t.text.clone(),
                author: t.author.clone(),
                at: fmt_time(t.asked_at, tz),
                answer: t.answer.clone().map(|a| {
                    (
                        a,
                        t.answered_at.map(|x| fmt_time(x, tz)).unwrap_or_default(),
                    )
                }),
                accepted: verdicts
                    .iter()
                    .find(|x| x.thread_id == t.id && x.verdict == store::Verdict::Accepted)
                    .map(|x| (x.name.clone(), fmt_time(x.at, tz))),
                reviewable: reviewable(t),
            })
            .collect(),
        revisions: revs
            .iter()
            .filter(|r| staff || r.published_at.is_some())
            .map(|r| view::RevisionLine {
                rev: r.rev,
                title: r.title.clone(),
                reason: r.reason.clone(),
                published: r.published_at.map(|t| fmt_time(t, tz)),
            })
            .collect(),
        diff,
        ledger: entries
            .iter()
            .map(|e| (e.seq, e.kind.clone(), e.hash.clone()))
            .collect(),
        files: files
            .into_iter()
            .map(|f| teahouse_views::files::FileLine {
                id: f.id,
                name: f.name,
                mime: f.mime,
                size: f.size,
                sha256: f.sha256,
            })
            .collect(),
        can_edit: committee && is_working && matches!(d.status, Status::Draft | Status::Queried),
        can_submit: committee
            && is_working
            && matches!(d.status, Status::Draft | Status::Queried)
            && !has_open_query,
        can_sign: supervisor
            && d.status == Status::Review
            && is_working
            && !my_signed
            && !has_open_query,
        can_query: supervisor && matches!(d.status, Status::Review | Status::Published),
        can_publish: committee && d.status == Status::Review && valid_signed && !has_open_query,
        can_correct: committee && d.status == Status::Published && working.is_none(),
        can_ask: member && d.published_rev.is_some(),
        can_answer: committee,
        can_accept,
        notice: done_words(
            q.done.as_deref(),
            v.community.kind == crate::store::communities::Kind::Village,
        ),
        error: None,
    };
    Ok(view::show_page(&c, &v.community.slug, &sv).into_response())
}
