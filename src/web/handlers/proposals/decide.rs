//! The committee's decision on a proposal under review.

use super::conflict;
use crate::domain::Msg;
use crate::domain::proposal::{AssigneeKind, Status};
use crate::error::Error;
use crate::store::proposals::{self as store};
use crate::store::{accounts, deliberations};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::see_other;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;

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
    // The shared step: the proposal is loaded inside the write transaction
    // and the audit row written there; the step returns the decision twice,
    // as what happened and as the audit detail.
    let decision = crate::web::handlers::apply_step(
        &st,
        actor,
        cid,
        crate::domain::Subject::Proposal(id),
        "proposal.decide",
        store::get,
        move |tx, p: &crate::store::proposals::Proposal| {
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
                    store::decide(tx, p, Status::Declined, &reason, me)?;
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
                    store::decide(tx, p, Status::Scheduled, &note, me)?;
                }
                "vote" => {
                    store::decide(tx, p, Status::Voting, &reason, me)?;
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
                    store::decide(tx, p, Status::Dispatched, &note, me)?;
                }
                _ => {
                    return Err(Error::Invalid(Msg::new(
                        "请选择一个决定",
                        "choose a decision",
                    )));
                }
            }
            Ok((decision.clone(), decision))
        },
    )
    .await?;
    if decision == "vote" {
        use teahouse_views::layout::urlencode;
        // Read after the step only to fill the new-vote form's fields.
        let p = st.db.read(move |c| store::get(c, cid, id)).await?;
        let (title, body) = (p.title, p.body);
        return Ok(see_other(&format!(
            "/c/{slug}/votes/new?title={}&explanation={}&proposal={id}",
            urlencode(&title),
            urlencode(&body)
        )));
    }
    Ok(see_other(&format!("/c/{slug}/proposals/{id}?done=decided")))
}
