//! Votes: the committee drafts, opens and closes; residents cast and change
//! their ballots; paper ballots are entered by the committee; everyone can
//! read results, download the count and check the ledger.

use super::{checked, day_start, fmt_time, invalid, see_other};
use crate::domain::cost_share;
use crate::domain::vote::{self, Bound, CustomRule, RuleId};
use crate::domain::{Area, Msg};
use crate::error::Error;
use crate::store::communities::Community;
use crate::store::vote_files;
use crate::store::votes::{self, Scope, ScopeKind, Status, Vote, VoteKind};
use crate::store::{attachments, audit, elevator, ledger, now, objections, proxies, roll};
use crate::web::AppState;
use crate::web::ctx::{Committee, Ctx, Member, Visitor};
use crate::web::error::bi;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Bi;
use teahouse_views::forms::Errors;
use teahouse_views::pages::votes as view;

/// The status a person reads: a closed vote is "in publicity" until final.
fn shown_status(v: &Vote) -> &'static str {
    match (v.status, v.final_at) {
        (Status::Closed, Some(_)) => "final",
        (Status::Closed, None) => "publicity",
        (s, _) => s.as_str(),
    }
}

pub fn line(v: &Vote, tz: &str) -> view::VoteLine {
    view::VoteLine {
        id: v.id,
        title: v.title.clone(),
        status: shown_status(v).into(),
        scope: v.scope_label.clone(),
        closes: fmt_time(v.closes_at, tz),
        verdict: v.result.as_ref().map(|r| r.verdict.clone()),
    }
}

/// The votes shown on the board and the list page.
pub async fn lines(
    st: &AppState,
    community_id: i64,
    tz: &str,
    drafts: bool,
) -> Result<Vec<view::VoteLine>, Error> {
    let list = st
        .db
        .read(move |c| votes::list(c, community_id, drafts))
        .await?;
    Ok(list.iter().map(|v| line(v, tz)).collect())
}

pub async fn list(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let chrome = v.ctx.chrome(Some(&v.community));
    let l = lines(&st, v.community.id, &v.community.tz, chrome.is_committee()).await?;
    Ok(view::list_page(&chrome, &v.community.slug, &l).into_response())
}

async fn scope_options(st: &AppState, community_id: i64) -> Result<Vec<(String, String)>, Error> {
    st.db
        .read(move |c| {
            let mut out = vec![(
                "community".to_string(),
                "整个社区/村 Whole community".to_string(),
            )];
            for (id, name) in roll::zones(c, community_id)? {
                out.push((format!("zone:{id}"), name.to_string()));
            }
            let mut last_building = None;
            for row in crate::store::places::buildings_with_units(c, community_id)? {
                let (bid, b) = (row.building_id, row.building);
                if last_building != Some(bid) {
                    out.push((format!("building:{bid}"), format!("{b}栋")));
                    last_building = Some(bid);
                }
                if let Some((uid, u)) = row.unit {
                    out.push((format!("unit:{uid}"), format!("{b}栋{u}单元")));
                }
            }
            Ok(out)
        })
        .await
}

fn rule_options() -> Vec<(String, String)> {
    RuleId::ALL
        .iter()
        .map(|r| {
            let (zh, en) = r.names();
            (r.as_str().to_string(), format!("{zh} / {en}"))
        })
        .collect()
}

fn today_plus(tz: &str, plus_days: i64) -> String {
    let d = super::today(tz);
    d.checked_add(jiff::Span::new().days(plus_days))
        .unwrap_or(d)
        .to_string()
}

/// The new-vote form; `?title=…&explanation=…` prefill it (a deliberation's
/// item "referred to a vote" links here).
pub async fn new_form(
    State(st): State<AppState>,
    com: Committee,
    Query(pre): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, Error> {
    let scopes = scope_options(&st, com.community.id).await?;
    let prefill = |k: &str, max: usize| -> String {
        pre.get(k)
            .map(|s| s.chars().take(max).collect())
            .unwrap_or_default()
    };
    let v = view::NewVoteValues {
        title: prefill("title", 100),
        explanation: prefill("explanation", 5000),
        scope: "community".into(),
        rule: "civil_code_278_special".into(),
        secret: false,
        opens: today_plus(&com.community.tz, 0),
        closes: today_plus(&com.community.tz, 14),
        publicity_days: "15".into(),
        quorum: String::new(),
        quorum_inclusive: true,
        pass: "1/2".into(),
        pass_inclusive: false,
        kind: "decision".into(),
        vote_kind: "general".into(),
        options: String::new(),
        max_choices: "1".into(),
        proposal: pre
            .get("proposal")
            .filter(|p| p.parse::<i64>().is_ok())
            .cloned()
            .unwrap_or_default(),
    };
    let chrome = com.ctx.chrome(Some(&com.community));
    Ok(view::new_form(
        &chrome,
        &com.community.slug,
        &scopes,
        &rule_options(),
        &v,
        &Errors::none(),
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct NewVotePost {
    #[serde(default)]
    title: String,
    /// The proposal this vote was drafted from, if any (a hidden field).
    #[serde(default)]
    proposal: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    rule: String,
    secret: Option<String>,
    #[serde(default)]
    opens: String,
    #[serde(default)]
    closes: String,
    #[serde(default)]
    publicity_days: String,
    #[serde(default)]
    quorum: String,
    quorum_inclusive: Option<String>,
    #[serde(default)]
    pass: String,
    pass_inclusive: Option<String>,
    /// "decision" (agree/disagree/abstain) or "choice" (options A, B, C…).
    #[serde(default)]
    kind: String,
    /// "general" or "elevator" (an elevator retrofit of one unit).
    #[serde(default)]
    vote_kind: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    max_choices: String,
}

fn parse_scope(s: &str) -> Option<Scope> {
    if s == "community" {
        return Some(Scope {
            kind: ScopeKind::Community,
            id: None,
        });
    }
    let (k, id) = s.split_once(':')?;
    Some(Scope {
        kind: ScopeKind::parse(k)?,
        id: Some(id.parse().ok()?),
    })
}

fn validate(f: &NewVotePost, tz: &str, errors: &mut Errors) -> Option<votes::NewVote> {
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        errors.add(
            "title",
            Bi::new(
                "请填写表决事项（最多 100 字）",
                "the question is required (100 characters at most)",
            ),
        );
    }
    if f.explanation.chars().count() > 5000 {
        errors.add(
            "explanation",
            Bi::new(
                "说明最多 5000 字",
                "the explanation may have 5000 characters at most",
            ),
        );
    }
    let scope = parse_scope(&f.scope);
    if scope.is_none() {
        errors.add("scope", Bi::new("请选择范围", "choose a scope"));
    }
    let rule = RuleId::parse(&f.rule);
    if rule.is_none() {
        errors.add("rule", Bi::new("请选择表决规则", "choose a rule"));
    }
    let mut custom = None;
    if matches!(rule, Some(RuleId::Custom) | Some(RuleId::SimpleMajority)) {
        let q = if f.quorum.trim().is_empty() {
            None
        } else {
            Bound::parse(&f.quorum, checked(&f.quorum_inclusive))
                .map_err(|m| errors.add("quorum", bi(&m)))
                .ok()
        };
        let p = if f.pass.trim().is_empty() {
            if rule == Some(RuleId::Custom) && f.kind != "choice" {
                errors.add(
                    "pass",
                    Bi::new(
                        "自定义规则需要同意比例",
                        "a custom rule needs the agreeing share",
                    ),
                );
            }
            None
        } else {
            Bound::parse(&f.pass, checked(&f.pass_inclusive))
                .map_err(|m| errors.add("pass", bi(&m)))
                .ok()
        };
        custom = Some(CustomRule {
            quorum_heads: q,
            pass_heads: p,
            ..Default::default()
        });
    }
    let mut options = None;
    if f.kind == "choice" {
        if !matches!(
            rule,
            None | Some(RuleId::Custom) | Some(RuleId::SimpleMajority)
        ) {
            errors.add(
                "rule",
                Bi::new(
                    "法定规则的表决只能是同意/不同意/弃权；单选或多选请用“简单多数”或“自定义”",
                    "a statutory rule votes agree/disagree/abstain; for options use simple majority or custom",
                ),
            );
        }
        match vote::Options::parse(&f.options, &f.max_choices) {
            Ok(o) => options = Some(o),
            Err(m) if m.en.contains("most options") => errors.add("max_choices", bi(&m)),
            Err(m) => errors.add("options", bi(&m)),
        }
    } else if f.kind != "decision" && !f.kind.is_empty() {
        errors.add(
            "kind",
            Bi::new("请选择选项类型", "choose the kind of options"),
        );
    }
    let vote_kind = match f.vote_kind.trim() {
        "" => Some(VoteKind::General),
        k => VoteKind::parse(k),
    };
    match vote_kind {
        None => errors.add(
            "vote_kind",
            Bi::new("请选择表决类型", "choose the kind of vote"),
        ),
        Some(k) => {
            let owners = rule.is_some_and(|r| r.needs_area());
            if let (Some(s), Some(_)) = (&scope, rule)
                && let Err(m) = elevator::kind_fits(k, s.kind, owners)
            {
                errors.add("vote_kind", bi(&m));
            }
            if k == VoteKind::Elevator && f.kind == "choice" {
                errors.add(
                    "vote_kind",
                    Bi::new(
                        "加装电梯表决是同意 / 不同意 / 弃权，不能在几个方案中选",
                        "an elevator retrofit is voted agree / disagree / abstain, not among options",
                    ),
                );
            }
        }
    }
    let opens = day_start(&f.opens, tz);
    let closes = day_start(&f.closes, tz).map(|t| t + 24 * 3600);
    if opens.is_none() {
        errors.add("opens", Bi::new("请填写开始日期", "give the opening date"));
    }
    match (opens, closes) {
        (_, None) => errors.add("closes", Bi::new("请填写截止日期", "give the closing date")),
        (Some(o), Some(c)) if c <= o => errors.add(
            "closes",
            Bi::new(
                "截止日期不能早于开始日期",
                "the vote cannot close before it opens",
            ),
        ),
        (_, Some(c)) if c <= now() => errors.add(
            "closes",
            Bi::new("截止日期已经过去", "the closing date has passed"),
        ),
        _ => {}
    }
    let days = if f.publicity_days.trim().is_empty() {
        Ok(7)
    } else {
        f.publicity_days.trim().parse::<i64>()
    };
    let days = match days {
        Ok(d) if (0..=60).contains(&d) => d,
        _ => {
            errors.add(
                "publicity_days",
                Bi::new(
                    "公示期应为 0 到 60 天",
                    "the publicity period is 0 to 60 days",
                ),
            );
            0
        }
    };
    if !errors.is_empty() {
        return None;
    }
    Some(votes::NewVote {
        title: title.to_string(),
        explanation: f.explanation.trim().to_string(),
        scope: scope?,
        rule: rule?,
        custom: if rule == Some(RuleId::SimpleMajority)
            && custom
                .as_ref()
                .is_some_and(|c| c.quorum_heads.is_none() && c.pass_heads.is_none())
        {
            None
        } else {
            custom
        },
        secret: checked(&f.secret),
        opens_at: opens?,
        closes_at: closes?,
        publicity_days: days,
        options,
        kind: vote_kind?,
    })
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<NewVotePost>,
) -> Result<Response, Error> {
    let mut errors = Errors::none();
    let cid = com.community.id;
    let slug = com.community.slug.clone();
    let Some(nv) = validate(&f, &com.community.tz, &mut errors) else {
        let scopes = scope_options(&st, cid).await?;
        let v = view::NewVoteValues {
            title: f.title.clone(),
            explanation: f.explanation.clone(),
            scope: f.scope.clone(),
            rule: f.rule.clone(),
            secret: checked(&f.secret),
            opens: f.opens.clone(),
            closes: f.closes.clone(),
            publicity_days: f.publicity_days.clone(),
            quorum: f.quorum.clone(),
            quorum_inclusive: checked(&f.quorum_inclusive),
            pass: f.pass.clone(),
            pass_inclusive: checked(&f.pass_inclusive),
            kind: f.kind.clone(),
            vote_kind: f.vote_kind.clone(),
            options: f.options.clone(),
            max_choices: f.max_choices.clone(),
            proposal: f.proposal.clone(),
        };
        let chrome = com.ctx.chrome(Some(&com.community));
        return Ok(invalid(view::new_form(
            &chrome,
            &slug,
            &scopes,
            &rule_options(),
            &v,
            &errors,
        )));
    };
    let actor = com.ctx.actor();
    let account = com.account.id;
    let proposal = match f.proposal.trim() {
        "" => None,
        p => Some(
            p.parse::<i64>()
                .map_err(|_| Error::Invalid(Msg::new("提案编号无效", "invalid proposal number")))?,
        ),
    };
    let id = st
        .db
        .write(move |tx| {
            let id = votes::create(tx, cid, &nv, account)?;
            if let Some(pid) = proposal {
                let p = crate::store::proposals::get(tx, cid, pid)?;
                crate::store::proposals::link_vote(tx, &p, id, &nv.title, account)?;
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "vote.create",
                &format!("vote:{id}"),
                &nv.title,
            )?;
            Ok(id)
        })
        .await?;
    Ok(see_other(&format!("/c/{slug}/votes/{id}")))
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    done: Option<String>,
}

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

fn choice_bars(r: &crate::domain::vote::Tally) -> Vec<(String, i64, Option<String>)> {
    let mut bars: Vec<(String, i64, Option<String>)> = if r.options.is_empty() {
        vec![
            ("同意 agree".into(), r.agree.heads, r.agree.area.clone()),
            (
                "不同意 disagree".into(),
                r.disagree.heads,
                r.disagree.area.clone(),
            ),
        ]
    } else {
        r.options
            .iter()
            .map(|o| (o.id.clone(), o.chosen.heads, o.chosen.area.clone()))
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
        "弃权 abstain".into(),
        r.abstain.heads,
        r.abstain.area.clone(),
    ));
    bars.push(("未投 not voting".into(), not_voting, not_area));
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
    let data = st
        .db
        .read(move |c| {
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
                Some(votes::export(c, &vote, votes::Form::Recount)?)
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

            let entries = ledger::entries_for(c, cid, &format!("vote:{id}"))?;
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
            let files = attachments::list(c, cid, &format!("vote:{id}"))?;
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
        })
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
                    .or_else(|| b.entered_by.as_ref().map(|e| format!("{e}（纸质 paper）")));
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
    let result = vote.result.as_ref().map(|r| view::ResultView {
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
    });
    let ballot_lines = match public.as_ref().filter(|_| vote.status == Status::Closed) {
        Some(public) => public
            .ballots
            .iter()
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
                    "paper" => "纸质 paper".into(),
                    _ => "网上 online".into(),
                },
                receipt: b.receipt.clone(),
                note: String::new(),
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
        id: vote.id,
        title: vote.title.clone(),
        explanation: vote.explanation.clone(),
        status: shown_status(&vote).into(),
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
        receipts,
        paper_by,
        my_receipt,
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

/// One step on a vote by someone in the community: the vote is loaded
/// inside the write transaction (so a ballot queued behind a close sees the
/// vote closed), then the step and its audit row, then back to the vote page.
/// The step returns the audit detail (never a ballot's choice).
async fn step<F>(
    st: &AppState,
    ctx: &Ctx,
    community: &Community,
    id: i64,
    action: &'static str,
    done: &str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Vote) -> Result<String, Error> + Send + 'static,
{
    super::record_step(
        st,
        ctx,
        community,
        "votes",
        "vote",
        id,
        action,
        done,
        votes::get,
        f,
    )
    .await
}

pub async fn open(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.open",
        "opened",
        |tx, vote| {
            let e = votes::open(tx, vote)?;
            Ok(format!("ledger #{} {}", e.seq, e.hash))
        },
    )
    .await
}

/// A staff account that is not a resident on the roll has no ballot.
fn not_on_roll() -> Error {
    Error::Invalid(Msg::new(
        "您的账户不对应名册上的居民，不能投票",
        "your account is not a resident on the roll, so it has no ballot",
    ))
}

/// A ballot form: `choice` may repeat (multiple-choice checkboxes).
#[derive(Default)]
pub struct BallotPost {
    choice: Vec<String>,
    voter: String,
    keep: String,
}

impl BallotPost {
    fn from_pairs(pairs: Vec<(String, String)>) -> BallotPost {
        let mut f = BallotPost::default();
        for (k, v) in pairs {
            match k.as_str() {
                "choice" => f.choice.push(v),
                "voter" => f.voter = v,
                "keep" => f.keep = v,
                _ => {}
            }
        }
        f
    }

    /// The canonical ballot text for this vote, or what is wrong with it.
    fn pick(&self, vote: &votes::Vote) -> Result<String, Error> {
        let chosen: Vec<&str> = self.choice.iter().map(String::as_str).collect();
        vote.pick(&chosen).map_err(Error::Invalid)
    }
}

pub async fn cast(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    let resident = m.account.resident_id.ok_or_else(not_on_roll)?;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "vote.ballot",
        "cast#h-cast",
        move |tx, vote| {
            let voter = votes::voter_for(tx, id, resident)?.ok_or(Error::Forbidden)?;
            let choice = f.pick(vote)?;
            votes::cast(tx, vote, &voter, "online", &choice, Some(resident), None)?;
            // The audit log never records a choice: secret means secret.
            Ok("online".into())
        },
    )
    .await
}

pub async fn paper(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    let account = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.paper",
        "paper",
        move |tx, vote| {
            let choice = f.pick(vote)?;
            votes::cast(tx, vote, &f.voter, "paper", &choice, None, Some(account)).map_err(
                |e| match e {
                    Error::Forbidden => Error::Invalid(Msg::new(
                        "这位选民不在名单中",
                        "that voter is not in the electorate",
                    )),
                    e => e,
                },
            )?;
            // A secret vote's audit row names no voter: it would link a
            // person to the time of a ballot.
            Ok(if vote.secret { "paper".into() } else { f.voter })
        },
    )
    .await
}

pub async fn resolve(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    if !matches!(f.keep.as_str(), "online" | "paper") {
        return Err(Error::Invalid(Msg::new(
            "请选择保留哪一张选票",
            "choose which ballot to keep",
        )));
    }
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.conflict_resolved",
        "resolved",
        move |tx, _| {
            votes::resolve(tx, id, &f.voter, &f.keep)?;
            Ok(format!("{}: kept {}", f.voter, f.keep))
        },
    )
    .await
}

pub async fn close(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(&st, &com.ctx, &com.community, id, "vote.close", "closed", move |tx, vote| {
        if now() < vote.closes_at {
            let (n, voted) = vote_files::participation(tx, id)?;
            if voted < n {
                return Err(Error::Conflict(Msg::new(
                    format!("还没到截止时间，且还有 {} 位选民没有投票，不能提前结束", n - voted),
                    format!(
                        "the vote has not reached its closing time and {} voters have not voted; it cannot close early",
                        n - voted
                    ),
                )));
            }
        }
        let (t, e) = votes::close(tx, vote)?;
        Ok(format!("{} · ledger #{}", t.verdict, e.seq))
    })
    .await
}

/// Closes every vote whose closing time has passed (run periodically).
pub async fn close_due(st: &AppState) -> Result<usize, Error> {
    let due: Vec<(i64, i64)> = st.db.read(|c| vote_files::due(c, now())).await?;
    let mut n = 0;
    for (cid, id) in due {
        let res = st
            .db
            .write(move |tx| {
                let vote = votes::get(tx, cid, id)?;
                if vote.status != Status::Open {
                    return Ok(());
                }
                let (t, e) = votes::close(tx, &vote)?;
                audit::record(
                    tx,
                    &crate::store::audit::Actor::system("clock"),
                    Some(cid),
                    "vote.close",
                    &format!("vote:{id}"),
                    &format!("{} · ledger #{}", t.verdict, e.seq),
                )
            })
            .await;
        match res {
            Ok(()) => n += 1,
            // Unresolved conflicts keep a vote open until the committee acts.
            Err(e) => tracing::warn!(vote = id, error = %e, "vote not closed automatically"),
        }
    }
    Ok(n)
}

#[derive(Deserialize)]
pub struct TextPost {
    #[serde(default)]
    text: String,
}

pub async fn object(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<TextPost>,
) -> Result<Response, Error> {
    let (account, author) = (m.account.id, m.account.display_name.clone());
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "vote.objection",
        "objected#h-objections",
        move |tx, vote| {
            let e = objections::lodge(tx, vote, account, &author, &f.text)?;
            Ok(format!("ledger #{}", e.seq))
        },
    )
    .await
}

pub async fn answer(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, objection)): Path<(String, i64, i64)>,
    Form(f): Form<TextPost>,
) -> Result<Response, Error> {
    let account = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.answer",
        "answered#h-objections",
        move |tx, vote| {
            let e = objections::answer(tx, vote, objection, account, &f.text)?;
            Ok(format!("objection {objection} · ledger #{}", e.seq))
        },
    )
    .await
}

pub async fn finalize(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.final",
        "final",
        |tx, vote| {
            let e = objections::finalize(tx, vote)?;
            Ok(format!("ledger #{}", e.seq))
        },
    )
    .await
}

/// The A4 notice of a closed vote for the paper board.
pub async fn notice_page(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (vote, entries, head) = st
        .db
        .read(move |c| {
            let vote = votes::get(c, cid, id)?;
            Ok((
                vote,
                ledger::entries_for(c, cid, &format!("vote:{id}"))?,
                ledger::head(c, cid)?,
            ))
        })
        .await?;
    let Some(r) = vote.result.as_ref() else {
        return Err(Error::NotFound);
    };
    let tz = &v.community.tz;
    let fig = |f: &crate::domain::vote::Figures| match &f.area {
        Some(a) => format!("{} 人 · {a} ㎡", f.heads),
        None => format!("{} 人", f.heads),
    };
    let (rz, re) = vote.rule.names();
    let view = view::NoticeView {
        community: v.community.name.clone(),
        title: vote.title.clone(),
        scope: vote.scope_label.clone(),
        rule: Bi::new(rz, re),
        period: format!(
            "{} — {}",
            fmt_time(vote.opens_at, tz),
            fmt_time(vote.closes_at, tz)
        ),
        verdict: r.verdict.clone(),
        tests: r
            .quorum
            .iter()
            .chain(r.pass.iter())
            .map(|t| view::TestLine {
                met: t.met,
                text: Bi::new(t.zh.clone(), t.en.clone()),
            })
            .collect(),
        figures: if r.options.is_empty() {
            vec![
                ("应参加 Electorate".into(), fig(&r.total)),
                ("参加 Took part".into(), fig(&r.participating)),
                ("同意 Agree".into(), fig(&r.agree)),
                ("不同意 Disagree".into(), fig(&r.disagree)),
                ("弃权 Abstain".into(), fig(&r.abstain)),
            ]
        } else {
            let mut f = vec![
                ("应参加 Electorate".into(), fig(&r.total)),
                ("参加 Took part".into(), fig(&r.participating)),
            ];
            for o in &r.options {
                f.push((
                    format!("{} {}", o.id, o.label),
                    format!(
                        "{}{}",
                        fig(&o.chosen),
                        if o.adopted { " · 采纳 adopted" } else { "" }
                    ),
                ));
            }
            f.push(("弃权 Abstain".into(), fig(&r.abstain)));
            f
        },
        publicity_until: objections::publicity_end(&vote).map(|t| fmt_time(t, tz)),
        is_final: vote.final_at.is_some(),
        url: format!("{}/c/{}/votes/{id}", v.ctx.0.origin, v.community.slug),
        entry: entries
            .iter()
            .find(|e| e.kind == "vote.closed")
            .map(|e| (e.seq, e.hash.clone())),
        head,
        printed: fmt_time(now(), tz),
    };
    Ok(view::notice_page(&v.ctx.chrome(Some(&v.community)), &view).into_response())
}

#[derive(Deserialize)]
pub struct PlanPost {
    #[serde(default)]
    total: String,
    #[serde(default)]
    coefficients: String,
}

pub async fn set_plan(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<PlanPost>,
) -> Result<Response, Error> {
    let total = cost_share::parse_hundredths(&f.total).ok_or_else(|| {
        Error::Invalid(Msg::new(
            format!("总造价“{}”不是有效金额", f.total),
            format!("total \"{}\" is not an amount", f.total),
        ))
    })?;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.elevator_plan",
        "plan#h-elevator",
        move |tx, vote| {
            elevator::set_plan(tx, vote, total, &f.coefficients)?;
            Ok(format!(
                "{} yuan; {}",
                cost_share::yuan(total),
                f.coefficients.trim()
            ))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct AffectedPost {
    #[serde(default)]
    dwelling: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    note: String,
}

pub async fn set_affected(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<AffectedPost>,
) -> Result<Response, Error> {
    let consent = match f.consent.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.affected",
        "affected#h-elevator",
        move |tx, vote| {
            let label = elevator::set_affected(tx, vote, &f.dwelling, consent, &f.note, by)?;
            let said = match consent {
                Some(true) => "consents",
                Some(false) => "refuses",
                None => "pending",
            };
            Ok(format!("{label}: {said}"))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct ProxyPost {
    #[serde(default)]
    voter: String,
    #[serde(default)]
    proxy: String,
    #[serde(default)]
    authorization: String,
    #[serde(default)]
    expires: String,
}

pub async fn authorize_proxy(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<ProxyPost>,
) -> Result<Response, Error> {
    let expires = day_start(&f.expires, &com.community.tz)
        .map(|t| t + 24 * 3600)
        .ok_or_else(|| {
            Error::Invalid(Msg::new(
                "请填写委托的有效期",
                "give the authorization's expiry date",
            ))
        })?;
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.proxy",
        "proxy",
        move |tx, vote| {
            let name =
                proxies::authorize(tx, vote, &f.voter, &f.proxy, &f.authorization, expires, by)?;
            Ok(format!("{} → {name} ({})", f.voter, f.authorization.trim()))
        },
    )
    .await
}

pub async fn proxy_ballot(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    let resident = m.account.resident_id.ok_or_else(not_on_roll)?;
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "vote.ballot",
        "cast#h-cast",
        move |tx, vote| {
            let choice = f.pick(vote)?;
            proxies::cast(tx, vote, &f.voter, resident, &choice)?;
            Ok(if vote.secret {
                "proxy".into()
            } else {
                format!("proxy for {}", f.voter)
            })
        },
    )
    .await
}

/// Attaches plan documents or images to a draft vote (one transaction for
/// all files of the form; nothing is stored if one is refused).
pub async fn attach(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    mp: axum::extract::Multipart,
) -> Result<Response, Error> {
    let files = super::files::read(mp).await?.uploads("file")?;
    if files.is_empty() {
        return Err(Error::Invalid(Msg::new("请选择文件", "choose a file")));
    }
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.attach",
        "attached#h-files",
        move |tx, vote| {
            draft_only(tx, vote)?;
            let mut names = Vec::new();
            for f in &files {
                attachments::add(tx, vote.community_id, &format!("vote:{}", vote.id), f, by)?;
                names.push(f.name.clone());
            }
            Ok(names.join(", "))
        },
    )
    .await
}

pub async fn detach(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, file)): Path<(String, i64, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.detach",
        "detached#h-files",
        move |tx, vote| {
            draft_only(tx, vote)?;
            attachments::remove(tx, vote.community_id, &format!("vote:{}", vote.id), file)
        },
    )
    .await
}

/// Attachments are part of what opens: after that they are frozen.
fn draft_only(tx: &rusqlite::Transaction, vote: &Vote) -> Result<(), Error> {
    if votes::get(tx, vote.community_id, vote.id)?.status != Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "表决开始后附件不能再改动（附件的哈希已记入公开记录）",
            "attachments cannot change once the vote is open (their hashes are in the ledger)",
        )));
    }
    Ok(())
}
