//! The oversight desk of the supervision committee (监督委员会): what awaits
//! its review, what is overdue, what is unanswered, and a one-click check of
//! the ledger with the result explained.

use super::disclosures::category_lines;
use super::fmt_time;
use crate::error::Error;
use crate::store::disclosures::{self as store, Filter, Status};
use crate::store::{ledger, objections};
use crate::web::AppState;
use crate::web::client_ip::same_network;
use crate::web::ctx::Overseer;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Bi;
use teahouse_views::pages::disclosures as view;

#[derive(Deserialize, Default)]
pub struct DeskQuery {
    #[serde(default)]
    verify: String,
}

/// The flag for a code used from the network its issuer issued it from.
fn issuer_address() -> Bi {
    Bi::new(
        "使用地址与发码的居委会/村委会成员发码时的地址相同",
        "used from the address the committee member issued it from",
    )
}

fn excerpt(s: &str) -> String {
    let mut t: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        t.push('…');
    }
    t
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
    let (resets, reissues, activations, committee_ips) = st
        .db
        .read(move |c| {
            Ok((
                crate::store::accounts::recent_resets(c, cid, 30)?,
                crate::store::codes::recent_reissues(c, cid, 30)?,
                crate::store::codes::recent_activations(c, cid, 50)?,
                crate::store::codes::committee_addresses(c, cid)?,
            ))
        })
        .await?;
    let (lines, cadences, published, threads, objs, report, head) = st
        .db
        .read(move |c| {
            let lines = store::list(
                c,
                cid,
                &Filter {
                    category: None,
                    year: None,
                    q: String::new(),
                    staff: true,
                },
            )?;
            let report = if verify {
                Some(crate::store::anchor::verify::verify_community(c, cid, s2)?)
            } else {
                None
            };
            Ok((
                lines,
                store::cadences(c, cid)?,
                store::published_periods(c, cid)?,
                store::unanswered(c, cid)?,
                objections::unanswered(c, cid)?,
                report,
                ledger::head(c, cid)?,
            ))
        })
        .await?;
    let tz = &o.community.tz;
    let today = super::today(tz);
    let to_view = |l: &store::Line| view::Line {
        id: l.id,
        category: {
            let (z, e) = l.category.names();
            Bi::new(z, e)
        },
        period: {
            let (z, e) = l.period.words();
            Bi::new(z, e)
        },
        title: l.title.clone(),
        status: super::disclosures::stage(l.status),
        rev: l.rev,
        open_threads: l.open_threads,
    };
    let mut unanswered: Vec<(String, String, Bi, String, String, String)> = threads
        .iter()
        .map(|(id, title, t)| {
            (
                format!("/c/{slug}/disclosures/{id}#h-threads"),
                title.clone(),
                if t.kind == crate::domain::disclosure::ThreadKind::Query {
                    Bi::new("监督委员会质询", "supervisors' query")
                } else {
                    Bi::new("居民提问", "resident's question")
                },
                t.author.clone(),
                fmt_time(t.asked_at, tz),
                excerpt(&t.text),
            )
        })
        .collect();
    unanswered.extend(objs.iter().map(|(vid, title, ob)| {
        (
            format!("/c/{slug}/votes/{vid}#h-objections"),
            title.clone(),
            Bi::new("表决结果异议", "objection to a vote result"),
            ob.author.clone(),
            fmt_time(ob.created_at, tz),
            excerpt(&ob.text),
        )
    }));
    let verify = report.map(|r| match &r.broken {
        None => view::VerifyView {
            ok: true,
            entries: r.entries,
            head: head.as_ref().map(|(_, h)| h.clone()),
            explanation: Bi::new(
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
            explanation: Bi::new(
                format!(
                    "核验未通过（共 {} 处）：{}。这说明数据库里的内容在记录之后被改动过（或记录本身被改动）。请保存本页，向乡镇（街道）报告，并用打印的公告和下载的记录文件对照。",
                    r.problems,
                    r.all.iter().take(5).map(|p| p.zh.as_str()).collect::<Vec<_>>().join("；")
                ),
                format!(
                    "Verification FAILED ({} problem(s)): {}. Something in the database changed after it was recorded (or the record itself was changed). Keep this page, report it to the township (street) office, and compare with the printed notices and a downloaded ledger file.",
                    r.problems,
                    r.all.iter().take(5).map(|p| p.en.as_str()).collect::<Vec<_>>().join("; ")
                ),
            ),
        },
    });
    // Resets and re-issued codes in one list, newest first.
    let mut reset_lines: Vec<(i64, view::ResetLine)> = resets
        .iter()
        .map(|r| {
            let (zh, en) = r.by.words();
            let mut flags = Vec::new();
            if let (Some(u), Some(i)) = (&r.used_ip, &r.issued_ip)
                && same_network(u, i)
            {
                flags.push(issuer_address());
            }
            let acknowledged = Some(match &r.seen {
                None => Bi::new("未确认", "not acknowledged"),
                Some(s) => {
                    let at = fmt_time(s.at, tz);
                    let ip = s.ip.clone().unwrap_or_else(|| "-".into());
                    if let (Some(seen), Some(used)) = (&s.ip, &r.used_ip)
                        && same_network(seen, used)
                    {
                        flags.push(Bi::new(
                            "确认通知的地址与重置时的地址相同",
                            "acknowledged from the address the reset came from",
                        ));
                    }
                    match s.kind {
                        Some(crate::store::sessions::Kind::Login) => Bi::new(
                            format!("已确认 {at}，用密码登录的会话，地址 {ip}"),
                            format!("acknowledged {at}, in a password login session, from {ip}"),
                        ),
                        Some(crate::store::sessions::Kind::Code) => Bi::new(
                            format!("已确认 {at}，用激活码进入的会话，地址 {ip}"),
                            format!("acknowledged {at}, in a session opened by a code, from {ip}"),
                        ),
                        None => Bi::new(
                            format!("已确认 {at}（未记录会话类型）"),
                            format!("acknowledged {at} (kind of session not recorded)"),
                        ),
                    }
                }
            });
            (
                r.at,
                view::ResetLine {
                    at: fmt_time(r.at, tz),
                    what: Bi::new(
                        format!("密码被重置（{zh}）"),
                        format!("password reset ({en})"),
                    ),
                    by: format!("{} ({})", r.by_name, r.by_login),
                    account: format!("{} ({})", r.account_name, r.account_login),
                    reason: r.reason.clone(),
                    acknowledged,
                    flags,
                },
            )
        })
        .collect();
    reset_lines.extend(reissues.iter().map(|k| {
        let state = if k.used_at.is_some() {
            Bi::new("已使用", "used")
        } else if k.revoked_at.is_some() {
            Bi::new("已作废", "replaced")
        } else if k.expires_at <= crate::store::now() {
            Bi::new("已过期", "expired")
        } else {
            Bi::new("未使用", "not used yet")
        };
        (
            k.at,
            view::ResetLine {
                at: fmt_time(k.at, tz),
                what: Bi::new(
                    format!("给已有账户的居民发激活码（{}）", state.zh),
                    format!("code issued for an existing account ({})", state.en),
                ),
                by: format!("{} ({})", k.by_name, k.by_login),
                account: format!("{} ({})", k.resident_name, k.account_login),
                reason: k.reason.clone(),
                acknowledged: None,
                flags: Vec::new(),
            },
        )
    }));
    let activations = activations
        .iter()
        .map(|a| {
            let used_ip = a.used_ip.clone().unwrap_or_default();
            let mut flags = Vec::new();
            if a.issued_ip
                .as_deref()
                .is_some_and(|i| same_network(&used_ip, i))
            {
                flags.push(issuer_address());
            } else if committee_ips.iter().any(|i| same_network(&used_ip, i)) {
                flags.push(Bi::new(
                    "居委会/村委会成员用过的地址",
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
        .collect();
    reset_lines.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let dv = view::DeskView {
        resets: reset_lines.into_iter().take(30).map(|(_, l)| l).collect(),
        activations,
        awaiting: lines
            .iter()
            .filter(|l| l.status == Status::Review)
            .map(to_view)
            .collect(),
        waiting_committee: lines
            .iter()
            .filter(|l| l.status == Status::Queried)
            .map(to_view)
            .collect(),
        overdue: category_lines(&cadences, &published, today)
            .into_iter()
            .filter(|c| !c.overdue.is_empty())
            .collect(),
        unanswered,
        verify,
    };
    Ok(view::desk_page(&o.ctx.chrome(Some(&o.community)), &slug, &dv).into_response())
}
