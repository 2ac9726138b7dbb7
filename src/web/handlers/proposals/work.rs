//! The assignee's part: accepting or handing back, progress reports, and
//! the residents' rating. A form refused for what was typed comes back on
//! the proposal's page as it was typed.

use super::decide::{refused, refused_with, visitor};
use super::{conflict, step};
use crate::domain::Msg;
use crate::domain::proposal::{self as rules, Status};
use crate::error::Error;
use crate::store::accounts::Role;
use crate::store::attachments;
use crate::store::proposals::{self as store};
use crate::web::AppState;
use crate::web::ctx::Member;
use crate::web::handlers::checked;
use crate::web::handlers::refused::{Files, field, files, keep, refuse_if, required};
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::proposals::Form as ProposalForm;
use teahouse_views::refused::Refused;

type Typed = HashMap<String, String>;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;

/// Accepting or handing back: the answer, and the note a hand-back needs.
fn parse_assignment(f: &Typed) -> Result<(bool, String), Errors> {
    let note = f.get("note").map_or("", |s| s.trim()).to_string();
    let mut e = Errors::none();
    let accept = match f.get("answer").map(String::as_str) {
        Some("accept") => true,
        Some("hand_back") => {
            if note.is_empty() {
                e.add(
                    "note",
                    Msg::new("退回时请说明原因", "say why you hand it back"),
                );
            }
            false
        }
        _ => {
            let m = Msg::new("请选择接单或退回", "choose accept or hand back");
            e.add("answer", m);
            false
        }
    };
    refuse_if(e)?;
    Ok((accept, note.chars().take(5000).collect()))
}

pub async fn assignment(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let (accept, note) = match parse_assignment(&f) {
        Ok(a) => a,
        Err(e) => {
            let v = visitor(&m.ctx, &m.community);
            return refused(&st, v, id, ProposalForm::Assignment, f, e).await;
        }
    };
    let me = m.account.id;
    let committee = m.account.has_role(m.community.id, Role::Committee);
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
            if accept {
                store::set_status(tx, p.id, Status::InProgress)?;
                store::event(tx, p.id, "accepted", &note, Some(me))?;
                Ok("accepted")
            } else {
                store::hand_back(tx, p.id)?;
                store::event(tx, p.id, "handed_back", &note, Some(me))?;
                Ok("handed_back")
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
    let mut e = Errors::none();
    let note = required(&mut e, "note", &posted.field("note"), 5000);
    let complete = checked(&posted.fields.get("complete").cloned());
    let photos = files(&mut e, &posted, "file");
    if !e.is_empty() {
        let typed = Typed::from([
            ("note".to_string(), posted.field("note")),
            (
                "complete".to_string(),
                if complete { "1" } else { "" }.into(),
            ),
        ]);
        return progress_again(&st, &m, id, typed, e, photos).await;
    }
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
            // The photos kept from a refused try go first, as chosen first.
            attachments::claim(tx, cid, me, &photos.kept, &owner)?;
            for up in &photos.new {
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

/// A refused report again, as typed, with its photos kept (so a resident on
/// a phone need not find them again) and ticked beside the photo field.
async fn progress_again(
    st: &AppState,
    m: &Member,
    id: i64,
    typed: Typed,
    errors: Errors,
    photos: Files,
) -> Result<Response, Error> {
    let kept = keep(st, m.community.id, m.account.id, photos).await?;
    let mut r = Refused::new(ProposalForm::Progress, typed, errors);
    r.kept = kept;
    refused_with(st, visitor(&m.ctx, &m.community), id, r).await
}

pub async fn rate(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let mut e = Errors::none();
    let score = f.get("score").map_or("", String::as_str);
    let score = field(&mut e, "score", rules::parse_score(score));
    let Some(score) = score else {
        let v = visitor(&m.ctx, &m.community);
        return refused(&st, v, id, ProposalForm::Rate, f, e).await;
    };
    let comment: String = f
        .get("comment")
        .map_or("", |s| s.trim())
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
