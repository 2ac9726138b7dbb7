//! A round as open data: its Pabulib `.pb` file and the JSON list of rounds.

use crate::domain::Msg;
use crate::domain::cost_share::yuan;
use crate::domain::pabulib;
use crate::domain::pb_rules::{Instance, Rule};
use crate::domain::round::Phase;
use crate::error::Error;
use crate::store::rounds::{self as store};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The file's meta section: what the round was and how it was counted.
fn meta(
    r: &store::Round,
    community: String,
    open: usize,
    inst: &Instance,
) -> Vec<(String, String)> {
    let rule = if r.rule == Rule::Mes {
        "equalshares/add1"
    } else {
        "greedy"
    };
    let mut meta: Vec<(String, String)> = [
        ("description", r.title.clone()),
        ("country", "China".into()),
        ("unit", community),
        ("instance", r.id.to_string()),
        ("num_projects", open.to_string()),
        ("num_votes", inst.ballots.len().to_string()),
        ("budget", pabulib::show_decimal(&inst.budget)),
        ("vote_type", "approval".into()),
        ("rule", rule.into()),
        ("date_end", r.vote_until.clone()),
        ("currency", "CNY".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(m) = r.max_approvals {
        meta.push(("max_length".into(), m.to_string()));
    }
    meta
}

/// One row per project: code, cost, approvals, name, selected.
fn project_rows(open: &[store::Project], inst: &Instance, selected: &[usize]) -> Vec<Vec<String>> {
    open.iter()
        .enumerate()
        .map(|(i, p)| {
            let chosen = if selected.contains(&i) { "1" } else { "0" };
            vec![
                p.code.clone(),
                pabulib::show_decimal(&inst.costs[i]),
                p.approvals.to_string(),
                p.title.clone(),
                chosen.into(),
            ]
        })
        .collect()
}

/// Ballots sorted by what they approve, then numbered: the order of
/// casting (which the audit log shows with logins) is lost.
fn vote_rows(inst: &Instance) -> Vec<Vec<String>> {
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
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| vec![(i + 1).to_string(), line])
        .collect()
}

/// The round's .pb text, once its results are out.
fn pb_text(
    c: &rusqlite::Connection,
    cid: i64,
    id: i64,
    community: String,
) -> Result<String, Error> {
    let r = store::get(c, cid, id)?;
    if r.phase != Phase::Results {
        return Err(Error::Conflict(Msg::new(
            "结果公布后才能下载选票",
            "the ballots can be downloaded once the results are out",
        )));
    }
    let (open, inst, _) = store::election(c, &r)?;
    let selected = r.rule.select(&inst);
    Ok(pabulib::write(
        &meta(&r, community, open.len(), &inst),
        &["project_id", "cost", "votes", "name", "selected"],
        &project_rows(&open, &inst, &selected),
        &["voter_id", "vote"],
        &vote_rows(&inst),
    ))
}

/// The round's ballots as a Pabulib file; voters are numbered, not named.
pub async fn export_pb(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let com_name = v.community.name.clone();
    let text = st.db.read(move |c| pb_text(c, cid, id, com_name)).await?;
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
