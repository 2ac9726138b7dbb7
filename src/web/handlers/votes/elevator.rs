//! An elevator retrofit vote's cost-sharing plan and the consent of the
//! dwellings it affects most (the ground floor). A refused plan or
//! dwelling comes back on the vote's page as typed.

use super::refused::{Back, Typed, beside, got};
use crate::domain::{Msg, cost_share};
use crate::error::Error;
use crate::store::elevator;
use crate::store::votes::Status;
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::errors_with;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use teahouse_views::forms::Errors;
use teahouse_views::pages::votes as view;

/// The plan as typed: the total (free text, in yuan) and the coefficients,
/// each refused beside its field.
pub async fn set_plan(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let back = Back {
        st: &st,
        ctx: &com.ctx,
        community: &com.community,
        id,
        form: view::Form::Plan,
    };
    let (typed_total, coefficients) = (got(&f, "total").trim(), got(&f, "coefficients"));
    let mut errors = Errors::none();
    let total = cost_share::parse_hundredths(typed_total);
    if total.is_none() {
        errors.add(
            "total",
            Msg::new(
                format!("总造价“{typed_total}”不是有效金额，请只写数字，如 120000 或 120000.50"),
                format!("the total \"{typed_total}\" is not an amount: write digits only, e.g. 120000 or 120000.50"),
            ),
        );
    }
    if let Err(m) = cost_share::parse_coefficients(coefficients) {
        errors.add("coefficients", m);
    }
    let Some(total) = total.filter(|_| errors.is_empty()) else {
        return back.refused(f, errors).await;
    };
    let coefficients = coefficients.to_string();
    back.step(
        "vote.elevator_plan",
        "plan#h-elevator",
        f,
        move |tx, vote| {
            if !elevator::applies(vote) {
                return Err(Error::Invalid(Msg::new(
                    "分摊表只用于加装电梯表决",
                    "a cost-sharing plan is only for an elevator retrofit vote",
                )));
            }
            // From the opening the plan is published: it cannot change in place.
            if vote.status != Status::Draft && elevator::plan(tx, vote)?.is_some() {
                let m = Msg::new(
                    "表决开始后分摊表已经公开，不能再修改",
                    "once the vote has opened the plan is published and cannot change",
                );
                return Ok(Err(errors_with("total", &m)));
            }
            let set = elevator::set_plan(tx, vote, total, &coefficients);
            Ok(beside("coefficients", set)?.map(|()| {
                let yuan = cost_share::yuan(total);
                format!("{yuan} yuan; {}", coefficients.trim())
            }))
        },
    )
    .await
}

/// An affected dwelling and its owner's answer as typed, each refused
/// beside its field.
pub async fn set_affected(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let back = Back {
        st: &st,
        ctx: &com.ctx,
        community: &com.community,
        id,
        form: view::Form::Affected,
    };
    let mut errors = Errors::none();
    let consent = match got(&f, "consent") {
        "yes" => Some(true),
        "no" => Some(false),
        "" => None,
        _ => {
            let m = Msg::new("请选择业主意见", "choose the owner's answer");
            errors.add("consent", m);
            None
        }
    };
    let note = got(&f, "note").trim().to_string();
    if note.chars().count() > 200 {
        let m = Msg::new("备注最多 200 字", "the note is 200 characters at most");
        errors.add("note", m);
    }
    if !errors.is_empty() {
        return back.refused(f, errors).await;
    }
    let (dwelling, by) = (got(&f, "dwelling").to_string(), com.account.id);
    back.step(
        "vote.affected",
        "affected#h-elevator",
        f,
        move |tx, vote| {
            if !elevator::applies(vote) {
                return Err(Error::Invalid(Msg::new(
                    "受影响业主只用于加装电梯表决",
                    "affected owners are only for an elevator retrofit vote",
                )));
            }
            let set = elevator::set_affected(tx, vote, &dwelling, consent, &note, by);
            Ok(beside("dwelling", set)?.map(|label| {
                let said = match consent {
                    Some(true) => "consents",
                    Some(false) => "refuses",
                    None => "pending",
                };
                format!("{label}: {said}")
            }))
        },
    )
    .await
}
