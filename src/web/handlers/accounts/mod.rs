//! Accounts: logging in and out, activating an account with a one-time
//! code, one's own account page, and the committee issuing those codes.
//! This module holds the area's routes.

mod activate;
mod codes;
pub mod login;
mod mine;
mod page;

use crate::web::AppState;
use crate::web::routes::{Routes, form};
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

/// The area's routes, for the table in `web::routes`. `limited` wraps the
/// two posts that take a password or a code in the per-address rate limit.
pub fn routes(limited: impl Fn(MethodRouter<AppState>) -> MethodRouter<AppState>) -> Routes {
    use Method as M;
    vec![
        (M::GET, "/login", get(login::login_form)),
        (M::POST, "/login", limited(post(login::login))),
        (M::POST, "/logout", post(login::logout).layer(form())),
        (M::GET, "/activate", get(activate::activate_form)),
        (M::POST, "/activate", limited(post(activate::activate))),
        (M::GET, "/account", get(page::show)),
        (
            M::POST,
            "/account/password",
            post(page::change_password).layer(form()),
        ),
        (
            M::POST,
            "/account/resets/seen",
            post(page::resets_seen).layer(form()),
        ),
        (M::GET, "/c/{community}/codes", get(codes::form)),
        (
            M::POST,
            "/c/{community}/codes",
            post(codes::issue).layer(form()),
        ),
    ]
}
