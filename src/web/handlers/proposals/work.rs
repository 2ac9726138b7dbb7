//! The assignee's part: accepting or handing back, progress reports, and the residents' rating.

use super::{conflict, step};
use crate::domain::Msg;
use crate::domain::proposal::{self as rules, Status};
use crate::error::Error;
use crate::store::accounts::Role;
use crate::store::proposals::{self as store};
use crate::store::{attachments, required_text};
use crate::web::AppState;
use crate::web::ctx::Member;
use crate::web::handlers::checked;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;

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
    let posted = crate::web::handlers::files::read(mp).await?;
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
                crate::domain::Subject::Proposal(p.id).to_string()
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
