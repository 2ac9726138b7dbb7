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
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;

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
) -> Result<Response, Error> {
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
