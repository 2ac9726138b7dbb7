//! Logging in (with the throttle's wait) and out.

use crate::domain::Msg;
use crate::error::Error;
use crate::store::accounts::{self};
use crate::store::{audit, sessions};
use crate::web::AppState;
use crate::web::cookies;
use crate::web::ctx::{Ctx, fresh_csrf_cookie};
use crate::web::handlers::{errors_with, safe_next, see_other};
use crate::web::throttle;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::forms::Errors;
use teahouse_views::pages::account as view;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub(super) next: String,
    #[serde(default)]
    pub(super) code: String,
}

pub async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.0.account.is_some() {
        return see_other(&safe_next(&q.next).unwrap_or_else(|| "/account".into()));
    }
    view::login(&ctx.chrome(None), "", &q.next, &Errors::none()).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Sets the new session's cookie, and replaces the anonymous CSRF token:
/// a form from before the login does not work after it (the session's own
/// token is on every page from now on).
pub(super) fn with_session(mut resp: Response, token: &str, secure: bool) -> Response {
    let c = cookies::set(
        cookies::SESSION,
        token,
        Some(sessions::TTL_SECONDS),
        true,
        secure,
    );
    for c in [c, fresh_csrf_cookie(secure)] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Where to go after logging in: the account page if the password must be
/// changed or was reset by someone else since (the owner is told there),
/// else the page asked for, else the person's first community board, else
/// the operator page or the start page.
pub(super) fn landing(acc: &accounts::Account, next: &str, unseen_resets: bool) -> String {
    if acc.must_change_password {
        return "/account#password".into();
    }
    if unseen_resets {
        return "/account#resets".into();
    }
    if let Some(n) = safe_next(next).filter(|n| n != "/login" && !n.starts_with("/login?")) {
        return n;
    }
    match acc.memberships.first() {
        Some(m) => format!("/c/{}", m.slug),
        None if acc.is_operator => "/ops".into(),
        None => "/".into(),
    }
}

/// Whom the throttle counts this attempt against: the browser's device
/// mark if it is known for this login, else the client's address. Returns
/// the mark too.
async fn source_of(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    login: &str,
) -> Result<(Option<String>, throttle::Source), Error> {
    let mark = cookies::get(headers, cookies::DEVICE).filter(|t| t.len() == 64);
    let known = match mark.clone() {
        Some(m) => {
            let login = login.to_string();
            st.db
                .read(move |c| sessions::mark_known(c, &m, &login))
                .await?
        }
        None => false,
    };
    let source = match (&mark, known) {
        (Some(m), true) => throttle::Source::known(&sessions::hash(m)),
        _ => throttle::Source::net(ctx.0.client),
    };
    Ok((mark, source))
}

/// A password checked against `verified`, the hash read before the check.
struct Attempt {
    login: String,
    account: Option<i64>,
    verified: Option<String>,
    actor: audit::Actor,
    old_session: Option<String>,
    mark: Option<String>,
}

/// A session, the device mark, the account, and whether it has resets its
/// owner has not seen yet.
type LoggedIn = (String, String, accounts::Account, bool);

/// In the write transaction: opens a session if the account still has the
/// hash the password was verified against; otherwise records the failure.
fn write_login(tx: &rusqlite::Transaction, a: Attempt) -> Result<Option<LoggedIn>, Error> {
    let still = match (a.account, &a.verified) {
        (Some(id), Some(h)) => {
            let now = accounts::password_hash(tx, id).ok();
            now.as_deref() == Some(h.as_str())
        }
        _ => false,
    };
    let mut actor = a.actor;
    let Some(id) = a.account.filter(|_| still) else {
        actor.login = a.login;
        audit::record(tx, &actor, None, "auth.login_failed", "", "")?;
        return Ok(None);
    };
    if let Some(old) = a.old_session {
        sessions::delete(tx, &old)?;
    }
    let token = sessions::create(tx, id, sessions::Kind::Login)?;
    let device = sessions::mark_device(tx, id, a.mark.as_deref())?;
    actor.account_id = Some(id);
    let acc = accounts::load(tx, id)?.ok_or(Error::NotFound)?;
    actor.login = acc.login.clone();
    audit::record(tx, &actor, None, "auth.login", "", "")?;
    let unseen = !accounts::unseen_resets(tx, id)?.is_empty();
    Ok(Some((token, device, acc, unseen)))
}

/// Logging in. Unknown and known login names take the same path (a hash is
/// verified either way, the same audit row is written, the same page comes
/// back), and both are slowed down alike after wrong passwords (see
/// `web::throttle`): a request before its wait is up gets 429 and its
/// password is not looked at. A browser that carries this login's device
/// mark is counted on its own, so that others' guesses do not delay it.
///
/// The password is verified against the hash read before the (slow)
/// verification; the session is made only if, in the write transaction,
/// the account still has that very hash. A login with the old password
/// that waited behind busy hashing threads while the password was reset
/// gets the same "wrong login or password" as any other.
pub async fn login(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, Error> {
    let chrome = ctx.chrome(None);
    let login = f.login.trim().to_string();
    let key = throttle::login_key(&login);
    let (mark, source) = source_of(&st, &ctx, &headers, &login).await?;
    if let Err(wait) = throttle::check(&st.throttles.login, &key, source) {
        let page = view::login(
            &chrome,
            &login,
            &f.next,
            &errors_with("password", &throttle::wait_message(wait)),
        );
        return Ok(too_early(page.into_response(), wait));
    }
    let rec = {
        let login = login.clone();
        st.db.read(move |c| accounts::for_login(c, &login)).await?
    };
    let verified = rec.as_ref().map(|r| r.password_hash.clone());
    let ok = st.hasher.verify(f.password.clone(), verified.clone()).await;
    let attempt = Attempt {
        login: login.clone(),
        account: rec.map(|r| r.id).filter(|_| ok),
        verified,
        actor: ctx.actor(),
        old_session: ctx.0.session_token.clone(),
        mark,
    };
    let outcome = st.db.write(move |tx| write_login(tx, attempt)).await?;
    let Some((token, device, acc, unseen)) = outcome else {
        let m = Msg::new("登录名或密码不正确。", "Wrong login name or password.");
        let page = view::login(&chrome, &login, &f.next, &errors_with("password", &m));
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    throttle::succeeded(&st.throttles.login, &key, source);
    let mut resp = with_session(
        see_other(&landing(&acc, &f.next, unseen)),
        &token,
        st.cfg.secure_cookies,
    );
    let c = cookies::set(
        cookies::DEVICE,
        &device,
        Some(sessions::MARK_TTL_SECONDS),
        true,
        st.cfg.secure_cookies,
    );
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// 429 with Retry-After, for a password tried before its wait is up.
pub fn too_early(mut resp: Response, wait: std::time::Duration) -> Response {
    *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(v) = HeaderValue::from_str(&throttle::seconds(wait).to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

pub async fn logout(State(st): State<AppState>, ctx: Ctx) -> Result<Response, Error> {
    if let Some(token) = ctx.0.session_token.clone() {
        let actor = ctx.actor();
        st.db
            .write(move |tx| {
                sessions::delete(tx, &token)?;
                if actor.account_id.is_some() {
                    audit::record(tx, &actor, None, "auth.logout", "", "")?;
                }
                Ok(())
            })
            .await?;
    }
    let mut resp = see_other("/");
    let c = cookies::set(cookies::SESSION, "", Some(0), true, st.cfg.secure_cookies);
    for c in [c, fresh_csrf_cookie(st.cfg.secure_cookies)] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}
