//! A meeting's agenda: items added by the committee, suggested by
//! residents, and the host's decision on a suggestion.

use super::step;
use crate::domain::mask::mask_name;
use crate::error::Error;
use crate::store::deliberations::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;

pub async fn add_item(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    use crate::store::accounts::Role;
    let committee = m.account.has_role(m.community.id, Role::Committee);
    let account = m.account.id;
    let who = mask_name(&m.account.display_name);
    let title = f.get("title").cloned().unwrap_or_default();
    let detail = f.get("detail").cloned().unwrap_or_default();
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "deliberation.item",
        if committee { "item" } else { "suggested" },
        move |tx, d| {
            let suggester = (!committee).then_some((account, who.as_str()));
            store::add_item(tx, d, &title, &detail, suggester, None)?;
            Ok(title)
        },
    )
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
