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

/// Everything the page reads about one disclosure, in one read.
struct Record {
    d: store::Disclosure,
    revs: Vec<store::Revision>,
    signoffs: Vec<store::Signoff>,
    threads: Vec<store::Thread>,
    verdicts: Vec<store::VerdictLine>,
    entries: Vec<crate::domain::ledger::Entry>,
}

async fn load(st: &AppState, cid: i64, id: i64) -> Result<Record, Error> {
    st.db
        .read(move |c| {
            Ok(Record {
                d: store::get(c, cid, id)?,
                revs: store::revisions(c, id)?,
                signoffs: store::signoffs(c, id)?,
                threads: store::threads(c, id)?,
                verdicts: store::verdicts(c, id)?,
                entries: ledger::entries_for(
                    c,
                    cid,
                    &crate::domain::Subject::Disclosure(id).to_string(),
                )?,
            })
        })
        .await
}

/// The reader's powers over this community's disclosures.
#[derive(Clone, Copy)]
struct Reader {
    committee: bool,
    supervisor: bool,
    staff: bool,
    member: bool,
}

/// The revision shown and where it stands: the public sees the published
/// revision; staff see the one being worked on.
struct Shown<'a> {
    rev: &'a store::Revision,
    /// The revision being worked on, if any.
    working: Option<&'a store::Revision>,
    is_working: bool,
    hash: String,
    has_open_query: bool,
    valid_signed: bool,
}

fn pick<'a>(r: &'a Record, staff: bool) -> Result<Shown<'a>, Error> {
    let working = r.revs.iter().find(|x| x.published_at.is_none());
    let published =
        r.d.published_rev
            .and_then(|p| r.revs.iter().find(|x| x.rev == p));
    let rev = match (staff, working, published) {
        (true, Some(w), _) => w,
        (_, _, Some(p)) => p,
        _ => return Err(Error::NotFound),
    };
    let hash = store::content_hash(&r.d, rev);
    let has_open_query = r
        .threads
        .iter()
        .any(|t| t.kind == ThreadKind::Query && t.rev == rev.rev && t.answer.is_none());
    let valid_signed = r
        .signoffs
        .iter()
        .any(|s| s.rev == rev.rev && s.content_hash == hash);
    Ok(Shown {
        rev,
        working,
        is_working: rev.published_at.is_none(),
        hash,
        has_open_query,
        valid_signed,
    })
}

/// The changes from the revision before `to` to `to`, in words; the
/// public sees only changes between published revisions.
fn diff_to(r: &Record, staff: bool, to: i64) -> Option<(i64, i64, Vec<Msg>)> {
    let new = r.revs.iter().find(|x| x.rev == to)?;
    let old = r.revs.iter().rev().find(|x| x.rev < to)?;
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
            .map(|ch| change_words(r.d.category, ch)),
    );
    Some((old.rev, new.rev, changes))
}

/// An answered query of the shown revision with no verdict yet, while it
/// is back with the committee or under review again.
fn reviewable(r: &Record, who: Reader, s: &Shown, t: &store::Thread) -> bool {
    who.supervisor
        && s.is_working
        && matches!(r.d.status, Status::Queried | Status::Review)
        && t.kind == ThreadKind::Query
        && t.rev == s.rev.rev
        && t.answer.is_some()
        && !r.verdicts.iter().any(|x| x.thread_id == t.id)
}

/// The threads the reader may see: staff all; the public questions and
/// the queries on published revisions.
fn thread_lines(r: &Record, who: Reader, s: &Shown, tz: &str) -> Vec<view::ThreadLine> {
    r.threads
        .iter()
        .filter(|t| {
            who.staff
                || t.kind == ThreadKind::Question
                || r.d.published_rev.is_some_and(|p| t.rev <= p)
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
            accepted: r
                .verdicts
                .iter()
                .find(|x| x.thread_id == t.id && x.verdict == store::Verdict::Accepted)
                .map(|x| (x.name.clone(), fmt_time(x.at, tz))),
            reviewable: reviewable(r, who, s, t),
        })
        .collect()
}

/// Each sign-off: name, when, revision, still valid for the content shown.
fn signoff_lines(r: &Record, s: &Shown, tz: &str) -> Vec<(String, String, i64, bool)> {
    r.signoffs
        .iter()
        .map(|x| {
            (
                x.name.clone(),
                fmt_time(x.signed_at, tz),
                x.rev,
                x.content_hash == s.hash,
            )
        })
        .collect()
}

fn revision_lines(r: &Record, staff: bool, tz: &str) -> Vec<view::RevisionLine> {
    r.revs
        .iter()
        .filter(|x| staff || x.published_at.is_some())
        .map(|x| view::RevisionLine {
            rev: x.rev,
            title: x.title.clone(),
            reason: x.reason.clone(),
            published: x.published_at.map(|t| fmt_time(t, tz)),
        })
        .collect()
}

/// What the reader may do on the page, from the disclosure's status and
/// the shown revision's review.
struct Powers {
    edit: bool,
    submit: bool,
    sign: bool,
    query: bool,
    publish: bool,
    correct: bool,
    ask: bool,
    accept: bool,
}

/// `me` is the reader's name, to tell whether they signed the shown content.
fn powers(r: &Record, who: Reader, s: &Shown, me: Option<&str>) -> Powers {
    let status = r.d.status;
    let my_signed = who.supervisor
        && me.is_some_and(|me| {
            r.signoffs
                .iter()
                .any(|x| x.rev == s.rev.rev && x.content_hash == s.hash && x.name == me)
        });
    let edit = who.committee && s.is_working && matches!(status, Status::Draft | Status::Queried);
    Powers {
        edit,
        submit: edit && !s.has_open_query,
        sign: who.supervisor
            && status == Status::Review
            && s.is_working
            && !my_signed
            && !s.has_open_query,
        query: who.supervisor && matches!(status, Status::Review | Status::Published),
        publish: who.committee && status == Status::Review && s.valid_signed && !s.has_open_query,
        correct: who.committee && status == Status::Published && s.working.is_none(),
        ask: who.member && r.d.published_rev.is_some(),
        accept: r.threads.iter().any(|t| reviewable(r, who, s, t)),
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
    let who = Reader {
        committee,
        supervisor,
        staff: committee || supervisor,
        member: v.ctx.0.account.as_ref().is_some_and(|a| a.is_member(cid)),
    };
    let r = load(&st, cid, id).await?;
    let s = pick(&r, who.staff)?;
    let owner = store::files_owner(id, s.rev.rev);
    let files = st
        .db
        .read(move |c| attachments::list(c, cid, &owner))
        .await?;
    let me = v.ctx.0.account.as_ref().map(|a| a.display_name.as_str());
    let p = powers(&r, who, &s, me);
    let tz = &v.community.tz;
    let d = &r.d;
    let sv = view::ShowView {
        id,
        category: cat_bi(d.category),
        period: period_bi(d.period),
        status: stage_of(d.status, s.has_open_query, s.valid_signed),
        title: s.rev.title.clone(),
        explanation: s.rev.explanation.clone(),
        columns: d
            .category
            .template()
            .iter()
            .map(|c| Msg::new(c.zh, c.en))
            .collect(),
        rows: s.rev.rows.clone(),
        totals: rules::totals(d.category, &s.rev.rows),
        rev: s.rev.rev,
        content_hash: s.hash.clone(),
        files_digest: store::files_digest_of(&files),
        working: s.is_working,
        reason: s.rev.reason.clone(),
        signoffs: signoff_lines(&r, &s, tz),
        threads: thread_lines(&r, who, &s, tz),
        revisions: revision_lines(&r, who.staff, tz),
        diff: q.diff.and_then(|to| diff_to(&r, who.staff, to)),
        ledger: r
            .entries
            .iter()
            .map(|e| (e.seq, e.kind.clone(), e.hash.clone()))
            .collect(),
        files: crate::web::handlers::files::file_lines(files),
        can_edit: p.edit,
        can_submit: p.submit,
        can_sign: p.sign,
        can_query: p.query,
        can_publish: p.publish,
        can_correct: p.correct,
        can_ask: p.ask,
        can_answer: who.committee,
        can_accept: p.accept,
        notice: done_words(
            q.done.as_deref(),
            v.community.kind == crate::store::communities::Kind::Village,
        ),
        error: None,
    };
    let c = v.ctx.chrome(Some(&v.community));
    Ok(view::show_page(&c, &v.community.slug, &sv).into_response())
}
