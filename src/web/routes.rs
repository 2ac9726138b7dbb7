//! Every route in one table. The authorization matrix test walks this list,
//! so a new route cannot escape it.

use super::AppState;
use super::handlers::{
    accounts, assets, audit, board, deliberations, desk, disclosures, files, home, import, ledger,
    ops, prefs, proposals, roll, rounds, settings, votes,
};
use crate::config::Config;
use axum::handler::Handler;
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

/// One route of an area's list.
pub type Route = (Method, &'static str, MethodRouter<AppState>);

/// A page or a download: GET.
pub fn on_get<H, T>(path: &'static str, h: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    (Method::GET, path, get(h))
}

/// An ordinary form: POST with the form body limit.
pub fn on_post<H, T>(path: &'static str, h: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    (Method::POST, path, post(h).layer(form()))
}

/// A form that carries files: POST with the upload body limit.
pub fn on_upload<H, T>(path: &'static str, h: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    (Method::POST, path, post(h).layer(upload()))
}

/// The routes outside the areas: the start page, health, metrics, assets,
/// the operator's page and the community's own pages.
fn core() -> Routes {
    vec![
        on_get("/", home::home),
        on_get("/healthz", home::healthz),
        on_get("/metrics", super::metrics::render),
        on_get("/static/{file}", assets::serve),
        on_post("/prefs", prefs::set),
        on_get("/ops", ops::show),
        on_post("/ops/communities", ops::create_community),
        on_post("/ops/staff", ops::create_staff),
        on_get("/c/{community}", board::show),
        on_get("/c/{community}/settings", settings::show),
        on_post("/c/{community}/settings", settings::save),
        on_get("/c/{community}/roll/import", import::form),
        on_upload("/c/{community}/roll/import", import::check),
        on_post(
            "/c/{community}/roll/import/{import}/confirm",
            import::confirm,
        ),
        on_get("/c/{community}/roll/import/{import}", import::show),
        on_get("/c/{community}/audit", audit::show),
        on_get("/c/{community}/files/{file}", files::serve),
        on_get("/c/{community}/desk", desk::show),
    ]
}

pub fn table(cfg: &Config) -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
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
    core()
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
