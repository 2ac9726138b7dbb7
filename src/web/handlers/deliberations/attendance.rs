//! Who came: residents' QR sign-in, the host's ticks from the roll, guests.

use super::refused::{Posted, Typed, again, form_on};
use super::step;
use crate::domain::Msg;
use crate::error::Error;
use crate::store::deliberations::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Visitor};
use crate::web::handlers::refused::{refuse_if, required};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::deliberations::Form as MeetingForm;

pub async fn checkin(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let resident = m.account.resident_id.ok_or_else(|| {
        Error::Invalid(Msg::new(
            "您的账户不对应名册上的居民，不能签到",
            "your account is not a resident on the roll",
        ))
    })?;
    let token = f.get("token").cloned().unwrap_or_default();
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "deliberation.checkin",
        "checked_in",
        move |tx, d| {
            store::check_in(tx, d, &token, resident)?;
            Ok("qr".into())
        },
    )
    .await
}

/// The host ticks residents from the roll: one roll id or name per line;
/// a name that is missing or not unique is refused, nothing is written.
pub async fn attendance(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let who = f.get("who").cloned().unwrap_or_default();
    let typed = who.clone();
    let res = step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.attendance",
        "attendance",
        move |tx, d| {
            let mut ids = Vec::new();
            // Each refused name with its reason, once in each language.
            let (mut bad_zh, mut bad_en) = (Vec::new(), Vec::new());
            for line in who.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let found = crate::store::meetings::residents_named(tx, d.community_id, line)?;
                match found.as_slice() {
                    [one] => ids.push(*one),
                    [] => {
                        bad_zh.push(format!("{line}（名册上没有）"));
                        bad_en.push(format!("{line} (not on the roll)"));
                    }
                    _ => {
                        bad_zh.push(format!("{line}（重名，请用编号）"));
                        bad_en.push(format!("{line} (ambiguous: use the id)"));
                    }
                }
            }
            if !bad_zh.is_empty() || ids.is_empty() {
                return Err(Error::Invalid(Msg::new(
                    format!("以下人员无法登记：{}", bad_zh.join("、")),
                    format!("these could not be recorded: {}", bad_en.join(", ")),
                )));
            }
            let mut n = 0;
            for r in &ids {
                if store::attend(tx, d, *r, "host")? {
                    n += 1;
                }
            }
            Ok(format!("{n} attendees"))
        },
    )
    .await;
    match res {
        // The meeting page again, the list as typed and the names refused.
        Err(Error::Invalid(m)) => {
            let v = Visitor {
                ctx: com.ctx.clone(),
                community: com.community.clone(),
            };
            let again = super::page::Again {
                who: Some((typed, m.clone())),
                ..Default::default()
            };
            let page = super::page::render(&st, v, id, Default::default(), again);
            let mut resp = page.await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        other => other,
    }
}

/// A guest as typed: name and role, each required.
fn parse_guest(f: &Typed) -> Result<(String, String), Errors> {
    let g = |k: &str| f.get(k).map_or("", String::as_str);
    let mut e = Errors::none();
    let name = required(&mut e, "name", g("name"), 50);
    let role = required(&mut e, "role", g("role"), 50);
    refuse_if(e)?;
    Ok((name, role))
}

pub async fn guest(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let parsed = parse_guest(&f);
    let p = Posted {
        ctx: &com.ctx,
        community: &com.community,
        id,
        form: MeetingForm::Guest,
        typed: f,
    };
    let (name, role) = match parsed {
        Ok(x) => x,
        Err(errors) => return again(&st, p, errors).await,
    };
    form_on(&st, p, "deliberation.guest", "attendance", move |tx, d| {
        store::add_guest(tx, d, &name, &role)?;
        Ok(Ok(format!("{name} ({role})")))
    })
    .await
}
