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
mod tally_sheet;

use super::fmt_time;
use crate::error::Error;
use crate::store::communities::Community;
use crate::store::votes::{self, Status, Vote};
use crate::web::AppState;
use crate::web::ctx::{Ctx, Visitor};
use crate::web::routes::{Routes, form, upload};
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use teahouse_views::pages::votes as view;

/// The area's routes, in the order the route table lists them.
pub fn routes() -> Routes {
    use Method as M;
    vec![
        (M::GET, "/c/{community}/votes", get(list)),
        (M::GET, "/c/{community}/votes/new", get(draft::new_form)),
        (
            M::POST,
            "/c/{community}/votes",
            post(draft::create).layer(form()),
        ),
        (M::GET, "/c/{community}/votes/{vote}", get(page::show)),
        (
            M::POST,
            "/c/{community}/votes/{vote}/open",
            post(lifecycle::open).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/votes/{vote}/open/confirm",
            get(lifecycle::open_confirm),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/ballot",
            post(ballots::cast).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/files",
            post(files::attach).layer(upload()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/files/{file}/delete",
            post(files::detach).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/paper",
            post(ballots::paper).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/votes/{vote}/tally-sheet",
            get(tally_sheet::show),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/tally-sheet",
            post(tally_sheet::save).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/tally-sheet/{sheet}/confirm",
            post(tally_sheet::confirm).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/tally-sheet/{sheet}/discard",
            post(tally_sheet::discard).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/resolve",
            post(ballots::resolve).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/close",
            post(lifecycle::close).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/votes/{vote}/export.json",
            get(exports::export),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/objections",
            post(publicity::object).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/objections/{objection}/answer",
            post(publicity::answer).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/final",
            post(publicity::finalize).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/votes/{vote}/notice",
            get(publicity::notice_page),
        ),
        (
            M::GET,
            "/c/{community}/votes/{vote}/tally.xlsx",
            get(exports::tally_xlsx),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/elevator",
            post(elevator::set_plan).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/affected",
            post(elevator::set_affected).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/proxies",
            post(ballots::authorize_proxy).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/proxy-ballot",
            post(ballots::proxy_ballot).layer(form()),
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
