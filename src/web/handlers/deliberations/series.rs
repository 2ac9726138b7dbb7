//! The series of meetings: the page with its route and totals, what the
//! board shows of it, and the committee's form to plan a meeting.

use super::meeting_status;
use crate::domain::deliberation::{Minutes, Outcome};
use crate::error::Error;
use crate::store::deliberations::{self as store, Deliberation, NewDeliberation, Status};
use crate::store::{audit, now};
use crate::web::AppState;
use crate::web::ctx::{Committee, Visitor};
use crate::web::handlers::refused::refuse_if;
use crate::web::handlers::{day_start, fmt_time, invalid, see_other, today};
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use teahouse_views::Msg;
use teahouse_views::forms::Errors;
use teahouse_views::pages::deliberations as view;

fn year_of(ts: i64, tz: &str) -> i16 {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_zoned(zone).year())
        .unwrap_or(1970)
}

/// Topics settled in a meeting's published minutes.
fn settled(m: &Minutes) -> usize {
    m.items
        .iter()
        .filter(|i| i.outcome.is_some_and(Outcome::settled))
        .count()
}

pub fn line(
    d: &Deliberation,
    minutes: Option<&Minutes>,
    items: usize,
    tz: &str,
) -> view::MeetingLine {
    view::MeetingLine {
        id: d.id,
        title: d.title.clone(),
        place: d.place_label.clone(),
        when: fmt_time(d.starts_at, tz),
        status: meeting_status(d.status),
        settled: minutes.map(settled).unwrap_or(0),
        items,
    }
}

/// Everything the series page and the board need, in one read.
pub struct Series {
    pub meetings: Vec<(Deliberation, Option<Minutes>, usize)>,
    /// Follow-up actions still open, and those of them past their due date.
    pub open_actions: usize,
    pub overdue_actions: usize,
}

/// `ending_after`: only meetings that end after this time (the board wants
/// the coming ones and should not read every past meeting's minutes); 0 for all.
pub fn load_series(
    c: &rusqlite::Connection,
    cid: i64,
    today: &str,
    ending_after: i64,
) -> Result<Series, Error> {
    let list: Vec<Deliberation> = store::list(c, cid)?
        .into_iter()
        .filter(|d| d.ends_at >= ending_after)
        .collect();
    let mut published = crate::store::meetings::published_minutes(c, cid, ending_after)?;
    let counts = crate::store::meetings::agenda_counts(c, cid)?;
    let (open_actions, overdue_actions) = crate::store::meetings::action_counts(c, cid, today)?;
    Ok(Series {
        meetings: list
            .into_iter()
            .map(|d| {
                let m = published.remove(&d.id);
                let n = counts.get(&d.id).copied().unwrap_or(0);
                (d, m, n)
            })
            .collect(),
        open_actions,
        overdue_actions,
    })
}

/// Upcoming meetings and the open / overdue action counts, for the board.
pub fn board_summary(s: &Series, tz: &str) -> (Vec<view::MeetingLine>, usize, usize) {
    let now = now();
    let upcoming: Vec<view::MeetingLine> = s
        .meetings
        .iter()
        .filter(|(d, _, _)| d.ends_at >= now)
        .rev()
        .take(3)
        .map(|(d, m, n)| line(d, m.as_ref(), *n, tz))
        .collect();
    (upcoming, s.open_actions, s.overdue_actions)
}

/// Past meetings listed on the series page; older ones are in the open data.
const PAST_SHOWN: usize = 40;

fn series_view(
    s: &Series,
    tz: &str,
    places: Vec<(String, String)>,
    values: view::NewValues,
    errors: Errors,
) -> view::SeriesView {
    let now = now();
    let this_year = today(tz).year();
    let mut route: Vec<(String, usize, usize)> = Vec::new();
    for (d, m, _) in s
        .meetings
        .iter()
        .rev()
        .filter(|(d, _, _)| d.status != Status::Planned)
    {
        let n = m.as_ref().map(settled).unwrap_or(0);
        match route.iter_mut().find(|r| r.0 == d.place_label) {
            Some(r) => {
                r.1 += 1;
                r.2 += n;
            }
            None => route.push((d.place_label.clone(), 1, n)),
        }
    }
    view::SeriesView {
        upcoming: s
            .meetings
            .iter()
            .filter(|(d, _, _)| d.ends_at >= now && d.status == Status::Planned)
            .rev()
            .map(|(d, m, n)| line(d, m.as_ref(), *n, tz))
            .collect(),
        past: s
            .meetings
            .iter()
            .filter(|(d, _, _)| d.ends_at < now || d.status != Status::Planned)
            .take(PAST_SHOWN)
            .map(|(d, m, n)| line(d, m.as_ref(), *n, tz))
            .collect(),
        past_more: s
            .meetings
            .iter()
            .filter(|(d, _, _)| d.ends_at < now || d.status != Status::Planned)
            .count()
            .saturating_sub(PAST_SHOWN),
        settled_this_year: s
            .meetings
            .iter()
            .filter(|(d, _, _)| year_of(d.starts_at, tz) == this_year)
            .filter_map(|(_, m, _)| m.as_ref().map(settled))
            .sum(),
        settled_total: s
            .meetings
            .iter()
            .filter_map(|(_, m, _)| m.as_ref().map(settled))
            .sum(),
        since_year: s
            .meetings
            .iter()
            .filter(|(_, m, _)| m.is_some())
            .map(|(d, _, _)| year_of(d.starts_at, tz))
            .min(),
        route,
        open_actions: s.open_actions,
        overdue_actions: s.overdue_actions,
        places,
        values,
        errors,
    }
}

fn empty_values(tz: &str) -> view::NewValues {
    view::NewValues {
        title: String::new(),
        place: "community".into(),
        venue: String::new(),
        date: today(tz)
            .checked_add(jiff::Span::new().days(7))
            .unwrap_or(today(tz))
            .to_string(),
        start: "19:00".into(),
        end: "21:00".into(),
        host: String::new(),
    }
}

pub async fn series(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let t = today(&v.community.tz).to_string();
    let s = st.db.read(move |c| load_series(c, cid, &t, 0)).await?;
    let places = crate::web::handlers::places(&st, &v.community, v.ctx.0.lang).await?;
    let tz = &v.community.tz;
    let sv = series_view(&s, tz, places, empty_values(tz), Errors::none());
    Ok(
        view::series_page(&v.ctx.chrome(Some(&v.community)), &v.community.slug, &sv)
            .into_response(),
    )
}

fn clock(date: &str, time: &str, tz: &str) -> Option<i64> {
    let day = day_start(date, tz)?;
    let (h, m) = time.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(day + h * 3600 + m * 60)
}

/// The plan as typed (to show again) and the meeting it makes, each
/// mistake beside its field.
fn parse_plan(
    f: &HashMap<String, String>,
    tz: &str,
) -> (view::NewValues, Result<NewDeliberation, Errors>) {
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut errors = Errors::none();
    let title = g("title").trim().to_string();
    if title.is_empty() || title.chars().count() > 100 {
        let m = Msg::new(
            "请填写主题（最多 100 字）",
            "the topic is required (100 characters at most)",
        );
        errors.add("title", m);
    }
    let host = g("host").trim().to_string();
    if host.is_empty() || host.chars().count() > 50 {
        errors.add("host", Msg::new("请填写主持人", "name the host"));
    }
    let starts = clock(&g("date"), &g("start"), tz);
    let ends = clock(&g("date"), &g("end"), tz);
    match (starts, ends) {
        (None, _) => errors.add(
            "start",
            Msg::new("请填写日期和开始时间", "give the date and start time"),
        ),
        (_, None) => errors.add("end", Msg::new("请填写结束时间", "give the end time")),
        (Some(s), Some(e)) if e <= s => errors.add(
            "end",
            Msg::new("结束时间应晚于开始时间", "the end must be after the start"),
        ),
        _ => {}
    }
    let values = view::NewValues {
        title: g("title"),
        place: g("place"),
        venue: g("venue"),
        date: g("date"),
        start: g("start"),
        end: g("end"),
        host: g("host"),
    };
    let plan = refuse_if(errors).map(|()| NewDeliberation {
        title,
        place: g("place"),
        venue: g("venue").trim().chars().take(100).collect(),
        starts_at: starts.unwrap_or_default(),
        ends_at: ends.unwrap_or_default(),
        host,
    });
    (values, plan)
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let (values, plan) = parse_plan(&f, &com.community.tz);
    let n = match plan {
        Ok(n) => n,
        Err(errors) => return render_invalid(&st, &com, errors, values).await,
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
                "deliberation.plan",
                &crate::domain::Subject::Deliberation(id).to_string(),
                &n.title,
            )?;
            Ok(id)
        })
        .await;
    match res {
        Ok(id) => Ok(see_other(&format!(
            "/c/{}/deliberations/{id}?done=planned",
            com.community.slug
        ))),
        // The store refuses only a place that is not on the roll, before
        // writing anything.
        Err(Error::Invalid(m)) => {
            let e = crate::web::handlers::errors_with("place", &m);
            render_invalid(&st, &com, e, values).await
        }
        Err(e) => Err(e),
    }
}

async fn render_invalid(
    st: &AppState,
    com: &Committee,
    errors: Errors,
    values: view::NewValues,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let t = today(&com.community.tz).to_string();
    let s = st.db.read(move |c| load_series(c, cid, &t, 0)).await?;
    let places = crate::web::handlers::places(st, &com.community, com.ctx.0.lang).await?;
    let sv = series_view(&s, &com.community.tz, places, values, errors);
    Ok(invalid(view::series_page(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        &sv,
    )))
}
