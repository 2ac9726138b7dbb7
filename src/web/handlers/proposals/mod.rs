//! Proposals: a resident's idea from draft through co-signing, the
//! committee's decision and the assignee's work to the residents' rating.
//! This module holds the area's routes and the words and step its jobs share.

mod decide;
mod draft;
mod open;
mod page;
mod steps;
mod work;

use crate::domain::Msg;
use crate::domain::proposal::{self as rules, Status, Threshold};
use crate::error::Error;
use crate::store::proposals::{self as store, Proposal};
use crate::web::AppState;
use crate::web::routes::{Routes, form, upload};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use teahouse_views::pages::proposals as view;

/// The area's routes, for the table in `web::routes`.
// Long: one route per line; the route × role matrix test reads this list.
pub fn routes() -> Routes {
    use Method as M;
    vec![
        (M::GET, "/c/{community}/proposals", get(page::list)),
        (M::GET, "/c/{community}/proposals/new", get(draft::new_form)),
        (
            M::GET,
            "/c/{community}/proposals/similar",
            get(draft::similar),
        ),
        (
            M::GET,
            "/c/{community}/proposals/ratings",
            get(open::ratings),
        ),
        (
            M::POST,
            "/c/{community}/proposals/threshold",
            post(open::set_threshold).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals",
            post(draft::create).layer(upload()),
        ),
        (
            M::GET,
            "/c/{community}/proposals/{proposal}",
            get(page::show),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/publish",
            post(steps::publish).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/withdraw",
            post(steps::withdraw).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/cosign",
            post(steps::cosign).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/cosign/withdraw",
            post(steps::uncosign).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/proposals/{proposal}/edit",
            get(draft::edit_form),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/edit",
            post(draft::update).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/comments",
            post(steps::comment).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/pickup",
            post(steps::pickup).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/decide",
            post(decide::decide).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/assignment",
            post(work::assignment).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/progress",
            post(work::progress).layer(upload()),
        ),
        (
            M::POST,
            "/c/{community}/proposals/{proposal}/rate",
            post(work::rate).layer(form()),
        ),
        (M::GET, "/api/v1/c/{community}/proposals", get(open::api)),
    ]
}

fn status_bi(s: Status) -> Msg {
    let (zh, en) = s.label();
    Msg::new(zh, en)
}

fn category_bi(k: &str) -> Msg {
    let (zh, en) = rules::category_label(k);
    Msg::new(zh, en)
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

pub fn event_bi(kind: &str) -> Msg {
    match kind {
        "published" => Msg::new("公开征集附议", "published for co-signing"),
        "threshold" => Msg::new("附议人数已满，进入审议", "threshold reached; under review"),
        "picked" => Msg::new("委员会直接选取审议", "picked up by the committee"),
        "progress" => Msg::new("办理进展", "progress update"),
        "accepted" => Msg::new("负责人已接单", "accepted by the assignee"),
        "handed_back" => Msg::new("负责人退回", "handed back by the assignee"),
        "withdrawn" => Msg::new("提案人撤回", "withdrawn by the author"),
        "vote_drafted" => Msg::new("表决草稿已建立", "a vote was drafted"),
        other => Status::parse(other)
            .map(status_bi)
            .unwrap_or_else(|| Msg::new(other, other)),
    }
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
    crate::web::handlers::step_on(
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
