//! Login, logout and activation with a one-time code.

use super::{invalid, safe_next, see_other};
use crate::domain::code::ActivationCode;
use crate::domain::{Msg, credentials};
use crate::error::Error;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::{audit, codes, now, sessions};
use crate::web::AppState;
use crate::web::cookies;
use crate::web::ctx::{Ctx, fresh_csrf_cookie};
use crate::web::error::bi;
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
    next: String,
    #[serde(default)]
    code: String,
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
fn with_session(mut resp: Response, token: &str, secure: bool) -> Response {
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
fn landing(acc: &accounts::Account, next: &str, unseen_resets: bool) -> String {
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
    let mark = cookies::get(&headers, cookies::DEVICE).filter(|t| t.len() == 64);
    let known = match mark.clone() {
        Some(m) => {
            let login = login.clone();
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
    if let Err(wait) = throttle::check(&st.throttles.login, &key, source) {
        let page = view::login(
            &chrome,
            &login,
            &f.next,
            &super::errors_with("password", &throttle::wait_message(wait)),
        );
        return Ok(too_early(page.into_response(), wait));
    }
    let rec = {
        let login = login.clone();
        st.db.read(move |c| accounts::for_login(c, &login)).await?
    };
    let verified = rec.as_ref().map(|r| r.password_hash.clone());
    let ok = st.hasher.verify(f.password.clone(), verified.clone()).await;
    let actor = ctx.actor();
    let old = ctx.0.session_token.clone();
    let account = rec.map(|r| r.id).filter(|_| ok);
    let (l2, mark2) = (login.clone(), mark.clone());
    let outcome = st
        .db
        .write(move |tx| {
            let still = match (account, &verified) {
                (Some(id), Some(h)) => {
                    let now = accounts::password_hash(tx, id).ok();
                    now.as_deref() == Some(h.as_str())
                }
                _ => false,
            };
            let Some(id) = account.filter(|_| still) else {
                let mut actor = actor;
                actor.login = l2;
                audit::record(tx, &actor, None, "auth.login_failed", "", "")?;
                return Ok(None);
            };
            if let Some(old) = old {
                sessions::delete(tx, &old)?;
            }
            let token = sessions::create(tx, id, sessions::Kind::Login)?;
            let device = sessions::mark_device(tx, id, mark2.as_deref())?;
            let mut actor = actor;
            actor.account_id = Some(id);
            let acc = accounts::load(tx, id)?.ok_or(Error::NotFound)?;
            actor.login = acc.login.clone();
            audit::record(tx, &actor, None, "auth.login", "", "")?;
            let unseen = !accounts::unseen_resets(tx, id)?.is_empty();
            Ok(Some((token, device, acc, unseen)))
        })
        .await?;
    let Some((token, device, acc, unseen)) = outcome else {
        let m = Msg::new("登录名或密码不正确。", "Wrong login name or password.");
        let page = view::login(
            &chrome,
            &login,
            &f.next,
            &super::errors_with("password", &m),
        );
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

pub async fn activate_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    let v = view::ActivateValues {
        code: &q.code,
        login: "",
    };
    view::activate(&ctx.chrome(None), &v, &Errors::none()).into_response()
}

#[derive(Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// Why a code cannot be used, said plainly.
fn code_problem(row: &codes::CodeRow) -> Option<Msg> {
    if row.used_at.is_some() {
        return Some(Msg::new(
            "这个激活码已经用过了。如果不是您本人用的，请马上联系居委会。",
            "This code has already been used. If not by you, tell your committee at once.",
        ));
    }
    if row.revoked_at.is_some() {
        return Some(Msg::new(
            "这个激活码已作废（后来又发了新的）。请使用最新的激活码。",
            "This code was replaced by a newer one. Please use the newest code.",
        ));
    }
    if row.expires_at <= now() {
        return Some(Msg::new(
            "这个激活码已过期。请联系居委会或村委会重新领取。",
            "This code has expired. Ask your committee for a new one.",
        ));
    }
    None
}

enum Activated {
    Done { token: String, slug: String },
    Refused(&'static str, Msg),
}

pub async fn activate(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ActivateForm>,
) -> Result<Response, Error> {
    let chrome = ctx.chrome(None);
    let mut errors = Errors::none();
    let code = ActivationCode::parse(&f.code)
        .map_err(|m| errors.add("code", bi(&m)))
        .ok();
    let login = credentials::parse_login(&f.login)
        .map_err(|m| errors.add("login", bi(&m)))
        .ok();
    if let Err((field, m)) = credentials::check_new_password(&f.password, &f.password2) {
        errors.add(field, bi(&m));
    }
    let values = view::ActivateValues {
        code: &f.code,
        login: &f.login,
    };
    let (Some(code), Some(login), true) = (code, login, errors.is_empty()) else {
        return Ok(invalid(view::activate(&chrome, &values, &errors)));
    };
    // A code that cannot be used is refused before any argon2 work: a
    // stream of made-up codes costs a lookup each, not a hash. (The write
    // transaction below looks again and decides.)
    let pre = {
        let code = code.clone();
        st.db
            .read(move |c| {
                Ok(codes::find(c, &code)?.map_or(Some(wrong_code()), |r| code_problem(&r)))
            })
            .await?
    };
    if let Some(m) = pre {
        let page = view::activate(&chrome, &values, &super::errors_with("code", &m));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = st.hasher.hash(f.password.clone()).await?;
    let actor = ctx.actor();
    let actor_ip = actor.ip.clone();
    let old_session = ctx.0.session_token.clone();
    let result = st
        .db
        .write(move |tx| {
            let Some(row) = codes::find(tx, &code)? else {
                return Ok(Activated::Refused("code", wrong_code()));
            };
            if let Some(m) = code_problem(&row) {
                return Ok(Activated::Refused("code", m));
            }
            let (name, community_id, slug) = codes::resident_of(tx, row.resident_id)?;
            let existing = match accounts::by_resident(tx, row.resident_id)? {
                Some((id, _)) => accounts::load(tx, id)?,
                None => None,
            };
            let account_id = match existing {
                Some(acc) => {
                    // A reset: the resident already has an account.
                    if acc.holds_office() {
                        return Ok(Activated::Refused("code", office_holder()));
                    }
                    if row.account_id != Some(acc.id) {
                        return Ok(Activated::Refused("code", not_a_reset_code()));
                    }
                    // A code resets a password; it never renames the account.
                    if !acc.login.eq_ignore_ascii_case(&login) {
                        return Ok(Activated::Refused("login", keeps_login(&acc.login)));
                    }
                    accounts::set_password(tx, acc.id, &hash, false)?;
                    sessions::delete_all_for(tx, acc.id, None)?;
                    accounts::record_reset(
                        tx,
                        &accounts::NewReset {
                            account_id: acc.id,
                            community_id: Some(community_id),
                            by_account_id: row.created_by,
                            by: accounts::ResetBy::Committee,
                            reason: &row.reason,
                            code_id: Some(row.id),
                            used_ip: &actor.ip,
                        },
                    )?;
                    // The act is the issuer's: the committee member who
                    // handed out the code. Who used it, from where, is noted.
                    let issuer = match row.created_by {
                        Some(by) => accounts::load(tx, by)?,
                        None => None,
                    };
                    let mut by = actor.clone();
                    by.account_id = issuer.as_ref().map(|i| i.id);
                    by.login = issuer.as_ref().map(|i| i.login.clone()).unwrap_or_else(|| "-".into());
                    audit::record(
                        tx,
                        &by,
                        Some(community_id),
                        "auth.reset",
                        &format!("resident #{} account {}", row.resident_id, acc.login),
                        &format!(
                            "激活码重置密码 reset by code #{}; 原因 reason: {}; 使用者 used by: {} ({})",
                            row.id, row.reason, acc.login, actor.ip
                        ),
                    )?;
                    acc.id
                }
                None => {
                    if row.account_id.is_some() {
                        // Issued for an account that no longer holds this resident.
                        return Ok(Activated::Refused("code", not_a_reset_code()));
                    }
                    if accounts::login_taken(tx, &login)? {
                        return Ok(Activated::Refused("login", taken(&login)));
                    }
                    let id = accounts::create(
                        tx,
                        &NewAccount {
                            login: &login,
                            display_name: &name,
                            password_hash: &hash,
                            resident_id: Some(row.resident_id),
                            is_operator: false,
                            must_change_password: false,
                        },
                    )?;
                    accounts::add_membership(tx, id, community_id, Role::Resident)?;
                    let mut actor = actor;
                    actor.account_id = Some(id);
                    actor.login = login.clone();
                    audit::record(tx, &actor, Some(community_id), "auth.activate", &format!("resident #{}", row.resident_id), "")?;
                    id
                }
            };
            codes::mark_used(tx, row.id, &actor_ip)?;
            if let Some(old) = old_session {
                sessions::delete(tx, &old)?;
            }
            // Opened by a code: whoever held the slip, not necessarily the
            // owner (such a session cannot acknowledge a reset notice).
            let token = sessions::create(tx, account_id, sessions::Kind::Code)?;
            Ok(Activated::Done { token, slug })
        })
        .await?;
    match result {
        Activated::Done { token, slug } => Ok(with_session(
            see_other(&format!("/c/{slug}")),
            &token,
            st.cfg.secure_cookies,
        )),
        Activated::Refused(field, m) => {
            let status = if field == "code" {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            let page = view::activate(&chrome, &values, &super::errors_with(field, &m));
            Ok((status, page).into_response())
        }
    }
}

fn wrong_code() -> Msg {
    Msg::new(
        "激活码不正确，请核对纸条上的字母和数字。",
        "That code is not right; check the letters and digits on your slip.",
    )
}

fn office_holder() -> Msg {
    Msg::new(
        "这个账户属于居委会/村委会、监督委员会成员或运维，激活码不能重置它的密码。此类账户只能由运维重置，请联系运维。",
        "This account belongs to a committee member, a supervisor or the operator: an activation code cannot reset it. Only the operator resets such accounts; please ask the operator.",
    )
}

fn not_a_reset_code() -> Msg {
    Msg::new(
        "这个激活码是发给没有账户的居民首次激活用的，而这位居民现在已有账户。如需重设密码，请居委会或村委会重新发放（须写明原因）。",
        "This code was issued for a first activation, but this resident has an account now. For a password reset, ask your committee for a new code (they must state a reason).",
    )
}

fn keeps_login(login: &str) -> Msg {
    Msg::new(
        format!("这个激活码用于重设已有账户的密码，登录名不变，仍是“{login}”。请填写这个登录名。"),
        format!(
            "This code resets the password of an existing account; its login name stays \"{login}\". Please enter that login name."
        ),
    )
}

fn taken(login: &str) -> Msg {
    Msg::new(
        format!("登录名“{login}”已被使用，请换一个。"),
        format!("The login name \"{login}\" is taken; choose another."),
    )
}
