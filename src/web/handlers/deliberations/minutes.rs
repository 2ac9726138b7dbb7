//! The minutes: the host's draft from the form, publishing a revision and
//! attendees' confirmations.

use super::refused::{Posted, Typed, form_on};
use super::step;
use crate::domain::Msg;
use crate::domain::deliberation::ItemState;
use crate::domain::deliberation::{self as rules, ItemMinutes, Minutes, Outcome};
use crate::error::Error;
use crate::store::deliberations::Deliberation;
use crate::store::deliberations::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member};
use crate::web::handlers::confirm::{Confirmed, ask};
use crate::web::handlers::refused::refuse_if;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::forms::Errors;
use teahouse_views::pages::confirm::{ConfirmView, confirm_page};
use teahouse_views::pages::deliberations::Form as MeetingForm;

/// The host's draft minutes from the form: one section per agenda item,
/// each mistake beside its own field.
fn minutes_from(f: &Typed, items: &[store::Item]) -> Result<Minutes, Errors> {
    let g = |k: String| f.get(&k).cloned().unwrap_or_default();
    let mut e = Errors::none();
    let mut out = Minutes {
        summary: g("summary".into()).trim().to_string(),
        items: Vec::new(),
    };
    if out.summary.chars().count() > 5000 {
        let m = Msg::new(
            "摘要最多 5000 字",
            "the summary may have 5000 characters at most",
        );
        e.add("summary", m);
    }
    for it in items.iter().filter(|i| i.state == ItemState::Agenda) {
        let key = format!("outcome_{}", it.id);
        let outcome = match g(key.clone()).as_str() {
            "" => None,
            o => Outcome::parse(o).or_else(|| {
                e.add(&key, Msg::new("不认识的结果", "unknown outcome"));
                None
            }),
        };
        let key = format!("actions_{}", it.id);
        let actions = rules::parse_actions(&g(key.clone())).unwrap_or_else(|m| {
            let m = Msg::new(
                format!("“{}”：{}", it.title, m.zh),
                format!("\"{}\": {}", it.title, m.en),
            );
            e.add(&key, m);
            Vec::new()
        });
        out.items.push(ItemMinutes {
            item: it.id,
            title: it.title.clone(),
            outcome,
            views: rules::parse_views(&g(format!("views_{}", it.id))),
            notes: g(format!("notes_{}", it.id)).trim().to_string(),
            actions,
        });
    }
    refuse_if(e)?;
    Ok(out)
}

/// Published minutes are amended, not edited: a new revision needs its reason.
fn needs_reason(tx: &rusqlite::Transaction, d: &Deliberation) -> Result<bool, Error> {
    let working = store::revisions(tx, d.id)?
        .iter()
        .any(|r| r.published_at.is_none());
    Ok(!working && d.published_rev.is_some())
}

pub async fn save_minutes(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let by = com.account.id;
    let typed = f.clone();
    let p = Posted {
        ctx: &com.ctx,
        community: &com.community,
        id,
        form: MeetingForm::Minutes,
        typed,
    };
    form_on(&st, p, "deliberation.minutes", "minutes", move |tx, d| {
        let items = store::items(tx, d.id)?;
        let reason = f.get("reason").map(|r| r.trim()).filter(|r| !r.is_empty());
        let parsed = minutes_from(&f, &items);
        let no_reason = reason.is_none() && needs_reason(tx, d)?;
        let m = match (parsed, no_reason) {
            (Ok(m), false) => m,
            (parsed, _) => {
                let mut e = parsed.err().unwrap_or_else(Errors::none);
                if no_reason {
                    let msg = Msg::new(
                        "已公开的纪要只能修订：请写明修订原因",
                        "published minutes are amended, not edited: give the reason",
                    );
                    e.add("reason", msg);
                }
                return Ok(Err(e));
            }
        };
        let rev = store::save_minutes(tx, d, &m, reason, by)?;
        Ok(Ok(format!("draft revision {rev}")))
    })
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
