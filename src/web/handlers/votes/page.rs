//! A vote's page: everything it shows, read in one trip to a reader
//! connection, then shaped for the view by the reader's role and the
//! vote's status. A closed vote's figures and list order are read once and
//! kept (`Caches::votes`); each view reads only the page of ballots shown.

use super::super::fmt_time;
use super::page_read::{Asked, BALLOTS_PER_PAGE, ElevatorData, PageData, page_number, read_page};
use super::shown_status;
use crate::domain::Area;
use crate::domain::cost_share;
use crate::error::Error;
use crate::store::cache::Caches;
use crate::store::votes::listing;
use crate::store::votes::{self, Status, Vote};
use crate::store::{elevator, now, objections};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use teahouse_views::Msg;
use teahouse_views::chrome::Chrome;
use teahouse_views::pages::votes as view;
use teahouse_views::refused::Refused;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    done: Option<String>,
    /// The page of the ballot list, from 1 (anything else is the first).
    ballots: Option<String>,
}

/// Vote pages read at once when they read a whole electorate (a draft's
/// preview, an open vote's desk, a closed vote's list not kept yet): more
/// at once would only add memory (two keep the machine's cores busy).
static BUILDING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// What the reader is told after a step; `com` is the community's own
/// committee (村委会 in a village, 居委会 in a compound).
fn notice(done: Option<&str>, com: teahouse_words::Word) -> Option<Msg> {
    Some(match done? {
        "created" => Msg::new("草稿已保存。", "The draft was saved."),
        "opened" => Msg::new(
            "表决已开始，选民名单已固定并记入公开记录。",
            "The vote is open; its electorate is frozen and in the ledger.",
        ),
        "cast" => Msg::new("您的选票已收到。", "Your ballot was received."),
        "paper" => Msg::new("纸质选票已录入。", "The paper ballot was recorded."),
        "resolved" => Msg::new("冲突已处理。", "The conflict was resolved."),
        "closed" => Msg::new(
            "表决已结束，结果已公布并记入公开记录。",
            "The vote is closed; the result is published and in the ledger.",
        ),
        "objected" => Msg::new(
            format!("您的异议已提交，{}将公开答复。", com.zh),
            format!(
                "Your objection was lodged; the {} will answer it in public.",
                com.en
            ),
        ),
        "answered" => Msg::new("答复已公布。", "The answer is published."),
        "final" => Msg::new("结果已确认为最终结果。", "The result is now final."),
        "plan" => Msg::new("分摊表已保存。", "The cost-sharing plan was saved."),
        "affected" | "proxy" => Msg::new("已登记。", "Recorded."),
        "attached" => Msg::new("附件已上传。", "The attachment was uploaded."),
        "detached" => Msg::new("附件已删除。", "The attachment was removed."),
        _ => return None,
    })
}
fn choice_bars(r: &crate::domain::vote::Tally) -> Vec<(Msg, i64, Option<String>)> {
    let mut bars: Vec<(Msg, i64, Option<String>)> = if r.options.is_empty() {
        vec![
            (
                Msg::new("同意", "agree"),
                r.agree.heads,
                r.agree.area.clone(),
            ),
            (
                Msg::new("不同意", "disagree"),
                r.disagree.heads,
                r.disagree.area.clone(),
            ),
        ]
    } else {
        r.options
            .iter()
            .map(|o| {
                let id = Msg::new(o.id.clone(), o.id.clone());
                (id, o.chosen.heads, o.chosen.area.clone())
            })
            .collect()
    };
    let not_voting = r.total.heads - r.participating.heads;
    let not_area = match (&r.total.area, &r.participating.area) {
        (Some(t), Some(p)) => {
            let t = Area::parse(t).map(|a| a.centi()).unwrap_or(0);
            let p = Area::parse(p).map(|a| a.centi()).unwrap_or(0);
            Some(Area::from_centi(t - p).to_string())
        }
        _ => None,
    };
    bars.push((
        Msg::new("弃权", "abstain"),
        r.abstain.heads,
        r.abstain.area.clone(),
    ));
    bars.push((Msg::new("未投", "not voting"), not_voting, not_area));
    bars
}

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, Error> {
    Ok(render(&st, &v, id, &q, None).await?.into_response())
}

/// The vote's page for `v`, with `refused` (a refused form, only ever for
/// the one request that sent it) as typed.
pub(super) async fn render(
    st: &AppState,
    v: &Visitor,
    id: i64,
    q: &NoticeQuery,
    refused: Option<Refused<view::Form>>,
) -> Result<maud::Markup, Error> {
    let chrome = v.ctx.chrome(Some(&v.community));
    let committee = chrome.is_committee();
    let cid = v.community.id;
    let resident = v
        .ctx
        .0
        .account
        .as_ref()
        .filter(|a| a.is_member(cid))
        .and_then(|a| a.resident_id);
    let asked = q
        .ballots
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1);
    let (data, generation) = read_kept(st, cid, id, committee, resident, asked).await?;
    let table = ballot_table(
        &st.db.cache,
        generation,
        &chrome,
        &data,
        &options(&data.vote),
    );
    let reach = crate::web::handlers::notices::reach::block(
        st,
        &chrome,
        &data.vote,
        &v.community.slug,
        &v.community.tz,
        committee,
    )
    .await?;
    let member = v.ctx.0.account.as_ref().is_some_and(|a| a.is_member(cid));
    let mut view = vote_view(data, table, reach, &v.community.tz, (committee, member));
    let village = v.community.kind == crate::store::communities::Kind::Village;
    view.notice = notice(
        q.done.as_deref(),
        teahouse_words::roles::committee(Some(village)),
    );
    view.refused = refused;
    Ok(view::vote_page(&chrome, &v.community.slug, &view))
}

/// Reads the page, a closed vote's list order and its page of ballots as
/// kept if they are (and keeps them if read now): good while
/// [`crate::store::cache::Caches::roll`] stays, which is taken before
/// reading (and returned), so a change meanwhile makes what was read stale
/// at once.
async fn read_kept(
    st: &AppState,
    cid: i64,
    id: i64,
    committee: bool,
    resident: Option<i64>,
    ballot_page: usize,
) -> Result<(PageData, u64), Error> {
    let cache = &st.db.cache;
    let generation = cache.roll();
    let mut kept = cache.votes.get(&id, generation);
    let _building = match kept {
        Some(_) => None,
        None => {
            let permit = BUILDING
                .acquire()
                .await
                .map_err(|_| Error::Internal("vote page limit closed".into()))?;
            // Kept meanwhile by whoever held the permit before.
            kept = cache.votes.get(&id, generation);
            Some(permit)
        }
    };
    let kept_lines = kept.as_ref().and_then(|p| {
        let (page, _) = page_number(p.listed.len(), ballot_page);
        cache.vote_pages.get(&(id, page), generation)
    });
    let asked = Asked {
        cid,
        id,
        committee,
        resident,
        ballot_page,
        kept,
        kept_lines,
    };
    let data = st.db.read(move |c| read_page(c, &asked)).await?;
    if let Some((p, true)) = &data.published {
        cache.votes.put(id, generation, p.clone());
    }
    if let (lines, true) = &data.lines {
        let size = lines.iter().map(listing::Line::size).sum();
        cache
            .vote_pages
            .put_sized((id, data.ballot_page.0), generation, lines.clone(), size);
    }
    Ok((data, generation))
}

/// The reader's own ballot: (choice, receipt, when, cast by whom).
type MyBallot = (String, String, String, Option<Msg>);

fn my_ballot(mine: &[votes::Ballot], tz: &str) -> Option<MyBallot> {
    mine.iter().max_by_key(|b| b.cast_at).map(|b| {
        let by = b
            .cast_by
            .clone()
            .map(|by| Msg::new(by.clone(), by))
            .or_else(|| {
                let e = b.entered_by.as_ref()?;
                Some(Msg::new(format!("{e}（纸质）"), format!("{e} (on paper)")))
            });
        (
            b.choice.clone(),
            b.receipt.clone(),
            fmt_time(b.cast_at, tz),
            by,
        )
    })
}

fn ballot_line(b: &listing::Line, mine: bool) -> view::BallotLine {
    view::BallotLine {
        who: match &b.label {
            Some(l) if b.dwellings.is_empty() => l.clone(),
            Some(l) => format!("{l}（{}）", b.dwellings.join("、")),
            None => b.voter.clone(),
        },
        choice: b.choice.clone(),
        channel: match b.channel.as_str() {
            "paper" => Msg::new("纸质", "paper"),
            _ => Msg::new("网上", "online"),
        },
        receipt: b.receipt.clone(),
        note: String::new(),
        mine,
    }
}

/// The page of the ballot list shown: its rows as rendered for everyone
/// reading in this language (kept under `generation` of
/// [`crate::store::cache::Caches::roll`], the one the lines were read
/// under, else rendered now and kept), and the reader's own rows marked.
fn ballot_table(
    cache: &Caches,
    generation: u64,
    c: &Chrome,
    d: &PageData,
    options: &[(String, String)],
) -> view::BallotTable {
    let lines = &d.lines.0;
    let me = d.my_voter.as_deref();
    let mine = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| me == Some(l.voter.as_str()))
        .map(|(i, l)| (i, ballot_line(l, true)))
        .collect();
    if lines.is_empty() {
        return view::BallotTable {
            rows: Default::default(),
            mine,
        };
    }
    let key = (d.vote.id, d.ballot_page.0, c.lang as u8);
    let rows = cache.vote_rows.get(&key, generation).unwrap_or_else(|| {
        let shared: Vec<_> = lines.iter().map(|l| ballot_line(l, false)).collect();
        let rows = Arc::new(view::ballot_rows(c, options, &shared));
        let size = rows.0.len() + rows.1.len() * 8 + 64;
        cache
            .vote_rows
            .put_sized(key, generation, rows.clone(), size);
        rows
    });
    view::BallotTable { rows, mine }
}

fn objection_lines(
    list: &[objections::Objection],
    committee: bool,
    tz: &str,
) -> Vec<view::ObjectionLine> {
    list.iter()
        .map(|o| view::ObjectionLine {
            id: o.id,
            author: if committee {
                o.author.clone()
            } else {
                crate::domain::mask::mask_name(&o.author)
            },
            text: o.text.clone(),
            at: fmt_time(o.created_at, tz),
            answer: o.answer.clone().map(|a| {
                (
                    a,
                    o.answered_at.map(|t| fmt_time(t, tz)).unwrap_or_default(),
                )
            }),
        })
        .collect()
}

/// The hash of the recount file, as recorded when the vote closed.
fn export_sha256(entries: &[crate::domain::ledger::Entry]) -> Option<String> {
    entries
        .iter()
        .rev()
        .find(|e| e.kind == "vote.closed")
        .and_then(|e| e.payload.get("export_sha256"))
        .and_then(|h| h.as_str())
        .map(str::to_string)
}

fn file_lines(
    files: Vec<crate::store::attachments::Attachment>,
) -> Vec<teahouse_views::files::FileLine> {
    files
        .into_iter()
        .map(|f| teahouse_views::files::FileLine {
            id: f.id,
            name: f.name,
            mime: f.mime,
            size: f.size,
            sha256: f.sha256,
        })
        .collect()
}

/// The proxies on record: (principal, proxy, authorization, expiry).
fn proxy_lines(
    proxies: Vec<crate::store::proxies::Proxy>,
    tz: &str,
) -> Vec<(String, String, String, String)> {
    proxies
        .into_iter()
        .map(|p| {
            (
                p.principal,
                p.proxy_name,
                p.authorization,
                fmt_time(p.expires_at, tz),
            )
        })
        .collect()
}

/// What the reader may do on the page: (can cast, can object, can finalize).
fn abilities(
    d: &PageData,
    committee: bool,
    member: bool,
    in_publicity: bool,
) -> (bool, bool, bool) {
    let vote = &d.vote;
    let can_cast = d.my_voter.is_some() && vote.status == Status::Open && now() < vote.closes_at;
    let can_finalize = committee
        && vote.final_at.is_none()
        && objections::publicity_end(vote).is_some_and(|e| now() >= e)
        && d.objections.iter().all(|o| o.answer.is_some());
    (can_cast, in_publicity && member, can_finalize)
}

/// The electors who have not voted yet (an open vote's committee desk).
fn not_voted(d: &PageData) -> Vec<(String, String)> {
    let open = d.vote.status == Status::Open;
    d.electorate
        .iter()
        .filter(|e| open && !d.voted.contains(e.voter.as_str()))
        .map(|e| (e.label.clone(), e.dwellings.join("、")))
        .collect()
}

/// The page of the list holding the reader's own row, to link to it.
fn my_ballot_page(d: &PageData) -> Option<usize> {
    let me = d.my_voter.as_deref()?;
    let (p, _) = d.published.as_ref().filter(|_| !d.vote.secret)?;
    p.position.get(me).map(|i| i / BALLOTS_PER_PAGE + 1)
}

/// A multiple-choice vote's options: (id, label).
fn options(vote: &Vote) -> Vec<(String, String)> {
    vote.options
        .as_ref()
        .map(|o| o.ids().into_iter().zip(o.labels.iter().cloned()).collect())
        .unwrap_or_default()
}

/// The page's view from what was read.
fn vote_view(
    d: PageData,
    ballots: view::BallotTable,
    reach: Option<maud::Markup>,
    tz: &str,
    (committee, member): (bool, bool),
) -> view::VoteView {
    let vote = &d.vote;
    let in_publicity =
        vote.final_at.is_none() && objections::publicity_end(vote).is_some_and(|e| now() < e);
    let (can_cast, can_object, can_finalize) = abilities(&d, committee, member, in_publicity);
    let (rz, re) = vote.rule.names();
    view::VoteView {
        reach,
        refused: None,
        id: vote.id,
        title: vote.title.clone(),
        explanation: vote.explanation.clone(),
        status: shown_status(vote),
        scope: vote.scope_label.clone(),
        rule: Msg::new(rz, re),
        secret: vote.secret,
        opens: fmt_time(vote.opens_at, tz),
        closes: fmt_time(vote.closes_at, tz),
        publicity_days: vote.publicity_days,
        publicity_until: vote
            .closed_at
            .map(|t| fmt_time(t + vote.publicity_days * 24 * 3600, tz)),
        electorate_count: d.figures.count,
        electorate_area: d
            .figures
            .area_centi
            .map(|a| Area::from_centi(a).to_string()),
        electorate_households: d.figures.households,
        electorate: d
            .electorate
            .iter()
            .map(|e| (e.voter.clone(), e.label.clone(), e.dwellings.join("、")))
            .collect(),
        my_ballot: my_ballot(&d.mine, tz),
        can_cast,
        ballot_count: d.voted.len(),
        not_voted: not_voted(&d),
        result: vote.result.as_ref().map(result_view),
        ballots,
        ballot_page: d.ballot_page,
        my_receipt: d
            .mine
            .first()
            .filter(|_| vote.status == Status::Closed)
            .map(|b| b.receipt.clone()),
        my_ballot_page: my_ballot_page(&d),
        export_sha256: export_sha256(&d.entries),
        ledger: d
            .entries
            .iter()
            .map(|e| (e.seq, e.kind.clone(), e.hash.clone()))
            .collect(),
        notice: None,
        is_final: vote.final_at.is_some(),
        in_publicity,
        objections: objection_lines(&d.objections, committee, tz),
        can_object,
        can_finalize,
        options: options(vote),
        max_choices: vote.options.as_ref().map_or(0, |o| o.max),
        elevator: d
            .elevator
            .map(|e| elevator_view(vote, e, d.agreed, d.figures.count)),
        conflicts: d.conflicts,
        receipts: d.receipts,
        paper_by: d.paper_by,
        proxy_for: d.proxy_for,
        proxies: proxy_lines(d.proxies, tz),
        files: file_lines(d.files),
    }
}

fn elevator_view(
    vote: &Vote,
    (plan, affected, dwellings): ElevatorData,
    agreed: usize,
    electorate: usize,
) -> view::ElevatorView {
    let (shares, shares_error) = match plan.as_ref().map(|p| &p.shares) {
        Some(Ok(s)) => (
            s.iter()
                .map(|x| {
                    (
                        x.dwelling.clone(),
                        x.floor,
                        format!("{}.{:03}", x.coefficient / 1000, x.coefficient % 1000),
                        cost_share::yuan(x.fen),
                    )
                })
                .collect(),
            None,
        ),
        Some(Err(m)) => (Vec::new(), Some(m.clone())),
        None => (Vec::new(), None),
    };
    view::ElevatorView {
        total: plan
            .as_ref()
            .map(|p| cost_share::yuan(p.total_fen))
            .unwrap_or_default(),
        coefficients_text: plan
            .as_ref()
            .map(|p| p.coefficients_text.clone())
            .unwrap_or_default(),
        shares,
        shares_error,
        signed_up: (vote.status == Status::Open && !vote.secret)
            .then_some((agreed as i64, electorate)),
        may_proceed: elevator::may_proceed(vote, &affected),
        affected: affected
            .into_iter()
            .map(|a| (a.dwelling, a.consent, a.note))
            .collect(),
        dwellings: dwellings.into_iter().map(|(d, _)| d).collect(),
    }
}

/// The result as the page shows it: every test behind the verdict, the
/// bars by head and each option's count.
fn result_view(r: &crate::domain::vote::Tally) -> view::ResultView {
    view::ResultView {
        verdict: r.verdict.clone(),
        quorum_any: r.quorum_combine == "any",
        quorum: r
            .quorum
            .iter()
            .map(|t| view::TestLine {
                met: t.met,
                text: Msg::new(t.zh.clone(), t.en.clone()),
            })
            .collect(),
        pass: r
            .pass
            .iter()
            .map(|t| view::TestLine {
                met: t.met,
                text: Msg::new(t.zh.clone(), t.en.clone()),
            })
            .collect(),
        bars: choice_bars(r),
        options: r
            .options
            .iter()
            .map(|o| view::OptionLine {
                id: o.id.clone(),
                label: o.label.clone(),
                heads: o.chosen.heads,
                area: o.chosen.area.clone(),
                adopted: o.adopted,
                tests: o
                    .pass
                    .iter()
                    .map(|t| view::TestLine {
                        met: t.met,
                        text: Msg::new(t.zh.clone(), t.en.clone()),
                    })
                    .collect(),
            })
            .collect(),
        tied: r.tied.clone(),
        total_heads: r.total.heads,
        total_area: r.total.area.clone(),
    }
}
