//! A round's rule and phases, and a resident's approval ballot.

use super::page::{Again, show_page};
use super::projects::{committee_step, refused as refused_form};
use super::{parse_max, step};
use crate::domain::Msg;
use crate::domain::pb_rules::Rule;
use crate::domain::round::{self as rules};
use crate::error::Error;
use crate::store::proposals::lives_in;
use crate::store::rounds::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Visitor};
use crate::web::handlers::refused::{field, refuse_if};
use crate::web::handlers::{errors_with, invalid};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::rounds::Form as RoundForm;

/// The rule form as typed: the outcome rule and the approval limit.
fn parse_rule(f: &HashMap<String, String>) -> Result<(Rule, Option<u32>), Errors> {
    let g = |k: &str| f.get(k).map_or("", String::as_str);
    let mut e = Errors::none();
    let rule = Rule::parse(g("rule"));
    if rule.is_none() {
        e.add(
            "rule",
            Msg::new("请选择计票规则", "choose the outcome rule"),
        );
    }
    let max = parse_max(g("max_approvals")).map_err(|_| {
        Msg::new(
            "每人最多赞成数应为正整数或留空",
            "the approval limit should be a whole number above zero, or blank",
        )
    });
    let max = field(&mut e, "max_approvals", max);
    refuse_if(e)?;
    Ok((rule.unwrap_or(Rule::Greedy), max.flatten()))
}

pub async fn settings(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let (rule, max) = match parse_rule(&f) {
        Ok(x) => x,
        Err(errors) => return refused_form(&st, &com, id, RoundForm::Rule, f, errors).await,
    };
    committee_step(
        &st,
        &com,
        id,
        "round.rule",
        RoundForm::Rule,
        f,
        move |tx, r| {
            store::set_rule(tx, r, rule, max)?;
            Ok(Ok("rule"))
        },
    )
    .await
}

pub async fn phase(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let typed = HashMap::new();
    committee_step(
        &st,
        &com,
        id,
        "round.phase",
        RoundForm::Phase,
        typed,
        move |tx, r| {
            let next = r
                .phase
                .next()
                .ok_or_else(|| Error::Conflict(Msg::new("本轮已结束", "this round is finished")))?;
            // The store refuses to open voting while a project awaits review or
            // none is feasible, before it writes anything.
            match store::set_phase(tx, r, next) {
                Err(Error::Invalid(m)) => Ok(Err(errors_with("phase", &m))),
                other => other.map(|_| Ok("phase")),
            }
        },
    )
    .await
}

pub async fn ballot(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    // Repeated fields (project=1&project=3) need the raw pairs.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| Error::BadRequest(Msg::new("表单无法读取", "the form could not be read")))?;
    let chosen: Result<Vec<i64>, _> = pairs
        .iter()
        .filter(|(k, _)| k == "project")
        .map(|(_, v)| v.parse::<i64>())
        .collect();
    let Ok(chosen) = chosen else {
        let msg = Msg::new("项目编号无效", "invalid project");
        return refused(&st, &m, id, &msg, vec![]).await;
    };
    let me = m.account.id;
    let cid = m.community.id;
    let picks = chosen.clone();
    let res = step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "round.ballot",
        move |tx, r| {
            if !lives_in(tx, cid, &r.place, me)? {
                return Err(Error::Forbidden);
            }
            let open: Vec<i64> = store::projects(tx, r.id)?
                .iter()
                .filter(|p| p.review == "feasible")
                .map(|p| p.id)
                .collect();
            let approved =
                rules::check_ballot(&chosen, &open, r.max_approvals).map_err(Error::Invalid)?;
            store::cast(tx, r, &store::voter_key(me), &approved)?;
            Ok("voted")
        },
    )
    .await;
    match res {
        Err(Error::Invalid(msg)) => refused(&st, &m, id, &msg, picks).await,
        other => other,
    }
}

/// The round's page again with the ballot as it was ticked and the reason
/// beside it.
async fn refused(
    st: &AppState,
    m: &Member,
    id: i64,
    msg: &Msg,
    picks: Vec<i64>,
) -> Result<Response, Error> {
    let v = Visitor {
        ctx: m.ctx.clone(),
        community: m.community.clone(),
    };
    let again = Again {
        errors: errors_with("ballot", msg),
        ballot: picks,
        ..Default::default()
    };
    let page = show_page(st, &v, id, again, None).await?;
    Ok(invalid(page))
}
