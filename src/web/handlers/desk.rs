//! The desks: the committee's (工作台) lists what waits on it — proposals to
//! review, queries and questions to answer, objections, overdue follow-up
//! actions, votes about to close; the supervision committee's (监督台) what
//! awaits its review or verdict, what is overdue, what the committee still
//! owes, activation and reset requests, and a one-click check of the ledger
//! with the result explained. Each list is a count and its first few lines.

use super::disclosures::category_lines;
use super::fmt_time;
use crate::error::Error;
use crate::store::accounts::Reset;
use crate::store::codes::Reissue;
use crate::store::desk::{self as waits, CommitteeWaits, Item, SupervisorWaits, Waiting};
use crate::store::disclosures::{self as store, Status};
use crate::store::ledger;
use crate::web::AppState;
use crate::web::client_ip::same_network;
use crate::web::ctx::Overseer;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::pages::desk::{WaitGroup, WaitLine, WaitList};
use teahouse_views::pages::disclosures as view;
use teahouse_views::{Chrome, Msg};

/// Votes closing within this many seconds are on the committee's desk.
const CLOSING_SOON: i64 = 3 * 24 * 3600;

#[derive(Deserialize, Default)]
pub struct DeskQuery {
    #[serde(default)]
    verify: String,
}

/// The flag for a code used from the network its issuer issued it from.
fn issuer_address(committee: &str) -> Msg {
    Msg::new(
        format!("使用地址与发码的{committee}成员发码时的地址相同"),
        "used from the address the committee member issued it from",
    )
}

/// What the desk reads for every overseer of the community, in one trip
/// to a reader, kept until the next commit (and at most
/// [`crate::store::cache::MAX_AGE`]: the overdue and closing-soon lists
/// move with the clock).
struct Reads {
    resets: Vec<crate::store::accounts::Reset>,
    reissues: Vec<crate::store::codes::Reissue>,
    activations: Vec<crate::store::codes::Activation>,
    committee_ips: Vec<String>,
    awaiting: (Vec<store::Line>, i64),
    queried: (Vec<store::Line>, i64),
    cadences: Vec<(
        crate::domain::disclosure::Category,
        crate::domain::disclosure::Cadence,
    )>,
    published: std::collections::HashMap<
        crate::domain::disclosure::Category,
        Vec<crate::domain::disclosure::Period>,
    >,
    committee: CommitteeWaits,
    supervisors: SupervisorWaits,
}

fn read(c: &rusqlite::Connection, cid: i64, today: &str) -> Result<Reads, Error> {
    Ok(Reads {
        resets: crate::store::accounts::recent_resets(c, cid, 30)?,
        reissues: crate::store::codes::recent_reissues(c, cid, 30)?,
        activations: crate::store::codes::recent_activations(c, cid, 50)?,
        committee_ips: crate::store::codes::committee_addresses(c, cid)?,
        awaiting: waits::disclosures_in(c, cid, Status::Review)?,
        queried: waits::disclosures_in(c, cid, Status::Queried)?,
        cadences: store::cadences(c, cid)?,
        published: store::published_periods(c, cid)?,
        committee: waits::committee(c, cid, today, crate::store::now() + CLOSING_SOON)?,
        supervisors: waits::supervisors(c, cid, today)?,
    })
}

/// The ledger checked when asked (`?verify=1`), with its head.
type Checked = (crate::store::anchor::verify::Report, Option<(i64, String)>);

fn disclosure_line(l: &store::Line) -> view::Line {
    let (cz, ce) = l.category.names();
    let (pz, pe) = l.period.words();
    view::Line {
        id: l.id,
        category: Msg::new(cz, ce),
        period: Msg::new(pz, pe),
        title: l.title.clone(),
        status: super::disclosures::stage(l.status),
        rev: l.rev,
        open_threads: l.open_threads,
    }
}

pub async fn show(
    State(st): State<AppState>,
    o: Overseer,
    Query(q): Query<DeskQuery>,
) -> Result<Response, Error> {
    let cid = o.community.id;
    let slug = o.community.slug.clone();
    let verify = q.verify == "1";
    let s2 = slug.clone();
    let tz = o.community.tz.clone();
    let today = super::today(&tz);
    let today_s = today.to_string();
    let r = st
        .db
        .read_shared("desk", cid, move |c| read(c, cid, &today_s))
        .await?;
    let checked: Option<Checked> = match verify {
        true => Some(
            st.db
                .read(move |c| {
                    let report = crate::store::anchor::verify::verify_community(c, cid, s2)?;
                    Ok((report, ledger::head(c, cid)?))
                })
                .await?,
        ),
        false => None,
    };
    let chrome = o.ctx.chrome(Some(&o.community));
    let dv = view::DeskView {
        groups: groups(&chrome, &slug, &tz, &r.committee, &r.supervisors),
        resets: reset_lines(&r.resets, &r.reissues, &tz, chrome.committee_zh()),
        activations: activation_lines(&r.activations, &r.committee_ips, &tz, chrome.committee_zh()),
        awaiting: (
            r.awaiting.0.iter().map(disclosure_line).collect(),
            r.awaiting.1,
        ),
        waiting_committee: (
            r.queried.0.iter().map(disclosure_line).collect(),
            r.queried.1,
        ),
        overdue: category_lines(&r.cadences, &r.published, today)
            .into_iter()
            .filter(|c| !c.overdue.is_empty())
            .collect(),
        verify: checked.as_ref().map(|(rep, head)| verify_view(rep, head)),
    };
    Ok(view::desk_page(&chrome, &slug, &dv).into_response())
}

/// The ledger check explained, in both languages.
fn verify_view(
    r: &crate::store::anchor::verify::Report,
    head: &Option<(i64, String)>,
) -> view::VerifyView {
    match &r.broken {
        None => view::VerifyView {
            ok: true,
            entries: r.entries,
            head: head.as_ref().map(|(_, h)| h.clone()),
            explanation: Msg::new(
                format!(
                    "核验通过：{} 条记录环环相扣，没有一条被改动；每项已公开的内容、签署、答复和表决结果都与记录一致。可以把最新哈希与公开栏上打印的哈希对照。",
                    r.entries
                ),
                format!(
                    "Verified: {} entries, each linked to the one before and none altered; every published disclosure, sign-off, answer and vote result still matches its entry. Compare the head hash with the one printed on the paper notices.",
                    r.entries
                ),
            ),
        },
        Some(_) => view::VerifyView {
            ok: false,
            entries: r.entries,
            head: head.as_ref().map(|(_, h)| h.clone()),
            explanation: Msg::new(
                format!(
                    "核验未通过（共 {} 处）：{}。这说明数据库里的内容在记录之后被改动过（或记录本身被改动）。请保存本页，向乡镇（街道）报告，并用打印的公告和下载的记录文件对照。",
                    r.problems,
                    r.all
                        .iter()
                        .take(5)
                        .map(|p| p.zh.as_str())
                        .collect::<Vec<_>>()
                        .join("；")
                ),
                format!(
                    "Verification FAILED ({} problem(s)): {}. Something in the database changed after it was recorded (or the record itself was changed). Keep this page, report it to the township (street) office, and compare with the printed notices and a downloaded ledger file.",
                    r.problems,
                    r.all
                        .iter()
                        .take(5)
                        .map(|p| p.en.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ),
        },
    }
}

/// Password resets and re-issued codes in one list, newest first (30 at most).
fn reset_lines(
    resets: &[Reset],
    reissues: &[Reissue],
    tz: &str,
    committee: &str,
) -> Vec<view::ResetLine> {
    let mut reset_lines: Vec<(i64, view::ResetLine)> = resets
        .iter()
        .map(|r| (r.at, reset_line(r, tz, committee)))
        .collect();
    reset_lines.extend(reissues.iter().map(|k| (k.at, reissue_line(k, tz))));
    reset_lines.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    reset_lines.into_iter().take(30).map(|(_, l)| l).collect()
}

/// A password reset, flagged when used from the issuer's network or
/// acknowledged from the reset's.
fn reset_line(r: &Reset, tz: &str, committee: &str) -> view::ResetLine {
    let (zh, en) = r.by.words();
    let mut flags = Vec::new();
    if let (Some(u), Some(i)) = (&r.used_ip, &r.issued_ip)
        && same_network(u, i)
    {
        flags.push(issuer_address(committee));
    }
    let acknowledged = Some(acknowledged(r, tz, &mut flags));
    view::ResetLine {
        at: fmt_time(r.at, tz),
        what: Msg::new(
            format!("密码被重置（{zh}）"),
            format!("password reset ({en})"),
        ),
        by: format!("{} ({})", r.by_name, r.by_login),
        account: format!("{} ({})", r.account_name, r.account_login),
        reason: r.reason.clone(),
        acknowledged,
        flags,
    }
}

/// Whether, when, how and from where the account's holder acknowledged the
/// reset's notice; flags an acknowledgement from the reset's own network.
fn acknowledged(r: &Reset, tz: &str, flags: &mut Vec<Msg>) -> Msg {
    let Some(s) = &r.seen else {
        return Msg::new("未确认", "not acknowledged");
    };
    let at = fmt_time(s.at, tz);
    let ip = s.ip.clone().unwrap_or_else(|| "-".into());
    if let (Some(seen), Some(used)) = (&s.ip, &r.used_ip)
        && same_network(seen, used)
    {
        flags.push(Msg::new(
            "确认通知的地址与重置时的地址相同",
            "acknowledged from the address the reset came from",
        ));
    }
    match s.kind {
        Some(crate::store::sessions::Kind::Login) => Msg::new(
            format!("已确认 {at}，用密码登录的会话，地址 {ip}"),
            format!("acknowledged {at}, in a password login session, from {ip}"),
        ),
        Some(crate::store::sessions::Kind::Code) => Msg::new(
            format!("已确认 {at}，用激活码进入的会话，地址 {ip}"),
            format!("acknowledged {at}, in a session opened by a code, from {ip}"),
        ),
        None => Msg::new(
            format!("已确认 {at}（未记录会话类型）"),
            format!("acknowledged {at} (kind of session not recorded)"),
        ),
    }
}

/// A code re-issued for a resident who has an account, with its state.
fn reissue_line(k: &Reissue, tz: &str) -> view::ResetLine {
    let state = if k.used_at.is_some() {
        Msg::new("已使用", "used")
    } else if k.revoked_at.is_some() {
        Msg::new("已作废", "replaced")
    } else if k.expires_at <= crate::store::now() {
        Msg::new("已过期", "expired")
    } else {
        Msg::new("未使用", "not used yet")
    };
    view::ResetLine {
        at: fmt_time(k.at, tz),
        what: Msg::new(
            format!("给已有账户的居民发激活码（{}）", state.zh),
            format!("code issued for an existing account ({})", state.en),
        ),
        by: format!("{} ({})", k.by_name, k.by_login),
        account: format!("{} ({})", k.resident_name, k.account_login),
        reason: k.reason.clone(),
        acknowledged: None,
        flags: Vec::new(),
    }
}

/// First activations, each flagged when used from a committee address.
fn activation_lines(
    activations: &[crate::store::codes::Activation],
    committee_ips: &[String],
    tz: &str,
    committee: &str,
) -> Vec<view::ActivationLine> {
    activations
        .iter()
        .map(|a| {
            let used_ip = a.used_ip.clone().unwrap_or_default();
            let mut flags = Vec::new();
            if a.issued_ip
                .as_deref()
                .is_some_and(|i| same_network(&used_ip, i))
            {
                flags.push(issuer_address(committee));
            } else if committee_ips.iter().any(|i| same_network(&used_ip, i)) {
                flags.push(Msg::new(
                    format!("{committee}成员用过的地址"),
                    "an address committee members have used",
                ));
            }
            view::ActivationLine {
                account: match &a.account_login {
                    Some(l) => format!("{} ({l})", a.resident_name),
                    None => a.resident_name.clone(),
                },
                by: format!("{} ({})", a.by_name, a.by_login),
                issued: fmt_time(a.issued_at, tz),
                used: fmt_time(a.used_at, tz),
                used_ip: if used_ip.is_empty() {
                    "-".into()
                } else {
                    used_ip
                },
                flags,
            }
        })
        .collect()
}

/// A list of the desk from the store's count and first lines; `href` links
/// an item, `detail` says who and when.
fn list(
    id: &'static str,
    heading: Msg,
    w: &Waiting,
    empty: Msg,
    all: Option<(String, Msg)>,
    line: impl Fn(&Item) -> (String, Msg),
) -> WaitList {
    WaitList {
        id,
        heading,
        count: w.count,
        lines: w
            .first
            .iter()
            .map(|i| {
                let (href, detail) = line(i);
                WaitLine {
                    href,
                    title: i.title.clone(),
                    detail,
                    text: i.text.clone(),
                }
            })
            .collect(),
        empty,
        all,
    }
}

/// "who · when" for an item written by someone.
fn written(i: &Item, tz: &str) -> Msg {
    let at = i.at.map(|t| fmt_time(t, tz)).unwrap_or_default();
    Msg::new(format!("{} · {at}", i.who), format!("{} · {at}", i.who))
}

/// The lists of what the committee owes: answers to queries, questions
/// and objections (on both desks: the supervisors watch them too).
fn owed(slug: &str, tz: &str, w: &CommitteeWaits) -> Vec<WaitList> {
    let thread = |i: &Item| {
        (
            format!("/c/{slug}/disclosures/{}#h-threads", i.id),
            written(i, tz),
        )
    };
    vec![
        list(
            "w-queries",
            Msg::new("待答复的监督委员会质询", "Supervisors' queries to answer"),
            &w.queries,
            Msg::new("没有待答复的质询。", "No query is waiting for an answer."),
            None,
            thread,
        ),
        list(
            "w-questions",
            Msg::new("待答复的居民提问", "Residents' questions to answer"),
            &w.questions,
            Msg::new(
                "没有待答复的居民提问。",
                "No resident's question is waiting for an answer.",
            ),
            None,
            thread,
        ),
        list(
            "w-objections",
            Msg::new(
                "待答复的表决结果异议",
                "Objections to vote results to answer",
            ),
            &w.objections,
            Msg::new(
                "没有待答复的异议。",
                "No objection is waiting for an answer.",
            ),
            None,
            |i| {
                (
                    format!("/c/{slug}/votes/{}#h-objections", i.id),
                    written(i, tz),
                )
            },
        ),
    ]
}

/// Follow-up actions past their due date, linked to their meeting.
fn overdue_actions(slug: &str, w: &Waiting) -> WaitList {
    list(
        "w-actions",
        Msg::new("逾期未办结的跟进事项", "Follow-up actions overdue"),
        w,
        Msg::new("没有逾期的跟进事项。", "No follow-up action is overdue."),
        Some((
            format!("/c/{slug}/actions"),
            Msg::new("全部跟进事项", "All follow-up actions"),
        )),
        |i| {
            (
                format!("/c/{slug}/deliberations/{}", i.id),
                Msg::new(
                    format!("{} · 应于 {} 前办结", i.who, i.due),
                    format!("{} · due {}", i.who, i.due),
                ),
            )
        },
    )
}

/// The groups of lists for the reader: the committee's, or the supervisors'
/// (theirs, then what they wait for from the committee). Someone in both
/// roles sees both.
fn groups(
    c: &Chrome,
    slug: &str,
    tz: &str,
    cw: &CommitteeWaits,
    sw: &SupervisorWaits,
) -> Vec<WaitGroup> {
    let mut out = Vec::new();
    if c.is_committee() {
        out.push(committee_group(slug, tz, cw));
    }
    if c.is_supervisor() {
        out.push(supervisor_group(slug, tz, sw));
        if !c.is_committee() {
            out.push(WaitGroup {
                id: "w-owed",
                heading: Msg::new(
                    format!("等待{}答复", c.committee()),
                    format!("Waiting for {}", c.committee()),
                ),
                lists: owed(slug, tz, cw),
            });
        }
    }
    out
}

/// The committee's own lists: proposals to review, what it owes, overdue
/// actions, votes about to close.
fn committee_group(slug: &str, tz: &str, cw: &CommitteeWaits) -> WaitGroup {
    let mut lists = vec![list(
        "w-proposals",
        Msg::new("待审议的提案", "Proposals to review"),
        &cw.proposals,
        Msg::new("没有待审议的提案。", "No proposal is waiting for review."),
        Some((
            format!("/c/{slug}/proposals?status=review"),
            Msg::new("全部待审议的提案", "All proposals to review"),
        )),
        |i| (format!("/c/{slug}/proposals/{}", i.id), written(i, tz)),
    )];
    lists.extend(owed(slug, tz, cw));
    lists.push(overdue_actions(slug, &cw.overdue_actions));
    lists.push(list(
        "w-votes",
        Msg::new("即将截止的表决", "Votes about to close"),
        &cw.votes_closing,
        Msg::new(
            "三天内没有要截止的表决。",
            "No vote closes in the next three days.",
        ),
        Some((
            format!("/c/{slug}/votes"),
            Msg::new("全部表决", "All votes"),
        )),
        |i| {
            let at = i.at.map(|t| fmt_time(t, tz)).unwrap_or_default();
            (
                format!("/c/{slug}/votes/{}", i.id),
                Msg::new(
                    format!("{} · {at} 截止", i.who),
                    format!("{} · closes {at}", i.who),
                ),
            )
        },
    ));
    WaitGroup {
        id: "w-committee",
        heading: Msg::new("待办", "Waiting for you"),
        lists,
    }
}

/// The supervisors' own lists: answers waiting for their verdict, overdue
/// actions.
fn supervisor_group(slug: &str, tz: &str, sw: &SupervisorWaits) -> WaitGroup {
    WaitGroup {
        id: "w-supervisors",
        heading: Msg::new("待监督委员会处理", "Waiting for the supervisors"),
        lists: vec![
            list(
                "w-verdicts",
                Msg::new("待认可的答复", "Answers waiting for your verdict"),
                &sw.answers,
                Msg::new(
                    "没有等待认可的答复。",
                    "No answer is waiting for a verdict.",
                ),
                None,
                |i| {
                    (
                        format!("/c/{slug}/disclosures/{}#h-threads", i.id),
                        written(i, tz),
                    )
                },
            ),
            overdue_actions(slug, &sw.overdue_actions),
        ],
    }
}
