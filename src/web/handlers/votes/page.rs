//! A vote's page: everything it shows, read in one trip to a reader
//! connection, then shaped for the view by the reader's role and the
//! vote's status.

use super::super::fmt_time;
use super::shown_status;
use crate::domain::cost_share;
use crate::domain::{Area, Subject};
use crate::error::Error;
use crate::store::votes::{self, Status, Vote};
use crate::store::{attachments, elevator, ledger, now, objections, proxies, vote_files};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::error::bi;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Bi;
use teahouse_views::pages::votes as view;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    done: Option<String>,
    /// The page of the ballot list, from 1 (anything else is the first).
    ballots: Option<String>,
}

/// Ballots on one page of the list (the whole list is the count file).
const BALLOTS_PER_PAGE: usize = 200;

/// Vote pages being read and built at once: each holds the whole electorate
/// and every ballot while it is built, so more at once would only add memory
/// (two keep the machine's cores busy).
static BUILDING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

fn notice(done: Option<&str>) -> Option<Bi> {
    Some(match done? {
        "created" => Bi::new("草稿已保存。", "The draft was saved."),
        "opened" => Bi::new(
            "表决已开始，选民名单已固定并记入公开记录。",
            "The vote is open; its electorate is frozen and in the ledger.",
        ),
        "cast" => Bi::new("您的选票已收到。", "Your ballot was received."),
        "paper" => Bi::new("纸质选票已录入。", "The paper ballot was recorded."),
        "resolved" => Bi::new("冲突已处理。", "The conflict was resolved."),
        "closed" => Bi::new(
            "表决已结束，结果已公布并记入公开记录。",
            "The vote is closed; the result is published and in the ledger.",
        ),
        "objected" => Bi::new(
            "您的异议已提交，居委会将公开答复。",
            "Your objection was lodged; the committee will answer it in public.",
        ),
        "answered" => Bi::new("答复已公布。", "The answer is published."),
        "final" => Bi::new("结果已确认为最终结果。", "The result is now final."),
        "plan" => Bi::new("分摊表已保存。", "The cost-sharing plan was saved."),
        "affected" | "proxy" => Bi::new("已登记。", "Recorded."),
        "attached" => Bi::new("附件已上传。", "The attachment was uploaded."),
        "detached" => Bi::new("附件已删除。", "The attachment was removed."),
        _ => return None,
    })
}
fn choice_bars(r: &crate::domain::vote::Tally) -> Vec<(Bi, i64, Option<String>)> {
    let mut bars: Vec<(Bi, i64, Option<String>)> = if r.options.is_empty() {
        vec![
            (
                Bi::new("同意", "agree"),
                r.agree.heads,
                r.agree.area.clone(),
            ),
            (
                Bi::new("不同意", "disagree"),
                r.disagree.heads,
                r.disagree.area.clone(),
            ),
        ]
    } else {
        r.options
            .iter()
            .map(|o| {
                let id = Bi::new(o.id.clone(), o.id.clone());
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
        Bi::new("弃权", "abstain"),
        r.abstain.heads,
        r.abstain.area.clone(),
    ));
    bars.push((Bi::new("未投", "not voting"), not_voting, not_area));
    bars
}

/// An elevator retrofit's plan, affected dwellings and the unit's dwellings.
type ElevatorData = (
    Option<elevator::Plan>,
    Vec<elevator::Affected>,
    Vec<(String, i32)>,
);

/// Everything the vote page reads, in one trip to a reader connection.
struct PageData {
    vote: Vote,
    electorate: Vec<votes::Elector>,
    my_voter: Option<String>,
    ballots: Vec<votes::Ballot>,
    conflicts: Vec<(String, bool)>,
    public: Option<crate::domain::vote_export::VoteExport>,
    receipts: Vec<String>,
    paper_by: Vec<(String, i64)>,
    entries: Vec<crate::domain::ledger::Entry>,
    objections: Vec<objections::Objection>,
    elevator: Option<ElevatorData>,
    proxy_for: Vec<(String, String)>,
    proxies: Vec<proxies::Proxy>,
    files: Vec<attachments::Attachment>,
}

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, Error> {
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
    let tz = v.community.tz.clone();
    let _building = BUILDING
        .acquire()
        .await
        .map_err(|_| Error::Internal("vote page limit closed".into()))?;
    let data = st
        .db
        .read(move |c| read_page(c, cid, id, committee, resident))
        .await?;
    let PageData {
        vote,
        electorate,
        my_voter,
        ballots,
        conflicts,
        public,
        receipts,
        paper_by,
        entries,
        objections: objection_list,
        elevator: elevator_data,
        proxy_for,
        proxies: proxy_list,
        files,
    } = data;
    let in_publicity =
        vote.final_at.is_none() && objections::publicity_end(&vote).is_some_and(|e| now() < e);
    let member = v.ctx.0.account.as_ref().is_some_and(|a| a.is_member(cid));
    let my_ballot = my_voter.as_ref().and_then(|voter| {
        ballots
            .iter()
            .filter(|b| &b.voter == voter)
            .max_by_key(|b| b.cast_at)
            .map(|b| {
                let by = b
                    .cast_by
                    .clone()
                    .map(|by| Bi::new(by.clone(), by))
                    .or_else(|| {
                        let e = b.entered_by.as_ref()?;
                        Some(Bi::new(format!("{e}（纸质）"), format!("{e} (on paper)")))
                    });
                (
                    b.choice.clone(),
                    b.receipt.clone(),
                    fmt_time(b.cast_at, &tz),
                    by,
                )
            })
    });
    let my_receipt = my_voter
        .as_ref()
        .filter(|_| vote.status == Status::Closed)
        .and_then(|voter| ballots.iter().find(|b| &b.voter == voter))
        .map(|b| b.receipt.clone());
    let voted: std::collections::HashSet<&str> = ballots.iter().map(|b| b.voter.as_str()).collect();
    let total_area: Option<i64> = electorate.iter().map(|e| e.area_centi).sum();
    let households: std::collections::BTreeSet<&str> = electorate
        .iter()
        .filter_map(|e| e.household.as_deref())
        .collect();
    let labels: std::collections::HashMap<String, (String, String)> = electorate
        .iter()
        .map(|e| (e.voter.clone(), (e.label.clone(), e.dwellings.join("、"))))
        .collect();
    let result = vote.result.as_ref().map(result_view);
    let listed = public
        .as_ref()
        .filter(|_| vote.status == Status::Closed)
        .map_or(0, |p| p.ballots.len());
    let pages = listed.div_ceil(BALLOTS_PER_PAGE).max(1);
    let ballot_page = q
        .ballots
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    // The page of the list holding the reader's own row, to link to it.
    let my_ballot_page = public
        .as_ref()
        .filter(|_| vote.status == Status::Closed)
        .zip(my_voter.as_deref())
        .and_then(|(p, me)| p.ballots.iter().position(|b| b.voter == me))
        .map(|i| i / BALLOTS_PER_PAGE + 1);
    let ballot_lines = match public.as_ref().filter(|_| vote.status == Status::Closed) {
        Some(public) => public
            .ballots
            .iter()
            .skip((ballot_page - 1) * BALLOTS_PER_PAGE)
            .take(BALLOTS_PER_PAGE)
            .map(|b| view::BallotLine {
                who: labels
                    .get(&b.voter)
                    .map(|(l, d)| {
                        if d.is_empty() {
                            l.clone()
                        } else {
                            format!("{l}（{d}）")
                        }
                    })
                    .unwrap_or_else(|| b.voter.clone()),
                choice: b.choice.clone(),
                channel: match b.channel.as_str() {
                    "paper" => Bi::new("纸质", "paper"),
                    _ => Bi::new("网上", "online"),
                },
                receipt: b.receipt.clone(),
                note: String::new(),
                mine: my_voter.as_deref() == Some(b.voter.as_str()),
            })
            .collect(),
        None => Vec::new(),
    };
    // The hash of the recount file, as recorded when the vote closed.
    let export_sha256 = entries
        .iter()
        .rev()
        .find(|e| e.kind == "vote.closed")
        .and_then(|e| e.payload.get("export_sha256"))
        .and_then(|h| h.as_str())
        .map(str::to_string);
    let (rz, re) = vote.rule.names();
    let view = view::VoteView {
        reach: crate::web::handlers::notices::reach::block(
            &st,
            &chrome,
            &vote,
            &v.community.slug,
            &tz,
            committee,
        )
        .await?,
        id: vote.id,
        title: vote.title.clone(),
        explanation: vote.explanation.clone(),
        status: shown_status(&vote),
        scope: vote.scope_label.clone(),
        rule: Bi::new(rz, re),
        secret: vote.secret,
        opens: fmt_time(vote.opens_at, &tz),
        closes: fmt_time(vote.closes_at, &tz),
        publicity_days: vote.publicity_days,
        publicity_until: vote
            .closed_at
            .map(|t| fmt_time(t + vote.publicity_days * 24 * 3600, &tz)),
        electorate_count: electorate.len(),
        electorate_area: total_area.map(|a| Area::from_centi(a).to_string()),
        electorate_households: households.len(),
        electorate: if committee {
            electorate
                .iter()
                .map(|e| (e.voter.clone(), e.label.clone(), e.dwellings.join("、")))
                .collect()
        } else {
            Vec::new()
        },
        my_ballot,
        can_cast: my_voter.is_some() && vote.status == Status::Open && now() < vote.closes_at,
        ballot_count: voted.len(),
        not_voted: if committee && vote.status == Status::Open {
            electorate
                .iter()
                .filter(|e| !voted.contains(e.voter.as_str()))
                .map(|e| (e.label.clone(), e.dwellings.join("、")))
                .collect()
        } else {
            Vec::new()
        },
        conflicts,
        result,
        ballots: ballot_lines,
        ballot_page: (ballot_page, pages),
        receipts,
        paper_by,
        my_receipt,
        my_ballot_page,
        export_sha256,
        ledger: entries
            .iter()
            .map(|e| (e.seq, e.kind.clone(), e.hash.clone()))
            .collect(),
        notice: notice(q.done.as_deref()),
        is_final: vote.final_at.is_some(),
        in_publicity,
        objections: objection_list
            .iter()
            .map(|o| view::ObjectionLine {
                id: o.id,
                author: if committee {
                    o.author.clone()
                } else {
                    crate::domain::mask::mask_name(&o.author)
                },
                text: o.text.clone(),
                at: fmt_time(o.created_at, &tz),
                answer: o.answer.clone().map(|a| {
                    (
                        a,
                        o.answered_at.map(|t| fmt_time(t, &tz)).unwrap_or_default(),
                    )
                }),
            })
            .collect(),
        can_object: in_publicity && member,
        can_finalize: committee
            && vote.final_at.is_none()
            && objections::publicity_end(&vote).is_some_and(|e| now() >= e)
            && objection_list.iter().all(|o| o.answer.is_some()),
        proxy_for: proxy_for
            .into_iter()
            .map(|(voter, principal)| {
                let current = ballots
                    .iter()
                    .find(|b| b.voter == voter && b.channel == "proxy")
                    .map(|b| b.choice.clone());
                (voter, principal, current)
            })
            .collect(),
        proxies: proxy_list
            .into_iter()
            .map(|p| {
                (
                    p.principal,
                    p.proxy_name,
                    p.authorization,
                    fmt_time(p.expires_at, &tz),
                )
            })
            .collect(),
        options: vote
            .options
            .as_ref()
            .map(|o| o.ids().into_iter().zip(o.labels.iter().cloned()).collect())
            .unwrap_or_default(),
        max_choices: vote.options.as_ref().map_or(0, |o| o.max),
        files: files
            .into_iter()
            .map(|f| teahouse_views::files::FileLine {
                id: f.id,
                name: f.name,
                mime: f.mime,
                size: f.size,
                sha256: f.sha256,
            })
            .collect(),
        elevator: elevator_data.map(|(plan, affected, dwellings)| {
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
                Some(Err(m)) => (Vec::new(), Some(bi(m))),
                None => (Vec::new(), None),
            };
            let agreed: std::collections::HashSet<&str> = ballots
                .iter()
                .filter(|b| b.choice == "agree")
                .map(|b| b.voter.as_str())
                .collect();
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
                    .then_some((agreed.len() as i64, electorate.len())),
                may_proceed: elevator::may_proceed(&vote, &affected),
                affected: affected
                    .into_iter()
                    .map(|a| (a.dwelling, a.consent, a.note))
                    .collect(),
                dwellings: dwellings.into_iter().map(|(d, _)| d).collect(),
            }
        }),
    };
    Ok(view::vote_page(&chrome, &v.community.slug, &view).into_response())
}

/// Reads everything the vote page shows on one reader connection; what a
/// reader may not see (a draft, the committee's lists) is not read at all.
fn read_page(
    c: &rusqlite::Connection,
    cid: i64,
    id: i64,
    committee: bool,
    resident: Option<i64>,
) -> Result<PageData, Error> {
    let vote = votes::get(c, cid, id)?;
    if vote.status == Status::Draft && !committee {
        return Err(Error::NotFound);
    }
    // The electorate: a live preview for drafts, the frozen list after.
    let electorate = if vote.status == Status::Draft {
        votes::compute_electorate(c, cid, &vote.scope, vote.rule, vote.custom.as_ref())?
    } else {
        votes::frozen_electorate(c, id)?
    };
    let my_voter = match resident {
        Some(r) if vote.status != Status::Draft => votes::voter_for(c, id, r)?,
        _ => None,
    };
    let ballots = votes::ballots(c, id)?;
    let conflicts = if committee {
        votes::conflicts_detail(c, id)?
    } else {
        Vec::new()
    };
    // A secret vote's page lists the receipts counted, never a
    // ballot; an open vote's lists every ballot.
    let public = if vote.secret {
        None
    } else {
        // Only its ballots are shown: the electorate is read above.
        let mut export = votes::export(c, &vote, votes::Form::Recount)?;
        export.electorate = Vec::new();
        // Listed in dwelling order, as the electorate is.
        let at: std::collections::HashMap<&str, usize> = electorate
            .iter()
            .enumerate()
            .map(|(i, e)| (e.voter.as_str(), i))
            .collect();
        export
            .ballots
            .sort_by_key(|b| at.get(b.voter.as_str()).copied());
        Some(export)
    };
    // Who entered how many paper ballots: for everyone once closed,
    // for the committee while open (never whose, never what).
    let paper_by = if vote.status == Status::Closed || committee {
        votes::paper_by(c, id)?
    } else {
        Vec::new()
    };
    let receipts = if vote.secret && vote.status == Status::Closed {
        vote_files::receipts(c, id)?
    } else {
        Vec::new()
    };

    let entries = ledger::entries_for(c, cid, &Subject::Vote(id).to_string())?;
    let objections = objections::list(c, id)?;
    let proxy_for = match resident {
        Some(r) if vote.status == Status::Open => proxies::principals_of(c, id, r)?,
        _ => Vec::new(),
    };
    let proxies = if committee {
        proxies::list(c, id)?
    } else {
        Vec::new()
    };
    let elevator = if elevator::applies(&vote) {
        Some((
            elevator::plan(c, &vote)?,
            elevator::affected(c, id)?,
            elevator::unit_dwellings(c, &vote)?,
        ))
    } else {
        None
    };
    let files = attachments::list(c, cid, &Subject::Vote(id).to_string())?;
    Ok(PageData {
        files,
        vote,
        electorate,
        my_voter,
        ballots,
        conflicts,
        public,
        receipts,
        paper_by,
        entries,
        objections,
        elevator,
        proxy_for,
        proxies,
    })
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
                text: Bi::new(t.zh.clone(), t.en.clone()),
            })
            .collect(),
        pass: r
            .pass
            .iter()
            .map(|t| view::TestLine {
                met: t.met,
                text: Bi::new(t.zh.clone(), t.en.clone()),
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
                        text: Bi::new(t.zh.clone(), t.en.clone()),
                    })
                    .collect(),
            })
            .collect(),
        tied: r.tied.clone(),
        total_heads: r.total.heads,
        total_area: r.total.area.clone(),
    }
}
