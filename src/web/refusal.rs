//! A refused request's page inside the reader's own header. `Error` answers
//! carry what was refused (`Refused`); the request middleware, which knows
//! who is asking and from which page, renders them again with the account's
//! links, the community's menu and 返回 to the page the request came from.

use super::AppState;
use super::ctx::{Ctx, ReqCtx};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use teahouse_views::Msg;
use teahouse_views::pages::error::refusal_page;

/// What an `Error` answer said, left on the response for the middleware.
#[derive(Clone)]
pub struct Refused(pub Msg);

/// The path on this site the request came from (its Referer, if it is this
/// site's), else the community's home for a page inside one.
pub fn back_path(headers: &HeaderMap, path: &str) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let from_referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
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
    let status = resp.status();
    let cache = &state.db.cache;
    let community = community_slug(&ctx.path)
        .and_then(|s| cache.communities.get(&s.to_string(), cache.generation()));
    let mut c = Ctx(ctx.clone()).chrome(community.as_deref());
    let posted = ctx.method == axum::http::Method::POST;
    let back = back.filter(|b| *b != ctx.path || posted);
    // The language switch comes back to a page, not to the refused post.
    if posted {
        c.path = back.clone().unwrap_or_else(|| "/".into());
    }
    let page = refusal_page(&c, status.as_u16(), &m, back.as_deref());
    let (parts, _) = resp.into_parts();
    let mut fresh = (status, page).into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            fresh.headers_mut().append(k.clone(), v.clone());
        }
    }
    fresh
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
}
