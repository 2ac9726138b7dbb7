//! Proposal handlers: list and queue, drafting with similar proposals,
//! publishing, co-signing, comments, triage and dispatch, the assignee's
//! acceptance and reports, ratings, the quarterly table and open data.

use super::{checked, day_start, fmt_time, invalid, see_other};
use crate::domain::Msg;
use crate::domain::proposal::{self as rules, AssigneeKind, Status, Threshold};
use crate::error::Error;
use crate::store::accounts::Role;
use crate::store::proposals::{self as store, NewProposal, Proposal};
use crate::store::{accounts, attachments, audit, deliberations, required_text};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Overseer, Visitor};
use crate::web::error::bi;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use std::collections::HashMap;
use teahouse_views::Bi;
use teahouse_views::files::FileLine;
use teahouse_views::forms::Errors;
use teahouse_views::pages::proposals as view;

fn status_bi(s: Status) -> Bi {
    let (zh, en) = s.label();
    Bi::new(zh, en)
}

fn category_bi(k: &str) -> Bi {
    let (zh, en) = rules::category_label(k);
    Bi::new(zh, en)
}

pub(crate) fn line(p: &Proposal) -> view::Line {
    view::Line {
        id: p.id,
        title: p.title.clone(),
        status: p.status.as_str().into(),
        status_words: status_bi(p.status),
        category: category_bi(&p.category),
        place: p.place_label.clone(),
        cosigns: p.cosigns,
        needed: p.needed,
    }
}

/// Proposals per page of the list.
const PAGE: usize = 30;

fn threshold_of(
    com: &crate::store::communities::Community,
    conn: &rusqlite::Connection,
) -> Result<Threshold, Error> {
    let t = crate::store::communities::proposal_threshold(conn, com.id)?;
    Ok(Threshold::parse(&t).unwrap_or(Threshold::Count(10)))
}

pub async fn list(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
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
            threshold_text: threshold.show(),
            threshold: match threshold {
                Threshold::Count(n) => format!("{n} {}", chrome.t("人", "people")),
                t => format!("{} {}", t.show(), chrome.t("的住户", "of households")),
            },
        },
    );
    Ok(page.into_response())
}

async fn similar_hits(
    st: &AppState,
    cid: i64,
    title: String,
    skip: i64,
) -> Result<Vec<(i64, String, Bi)>, Error> {
    st.db
        .read(move |c| {
            let published = store::published_titles(c, cid)?;
            let titles: Vec<(i64, String)> = published
                .iter()
                .map(|(id, t, _)| (*id, t.clone()))
                .collect();
            Ok(rules::similar(&title, &titles, 34, 5)
                .into_iter()
                .filter(|h| h.0 != skip)
                .filter_map(|(id, t)| {
                    let status = published.iter().find(|p| p.0 == *id)?.2;
                    Some((*id, t.clone(), status_bi(status)))
                })
                .collect())
        })
        .await
}

/// The htmx fragment under the title field.
pub async fn similar(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let title: String = q
        .get("title")
        .map(|t| t.chars().take(80).collect())
        .unwrap_or_default();
    let hits = similar_hits(&st, v.community.id, title, 0).await?;
    let chrome = v.ctx.chrome(Some(&v.community));
    Ok(view::similar(&chrome, &v.community.slug, &hits).into_response())
}

fn categories() -> Vec<(String, String)> {
    rules::CATEGORIES
        .iter()
        .map(|(k, zh, en)| (k.to_string(), format!("{zh} {en}")))
        .collect()
}

async fn new_page(
    st: &AppState,
    m: &Member,
    v: view::NewValues,
    errors: Errors,
    hits: Vec<(i64, String, Bi)>,
) -> Result<maud::Markup, Error> {
    let places = super::places(st, m.community.id).await?;
    let chrome = m.ctx.chrome(Some(&m.community));
    Ok(view::new_page(
        &chrome,
        &m.community.slug,
        &v,
        &places,
        &categories(),
        &hits,
        &errors,
    ))
}

pub async fn new_form(State(st): State<AppState>, m: Member) -> Result<Response, Error> {
    let v = view::NewValues {
        title: String::new(),
        body: String::new(),
        category: "environment".into(),
        place: "community".into(),
    };
    Ok(new_page(&st, &m, v, Errors::none(), vec![])
        .await?
        .into_response())
}

pub async fn create(
    State(st): State<AppState>,
    m: Member,
    mp: Multipart,
) -> Result<Response, Error> {
    let posted = super::files::read(mp).await?;
    let v = view::NewValues {
        title: posted.field("title").trim().to_string(),
        body: posted.field("body").trim().to_string(),
        category: posted.field("category"),
        place: posted.field("place"),
    };
    let mut errors = Errors::none();
    if v.title.is_empty() || v.title.chars().count() > 80 {
        errors.add(
            "title",
            Bi::new(
                "请写标题（最多 80 字）",
                "Please write a title (80 characters at most)",
            ),
        );
    }
    if v.body.is_empty() || v.body.chars().count() > 5000 {
        errors.add(
            "body",
            Bi::new(
                "请写说明（最多 5000 字）",
                "Please describe it (5000 characters at most)",
            ),
        );
    }
    if !rules::CATEGORIES.iter().any(|c| c.0 == v.category) {
        errors.add(
            "category",
            Bi::new("请选择类别", "Please choose a category"),
        );
    }
    let photos = match posted.uploads("file") {
        Ok(u) => u,
        Err(Error::Invalid(msg)) => {
            errors.add("title", bi(&msg));
            vec![]
        }
        Err(e) => return Err(e),
    };
    if !errors.is_empty() {
        let hits = similar_hits(&st, m.community.id, v.title.clone(), 0).await?;
        return Ok(invalid(new_page(&st, &m, v, errors, hits).await?));
    }
    let cid = m.community.id;
    let by = m.account.id;
    let actor = m.ctx.actor();
    let n = NewProposal {
        title: v.title.clone(),
        body: v.body.clone(),
        category: v.category.clone(),
        place: v.place.clone(),
    };
    let res = st
        .db
        .write(move |tx| {
            let id = store::create(tx, cid, by, &n)?;
            for up in &photos {
                attachments::add(tx, cid, &format!("proposal:{id}"), up, by)?;
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "proposal.draft",
                &format!("proposal:{id}"),
                &n.title,
            )?;
            Ok(id)
        })
        .await;
    match res {
        Ok(id) => Ok(see_other(&format!(
            "/c/{}/proposals/{id}?done=saved",
            m.community.slug
        ))),
        Err(Error::Invalid(msg)) => {
            let errors = super::errors_with("place", &msg);
            Ok(invalid(new_page(&st, &m, v, errors, vec![]).await?))
        }
        Err(e) => Err(e),
    }
}

fn done_words(k: &str) -> Option<Bi> {
    Some(match k {
        "saved" => Bi::new(
            "草稿已保存。看过无误后请公开。",
            "Draft saved. Publish it when it reads right.",
        ),
        "published" => Bi::new("已公开，开始征集附议。", "Published; co-signing is open."),
        "cosigned" => Bi::new("已附议，谢谢。", "Co-signed; thank you."),
        "reached" => Bi::new(
            "已附议，附议人数已满，提案进入居委会审议。",
            "Co-signed; the threshold is reached and the proposal goes to the committee.",
        ),
        "commented" => Bi::new("留言已发表。", "Comment posted."),
        "decided" => Bi::new("决定已记录并公开。", "Decision recorded and published."),
        "picked" => Bi::new("已选取审议。", "Picked up for review."),
        "accepted" => Bi::new("已接单。", "Accepted."),
        "handed_back" => Bi::new("已退回居委会。", "Handed back to the committee."),
        "progress" => Bi::new("进展已发布。", "Progress posted."),
        "completed" => Bi::new(
            "已办结，居民可以评价了。",
            "Completed; residents can now rate it.",
        ),
        "rated" => Bi::new("评价已提交。", "Rating saved."),
        "withdrawn" => Bi::new("提案已撤回。", "Proposal withdrawn."),
        _ => return None,
    })
}

pub fn event_bi(kind: &str) -> Bi {
    match kind {
        "published" => Bi::new("公开征集附议", "published for co-signing"),
        "threshold" => Bi::new("附议人数已满，进入审议", "threshold reached; under review"),
        "picked" => Bi::new("居委会直接选取审议", "picked up by the committee"),
        "progress" => Bi::new("办理进展", "progress update"),
        "accepted" => Bi::new("负责人已接单", "accepted by the assignee"),
        "handed_back" => Bi::new("负责人退回", "handed back by the assignee"),
        "withdrawn" => Bi::new("提案人撤回", "withdrawn by the author"),
        "vote_drafted" => Bi::new("表决草稿已建立", "a vote was drafted"),
        other => Status::parse(other)
            .map(status_bi)
            .unwrap_or_else(|| Bi::new(other, other)),
    }
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
    let cid = v.community.id;
    let tz = v.community.tz.clone();
    let acc = v.ctx.0.account.clone();
    let me = acc.as_ref().map(|a| a.id);
    let staff = acc
        .as_ref()
        .is_some_and(|a| a.has_role(cid, Role::Committee));
    let member = acc.as_ref().is_some_and(|a| {
        a.has_role(cid, Role::Resident)
            || a.has_role(cid, Role::Committee)
            || a.has_role(cid, Role::Supervisor)
    });
    let loaded = st
        .db
        .read(move |c| {
            let p = store::get(c, cid, id)?;
            if p.status == Status::Draft && Some(p.author_id) != me && !staff {
                return Err(Error::NotFound);
            }
            let photos = attachments::list(c, cid, &format!("proposal:{id}"))?;
            let report_photos = attachments::list(c, cid, &format!("proposal-report:{id}"))?;
            let events = store::events(c, id)?;
            let comments = store::comments(c, id)?;
            let cosigned = match me {
                Some(a) => store::has_cosigned(c, id, a)?,
                None => false,
            };
            let in_place = match me {
                Some(a) => store::lives_in(c, cid, &p.place, a)?,
                None => false,
            };
            let ratings = store::ratings(c, id)?;
            let meeting = match p.deliberation_id {
                Some(d) => Some((d, deliberations::get(c, cid, d)?.title)),
                None => None,
            };
            let vote = match p.vote_id {
                Some(n) => Some((n, crate::store::votes::get(c, cid, n)?.title)),
                None => None,
            };
            let meetings: Vec<(String, String)> = deliberations::list(c, cid)?
                .into_iter()
                .filter(|d| d.status == deliberations::Status::Planned)
                .map(|d| (d.id.to_string(), d.title))
                .collect();
            Ok((
                p,
                photos,
                report_photos,
                events,
                comments,
                cosigned,
                in_place,
                ratings,
                meeting,
                vote,
                meetings,
            ))
        })
        .await?;
    let (
        p,
        photos,
        report_photos,
        events,
        comments,
        cosigned,
        in_place,
        ratings,
        meeting,
        vote,
        meetings,
    ) = loaded;
    let similar = if p.status == Status::Draft {
        similar_hits(&st, cid, p.title.clone(), p.id).await?
    } else {
        vec![]
    };
    let is_author = me == Some(p.author_id);
    let is_assignee = me.is_some() && p.assignee_account == me;
    let my_score = ratings.iter().find(|r| Some(r.3) == me).map(|r| r.0);
    let scores: Vec<u8> = ratings.iter().map(|r| r.0).collect();
    let rating = rules::average_hundredths(&scores).map(|avg| (avg, scores.len()));
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
        photos: file_lines(photos),
        report_photos: file_lines(report_photos),
        events: events
            .iter()
            .map(|e| view::EventLine {
                what: event_bi(&e.kind),
                note: if e.kind == "threshold" {
                    String::new()
                } else {
                    e.note.clone()
                },
                who: e.actor.clone(),
                at: fmt_time(e.at, &tz),
            })
            .collect(),
        comments: comments
            .iter()
            .map(|c| view::CommentLine {
                id: c.id,
                parent: c.parent,
                author: c.author.clone(),
                body: c.body.clone(),
                at: fmt_time(c.at, &tz),
            })
            .collect(),
        is_author,
        has_cosigned: cosigned,
        can_cosign: member
            && !is_author
            && !cosigned
            && matches!(p.status, Status::Open | Status::Review),
        is_assignee,
        assignee: p.assignee_name.as_ref().map(|n| {
            let (zh, en) = p
                .assignee_kind
                .as_deref()
                .and_then(AssigneeKind::parse)
                .map(AssigneeKind::label)
                .unwrap_or(("", ""));
            (Bi::new(zh, en), n.clone())
        }),
        decision_reason: p.decision_reason.clone(),
        report: p.report.clone(),
        meeting,
        vote,
        similar,
        rating,
        my_score,
        can_rate: p.status == Status::Completed && in_place,
        rating_comments: ratings
            .iter()
            .filter(|r| !r.1.is_empty())
            .map(|r| (r.0, r.1.clone()))
            .collect(),
        meetings,
        assignee_kinds: AssigneeKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str().to_string(),
                    format!("{} {}", k.label().0, k.label().1),
                )
            })
            .collect(),
        done: q.get("done").and_then(|d| done_words(d)),
        logged_in: member,
    };
    Ok(view::show_page(&chrome, &v.community.slug, &sv).into_response())
}

/// One step on a proposal: one transaction with its audit row, then its page.
async fn step<F>(
    st: &AppState,
    ctx: &crate::web::ctx::Ctx,
    com: &crate::store::communities::Community,
    id: i64,
    action: &'static str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Proposal) -> Result<&'static str, Error> + Send + 'static,
{
    super::step_on(
        st,
        ctx,
        com,
        "proposals",
        "proposal",
        id,
        action,
        store::get,
        move |tx, r| {
            let done = f(tx, r)?;
            Ok((done.to_string(), done.to_string()))
        },
    )
    .await
}

fn conflict(zh: &str, en: &str) -> Error {
    Error::Conflict(Msg::new(zh, en))
}

pub async fn publish(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let me = m.account.id;
    let com = m.community.clone();
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "proposal.publish",
        move |tx, p| {
            if p.author_id != me {
                return Err(Error::Forbidden);
            }
            if p.status != Status::Draft {
                return Err(conflict(
                    "这条提案已经公开过了",
                    "this proposal is already published",
                ));
            }
            let needed =
                threshold_of(&com, tx)?.needed(store::households_in(tx, com.id, &p.place)?);
            store::publish(tx, p, needed)?;
            Ok("published")
        },
    )
    .await
}

pub async fn withdraw(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let me = m.account.id;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "proposal.withdraw",
        move |tx, p| {
            if p.author_id != me {
                return Err(Error::Forbidden);
            }
            if !p.status.withdrawable() {
                return Err(conflict(
                    "居委会已作出决定，不能再撤回",
                    "the committee has decided; it can no longer be withdrawn",
                ));
            }
            store::set_status(tx, p.id, Status::Withdrawn)?;
            store::event(tx, p.id, "withdrawn", "", Some(me))?;
            Ok("withdrawn")
        },
    )
    .await
}

pub async fn cosign(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let me = m.account.id;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "proposal.cosign",
        move |tx, p| {
            if !matches!(p.status, Status::Open | Status::Review) {
                return Err(conflict(
                    "这条提案现在不征集附议",
                    "this proposal is not open for co-signing",
                ));
            }
            if p.author_id == me {
                return Err(conflict(
                    "提案人不能附议自己的提案",
                    "the author cannot co-sign their own proposal",
                ));
            }
            Ok(if store::cosign(tx, p, me)? {
                "reached"
            } else {
                "cosigned"
            })
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct CommentForm {
    body: String,
    parent: Option<String>,
}

pub async fn comment(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<CommentForm>,
) -> Result<Response, Error> {
    let me = m.account.id;
    let body = required_text(&f.body, 2000)?;
    let parent = f
        .parent
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i64>().map_err(|_| Error::NotFound))
        .transpose()?;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "proposal.comment",
        move |tx, p| {
            if p.status == Status::Draft {
                return Err(Error::NotFound);
            }
            store::comment(tx, p, parent, me, &body)?;
            Ok("commented")
        },
    )
    .await
}

pub async fn pickup(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let me = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "proposal.pickup",
        move |tx, p| {
            if p.status != Status::Open {
                return Err(conflict(
                    "只有征集附议中的提案可以直接选取",
                    "only proposals open for co-signing can be picked up",
                ));
            }
            store::set_status(tx, p.id, Status::Review)?;
            store::event(tx, p.id, "picked", "", Some(me))?;
            Ok("picked")
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct DecideForm {
    decision: Option<String>,
    reason: Option<String>,
    deliberation: Option<String>,
    assignee_kind: Option<String>,
    assignee_name: Option<String>,
    assignee_login: Option<String>,
}

pub async fn decide(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<DecideForm>,
) -> Result<Response, Error> {
    let me = com.account.id;
    let reason = f.reason.unwrap_or_default().trim().to_string();
    if reason.chars().count() > 2000 {
        return Err(Error::Invalid(Msg::new(
            "理由最多 2000 字",
            "the reason is 2000 characters at most",
        )));
    }
    let decision = f.decision.unwrap_or_default();
    let slug = com.community.slug.clone();
    let cid = com.community.id;
    let actor = com.ctx.actor();
    let (decision, title, body) = st
        .db
        .write(move |tx| {
            let p = store::get(tx, cid, id)?;
            if !p.status.decidable() {
                return Err(conflict(
                    "这条提案现在不能作出决定",
                    "no decision can be made on this proposal now",
                ));
            }
            match decision.as_str() {
                "decline" => {
                    if reason.is_empty() {
                        return Err(Error::Invalid(Msg::new(
                            "不予采纳必须写明公开理由",
                            "a decline needs a public reason",
                        )));
                    }
                    store::decide(tx, &p, Status::Declined, &reason, me)?;
                }
                "schedule" => {
                    let d: i64 = f
                        .deliberation
                        .as_deref()
                        .unwrap_or("")
                        .parse()
                        .map_err(|_| {
                            Error::Invalid(Msg::new(
                                "请选择要排入的议事会",
                                "choose the meeting to put it on",
                            ))
                        })?;
                    let meeting = deliberations::get(tx, cid, d)?;
                    if meeting.status != deliberations::Status::Planned {
                        return Err(conflict(
                            "这次议事会已经开过了",
                            "that meeting has already been held",
                        ));
                    }
                    let title: String = p.title.chars().take(100).collect();
                    let detail: String = p.body.chars().take(2000).collect();
                    deliberations::add_item(tx, &meeting, &title, &detail, None, Some(p.id))?;
                    store::link_meeting(tx, p.id, d)?;
                    let note = if reason.is_empty() {
                        format!("{} · {}", meeting.title, meeting.place_label)
                    } else {
                        reason.clone()
                    };
                    store::decide(tx, &p, Status::Scheduled, &note, me)?;
                }
                "vote" => {
                    store::decide(tx, &p, Status::Voting, &reason, me)?;
                }
                "dispatch" => {
                    let kind = f
                        .assignee_kind
                        .as_deref()
                        .and_then(AssigneeKind::parse)
                        .ok_or_else(|| {
                            Error::Invalid(Msg::new(
                                "请选择负责人类别",
                                "choose what kind of assignee",
                            ))
                        })?;
                    let name = f.assignee_name.as_deref().unwrap_or("").trim().to_string();
                    if name.is_empty() || name.chars().count() > 60 {
                        return Err(Error::Invalid(Msg::new(
                            "请写负责人或团队名称（最多 60 字）",
                            "name the person or team (60 characters at most)",
                        )));
                    }
                    let login = f.assignee_login.as_deref().unwrap_or("").trim().to_string();
                    let account = if login.is_empty() {
                        None
                    } else {
                        let a = accounts::for_login(tx, &login)?.ok_or_else(|| {
                            Error::Invalid(Msg::new(
                                format!("没有登录名为“{login}”的账户"),
                                format!("no account has the login \"{login}\""),
                            ))
                        })?;
                        Some(a.id)
                    };
                    store::dispatch(tx, p.id, kind.as_str(), &name, account)?;
                    let note = format!(
                        "{name} ({}){}",
                        kind.label().0,
                        if reason.is_empty() {
                            String::new()
                        } else {
                            format!(" · {reason}")
                        }
                    );
                    store::decide(tx, &p, Status::Dispatched, &note, me)?;
                }
                _ => {
                    return Err(Error::Invalid(Msg::new(
                        "请选择一个决定",
                        "choose a decision",
                    )));
                }
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "proposal.decide",
                &format!("proposal:{id}"),
                &decision,
            )?;
            Ok((decision, p.title, p.body))
        })
        .await?;
    if decision == "vote" {
        use teahouse_views::layout::urlencode;
        return Ok(see_other(&format!(
            "/c/{slug}/votes/new?title={}&explanation={}&proposal={id}",
            urlencode(&title),
            urlencode(&body)
        )));
    }
    Ok(see_other(&format!("/c/{slug}/proposals/{id}?done=decided")))
}

#[derive(serde::Deserialize)]
pub struct AssignmentForm {
    answer: String,
    note: Option<String>,
}

pub async fn assignment(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<AssignmentForm>,
) -> Result<Response, Error> {
    let me = m.account.id;
    let committee = m.account.has_role(m.community.id, Role::Committee);
    let note = f.note.unwrap_or_default().trim().to_string();
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "proposal.assignment",
        move |tx, p| {
            if p.assignee_account != Some(me) && !committee {
                return Err(Error::Forbidden);
            }
            if p.status != Status::Dispatched {
                return Err(conflict(
                    "这条提案不在待接单状态",
                    "this proposal is not waiting to be accepted",
                ));
            }
            match f.answer.as_str() {
                "accept" => {
                    store::set_status(tx, p.id, Status::InProgress)?;
                    store::event(tx, p.id, "accepted", &note, Some(me))?;
                    Ok("accepted")
                }
                "hand_back" => {
                    if note.is_empty() {
                        return Err(Error::Invalid(Msg::new(
                            "退回时请说明原因",
                            "say why you hand it back",
                        )));
                    }
                    store::hand_back(tx, p.id)?;
                    store::event(tx, p.id, "handed_back", &note, Some(me))?;
                    Ok("handed_back")
                }
                _ => Err(Error::Invalid(Msg::new(
                    "请选择接单或退回",
                    "choose accept or hand back",
                ))),
            }
        },
    )
    .await
}

pub async fn progress(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    mp: Multipart,
) -> Result<Response, Error> {
    let posted = super::files::read(mp).await?;
    let note = required_text(&posted.field("note"), 5000)?;
    let complete = checked(&posted.fields.get("complete").cloned());
    let photos = posted.uploads("file")?;
    let me = m.account.id;
    let committee = m.account.has_role(m.community.id, Role::Committee);
    let cid = m.community.id;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "proposal.progress",
        move |tx, p| {
            if p.assignee_account != Some(me) && !committee {
                return Err(Error::Forbidden);
            }
            if p.status != Status::InProgress {
                return Err(conflict(
                    "这条提案不在办理中",
                    "this proposal is not in progress",
                ));
            }
            let owner = if complete {
                format!("proposal-report:{}", p.id)
            } else {
                format!("proposal:{}", p.id)
            };
            for up in &photos {
                attachments::add(tx, cid, &owner, up, me)?;
            }
            if complete {
                store::complete(tx, p, &note, me)?;
                Ok("completed")
            } else {
                store::event(tx, p.id, "progress", &note, Some(me))?;
                Ok("progress")
            }
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct RateForm {
    score: String,
    comment: Option<String>,
}

pub async fn rate(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<RateForm>,
) -> Result<Response, Error> {
    let score = rules::parse_score(&f.score).map_err(Error::Invalid)?;
    let comment: String = f
        .comment
        .unwrap_or_default()
        .trim()
        .chars()
        .take(500)
        .collect();
    let me = m.account.id;
    let cid = m.community.id;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "proposal.rate",
        move |tx, p| {
            if p.status != Status::Completed {
                return Err(conflict("办结后才能评价", "it can be rated once completed"));
            }
            if !store::lives_in(tx, cid, &p.place, me)? {
                return Err(Error::Invalid(Msg::new(
                    format!("只有住在{}的居民可以评价", p.place_label),
                    format!("only residents of {} can rate it", p.place_label),
                )));
            }
            store::rate(tx, p.id, me, score, &comment)?;
            Ok("rated")
        },
    )
    .await
}

pub async fn ratings(
    State(st): State<AppState>,
    o: Overseer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let tz = o.community.tz.clone();
    let today = super::today(&tz);
    let current = (today.year(), ((today.month() - 1) / 3 + 1) as u8);
    let (year, quarter) = q
        .get("quarter")
        .and_then(|s| rules::parse_quarter(s))
        .unwrap_or(current);
    let (from, to) = rules::quarter_bounds(year, quarter);
    let from = day_start(&from.to_string(), &tz).unwrap_or(0);
    let to = day_start(&to.to_string(), &tz).unwrap_or(i64::MAX);
    let cid = o.community.id;
    let rows = st
        .db
        .read(move |c| store::ratings_between(c, cid, from, to))
        .await?;
    let table = rules::rating_table(&rows);
    let lines: Vec<view::RatingLine> = table
        .into_iter()
        .map(|r| {
            let (zh, en) = AssigneeKind::parse(&r.kind)
                .map(AssigneeKind::label)
                .unwrap_or(("", ""));
            view::RatingLine {
                assignee: r.assignee,
                kind: Bi::new(zh, en),
                proposals: r.proposals,
                ratings: r.ratings,
                average: r.average,
                lowest: r.lowest,
            }
        })
        .collect();
    let chrome = o.ctx.chrome(Some(&o.community));
    Ok(view::ratings_page(
        &chrome,
        &o.community.slug,
        &format!("{year}Q{quarter}"),
        &lines,
    )
    .into_response())
}

/// Open data: every published proposal with its steps.
pub async fn api(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let slug = v.community.slug.clone();
    let body = st
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for p in store::list(c, cid, None)? {
                if p.status == Status::Draft {
                    continue;
                }
                let ratings = store::ratings(c, p.id)?;
                let events: Vec<_> = store::events(c, p.id)?
                    .into_iter()
                    .map(|e| serde_json::json!({"kind": e.kind, "note": e.note, "at": e.at}))
                    .collect();
                out.push(serde_json::json!({
                    "id": p.id, "title": p.title, "body": p.body, "category": p.category,
                    "place": p.place_label, "status": p.status.as_str(), "cosigns": p.cosigns, "needed": p.needed,
                    "decision_reason": p.decision_reason, "deliberation": p.deliberation_id,
                    "assignee": p.assignee_name, "assignee_kind": p.assignee_kind, "report": p.report,
                    "published_at": p.published_at, "completed_at": p.completed_at,
                    "ratings": ratings.iter().map(|r| r.0).collect::<Vec<_>>(),
                    "events": events,
                }));
            }
            Ok(serde_json::json!({"community": slug, "proposals": out}))
        })
        .await?;
    Ok(Json(body).into_response())
}

#[derive(serde::Deserialize)]
pub struct ThresholdForm {
    threshold: String,
}

/// The committee sets how many co-signatures (or what share of households)
/// send a proposal to review. Proposals already published keep theirs.
pub async fn set_threshold(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<ThresholdForm>,
) -> Result<Response, Error> {
    let t = Threshold::parse(&f.threshold).map_err(Error::Invalid)?;
    let cid = com.community.id;
    let actor = com.ctx.actor();
    st.db
        .write(move |tx| {
            crate::store::communities::set_proposal_threshold(tx, cid, &t.show())?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "proposal.threshold",
                "community",
                &t.show(),
            )
        })
        .await?;
    Ok(see_other(&format!("/c/{}/proposals", com.community.slug)))
}
