//! The roll for the committee: the list and its exports, and adding and
//! editing one resident. This module holds the area's routes.

mod exports;
mod list;
mod residents;

pub use residents::code_refused;

use crate::web::routes::{Routes, on_get, on_post};

/// The area's routes, for the table in `web::routes`. (The import of a
/// whole roll is its own area, `web::handlers::import`.)
pub fn routes() -> Routes {
    vec![
        on_get("/c/{community}/roll", list::list),
        on_get("/c/{community}/roll/export.xlsx", exports::export_xlsx),
        on_get("/c/{community}/roll/export.csv", exports::export_csv),
        on_get("/c/{community}/roll/residents/new", residents::new_form),
        on_post("/c/{community}/roll/residents", residents::create),
        on_get(
            "/c/{community}/roll/residents/{resident}",
            residents::edit_form,
        ),
        on_post(
            "/c/{community}/roll/residents/{resident}",
            residents::update,
        ),
    ]
}
