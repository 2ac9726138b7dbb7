//! An elevator retrofit vote's cost-sharing plan and the consent of the
//! dwellings it affects most (the ground floor).

use super::step;
use crate::domain::{Msg, cost_share};
use crate::error::Error;
use crate::store::elevator;
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PlanPost {
    #[serde(default)]
    total: String,
    #[serde(default)]
    coefficients: String,
}

pub async fn set_plan(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<PlanPost>,
) -> Result<Response, Error> {
    let total = cost_share::parse_hundredths(&f.total).ok_or_else(|| {
        Error::Invalid(Msg::new(
            format!("总造价“{}”不是有效金额", f.total),
            format!("total \"{}\" is not an amount", f.total),
        ))
    })?;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.elevator_plan",
        "plan#h-elevator",
        move |tx, vote| {
            elevator::set_plan(tx, vote, total, &f.coefficients)?;
            Ok(format!(
                "{} yuan; {}",
                cost_share::yuan(total),
                f.coefficients.trim()
            ))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct AffectedPost {
    #[serde(default)]
    dwelling: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    note: String,
}

pub async fn set_affected(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<AffectedPost>,
) -> Result<Response, Error> {
    let consent = match f.consent.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.affected",
        "affected#h-elevator",
        move |tx, vote| {
            let label = elevator::set_affected(tx, vote, &f.dwelling, consent, &f.note, by)?;
            let said = match consent {
                Some(true) => "consents",
                Some(false) => "refuses",
                None => "pending",
            };
            Ok(format!("{label}: {said}"))
        },
    )
    .await
}
