//! The audit log page for the committee and the supervision committee.

use super::{day_start, fmt_time};
use crate::error::Error;
use crate::store::audit::{self, Filter};
use crate::web::AppState;
use crate::web::ctx::Overseer;
use axum::extract::{Query, State};
use maud::Markup;
use serde::Deserialize;
use teahouse_views::pages::audit as view;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: usize,
}

pub async fn show(
    State(st): State<AppState>,
    o: Overseer,
    Query(q): Query<AuditQuery>,
) -> Result<Markup, Error> {
    let tz = o.community.tz.clone();
    let filter = Filter {
        action: Some(q.action.trim().to_string()).filter(|s| !s.is_empty()),
        actor: Some(q.actor.trim().to_string()).filter(|s| !s.is_empty()),
        from: day_start(&q.from, &tz),
        to: day_start(&q.to, &tz).map(|t| t + 24 * 3600),
        page: q.page.min(100_000),
    };
    let id = o.community.id;
    let f2 = filter.clone();
    let (actions, (entries, more)) = st
        .db
        .read(move |c| Ok((audit::actions(c, id)?, audit::list(c, id, &f2)?)))
        .await?;
    let v = view::AuditView {
        slug: o.community.slug.clone(),
        actions,
        action: q.action,
        actor: q.actor,
        from: q.from,
        to: q.to,
        page: filter.page,
        more,
        entries: entries
            .into_iter()
            .map(|e| view::Entry {
                at: fmt_time(e.at, &tz),
                actor: e.actor,
                ip: e.ip,
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect(),
    };
    Ok(view::audit(&o.ctx.chrome(Some(&o.community)), &v))
}
