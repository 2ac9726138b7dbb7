//! One meeting's page and its printable A4 minutes notice.

use super::{ShowQuery, item_state, meeting_status, overdue};
use crate::domain::deliberation::{self as rules, ItemMinutes, Minutes, Outcome};
use crate::domain::deliberation::{ActionStatus, ItemState};
use crate::domain::mask::mask_name;
use crate::error::Error;
use crate::store::deliberations::{self as store, Deliberation, Status};
use crate::store::{ledger, now};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::handlers::{fmt_time, see_other, today};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use teahouse_views::Msg;
use teahouse_views::pages::deliberations as view;
use teahouse_views::refused::Refused;

fn done_words(done: Option<&str>) -> Option<Msg> {
    Some(match done? {
        "planned" => Msg::new("议事会已安排。", "The meeting is planned."),
        "item" => Msg::new("议程已更新。", "The agenda was updated."),
        "suggested" => Msg::new(
            "您的建议已提交，主持人会决定是否列入议程。",
            "Your suggestion was sent; the host decides whether it goes on the agenda.",
        ),
        "checked_in" => Msg::new("签到成功。", "You are signed in."),
        "attendance" => Msg::new("已登记。", "Recorded."),
        "minutes" => Msg::new("纪要草稿已保存。", "The draft minutes were saved."),
        "published" => Msg::new(
            "纪要已公开并记入公开记录。",
            "The minutes are published and in the ledger.",
        ),
        "confirmed" => Msg::new("谢谢确认。", "Thank you for confirming."),
        _ => return None,
    })
}

fn outcome_bi(o: Outcome) -> Msg {
    let (z, e) = o.words();
    Msg::new(z, e)
}

fn item_views(
    c: &teahouse_views::Chrome,
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
                            .unwrap_or_else(|| c.t("一位居民", "a resident").into()),
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
                            if x.status == ActionStatus::Done {
                                Msg::new("已办结", "done")
                            } else {
                                Msg::new("办理中", "open")
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

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Error> {
    render(&st, v, id, q, Again::default()).await
}

/// A refused form of the meeting's page, to show again as it was typed:
/// an attendance list (as typed, and why), or another of the page's forms.
#[derive(Default)]
pub(super) struct Again {
    pub who: Option<(String, Msg)>,
    pub refused: Option<Refused<view::Form>>,
}

/// What the meeting's page reads in one go.
struct Loaded {
    d: Deliberation,
    items: Vec<store::Item>,
    att: Vec<store::Attendee>,
    guests: Vec<(String, String)>,
    revs: Vec<store::Revision>,
    confs: Vec<(i64, String)>,
    acts: Vec<store::Action>,
    entries: Vec<crate::domain::ledger::Entry>,
}

fn load(c: &rusqlite::Connection, cid: i64, id: i64) -> Result<Loaded, Error> {
    let subject = crate::domain::Subject::Deliberation(id).to_string();
    Ok(Loaded {
        d: store::get(c, cid, id)?,
        items: store::items(c, id)?,
        att: store::attendance(c, id)?,
        guests: store::guests(c, id)?,
        revs: store::revisions(c, id)?,
        confs: store::confirmations(c, id)?,
        acts: store::actions(c, cid, Some(id))?,
        entries: ledger::entries_for(c, cid, &subject)?,
    })
}

/// The reader's standing at this meeting.
struct Viewer {
    committee: bool,
    member: bool,
    resident: Option<i64>,
}

/// The minutes the reader sees (the committee: the working draft first)
/// and the revision they come from; the host's form starts from the
/// working draft, or the agenda.
fn shown_minutes(l: &Loaded, committee: bool) -> (Minutes, Option<&store::Revision>) {
    let working = l.revs.iter().find(|r| r.published_at.is_none());
    let published =
        l.d.published_rev
            .and_then(|p| l.revs.iter().find(|r| r.rev == p));
    let shown = if committee {
        working.or(published)
    } else {
        published
    };
    let minutes = match shown {
        Some(r) => r.minutes.clone(),
        None => Minutes {
            summary: String::new(),
            items: l
                .items
                .iter()
                .filter(|i| i.state == ItemState::Agenda)
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
    (minutes, shown)
}

/// The changes from the published revision before `to` to `to`.
fn diff_to(revs: &[store::Revision], to: i64) -> Option<(i64, i64, Vec<Msg>)> {
    let new = revs
        .iter()
        .find(|r| r.rev == to && r.published_at.is_some())?;
    let old = revs
        .iter()
        .rev()
        .find(|r| r.rev < to && r.published_at.is_some())?;
    let changes = rules::diff(&old.minutes, &new.minutes)
        .into_iter()
        .map(|(z, e)| Msg::new(z, e))
        .collect();
    Some((old.rev, new.rev, changes))
}

/// The meeting page, with a refused form (if any) as it was typed.
pub(super) async fn render(
    st: &AppState,
    v: Visitor,
    id: i64,
    q: ShowQuery,
    again: Again,
) -> Result<Response, Error> {
    use crate::store::accounts::Role;
    let cid = v.community.id;
    let account = v.ctx.0.account.clone();
    let member = account.as_ref().is_some_and(|a| a.is_member(cid));
    let who = Viewer {
        committee: account
            .as_ref()
            .is_some_and(|a| a.has_role(cid, Role::Committee)),
        member,
        resident: account
            .as_ref()
            .filter(|_| member)
            .and_then(|a| a.resident_id),
    };
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
    let l = st.db.read(move |c| load(c, cid, id)).await?;
    let c = v.ctx.chrome(Some(&v.community));
    let mut mv = meeting_view(&c, &v, &l, &who, q);
    mv.who = again.who;
    if let Some(r) = again.refused {
        if r.form == view::Form::Minutes {
            keep_typed(&mut mv, &r.typed);
        }
        mv.refused = Some(r);
    }
    Ok(view::meeting_page(&c, &v.community.slug, &mv).into_response())
}

/// Refused minutes come back as typed: the summary and each item's fields.
fn keep_typed(mv: &mut view::MeetingView, typed: &std::collections::HashMap<String, String>) {
    let g = |k: String| typed.get(&k).cloned().unwrap_or_default();
    mv.summary = g("summary".into());
    for m in &mut mv.minutes {
        m.outcome = g(format!("outcome_{}", m.item));
        m.views_text = g(format!("views_{}", m.item));
        m.notes = g(format!("notes_{}", m.item));
        m.actions_text = g(format!("actions_{}", m.item));
    }
}

fn meeting_view(
    c: &teahouse_views::Chrome,
    v: &Visitor,
    l: &Loaded,
    who: &Viewer,
    q: ShowQuery,
) -> view::MeetingView {
    let (tz, slug, d, id) = (&v.community.tz, &v.community.slug, &l.d, l.d.id);
    let committee = who.committee;
    let (minutes, shown) = shown_minutes(l, committee);
    let working = l.revs.iter().find(|r| r.published_at.is_none());
    let signed_in = who
        .resident
        .is_some_and(|r| l.att.iter().any(|a| a.resident_id == r));
    view::MeetingView {
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
        status: meeting_status(d.status),
        items: item_lines(&l.items, committee),
        attendance: l.att.len(),
        counts: counts(&l.att),
        attendees: if committee {
            l.att.iter().map(|a| a.name.clone()).collect()
        } else {
            Vec::new()
        },
        guests: l.guests.clone(),
        checkin_url: committee.then(|| {
            let (origin, token) = (&v.ctx.0.origin, &d.checkin_token);
            format!("{origin}/c/{slug}/deliberations/{id}?t={token}")
        }),
        checkin: q.t.clone().filter(|_| who.member).map(|tok| {
            let open =
                d.status != Status::Published && rules::checkin_open(d.starts_at, d.ends_at, now());
            (tok, open, signed_in)
        }),
        summary: minutes.summary.clone(),
        minutes: item_views(c, &minutes, &l.acts, &today(tz).to_string(), slug, d),
        minutes_rev: shown.map(|r| r.rev),
        minutes_working: shown.is_some_and(|r| r.published_at.is_none()),
        amend_reason: working.filter(|w| w.rev > 1).and_then(|w| w.reason.clone()),
        revisions: revision_lines(&l.revs, committee, tz),
        diff: q.diff.and_then(|to| diff_to(&l.revs, to)),
        confirmations: l
            .confs
            .iter()
            .filter(|(rev, _)| Some(*rev) == d.published_rev)
            .map(|(_, n)| mask_name(n))
            .collect(),
        can_confirm: signed_in && d.published_rev.is_some(),
        can_suggest: who.member && !committee,
        ledger: l
            .entries
            .iter()
            .map(|e| (e.seq, e.kind.clone(), e.hash.clone()))
            .collect(),
        outcomes: outcome_choices(c),
        notice: done_words(q.done.as_deref()),
        who: None,
        refused: None,
    }
}

/// The revisions the reader may see: rev, reason, when published.
fn revision_lines(
    revs: &[store::Revision],
    committee: bool,
    tz: &str,
) -> Vec<(i64, Option<String>, Option<String>)> {
    revs.iter()
        .filter(|r| committee || r.published_at.is_some())
        .map(|r| {
            (
                r.rev,
                r.reason.clone(),
                r.published_at.map(|x| fmt_time(x, tz)),
            )
        })
        .collect()
}

/// The minutes form's outcomes in the reader's language.
fn outcome_choices(c: &teahouse_views::Chrome) -> Vec<(String, String)> {
    Outcome::ALL
        .iter()
        .map(|o| {
            let (z, e) = o.words();
            (o.as_str().to_string(), c.t(z, e).to_string())
        })
        .collect()
}

fn item_lines(items: &[store::Item], committee: bool) -> Vec<view::ItemView> {
    items
        .iter()
        .filter(|i| committee || i.state != ItemState::Declined)
        .map(|i| view::ItemView {
            id: i.id,
            title: i.title.clone(),
            detail: i.detail.clone(),
            state: item_state(i.state),
            suggester: i.suggester.clone(),
        })
        .collect()
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
                ledger::entries_for(
                    c,
                    cid,
                    &crate::domain::Subject::Deliberation(id).to_string(),
                )?,
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
    let c = v.ctx.chrome(Some(&v.community));
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
        minutes: item_views(&c, &r.minutes, &acts, &today(tz).to_string(), slug, &d),
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
    Ok(view::notice_page(&c, &nv).into_response())
}
