//! The web layer: router, middleware, extractors and handlers.

pub mod client_ip;
pub mod cookies;
pub mod ctx;
pub mod error;
pub mod guards;
pub mod handlers;
pub mod import_queue;
pub mod metrics;
pub mod page_cache;
pub mod refusal;
pub mod routes;
pub mod serve;
pub mod throttle;

use crate::config::Config;
use crate::error::Error;
use crate::store::{self, Db};
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares. One `Arc`, so that the clones each request
/// makes (a middleware's state, the `State` extractor) are one atomic
/// increment, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub db: Db,
    pub cfg: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    pub hasher: crate::password::Hasher,
    pub throttles: Arc<Throttles>,
    /// Permits for heavy jobs (see [`heavy`]).
    pub heavy: Arc<tokio::sync::Semaphore>,
    /// Permits for large request bodies being read and handled.
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Background .pb imports: at most one waiting or running per community
    /// and a few in all (each holds its parsed file), counted one at a time,
    /// round-robin by community, never on the slots spreadsheet uploads need.
    pub pb_imports: Arc<import_queue::ImportQueue>,
}

/// Runs CPU- or memory-heavy work (reading a spreadsheet, counting a .pb
/// file) on the blocking pool, never on the async workers, with at most
/// `Config::heavy_jobs` at once: beyond that the request is answered 503
/// (busy, nothing done) rather than queued without bound.
pub async fn heavy<T, F>(st: &AppState, f: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = st
        .heavy
        .clone()
        .try_acquire_owned()
        .map_err(|_| Error::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    })
    .await
    .map_err(|e| Error::Internal(format!("a background job failed: {e}")))
}

/// The delays after wrong passwords: one for logging in, one for the
/// current password on the account page.
pub struct Throttles {
    pub login: std::sync::Mutex<throttle::Throttle>,
    pub password: std::sync::Mutex<throttle::Throttle>,
}

impl Throttles {
    pub fn new(rule: &throttle::Rule) -> Self {
        Throttles {
            login: std::sync::Mutex::new(throttle::Throttle::new(rule.clone())),
            password: std::sync::Mutex::new(throttle::Throttle::new(rule.clone())),
        }
    }
}

/// No inline script or style anywhere; htmx is configured not to inject any.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The headers every response carries unless its handler set its own.
static SECURITY_HEADERS: [(header::HeaderName, HeaderValue); 7] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ),
    (
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    ),
    (
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
];

fn security_headers<B>(mut resp: axum::http::Response<B>) -> axum::http::Response<B> {
    let h = resp.headers_mut();
    for (name, value) in &SECURITY_HEADERS {
        if !h.contains_key(name) {
            h.insert(name.clone(), value.clone());
        }
    }
    resp
}

pub fn app(state: AppState) -> Router {
    let mut router = Router::new();
    // The liveness probe answers without the stack below (no session, no
    // page cache, no compression): what a monitor polls every few seconds
    // costs a bare route and a cached check (`store::health`).
    let mut bare = Router::new();
    for (method, path, mr) in routes::table(&state.cfg) {
        let _ = method;
        if path == PROBE {
            bare = bare.route(path, mr);
        } else {
            router = router.route(path, mr);
        }
    }
    // One stack, applied in one `layer` call: each route then holds the
    // whole stack as one service (cloned once a request) instead of one boxed
    // service per layer (fourteen clones and boxed futures a request).
    // Outermost first.
    let stack = tower::ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .map_future({
            let m = state.metrics.clone();
            move |response| metrics::track(&m, response)
        })
        // The compressing body is large (the encoders' state lives in it):
        // boxed once here, so the layers above move a small response.
        .map_response(IntoResponse::into_response)
        .layer(CompressionLayer::new())
        // Refusals around the handler, in the reader's language and header.
        .layer(refusal::Localize(state.db.clone()))
        // A panic in a handler is a 500 page, not a dropped connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.cfg.timeout_secs),
        ))
        .map_response(security_headers)
        .layer(RequestBodyLimitLayer::new(ctx::MAX_BODY))
        // The limited body, as the body type the middleware takes.
        .map_request(|r: axum::http::Request<_>| r.map(axum::body::Body::new))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ctx::middleware,
        ))
        .map_request(refusal::remember)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_cache::middleware,
        ));
    router
        .fallback(handlers::not_found)
        .layer(stack)
        .merge(bare)
        .with_state(state)
}

/// The path of the liveness probe, routed outside the stack.
const PROBE: &str = "/healthz";

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub db: Db,
    pub hasher: crate::password::Hasher,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, then returns.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Opens the database (running migrations, seeding the demo if asked),
/// binds, and serves until `stop`.
pub async fn start(cfg: Config) -> Result<Running, Error> {
    let db = {
        let path = cfg.db.clone();
        let readers = cfg.readers;
        tokio::task::spawn_blocking(move || store::open(&path, readers))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??
    };
    let hasher = crate::password::Hasher::start();
    if cfg.demo {
        crate::demo::seed_if_empty(&db, &hasher).await?;
    }
    let listener = TcpListener::bind(&cfg.bind)
        .await
        .map_err(|e| Error::Internal(format!("cannot listen on {}: {e}", cfg.bind)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let throttles = Arc::new(Throttles::new(&cfg.throttle));
    let heavy_jobs = cfg.heavy_jobs.max(1);
    let state = AppState(Arc::new(Shared {
        db: db.clone(),
        cfg: Arc::new(cfg),
        metrics: Arc::new(metrics::Metrics::default()),
        hasher: hasher.clone(),
        throttles,
        heavy: Arc::new(tokio::sync::Semaphore::new(heavy_jobs)),
        uploads: Arc::new(tokio::sync::Semaphore::new(ctx::UPLOADS_AT_ONCE)),
        pb_imports: import_queue::ImportQueue::new(4, 1, 1),
    }));
    // Imports a previous run left unfinished: failed, their staged rounds removed.
    handlers::rounds::import::recover(&state).await?;
    // Roll imports a previous run left half-written: nothing of them is
    // visible; their previews can be confirmed again, their staged rows go.
    store::roll::recover(&state.db).await?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    // Votes close by themselves at their closing time.
    let ticker = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(30));
        loop {
            every.tick().await;
            if let Err(e) = handlers::clock::close_due(&ticker).await {
                tracing::warn!(error = %e, "closing due votes failed");
            }
        }
    });
    // Notices: the delivery worker sends what the outbox holds.
    crate::notify::worker::spawn(&state.db, &state.cfg, addr)?;
    let header_timeout = Duration::from_secs(state.cfg.header_timeout_secs.max(1));
    let app = app(state);
    let task = tokio::spawn(serve::run(listener, app, header_timeout, rx));
    Ok(Running {
        addr,
        db,
        hasher,
        shutdown: tx,
        task,
    })
}
