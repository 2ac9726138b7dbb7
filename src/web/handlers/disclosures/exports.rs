//! What a published disclosure is downloaded or printed as: its table as
//! CSV and xlsx, the A4 notice and the open data.

use crate::domain::disclosure::{self as rules};
use crate::error::Error;
use crate::sheet;
use crate::store::disclosures::{self as store, Disclosure, Filter};
use crate::store::{ledger, now};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::handlers::fmt_time;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use teahouse_views::Msg;
use teahouse_views::pages::disclosures as view;

/// The published revision (or, for staff asking for it, a given one).
async fn published(
    st: &AppState,
    v: &Visitor,
    id: i64,
) -> Result<(Disclosure, store::Revision, Vec<store::Signoff>), Error> {
    let cid = v.community.id;
    st.db
        .read(move |c| {
            let d = store::get(c, cid, id)?;
            let rev = d.published_rev.ok_or(Error::NotFound)?;
            Ok((d, store::revision(c, id, rev)?, store::signoffs(c, id)?))
        })
        .await
}

fn table_with_header(d: &Disclosure, r: &store::Revision) -> Vec<Vec<String>> {
    let header: Vec<String> = d
        .category
        .template()
        .iter()
        .map(|c| format!("{} {}", c.zh, c.en))
        .collect();
    std::iter::once(header)
        .chain(r.rows.iter().cloned())
        .collect()
}

fn download_name(d: &Disclosure, ext: &str) -> String {
    format!(
        "disclosure-{}-{}-{}.{ext}",
        d.id,
        d.category.as_str(),
        d.period.key()
    )
}

pub async fn table_csv(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let (d, r, _) = published(&st, &v, id).await?;
    let bytes = sheet::write_csv(&table_with_header(&d, &r));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download_name(&d, "csv")),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn table_xlsx(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let (d, r, _) = published(&st, &v, id).await?;
    let table = table_with_header(&d, &r);
    let bytes = tokio::task::spawn_blocking(move || sheet::write_xlsx("公开", &table))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(Error::Invalid)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download_name(&d, "xlsx")),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn notice(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let (d, r, signoffs) = published(&st, &v, id).await?;
    let cid = v.community.id;
    let (entries, head) = st
        .db
        .read(move |c| {
            Ok((
                ledger::entries_for(c, cid, &crate::domain::Subject::Disclosure(id).to_string())?,
                ledger::head(c, cid)?,
            ))
        })
        .await?;
    let tz = &v.community.tz;
    let hash = store::content_hash(&d, &r);
    let (cz, ce) = d.category.names();
    let (pz, pe) = d.period.words();
    let nv = view::NoticeView {
        community: v.community.name.clone(),
        title: r.title.clone(),
        category: Msg::new(cz, ce),
        period: Msg::new(pz, pe),
        rev: r.rev,
        reason: r.reason.clone(),
        explanation: r.explanation.clone(),
        columns: d
            .category
            .template()
            .iter()
            .map(|c| Msg::new(c.zh, c.en))
            .collect(),
        rows: r.rows.clone(),
        totals: rules::totals(d.category, &r.rows),
        signed: signoffs
            .iter()
            .filter(|s| s.rev == r.rev && s.content_hash == hash)
            .map(|s| (s.name.clone(), fmt_time(s.signed_at, tz)))
            .collect(),
        published: r.published_at.map(|t| fmt_time(t, tz)).unwrap_or_default(),
        url: format!("{}/c/{}/disclosures/{id}", v.ctx.0.origin, v.community.slug),
        entry: entries
            .iter()
            .rev()
            .find(|e| {
                // Entries with row documents name the revision they anchor;
                // earlier ones named it in their payload.
                crate::store::anchor::anchors(
                    e,
                    "disclosure_revisions",
                    &serde_json::json!([id, r.rev]),
                ) || (!crate::store::anchor::is_current(e)
                    && matches!(
                        e.kind.as_str(),
                        "disclosure.published" | "disclosure.corrected"
                    )
                    && e.payload["rev"] == r.rev)
            })
            .map(|e| (e.seq, e.hash.clone())),
        head,
        printed: fmt_time(now(), tz),
    };
    Ok(view::notice_page(&v.ctx.chrome(Some(&v.community)), &nv).into_response())
}

/// Open data: every published disclosure with its table.
pub async fn api(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let slug = v.community.slug.clone();
    let out = st
        .db
        .read(move |c| {
            let list = store::list(
                c,
                cid,
                &Filter {
                    category: None,
                    year: None,
                    q: String::new(),
                    staff: false,
                },
            )?;
            let mut items = Vec::with_capacity(list.len());
            for l in list {
                let d = store::get(c, cid, l.id)?;
                let r = store::revision(c, l.id, l.rev)?;
                items.push(store::to_json(&d, &r, &store::signoffs(c, l.id)?));
            }
            Ok(items)
        })
        .await?;
    Ok(axum::Json(serde_json::json!({
        "format": "teahouse.disclosures/1",
        "community": slug,
        "disclosures": out,
    }))
    .into_response())
}
