//! The committee's decision on a proposal under review: parsed from the form
//! field by field, checked and acted on in one transaction; a refused
//! decision comes back on the proposal's page as it was typed.

use super::conflict;
use super::page::render;
use crate::domain::Msg;
use crate::domain::Subject;
use crate::domain::proposal::{AssigneeKind, Status};
use crate::error::Error;
use crate::store::proposals::{self as store, Proposal};
use crate::store::{accounts, deliberations};
use crate::web::AppState;
use crate::web::ctx::{Committee, Visitor};
use crate::web::handlers::refused::{form_step, refuse_if};
use crate::web::handlers::{errors_with, invalid, see_other};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::proposals::Form as ProposalForm;
use teahouse_views::refused::Refused;

type Typed = HashMap<String, String>;

/// What the committee decided, with what each decision needs.
enum Decision {
    Schedule {
        meeting: i64,
    },
    Vote,
    Dispatch {
        kind: AssigneeKind,
        name: String,
        login: String,
    },
    Decline,
}

impl Decision {
    fn key(&self) -> &'static str {
        match self {
            Decision::Schedule { .. } => "schedule",
            Decision::Vote => "vote",
            Decision::Dispatch { .. } => "dispatch",
            Decision::Decline => "decline",
        }
    }
}

/// The decision and its public reason as typed, each mistake beside its field.
fn parse(f: &Typed) -> Result<(Decision, String), Errors> {
    let g = |k: &str| f.get(k).map_or("", |s| s.trim());
    let mut e = Errors::none();
    let reason = g("reason").to_string();
    if reason.chars().count() > 2000 {
        let m = Msg::new("理由最多 2000 字", "the reason is 2000 characters at most");
        e.add("reason", m);
    }
    let decision = match g("decision") {
        "schedule" => match g("deliberation").parse() {
            Ok(meeting) => Some(Decision::Schedule { meeting }),
            Err(_) => {
                let m = Msg::new("请选择要排入的议事会", "choose the meeting to put it on");
                e.add("deliberation", m);
                None
            }
        },
        "vote" => Some(Decision::Vote),
        "dispatch" => dispatch(
            g("assignee_kind"),
            g("assignee_name"),
            g("assignee_login"),
            &mut e,
        ),
        "decline" => {
            if reason.is_empty() {
                let m = Msg::new(
                    "不予采纳必须写明公开理由",
                    "a decline needs a public reason",
                );
                e.add("reason", m);
            }
            Some(Decision::Decline)
        }
        _ => {
            e.add("decision", Msg::new("请选择一个决定", "choose a decision"));
            None
        }
    };
    refuse_if(e)?;
    Ok((decision.unwrap_or(Decision::Vote), reason))
}

/// A dispatch: the kind of assignee and their name; a login is optional.
fn dispatch(kind: &str, name: &str, login: &str, e: &mut Errors) -> Option<Decision> {
    let kind = AssigneeKind::parse(kind);
    if kind.is_none() {
        let m = Msg::new("请选择负责人类别", "choose what kind of assignee");
        e.add("assignee_kind", m);
    }
    if name.is_empty() || name.chars().count() > 60 {
        let m = Msg::new(
            "请写负责人或团队名称（最多 60 字）",
            "name the person or team (60 characters at most)",
        );
        e.add("assignee_name", m);
    }
    Some(Decision::Dispatch {
        kind: kind?,
        name: name.to_string(),
        login: login.to_string(),
    })
}

/// Acts on the decision inside the transaction. What the form named that
/// the database refuses (a meeting already held, an unknown login) comes
/// back beside its field, before anything is written.
fn act(
    tx: &rusqlite::Transaction,
    p: &Proposal,
    d: &Decision,
    reason: &str,
    (cid, me): (i64, i64),
) -> Result<Result<(), Errors>, Error> {
    if !p.status.decidable() {
        return Err(conflict(
            "这条提案现在不能作出决定",
            "no decision can be made on this proposal now",
        ));
    }
    match d {
        Decision::Decline => {
            store::decide(tx, p, Status::Declined, reason, me)?;
        }
        Decision::Vote => {
            store::decide(tx, p, Status::Voting, reason, me)?;
        }
        Decision::Schedule { meeting } => {
            let meeting = deliberations::get(tx, cid, *meeting)?;
            if meeting.status != deliberations::Status::Planned {
                let m = Msg::new("这次议事会已经开过了", "that meeting has already been held");
                return Ok(Err(errors_with("deliberation", &m)));
            }
            let title: String = p.title.chars().take(100).collect();
            let detail: String = p.body.chars().take(2000).collect();
            deliberations::add_item(tx, &meeting, &title, &detail, None, Some(p.id))?;
            store::link_meeting(tx, p.id, meeting.id)?;
            let note = if reason.is_empty() {
                format!("{} · {}", meeting.title, meeting.place_label)
            } else {
                reason.to_string()
            };
            store::decide(tx, p, Status::Scheduled, &note, me)?;
        }
        Decision::Dispatch { kind, name, login } => {
            let account = if login.is_empty() {
                None
            } else {
                let Some(a) = accounts::for_login(tx, login)? else {
                    let m = Msg::new(
                        format!("没有登录名为“{login}”的账户"),
                        format!("no account has the login \"{login}\""),
                    );
                    return Ok(Err(errors_with("assignee_login", &m)));
                };
                Some(a.id)
            };
            store::dispatch(tx, p.id, kind.as_str(), name, account)?;
            let then = if reason.is_empty() {
                String::new()
            } else {
                format!(" · {reason}")
            };
            let note = format!("{name} ({}){then}", kind.label().0);
            store::decide(tx, p, Status::Dispatched, &note, me)?;
        }
    }
    Ok(Ok(()))
}

pub async fn decide(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let (decision, reason) = match parse(&f) {
        Ok(d) => d,
        Err(errors) => {
            return refused(
                &st,
                visitor(&com.ctx, &com.community),
                id,
                ProposalForm::Decide,
                f,
                errors,
            )
            .await;
        }
    };
    let key = decision.key();
    let who = (com.community.id, com.account.id);
    let res = form_step(
        &st,
        com.ctx.actor(),
        com.community.id,
        Subject::Proposal(id),
        "proposal.decide",
        store::get,
        move |tx, p: &Proposal| {
            Ok(act(tx, p, &decision, &reason, who)?.map(|()| (key.into(), key.into())))
        },
    )
    .await?;
    if let Err(errors) = res {
        return refused(
            &st,
            visitor(&com.ctx, &com.community),
            id,
            ProposalForm::Decide,
            f,
            errors,
        )
        .await;
    }
    let slug = &com.community.slug;
    if key != "vote" {
        return Ok(see_other(&format!("/c/{slug}/proposals/{id}?done=decided")));
    }
    use teahouse_views::layout::urlencode;
    // Read after the step only to fill the new-vote form's fields.
    let cid = com.community.id;
    let p = st.db.read(move |c| store::get(c, cid, id)).await?;
    Ok(see_other(&format!(
        "/c/{slug}/votes/new?title={}&explanation={}&proposal={id}",
        urlencode(&p.title),
        urlencode(&p.body)
    )))
}

/// The member as a visitor of the proposal's page.
pub(super) fn visitor(
    ctx: &crate::web::ctx::Ctx,
    community: &crate::store::communities::Community,
) -> Visitor {
    Visitor {
        ctx: ctx.clone(),
        community: community.clone(),
    }
}

/// A form of the proposal's page again, as typed, with its errors (422).
pub(super) async fn refused(
    st: &AppState,
    v: Visitor,
    id: i64,
    form: ProposalForm,
    typed: Typed,
    errors: Errors,
) -> Result<Response, Error> {
    refused_with(st, v, id, Refused::new(form, typed, errors)).await
}

/// The proposal's page with `r` (a refused form, perhaps with kept files) as typed (422).
pub(super) async fn refused_with(
    st: &AppState,
    v: Visitor,
    id: i64,
    r: Refused<ProposalForm>,
) -> Result<Response, Error> {
    Ok(invalid(render(st, &v, id, None, Some(r)).await?))
}
