//! Roles as request guards: extractors in handler signatures (`Ctx` for
//! any request, `Signed`, `Operator`, `Visitor`, and a community's
//! `Member`, `Committee`, `Supervisor`, `Overseer`), each refusing before
//! the handler runs, so a handler cannot forget its check.

use super::AppState;
use super::ctx::ReqCtx;
use crate::error::Error;
use crate::store::accounts::{Account, Role};
use crate::store::communities::{self, Community};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::{Method, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;
use teahouse_views::{Chrome, CommunityNav, UserNav};

/// The request context, for any handler.
#[derive(Clone)]
pub struct Ctx(pub ReqCtx);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        parts
            .extensions
            .get::<ReqCtx>()
            .cloned()
            .map(Ctx)
            .ok_or_else(|| Error::Internal("request context missing".into()).into_response())
    }
}

impl Ctx {
    /// The page frame for this request, in a community or not.
    pub fn chrome(&self, community: Option<&Community>) -> Chrome {
        let c = &self.0;
        Chrome {
            lang: c.lang,
            large: c.large,
            csrf: c.csrf.clone(),
            path: c.path.clone(),
            user: c.account.as_ref().map(|a| UserNav {
                display_name: a.display_name.clone(),
                login: a.login.clone(),
                is_operator: a.is_operator,
            }),
            community: community.map(|com| {
                let has = |r| c.account.as_ref().is_some_and(|a| a.has_role(com.id, r));
                CommunityNav {
                    slug: com.slug.clone(),
                    name: com.name.clone(),
                    is_resident: has(Role::Resident),
                    is_committee: has(Role::Committee),
                    is_supervisor: has(Role::Supervisor),
                    is_village: com.kind == crate::store::communities::Kind::Village,
                }
            }),
            fragment: c.htmx_fragment,
            origin: c.origin.clone(),
        }
    }

    pub fn actor(&self) -> crate::store::audit::Actor {
        crate::store::audit::Actor {
            account_id: self.0.account.as_ref().map(|a| a.id),
            login: self
                .0
                .account
                .as_ref()
                .map(|a| a.login.clone())
                .unwrap_or_else(|| "-".into()),
            ip: self.0.ip.clone(),
        }
    }
}

/// Not logged in: a GET goes to the login page and comes back; anything else is 401.
fn login_required(ctx: &ReqCtx) -> Response {
    if ctx.method == Method::GET || ctx.method == Method::HEAD {
        Redirect::to(&format!(
            "/login?next={}",
            teahouse_views::layout::urlencode(&ctx.path)
        ))
        .into_response()
    } else {
        Error::LoginRequired.into_response()
    }
}

/// Paths an account that must change its password may still use.
fn password_change_exempt(path: &str) -> bool {
    path.starts_with("/account") || path == "/logout" || path.starts_with("/static/")
}

async fn signed_in(parts: &mut Parts) -> Result<(Ctx, Arc<Account>), Response> {
    let ctx = Ctx::from_request_parts(parts, &()).await?;
    let Some(acc) = ctx.0.account.clone() else {
        return Err(login_required(&ctx.0));
    };
    if acc.must_change_password && !password_change_exempt(parts.uri.path()) {
        return Err(Redirect::to("/account#password").into_response());
    }
    Ok((ctx, acc))
}

/// Any logged-in account.
pub struct Signed {
    pub ctx: Ctx,
    pub account: Arc<Account>,
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let (ctx, account) = signed_in(parts).await?;
        Ok(Signed { ctx, account })
    }
}

/// The operator (global).
pub struct Operator {
    pub ctx: Ctx,
    pub account: Arc<Account>,
}

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let (ctx, account) = signed_in(parts).await?;
        if !account.is_operator {
            return Err(Error::Forbidden.into_response());
        }
        Ok(Operator { ctx, account })
    }
}

/// The community named by the `{community}` path segment.
async fn community_from_path(parts: &mut Parts, state: &AppState) -> Result<Community, Response> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|e| e.into_response())?;
    let slug = params
        .iter()
        .find(|(k, _)| *k == "community")
        .map(|(_, v)| v.to_string())
        .ok_or_else(|| Error::NotFound.into_response())?;
    let cache = &state.db.cache;
    let generation = cache.generation();
    if let Some(c) = cache.communities.get(&slug, generation) {
        return Ok(Community::clone(&c));
    }
    let key = slug.clone();
    let found = state
        .db
        .read(move |c| communities::by_slug(c, &slug))
        .await
        .map_err(|e| e.into_response())?
        .ok_or_else(|| Error::NotFound.into_response())?;
    cache
        .communities
        .put(key, generation, Arc::new(found.clone()));
    Ok(found)
}

/// Anyone (logged in or not) looking at a community.
pub struct Visitor {
    pub ctx: Ctx,
    pub community: Community,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let community = community_from_path(parts, state).await?;
        Ok(Visitor { ctx, community })
    }
}

/// A logged-in account with one of `allowed` roles in the path's community.
async fn with_role(
    parts: &mut Parts,
    state: &AppState,
    allowed: &[Role],
) -> Result<(Ctx, Arc<Account>, Community), Response> {
    let (ctx, account) = signed_in(parts).await?;
    let community = community_from_path(parts, state).await?;
    if !allowed.iter().any(|r| account.has_role(community.id, *r)) {
        return Err(Error::Forbidden.into_response());
    }
    Ok((ctx, account, community))
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, [$($role:expr),+]) => {
        $(#[$doc])*
        pub struct $name {
            pub ctx: Ctx,
            pub account: Arc<Account>,
            pub community: Community,
        }

        impl FromRequestParts<AppState> for $name {
            type Rejection = Response;
            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
                let (ctx, account, community) = with_role(parts, state, &[$($role),+]).await?;
                Ok($name { ctx, account, community })
            }
        }
    };
}

role_extractor!(
    /// Any member of the community: resident, committee or supervisor.
    Member,
    [Role::Resident, Role::Committee, Role::Supervisor]
);
role_extractor!(
    /// The community's committee (居委会/村委会).
    Committee,
    [Role::Committee]
);
role_extractor!(
    /// The supervision committee (监督委员会).
    Supervisor,
    [Role::Supervisor]
);
role_extractor!(
    /// Committee or supervision committee: those who oversee the record.
    Overseer,
    [Role::Committee, Role::Supervisor]
);
