//! Votes: the committee drafts, opens and closes; residents cast and change
//! their ballots; paper ballots are entered by the committee; everyone can
//! read results, download the count and check the ledger. One file a job;
//! this one holds the area's routes and the step every change goes through.

mod ballots;
mod draft;
mod elevator;
mod exports;
mod files;
mod lifecycle;
mod page;
mod page_read;
mod publicity;
mod refused;
mod tally_sheet;

use super::fmt_time;
use crate::error::Error;
use crate::store::communities::Community;
use crate::store::votes::{self, Status, Vote};
use crate::web::AppState;
use crate::web::ctx::{Ctx, Visitor};
use crate::web::routes::{Routes, on_get, on_post, on_upload};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use teahouse_views::pages::votes as view;

/// The area's routes, in the order the route table lists them.
pub fn routes() -> Routes {
    vec![
        on_get("/c/{community}/votes", list),
        on_get("/c/{community}/votes/new", draft::new_form),
        on_post("/c/{community}/votes", draft::create),
        on_get("/c/{community}/votes/{vote}", page::show),
        on_post("/c/{community}/votes/{vote}/open", lifecycle::open),
        on_get(
            "/c/{community}/votes/{vote}/open/confirm",
            lifecycle::open_confirm,
        ),
        on_post("/c/{community}/votes/{vote}/ballot", ballots::cast),
        on_upload("/c/{community}/votes/{vote}/files", files::attach),
        on_post(
            "/c/{community}/votes/{vote}/files/{file}/delete",
            files::detach,
        ),
        on_post("/c/{community}/votes/{vote}/paper", ballots::paper),
        on_get("/c/{community}/votes/{vote}/tally-sheet", tally_sheet::show),
        on_post("/c/{community}/votes/{vote}/tally-sheet", tally_sheet::save),
        on_post(
            "/c/{community}/votes/{vote}/tally-sheet/{sheet}/confirm",
            tally_sheet::confirm,
        ),
        on_post(
            "/c/{community}/votes/{vote}/tally-sheet/{sheet}/discard",
            tally_sheet::discard,
        ),
        on_post("/c/{community}/votes/{vote}/resolve", ballots::resolve),
        on_post("/c/{community}/votes/{vote}/close", lifecycle::close),
        on_get("/c/{community}/votes/{vote}/export.json", exports::export),
        on_post("/c/{community}/votes/{vote}/objections", publicity::object),
        on_post(
            "/c/{community}/votes/{vote}/objections/{objection}/answer",
            publicity::answer,
        ),
        on_post("/c/{community}/votes/{vote}/final", publicity::finalize),
        on_get("/c/{community}/votes/{vote}/notice", publicity::notice_page),
        on_get(
            "/c/{community}/votes/{vote}/tally.xlsx",
            exports::tally_xlsx,
        ),
        on_post("/c/{community}/votes/{vote}/elevator", elevator::set_plan),
        on_post(
            "/c/{community}/votes/{vote}/affected",
            elevator::set_affected,
        ),
        on_post(
            "/c/{community}/votes/{vote}/proxies",
            ballots::authorize_proxy,
        ),
        on_post(
            "/c/{community}/votes/{vote}/proxy-ballot",
            ballots::proxy_ballot,
        ),
    ]
}

/// The status a person reads: a closed vote is "in publicity" until final.
fn shown_status(v: &Vote) -> view::Shown {
    match (v.status, v.final_at) {
        (Status::Draft, _) => view::Shown::Draft,
        (Status::Open, _) => view::Shown::Open,
        (Status::Closed, None) => view::Shown::Publicity,
        (Status::Closed, Some(_)) => view::Shown::Final,
    }
}

pub fn line(v: &Vote, tz: &str) -> view::VoteLine {
    view::VoteLine {
        id: v.id,
        title: v.title.clone(),
        status: shown_status(v),
        scope: v.scope_label.clone(),
        closes: fmt_time(v.closes_at, tz),
        verdict: v.result.as_ref().map(|r| r.verdict.clone()),
    }
}

/// The votes shown on the board and the list page.
pub async fn lines(
    st: &AppState,
    community_id: i64,
    tz: &str,
    drafts: bool,
) -> Result<Vec<view::VoteLine>, Error> {
    let list = st
        .db
        .read(move |c| votes::list(c, community_id, drafts))
        .await?;
    Ok(list.iter().map(|v| line(v, tz)).collect())
}

pub async fn list(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let chrome = v.ctx.chrome(Some(&v.community));
    let l = lines(&st, v.community.id, &v.community.tz, chrome.is_committee()).await?;
    Ok(view::list_page(&chrome, &v.community.slug, &l).into_response())
}
/// One step on a vote by someone in the community: the vote is loaded
/// inside the write transaction (so a ballot queued behind a close sees the
/// vote closed), then the step and its audit row, then back to the vote page.
/// The step returns the audit detail (never a ballot's choice).
async fn step<F>(
    st: &AppState,
    ctx: &Ctx,
    community: &Community,
    id: i64,
    action: &'static str,
    done: &str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Vote) -> Result<String, Error> + Send + 'static,
{
    super::record_step(
        st,
        ctx,
        community,
        "votes",
        "vote",
        id,
        action,
        done,
        votes::get,
        f,
    )
    .await
}
