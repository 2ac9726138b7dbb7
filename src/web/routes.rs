//! Every route in one table. The authorization matrix test walks this list,
//! so a new route cannot escape it.

use super::AppState;
use super::handlers::{
    accounts, assets, audit, board, deliberations, desk, disclosures, files, home, import, ledger,
    ops, prefs, proposals, roll, rounds, settings, votes,
};
use crate::config::Config;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use std::convert::Infallible;
use std::time::Duration;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;

/// Body limits: ordinary forms are small; the roll import takes a workbook.
pub const FORM_LIMIT: usize = 256 * 1024;
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

/// The body limit of an ordinary form, for an area's route list.
pub fn form() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(FORM_LIMIT)
}

/// The body limit of a form that carries files.
pub fn upload() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)
}

/// An area's routes: method, path and handler.
pub type Routes = Vec<(Method, &'static str, MethodRouter<AppState>)>;

pub fn table(cfg: &Config) -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use axum::extract::DefaultBodyLimit;
    // Keyed on the client address as resolved behind a trusted proxy, not
    // on the TCP peer (which would be the proxy for everyone).
    let gov_cfg = GovernorConfigBuilder::default()
        .key_extractor(super::client_ip::ClientIpKey {
            trusted_proxy: cfg.trusted_proxy,
        })
        .period(Duration::from_secs(cfg.login_refill_secs.max(1)))
        .burst_size(cfg.login_burst.max(1))
        .finish()
        .expect("valid rate limit configuration");
    let limiter = GovernorLayer::new(gov_cfg).error_handler(|_| super::error::too_many_requests());
    let form = || DefaultBodyLimit::max(FORM_LIMIT);
    use Method as M;
    vec![
        (M::GET, "/", get(home::home)),
        (M::GET, "/healthz", get(home::healthz)),
        (M::GET, "/metrics", get(super::metrics::render)),
        (M::GET, "/static/{file}", get(assets::serve)),
        (M::POST, "/prefs", post(prefs::set).layer(form())),
        (M::GET, "/ops", get(ops::show)),
        (
            M::POST,
            "/ops/communities",
            post(ops::create_community).layer(form()),
        ),
        (M::POST, "/ops/staff", post(ops::create_staff).layer(form())),
        (M::GET, "/c/{community}", get(board::show)),
        (M::GET, "/c/{community}/settings", get(settings::show)),
        (
            M::POST,
            "/c/{community}/settings",
            post(settings::save).layer(form()),
        ),
        (M::GET, "/c/{community}/roll/import", get(import::form)),
        (
            M::POST,
            "/c/{community}/roll/import",
            post(import::check).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        (
            M::POST,
            "/c/{community}/roll/import/{import}/confirm",
            post(import::confirm).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/roll/import/{import}",
            get(import::show),
        ),
        (M::GET, "/c/{community}/audit", get(audit::show)),
        (M::GET, "/c/{community}/files/{file}", get(files::serve)),
        (M::GET, "/c/{community}/desk", get(desk::show)),
    ]
    .into_iter()
    .chain(votes::routes())
    .chain(ledger::routes())
    .chain(disclosures::routes())
    .chain(proposals::routes())
    .chain(rounds::routes())
    .chain(roll::routes())
    .chain(accounts::routes(|mr| {
        mr.layer::<_, Infallible>(limiter.clone())
            .layer::<_, Infallible>(form())
    }))
    .chain(deliberations::routes())
    .chain(super::handlers::notify_settings::routes())
    .chain(super::handlers::notify_prefs::routes())
    .chain(super::handlers::notices::routes())
    .collect()
}

/// (method, path) of every route, for the authorization matrix test.
pub fn list() -> Vec<(Method, &'static str)> {
    table(&Config::default())
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect()
}
