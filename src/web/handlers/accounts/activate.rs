//! Activating an account, or resetting its password, with a one-time code.

use super::login::{NextQuery, with_session};
use crate::domain::code::ActivationCode;
use crate::domain::{Msg, credentials};
use crate::error::Error;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::{audit, codes, communities, now, sessions};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::handlers::{errors_with, invalid, see_other};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::forms::Errors;
use teahouse_views::pages::account as view;
use teahouse_words::roles;

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

/// Why a code cannot be used, said plainly; naming the committee of the
/// code's community (村委会 in a village, 居委会 in a compound).
fn code_problem(conn: &rusqlite::Connection, row: &codes::CodeRow) -> Result<Option<Msg>, Error> {
    let expired = row.expires_at <= now();
    if row.revoked_at.is_some() && row.used_at.is_none() {
        return Ok(Some(Msg::new(
            "这个激活码已作废（后来又发了新的）。请使用最新的激活码。",
            "This code was replaced by a newer one. Please use the newest code.",
        )));
    }
    if row.used_at.is_none() && !expired {
        return Ok(None);
    }
    let committee = roles::committee(communities::is_village(conn, row.community_id)?);
    Ok(Some(if row.used_at.is_some() {
        Msg::new(
            format!(
                "这个激活码已经用过了。如果不是您本人用的，请马上联系{}。",
                committee.zh
            ),
            format!(
                "This code has already been used. If not by you, tell your {} at once.",
                committee.en
            ),
        )
    } else {
        Msg::new(
            format!("这个激活码已过期。请联系{}重新领取。", committee.zh),
            format!(
                "This code has expired. Ask your {} for a new one.",
                committee.en
            ),
        )
    }))
}

enum Activated {
    Done { token: String, slug: String },
    Refused(&'static str, Msg),
}

/// A field to mark and why, when the code cannot do what was asked.
type Refused = (&'static str, Msg);

/// The code and login typed, checked; the new password is checked too.
fn parse_activation(f: &ActivateForm) -> Result<(ActivationCode, String), Errors> {
    let mut errors = Errors::none();
    let code = ActivationCode::parse(&f.code)
        .map_err(|m| errors.add("code", m.clone()))
        .ok();
    let login = credentials::parse_login(&f.login)
        .map_err(|m| errors.add("login", m.clone()))
        .ok();
    if let Err((field, m)) = credentials::check_new_password(&f.password, &f.password2) {
        errors.add(field, m.clone());
    }
    match (code, login, errors.is_empty()) {
        (Some(code), Some(login), true) => Ok((code, login)),
        _ => Err(errors),
    }
}

/// What the code is used for, by whom, with which new password hash.
struct Use {
    code: ActivationCode,
    login: String,
    hash: String,
    actor: audit::Actor,
    old_session: Option<String>,
}

/// Uses the code in one write transaction: it resets the account of the
/// resident it was issued for, or opens their first account; then it is
/// spent and a session opens.
fn write_activation(tx: &rusqlite::Transaction, u: &Use) -> Result<Activated, Error> {
    let Some(row) = codes::find(tx, &u.code)? else {
        return Ok(Activated::Refused("code", wrong_code()));
    };
    if let Some(m) = code_problem(tx, &row)? {
        return Ok(Activated::Refused("code", m));
    }
    let (name, community_id, slug) = codes::resident_of(tx, row.resident_id)?;
    let existing = match accounts::by_resident(tx, row.resident_id)? {
        Some((id, _)) => accounts::load(tx, id)?,
        None => None,
    };
    let account_id = match existing {
        Some(acc) => reset_by_code(tx, u, &row, community_id, &acc)?,
        None => first_account(tx, u, &row, community_id, &name)?,
    };
    let account_id = match account_id {
        Ok(id) => id,
        Err((field, m)) => return Ok(Activated::Refused(field, m)),
    };
    codes::mark_used(tx, row.id, &u.actor.ip)?;
    if let Some(old) = &u.old_session {
        sessions::delete(tx, old)?;
    }
    // Opened by a code: whoever held the slip, not necessarily the
    // owner (such a session cannot acknowledge a reset notice).
    let token = sessions::create(tx, account_id, sessions::Kind::Code)?;
    Ok(Activated::Done { token, slug })
}

/// A reset: the resident already has an account. Never an office
/// holder's, only with a code issued for this account, never a rename.
fn reset_by_code(
    tx: &rusqlite::Transaction,
    u: &Use,
    row: &codes::CodeRow,
    community_id: i64,
    acc: &accounts::Account,
) -> Result<Result<i64, Refused>, Error> {
    if acc.holds_office() {
        return Ok(Err(("code", office_holder())));
    }
    if row.account_id != Some(acc.id) {
        return Ok(Err(("code", not_a_reset_code())));
    }
    // A code resets a password; it never renames the account.
    if !acc.login.eq_ignore_ascii_case(&u.login) {
        return Ok(Err(("login", keeps_login(&acc.login))));
    }
    accounts::set_password(tx, acc.id, &u.hash, false)?;
    sessions::delete_all_for(tx, acc.id, None)?;
    accounts::record_reset(
        tx,
        &accounts::NewReset {
            account_id: acc.id,
            community_id: Some(community_id),
            by_account_id: row.created_by,
            by: accounts::ResetBy::Committee { village: None },
            reason: &row.reason,
            code_id: Some(row.id),
            used_ip: &u.actor.ip,
        },
    )?;
    // The act is the issuer's: the committee member who
    // handed out the code. Who used it, from where, is noted.
    let issuer = match row.created_by {
        Some(by) => accounts::load(tx, by)?,
        None => None,
    };
    let mut by = u.actor.clone();
    by.account_id = issuer.as_ref().map(|i| i.id);
    by.login = issuer
        .as_ref()
        .map(|i| i.login.clone())
        .unwrap_or_else(|| "-".into());
    audit::record(
        tx,
        &by,
        Some(community_id),
        "auth.reset",
        &format!("resident #{} account {}", row.resident_id, acc.login),
        &format!(
            "激活码重置密码 reset by code #{}; 原因 reason: {}; 使用者 used by: {} ({})",
            row.id, row.reason, acc.login, u.actor.ip
        ),
    )?;
    Ok(Ok(acc.id))
}

/// A first activation: the resident's account, under the login chosen.
fn first_account(
    tx: &rusqlite::Transaction,
    u: &Use,
    row: &codes::CodeRow,
    community_id: i64,
    name: &str,
) -> Result<Result<i64, Refused>, Error> {
    if row.account_id.is_some() {
        // Issued for an account that no longer holds this resident.
        return Ok(Err(("code", not_a_reset_code())));
    }
    if accounts::login_taken(tx, &u.login)? {
        return Ok(Err(("login", taken(&u.login))));
    }
    let id = accounts::create(
        tx,
        &NewAccount {
            login: &u.login,
            display_name: name,
            password_hash: &u.hash,
            resident_id: Some(row.resident_id),
            is_operator: false,
            must_change_password: false,
        },
    )?;
    accounts::add_membership(tx, id, community_id, Role::Resident)?;
    let mut actor = u.actor.clone();
    actor.account_id = Some(id);
    actor.login = u.login.clone();
    audit::record(
        tx,
        &actor,
        Some(community_id),
        "auth.activate",
        &format!("resident #{}", row.resident_id),
        "",
    )?;
    Ok(Ok(id))
}

pub async fn activate(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ActivateForm>,
) -> Result<Response, Error> {
    let chrome = ctx.chrome(None);
    let values = view::ActivateValues {
        code: &f.code,
        login: &f.login,
    };
    let (code, login) = match parse_activation(&f) {
        Ok(v) => v,
        Err(errors) => return Ok(invalid(view::activate(&chrome, &values, &errors))),
    };
    // A code that cannot be used is refused before any argon2 work: a
    // stream of made-up codes costs a lookup each, not a hash. (The write
    // transaction below looks again and decides.)
    let pre = {
        let code = code.clone();
        st.db
            .read(move |c| match codes::find(c, &code)? {
                Some(r) => code_problem(c, &r),
                None => Ok(Some(wrong_code())),
            })
            .await?
    };
    if let Some(m) = pre {
        let page = view::activate(&chrome, &values, &errors_with("code", &m));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let u = Use {
        code,
        login,
        hash: st.hasher.hash(f.password.clone()).await?,
        actor: ctx.actor(),
        old_session: ctx.0.session_token.clone(),
    };
    match st.db.write(move |tx| write_activation(tx, &u)).await? {
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
            let page = view::activate(&chrome, &values, &errors_with(field, &m));
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
