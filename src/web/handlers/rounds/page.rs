//! One round's page: its projects, the ballot, the result and why each project won or lost.

use super::phase_bi;
use crate::domain::cost_share::yuan;
use crate::domain::pb_rules::{self, Rule};
use crate::domain::round::{Phase, show_yuan};
use crate::error::Error;
use crate::store::rounds::{self as store, Round};
use crate::store::{accounts::Role, proposals::lives_in};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::handlers::today;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use teahouse_views::Msg;
use teahouse_views::forms::Errors;
use teahouse_views::pages::rounds as view;
use teahouse_views::refused::Refused;

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

fn text(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

fn count(v: &serde_json::Value) -> usize {
    v.as_u64().unwrap_or(0) as usize
}

fn title_of(projects: &[store::Project], code: &str) -> String {
    projects
        .iter()
        .find(|p| p.code == code)
        .map(|p| p.title.clone())
        .unwrap_or_default()
}

/// The greedy count step by step: code, title, approvals, funded, left.
fn greedy_steps(
    steps: &[serde_json::Value],
    projects: &[store::Project],
) -> Vec<(String, String, usize, bool, String)> {
    steps
        .iter()
        .map(|x| {
            let code = text(&x["code"]);
            let t = title_of(projects, &code);
            let funded = x["funded"].as_bool() == Some(true);
            (code, t, count(&x["approvals"]), funded, text(&x["left"]))
        })
        .collect()
}

/// MES step by step: code, title, price, paid in full, paid the rest.
fn mes_steps(
    steps: &[serde_json::Value],
    projects: &[store::Project],
) -> Vec<(String, String, String, usize, usize)> {
    steps
        .iter()
        .map(|x| {
            let code = text(&x["code"]);
            let t = title_of(projects, &code);
            let (full, rest) = (count(&x["paid_in_full"]), count(&x["paid_rest"]));
            (code, t, text(&x["price"]), full, rest)
        })
        .collect()
}

/// The result explained from what was stored when it was published: the
/// chosen rule's steps, the other rule's outcome, and the viewer's share.
fn explain(
    r: &Round,
    result: &serde_json::Value,
    projects: &[store::Project],
    mine: Option<MyShare>,
) -> view::ResultView {
    let list = |k: &str| result[k].as_array().cloned().unwrap_or_default();
    let funded: i64 = projects.iter().filter(|p| p.funded).map(|p| p.cost).sum();
    let mes = r.rule == Rule::Mes;
    let other = if mes { Rule::Greedy } else { Rule::Mes };
    view::ResultView {
        rule: r.rule.as_str().into(),
        voters: count(&result["voters"]),
        funded_total: yuan(funded),
        left: yuan(r.budget - funded),
        bars: projects
            .iter()
            .filter(|p| p.review == "feasible")
            .map(|p| {
                let cost = yuan(p.cost);
                (p.code.clone(), p.title.clone(), p.approvals, cost, p.funded)
            })
            .collect(),
        greedy_steps: greedy_steps(&list("greedy_steps"), projects),
        share: if mes {
            text(&result["mes_share"])
        } else {
            String::new()
        },
        mes_steps: if mes {
            mes_steps(&list("mes_steps"), projects)
        } else {
            vec![]
        },
        mine,
        other_rule: (
            other.as_str().into(),
            list(other.as_str()).iter().map(text).collect(),
        ),
        ballots_sha256: text(&result["ballots_sha256"]),
    }
}

fn done_words(k: &str) -> Option<Msg> {
    Some(match k {
        "submitted" => Msg::new(
            "项目已提交，等待评审。",
            "Project submitted; it will be reviewed.",
        ),
        "reviewed" => Msg::new("评审已保存。", "Review saved."),
        "rule" => Msg::new("计票规则已保存。", "Rule saved."),
        "phase" => Msg::new("已进入下一阶段。", "Moved to the next phase."),
        "voted" => Msg::new("你的选票已记录。", "Your ballot is recorded."),
        "milestone" => Msg::new("进度已记录。", "Progress recorded."),
        "imported" => Msg::new("已导入并计票。", "Imported and counted."),
        _ => return None,
    })
}

/// What a refused form sends back to the round's page: the resident's idea
/// or ballot as typed, or one of the committee's forms.
#[derive(Default)]
pub(super) struct Again {
    pub errors: Errors,
    pub idea: (String, String, String, String),
    pub ballot: Vec<i64>,
    pub refused: Option<Refused<view::Form>>,
}

/// What the page reads in one go.
struct Loaded {
    r: Round,
    projects: Vec<store::Project>,
    milestones: Vec<store::Milestone>,
    voted: bool,
    eligible: bool,
    mine: Option<MyShare>,
    own: Vec<i64>,
}

fn load(c: &rusqlite::Connection, cid: i64, id: i64, me: Option<i64>) -> Result<Loaded, Error> {
    let r = store::get(c, cid, id)?;
    let key = me.map(store::voter_key);
    let voted = match &key {
        Some(k) => store::has_voted(c, id, k)?,
        None => false,
    };
    // The viewer's own choices, shown to them alone.
    let own = match &key {
        Some(k) if voted => store::my_approvals(c, id, k)?,
        _ => Vec::new(),
    };
    let eligible = match me {
        Some(a) => lives_in(c, cid, &r.place, a)?,
        None => false,
    };
    // Only a voter's own payments are worked out per view, and only
    // under MES; everything else was stored with the result.
    let added = r.result.as_ref().and_then(|x| x["mes_added"].as_str());
    let mine = match (&key, added) {
        (Some(k), Some(added)) if voted && r.rule == Rule::Mes => my_payments(c, &r, added, k)?,
        _ => None,
    };
    Ok(Loaded {
        projects: store::projects(c, id)?,
        milestones: store::milestones(c, id)?,
        r,
        voted,
        eligible,
        mine,
        own,
    })
}

fn project_line(p: &store::Project) -> view::ProjectLine {
    view::ProjectLine {
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
            "completed" => Msg::new("已完成", "completed"),
            "in_progress" => Msg::new("实施中", "under way"),
            _ => Msg::new("未开始", "not started"),
        },
    }
}

fn milestone_line(m: &store::Milestone, today: &str) -> view::MilestoneLine {
    view::MilestoneLine {
        project_id: m.project_id,
        title: m.title.clone(),
        due: m.due.clone(),
        spent: yuan(m.spent),
        disclosure: m.disclosure_id,
        done: m.done_at.is_some(),
        overdue: m.done_at.is_none() && m.due.as_str() < today,
        note: m.note.clone(),
    }
}

/// The round's page, with a refused form (if any) as it was typed.
pub(super) async fn show_page(
    st: &AppState,
    v: &Visitor,
    id: i64,
    again: Again,
    done: Option<Msg>,
) -> Result<maud::Markup, Error> {
    let cid = v.community.id;
    let me = v.ctx.0.account.as_ref().map(|a| a.id);
    let member = v
        .ctx
        .0
        .account
        .as_ref()
        .is_some_and(|a| a.has_role(cid, Role::Resident));
    let l = st.db.read(move |c| load(c, cid, id, me)).await?;
    let r = &l.r;
    let result = match (&r.result, r.phase) {
        (Some(res), Phase::Results) => Some(explain(r, res, &l.projects, l.mine.clone())),
        _ => None,
    };
    let today = today(&v.community.tz).to_string();
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
        projects: l.projects.iter().map(project_line).collect(),
        can_submit: member && r.phase == Phase::Collect,
        can_vote: l.eligible && !l.voted && r.phase == Phase::Vote,
        has_voted: l.voted,
        result,
        milestones: l
            .milestones
            .iter()
            .map(|m| milestone_line(m, &today))
            .collect(),
        errors: again.errors,
        idea: again.idea,
        chosen: if l.voted { l.own.clone() } else { again.ballot },
        done,
        refused: again.refused,
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
    Ok(show_page(&st, &v, id, Again::default(), done)
        .await?
        .into_response())
}
