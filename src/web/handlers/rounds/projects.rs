//! A round's projects: a resident's idea, the committee's review, a winner's
//! milestones. A refused form comes back on the round's page as it was typed.

use super::page::{Again, show_page};
use crate::domain::Msg;
use crate::domain::Subject;
use crate::domain::cost_share::parse_hundredths;
use crate::domain::round as rules;
use crate::error::Error;
use crate::store::rounds::{self as store, NewMilestone, NewProject};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Visitor};
use crate::web::handlers::refused::{field, form_step, refuse_if, required};
use crate::web::handlers::{checked, errors_with, invalid, see_other};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::rounds::Form as RoundForm;
use teahouse_views::refused::Refused;

type Typed = HashMap<String, String>;

fn amount(text: &str) -> Result<i64, Msg> {
    parse_hundredths(text).ok_or_else(|| {
        Msg::new(
            format!("“{}”不是金额（元，最多两位小数）", text.trim()),
            format!(
                "\"{}\" is not an amount (yuan, at most two decimals)",
                text.trim()
            ),
        )
    })
}

#[derive(serde::Deserialize)]
pub struct IdeaForm {
    title: String,
    description: Option<String>,
    team: Option<String>,
    cost: String,
}

type Idea = (String, String, String, String);

/// The idea as typed, and the project it makes if nothing is wrong with it.
fn parse_idea(f: IdeaForm) -> (Idea, Result<NewProject, Errors>) {
    let idea = (
        f.title.trim().to_string(),
        f.description.unwrap_or_default().trim().to_string(),
        f.team.unwrap_or_default().trim().to_string(),
        f.cost.trim().to_string(),
    );
    let mut e = Errors::none();
    if idea.0.is_empty() || idea.0.chars().count() > 80 {
        let m = Msg::new(
            "请写项目名称（最多 80 字）",
            "Please name the project (80 characters at most)",
        );
        e.add("title", m);
    }
    if idea.1.chars().count() > 3000 {
        let m = Msg::new("说明最多 3000 字", "3000 characters at most");
        e.add("description", m);
    }
    let cost = field(&mut e, "cost", amount(&idea.3));
    let project = refuse_if(e).map(|()| NewProject {
        title: idea.0.clone(),
        description: idea.1.clone(),
        team: idea.2.clone(),
        cost: cost.unwrap_or(0),
    });
    (idea, project)
}

pub async fn submit(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<IdeaForm>,
) -> Result<Response, Error> {
    let (idea, project) = parse_idea(f);
    let v = Visitor {
        ctx: m.ctx.clone(),
        community: m.community.clone(),
    };
    let n = match project {
        Ok(n) => n,
        Err(errors) => return refused_idea(&st, &v, id, errors, idea).await,
    };
    let by = m.account.id;
    let res = form_step(
        &st,
        m.ctx.actor(),
        m.community.id,
        Subject::Round(id),
        "round.submit",
        store::get,
        move |tx, r| {
            // The cost must fit this round's range and budget.
            if let Err(msg) = rules::check_cost(n.cost, r.min_cost, r.max_cost, r.budget) {
                return Ok(Err(errors_with("cost", &msg)));
            }
            let pid = store::submit(tx, r, &n, Some(by))?;
            Ok(Ok(("submitted".into(), Subject::Project(pid).to_string())))
        },
    )
    .await?;
    match res {
        Ok(_) => Ok(see_other(&format!(
            "/c/{}/rounds/{id}?done=submitted#h-projects",
            m.community.slug
        ))),
        Err(errors) => refused_idea(&st, &v, id, errors, idea).await,
    }
}

async fn refused_idea(
    st: &AppState,
    v: &Visitor,
    id: i64,
    errors: Errors,
    idea: Idea,
) -> Result<Response, Error> {
    let again = Again {
        errors,
        idea,
        ..Default::default()
    };
    Ok(invalid(show_page(st, v, id, again, None).await?))
}

/// A committee form of the round's page again, as typed, with its errors.
pub(super) async fn refused(
    st: &AppState,
    com: &Committee,
    id: i64,
    form: RoundForm,
    typed: Typed,
    errors: Errors,
) -> Result<Response, Error> {
    let v = Visitor {
        ctx: com.ctx.clone(),
        community: com.community.clone(),
    };
    let again = Again {
        refused: Some(Refused::new(form, typed, errors)),
        ..Default::default()
    };
    Ok(invalid(show_page(st, &v, id, again, None).await?))
}

/// A committee step on the round from a form: done, its page; refused, the
/// form again.
#[allow(clippy::too_many_arguments)]
pub(super) async fn committee_step<F>(
    st: &AppState,
    com: &Committee,
    id: i64,
    action: &'static str,
    form: RoundForm,
    typed: Typed,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &store::Round) -> Result<Result<&'static str, Errors>, Error>
        + Send
        + 'static,
{
    let res = form_step(
        st,
        com.ctx.actor(),
        com.community.id,
        Subject::Round(id),
        action,
        store::get,
        move |tx, r| Ok(f(tx, r)?.map(|d| (d.to_string(), d.to_string()))),
    )
    .await?;
    match res {
        Ok(done) => Ok(see_other(&format!(
            "/c/{}/rounds/{id}?done={done}",
            com.community.slug
        ))),
        Err(errors) => refused(st, com, id, form, typed, errors).await,
    }
}

/// The review as typed: feasible or not, and the cost the committee approves.
fn parse_review(f: &Typed) -> Result<(bool, i64), Errors> {
    let g = |k: &str| f.get(k).map_or("", |s| s.trim());
    let mut e = Errors::none();
    let cost = field(&mut e, "cost", amount(g("cost")));
    let feasible = match g("verdict") {
        "feasible" => Some(true),
        "infeasible" => Some(false),
        _ => {
            e.add(
                "verdict",
                Msg::new("请选择是否可行", "choose feasible or not"),
            );
            None
        }
    };
    if feasible == Some(false) && g("reason").is_empty() {
        let m = Msg::new(
            "认定不可行时须写明理由",
            "say why the project is not feasible",
        );
        e.add("reason", m);
    }
    refuse_if(e)?;
    Ok((feasible.unwrap_or(false), cost.unwrap_or(0)))
}

/// What the review may not be for this round and project: a changed cost
/// without its reason, a feasible project outside the round's range.
fn check_review(
    r: &store::Round,
    proposed: i64,
    (feasible, cost): (bool, i64),
    cost_reason: &str,
) -> Result<(), Errors> {
    let mut e = Errors::none();
    if cost != proposed && cost_reason.trim().is_empty() {
        let m = Msg::new("调整费用时须写明理由", "say why the cost is adjusted");
        e.add("cost_reason", m);
    }
    if feasible {
        field(
            &mut e,
            "cost",
            rules::check_cost(cost, r.min_cost, r.max_cost, r.budget),
        );
    }
    refuse_if(e)
}

pub async fn review(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, project)): Path<(String, i64, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let form = RoundForm::Review(project);
    let review = match parse_review(&f) {
        Ok(r) => r,
        Err(errors) => return refused(&st, &com, id, form, f, errors).await,
    };
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (reason, cost_reason) = (g("reason"), g("cost_reason"));
    committee_step(&st, &com, id, "round.review", form, f, move |tx, r| {
        let proposed = store::projects(tx, r.id)?
            .iter()
            .find(|p| p.id == project)
            .map(|p| p.proposed_cost)
            .ok_or(Error::NotFound)?;
        if let Err(e) = check_review(r, proposed, review, &cost_reason) {
            return Ok(Err(e));
        }
        let (feasible, cost) = review;
        store::review(tx, r, project, feasible, &reason, cost, &cost_reason)?;
        Ok(Ok("reviewed"))
    })
    .await
}

/// The milestone as typed, each mistake beside its field.
fn parse_milestone(f: &Typed) -> Result<NewMilestone, Errors> {
    let g = |k: &str| f.get(k).map_or("", |s| s.trim());
    let mut e = Errors::none();
    let title = required(&mut e, "title", g("title"), 100);
    let due = g("due").parse::<jiff::civil::Date>().ok();
    if due.is_none() {
        e.add("due", Msg::new("请填写期限日期", "give the due date"));
    }
    let spent = match g("spent") {
        "" => Some(0),
        s => field(&mut e, "spent", amount(s)),
    };
    let disclosure = match g("disclosure").trim_start_matches('#') {
        "" => None,
        d => d.parse::<i64>().ok().or_else(|| {
            let m = Msg::new(
                "公开编号应为数字",
                "the disclosure number should be a number",
            );
            e.add("disclosure", m);
            None
        }),
    };
    refuse_if(e)?;
    Ok(NewMilestone {
        title,
        due: due.map(|d| d.to_string()).unwrap_or_default(),
        spent: spent.unwrap_or(0),
        disclosure_id: disclosure,
        note: g("note").chars().take(500).collect(),
        done: checked(&f.get("done").cloned()),
    })
}

pub async fn milestone(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, project)): Path<(String, i64, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let form = RoundForm::Milestone(project);
    let m = match parse_milestone(&f) {
        Ok(m) => m,
        Err(errors) => return refused(&st, &com, id, form, f, errors).await,
    };
    let completes = checked(&f.get("completes").cloned());
    committee_step(&st, &com, id, "round.milestone", form, f, move |tx, r| {
        // The store refuses only an unknown or unpublished disclosure as
        // input (before writing anything); that is this form's field.
        match store::add_milestone(tx, r, project, &m) {
            Err(Error::Invalid(msg)) => return Ok(Err(errors_with("disclosure", &msg))),
            other => other?,
        }
        let progress = if completes {
            "completed"
        } else {
            "in_progress"
        };
        store::set_progress(tx, r, project, progress)?;
        Ok(Ok("milestone"))
    })
    .await
}
