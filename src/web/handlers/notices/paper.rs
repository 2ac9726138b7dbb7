//! Paper delivery: the printable list of a building or villager group with
//! a receipt per household, ticking a household on the list, and the
//! receipt page a grid worker's phone opens from the QR code (a confirm
//! button; the POST records the household reached on paper, by whom and
//! when, once).

use super::reached_words;
use crate::domain::Msg;
use crate::error::Error;
use crate::store::notices_record::{self as rec, Place};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::{fmt_time, see_other};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::pages::notices::paper::{self as view, PaperLine, PaperList, ReceiptView};

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    place: String,
    #[serde(default)]
    unreached: u8,
    ticked: Option<String>,
}

fn place_of(s: &str) -> Result<Option<Place>, Error> {
    if s.is_empty() {
        return Ok(None);
    }
    Place::parse(s).map(Some).ok_or_else(|| {
        Error::Invalid(Msg::new(
            format!("「{s}」不是楼栋或村民小组（应为 building:编号 或 zone:编号）"),
            format!("'{s}' is not a building or villager group (building:N or zone:N expected)"),
        ))
    })
}

pub async fn list(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<ListQuery>,
) -> Result<Response, Error> {
    let place = place_of(&q.place)?;
    let (cid, unreached) = (com.community.id, q.unreached == 1);
    let (n, rows) = st
        .db
        .read(move |c| {
            let n = rec::notice(c, cid, id)?.ok_or(Error::NotFound)?;
            Ok((n, rec::households(c, id, place, unreached)?))
        })
        .await?;
    let (tz, lang, slug) = (&com.community.tz, com.ctx.0.lang, &com.community.slug);
    let origin = &com.ctx.0.origin;
    let place_label = match place {
        None => "全部 All".to_string(),
        Some(_) => rows
            .first()
            .map(|r| r.place_label.clone())
            .unwrap_or_default(),
    };
    let lines = rows
        .iter()
        .map(|r| PaperLine {
            household_id: r.household_id,
            code: r.code.clone(),
            place: r.place_label.clone(),
            dwelling: r.dwelling.clone(),
            names: r.names.clone(),
            receipt_url: format!("{origin}/c/{slug}/receipts/{}", r.receipt),
            reached: r.reached.map(|(at, by)| reached_words(lang, at, by, tz)),
        })
        .collect();
    let v = PaperList {
        community: com.community.name.clone(),
        slug: slug.clone(),
        notice_id: id,
        title: n.title.clone(),
        body: n.body.clone(),
        place_label,
        place: q.place.clone(),
        unreached_only: unreached,
        lines,
        printed: fmt_time(crate::store::now(), tz),
        flash: q.ticked.map(|h| {
            teahouse_views::Msg::new(
                format!("已记录 {h} 户纸质送达。"),
                format!("Household {h} recorded as reached on paper."),
            )
        }),
    };
    Ok(view::list(&com.ctx.chrome(Some(&com.community)), &v).into_response())
}

/// Ticking a household on the list page.
pub async fn tick(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, household)): Path<(String, i64, i64)>,
    Query(q): Query<ListQuery>,
) -> Result<Response, Error> {
    let place = place_of(&q.place)?;
    let (cid, account) = (com.community.id, com.account.id);
    let (code, _) = st
        .db
        .write(move |tx| rec::mark_paper(tx, cid, id, household, account))
        .await?;
    let place = place.map(Place::code).unwrap_or_default();
    Ok(see_other(&format!(
        "/c/{}/notices/{id}/paper?place={place}&unreached={}&ticked={}",
        com.community.slug,
        q.unreached,
        teahouse_views::layout::urlencode(&code)
    )))
}

#[derive(serde::Deserialize, Default)]
pub struct ReceiptQuery {
    done: Option<u8>,
}

/// The page a receipt's QR code opens (committee and grid accounts).
pub async fn receipt(
    State(st): State<AppState>,
    com: Committee,
    Path((_, token)): Path<(String, String)>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let t = token.clone();
    let r = st
        .db
        .read(move |c| rec::receipt(c, cid, &t))
        .await?
        .ok_or(Error::NotFound)?;
    let v = ReceiptView {
        slug: com.community.slug.clone(),
        token,
        title: r.title.clone(),
        household: r.household_code.clone(),
        reached: r
            .reached
            .map(|(at, by)| reached_words(com.ctx.0.lang, at, by, &com.community.tz)),
        just_recorded: q.done == Some(1),
    };
    Ok(view::receipt(&com.ctx.chrome(Some(&com.community)), &v).into_response())
}

/// The confirm button: records the household reached on paper (once).
pub async fn confirm(
    State(st): State<AppState>,
    com: Committee,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, Error> {
    let (cid, account, t) = (com.community.id, com.account.id, token.clone());
    st.db
        .write(move |tx| {
            let r = rec::receipt(tx, cid, &t)?.ok_or(Error::NotFound)?;
            rec::mark_paper(tx, cid, r.notice_id, r.household_id, account)
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/receipts/{token}?done=1",
        com.community.slug
    )))
}
