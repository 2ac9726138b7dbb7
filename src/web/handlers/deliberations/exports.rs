//! The iCalendar feed and the open data of the series.

use super::load_series;
use crate::error::Error;
use crate::store::deliberations::{self as store};
use crate::store::now;
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::handlers::today;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

fn ics_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

fn ics_time(ts: i64) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// iCalendar feed of upcoming (and the last month's) meetings.
pub async fn ics(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let list = st.db.read(move |c| store::list(c, cid)).await?;
    let since = now() - 31 * 24 * 3600;
    let host = v.ctx.0.origin.clone();
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Teahouse//deliberations//ZH\r\nCALSCALE:GREGORIAN\r\n",
    );
    out.push_str(&format!(
        "X-WR-CALNAME:{}\r\n",
        ics_escape(&format!("{} 议事会", v.community.name))
    ));
    for d in list.iter().filter(|d| d.ends_at >= since) {
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&format!(
            "UID:deliberation-{}@{}\r\n",
            d.id, v.community.slug
        ));
        out.push_str(&format!("DTSTAMP:{}\r\n", ics_time(now())));
        out.push_str(&format!(
            "DTSTART:{}\r\nDTEND:{}\r\n",
            ics_time(d.starts_at),
            ics_time(d.ends_at)
        ));
        out.push_str(&format!("SUMMARY:{}\r\n", ics_escape(&d.title)));
        out.push_str(&format!(
            "LOCATION:{}\r\n",
            ics_escape(&format!("{} {}", d.place_label, d.venue))
        ));
        out.push_str(&format!(
            "DESCRIPTION:{}\r\n",
            ics_escape(&format!("主持人 {}", d.host))
        ));
        out.push_str(&format!(
            "URL:{host}/c/{}/deliberations/{}\r\n",
            v.community.slug, d.id
        ));
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        out,
    )
        .into_response())
}

/// Open data: meetings with their published minutes and follow-up actions.
pub async fn api(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let t = today(&v.community.tz).to_string();
    let (s, all_actions) = st
        .db
        .read(move |c| Ok((load_series(c, cid, &t, 0)?, store::actions(c, cid, None)?)))
        .await?;
    let meetings: Vec<serde_json::Value> = s
        .meetings
        .iter()
        .map(|(d, m, _)| {
            serde_json::json!({
                "id": d.id,
                "title": d.title,
                "place": d.place_label,
                "venue": d.venue,
                "starts_at": d.starts_at,
                "ends_at": d.ends_at,
                "host": d.host,
                "status": d.status.as_str(),
                "minutes_revision": d.published_rev,
                "minutes": m,
            })
        })
        .collect();
    let actions: Vec<serde_json::Value> = all_actions
        .iter()
        .map(|a| serde_json::json!({"id": a.id, "deliberation": a.deliberation_id, "title": a.title, "owner": a.owner, "due": a.due, "status": a.status.as_str(), "report": a.report}))
        .collect();
    Ok(axum::Json(serde_json::json!({
        "format": "teahouse.deliberations/1",
        "community": v.community.slug,
        "deliberations": meetings,
        "actions": actions,
    }))
    .into_response())
}
