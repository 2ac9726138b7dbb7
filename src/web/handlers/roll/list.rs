//! The roll's list, filtered and paged.

use crate::error::Error;
use crate::store::communities::Kind;
use crate::store::roll::{self, ListFilter, ResidentLine};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::checked;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::pages::roll as view;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    zone: String,
    #[serde(default)]
    q: String,
    without_account: Option<String>,
    include_inactive: Option<String>,
    #[serde(default)]
    page: usize,
}

fn to_view_line(l: ResidentLine) -> view::Line {
    view::Line {
        id: l.id,
        key: l.key,
        name: l.name,
        zone: l.zone,
        place: l.place,
        owner: l.owner,
        adult: l.adult,
        representative: l.representative,
        phone: l.phone,
        login: l.login,
        active: l.active,
    }
}

pub async fn list(
    State(st): State<AppState>,
    com: Committee,
    Query(q): Query<ListQuery>,
) -> Result<Response, Error> {
    let filter = ListFilter {
        zone_id: q.zone.parse().ok(),
        q: Some(q.q.trim().to_string()).filter(|s| !s.is_empty()),
        without_account: checked(&q.without_account),
        include_inactive: checked(&q.include_inactive),
        page: q.page.min(100_000),
    };
    let id = com.community.id;
    let f2 = filter.clone();
    let (zones, (lines, total)) = st
        .db
        .read(move |c| Ok((roll::zones(c, id)?, roll::list(c, id, &f2)?)))
        .await?;
    let v = view::RollView {
        slug: com.community.slug.clone(),
        zones,
        zone: filter.zone_id,
        q: q.q.clone(),
        without_account: filter.without_account,
        include_inactive: filter.include_inactive,
        page: filter.page,
        page_size: roll::PAGE,
        total,
        lines: lines.into_iter().map(to_view_line).collect(),
        is_village: com.community.kind == Kind::Village,
    };
    Ok(view::list(&com.ctx.chrome(Some(&com.community)), &v).into_response())
}
