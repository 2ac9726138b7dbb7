//! A meeting's agenda: items added by the committee, suggested by
//! residents, and the host's decision on a suggestion.

use super::refused::{Posted, Typed, form_on};
use super::step;
use crate::domain::Msg;
use crate::domain::mask::mask_name;
use crate::error::Error;
use crate::store::deliberations::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member};
use crate::web::handlers::refused::{refuse_if, required};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::deliberations::Form as MeetingForm;

/// An item as typed: its title (required) and details.
fn parse_item(f: &Typed) -> Result<(String, String), Errors> {
    let mut e = Errors::none();
    let title = required(
        &mut e,
        "title",
        f.get("title").map_or("", String::as_str),
        100,
    );
    let detail = f.get("detail").map_or("", |s| s.trim()).to_string();
    if detail.chars().count() > 2000 {
        e.add(
            "detail",
            Msg::new("说明最多 2000 字", "2000 characters at most"),
        );
    }
    refuse_if(e)?;
    Ok((title, detail))
}

pub async fn add_item(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    use crate::store::accounts::Role;
    let committee = m.account.has_role(m.community.id, Role::Committee);
    let account = m.account.id;
    let who = mask_name(&m.account.display_name);
    let parsed = parse_item(&f);
    let p = Posted {
        ctx: &m.ctx,
        community: &m.community,
        id,
        form: MeetingForm::Item,
        typed: f,
    };
    let (title, detail) = match parsed {
        Ok(x) => x,
        Err(errors) => return super::refused::again(&st, p, errors).await,
    };
    let done = if committee { "item" } else { "suggested" };
    form_on(&st, p, "deliberation.item", done, move |tx, d| {
        let suggester = (!committee).then_some((account, who.as_str()));
        store::add_item(tx, d, &title, &detail, suggester, None)?;
        Ok(Ok(title))
    })
    .await
}

pub async fn decide_item(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, item)): Path<(String, i64, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let accept = f.get("accept").is_some_and(|v| v == "1");
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.item_decided",
        "item",
        move |tx, d| {
            let t = store::decide_item(tx, d, item, accept)?;
            Ok(format!(
                "{t}: {}",
                if accept { "on the agenda" } else { "declined" }
            ))
        },
    )
    .await
}
