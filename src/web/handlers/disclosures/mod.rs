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
    vec![
        on_get("/c/{community}/disclosures", board::board),
        on_upload("/c/{community}/disclosures", draft::create),
        on_get("/c/{community}/disclosures/new", draft::new_form),
        on_post("/c/{community}/disclosures/cadence", board::set_cadence),
        on_get("/c/{community}/disclosures/{disclosure}", page::show),
        on_get(
            "/c/{community}/disclosures/{disclosure}/edit",
            draft::edit_form,
        ),
        on_upload("/c/{community}/disclosures/{disclosure}/edit", draft::edit),
        on_post(
            "/c/{community}/disclosures/{disclosure}/submit",
            review::submit,
        ),
        on_post("/c/{community}/disclosures/{disclosure}/sign", review::sign),
        on_post(
            "/c/{community}/disclosures/{disclosure}/queries",
            review::query,
        ),
        on_post(
            "/c/{community}/disclosures/{disclosure}/threads/{thread}/answer",
            review::answer,
        ),
        on_post(
            "/c/{community}/disclosures/{disclosure}/threads/{thread}/accept",
            review::accept,
        ),
        on_post(
            "/c/{community}/disclosures/{disclosure}/threads/{thread}/requery",
            review::requery,
        ),
        on_post(
            "/c/{community}/disclosures/{disclosure}/publish",
            review::publish,
        ),
        on_post(
            "/c/{community}/disclosures/{disclosure}/correct",
            review::correct,
        ),
        on_post(
            "/c/{community}/disclosures/{disclosure}/questions",
            review::ask,
        ),
        on_upload(
            "/c/{community}/disclosures/{disclosure}/files",
            uploads::attach,
        ),
        on_post(
            "/c/{community}/disclosures/{disclosure}/files/{file}/delete",
            uploads::detach,
        ),
        on_get(
            "/c/{community}/disclosures/{disclosure}/notice",
            exports::notice,
        ),
        on_get(
            "/c/{community}/disclosures/{disclosure}/table.csv",
            exports::table_csv,
        ),
        on_get(
            "/c/{community}/disclosures/{disclosure}/table.xlsx",
            exports::table_xlsx,
        ),
        on_get("/api/v1/c/{community}/disclosures", exports::api),
    ]
}

use crate::domain::disclosure::{Category, Period};
use crate::error::Error;
use crate::store::disclosures::{self as store, Disclosure};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::routes::{Routes, on_get, on_post, on_upload};
use axum::response::Response;
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
