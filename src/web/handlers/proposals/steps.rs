//! The author's and the community's steps: publish, withdraw, co-sign (and
//! withdraw a co-signature), comment, pick up.

use super::decide::{refused, visitor};
use super::{conflict, step, threshold_of};
use crate::domain::Msg;
use crate::domain::proposal::Status;
use crate::error::Error;
use crate::store::proposals::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member};
use crate::web::handlers::errors_with;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::pages::proposals::Form as ProposalForm;

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
                    "委员会已作出决定，不能再撤回",
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

/// A co-signer takes their co-signature back while the proposal still
/// collects them; the count goes down and the ledger says so.
pub async fn uncosign(
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
        "proposal.cosign_withdraw",
        move |tx, p| {
            store::withdraw_cosign(tx, p, me)?;
            Ok("uncosigned")
        },
    )
    .await
}

/// The longest comment or reply, in characters.
const COMMENT_MAX: usize = 2000;

#[derive(serde::Deserialize)]
pub struct CommentForm {
    body: String,
    parent: Option<String>,
}

/// A comment, or a reply under comment `parent`. An empty or too long body
/// comes back on the proposal's page as typed, its error beside the
/// textarea (a reply's under its parent, open); nothing is written.
pub async fn comment(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<CommentForm>,
) -> Result<Response, Error> {
    let me = m.account.id;
    let parent = f
        .parent
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i64>().map_err(|_| Error::NotFound))
        .transpose()?;
    let body = f.body.trim().to_string();
    if body.is_empty() || body.chars().count() > COMMENT_MAX {
        let form = parent.map_or(ProposalForm::Comment, ProposalForm::Reply);
        let msg = Msg::new(
            format!("请写下留言内容（最多 {COMMENT_MAX} 字）"),
            format!("write your comment ({COMMENT_MAX} characters at most)"),
        );
        let typed = HashMap::from([("body".to_string(), f.body)]);
        let v = visitor(&m.ctx, &m.community);
        return refused(&st, v, id, form, typed, errors_with("body", &msg)).await;
    }
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
