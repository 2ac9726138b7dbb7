//! Issuing activation codes and printing them as slips.

use super::{checked, fmt_time, invalid};
use crate::domain::Msg;
use crate::error::Error;
use crate::store::communities::Kind;
use crate::store::roll::{self, ListFilter};
use crate::store::{audit, codes, now};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::forms::Errors;
use teahouse_views::pages::codes as view;

pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 90;
/// One sheet at a time keeps printing (and mistakes) manageable.
pub const MAX_SLIPS: usize = 500;

async fn form_view(
    st: &AppState,
    com: &Committee,
    zone: Option<i64>,
    days: &str,
) -> Result<view::CodesForm, Error> {
    let id = com.community.id;
    Ok(view::CodesForm {
        zones: st.db.read(move |c| roll::zones(c, id)).await?,
        zone,
        without_account: true,
        adults_only: true,
        days: days.to_string(),
        is_village: com.community.kind == Kind::Village,
    })
}

pub async fn form(State(st): State<AppState>, com: Committee) -> Result<Response, Error> {
    let v = form_view(&st, &com, None, &DEFAULT_DAYS.to_string()).await?;
    Ok(view::choose(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        &v,
        &Errors::none(),
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct IssueForm {
    /// One resident (from their page); otherwise the filters below.
    resident: Option<i64>,
    #[serde(default)]
    zone: String,
    without_account: Option<String>,
    adults_only: Option<String>,
    #[serde(default)]
    days: String,
}

pub async fn issue(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<IssueForm>,
) -> Result<Response, Error> {
    let chrome = com.ctx.chrome(Some(&com.community));
    let cid = com.community.id;
    let days_text = if f.days.trim().is_empty() {
        DEFAULT_DAYS.to_string()
    } else {
        f.days.trim().to_string()
    };
    let days = match days_text.parse::<i64>() {
        Ok(d) if (1..=MAX_DAYS).contains(&d) => d,
        _ => {
            let mut v = form_view(&st, &com, f.zone.parse().ok(), &days_text).await?;
            v.without_account = checked(&f.without_account);
            v.adults_only = checked(&f.adults_only);
            let e = super::errors_with(
                "days",
                &Msg::new(
                    format!("有效天数应为 1 到 {MAX_DAYS}"),
                    format!("valid days must be 1 to {MAX_DAYS}"),
                ),
            );
            return Ok(invalid(view::choose(&chrome, &com.community.slug, &v, &e)));
        }
    };
    let single = f.resident;
    let filter = ListFilter {
        zone_id: f.zone.parse().ok(),
        without_account: checked(&f.without_account),
        ..Default::default()
    };
    let adults_only = checked(&f.adults_only);
    let lines = st
        .db
        .read(move |c| {
            let ids = match single {
                Some(id) => vec![id],
                None => roll::select_ids(c, cid, &filter)?,
            };
            roll::lines_by_ids(c, cid, &ids)
        })
        .await?;
    let lines: Vec<_> = lines
        .into_iter()
        .filter(|l| l.active && (single.is_some() || !adults_only || l.adult))
        .take(MAX_SLIPS)
        .collect();
    if single.is_some() && lines.is_empty() {
        return Err(Error::NotFound);
    }
    let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let expires = now() + days * 24 * 3600;
    let account_id = com.account.id;
    let actor = com.ctx.actor();
    let issued = st
        .db
        .write(move |tx| {
            let issued = codes::issue(tx, cid, &ids, account_id, expires)?;
            let target = match single {
                Some(id) => format!("resident #{id}"),
                None => format!("{} residents", issued.len()),
            };
            audit::record(
                tx,
                &actor,
                Some(cid),
                "codes.issue",
                &target,
                &format!("valid {days} days"),
            )?;
            Ok(issued)
        })
        .await?;
    let origin = com.ctx.0.origin.clone();
    let expires_text = fmt_time(expires, &com.community.tz);
    let slips: Vec<view::Slip> = issued
        .iter()
        .zip(lines.iter())
        .map(|((_, code), l)| view::Slip {
            name: l.name.clone(),
            place: l.place.clone(),
            code: code.display(),
            url: format!("{origin}/activate?code={}", code.display()),
            expires: expires_text.clone(),
        })
        .collect();
    Ok(view::slips(&chrome, &com.community.slug, &com.community.name, &slips).into_response())
}
