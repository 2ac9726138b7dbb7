//! Which published event becomes which notice, and for whom. Called once per
//! ledger entry from `store::ledger::append`, inside the event's own
//! transaction, so a notice exists exactly when its event does.

use crate::domain::Msg;
use crate::domain::ledger::Entry;
use crate::domain::subject::Subject;
use crate::error::Error;
use crate::notify::outbox::NoticeKind;
use crate::store::notices::{self, NewNotice, Recipients};
use crate::store::notices_sources as src;
use rusqlite::Transaction;

/// A time in the community's zone, as notices write it.
pub fn when(ts: i64, tz: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(ts) {
        Ok(t) => t.to_zoned(zone).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => ts.to_string(),
    }
}

/// Queues the notice an entry calls for, if any.
pub fn queue(tx: &Transaction, community_id: i64, e: &Entry) -> Result<(), Error> {
    let Ok(subject) = e.subject.parse::<Subject>() else {
        return Ok(());
    };
    let Some((n, to)) = notice_for(tx, community_id, e, subject)? else {
        return Ok(());
    };
    notices::queue(tx, community_id, &n, &to)?;
    Ok(())
}

fn notice(kind: NoticeKind, e: &Entry, title: Msg, body: Msg, path: String) -> NewNotice {
    NewNotice {
        kind,
        subject: e.subject.clone(),
        ledger_seq: Some(e.seq),
        title,
        body,
        path,
        dedupe: String::new(),
    }
}

// Long: one arm per kind of event that becomes a notice, with its words
// and recipients; the table reads best whole.
fn notice_for(
    tx: &Transaction,
    community_id: i64,
    e: &Entry,
    subject: Subject,
) -> Result<Option<(NewNotice, Recipients)>, Error> {
    let (slug, tz) = src::community(tx, community_id)?;
    let id = subject.id();
    Ok(match (e.kind.as_str(), subject) {
        ("vote.opened", Subject::Vote(_)) => src::vote(tx, id)?.map(|v| {
            let n = notice(
                NoticeKind::VoteOpened,
                e,
                Msg::new(format!("表决开始：{}", v.title), format!("Vote open: {}", v.title)),
                Msg::new(
                    format!("范围：{}。请在 {} 之前投票。", v.scope_label, when(v.closes_at, &tz)),
                    format!("Scope: {}. Please vote before {}.", v.scope_label, when(v.closes_at, &tz)),
                ),
                format!("/c/{slug}/votes/{id}"),
            );
            (n, Recipients::VoteMembers(id))
        }),
        ("vote.closed", Subject::Vote(_)) => src::vote(tx, id)?.map(|v| {
            let n = notice(
                NoticeKind::VoteResult,
                e,
                Msg::new(format!("表决结果公示：{}", v.title), format!("Vote result: {}", v.title)),
                Msg::new(
                    "表决已结束，结果在公示期内接受异议。",
                    "The vote has closed; objections to the result may be raised during its publicity period.",
                ),
                format!("/c/{slug}/votes/{id}"),
            );
            (n, Recipients::VoteMembers(id))
        }),
        ("meeting.changed", Subject::Deliberation(_)) => src::meeting(tx, id)?
            .filter(|m| m.status == "planned" && m.starts_at > crate::store::now())
            .map(|m| {
                let n = notice(
                    NoticeKind::MeetingPlanned,
                    e,
                    Msg::new(format!("议事会：{}", m.title), format!("Meeting: {}", m.title)),
                    Msg::new(
                        format!("{}，地点：{}（{}）。欢迎参加。", when(m.starts_at, &tz), m.venue, m.place_label),
                        format!("{}, at {} ({}). All are welcome.", when(m.starts_at, &tz), m.venue, m.place_label),
                    ),
                    format!("/c/{slug}/deliberations/{id}"),
                );
                (n, Recipients::Place(m.place))
            }),
        ("minutes.published", Subject::Deliberation(_)) => src::meeting(tx, id)?.map(|m| {
            let n = notice(
                NoticeKind::MinutesPublished,
                e,
                Msg::new(format!("会议纪要公布：{}", m.title), format!("Minutes published: {}", m.title)),
                Msg::new("议事会的纪要已公布，可在网上查看。", "The meeting's minutes are published online."),
                format!("/c/{slug}/deliberations/{id}"),
            );
            (n, Recipients::Place(m.place))
        }),
        ("disclosure.published", Subject::Disclosure(_)) => src::disclosure(tx, id)?.map(|(cat, period)| {
            let n = notice(
                NoticeKind::DisclosurePublished,
                e,
                Msg::new(format!("公开事项：{period}"), format!("Disclosure: {period}")),
                Msg::new(format!("新的公开事项（{cat}，{period}）已发布。"), format!("A new disclosure ({cat}, {period}) is published.")),
                format!("/c/{slug}/disclosures/{id}"),
            );
            (n, Recipients::Place("community".into()))
        }),
        ("proposal.decided" | "proposal.completed" | "proposal.step", Subject::Proposal(_)) => {
            src::proposal(tx, id)?.map(|(title, status, accounts)| {
                let mut n = notice(
                    NoticeKind::ProposalChanged,
                    e,
                    Msg::new(format!("提案进展：{title}"), format!("Proposal update: {title}")),
                    Msg::new("您提出或附议的提案有了新进展。", "A proposal you wrote or co-signed has moved on."),
                    format!("/c/{slug}/proposals/{id}"),
                );
                n.dedupe = format!("{}:{status}", e.seq);
                (n, Recipients::Accounts(accounts))
            })
        }
        _ => None,
    })
}

/// Queues the 48-hour reminders due now: for each open vote closing within
/// 48 hours, one notice to those who have not voted. Returns how many.
pub fn queue_reminders(tx: &Transaction) -> Result<usize, Error> {
    let mut n = 0;
    for (vote, community, slug, title, closes_at) in notices::votes_to_remind(tx)? {
        let (_, tz) = src::community(tx, community)?;
        let notice = NewNotice {
            kind: NoticeKind::VoteClosing,
            subject: Subject::Vote(vote).to_string(),
            ledger_seq: None,
            title: Msg::new(
                format!("表决即将结束：{title}"),
                format!("Vote closing soon: {title}"),
            ),
            body: Msg::new(
                format!("表决将于 {} 结束，您还没有投票。", when(closes_at, &tz)),
                format!(
                    "The vote closes at {}; your household has not voted yet.",
                    when(closes_at, &tz)
                ),
            ),
            path: format!("/c/{slug}/votes/{vote}"),
            dedupe: String::new(),
        };
        if notices::queue(tx, community, &notice, &Recipients::VoteNotVoted(vote))?.is_some() {
            n += 1;
        }
    }
    Ok(n)
}
