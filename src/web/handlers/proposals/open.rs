//! What the community reads of its proposals as a whole: the quarterly rating table, open data and the co-sign threshold.

use crate::domain::proposal::{self as rules, AssigneeKind, Status, Threshold};
use crate::error::Error;
use crate::store::audit;
use crate::store::proposals::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Overseer, Visitor};
use crate::web::handlers::{day_start, errors_with, invalid, see_other};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use std::collections::HashMap;
use teahouse_views::Msg;
use teahouse_views::pages::proposals as view;

pub async fn ratings(
    State(st): State<AppState>,
    o: Overseer,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let tz = o.community.tz.clone();
    let today = crate::web::handlers::today(&tz);
    let current = (today.year(), ((today.month() - 1) / 3 + 1) as u8);
    let (year, quarter) = q
        .get("quarter")
        .and_then(|s| rules::parse_quarter(s))
        .unwrap_or(current);
    let (from, to) = rules::quarter_bounds(year, quarter);
    let from = day_start(&from.to_string(), &tz).unwrap_or(0);
    let to = day_start(&to.to_string(), &tz).unwrap_or(i64::MAX);
    let cid = o.community.id;
    let rows = st
        .db
        .read(move |c| store::ratings_between(c, cid, from, to))
        .await?;
    let table = rules::rating_table(&rows);
    let lines: Vec<view::RatingLine> = table
        .into_iter()
        .map(|r| {
            let (zh, en) = AssigneeKind::parse(&r.kind)
                .map(AssigneeKind::label)
                .unwrap_or(("", ""));
            view::RatingLine {
                assignee: r.assignee,
                kind: Msg::new(zh, en),
                proposals: r.proposals,
                ratings: r.ratings,
                average: r.average,
                lowest: r.lowest,
            }
        })
        .collect();
    let chrome = o.ctx.chrome(Some(&o.community));
    Ok(view::ratings_page(
        &chrome,
        &o.community.slug,
        &format!("{year}Q{quarter}"),
        &lines,
    )
    .into_response())
}

/// Open data: every published proposal with its steps.
pub async fn api(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let slug = v.community.slug.clone();
    let body = st
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for p in store::list(c, cid, None)? {
                if p.status == Status::Draft {
                    continue;
                }
                let ratings = store::ratings(c, p.id)?;
                let events: Vec<_> = store::events(c, p.id)?
                    .into_iter()
                    .map(|e| serde_json::json!({"kind": e.kind, "note": e.note, "at": e.at}))
                    .collect();
                out.push(serde_json::json!({
                    "id": p.id, "title": p.title, "body": p.body, "category": p.category,
                    "place": p.place_label, "status": p.status.as_str(), "cosigns": p.cosigns, "needed": p.needed,
                    "decision_reason": p.decision_reason, "deliberation": p.deliberation_id,
                    "assignee": p.assignee_name, "assignee_kind": p.assignee_kind, "report": p.report,
                    "published_at": p.published_at, "completed_at": p.completed_at,
                    "ratings": ratings.iter().map(|r| r.0).collect::<Vec<_>>(),
                    "events": events,
                }));
            }
            Ok(serde_json::json!({"community": slug, "proposals": out}))
        })
        .await?;
    Ok(Json(body).into_response())
}

#[derive(serde::Deserialize)]
pub struct ThresholdForm {
    threshold: String,
}

/// The committee sets how many co-signatures (or what share of households)
/// send a proposal to review. Proposals already published keep theirs.
pub async fn set_threshold(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<ThresholdForm>,
) -> Result<Response, Error> {
    let t = match Threshold::parse(&f.threshold) {
        Ok(t) => t,
        Err(m) => {
            let typed: String = f.threshold.chars().take(100).collect();
            let v = Visitor {
                ctx: com.ctx.clone(),
                community: com.community.clone(),
            };
            let refused = Some((typed, errors_with("threshold", &m)));
            let page = super::page::list_page(&st, &v, &HashMap::new(), refused).await?;
            return Ok(invalid(page));
        }
    };
    let cid = com.community.id;
    let actor = com.ctx.actor();
    st.db
        .write(move |tx| {
            crate::store::communities::set_proposal_threshold(tx, cid, &t.show())?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "proposal.threshold",
                "community",
                &t.show(),
            )
        })
        .await?;
    Ok(see_other(&format!("/c/{}/proposals", com.community.slug)))
}
