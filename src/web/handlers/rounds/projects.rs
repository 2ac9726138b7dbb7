//! A round's projects: a resident's idea, the committee's review, a winner's milestones.

use super::page::show_page;
use super::step;
use crate::domain::Msg;
use crate::domain::cost_share::parse_hundredths;
use crate::error::Error;
use crate::store::audit;
use crate::store::rounds::{self as store, NewMilestone, NewProject};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Visitor};
use crate::web::handlers::{checked, errors_with, invalid, see_other};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use teahouse_views::forms::Errors;

#[derive(serde::Deserialize)]
pub struct IdeaForm {
    title: String,
    description: Option<String>,
    team: Option<String>,
    cost: String,
}

pub async fn submit(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<IdeaForm>,
) -> Result<Response, Error> {
    let idea = (
        f.title.trim().to_string(),
        f.description.unwrap_or_default().trim().to_string(),
        f.team.unwrap_or_default().trim().to_string(),
        f.cost.trim().to_string(),
    );
    let mut e = Errors::none();
    if idea.0.is_empty() || idea.0.chars().count() > 80 {
        e.add(
            "title",
            Msg::new(
                "请写项目名称（最多 80 字）",
                "Please name the project (80 characters at most)",
            ),
        );
    }
    if idea.1.chars().count() > 3000 {
        e.add(
            "description",
            Msg::new("说明最多 3000 字", "3000 characters at most"),
        );
    }
    let cost = parse_hundredths(&idea.3);
    if cost.is_none() {
        e.add(
            "cost",
            Msg::new(
                format!("“{}”不是金额（元，最多两位小数）", idea.3),
                format!(
                    "\"{}\" is not an amount (yuan, at most two decimals)",
                    idea.3
                ),
            ),
        );
    }
    let by = m.account.id;
    let cid = m.community.id;
    let actor = m.ctx.actor();
    let res = if e.is_empty() {
        let n = NewProject {
            title: idea.0.clone(),
            description: idea.1.clone(),
            team: idea.2.clone(),
            cost: cost.unwrap_or(0),
        };
        st.db
            .write(move |tx| {
                let r = store::get(tx, cid, id)?;
                let pid = store::submit(tx, &r, &n, Some(by))?;
                audit::record(
                    tx,
                    &actor,
                    Some(cid),
                    "round.submit",
                    &crate::domain::Subject::Round(id).to_string(),
                    &crate::domain::Subject::Project(pid).to_string(),
                )?;
                Ok(())
            })
            .await
    } else {
        Ok(())
    };
    match res {
        Ok(()) if e.is_empty() => Ok(see_other(&format!(
            "/c/{}/rounds/{id}?done=submitted#h-projects",
            m.community.slug
        ))),
        Ok(()) => {
            let v = Visitor {
                ctx: m.ctx.clone(),
                community: m.community.clone(),
            };
            Ok(invalid(
                show_page(&st, &v, id, e, idea, vec![], None).await?,
            ))
        }
        Err(Error::Invalid(msg)) => {
            let v = Visitor {
                ctx: m.ctx.clone(),
                community: m.community.clone(),
            };
            Ok(invalid(
                show_page(&st, &v, id, errors_with("cost", &msg), idea, vec![], None).await?,
            ))
        }
        Err(err) => Err(err),
    }
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    verdict: String,
    reason: Option<String>,
    cost: String,
    cost_reason: Option<String>,
}

pub async fn review(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, project)): Path<(String, i64, i64)>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, Error> {
    let cost = parse_hundredths(&f.cost).ok_or_else(|| {
        Error::Invalid(Msg::new(
            format!("“{}”不是金额", f.cost),
            format!("\"{}\" is not an amount", f.cost),
        ))
    })?;
    let feasible = match f.verdict.as_str() {
        "feasible" => true,
        "infeasible" => false,
        _ => {
            return Err(Error::Invalid(Msg::new(
                "请选择是否可行",
                "choose feasible or not",
            )));
        }
    };
    let reason = f.reason.unwrap_or_default();
    let cost_reason = f.cost_reason.unwrap_or_default();
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "round.review",
        move |tx, r| {
            store::review(tx, r, project, feasible, &reason, cost, &cost_reason)?;
            Ok("reviewed")
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct MilestoneForm {
    title: String,
    due: String,
    spent: Option<String>,
    disclosure: Option<String>,
    note: Option<String>,
    done: Option<String>,
    completes: Option<String>,
}

pub async fn milestone(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, project)): Path<(String, i64, i64)>,
    Form(f): Form<MilestoneForm>,
) -> Result<Response, Error> {
    let title = crate::store::required_text(&f.title, 100)?;
    let due: jiff::civil::Date = f
        .due
        .trim()
        .parse()
        .map_err(|_| Error::Invalid(Msg::new("请填写期限日期", "give the due date")))?;
    let spent_text = f.spent.unwrap_or_default();
    let spent = if spent_text.trim().is_empty() {
        Some(0)
    } else {
        parse_hundredths(&spent_text)
    }
    .ok_or_else(|| {
        Error::Invalid(Msg::new(
            format!("“{spent_text}”不是金额"),
            format!("\"{spent_text}\" is not an amount"),
        ))
    })?;
    let disclosure = match f.disclosure.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(d.trim_start_matches('#').parse::<i64>().map_err(|_| {
            Error::Invalid(Msg::new(
                "公开编号应为数字",
                "the disclosure number should be a number",
            ))
        })?),
    };
    let m = NewMilestone {
        title,
        due: due.to_string(),
        spent,
        disclosure_id: disclosure,
        note: f
            .note
            .unwrap_or_default()
            .trim()
            .chars()
            .take(500)
            .collect(),
        done: checked(&f.done),
    };
    let completes = checked(&f.completes);
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "round.milestone",
        move |tx, r| {
            store::add_milestone(tx, r, project, &m)?;
            store::set_progress(
                tx,
                r,
                project,
                if completes {
                    "completed"
                } else {
                    "in_progress"
                },
            )?;
            Ok("milestone")
        },
    )
    .await
}
