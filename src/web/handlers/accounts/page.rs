//! The account page: who I am, where I live, what I did (see [`super::mine`]),
//! changing my password.

use crate::domain::{Msg, credentials};
use crate::error::Error;
use crate::store::accounts::{self, Account, Role};
use crate::store::{audit, roll, sessions};
use crate::web::AppState;
use crate::web::ctx::Signed;
use crate::web::handlers::{errors_with, fmt_time, invalid, see_other};
use crate::web::throttle;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::forms::Errors;
use teahouse_views::pages::account as view;

/// A role in words, the committee named by its community's kind.
fn role_names(r: Role, village: bool) -> (&'static str, &'static str) {
    let w = teahouse_views::roles::role(r.as_str(), Some(village));
    (w.zh, w.en)
}

/// The notice of a reset, in the words the owner reads: when, by whom, why.
pub fn reset_notice(r: &accounts::Reset) -> teahouse_views::Msg {
    let at = fmt_time(r.at, &r.tz);
    let (role_zh, role_en) = r.by.words();
    let reason_zh = if r.reason.is_empty() {
        String::new()
    } else {
        format!("（原因：{}）", r.reason)
    };
    let reason_en = if r.reason.is_empty() {
        String::new()
    } else {
        format!(" (reason: {})", r.reason)
    };
    teahouse_views::Msg::new(
        format!(
            "您的密码已于 {at} 被 {role_zh} {} 重置{reason_zh}。如果不是您本人要求的，请联系监督委员会。",
            r.by_name
        ),
        format!(
            "Your password was reset on {at} by the {role_en}, {}{reason_en}. If you did not ask for this, contact the supervision committee.",
            r.by_name
        ),
    )
}

/// One line of the account's permanent reset history.
fn history_line(r: &accounts::Reset) -> view::ResetRow {
    let (zh, en) = r.by.words();
    view::ResetRow {
        at: fmt_time(r.at, &r.tz),
        by: if r.by_login.is_empty() {
            r.by_name.clone()
        } else {
            format!("{} ({})", r.by_name, r.by_login)
        },
        role: teahouse_views::Msg::new(zh, en),
        reason: r.reason.clone(),
        seen: r.seen.as_ref().map(|s| fmt_time(s.at, &r.tz)),
    }
}

/// The page as `ctx`'s session sees it: a session opened by an activation
/// code is told it cannot acknowledge a reset.
async fn view_data(
    st: &AppState,
    ctx: &crate::web::ctx::Ctx,
    acc: &Account,
    saved: bool,
    all: &str,
) -> Result<view::AccountView, Error> {
    let mine = super::mine::record(st, acc, all).await?;
    let home = match acc.resident_id {
        Some(rid) => st.db.read(move |c| roll::resident_home(c, rid)).await?,
        None => None,
    };
    let id = acc.id;
    let all = st.db.read(move |c| accounts::resets_of(c, id)).await?;
    let resets = all
        .iter()
        .rev()
        .filter(|r| r.seen.is_none())
        .map(reset_notice)
        .collect();
    let history = all.iter().map(history_line).collect();
    // Each membership's committee by its own community's kind.
    let villages: Vec<String> = st
        .db
        .read(crate::store::communities::list)
        .await?
        .into_iter()
        .filter(|c| c.kind == crate::store::communities::Kind::Village)
        .map(|c| c.slug)
        .collect();
    let updates = st
        .db
        .read(move |c| crate::store::proposals::updates_for(c, id, 20))
        .await?
        .into_iter()
        .map(|u| {
            let what = crate::web::handlers::proposals::event_bi(&u.kind);
            view::UpdateLine {
                href: format!("/c/{}/proposals/{}", u.slug, u.proposal),
                title: u.title,
                what,
                note: u.note,
                // Each step in its own community's time zone.
                at: fmt_time(u.at, &u.tz),
            }
        })
        .collect();
    Ok(view::AccountView {
        updates,
        mine,
        display_name: acc.display_name.clone(),
        login: acc.login.clone(),
        roles: acc
            .memberships
            .iter()
            .map(|m| {
                let (zh, en) = role_names(m.role, villages.contains(&m.slug));
                (
                    m.community_name.clone(),
                    m.slug.clone(),
                    zh.to_string(),
                    en.to_string(),
                )
            })
            .collect(),
        home,
        must_change_password: acc.must_change_password,
        saved,
        resets,
        history,
        can_acknowledge: ctx.0.session_kind != Some(sessions::Kind::Code),
    })
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
    /// The list of the resident's own record to show in full.
    #[serde(default)]
    all: Option<String>,
}

pub async fn show(
    State(st): State<AppState>,
    s: Signed,
    Query(q): Query<SavedQuery>,
) -> Result<Response, Error> {
    let all = q.all.as_deref().unwrap_or_default();
    let v = view_data(&st, &s.ctx, &s.account, q.saved.is_some(), all).await?;
    Ok(view::account(&s.ctx.chrome(None), &v, &Errors::none()).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// The owner has read the notice of their password's reset. Not from a
/// session opened by an activation code: that is the session of whoever
/// used the code, and if that was not the owner, its "I have read this"
/// would hide the notice from the owner. The acknowledgement is recorded
/// with its kind of session and address, for the supervisors; the history
/// on the account page stays whatever happens.
pub async fn resets_seen(State(st): State<AppState>, s: Signed) -> Result<Response, Error> {
    let kind = match s.ctx.0.session_kind {
        Some(sessions::Kind::Login) => sessions::Kind::Login,
        _ => {
            return Err(Error::Conflict(Msg::new(
                "这次登录是用激活码进入的，不能在这里确认重置通知。请退出，用新密码重新登录后再确认。",
                "This session was opened with an activation code, so it cannot acknowledge the reset notice. Log out, log in again with your new password, and acknowledge it then.",
            )));
        }
    };
    let id = s.account.id;
    let actor = s.ctx.actor();
    st.db
        .write(move |tx| {
            if accounts::mark_resets_seen(tx, id, kind, &actor.ip)? > 0 {
                audit::record(tx, &actor, None, "auth.reset_seen", "", kind.as_str())?;
            }
            Ok(())
        })
        .await?;
    Ok(see_other("/account"))
}

/// Changing the password. The current password is slowed down after wrong
/// tries like a login (per account and address, see `web::throttle`), so a
/// session left open is no way to guess it. The new password is set only
/// if, in the write transaction, the session is still live and the account
/// still has the hash the current password was verified against: a change
/// that waited behind busy hashing threads while the password was reset
/// (which also ends every session) changes nothing and gets 409.
pub async fn change_password(
    State(st): State<AppState>,
    s: Signed,
    Form(f): Form<PasswordForm>,
) -> Result<Response, Error> {
    let id = s.account.id;
    let key = format!("account:{id}");
    let source = throttle::Source::net(s.ctx.0.client);
    if let Err(wait) = throttle::check(&st.throttles.password, &key, source) {
        let v = view_data(&st, &s.ctx, &s.account, false, "").await?;
        let e = errors_with("current", &throttle::wait_message(wait));
        let page = view::account(&s.ctx.chrome(None), &v, &e).into_response();
        return Ok(super::login::too_early(page, wait));
    }
    let current_hash = st.db.read(move |c| accounts::password_hash(c, id)).await?;
    let mut errors = Errors::none();
    if st
        .hasher
        .verify(f.current.clone(), Some(current_hash.clone()))
        .await
    {
        throttle::succeeded(&st.throttles.password, &key, source);
    } else {
        errors.add(
            "current",
            Msg::new("当前密码不正确", "the current password is wrong"),
        );
    }
    if let Err((field, m)) = credentials::check_new_password(&f.password, &f.password2) {
        errors.add(field, m.clone());
    }
    if f.password == f.current && errors.is_empty() {
        errors.add(
            "password",
            Msg::new(
                "新密码不能和当前密码一样",
                "the new password must differ from the current one",
            ),
        );
    }
    if !errors.is_empty() {
        let v = view_data(&st, &s.ctx, &s.account, false, "").await?;
        return Ok(invalid(view::account(&s.ctx.chrome(None), &v, &errors)));
    }
    let hash = st.hasher.hash(f.password.clone()).await?;
    let actor = s.ctx.actor();
    let keep = s.ctx.0.session_token.clone();
    st.db
        .write(move |tx| {
            let live = match keep.as_deref() {
                Some(t) => sessions::live(tx, t)?.is_some_and(|l| l.account_id == id),
                None => false,
            };
            if !live || accounts::password_hash(tx, id)? != current_hash {
                return Err(Error::Conflict(Msg::new(
                    "在您修改期间，这个账户的密码或登录状态已经改变（例如密码被重置），新密码没有保存。请重新登录后再试。",
                    "While you were changing it, this account's password or session changed (for example, the password was reset); the new password was not saved. Please log in again and retry.",
                )));
            }
            accounts::set_password(tx, id, &hash, false)?;
            // Other devices are logged out; this one stays.
            sessions::delete_all_for(tx, id, keep.as_deref())?;
            audit::record(tx, &actor, None, "auth.password_changed", "", "")
        })
        .await?;
    Ok(see_other("/account?saved=1"))
}
