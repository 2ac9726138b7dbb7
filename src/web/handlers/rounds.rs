//! Micro-venture round handlers: the list and new round, ideas, review,
//! phases, the approval ballot, results with their explanation, milestones,
//! Pabulib import and export, and open data.

use super::{checked, invalid, see_other, today};
use crate::domain::Msg;
use crate::domain::cost_share::{parse_hundredths, yuan};
use crate::domain::pabulib;
use crate::domain::pb_rules::{self, Rule};
use crate::domain::round::{self as rules, Phase, show_yuan};
use crate::error::Error;
use crate::store::rounds::{self as store, NewMilestone, NewProject, NewRound, Round};
use crate::store::{accounts::Role, audit, proposals::lives_in};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Visitor};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use std::collections::HashMap;
use teahouse_views::Bi;
use teahouse_views::forms::Errors;
use teahouse_views::pages::rounds as view;

pub(crate) fn phase_bi(p: Phase) -> Bi {
    let (zh, en) = p.label();
    Bi::new(zh, en)
}

fn empty_values(tz: &str) -> view::NewValues {
    let t = today(tz);
    let plus = |d: i64| (t + jiff::Span::new().days(d)).to_string();
    view::NewValues {
        title: String::new(),
        description: String::new(),
        budget: String::new(),
        min_cost: "5000".into(),
        max_cost: "15000".into(),
        place: "community".into(),
        rule: "mes".into(),
        max_approvals: String::new(),
        collect_until: plus(30),
        review_until: plus(45),
        vote_until: plus(60),
    }
}

async fn list_page(
    st: &AppState,
    ctx: &crate::web::ctx::Ctx,
    com: &crate::store::communities::Community,
    v: view::NewValues,
    errors: Errors,
) -> Result<maud::Markup, Error> {
    let cid = com.id;
    let rounds = st
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for r in store::list(c, cid)? {
                let n = store::projects(c, r.id)?.len();
                out.push(view::RoundLine {
                    id: r.id,
                    title: r.title,
                    phase: phase_bi(r.phase),
                    budget: yuan(r.budget),
                    projects: n,
                });
            }
            Ok(out)
        })
        .await?;
    let places = super::places(st, cid).await?;
    let chrome = ctx.chrome(Some(com));
    Ok(view::list_page(
        &chrome,
        &com.slug,
        &rounds,
        &v,
        &places,
        &errors,
        &crate::store::sessions::random_token(),
    ))
}

pub async fn list(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let values = empty_values(&v.community.tz);
    Ok(list_page(&st, &v.ctx, &v.community, values, Errors::none())
        .await?
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct NewForm {
    title: String,
    description: Option<String>,
    budget: String,
    min_cost: String,
    max_cost: String,
    place: String,
    rule: Option<String>,
    max_approvals: Option<String>,
    collect_until: String,
    review_until: String,
    vote_until: String,
}

fn parse_max(s: &str) -> Result<Option<u32>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(()),
    }
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<NewForm>,
) -> Result<Response, Error> {
    let v = view::NewValues {
        title: f.title.trim().to_string(),
        description: f.description.unwrap_or_default().trim().to_string(),
        budget: f.budget,
        min_cost: f.min_cost,
        max_cost: f.max_cost,
        place: f.place,
        rule: f.rule.unwrap_or_default(),
        max_approvals: f.max_approvals.unwrap_or_default(),
        collect_until: f.collect_until,
        review_until: f.review_until,
        vote_until: f.vote_until,
    };
    let mut e = Errors::none();
    if v.title.is_empty() || v.title.chars().count() > 80 {
        e.add(
            "title",
            Bi::new(
                "请写名称（最多 80 字）",
                "Please name the round (80 characters at most)",
            ),
        );
    }
    let money = |e: &mut Errors, k: &str, s: &str| -> i64 {
        match parse_hundredths(s) {
            Some(n) => n,
            None => {
                e.add(
                    k,
                    Bi::new(
                        format!("“{s}”不是金额（元，最多两位小数）"),
                        format!("\"{s}\" is not an amount (yuan, at most two decimals)"),
                    ),
                );
                0
            }
        }
    };
    let budget = money(&mut e, "budget", &v.budget);
    let min = money(&mut e, "min_cost", &v.min_cost);
    let max = money(&mut e, "max_cost", &v.max_cost);
    if e.get("budget").is_none() && budget <= 0 {
        e.add(
            "budget",
            Bi::new("预算须大于零", "the budget must be above zero"),
        );
    }
    if e.get("max_cost").is_none() && max < min {
        e.add(
            "max_cost",
            Bi::new("最多不能少于最少", "the most cannot be less than the least"),
        );
    }
    if e.get("max_cost").is_none() && max > budget {
        e.add(
            "max_cost",
            Bi::new(
                "每个项目最多不能超过总预算",
                "the most per project cannot exceed the budget",
            ),
        );
    }
    let rule = Rule::parse(&v.rule);
    if rule.is_none() {
        e.add(
            "rule",
            Bi::new("请选择计票规则", "Please choose the outcome rule"),
        );
    }
    let max_approvals = parse_max(&v.max_approvals).unwrap_or_else(|_| {
        e.add(
            "max_approvals",
            Bi::new(
                "请写正整数，或留空",
                "Write a whole number above zero, or leave it blank",
            ),
        );
        None
    });
    let dates: Vec<Option<jiff::civil::Date>> = [&v.collect_until, &v.review_until, &v.vote_until]
        .iter()
        .map(|d| d.trim().parse().ok())
        .collect();
    for (k, d) in ["collect_until", "review_until", "vote_until"]
        .iter()
        .zip(&dates)
    {
        if d.is_none() {
            e.add(k, Bi::new("请填写日期", "Please give a date"));
        }
    }
    if let [Some(a), Some(b), Some(c)] = dates[..]
        && !(a <= b && b <= c)
    {
        e.add(
            "vote_until",
            Bi::new(
                "日期应依次为：征集截止 ≤ 评审截止 ≤ 投票截止",
                "The dates should run: ideas close ≤ review ends ≤ voting closes",
            ),
        );
    }
    if !e.is_empty() {
        return Ok(invalid(
            list_page(&st, &com.ctx, &com.community, v, e).await?,
        ));
    }
    let n = NewRound {
        title: v.title.clone(),
        description: v.description.clone(),
        budget,
        min_cost: min,
        max_cost: max,
        place: v.place.clone(),
        rule: rule.unwrap_or(Rule::Mes),
        max_approvals,
        collect_until: v.collect_until.trim().into(),
        review_until: v.review_until.trim().into(),
        vote_until: v.vote_until.trim().into(),
    };
    let cid = com.community.id;
    let by = com.account.id;
    let actor = com.ctx.actor();
    let res = st
        .db
        .write(move |tx| {
            let id = store::create(tx, cid, &n, by)?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "round.create",
                &format!("round:{id}"),
                &n.title,
            )?;
            Ok(id)
        })
        .await;
    match res {
        Ok(id) => Ok(see_other(&format!("/c/{}/rounds/{id}", com.community.slug))),
        Err(Error::Invalid(m)) => Ok(invalid(
            list_page(
                &st,
                &com.ctx,
                &com.community,
                v,
                super::errors_with("place", &m),
            )
            .await?,
        )),
        Err(err) => Err(err),
    }
}

/// A voter's share, and (project code, amount) it paid.
type MyShare = (String, Vec<(String, String)>);

/// What the viewer's share paid for under MES, if they voted: their share
/// and (project code, amount). Replays the final run voter by voter.
fn my_payments(
    conn: &rusqlite::Connection,
    r: &Round,
    added: &str,
    key: &str,
) -> Result<Option<MyShare>, Error> {
    let (_, inst, voters) = store::election(conn, r)?;
    let Some(i) = voters.iter().position(|v| v == key) else {
        return Ok(None);
    };
    let added: num_bigint::BigInt = added.parse().unwrap_or_default();
    let share = &inst.budget / pb_rules::Q::from_integer(voters.len().into())
        + pb_rules::Q::from_integer(added);
    let (_, pay) = pb_rules::mes_payments(&inst, &share);
    let paid = pay[i]
        .iter()
        .map(|(p, amt)| (inst.ids[*p].clone(), show_yuan(amt)))
        .collect();
    Ok(Some((show_yuan(&share), paid)))
}

/// The result explained from what was stored when it was published: the
/// chosen rule's steps, the other rule's outcome, and the viewer's share.
fn explain(
    r: &Round,
    result: &serde_json::Value,
    projects: &[store::Project],
    mine: Option<MyShare>,
) -> view::ResultView {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0) as usize;
    let title = |code: &str| {
        projects
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.title.clone())
            .unwrap_or_default()
    };
    let list = |k: &str| result[k].as_array().cloned().unwrap_or_default();
    let funded: i64 = projects.iter().filter(|p| p.funded).map(|p| p.cost).sum();
    let other = if r.rule == Rule::Mes {
        Rule::Greedy
    } else {
        Rule::Mes
    };
    view::ResultView {
        rule: r.rule.as_str().into(),
        voters: n(&result["voters"]),
        funded_total: yuan(funded),
        left: yuan(r.budget - funded),
        bars: projects
            .iter()
            .filter(|p| p.review == "feasible")
            .map(|p| {
                (
                    p.code.clone(),
                    p.title.clone(),
                    p.approvals,
                    yuan(p.cost),
                    p.funded,
                )
            })
            .collect(),
        greedy_steps: list("greedy_steps")
            .iter()
            .map(|x| {
                let code = s(&x["code"]);
                let t = title(&code);
                (
                    code,
                    t,
                    n(&x["approvals"]),
                    x["funded"].as_bool() == Some(true),
                    s(&x["left"]),
                )
            })
            .collect(),
        share: if r.rule == Rule::Mes {
            s(&result["mes_share"])
        } else {
            String::new()
        },
        mes_steps: if r.rule == Rule::Mes {
            list("mes_steps")
                .iter()
                .map(|x| {
                    let code = s(&x["code"]);
                    let t = title(&code);
                    (
                        code,
                        t,
                        s(&x["price"]),
                        n(&x["paid_in_full"]),
                        n(&x["paid_rest"]),
                    )
                })
                .collect()
        } else {
            vec![]
        },
        mine,
        other_rule: (
            other.as_str().into(),
            list(other.as_str()).iter().map(s).collect(),
        ),
        ballots_sha256: s(&result["ballots_sha256"]),
    }
}

fn done_words(k: &str) -> Option<Bi> {
    Some(match k {
        "submitted" => Bi::new(
            "项目已提交，等待评审。",
            "Project submitted; it will be reviewed.",
        ),
        "reviewed" => Bi::new("评审已保存。", "Review saved."),
        "rule" => Bi::new("计票规则已保存。", "Rule saved."),
        "phase" => Bi::new("已进入下一阶段。", "Moved to the next phase."),
        "voted" => Bi::new("你的选票已记录。", "Your ballot is recorded."),
        "milestone" => Bi::new("进度已记录。", "Progress recorded."),
        "imported" => Bi::new("已导入并计票。", "Imported and counted."),
        _ => return None,
    })
}

async fn show_page(
    st: &AppState,
    v: &Visitor,
    id: i64,
    errors: Errors,
    idea: (String, String, String, String),
    done: Option<Bi>,
) -> Result<maud::Markup, Error> {
    let cid = v.community.id;
    let tz = v.community.tz.clone();
    let me = v.ctx.0.account.as_ref().map(|a| a.id);
    let member = v
        .ctx
        .0
        .account
        .as_ref()
        .is_some_and(|a| a.has_role(cid, Role::Resident));
    let (r, projects, milestones, voted, eligible, mine) = st
        .db
        .read(move |c| {
            let r = store::get(c, cid, id)?;
            let projects = store::projects(c, id)?;
            let milestones = store::milestones(c, id)?;
            let voted = match me {
                Some(a) => store::has_voted(c, id, &store::voter_key(a))?,
                None => false,
            };
            let eligible = match me {
                Some(a) => lives_in(c, cid, &r.place, a)?,
                None => false,
            };
            // Only a voter's own payments are worked out per view, and only
            // under MES; everything else was stored with the result.
            let added = r.result.as_ref().and_then(|x| x["mes_added"].as_str());
            let mine = match (me, added) {
                (Some(a), Some(added)) if voted && r.rule == Rule::Mes => {
                    my_payments(c, &r, added, &store::voter_key(a))?
                }
                _ => None,
            };
            Ok((r, projects, milestones, voted, eligible, mine))
        })
        .await?;
    let result = match (&r.result, r.phase) {
        (Some(res), Phase::Results) => Some(explain(&r, res, &projects, mine)),
        _ => None,
    };
    let today = today(&tz).to_string();
    let sv = view::ShowView {
        id: r.id,
        title: r.title.clone(),
        description: r.description.clone(),
        phase: r.phase.as_str().into(),
        phase_words: phase_bi(r.phase),
        budget: yuan(r.budget),
        range: format!("{}–{}", yuan(r.min_cost), yuan(r.max_cost)),
        place: r.place_label.clone(),
        rule: r.rule.as_str().into(),
        max_approvals: r.max_approvals,
        dates: [
            r.collect_until.clone(),
            r.review_until.clone(),
            r.vote_until.clone(),
        ],
        imported: r.imported,
        projects: projects
            .iter()
            .map(|p| view::ProjectLine {
                id: p.id,
                code: p.code.clone(),
                title: p.title.clone(),
                description: p.description.clone(),
                team: p.team.clone(),
                submitter: p.submitter.clone(),
                cost: yuan(p.cost),
                proposed_cost: yuan(p.proposed_cost),
                cost_reason: p.cost_reason.clone(),
                review: p.review.clone(),
                review_reason: p.review_reason.clone(),
                approvals: p.approvals,
                funded: p.funded,
                progress: match p.progress.as_str() {
                    "completed" => Bi::new("已完成", "completed"),
                    "in_progress" => Bi::new("实施中", "under way"),
                    _ => Bi::new("未开始", "not started"),
                },
            })
            .collect(),
        can_submit: member && r.phase == Phase::Collect,
        can_vote: eligible && !voted && r.phase == Phase::Vote,
        has_voted: voted,
        result,
        milestones: milestones
            .iter()
            .map(|m| view::MilestoneLine {
                project_id: m.project_id,
                title: m.title.clone(),
                due: m.due.clone(),
                spent: yuan(m.spent),
                disclosure: m.disclosure_id,
                done: m.done_at.is_some(),
                overdue: m.done_at.is_none() && m.due < today,
                note: m.note.clone(),
            })
            .collect(),
        errors,
        idea,
        done,
    };
    let chrome = v.ctx.chrome(Some(&v.community));
    Ok(view::show_page(&chrome, &v.community.slug, &sv))
}

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let done = q.get("done").and_then(|d| done_words(d));
    Ok(
        show_page(&st, &v, id, Errors::none(), Default::default(), done)
            .await?
            .into_response(),
    )
}

/// One step on a round: one transaction with its audit row, then its page.
async fn step<F>(
    st: &AppState,
    ctx: &crate::web::ctx::Ctx,
    com: &crate::store::communities::Community,
    id: i64,
    action: &'static str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Round) -> Result<&'static str, Error> + Send + 'static,
{
    super::step_on(
        st,
        ctx,
        com,
        "rounds",
        "round",
        id,
        action,
        store::get,
        move |tx, r| {
            let done = f(tx, r)?;
            Ok((done.to_string(), done.to_string()))
        },
    )
    .await
}

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
            Bi::new(
                "请写项目名称（最多 80 字）",
                "Please name the project (80 characters at most)",
            ),
        );
    }
    if idea.1.chars().count() > 3000 {
        e.add(
            "description",
            Bi::new("说明最多 3000 字", "3000 characters at most"),
        );
    }
    let cost = parse_hundredths(&idea.3);
    if cost.is_none() {
        e.add(
            "cost",
            Bi::new(
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
                    &format!("round:{id}"),
                    &format!("project:{pid}"),
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
            Ok(invalid(show_page(&st, &v, id, e, idea, None).await?))
        }
        Err(Error::Invalid(msg)) => {
            let v = Visitor {
                ctx: m.ctx.clone(),
                community: m.community.clone(),
            };
            Ok(invalid(
                show_page(&st, &v, id, super::errors_with("cost", &msg), idea, None).await?,
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
pub struct RuleForm {
    rule: String,
    max_approvals: Option<String>,
}

pub async fn settings(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<RuleForm>,
) -> Result<Response, Error> {
    let rule = Rule::parse(&f.rule)
        .ok_or_else(|| Error::Invalid(Msg::new("请选择计票规则", "choose the outcome rule")))?;
    let max = parse_max(f.max_approvals.as_deref().unwrap_or("")).map_err(|_| {
        Error::Invalid(Msg::new(
            "每人最多赞成数应为正整数或留空",
            "the approval limit should be a whole number above zero, or blank",
        ))
    })?;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "round.rule",
        move |tx, r| {
            store::set_rule(tx, r, rule, max)?;
            Ok("rule")
        },
    )
    .await
}

pub async fn phase(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "round.phase",
        move |tx, r| {
            let next = r
                .phase
                .next()
                .ok_or_else(|| Error::Conflict(Msg::new("本轮已结束", "this round is finished")))?;
            store::set_phase(tx, r, next)?;
            Ok("phase")
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
    let chosen: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "project")
        .map(|(_, v)| {
            v.parse::<i64>()
                .map_err(|_| Error::Invalid(Msg::new("项目编号无效", "invalid project")))
        })
        .collect::<Result<_, _>>()?;
    let me = m.account.id;
    let cid = m.community.id;
    step(
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

/// The round's ballots as a Pabulib file; voters are numbered, not named.
pub async fn export_pb(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let com_name = v.community.name.clone();
    let text = st
        .db
        .read(move |c| {
            let r = store::get(c, cid, id)?;
            if r.phase != Phase::Results {
                return Err(Error::Conflict(Msg::new(
                    "结果公布后才能下载选票",
                    "the ballots can be downloaded once the results are out",
                )));
            }
            let (open, inst, _) = store::election(c, &r)?;
            let selected = r.rule.select(&inst);
            let meta: Vec<(String, String)> = vec![
                ("description".into(), r.title.clone()),
                ("country".into(), "China".into()),
                ("unit".into(), com_name),
                ("instance".into(), r.id.to_string()),
                ("num_projects".into(), open.len().to_string()),
                ("num_votes".into(), inst.ballots.len().to_string()),
                ("budget".into(), pabulib::show_decimal(&inst.budget)),
                ("vote_type".into(), "approval".into()),
                (
                    "rule".into(),
                    if r.rule == Rule::Mes {
                        "equalshares/add1".into()
                    } else {
                        "greedy".into()
                    },
                ),
                ("date_end".into(), r.vote_until.clone()),
                ("currency".into(), "CNY".into()),
            ]
            .into_iter()
            .chain(
                r.max_approvals
                    .map(|m| ("max_length".to_string(), m.to_string())),
            )
            .collect();
            let projects: Vec<Vec<String>> = open
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    vec![
                        p.code.clone(),
                        pabulib::show_decimal(&inst.costs[i]),
                        p.approvals.to_string(),
                        p.title.clone(),
                        if selected.contains(&i) {
                            "1".into()
                        } else {
                            "0".into()
                        },
                    ]
                })
                .collect();
            // Ballots sorted by what they approve, then numbered: the order
            // of casting (which the audit log shows with logins) is lost.
            let mut lines: Vec<String> = inst
                .ballots
                .iter()
                .map(|b| {
                    b.iter()
                        .map(|&p| inst.ids[p].clone())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect();
            lines.sort();
            let votes: Vec<Vec<String>> = lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| vec![(i + 1).to_string(), line])
                .collect();
            Ok(pabulib::write(
                &meta,
                &["project_id", "cost", "votes", "name", "selected"],
                &projects,
                &["voter_id", "vote"],
                &votes,
            ))
        })
        .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"round-{id}.pb\""),
            ),
        ],
        text,
    )
        .into_response())
}

/// Open data: rounds, projects, reviews, results and milestones.
pub async fn api(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let slug = v.community.slug.clone();
    let body = st
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for r in store::list(c, cid)? {
                let projects: Vec<_> = store::projects(c, r.id)?
                    .into_iter()
                    .map(|p| serde_json::json!({
                        "code": p.code, "title": p.title, "team": p.team, "proposed_cost": yuan(p.proposed_cost),
                        "cost": yuan(p.cost), "cost_reason": p.cost_reason, "review": p.review,
                        "review_reason": p.review_reason, "approvals": if r.phase == Phase::Results { Some(p.approvals) } else { None },
                        "funded": p.funded, "progress": p.progress,
                    }))
                    .collect();
                let milestones: Vec<_> = store::milestones(c, r.id)?
                    .into_iter()
                    .map(|m| serde_json::json!({"project": m.project_id, "title": m.title, "due": m.due, "spent": yuan(m.spent), "disclosure": m.disclosure_id, "done": m.done_at.is_some()}))
                    .collect();
                out.push(serde_json::json!({
                    "id": r.id, "title": r.title, "budget": yuan(r.budget), "min_cost": yuan(r.min_cost),
                    "max_cost": yuan(r.max_cost), "scope": r.place_label, "rule": r.rule.as_str(),
                    "max_approvals": r.max_approvals, "phase": r.phase.as_str(),
                    "dates": {"collect_until": r.collect_until, "review_until": r.review_until, "vote_until": r.vote_until},
                    "projects": projects, "result": r.result, "milestones": milestones,
                    "ballots": if r.phase == Phase::Results { Some(format!("/c/{slug}/rounds/{}/round.pb", r.id)) } else { None },
                }));
            }
            Ok(serde_json::json!({"community": slug, "rounds": out}))
        })
        .await?;
    Ok(Json(body).into_response())
}
