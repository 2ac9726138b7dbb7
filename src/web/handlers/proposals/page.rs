//! The proposal list (with the committee's queue) and one proposal's page.

use super::draft::similar_hits;
use super::{PAGE, category_bi, event_bi, line, status_bi, threshold_of};
use crate::domain::proposal::{self as rules, AssigneeKind, Status, Threshold};
use crate::error::Error;
use crate::store::accounts::Role;
use crate::store::proposals::{self as store};
use crate::store::{attachments, deliberations};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::handlers::fmt_time;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use teahouse_views::Msg;
use teahouse_views::files::FileLine;
use teahouse_views::forms::Errors;
use teahouse_views::pages::proposals as view;
use teahouse_views::refused::Refused;

pub async fn list(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    Ok(list_page(&st, &v, &q, None).await?.into_response())
}

/// The list, with the committee's threshold form as typed and refused
/// (`refused`), or as saved.
pub(super) async fn list_page(
    st: &AppState,
    v: &Visitor,
    q: &HashMap<String, String>,
    refused: Option<(String, Errors)>,
) -> Result<maud::Markup, Error> {
    let com = v.community.clone();
    let viewer = v.ctx.0.account.as_ref().map(|a| a.id);
    let filter = q.get("status").cloned().unwrap_or_default();
    let wanted = Status::parse(&filter);
    // A page far past the end is just empty (and cannot overflow the offset).
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
        .min(1_000_000);
    let chrome = v.ctx.chrome(Some(&v.community));
    let staff = chrome.is_committee();
    let (queue, (shown, total), threshold) = st
        .db
        .read(move |c| {
            let queue = if staff {
                // The whole queue: it is what the committee must answer.
                store::page(c, com.id, viewer, Some(Status::Review), 0, 100_000)?.0
            } else {
                Vec::new()
            };
            let shown = store::page(c, com.id, viewer, wanted, page * PAGE, PAGE)?;
            Ok((queue, shown, threshold_of(&com, c)?))
        })
        .await?;
    let queue = queue.iter().map(line).collect();
    let lines = shown.iter().map(line).collect();
    let statuses = Status::ALL
        .iter()
        .filter(|s| **s != Status::Draft)
        .map(|s| (s.as_str().to_string(), status_bi(*s)))
        .collect();
    let page = view::list_page(
        &chrome,
        &v.community.slug,
        &view::ListView {
            queue,
            lines,
            filter: if wanted.is_some() {
                filter
            } else {
                String::new()
            },
            statuses,
            page,
            more: ((page + 1) * PAGE) < total as usize,
            total,
            threshold: match threshold {
                Threshold::Count(n) => format!("{n} {}", chrome.t("人", "people")),
                t => format!("{} {}", t.show(), chrome.t("的住户", "of households")),
            },
            threshold_text: refused
                .as_ref()
                .map_or_else(|| threshold.show(), |(t, _)| t.clone()),
            threshold_errors: refused.map(|(_, e)| e).unwrap_or_default(),
        },
    );
    Ok(page)
}

/// What the reader is told after a step; `com` is the community's own
/// committee (村委会 in a village, 居委会 in a compound).
fn done_words(k: &str, com: teahouse_words::Word) -> Option<Msg> {
    Some(match k {
        "saved" => Msg::new(
            "草稿已保存。看过无误后请公开。",
            "Draft saved. Publish it when it reads right.",
        ),
        "published" => Msg::new("已公开，开始征集附议。", "Published; co-signing is open."),
        "cosigned" => Msg::new("已附议，谢谢。", "Co-signed; thank you."),
        "uncosigned" => Msg::new(
            "你的附议已撤回，附议人数已更新。",
            "Your co-signature is withdrawn; the count is updated.",
        ),
        "edited" => Msg::new(
            "草稿已修改。看过无误后请公开。",
            "Draft updated. Publish it when it reads right.",
        ),
        "reached" => Msg::new(
            format!("已附议，附议人数已满，提案进入{}审议。", com.zh),
            format!(
                "Co-signed; the threshold is reached and the proposal goes to the {}.",
                com.en
            ),
        ),
        "commented" => Msg::new("留言已发表。", "Comment posted."),
        "decided" => Msg::new("决定已记录并公开。", "Decision recorded and published."),
        "picked" => Msg::new("已选取审议。", "Picked up for review."),
        "accepted" => Msg::new("已接单。", "Accepted."),
        "handed_back" => Msg::new(
            format!("已退回{}。", com.zh),
            format!("Handed back to the {}.", com.en),
        ),
        "progress" => Msg::new("进展已发布。", "Progress posted."),
        "completed" => Msg::new(
            "已办结，居民可以评价了。",
            "Completed; residents can now rate it.",
        ),
        "rated" => Msg::new("评价已提交。", "Rating saved."),
        "withdrawn" => Msg::new("提案已撤回。", "Proposal withdrawn."),
        _ => return None,
    })
}

fn file_lines(v: Vec<attachments::Attachment>) -> Vec<FileLine> {
    v.into_iter()
        .map(|a| FileLine {
            id: a.id,
            name: a.name,
            mime: a.mime,
            size: a.size,
            sha256: a.sha256,
        })
        .collect()
}

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let village = v.community.kind == crate::store::communities::Kind::Village;
    let com = teahouse_words::roles::committee(Some(village));
    let done = q.get("done").and_then(|d| done_words(d, com));
    Ok(render(&st, &v, id, done, None).await?.into_response())
}

/// Everything one proposal's page shows, read in one go.
struct Loaded {
    p: store::Proposal,
    photos: Vec<attachments::Attachment>,
    report_photos: Vec<attachments::Attachment>,
    events: Vec<store::Event>,
    comments: Vec<store::Comment>,
    cosigned: bool,
    in_place: bool,
    ratings: Vec<(u8, String, i64, i64)>,
    meeting: Option<(i64, String)>,
    vote: Option<(i64, String)>,
    meetings: Vec<(String, String)>,
}

fn load(
    c: &rusqlite::Connection,
    cid: i64,
    id: i64,
    me: Option<i64>,
    staff: bool,
) -> Result<Loaded, Error> {
    let p = store::get(c, cid, id)?;
    if p.status == Status::Draft && Some(p.author_id) != me && !staff {
        return Err(Error::NotFound);
    }
    let photos = attachments::list(c, cid, &crate::domain::Subject::Proposal(id).to_string())?;
    let report_photos = attachments::list(c, cid, &format!("proposal-report:{id}"))?;
    let (cosigned, in_place) = match me {
        Some(a) => (
            store::has_cosigned(c, id, a)?,
            store::lives_in(c, cid, &p.place, a)?,
        ),
        None => (false, false),
    };
    let meeting = match p.deliberation_id {
        Some(d) => Some((d, deliberations::get(c, cid, d)?.title)),
        None => None,
    };
    let vote = match p.vote_id {
        Some(n) => Some((n, crate::store::votes::get(c, cid, n)?.title)),
        None => None,
    };
    let meetings = deliberations::list(c, cid)?
        .into_iter()
        .filter(|d| d.status == deliberations::Status::Planned)
        .map(|d| (d.id.to_string(), d.title))
        .collect();
    Ok(Loaded {
        events: store::events(c, id)?,
        comments: store::comments(c, id)?,
        ratings: store::ratings(c, id)?,
        p,
        photos,
        report_photos,
        cosigned,
        in_place,
        meeting,
        vote,
        meetings,
    })
}

fn event_line(e: &store::Event, tz: &str) -> view::EventLine {
    view::EventLine {
        what: event_bi(&e.kind),
        note: if e.kind == "threshold" {
            String::new()
        } else {
            e.note.clone()
        },
        who: e.actor.clone(),
        at: fmt_time(e.at, tz),
    }
}

fn comment_line(c: &store::Comment, tz: &str) -> view::CommentLine {
    view::CommentLine {
        id: c.id,
        parent: c.parent,
        author: c.author.clone(),
        body: c.body.clone(),
        at: fmt_time(c.at, tz),
    }
}

fn assignee_of(p: &store::Proposal) -> Option<(Msg, String)> {
    p.assignee_name.as_ref().map(|n| {
        let (zh, en) = p
            .assignee_kind
            .as_deref()
            .and_then(AssigneeKind::parse)
            .map(AssigneeKind::label)
            .unwrap_or(("", ""));
        (Msg::new(zh, en), n.clone())
    })
}

/// The reader's account id, whether they are on the committee, and whether
/// they belong to the community at all.
fn roles(v: &Visitor) -> (Option<i64>, bool, bool) {
    let cid = v.community.id;
    let acc = v.ctx.0.account.as_ref();
    let has = |r: Role| acc.is_some_and(|a| a.has_role(cid, r));
    let member = has(Role::Resident) || has(Role::Committee) || has(Role::Supervisor);
    (acc.map(|a| a.id), has(Role::Committee), member)
}

/// One proposal's page; `refused` is one of its forms as it was typed.
pub(super) async fn render(
    st: &AppState,
    v: &Visitor,
    id: i64,
    done: Option<Msg>,
    refused: Option<Refused<view::Form>>,
) -> Result<maud::Markup, Error> {
    let cid = v.community.id;
    let tz = v.community.tz.clone();
    let (me, staff, member) = roles(v);
    let l = st.db.read(move |c| load(c, cid, id, me, staff)).await?;
    let p = &l.p;
    let similar = if p.status == Status::Draft {
        similar_hits(st, cid, p.title.clone(), p.id).await?
    } else {
        vec![]
    };
    let is_author = me == Some(p.author_id);
    let my_score = l.ratings.iter().find(|r| Some(r.3) == me).map(|r| r.0);
    let scores: Vec<u8> = l.ratings.iter().map(|r| r.0).collect();
    let chrome = v.ctx.chrome(Some(&v.community));
    let sv = view::ShowView {
        id: p.id,
        title: p.title.clone(),
        body: p.body.clone(),
        status: p.status.as_str().into(),
        status_words: status_bi(p.status),
        category: category_bi(&p.category),
        place: p.place_label.clone(),
        author: p.author_name.clone(),
        cosigns: p.cosigns,
        needed: p.needed,
        photos: file_lines(l.photos.clone()),
        report_photos: file_lines(l.report_photos.clone()),
        events: l.events.iter().map(|e| event_line(e, &tz)).collect(),
        comments: l.comments.iter().map(|c| comment_line(c, &tz)).collect(),
        is_author,
        has_cosigned: l.cosigned,
        can_cosign: member
            && !is_author
            && !l.cosigned
            && matches!(p.status, Status::Open | Status::Review),
        is_assignee: me.is_some() && p.assignee_account == me,
        assignee: assignee_of(p),
        decision_reason: p.decision_reason.clone(),
        report: p.report.clone(),
        meeting: l.meeting.clone(),
        vote: l.vote.clone(),
        similar,
        rating: rules::average_hundredths(&scores).map(|avg| (avg, scores.len())),
        my_score,
        can_rate: p.status == Status::Completed && l.in_place,
        rating_comments: l
            .ratings
            .iter()
            .filter(|r| !r.1.is_empty())
            .map(|r| (r.0, r.1.clone()))
            .collect(),
        meetings: l.meetings.clone(),
        assignee_kinds: AssigneeKind::ALL
            .iter()
            .map(|k| {
                let (zh, en) = k.label();
                (k.as_str().to_string(), chrome.t(zh, en).to_string())
            })
            .collect(),
        done,
        logged_in: member,
        refused,
    };
    Ok(view::show_page(&chrome, &v.community.slug, &sv))
}
