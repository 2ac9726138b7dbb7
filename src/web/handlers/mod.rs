//! Request handlers, one module per area. A handler is short: extract,
//! check, call the store or a rule, render a view.

pub mod accounts;
pub mod assets;
pub mod audit;
pub mod board;
pub mod clock;
pub mod confirm;
pub mod deliberations;
pub mod desk;
pub mod disclosures;
pub mod files;
pub mod home;
pub mod import;
pub mod ledger;
pub mod notices;
pub mod notify_prefs;
pub mod notify_settings;
pub mod ops;
pub mod prefs;
pub mod proposals;
pub mod refused;
pub mod roll;
pub mod rounds;
pub mod settings;
pub mod votes;

use crate::error::Error;
use crate::web::ctx::Ctx;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use teahouse_views::forms::Errors;
use teahouse_views::pages::error::error_page;

pub async fn not_found(ctx: Ctx) -> Response {
    let c = ctx.chrome(None);
    (
        StatusCode::NOT_FOUND,
        error_page(&c, 404, &Error::NotFound.message()),
    )
        .into_response()
}

/// The heart of every state change: inside one write transaction, load the
/// record (so a step queued behind another sees what that one left, never a
/// copy read before), check and act on it, then write its audit row. The
/// step returns what to tell the reader (`done`) and the audit detail; the
/// ledger entry, if the step makes one, is written by the step itself in the
/// same transaction.
pub async fn apply_step<T, L, F>(
    st: &crate::web::AppState,
    actor: crate::store::audit::Actor,
    community_id: i64,
    subject: crate::domain::Subject,
    action: &'static str,
    load: L,
    f: F,
) -> Result<String, Error>
where
    L: FnOnce(&rusqlite::Connection, i64, i64) -> Result<T, Error> + Send + 'static,
    F: FnOnce(&rusqlite::Transaction, &T) -> Result<(String, String), Error> + Send + 'static,
    T: 'static,
{
    // A form step whose check never refuses a field.
    let step = move |tx: &rusqlite::Transaction, r: &T| f(tx, r).map(Ok);
    match refused::form_step(st, actor, community_id, subject, action, load, step).await? {
        Ok(done) => Ok(done),
        Err(_) => Err(Error::Internal(
            "a step without a form refused fields".into(),
        )),
    }
}

/// Runs one step on a record (a disclosure, a meeting, a proposal, a round)
/// through [`apply_step`], then sends the reader back to the record's page
/// with `?done=` telling what happened. The step returns the `done` key and
/// the audit detail.
#[allow(clippy::too_many_arguments)]
pub async fn step_on<T, L, F>(
    st: &crate::web::AppState,
    ctx: &Ctx,
    community: &crate::store::communities::Community,
    path: &str,
    subject: &'static str,
    id: i64,
    action: &'static str,
    load: L,
    f: F,
) -> Result<Response, Error>
where
    L: FnOnce(&rusqlite::Connection, i64, i64) -> Result<T, Error> + Send + 'static,
    F: FnOnce(&rusqlite::Transaction, &T) -> Result<(String, String), Error> + Send + 'static,
    T: 'static,
{
    // Every caller names one of the subject kinds; a misspelt one is a bug
    // that the area's tests catch on the first step.
    let subject: crate::domain::Subject = format!("{subject}:{id}")
        .parse()
        .map_err(|_| Error::Internal(format!("unknown step subject {subject}")))?;
    let done = apply_step(st, ctx.actor(), community.id, subject, action, load, f).await?;
    Ok(see_other(&format!(
        "/c/{}/{path}/{id}?done={done}",
        community.slug
    )))
}

/// [`step_on`] with a fixed `done` key and a step that returns the audit detail.
#[allow(clippy::too_many_arguments)]
pub async fn record_step<T, L, F>(
    st: &crate::web::AppState,
    ctx: &Ctx,
    community: &crate::store::communities::Community,
    path: &str,
    subject: &'static str,
    id: i64,
    action: &'static str,
    done: &str,
    load: L,
    f: F,
) -> Result<Response, Error>
where
    L: FnOnce(&rusqlite::Connection, i64, i64) -> Result<T, Error> + Send + 'static,
    F: FnOnce(&rusqlite::Transaction, &T) -> Result<String, Error> + Send + 'static,
    T: 'static,
{
    let done = done.to_string();
    step_on(
        st,
        ctx,
        community,
        path,
        subject,
        id,
        action,
        load,
        move |tx, r| Ok((done, f(tx, r)?)),
    )
    .await
}

/// The whole community as a place, in the reader's language: 全村 in a
/// village, 全社区 in a compound. The one way to write it on every form.
pub fn whole_community(
    kind: crate::store::communities::Kind,
    lang: teahouse_views::Lang,
) -> &'static str {
    use crate::store::communities::Kind;
    use teahouse_views::Lang;
    match (lang, kind) {
        (Lang::Zh, Kind::Village) => "全村",
        (Lang::Zh, Kind::Compound) => "全社区",
        (Lang::En, _) => "whole community",
    }
}

/// The places on the roll a record can concern: the whole community,
/// each zone (villager group or grid) and each building (the whole
/// community in the reader's language, see [`whole_community`]).
pub async fn places(
    st: &crate::web::AppState,
    com: &crate::store::communities::Community,
    lang: teahouse_views::Lang,
) -> Result<Vec<(String, String)>, crate::error::Error> {
    let cid = com.id;
    let whole = whole_community(com.kind, lang);
    st.db
        .read(move |c| {
            let mut out = vec![("community".to_string(), whole.to_string())];
            for (id, name) in crate::store::places::zones_by_name(c, cid)? {
                out.push((format!("zone:{id}"), name));
            }
            for (id, n) in crate::store::places::buildings(c, cid)? {
                out.push((format!("building:{id}"), format!("{n}栋")));
            }
            Ok(out)
        })
        .await
}

/// 303 See Other: the answer to a successful form post.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Only local paths may be a "next" target (no //host, no scheme).
pub fn safe_next(next: &str) -> Option<String> {
    let n = next.trim();
    (n.starts_with('/')
        && !n.starts_with("//")
        && !n.starts_with("/\\")
        && !n.contains(['\r', '\n']))
    .then(|| n.to_string())
}

/// A ticked checkbox sends "1"; an unticked one sends nothing.
pub fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty() && s != "0")
}

/// A form re-rendered with its errors: 422 so tools and tests can tell.
pub fn invalid(page: maud::Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub fn errors_with(field: &str, m: &crate::domain::Msg) -> Errors {
    let mut e = Errors::none();
    e.add(field, m.clone());
    e
}

/// A Unix time in a community's zone, as people read it: 2026-11-21 09:30.
pub fn fmt_time(ts: i64, tz: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(ts) {
        Ok(t) => t.to_zoned(zone).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => ts.to_string(),
    }
}

/// Today's date in a community's zone.
pub fn today(tz: &str) -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(zone).date()
}

/// The start of a calendar day (YYYY-MM-DD) in a zone, as a Unix time.
pub fn day_start(date: &str, tz: &str) -> Option<i64> {
    let d: jiff::civil::Date = date.trim().parse().ok()?;
    let zone = jiff::tz::TimeZone::get(tz).ok()?;
    d.to_zoned(zone).ok().map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_local() {
        assert_eq!(safe_next("/c/x").as_deref(), Some("/c/x"));
        assert!(safe_next("//evil.example").is_none());
        assert!(safe_next("https://evil.example").is_none());
        assert!(safe_next("/\\evil").is_none());
    }

    #[test]
    fn times_in_shanghai() {
        assert_eq!(fmt_time(0, "Asia/Shanghai"), "1970-01-01 08:00");
        assert_eq!(day_start("1970-01-02", "Asia/Shanghai"), Some(16 * 3600));
    }
}
