//! Login, logout and activation with a one-time code.

use super::{invalid, safe_next, see_other};
use crate::domain::code::ActivationCode;
use crate::domain::{Msg, credentials};
use crate::error::Error;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::{audit, codes, now, sessions};
use crate::web::AppState;
use crate::web::cookies;
use crate::web::ctx::Ctx;
use crate::web::error::bi;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
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

fn with_session(mut resp: Response, token: &str, secure: bool) -> Response {
    let c = cookies::set(
        cookies::SESSION,
        token,
        Some(sessions::TTL_SECONDS),
        true,
        secure,
    );
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Where to go after logging in: the page asked for, else the person's first
/// community board, else the operator page or the start page.
fn landing(acc: &accounts::Account, next: &str) -> String {
    if let Some(n) = safe_next(next).filter(|n| n != "/login" && !n.starts_with("/login?")) {
        return n;
    }
    if acc.must_change_password {
        return "/account#password".into();
    }
    match acc.memberships.first() {
        Some(m) => format!("/c/{}", m.slug),
        None if acc.is_operator => "/ops".into(),
        None => "/".into(),
    }
}

pub async fn login(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> Result<Response, Error> {
    let chrome = ctx.chrome(None);
    let login = f.login.trim().to_string();
    let rec = {
        let login = login.clone();
        st.db.read(move |c| accounts::for_login(c, &login)).await?
    };
    if let Some(r) = &rec
        && r.locked_until > now()
    {
        let mins = (r.locked_until - now() + 59) / 60;
        let m = Msg::new(
            format!(
                "密码错误次数太多，账户已暂时锁定。请 {mins} 分钟后再试，或请居委会重新发激活码。"
            ),
            format!(
                "Too many wrong passwords: this account is locked for {mins} more minutes. Or ask your committee for a new activation code."
            ),
        );
        let page = view::login(&chrome, &login, &f.next, &super::errors_with("", &m));
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let ok = st
        .hasher
        .verify(
            f.password.clone(),
            rec.as_ref().map(|r| r.password_hash.clone()),
        )
        .await;
    let actor = ctx.actor();
    if !ok {
        let id = rec.as_ref().map(|r| r.id);
        let mut actor = actor;
        actor.login = login.clone();
        st.db
            .write(move |tx| {
                if let Some(id) = id {
                    accounts::record_failure(tx, id)?;
                }
                audit::record(tx, &actor, None, "auth.login_failed", "", "")
            })
            .await?;
        let m = Msg::new("登录名或密码不正确。", "Wrong login name or password.");
        let page = view::login(
            &chrome,
            &login,
            &f.next,
            &super::errors_with("password", &m),
        );
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    let id = rec.map(|r| r.id).ok_or(Error::LoginRequired)?;
    let old = ctx.0.session_token.clone();
    let (token, acc) = st
        .db
        .write(move |tx| {
            accounts::record_success(tx, id)?;
            if let Some(old) = old {
                sessions::delete(tx, &old)?;
            }
            let token = sessions::create(tx, id)?;
            let mut actor = actor;
            actor.account_id = Some(id);
            let acc = accounts::load(tx, id)?.ok_or(Error::NotFound)?;
            actor.login = acc.login.clone();
            audit::record(tx, &actor, None, "auth.login", "", "")?;
            Ok((token, acc))
        })
        .await?;
    Ok(with_session(
        see_other(&landing(&acc, &f.next)),
        &token,
        st.cfg.secure_cookies,
    ))
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
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
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
    let hash = st.hasher.hash(f.password.clone()).await?;
    let actor = ctx.actor();
    let result = st
        .db
        .write(move |tx| {
            let Some(row) = codes::find(tx, &code)? else {
                return Ok(Activated::Refused(
                    "code",
                    Msg::new("激活码不正确，请核对纸条上的字母和数字。", "That code is not right; check the letters and digits on your slip."),
                ));
            };
            if let Some(m) = code_problem(&row) {
                return Ok(Activated::Refused("code", m));
            }
            let (name, community_id, slug): (String, i64, String) = tx.query_row(
                "SELECT r.name, r.community_id, c.slug FROM residents r JOIN communities c ON c.id = r.community_id
                 WHERE r.id = ?1",
                [row.resident_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let existing = accounts::by_resident(tx, row.resident_id)?;
            let what = if existing.is_some() { "auth.reset" } else { "auth.activate" };
            let account_id = match existing {
                Some((id, old_login)) => {
                    // A reset: the resident already has an account.
                    if !old_login.eq_ignore_ascii_case(&login) {
                        if accounts::login_taken(tx, &login)? {
                            return Ok(Activated::Refused("login", taken(&login)));
                        }
                        tx.execute("UPDATE accounts SET login = ?2 WHERE id = ?1", rusqlite::params![id, login])?;
                    }
                    accounts::set_password(tx, id, &hash, false)?;
                    sessions::delete_all_for(tx, id, None)?;
                    id
                }
                None => {
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
                    id
                }
            };
            codes::mark_used(tx, row.id)?;
            let mut actor = actor;
            actor.account_id = Some(account_id);
            actor.login = login.clone();
            audit::record(tx, &actor, Some(community_id), what, &format!("resident #{}", row.resident_id), "")?;
            let token = sessions::create(tx, account_id)?;
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

fn taken(login: &str) -> Msg {
    Msg::new(
        format!("登录名“{login}”已被使用，请换一个。"),
        format!("The login name \"{login}\" is taken; choose another."),
    )
}
