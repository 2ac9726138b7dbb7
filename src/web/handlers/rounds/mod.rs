//! Micro-venture rounds: a budget the residents share out among their own
//! small projects, from ideas and review through the approval ballot to the
//! result, its explanation and the projects' milestones; Pabulib import and
//! export. This module holds the area's routes and the step its jobs share.

mod create;
mod exports;
pub mod import;
mod page;
mod phases;
mod projects;

use crate::domain::round::Phase;
use crate::error::Error;
use crate::store::rounds::{self as store, Round};
use crate::web::AppState;
use crate::web::routes::{Routes, form, upload};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use teahouse_views::Msg;

/// The area's routes, for the table in `web::routes`.
pub fn routes() -> Routes {
    use Method as M;
    vec![
        (M::GET, "/c/{community}/rounds", get(create::list)),
        (
            M::POST,
            "/c/{community}/rounds",
            post(create::create).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/rounds/import",
            post(import::import).layer(upload()),
        ),
        (
            M::GET,
            "/c/{community}/rounds/imports/{import}",
            get(import::show),
        ),
        (M::GET, "/c/{community}/rounds/{round}", get(page::show)),
        (
            M::GET,
            "/c/{community}/rounds/{round}/round.pb",
            get(exports::export_pb),
        ),
        (
            M::POST,
            "/c/{community}/rounds/{round}/projects",
            post(projects::submit).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/rounds/{round}/projects/{project}/review",
            post(projects::review).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/rounds/{round}/projects/{project}/milestones",
            post(projects::milestone).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/rounds/{round}/settings",
            post(phases::settings).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/rounds/{round}/phase",
            post(phases::phase).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/rounds/{round}/ballot",
            post(phases::ballot).layer(form()),
        ),
        (M::GET, "/api/v1/c/{community}/rounds", get(exports::api)),
    ]
}

pub(crate) fn phase_bi(p: Phase) -> Msg {
    let (zh, en) = p.label();
    Msg::new(zh, en)
}

/// One step on a round: one transaction with its audit row, then its page.
async fn step<F>(
    st: &AppState,
    ctx: &crate::web::ctx::Ctx,
    com: &crate::store::communities::Community,
    id: i64,
    action: &'static str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Round) -> Result<&'static str, Error> + Send + 'static,
{
    crate::web::handlers::step_on(
        st,
        ctx,
        com,
        "rounds",
        "round",
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

/// A blank limit is no limit; otherwise a whole number above zero.
fn parse_max(s: &str) -> Result<Option<u32>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(()),
    }
}
