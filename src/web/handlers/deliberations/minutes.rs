//! The minutes: the host's draft from the form, publishing a revision and
//! attendees' confirmations.

use super::step;
use crate::domain::Msg;
use crate::domain::deliberation::ItemState;
use crate::domain::deliberation::{self as rules, ItemMinutes, Minutes, Outcome};
use crate::error::Error;
use crate::store::deliberations::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member};
use crate::web::handlers::confirm::{Confirmed, ask};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use teahouse_views::pages::confirm::{ConfirmView, confirm_page};

/// The host's draft minutes from the form: one section per agenda item.
fn minutes_from(f: &HashMap<String, String>, items: &[store::Item]) -> Result<Minutes, Error> {
    let g = |k: String| f.get(&k).cloned().unwrap_or_default();
    let mut out = Minutes {
        summary: g("summary".into()).trim().to_string(),
        items: Vec::new(),
    };
    for it in items.iter().filter(|i| i.state == ItemState::Agenda) {
        let outcome = match g(format!("outcome_{}", it.id)).as_str() {
            "" => None,
            o => Some(
                Outcome::parse(o)
                    .ok_or_else(|| Error::Invalid(Msg::new("不认识的结果", "unknown outcome")))?,
            ),
        };
        let actions = rules::parse_actions(&g(format!("actions_{}", it.id))).map_err(|m| {
            Error::Invalid(Msg::new(
                format!("“{}”：{}", it.title, m.zh),
                format!("\"{}\": {}", it.title, m.en),
            ))
        })?;
        out.items.push(ItemMinutes {
            item: it.id,
            title: it.title.clone(),
            outcome,
            views: rules::parse_views(&g(format!("views_{}", it.id))),
            notes: g(format!("notes_{}", it.id)).trim().to_string(),
            actions,
        });
    }
    if out.summary.chars().count() > 5000 {
        return Err(Error::Invalid(Msg::new(
            "摘要最多 5000 字",
            "the summary may have 5000 characters at most",
        )));
    }
    Ok(out)
}

pub async fn save_minutes(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.minutes",
        "minutes",
        move |tx, d| {
            let items = store::items(tx, d.id)?;
            let m = minutes_from(&f, &items)?;
            let reason = f.get("reason").map(String::as_str);
            let rev = store::save_minutes(tx, d, &m, reason, by)?;
            Ok(format!("draft revision {rev}"))
        },
    )
    .await
}

pub async fn publish(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Confirmed>,
) -> Result<Response, Error> {
    if !f.yes() {
        let path = format!("/c/{}/deliberations/{id}/publish", com.community.slug);
        return Ok(ask(&path));
    }
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.publish",
        "published",
        |tx, d| store::publish(tx, d).map(|e| format!("ledger #{} {}", e.seq, e.hash)),
    )
    .await
}

/// What publishing the minutes will do, and the button that does it.
pub async fn publish_confirm(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let d = st.db.read(move |c| store::get(c, cid, id)).await?;
    let base = format!("/c/{}/deliberations/{id}", com.community.slug);
    let c = com.ctx.chrome(Some(&com.community));
    let cv = ConfirmView {
        title: c.t("公开这份纪要？", "Publish these minutes?").into(),
        subject: d.title.clone(),
        consequences: vec![
            Msg::new(
                "纪要公开给所有人看，并记入公开记录，不能删除。",
                "The minutes are shown to everyone and go into the public ledger; they cannot be removed.",
            ),
            Msg::new(
                "之后只能修订：每次修订写明原因，旧版本和改动都留着。",
                "After this they can only be amended: each amendment states its reason, and the earlier version and the changes stay visible.",
            ),
            Msg::new(
                "到会的居民会收到通知，可以确认纪要。",
                "Residents who attended are told and can confirm the minutes.",
            ),
        ],
        action: format!("{base}/publish"),
        hidden: vec![],
        button: Msg::new("确认公开纪要", "Publish the minutes"),
        back: base,
    };
    Ok(confirm_page(&c, &cv).into_response())
}

pub async fn confirm(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let account = m.account.id;
    let resident = m.account.resident_id;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "deliberation.confirm",
        "confirmed",
        move |tx, d| {
            let present = match resident {
                Some(r) => crate::store::meetings::attended(tx, d.id, r)?,
                None => false,
            };
            let rev = d.published_rev.filter(|_| present).ok_or_else(|| {
                Error::Invalid(Msg::new(
                    "只有到会的人可以确认已公开的纪要",
                    "only attendees can confirm published minutes",
                ))
            })?;
            store::confirm(tx, d, rev, account)?;
            Ok(format!("revision {rev}"))
        },
    )
    .await
}
