//! The roll for the committee: the list and its exports, and adding and
//! editing one resident. This module holds the area's routes.

mod exports;
mod list;
mod residents;

pub use residents::code_refused;

use crate::web::routes::{Routes, form};
use axum::http::Method;
use axum::routing::{get, post};

/// The area's routes, for the table in `web::routes`. (The import of a
/// whole roll is its own area, `web::handlers::import`.)
pub fn routes() -> Routes {
    use Method as M;
    vec![
        (M::GET, "/c/{community}/roll", get(list::list)),
        (
            M::GET,
            "/c/{community}/roll/export.xlsx",
            get(exports::export_xlsx),
        ),
        (
            M::GET,
            "/c/{community}/roll/export.csv",
            get(exports::export_csv),
        ),
        (
            M::GET,
            "/c/{community}/roll/residents/new",
            get(residents::new_form),
        ),
        (
            M::POST,
            "/c/{community}/roll/residents",
            post(residents::create).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/roll/residents/{resident}",
            get(residents::edit_form),
        ),
        (
            M::POST,
            "/c/{community}/roll/residents/{resident}",
            post(residents::update).layer(form()),
        ),
    ]
}
