//! The account page: who I am, where I live, changing my password.

use super::{invalid, see_other};
use crate::domain::{Msg, credentials};
use crate::error::Error;
use crate::store::accounts::{self, Account, Role};
use crate::store::{audit, roll, sessions};
use crate::web::AppState;
use crate::web::ctx::Signed;
use crate::web::error::bi;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::forms::Errors;
use teahouse_views::pages::account as view;

fn role_names(r: Role) -> (&'static str, &'static str) {
    match r {
        Role::Resident => ("居民", "resident"),
        Role::Committee => ("居委会/村委会", "committee"),
        Role::Supervisor => ("监督委员会", "supervision committee"),
    }
}

async fn view_data(st: &AppState, acc: &Account, saved: bool) -> Result<view::AccountView, Error> {
    let home = match acc.resident_id {
        Some(rid) => st.db.read(move |c| roll::resident_home(c, rid)).await?,
        None => None,
    };
    let id = acc.id;
    let updates = st
        .db
        .read(move |c| crate::store::proposals::updates_for(c, id, 20))
        .await?
        .into_iter()
        .map(|u| {
            let what = super::proposals::event_bi(&u.kind);
            view::UpdateLine {
                href: format!("/c/{}/proposals/{}", u.slug, u.proposal),
                title: u.title,
                what,
                note: u.note,
                // Each step in its own community's time zone.
                at: super::fmt_time(u.at, &u.tz),
            }
        })
        .collect();
    Ok(view::AccountView {
        updates,
        display_name: acc.display_name.clone(),
        login: acc.login.clone(),
        roles: acc
            .memberships
            .iter()
            .map(|m| {
                let (zh, en) = role_names(m.role);
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
    })
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(st): State<AppState>,
    s: Signed,
    Query(q): Query<SavedQuery>,
) -> Result<Response, Error> {
    let v = view_data(&st, &s.account, q.saved.is_some()).await?;
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

pub async fn change_password(
    State(st): State<AppState>,
    s: Signed,
    Form(f): Form<PasswordForm>,
) -> Result<Response, Error> {
    let id = s.account.id;
    let current_hash = st.db.read(move |c| accounts::password_hash(c, id)).await?;
    let mut errors = Errors::none();
    if !st
        .hasher
        .verify(f.current.clone(), Some(current_hash))
        .await
    {
        errors.add(
            "current",
            bi(&Msg::new("当前密码不正确", "the current password is wrong")),
        );
    }
    if let Err((field, m)) = credentials::check_new_password(&f.password, &f.password2) {
        errors.add(field, bi(&m));
    }
    if f.password == f.current && errors.is_empty() {
        errors.add(
            "password",
            bi(&Msg::new(
                "新密码不能和当前密码一样",
                "the new password must differ from the current one",
            )),
        );
    }
    if !errors.is_empty() {
        let v = view_data(&st, &s.account, false).await?;
        return Ok(invalid(view::account(&s.ctx.chrome(None), &v, &errors)));
    }
    let hash = st.hasher.hash(f.password.clone()).await?;
    let actor = s.ctx.actor();
    let keep = s.ctx.0.session_token.clone();
    st.db
        .write(move |tx| {
            accounts::set_password(tx, id, &hash, false)?;
            // Other devices are logged out; this one stays.
            sessions::delete_all_for(tx, id, keep.as_deref())?;
            audit::record(tx, &actor, None, "auth.password_changed", "", "")
        })
        .await?;
    Ok(see_other("/account?saved=1"))
}
