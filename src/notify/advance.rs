//! The advance notice (表决预告) of a vote still in draft, sent by its
//! committee ahead of the opening (物业管理条例 art. 14: owners are notified
//! at least 15 days before): what it says, whom it goes to (the electorate
//! the vote would freeze now, through the same outbox as every notice), and
//! why it may be refused (not a draft, sent already, nobody in the scope).

use crate::domain::Msg;
use crate::domain::subject::Subject;
use crate::error::Error;
use crate::notify::events::when;
use crate::notify::outbox::NoticeKind;
use crate::store::notices::{self, NewNotice, Recipients};
use crate::store::notices_advance as adv;
use crate::store::votes::{self, Status, Vote};
use rusqlite::{Connection, Transaction};

/// The residents the advance notice goes to: those who may cast a ballot in
/// the electorate as it would be frozen now. Refused if there are none.
pub fn recipients(conn: &Connection, v: &Vote) -> Result<Vec<i64>, Error> {
    let electors =
        votes::compute_electorate(conn, v.community_id, &v.scope, v.rule, v.custom.as_ref())?;
    let mut ids: Vec<i64> = electors.into_iter().flat_map(|e| e.members).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(Error::Invalid(Msg::new(
            "这个范围内没有符合条件的选民，没有人可以通知",
            "nobody in this scope may vote under this rule; there is nobody to notify",
        )));
    }
    Ok(ids)
}

/// What the advance notice says: the question, the scope and the times.
pub fn notice(v: &Vote, slug: &str, tz: &str) -> NewNotice {
    let (opens, closes) = (when(v.opens_at, tz), when(v.closes_at, tz));
    NewNotice {
        kind: NoticeKind::VoteAdvance,
        subject: Subject::Vote(v.id).to_string(),
        ledger_seq: None,
        title: Msg::new(
            format!("表决预告：{}", v.title),
            format!("Coming vote: {}", v.title),
        ),
        body: Msg::new(
            format!(
                "范围：{}。表决将于 {opens} 开始，{closes} 截止。详情可在网上先看。",
                v.scope_label
            ),
            format!(
                "Scope: {}. Voting opens {opens} and closes {closes}. The details can be read online now.",
                v.scope_label
            ),
        ),
        path: format!("/c/{slug}/votes/{}", v.id),
        dedupe: String::new(),
    }
}

/// Queues the advance notice of draft `v` to every household of its
/// electorate. Returns the notice's id.
pub fn send(tx: &Transaction, v: &Vote, slug: &str, tz: &str) -> Result<i64, Error> {
    if v.status != Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "这项表决已经开始，预告只能在开始前发出",
            "this vote has already opened; an advance notice goes out only before",
        )));
    }
    if let Some(a) = adv::advance(tx, v.community_id, v.id)? {
        return Err(already(a.notified_at, tz));
    }
    let who = recipients(tx, v)?;
    let n = notice(v, slug, tz);
    notices::queue(tx, v.community_id, &n, &Recipients::Residents(who))?
        .ok_or_else(|| already(crate::store::now(), tz))
}

fn already(at: i64, tz: &str) -> Error {
    let t = when(at, tz);
    Error::Conflict(Msg::new(
        format!("这项表决的预告已在 {t} 发出，不再重发；未送达的户可打印送达清单"),
        format!(
            "this vote's advance notice went out at {t} and is not sent twice; print the delivery list for households not yet reached"
        ),
    ))
}

/// The committee's note when the planned opening is `days` away, fewer than
/// an owners' vote needs.
pub fn short_words(days: i64) -> Msg {
    let need = crate::notify::outbox::OWNERS_NOTICE_DAYS;
    Msg::new(
        format!(
            "离计划开始只有 {days} 天，不足 {need} 天（物业管理条例第十四条）：请考虑推迟开始时间，否则开始时会提示通知不足。"
        ),
        format!(
            "Only {days} days remain before the planned opening, fewer than {need} (Property Management Regulations art. 14): consider a later opening, or the opening will warn that the notice was short."
        ),
    )
}
