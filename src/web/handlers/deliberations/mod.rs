//! Mobile teahouse deliberations (流动的茶馆): the series, one meeting
//! (agenda, sign-in, attendance, minutes), follow-up actions, the
//! iCalendar feed, the notice and open data.

mod actions;
mod agenda;
mod attendance;
mod exports;
mod minutes;
mod page;
mod refused;
mod series;

pub use series::{Series, board_summary, line, load_series};

/// The meeting routes, for `routes::table`.
// Long: one route per line; the route × role matrix test reads this list.
pub fn routes() -> Routes {
    use axum::http::Method as M;
    vec![
        (M::GET, "/c/{community}/deliberations", get(series::series)),
        (
            M::POST,
            "/c/{community}/deliberations",
            post(series::create).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/deliberations.ics",
            get(exports::ics),
        ),
        (
            M::GET,
            "/c/{community}/deliberations/{deliberation}",
            get(page::show),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/items",
            post(agenda::add_item).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/items/{item}/decide",
            post(agenda::decide_item).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/checkin",
            post(attendance::checkin).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/attendance",
            post(attendance::attendance).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/guests",
            post(attendance::guest).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/minutes",
            post(minutes::save_minutes).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/publish",
            post(minutes::publish).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/deliberations/{deliberation}/publish/confirm",
            get(minutes::publish_confirm),
        ),
        (
            M::POST,
            "/c/{community}/deliberations/{deliberation}/confirm",
            post(minutes::confirm).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/deliberations/{deliberation}/notice",
            get(page::notice),
        ),
        (M::GET, "/c/{community}/actions", get(actions::actions)),
        (
            M::POST,
            "/c/{community}/actions/{action}/close",
            post(actions::close_action).layer(upload()),
        ),
        (
            M::GET,
            "/api/v1/c/{community}/deliberations",
            get(exports::api),
        ),
    ]
}

use crate::domain::deliberation::{ActionStatus, ItemState};
use crate::error::Error;
use crate::store::deliberations::{self as store, Deliberation};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::routes::{Routes, form, upload};
use axum::response::Response;
use axum::routing::{get, post};

fn overdue(a: &store::Action, today: &str) -> bool {
    a.status == ActionStatus::Open && a.due.as_str() < today
}

/// One step on a meeting in one transaction with its audit row.
async fn step<F>(
    st: &AppState,
    ctx: &Ctx,
    community: &crate::store::communities::Community,
    id: i64,
    action: &'static str,
    done: &str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Deliberation) -> Result<String, Error> + Send + 'static,
{
    super::record_step(
        st,
        ctx,
        community,
        "deliberations",
        "deliberation",
        id,
        action,
        done,
        store::get,
        f,
    )
    .await
}

/// What a meeting or the actions page is asked for: the step just done,
/// a QR sign-in token, a diff between two revisions.
#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    pub(crate) done: Option<String>,
    pub(crate) t: Option<String>,
    pub(crate) diff: Option<i64>,
}

/// A meeting's status as its pages show it.
fn meeting_status(s: store::Status) -> teahouse_views::pages::deliberations::MeetingStatus {
    use teahouse_views::pages::deliberations::MeetingStatus as M;
    match s {
        store::Status::Planned => M::Planned,
        store::Status::Held => M::Held,
        store::Status::Published => M::Published,
    }
}

/// An agenda item's state as the meeting page shows it.
fn item_state(s: ItemState) -> teahouse_views::pages::deliberations::ItemState {
    use teahouse_views::pages::deliberations::ItemState as I;
    match s {
        ItemState::Agenda => I::Agenda,
        ItemState::Suggested => I::Suggested,
        ItemState::Declined => I::Declined,
    }
}
