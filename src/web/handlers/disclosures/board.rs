//! The public board: each category's cadence and what is overdue, the list
//! of disclosures with its filters, and the committee's cadence settings.

use super::{cat_bi, is_staff, period_bi};
use crate::domain::Msg;
use crate::domain::disclosure::{self as rules, Cadence, Category, Period};
use crate::error::Error;
use crate::store::audit;
use crate::store::disclosures::{self as store, Filter};
use crate::web::AppState;
use crate::web::ctx::{Committee, Visitor};
use crate::web::handlers::{see_other, today};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use teahouse_views::pages::disclosures as view;

/// Each category's cadence, last period and overdue periods.
pub fn category_lines(
    cadences: &[(Category, Cadence)],
    published: &HashMap<Category, Vec<Period>>,
    today: jiff::civil::Date,
) -> Vec<view::CategoryLine> {
    cadences
        .iter()
        .map(|(cat, cad)| {
            let done = published.get(cat).cloned().unwrap_or_default();
            let (cz, ce) = cad.words();
            view::CategoryLine {
                key: cat.as_str().into(),
                name: cat_bi(*cat),
                cadence: Msg::new(cz, ce),
                cadence_key: cad.as_str().into(),
                last: done.iter().max().map(|p| period_bi(*p)),
                overdue: rules::missing(*cad, &done, today)
                    .into_iter()
                    .map(period_bi)
                    .collect(),
            }
        })
        .collect()
}

pub fn lines(ls: Vec<store::Line>) -> Vec<view::Line> {
    ls.into_iter()
        .map(|l| view::Line {
            id: l.id,
            category: cat_bi(l.category),
            period: period_bi(l.period),
            title: l.title,
            status: super::stage_of(l.status, l.open_threads > 0, false),
            rev: l.rev,
            open_threads: l.open_threads,
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    q: String,
}

pub async fn board(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<BoardQuery>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (committee, supervisor) = is_staff(&v.ctx, cid);
    let filter = Filter {
        category: Category::parse(&q.category),
        year: q.year.parse().ok(),
        q: q.q.chars().take(50).collect(),
        staff: committee || supervisor,
    };
    let (cadences, published, list) = st
        .db
        .read(move |c| {
            Ok((
                store::cadences(c, cid)?,
                store::published_periods(c, cid)?,
                store::list(c, cid, &filter)?,
            ))
        })
        .await?;
    let now_year = today(&v.community.tz).year();
    let years: Vec<i16> = (now_year - 5..=now_year).rev().collect();
    let cats = category_lines(&cadences, &published, today(&v.community.tz));
    let chrome = v.ctx.chrome(Some(&v.community));
    let title = if v.community.kind == crate::store::communities::Kind::Village {
        chrome.t("村务公开", "Village affairs disclosure")
    } else {
        chrome.t("居务公开", "Residential affairs disclosure")
    }
    .to_string();
    let cadence_choices: Vec<(String, String)> = Cadence::ALL
        .iter()
        .map(|c| {
            let (z, e) = c.words();
            (c.as_str().to_string(), chrome.t(z, e).to_string())
        })
        .collect();
    Ok(view::board_page(
        &chrome,
        &v.community.slug,
        &title,
        &cats,
        &cadence_choices,
        &lines(list),
        &view::Filter {
            category: q.category,
            year: q.year,
            q: q.q,
        },
        &years,
    )
    .into_response())
}

pub async fn set_cadence(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let mut set = Vec::new();
    for cat in Category::ALL {
        if let Some(v) = f.get(cat.as_str()) {
            let cad = Cadence::parse(v).ok_or_else(|| {
                Error::Invalid(Msg::new(
                    format!("不认识的周期“{v}”"),
                    format!("unknown schedule \"{v}\""),
                ))
            })?;
            set.push((cat, cad));
        }
    }
    let cid = com.community.id;
    let actor = com.ctx.actor();
    st.db
        .write(move |tx| {
            for (cat, cad) in &set {
                store::set_cadence(tx, cid, *cat, *cad)?;
            }
            let detail = set
                .iter()
                .map(|(a, b)| format!("{}={}", a.as_str(), b.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            audit::record(
                tx,
                &actor,
                Some(cid),
                "disclosure.cadence",
                "disclosures",
                &detail,
            )
        })
        .await?;
    Ok(see_other(&format!("/c/{}/disclosures", com.community.slug)))
}
