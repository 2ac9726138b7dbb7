//! A step on a meeting from one of its forms: done, the meeting's page;
//! refused for what was typed, the same form again (422), as typed, with
//! each error beside its field. Nothing is written when it is refused.

use super::ShowQuery;
use super::page::{Again, render};
use crate::domain::Subject;
use crate::error::Error;
use crate::store::deliberations::{self as store, Deliberation};
use crate::web::AppState;
use crate::web::ctx::{Ctx, Visitor};
use crate::web::handlers::refused::form_step;
use crate::web::handlers::see_other;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::deliberations::Form;
use teahouse_views::refused::Refused;

pub(super) type Typed = HashMap<String, String>;

/// Which form, what was typed into it, and where the step goes.
pub(super) struct Posted<'a> {
    pub ctx: &'a Ctx,
    pub community: &'a crate::store::communities::Community,
    pub id: i64,
    pub form: Form,
    pub typed: Typed,
}

/// Runs `f` on the meeting in one transaction: `Ok(Ok(detail))` is done
/// (audit row written, `done` shown on the page); `Ok(Err(errors))` refuses
/// the form before anything is written.
pub(super) async fn form_on<F>(
    st: &AppState,
    p: Posted<'_>,
    action: &'static str,
    done: &'static str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Deliberation) -> Result<Result<String, Errors>, Error>
        + Send
        + 'static,
{
    let res = form_step(
        st,
        p.ctx.actor(),
        p.community.id,
        Subject::Deliberation(p.id),
        action,
        store::get,
        move |tx, d| Ok(f(tx, d)?.map(|detail| (done.to_string(), detail))),
    )
    .await?;
    match res {
        Ok(done) => Ok(see_other(&format!(
            "/c/{}/deliberations/{}?done={done}",
            p.community.slug, p.id
        ))),
        Err(errors) => again(st, p, errors).await,
    }
}

/// The meeting's page with the form as typed and its errors (422).
pub(super) async fn again(st: &AppState, p: Posted<'_>, errors: Errors) -> Result<Response, Error> {
    let v = Visitor {
        ctx: p.ctx.clone(),
        community: p.community.clone(),
    };
    let again = Again {
        refused: Some(Refused::new(p.form, p.typed, errors)),
        ..Default::default()
    };
    let mut resp = render(st, v, p.id, ShowQuery::default(), again).await?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}
