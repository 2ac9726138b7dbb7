//! Mobile teahouse handlers: the series, one meeting (agenda, sign-in,
//! attendance, minutes), follow-up actions, the iCalendar feed, the notice
//! and open data.

use super::{day_start, fmt_time, invalid, see_other, today};
use crate::domain::Msg;
use crate::domain::deliberation::{self as rules, ItemMinutes, Minutes, Outcome};
use crate::domain::mask::mask_name;
use crate::error::Error;
use crate::store::deliberations::{self as store, Deliberation, NewDeliberation, Status};
use crate::store::{attachments, audit, ledger, now};
use crate::web::AppState;
use crate::web::ctx::{Committee, Ctx, Member, Visitor};
use crate::web::error::bi;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeMap, HashMap};
use teahouse_views::Bi;
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
        status: d.status.as_str().into(),
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

fn overdue(a: &store::Action, today: &str) -> bool {
    a.status == "open" && a.due.as_str() < today
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
    let places = super::places(&st, cid).await?;
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

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let tz = com.community.tz.clone();
    let mut errors = Errors::none();
    let title = g("title").trim().to_string();
    if title.is_empty() || title.chars().count() > 100 {
        errors.add(
            "title",
            Bi::new(
                "请填写主题（最多 100 字）",
                "the topic is required (100 characters at most)",
            ),
        );
    }
    let host = g("host").trim().to_string();
    if host.is_empty() || host.chars().count() > 50 {
        errors.add("host", Bi::new("请填写主持人", "name the host"));
    }
    let starts = clock(&g("date"), &g("start"), &tz);
    let ends = clock(&g("date"), &g("end"), &tz);
    match (starts, ends) {
        (None, _) => errors.add(
            "start",
            Bi::new("请填写日期和开始时间", "give the date and start time"),
        ),
        (_, None) => errors.add("end", Bi::new("请填写结束时间", "give the end time")),
        (Some(s), Some(e)) if e <= s => errors.add(
            "end",
            Bi::new("结束时间应晚于开始时间", "the end must be after the start"),
        ),
        _ => {}
    }
    let cid = com.community.id;
    let values = view::NewValues {
        title: g("title"),
        place: g("place"),
        venue: g("venue"),
        date: g("date"),
        start: g("start"),
        end: g("end"),
        host: g("host"),
    };
    if !errors.is_empty() {
        return render_invalid(&st, &com, errors, values).await;
    }
    let n = NewDeliberation {
        title,
        place: g("place"),
        venue: g("venue").trim().chars().take(100).collect(),
        starts_at: starts.unwrap_or_default(),
        ends_at: ends.unwrap_or_default(),
        host,
    };
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
                &format!("deliberation:{id}"),
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
        Err(Error::Invalid(m)) => {
            let mut e = Errors::none();
            e.add("place", bi(&m));
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
    let places = super::places(st, cid).await?;
    let sv = series_view(&s, &com.community.tz, places, values, errors);
    Ok(invalid(view::series_page(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        &sv,
    )))
}

/// One step on a meeting in one transaction with its audit row.
async fn step<F>(
    st: &AppState,
    ctx: &Ctx,
    community: &crate::store::communities::Community,
    id: i64,
    action: &'static str,
    done: &str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Deliberation) -> Result<String, Error> + Send + 'static,
{
    super::record_step(
        st,
        ctx,
        community,
        "deliberations",
        "deliberation",
        id,
        action,
        done,
        store::get,
        f,
    )
    .await
}

pub async fn add_item(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    use crate::store::accounts::Role;
    let committee = m.account.has_role(m.community.id, Role::Committee);
    let account = m.account.id;
    let who = mask_name(&m.account.display_name);
    let title = f.get("title").cloned().unwrap_or_default();
    let detail = f.get("detail").cloned().unwrap_or_default();
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "deliberation.item",
        if committee { "item" } else { "suggested" },
        move |tx, d| {
            let suggester = (!committee).then_some((account, who.as_str()));
            store::add_item(tx, d, &title, &detail, suggester, None)?;
            Ok(title)
        },
    )
    .await
}

pub async fn decide_item(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, item)): Path<(String, i64, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let accept = f.get("accept").is_some_and(|v| v == "1");
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.item_decided",
        "item",
        move |tx, d| {
            let t = store::decide_item(tx, d, item, accept)?;
            Ok(format!(
                "{t}: {}",
                if accept { "on the agenda" } else { "declined" }
            ))
        },
    )
    .await
}

pub async fn checkin(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let resident = m.account.resident_id.ok_or_else(|| {
        Error::Invalid(Msg::new(
            "您的账户不对应名册上的居民，不能签到",
            "your account is not a resident on the roll",
        ))
    })?;
    let token = f.get("token").cloned().unwrap_or_default();
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "deliberation.checkin",
        "checked_in",
        move |tx, d| {
            store::check_in(tx, d, &token, resident)?;
            Ok("qr".into())
        },
    )
    .await
}

/// The host ticks residents from the roll: one roll id or name per line;
/// a name that is missing or not unique is refused, nothing is written.
pub async fn attendance(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let who = f.get("who").cloned().unwrap_or_default();
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.attendance",
        "attendance",
        move |tx, d| {
            let mut ids = Vec::new();
            let mut bad = Vec::new();
            for line in who.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let found = crate::store::meetings::residents_named(tx, d.community_id, line)?;
                match found.as_slice() {
                    [one] => ids.push(*one),
                    _ => bad.push(format!(
                        "{line}（{}）",
                        if found.is_empty() {
                            "名册上没有 not on the roll"
                        } else {
                            "重名，请用编号 ambiguous: use the id"
                        }
                    )),
                }
            }
            if !bad.is_empty() || ids.is_empty() {
                return Err(Error::Invalid(Msg::new(
                    format!("以下人员无法登记：{}", bad.join("、")),
                    format!("these could not be recorded: {}", bad.join(", ")),
                )));
            }
            let mut n = 0;
            for r in &ids {
                if store::attend(tx, d, *r, "host")? {
                    n += 1;
                }
            }
            Ok(format!("{n} attendees"))
        },
    )
    .await
}

pub async fn guest(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let name = f.get("name").cloned().unwrap_or_default();
    let role = f.get("role").cloned().unwrap_or_default();
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.guest",
        "attendance",
        move |tx, d| {
            store::add_guest(tx, d, &name, &role)?;
            Ok(format!("{name} ({role})"))
        },
    )
    .await
}

/// The host's draft minutes from the form: one section per agenda item.
fn minutes_from(f: &HashMap<String, String>, items: &[store::Item]) -> Result<Minutes, Error> {
    let g = |k: String| f.get(&k).cloned().unwrap_or_default();
    let mut out = Minutes {
        summary: g("summary".into()).trim().to_string(),
        items: Vec::new(),
    };
    for it in items.iter().filter(|i| i.state == "agenda") {
        let outcome = match g(format!("outcome_{}", it.id)).as_str() {
            "" => None,
            o => Some(
                Outcome::parse(o)
                    .ok_or_else(|| Error::Invalid(Msg::new("不认识的结果", "unknown outcome")))?,
            ),
        };
        let actions = rules::parse_actions(&g(format!("actions_{}", it.id))).map_err(|m| {
            Error::Invalid(Msg::new(
                format!("“{}”：{}", it.title, m.zh),
                format!("\"{}\": {}", it.title, m.en),
            ))
        })?;
        out.items.push(ItemMinutes {
            item: it.id,
            title: it.title.clone(),
            outcome,
            views: rules::parse_views(&g(format!("views_{}", it.id))),
            notes: g(format!("notes_{}", it.id)).trim().to_string(),
            actions,
        });
    }
    if out.summary.chars().count() > 5000 {
        return Err(Error::Invalid(Msg::new(
            "摘要最多 5000 字",
            "the summary may have 5000 characters at most",
        )));
    }
    Ok(out)
}

pub async fn save_minutes(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.minutes",
        "minutes",
        move |tx, d| {
            let items = store::items(tx, d.id)?;
            let m = minutes_from(&f, &items)?;
            let reason = f.get("reason").map(String::as_str);
            let rev = store::save_minutes(tx, d, &m, reason, by)?;
            Ok(format!("draft revision {rev}"))
        },
    )
    .await
}

pub async fn publish(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "deliberation.publish",
        "published",
        |tx, d| store::publish(tx, d).map(|e| format!("ledger #{} {}", e.seq, e.hash)),
    )
    .await
}

pub async fn confirm(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let account = m.account.id;
    let resident = m.account.resident_id;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "deliberation.confirm",
        "confirmed",
        move |tx, d| {
            let present = match resident {
                Some(r) => crate::store::meetings::attended(tx, d.id, r)?,
                None => false,
            };
            let rev = d.published_rev.filter(|_| present).ok_or_else(|| {
                Error::Invalid(Msg::new(
                    "只有到会的人可以确认已公开的纪要",
                    "only attendees can confirm published minutes",
                ))
            })?;
            store::confirm(tx, d, rev, account)?;
            Ok(format!("revision {rev}"))
        },
    )
    .await
}

fn done_words(done: Option<&str>) -> Option<Bi> {
    Some(match done? {
        "planned" => Bi::new("议事会已安排。", "The meeting is planned."),
        "item" => Bi::new("议程已更新。", "The agenda was updated."),
        "suggested" => Bi::new(
            "您的建议已提交，主持人会决定是否列入议程。",
            "Your suggestion was sent; the host decides whether it goes on the agenda.",
        ),
        "checked_in" => Bi::new("签到成功。", "You are signed in."),
        "attendance" => Bi::new("已登记。", "Recorded."),
        "minutes" => Bi::new("纪要草稿已保存。", "The draft minutes were saved."),
        "published" => Bi::new(
            "纪要已公开并记入公开记录。",
            "The minutes are published and in the ledger.",
        ),
        "confirmed" => Bi::new("谢谢确认。", "Thank you for confirming."),
        _ => return None,
    })
}

fn outcome_bi(o: Outcome) -> Bi {
    let (z, e) = o.words();
    Bi::new(z, e)
}

fn item_views(
    m: &Minutes,
    actions: &[store::Action],
    today: &str,
    slug: &str,
    d: &Deliberation,
) -> Vec<view::ItemMinutesView> {
    m.items
        .iter()
        .map(|it| view::ItemMinutesView {
            item: it.item,
            title: it.title.clone(),
            outcome: it
                .outcome
                .map(|o| o.as_str().to_string())
                .unwrap_or_default(),
            outcome_words: it.outcome.map(outcome_bi),
            views: it
                .views
                .iter()
                .map(|v| {
                    (
                        v.who
                            .clone()
                            .unwrap_or_else(|| "一位居民 a resident".into()),
                        v.text.clone(),
                    )
                })
                .collect(),
            views_text: rules::views_text(&it.views),
            notes: it.notes.clone(),
            actions: it
                .actions
                .iter()
                .map(|a| {
                    let live = actions
                        .iter()
                        .find(|x| x.deliberation_id == d.id && x.title == a.title);
                    (
                        a.title.clone(),
                        a.owner.clone(),
                        a.due.clone(),
                        live.map(|x| {
                            if x.status == "done" {
                                Bi::new("已办结", "done")
                            } else {
                                Bi::new("办理中", "open")
                            }
                        }),
                        live.is_some_and(|x| overdue(x, today)),
                    )
                })
                .collect(),
            actions_text: rules::actions_text(&it.actions),
            vote_link: (it.outcome == Some(Outcome::ReferredToVote)).then(|| {
                format!(
                    "/c/{slug}/votes/new?title={}&explanation={}",
                    teahouse_views::layout::urlencode(&it.title),
                    teahouse_views::layout::urlencode(&format!(
                        "来自议事会“{}”（{}）的议题。{}",
                        d.title, d.place_label, it.notes
                    ))
                )
            }),
        })
        .collect()
}

fn counts(att: &[store::Attendee]) -> Vec<(String, usize)> {
    let mut m: BTreeMap<String, usize> = BTreeMap::new();
    for a in att {
        *m.entry(a.building.clone().unwrap_or_else(|| a.zone.clone()))
            .or_default() += 1;
    }
    m.into_iter().collect()
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
    t: Option<String>,
    diff: Option<i64>,
}

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Error> {
    use crate::store::accounts::Role;
    let cid = v.community.id;
    let account = v.ctx.0.account.clone();
    let committee = account
        .as_ref()
        .is_some_and(|a| a.has_role(cid, Role::Committee));
    let member = account.as_ref().is_some_and(|a| a.is_member(cid));
    let resident = account
        .as_ref()
        .filter(|_| member)
        .and_then(|a| a.resident_id);
    // The QR link works for visitors too: they are asked to log in first.
    if let (Some(t), None) = (&q.t, &account) {
        return Ok(see_other(&format!(
            "/login?next={}",
            teahouse_views::layout::urlencode(&format!(
                "/c/{}/deliberations/{id}?t={t}",
                v.community.slug
            ))
        )));
    }
    let (d, items, att, guests, revs, confs, acts, entries) = st
        .db
        .read(move |c| {
            Ok((
                store::get(c, cid, id)?,
                store::items(c, id)?,
                store::attendance(c, id)?,
                store::guests(c, id)?,
                store::revisions(c, id)?,
                store::confirmations(c, id)?,
                store::actions(c, cid, Some(id))?,
                ledger::entries_for(c, cid, &format!("deliberation:{id}"))?,
            ))
        })
        .await?;
    let tz = &v.community.tz;
    let t = today(tz).to_string();
    let slug = &v.community.slug;
    let working = revs.iter().find(|r| r.published_at.is_none());
    let published = d
        .published_rev
        .and_then(|p| revs.iter().find(|r| r.rev == p));
    let shown = if committee {
        working.or(published)
    } else {
        published
    };
    // The host's form starts from the working draft, or the agenda.
    let minutes = match shown {
        Some(r) => r.minutes.clone(),
        None => Minutes {
            summary: String::new(),
            items: items
                .iter()
                .filter(|i| i.state == "agenda")
                .map(|i| ItemMinutes {
                    item: i.id,
                    title: i.title.clone(),
                    outcome: None,
                    views: vec![],
                    notes: String::new(),
                    actions: vec![],
                })
                .collect(),
        },
    };
    let diff = q.diff.and_then(|to| {
        let new = revs
            .iter()
            .find(|r| r.rev == to && r.published_at.is_some())?;
        let old = revs
            .iter()
            .rev()
            .find(|r| r.rev < to && r.published_at.is_some())?;
        Some((
            old.rev,
            new.rev,
            rules::diff(&old.minutes, &new.minutes)
                .into_iter()
                .map(|(z, e)| Bi::new(z, e))
                .collect(),
        ))
    });
    let signed_in = resident.is_some_and(|r| att.iter().any(|a| a.resident_id == r));
    let mv = view::MeetingView {
        id,
        title: d.title.clone(),
        place: d.place_label.clone(),
        venue: d.venue.clone(),
        when: format!(
            "{} — {}",
            fmt_time(d.starts_at, tz),
            fmt_time(d.ends_at, tz).get(11..).unwrap_or("")
        ),
        host: d.host.clone(),
        status: d.status.as_str().into(),
        items: items
            .iter()
            .filter(|i| committee || i.state != "declined")
            .map(|i| view::ItemView {
                id: i.id,
                title: i.title.clone(),
                detail: i.detail.clone(),
                state: i.state.clone(),
                suggester: i.suggester.clone(),
            })
            .collect(),
        attendance: att.len(),
        counts: counts(&att),
        attendees: if committee {
            att.iter().map(|a| a.name.clone()).collect()
        } else {
            Vec::new()
        },
        guests,
        checkin_url: committee.then(|| {
            format!(
                "{}/c/{slug}/deliberations/{id}?t={}",
                v.ctx.0.origin, d.checkin_token
            )
        }),
        checkin: q.t.clone().filter(|_| member).map(|tok| {
            let open =
                d.status != Status::Published && rules::checkin_open(d.starts_at, d.ends_at, now());
            (tok, open, signed_in)
        }),
        summary: minutes.summary.clone(),
        minutes: item_views(&minutes, &acts, &t, slug, &d),
        minutes_rev: shown.map(|r| r.rev),
        minutes_working: shown.is_some_and(|r| r.published_at.is_none()),
        amend_reason: working.filter(|w| w.rev > 1).and_then(|w| w.reason.clone()),
        revisions: revs
            .iter()
            .filter(|r| committee || r.published_at.is_some())
            .map(|r| {
                (
                    r.rev,
                    r.reason.clone(),
                    r.published_at.map(|x| fmt_time(x, tz)),
                )
            })
            .collect(),
        diff,
        confirmations: confs
            .iter()
            .filter(|(rev, _)| Some(*rev) == d.published_rev)
            .map(|(_, n)| mask_name(n))
            .collect(),
        can_confirm: signed_in && d.published_rev.is_some(),
        can_suggest: member && !committee,
        ledger: entries
            .iter()
            .map(|e| (e.seq, e.kind.clone(), e.hash.clone()))
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| {
                let (z, e) = o.words();
                (o.as_str().to_string(), format!("{z} {e}"))
            })
            .collect(),
        notice: done_words(q.done.as_deref()),
    };
    let c = v.ctx.chrome(Some(&v.community));
    Ok(view::meeting_page(&c, slug, &mv).into_response())
}

pub async fn notice(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (d, revs, att, guests, acts, entries, head) = st
        .db
        .read(move |c| {
            Ok((
                store::get(c, cid, id)?,
                store::revisions(c, id)?,
                store::attendance(c, id)?,
                store::guests(c, id)?,
                store::actions(c, cid, Some(id))?,
                ledger::entries_for(c, cid, &format!("deliberation:{id}"))?,
                ledger::head(c, cid)?,
            ))
        })
        .await?;
    let r = d
        .published_rev
        .and_then(|p| revs.into_iter().find(|r| r.rev == p))
        .ok_or(Error::NotFound)?;
    let tz = &v.community.tz;
    let slug = &v.community.slug;
    let nv = view::NoticeView {
        community: v.community.name.clone(),
        title: d.title.clone(),
        when: fmt_time(d.starts_at, tz),
        place: format!("{} {}", d.place_label, d.venue),
        host: d.host.clone(),
        attendance: att.len(),
        counts: counts(&att),
        guests,
        summary: r.minutes.summary.clone(),
        minutes: item_views(&r.minutes, &acts, &today(tz).to_string(), slug, &d),
        rev: r.rev,
        reason: r.reason.clone(),
        url: format!("{}/c/{slug}/deliberations/{id}", v.ctx.0.origin),
        entry: entries
            .iter()
            .rev()
            .find(|e| {
                crate::store::anchor::anchors(
                    e,
                    "minutes_revisions",
                    &serde_json::json!([id, r.rev]),
                ) || (!crate::store::anchor::is_current(e)
                    && e.kind.starts_with("minutes.")
                    && e.payload["rev"] == r.rev)
            })
            .map(|e| (e.seq, e.hash.clone())),
        head,
        printed: fmt_time(now(), tz),
    };
    Ok(view::notice_page(&v.ctx.chrome(Some(&v.community)), &nv).into_response())
}

pub async fn actions(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (list, photos) = st
        .db
        .read(move |c| {
            let photos = crate::store::meetings::action_photos(c, cid)?;
            Ok((store::actions(c, cid, None)?, photos))
        })
        .await?;
    let t = today(&v.community.tz).to_string();
    let lines: Vec<view::ActionLine> = list
        .iter()
        .map(|a| view::ActionLine {
            id: a.id,
            meeting_id: a.deliberation_id,
            meeting: a.meeting.clone(),
            title: a.title.clone(),
            owner: a.owner.clone(),
            due: a.due.clone(),
            done: a.status == "done",
            overdue: overdue(a, &t),
            report: a.report.clone(),
            photos: photos
                .get(&format!("action:{}", a.id))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let notice = (q.done.as_deref() == Some("closed")).then(|| {
        Bi::new(
            "已办结并记入公开记录。",
            "Closed and recorded in the ledger.",
        )
    });
    Ok(view::actions_page(
        &v.ctx.chrome(Some(&v.community)),
        &v.community.slug,
        &lines,
        notice.as_ref(),
    )
    .into_response())
}

/// Closes an action: a short report (required) and an optional photo.
pub async fn close_action(
    State(st): State<AppState>,
    com: Committee,
    Path((_, action)): Path<(String, i64)>,
    mp: Multipart,
) -> Result<Response, Error> {
    let p = super::files::read(mp).await?;
    let report = p.field("report");
    let photos = p.uploads("file")?;
    let cid = com.community.id;
    let by = com.account.id;
    let actor = com.ctx.actor();
    st.db
        .write(move |tx| {
            let e = store::close_action(tx, cid, action, &report, by)?;
            for f in &photos {
                attachments::add(tx, cid, &format!("action:{action}"), f, by)?;
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "action.close",
                &format!("action:{action}"),
                &format!("ledger #{}", e.seq),
            )
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/actions?done=closed#action-{action}",
        com.community.slug
    )))
}

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
        .map(|a| serde_json::json!({"id": a.id, "deliberation": a.deliberation_id, "title": a.title, "owner": a.owner, "due": a.due, "status": a.status, "report": a.report}))
        .collect();
    Ok(axum::Json(serde_json::json!({
        "format": "teahouse.deliberations/1",
        "community": v.community.slug,
        "deliberations": meetings,
        "actions": actions,
    }))
    .into_response())
}
