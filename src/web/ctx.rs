//! Who is asking, and may they. One middleware reads the cookies once
//! (session, CSRF token, preferences), refuses cross-site or token-less
//! state-changing requests, and leaves a `ReqCtx` for the extractors.
//! A logged-in request's CSRF token is its session's own (made with the
//! session, checked against it); an anonymous one's is the pre-session
//! cookie's, which login, activation and logout replace. Roles
//! are extractors in handler signatures (`Committee`, `Overseer`, `Operator`...),
//! so a handler cannot forget its check: they live in [`super::guards`].

use super::AppState;
use super::cookies;
use crate::error::Error;
use crate::store::accounts::{self, Account};

use crate::store::{cache, sessions};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use teahouse_views::Lang;

pub use super::guards::{Committee, Ctx, Member, Operator, Overseer, Signed, Supervisor, Visitor};

/// Everything about the request that pages and checks need, computed once.
#[derive(Clone)]
pub struct ReqCtx {
    pub csrf: String,
    pub lang: Lang,
    pub large: bool,
    pub account: Option<Arc<Account>>,
    pub session_token: Option<String>,
    /// How the live session was opened (a password login or a code).
    pub session_kind: Option<sessions::Kind>,
    /// The client address (see `client_ip`), and as text for the audit log.
    pub client: IpAddr,
    pub ip: String,
    pub path: String,
    pub method: Method,
    pub htmx_fragment: bool,
    /// scheme://host as the browser sees this server, for links on paper.
    pub origin: String,
}

pub(super) fn parse_prefs(v: Option<String>) -> (Lang, bool) {
    let v = v.unwrap_or_default();
    let lang = if v.split('.').any(|p| p == "en") {
        Lang::En
    } else {
        Lang::Zh
    };
    (lang, v.split('.').any(|p| p == "large"))
}

pub fn prefs_cookie_value(lang: Lang, large: bool) -> String {
    format!(
        "{}.{}",
        if lang == Lang::En { "en" } else { "zh" },
        if large { "large" } else { "normal" }
    )
}

fn forbidden_origin() -> Response {
    Error::BadRequest(crate::domain::Msg::new(
        "请求来自其他网站，已拒绝。请从本站页面提交。",
        "This request came from another site and was refused. Submit the form from this site's page.",
    ))
    .into_response()
}

fn bad_token() -> Response {
    Error::BadRequest(crate::domain::Msg::new(
        "表单已过期或不完整，请返回上一页刷新后再提交。",
        "The form has expired or is incomplete. Go back, reload the page and submit again.",
    ))
    .into_response()
}

/// The host a request was addressed to, as authority ("127.0.0.1:8080").
fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

/// Refuses cross-site requests by Sec-Fetch-Site, else by Origin against Host.
fn same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true, // not a browser form post (curl, tests); the token still decides
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
            let pub_host =
                public_url.and_then(|u| u.split_once("://").map(|(_, h)| h.trim_end_matches('/')));
            Some(origin_host) == host(headers) || Some(origin_host) == pub_host
        }
    }
}

fn token_eq(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Finds `_csrf` in a buffered form body (urlencoded or multipart).
async fn token_in_body(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if ct.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        return pairs
            .into_iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v);
    }
    if ct.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(ct).ok()?;
        let stream = futures_util::stream::once({
            let b = body.clone();
            async move { Ok::<Bytes, std::io::Error>(b) }
        });
        let mut mp = multer::Multipart::new(stream, boundary);
        while let Ok(Some(field)) = mp.next_field().await {
            if field.name() == Some("_csrf") {
                return field.text().await.ok();
            }
        }
    }
    None
}

/// The largest body any route accepts (the roll import); the routes set
/// their own smaller limits.
pub const MAX_BODY: usize = 21 * 1024 * 1024;
/// The largest body before logging in (the login and activation forms, and
/// the language switch), and the size above which a body needs a permit.
pub const ANON_BODY: usize = 64 * 1024;
/// Large bodies read and handled at once.
pub const UPLOADS_AT_ONCE: usize = 8;

/// A Set-Cookie for a fresh anonymous CSRF token: at login, activation and
/// logout, so that no token outlives the change of who is logged in.
pub fn fresh_csrf_cookie(secure: bool) -> String {
    cookies::set(cookies::CSRF, &sessions::random_token(), None, true, secure)
}

/// The live session behind a cookie's token, with its account: from the
/// cache while nothing that could change it was written, else read.
async fn live_session(state: &AppState, token: &str) -> Result<Option<cache::Session>, Error> {
    let cache = &state.db.cache;
    let key = sessions::hash(token);
    let generation = cache.generation();
    if let Some(s) = cache.sessions.get(&key, generation) {
        if s.expires_at > crate::store::now() {
            return Ok(Some(s));
        }
        cache.sessions.remove(&key);
        return Ok(None);
    }
    let tok = token.to_string();
    let found = state
        .db
        .read(move |c| match sessions::live(c, &tok)? {
            Some(live) => Ok(accounts::load(c, live.account_id)?.map(|a| cache::Session {
                account: Arc::new(a),
                csrf: live.csrf,
                kind: live.kind,
                expires_at: live.expires_at,
            })),
            None => Ok(None),
        })
        .await?;
    if let Some(s) = &found {
        cache.sessions.put(key, generation, s.clone());
    }
    Ok(found)
}

/// The client address (see `client_ip`), and as text for the audit log.
fn client_of(parts: &Parts, state: &AppState) -> (IpAddr, String) {
    let client = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| super::client_ip::resolve(c.0.ip(), &parts.headers, state.cfg.trusted_proxy));
    let ip = client.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
    (client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), ip)
}

/// The anonymous CSRF cookie, only if it is a token this server could
/// have made (64 lower-case hex digits): anything else in the cookie is
/// replaced, never echoed into a page.
fn csrf_cookie(headers: &HeaderMap) -> Option<String> {
    cookies::get(headers, cookies::CSRF).filter(|t| {
        t.len() == 64
            && t.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Who is logged in: the live session's account, its CSRF token and how
/// it was opened (all `None` without a live session).
type Session = (Option<Arc<Account>>, Option<String>, Option<sessions::Kind>);

async fn session_of(state: &AppState, token: &Option<String>) -> Result<Session, Response> {
    match token {
        Some(tok) => match live_session(state, tok).await {
            Ok(Some(s)) => Ok((Some(s.account), Some(s.csrf), Some(s.kind))),
            Ok(None) => Ok((None, None, None)),
            Err(e) => Err(e.into_response()),
        },
        None => Ok((None, None, None)),
    }
}

/// A state-changing request's body, read whole and checked: the token sent
/// back in the form (or the X-CSRF-Token header) must be `expected`.
/// Nobody needs to send more than a small form before logging in; a large
/// body (an upload) takes one of a few permits while it is read and
/// handled, so no one can make the server hold many. The permit is
/// returned to be held until the handler is done.
async fn checked_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    expected: Option<&str>,
    logged_in: bool,
) -> Result<(Body, Option<tokio::sync::OwnedSemaphorePermit>), Response> {
    let Some(expected) = expected else {
        return Err(bad_token());
    };
    let limit = if logged_in { MAX_BODY } else { ANON_BODY };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Error::TooLarge.into_response());
    }
    let mut permit = None;
    if declared.is_none_or(|n| n > ANON_BODY as u64) {
        match state.uploads.clone().try_acquire_owned() {
            Ok(p) => permit = Some(p),
            Err(_) => return Err(Error::Busy.into_response()),
        }
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return Err(Error::TooLarge.into_response()),
    };
    let sent = match headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        Some(t) => Some(t.to_string()),
        None => token_in_body(headers, &bytes).await,
    };
    if !sent.is_some_and(|t| token_eq(&t, expected)) {
        return Err(bad_token());
    }
    Ok((Body::from(bytes), permit))
}

/// An htmx request for the page's main part only (not a boosted link).
fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
        && !headers.contains_key("hx-boosted")
        && headers
            .get("hx-target")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t == "main")
}

/// scheme://host as the browser sees this server: the public URL if one
/// is configured, else the Host the request came with.
fn origin_of(state: &AppState, headers: &HeaderMap) -> String {
    match &state.cfg.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => format!(
            "{}://{}",
            if state.cfg.secure_cookies {
                "https"
            } else {
                "http"
            },
            host(headers).unwrap_or("localhost")
        ),
    }
}

/// The handler has just set a fresh CSRF cookie (login, activation, logout).
fn sets_csrf(resp: &Response) -> bool {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.strip_prefix(cookies::CSRF)
                .is_some_and(|r| r.starts_with('='))
        })
}

/// Gives an anonymous visitor without a token one with a page, unless the
/// handler has just set a fresh one. Only a page carries forms: a health
/// check, a file or a script needs no token.
fn give_csrf(state: &AppState, resp: &mut Response, csrf: &str) {
    let is_page = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_page
        && !sets_csrf(resp)
        && let Ok(v) = HeaderValue::from_str(&cookies::set(
            cookies::CSRF,
            csrf,
            None,
            true,
            state.cfg.secure_cookies,
        ))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Every request, in order: the reader's preferences, the client, the
/// origin check, the session, the CSRF check on a state-changing request;
/// then the handler with the `ReqCtx`, and the refusal frame and the
/// anonymous token on its answer.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let headers = &parts.headers;
    let (lang, large) = parse_prefs(cookies::get(headers, cookies::PREFS));
    let existing_csrf = csrf_cookie(headers);
    let (client, ip) = client_of(&parts, &state);

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !same_origin(headers, state.cfg.public_url.as_deref()) {
        return forbidden_origin();
    }

    // Who is logged in, and the token their session's forms carry.
    let session_token = cookies::get(headers, cookies::SESSION).filter(|t| t.len() == 64);
    let (account, session_csrf, session_kind) = match session_of(&state, &session_token).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    // The token this request must send back, if it changes anything: the
    // session's own when logged in, else the anonymous cookie's.
    let expected = session_csrf.as_ref().or(existing_csrf.as_ref());
    let csrf = expected.cloned().unwrap_or_else(sessions::random_token);

    let (body, upload_permit) = if unsafe_method {
        let expected = expected.map(String::as_str);
        match checked_body(&state, headers, body, expected, account.is_some()).await {
            Ok(b) => b,
            Err(resp) => return resp,
        }
    } else {
        (body, None)
    };

    let ctx = ReqCtx {
        csrf: csrf.clone(),
        lang,
        large,
        account,
        session_token,
        session_kind,
        client,
        ip,
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        method: parts.method.clone(),
        htmx_fragment: wants_fragment(headers),
        origin: origin_of(&state, headers),
    };
    // A resident who opens a notice's page is reached online (issue 17).
    let seen = crate::notify::web::looking(&parts, ctx.account.as_deref());
    let back = super::refusal::back_path(&parts.headers, &ctx.path);
    parts.extensions.insert(ctx.clone());
    let resp = next.run(Request::from_parts(parts, body)).await;
    crate::notify::web::after(&state.db, seen, resp.status());
    let mut resp = super::refusal::with_chrome(&state, &ctx, back, resp);
    // Held while the handler worked on the large body.
    drop(upload_permit);
    if existing_csrf.is_none() && session_csrf.is_none() {
        give_csrf(&state, &mut resp, &csrf);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefs_round_trip() {
        assert_eq!(
            parse_prefs(Some(prefs_cookie_value(Lang::En, true))),
            (Lang::En, true)
        );
        assert_eq!(parse_prefs(None), (Lang::Zh, false));
    }

    #[test]
    fn origin_checks() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h, None));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h, None));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!same_origin(&h, None));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h, None));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&h, None));
    }
}
