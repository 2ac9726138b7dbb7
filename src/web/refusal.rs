//! A refused request's page in the reader's language, inside the reader's
//! own header. `Error` answers carry what was refused (`Refused`); the
//! request middleware, which knows who is asking and from which page,
//! renders them again with the account's links, the community's menu and
//! 返回 to the page the request came from. What is refused outside it (a
//! body over the limit, a form axum cannot parse, a timeout, a panic) is
//! rendered the same way by `Localize`, the layer around the whole stack.

use super::AppState;
use super::ctx::{Ctx, ReqCtx};
use crate::store::Db;
use axum::http::{HeaderMap, HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use teahouse_views::pages::error::refusal_page;
use teahouse_views::{Chrome, Msg};

/// What an `Error` answer said, left on the response for the middleware.
#[derive(Clone)]
pub struct Refused(pub Msg);

/// The path on this site the request came from (its Referer, if it is this
/// site's), else the community's home for a page inside one.
pub fn back_path(headers: &HeaderMap, path: &str) -> Option<String> {
    let text = |h| headers.get(h).and_then(|v: &HeaderValue| v.to_str().ok());
    back_from(text(header::HOST), text(header::REFERER), path)
}

fn back_from(host: Option<&str>, referer: Option<&str>, path: &str) -> Option<String> {
    let from_referer = referer
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| {
            let (h, p) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            (Some(h) == host).then(|| if p.is_empty() { "/" } else { p }.to_string())
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && p.len() <= 2048);
    from_referer.or_else(|| community_slug(path).map(|s| format!("/c/{s}")))
}

fn community_slug(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/c/")?;
    let slug = rest.split(['/', '?']).next()?;
    (!slug.is_empty()).then_some(slug)
}

/// Renders a refused answer again with the request's own chrome; any other
/// answer passes unchanged. The community comes from the cache the request
/// itself filled (no read here); without it the header is the account's only.
pub fn with_chrome(
    state: &AppState,
    ctx: &ReqCtx,
    back: Option<String>,
    resp: Response,
) -> Response {
    let Some(Refused(m)) = resp.extensions().get::<Refused>().cloned() else {
        return resp;
    };
    let (c, back) = chrome_of(&state.db, ctx, back);
    rendered(&c, &m, back, resp)
}

/// The request's header (its account and the community in its path), and
/// the way back unless it is the refused page itself.
fn chrome_of(db: &Db, ctx: &ReqCtx, back: Option<String>) -> (Chrome, Option<String>) {
    let cache = &db.cache;
    let community = community_slug(&ctx.path)
        .and_then(|s| cache.communities.get(&s.to_string(), cache.generation()));
    let mut c = Ctx(ctx.clone()).chrome(community.as_deref());
    let posted = ctx.method == axum::http::Method::POST;
    let back = back.filter(|b| *b != ctx.path || posted);
    // The language switch comes back to a page, not to the refused post.
    if posted {
        c.path = back.clone().unwrap_or_else(|| "/".into());
    }
    (c, back)
}

/// The refusal page for `m` in the chrome `c`, keeping the answer's status
/// and headers (Retry-After, cookies) but not its body.
fn rendered(c: &Chrome, m: &Msg, back: Option<String>, resp: Response) -> Response {
    let status = resp.status();
    let page = refusal_page(c, status.as_u16(), m, back.as_deref());
    let (parts, _) = resp.into_parts();
    let mut fresh = (status, page).into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            fresh.headers_mut().append(k.clone(), v.clone());
        }
    }
    fresh
}

/// The request's context as the ctx middleware made it, kept for `Localize`
/// (a timeout or a panic drops the middleware before it sees the answer).
#[derive(Clone, Default)]
pub struct Seen(Arc<OnceLock<ReqCtx>>);

/// Just inside the ctx middleware: keeps its context for `Localize`.
pub fn remember<B>(req: Request<B>) -> Request<B> {
    if let (Some(seen), Some(ctx)) = (req.extensions().get::<Seen>(), req.extensions().get()) {
        let _ = seen.0.set(ReqCtx::clone(ctx));
    }
    req
}

/// The layer around the stack that answers every refusal made before or
/// around a handler (see the module doc) in the reader's language.
#[derive(Clone)]
pub struct Localize(pub Db);

impl<S> tower::Layer<S> for Localize {
    type Service = Localized<S>;
    fn layer(&self, inner: S) -> Localized<S> {
        Localized {
            inner,
            db: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Localized<S> {
    inner: S,
    db: Db,
}

/// What `Localize` keeps of a request until its answer.
struct Asked {
    db: Db,
    seen: Seen,
    lang: teahouse_views::Lang,
    host: Option<HeaderValue>,
    referer: Option<HeaderValue>,
    path: String,
}

impl<S, ReqB, B> tower::Service<Request<ReqB>> for Localized<S>
where
    S: tower::Service<Request<ReqB>, Response = axum::http::Response<B>>,
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqB>) -> Self::Future {
        let seen = Seen::default();
        req.extensions_mut().insert(seen.clone());
        let h = req.headers();
        let asked = Asked {
            db: self.db.clone(),
            seen,
            lang: super::ctx::parse_prefs(super::cookies::get(h, super::cookies::PREFS)).0,
            host: h.get(header::HOST).cloned(),
            referer: h.get(header::REFERER).cloned(),
            path: req.uri().path().to_string(),
        };
        Answer {
            fut: Box::pin(self.inner.call(req)),
            asked: Some(asked),
        }
    }
}

/// The answer of a `Localized` service.
pub struct Answer<F> {
    fut: Pin<Box<F>>,
    asked: Option<Asked>,
}

impl<F, B, E> Future for Answer<F>
where
    F: Future<Output = Result<axum::http::Response<B>, E>>,
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let r = ready!(this.fut.as_mut().poll(cx));
        let asked = this.asked.take();
        Poll::Ready(r.map(|resp| {
            let resp = resp.into_response();
            match asked {
                Some(a) => a.answer(resp),
                None => resp,
            }
        }))
    }
}

impl Asked {
    /// A refusal not yet in the reader's chrome, rendered in it; any other
    /// answer unchanged.
    fn answer(self, resp: Response) -> Response {
        let m = match resp.extensions().get::<Refused>() {
            Some(Refused(m)) => m.clone(),
            None if bare_refusal(&resp) => super::error::before_handler(resp.status()),
            None => return resp,
        };
        let text =
            |v: &Option<HeaderValue>| v.as_ref().and_then(|v| v.to_str().ok()).map(str::to_string);
        let back = back_from(
            text(&self.host).as_deref(),
            text(&self.referer).as_deref(),
            &self.path,
        );
        let (c, back) = match self.seen.0.get() {
            Some(ctx) => chrome_of(&self.db, ctx, back),
            // Refused before the middleware knew who asks: the reader's
            // language, without an account's links.
            None => {
                let c = Chrome {
                    lang: self.lang,
                    path: back.clone().unwrap_or_else(|| "/".into()),
                    ..Chrome::default()
                };
                (c, back)
            }
        };
        rendered(&c, &m, back, resp)
    }
}

/// A client error in plain text or without a body: what axum and tower-http
/// answer for a body over its limit, a form that does not parse, a timeout.
fn bare_refusal(resp: &Response) -> bool {
    resp.status().is_client_error()
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|t| t.starts_with("text/plain"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn back_is_this_sites_referer_or_the_community() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(
            back_path(&h, "/c/wutong/rounds/1/ballot").as_deref(),
            Some("/c/wutong")
        );
        assert_eq!(back_path(&h, "/account"), None);
        h.insert(
            header::REFERER,
            HeaderValue::from_static("http://127.0.0.1:8080/c/wutong/rounds/1?x=1"),
        );
        assert_eq!(
            back_path(&h, "/c/wutong/rounds/1/ballot").as_deref(),
            Some("/c/wutong/rounds/1?x=1")
        );
        h.insert(
            header::REFERER,
            HeaderValue::from_static("http://evil.example/c/x"),
        );
        assert_eq!(back_path(&h, "/account"), None);
    }

    fn asking(lang: &str) -> Request<axum::body::Body> {
        Request::builder()
            .uri("/c/wutong/votes/1")
            .header(header::COOKIE, format!("th_prefs={lang}.normal"))
            .body(axum::body::Body::empty())
            .unwrap()
    }

    async fn text(r: Response) -> String {
        let b = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(b.to_vec()).unwrap()
    }

    fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::open(&dir.path().join("t.sqlite3"), 1).unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn a_timeout_answers_in_the_readers_language() {
        use tower::ServiceExt;
        let (_dir, db) = db();
        let (zh, en) = ("处理时间太长", "This took too long");
        for (lang, want, other) in [("zh", zh, en), ("en", en, zh)] {
            let svc = tower::ServiceBuilder::new()
                .layer(Localize(db.clone()))
                .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    std::time::Duration::ZERO,
                ))
                .service_fn(|_: Request<axum::body::Body>| {
                    std::future::pending::<Result<Response, std::convert::Infallible>>()
                });
            let r = svc.oneshot(asking(lang)).await.unwrap();
            assert_eq!(r.status(), 408);
            let t = text(r).await;
            assert!(t.contains(want) && !t.contains(other), "{lang}: {t}");
        }
    }

    #[tokio::test]
    async fn a_panic_answers_in_the_readers_language() {
        use tower::ServiceExt;
        let (_dir, db) = db();
        let (zh, en) = ("服务器出了问题", "The server had a problem");
        for (lang, want, other) in [("zh", zh, en), ("en", en, zh)] {
            let svc = tower::ServiceBuilder::new()
                .layer(Localize(db.clone()))
                .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                    super::super::error::panic_response,
                ))
                .service_fn(|_: Request<axum::body::Body>| async {
                    if true {
                        panic!("a handler's bug");
                    }
                    Ok::<Response, std::convert::Infallible>(Response::default())
                });
            let r = svc.oneshot(asking(lang)).await.unwrap();
            assert_eq!(r.status(), 500);
            let t = text(r).await;
            assert!(t.contains(want) && !t.contains(other), "{lang}: {t}");
            assert!(!t.contains("a handler's bug"), "{t}");
        }
    }
}
