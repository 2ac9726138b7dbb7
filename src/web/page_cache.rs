//! Community pages as an anonymous visitor gets them, kept until the next
//! commit: a page nobody is logged in to see is the same for every visitor
//! with the same language, text size and origin, except for the visitor's
//! own CSRF token, which is cut out when a page is kept and put back for
//! each visitor. Any commit (the writer's, or another connection's seen
//! through `PRAGMA data_version`) makes every kept page stale, and none is
//! older than [`crate::store::cache::MAX_AGE`], so a page under load is built once a
//! commit instead of once a request. Logged-in readers, htmx fragments,
//! anything but a 200 HTML page and pages that set a cookie are never kept.

use super::AppState;
use super::ctx::ReqCtx;
use crate::store::cache::{PageKey, Rendered};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use teahouse_views::Lang;

/// The key a request's page is kept by, if it may be kept at all.
fn key_of(req: &Request) -> Option<(PageKey, String)> {
    let ctx = req.extensions().get::<ReqCtx>()?;
    let keepable = req.method() == Method::GET
        && ctx.account.is_none()
        && ctx.session_token.is_none()
        && !ctx.htmx_fragment
        && !req.headers().contains_key("hx-request")
        && req.uri().path().starts_with("/c/");
    keepable.then(|| {
        (
            PageKey {
                path: ctx.path.clone(),
                lang: match ctx.lang {
                    Lang::Zh => 0,
                    Lang::En => 1,
                },
                large: ctx.large,
                origin: ctx.origin.clone(),
            },
            ctx.csrf.clone(),
        )
    })
}

fn respond(page: &Rendered, token: &str) -> Response {
    let mut resp = Body::from(page.with_token(token)).into_response();
    if let Ok(v) = header::HeaderValue::from_bytes(&page.content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// Serves a kept page, or builds it and keeps it when it may be kept.
pub async fn middleware(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some((key, token)) = key_of(&req) else {
        return next.run(req).await;
    };
    if let Some(page) = st.db.cache.rendered(&key, st.db.cache.data()) {
        return respond(&page, &token);
    }
    // Visitors asking for the same page while it is built wait for it
    // rather than build it each (64 at once would build it 64 times).
    let lock = st.db.cache.build_lock(&key);
    let _building = match &lock {
        Some(l) => Some(l.lock().await),
        None => None,
    };
    // Made before the second look, so a lock this request made is removed
    // however it returns.
    let _done = Built(&st, &key);
    let commits = st.db.cache.data();
    if let Some(page) = st.db.cache.rendered(&key, commits) {
        return respond(&page, &token);
    }
    // Built with a token nobody has seen, so cutting it out of the page can
    // only cut the token: a visitor's own token could be chosen to match
    // something else on the page (a ledger hash), which every later visitor
    // would then see replaced.
    let mut req = req;
    let blank = crate::store::sessions::random_token();
    if let Some(ctx) = req.extensions_mut().get_mut::<ReqCtx>() {
        ctx.csrf = blank.clone();
    }
    let resp = next.run(req).await;
    keep(&st, key.clone(), commits, &blank, &token, resp).await
}

/// Lets the next build of a page start afresh once this one ends, answered
/// or cut short (a visitor who went away), so no lock outlives its build.
struct Built<'a>(&'a AppState, &'a PageKey);

impl Drop for Built<'_> {
    fn drop(&mut self) {
        self.0.db.cache.built(self.1);
    }
}

/// Keeps the page `resp`, built with the token `blank`, when it may be
/// kept, and returns it with the visitor's own `token` in its forms.
async fn keep(
    st: &AppState,
    key: PageKey,
    commits: u64,
    blank: &str,
    token: &str,
    resp: Response,
) -> Response {
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    // Nothing but a page carries a form token (a download is sent as it is).
    if !html {
        return resp;
    }
    let keepable = resp.status() == StatusCode::OK
        && !resp.headers().contains_key(header::SET_COOKIE)
        && resp.headers().len() == 1;
    // A page is built whole in memory before it is sent: taking its bytes
    // copies nothing.
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return crate::error::Error::Internal("page body failed".into()).into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let page = Rendered::cut(content_type, &bytes, blank);
    let body = page.with_token(token);
    if keepable {
        st.db.cache.keep_rendered(key, commits, Arc::new(page));
    }
    Response::from_parts(parts, Body::from(body))
}
