//! The roll's list, filtered (zone, building, search) and paged.

use crate::error::Error;
use crate::store::cache::Caches;
use crate::store::communities::Kind;
use crate::store::roll::list::PageIndex;
use crate::store::roll::{self, ListFilter, ResidentLine};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::checked;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use teahouse_views::Msg;
use teahouse_views::forms::Errors;
use teahouse_views::pages::roll as view;

/// What the filter form sends; numbers as strings, so that bad input is
/// told so in words rather than refused by the extractor.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    zone: String,
    #[serde(default)]
    building: String,
    #[serde(default)]
    q: String,
    without_account: Option<String>,
    include_inactive: Option<String>,
    /// 1-based.
    #[serde(default)]
    page: String,
}

/// The page asked for: blank is the first; else a whole number from 1.
fn page_number(typed: &str) -> Result<usize, Msg> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(1);
    }
    match t.parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => {
            let t: String = t.chars().take(20).collect();
            Err(Msg::new(
                format!("页码“{t}”无效：请用从 1 开始的整数"),
                format!("page \"{t}\" is not valid: use a whole number from 1"),
            ))
        }
    }
}

/// One of the listed choices (zone or building) by its id, or an error
/// naming the field when the id is not one of them.
fn choice(typed: &str, of: &[(i64, String)], what: &Msg) -> Result<Option<i64>, Msg> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(id) if of.iter().any(|(i, _)| *i == id) => Ok(Some(id)),
        _ => Err(Msg::new(
            format!("{}：没有这一项，请从列表中选择", what.zh),
            format!("{}: no such choice; pick one from the list", what.en),
        )),
    }
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

/// The filter as typed, checked against the community's zones and
/// buildings: an id not among them is an error beside its field.
struct Typed {
    zone: String,
    building: String,
    zone_name: Msg,
    filter: ListFilter,
}

/// Everything the page reads, in one read: the lists the filter offers, the
/// filter's errors and the page it selects.
type Read = (
    Vec<(i64, String)>,
    Vec<(i64, String)>,
    Errors,
    ListFilter,
    (Vec<ResidentLine>, i64),
);

/// How many residents `filter` selects and where its pages start: as kept
/// under `generation` of [`Caches::register`] (taken before reading), else
/// read and kept.
fn index(
    c: &rusqlite::Connection,
    id: i64,
    filter: &ListFilter,
    cache: &Caches,
    generation: u64,
) -> Result<Arc<PageIndex>, Error> {
    let key = (id, roll::list::count_key(filter));
    if let Some(n) = cache.roll_index.get(&key, generation) {
        return Ok(n);
    }
    let n = Arc::new(roll::list::page_index(c, id, filter)?);
    let size = n.size() + key.1.len();
    cache.roll_index.put_sized(key, generation, n.clone(), size);
    Ok(n)
}

fn read(
    c: &rusqlite::Connection,
    id: i64,
    t: Typed,
    cache: &Caches,
    generation: u64,
) -> Result<Read, Error> {
    let places = match cache.roll_places.get(&id, generation) {
        Some(p) => p,
        None => {
            let p = Arc::new((roll::zones(c, id)?, roll::buildings(c, id)?));
            let size = p.0.iter().chain(&p.1).map(|(_, n)| n.len() + 40).sum();
            cache.roll_places.put_sized(id, generation, p.clone(), size);
            p
        }
    };
    let (zones, buildings) = (places.0.clone(), places.1.clone());
    let mut errors = Errors::none();
    let mut filter = t.filter;
    filter.zone_id = choice(&t.zone, &zones, &t.zone_name).unwrap_or_else(|m| {
        errors.add("zone", m);
        None
    });
    filter.building_id =
        choice(&t.building, &buildings, &view::building_label()).unwrap_or_else(|m| {
            errors.add("building", m);
            None
        });
    let index = index(c, id, &filter, cache, generation)?;
    let lines = roll::list::page(c, id, &filter, &index)?;
    Ok((zones, buildings, errors, filter, (lines, index.total)))
}

pub async fn list(
    State(st): State<AppState>,
    com: Committee,
    Query(q): Query<ListQuery>,
) -> Result<Response, Error> {
    let id = com.community.id;
    let is_village = com.community.kind == Kind::Village;
    let page_no = page_number(&q.page);
    let typed = Typed {
        zone: q.zone.clone(),
        building: q.building.clone(),
        zone_name: view::zone_label(is_village),
        filter: ListFilter {
            q: Some(q.q.trim().chars().take(100).collect::<String>()).filter(|s| !s.is_empty()),
            without_account: checked(&q.without_account),
            include_inactive: checked(&q.include_inactive),
            page: page_no.as_ref().map_or(0, |n| n - 1),
            ..Default::default()
        },
    };
    let cache = st.db.cache.clone();
    let generation = cache.register();
    let (zones, buildings, errors, filter, (lines, total)) = st
        .db
        .read(move |c| read(c, id, typed, &cache, generation))
        .await?;
    let pages = (total.max(0) as usize).div_ceil(roll::PAGE).max(1);
    let status = match &page_no {
        _ if !errors.is_empty() => StatusCode::BAD_REQUEST,
        Err(_) => StatusCode::BAD_REQUEST,
        Ok(n) if *n > pages => StatusCode::NOT_FOUND,
        Ok(_) => StatusCode::OK,
    };
    let v = view::RollView {
        slug: com.community.slug.clone(),
        zones,
        zone: filter.zone_id,
        buildings,
        building: filter.building_id,
        q: filter.q.clone().unwrap_or_default(),
        without_account: filter.without_account,
        include_inactive: filter.include_inactive,
        page: match page_no {
            Ok(n) => view::Page::At(n, pages),
            Err(m) => view::Page::Bad(m),
        },
        total,
        lines: lines.into_iter().map(to_view_line).collect(),
        is_village,
        errors,
    };
    let body = view::list(&com.ctx.chrome(Some(&com.community)), &v);
    Ok((status, body).into_response())
}
