//! The disclosure board (村务/居务公开): the public board and pages, the
//! committee's drafting, the supervision committee's review, residents'
//! questions, corrections, downloads and open data.

mod board;
mod draft;
mod exports;
mod page;
mod review;
mod uploads;

pub use board::{category_lines, lines};

/// The disclosure routes, for `routes::table`.
pub fn routes() -> Routes {
    use axum::http::Method as M;
    vec![
        (M::GET, "/c/{community}/disclosures", get(board::board)),
        (
            M::POST,
            "/c/{community}/disclosures",
            post(draft::create).layer(upload()),
        ),
        (
            M::GET,
            "/c/{community}/disclosures/new",
            get(draft::new_form),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/cadence",
            post(board::set_cadence).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/disclosures/{disclosure}",
            get(page::show),
        ),
        (
            M::GET,
            "/c/{community}/disclosures/{disclosure}/edit",
            get(draft::edit_form),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/edit",
            post(draft::edit).layer(upload()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/submit",
            post(review::submit).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/sign",
            post(review::sign).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/queries",
            post(review::query).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/threads/{thread}/answer",
            post(review::answer).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/threads/{thread}/accept",
            post(review::accept).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/threads/{thread}/requery",
            post(review::requery).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/publish",
            post(review::publish).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/correct",
            post(review::correct).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/questions",
            post(review::ask).layer(form()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/files",
            post(uploads::attach).layer(upload()),
        ),
        (
            M::POST,
            "/c/{community}/disclosures/{disclosure}/files/{file}/delete",
            post(uploads::detach).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/disclosures/{disclosure}/notice",
            get(exports::notice),
        ),
        (
            M::GET,
            "/c/{community}/disclosures/{disclosure}/table.csv",
            get(exports::table_csv),
        ),
        (
            M::GET,
            "/c/{community}/disclosures/{disclosure}/table.xlsx",
            get(exports::table_xlsx),
        ),
        (
            M::GET,
            "/api/v1/c/{community}/disclosures",
            get(exports::api),
        ),
    ]
}

use crate::domain::disclosure::{Category, Period};
use crate::error::Error;
use crate::store::disclosures::{self as store, Disclosure};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::routes::{Routes, form, upload};
use axum::response::Response;
use axum::routing::{get, post};
use teahouse_views::Msg;

fn cat_bi(c: Category) -> Msg {
    let (z, e) = c.names();
    Msg::new(z, e)
}

fn period_bi(p: Period) -> Msg {
    let (z, e) = p.words();
    Msg::new(z, e)
}

fn is_staff(ctx: &Ctx, cid: i64) -> (bool, bool) {
    use crate::store::accounts::Role;
    let a = ctx.0.account.as_ref();
    (
        a.is_some_and(|a| a.has_role(cid, Role::Committee)),
        a.is_some_and(|a| a.has_role(cid, Role::Supervisor)),
    )
}

/// Loads the disclosure, runs one step and its audit row in one transaction,
/// and sends the reader back to the page.
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
    F: FnOnce(&rusqlite::Transaction, &Disclosure) -> Result<String, Error> + Send + 'static,
{
    super::record_step(
        st,
        ctx,
        community,
        "disclosures",
        "disclosure",
        id,
        action,
        done,
        store::get,
        f,
    )
    .await
}

fn entry_detail(e: &crate::domain::ledger::Entry) -> String {
    format!("ledger #{} {}", e.seq, e.hash)
}

/// A disclosure's status as its lists show it.
pub fn stage(s: store::Status) -> teahouse_views::pages::disclosures::Stage {
    stage_of(s, true, false)
}

/// A disclosure's step as its page shows it: a query with every answer in
/// is back with the committee to resubmit; a signature on the content shown
/// leaves it to the committee to publish.
pub fn stage_of(
    s: store::Status,
    open_query: bool,
    signed: bool,
) -> teahouse_views::pages::disclosures::Stage {
    use teahouse_views::pages::disclosures::Stage;
    match s {
        store::Status::Draft => Stage::Draft,
        store::Status::Review if signed && !open_query => Stage::Signed,
        store::Status::Review => Stage::Review,
        store::Status::Queried if open_query => Stage::Queried,
        store::Status::Queried => Stage::Answered,
        store::Status::Published => Stage::Published,
    }
}
