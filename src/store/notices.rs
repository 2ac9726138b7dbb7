//! The outbox in SQLite: notices written in their event's transaction, the
//! households each one is for, the deliveries the worker claims and finishes,
//! and every attempt. The record's read side is in `notices_record`.

use crate::domain::Msg;
use crate::error::Error;
use crate::notify::channel::ChannelKind;
use crate::notify::outbox::{self, DeliveryState, NoticeKind};
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};

/// A notice to be written.
pub struct NewNotice {
    pub kind: NoticeKind,
    pub subject: String,
    pub ledger_seq: Option<i64>,
    pub title: Msg,
    pub body: Msg,
    /// The page, relative to the site (`/c/wutong/votes/3`).
    pub path: String,
    /// Distinguishes repeated notices of one kind for one subject.
    pub dedupe: String,
}

/// Who a notice is for: residents, by a rule the database answers.
pub enum Recipients {
    /// Everyone who may cast a ballot in the vote.
    VoteMembers(i64),
    /// Those of them whose ballot has not been cast (whether, never how).
    VoteNotVoted(i64),
    /// A place code as meetings use it: `community`, `zone:N`, `building:N`.
    Place(String),
    /// The residents linked to these accounts, and their households.
    Accounts(Vec<i64>),
    /// These residents: a draft vote's electorate as it would be frozen
    /// now (its advance notice). One parameter, a JSON array, however many.
    Residents(Vec<i64>),
}

impl Recipients {
    /// Whether the notice may go to the community's group chats: not one
    /// meant for some residents only (a proposal's author and co-signers).
    fn public(&self) -> bool {
        !matches!(self, Recipients::Accounts(_))
    }

    /// SQL selecting resident ids, and its parameters (after `?1` = community).
    fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value as V;
        match self {
            Recipients::VoteMembers(v) => (
                "SELECT resident_id FROM vote_members WHERE vote_id = ?2".into(),
                vec![V::Integer(*v)],
            ),
            Recipients::VoteNotVoted(v) => (
                "SELECT m.resident_id FROM vote_members m WHERE m.vote_id = ?2
                 AND NOT EXISTS (SELECT 1 FROM ballots b WHERE b.vote_id = m.vote_id AND b.voter = m.voter)"
                    .into(),
                vec![V::Integer(*v)],
            ),
            Recipients::Place(p) => match p.split_once(':') {
                Some(("zone", id)) => (
                    "SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id
                     WHERE r.community_id = ?1 AND h.zone_id = ?2"
                        .into(),
                    vec![V::Integer(id.parse().unwrap_or(-1))],
                ),
                Some(("building", id)) => (
                    "SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id
                     JOIN dwellings d ON d.id = h.dwelling_id JOIN units u ON u.id = d.unit_id
                     WHERE r.community_id = ?1 AND u.building_id = ?2"
                        .into(),
                    vec![V::Integer(id.parse().unwrap_or(-1))],
                ),
                _ => (
                    "SELECT id FROM residents WHERE community_id = ?1".into(),
                    vec![],
                ),
            },
            Recipients::Residents(ids) => (
                "SELECT value FROM json_each(?2)".into(),
                vec![V::Text(
                    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()),
                )],
            ),
            Recipients::Accounts(ids) => {
                let marks: Vec<String> = (0..ids.len()).map(|i| format!("?{}", i + 2)).collect();
                (
                    format!(
                        "SELECT resident_id FROM accounts WHERE resident_id IS NOT NULL AND id IN ({})",
                        if marks.is_empty() { "NULL".into() } else { marks.join(", ") }
                    ),
                    ids.iter().map(|i| V::Integer(*i)).collect(),
                )
            }
        }
    }
}

/// One delivery per adult among `who` with an address on `ch` who takes
/// notices over it (no `notify_prefs` row: the roll's defaults; unsubscribed
/// or the channel switched off: none). SMS only while the community's SMS
/// channel is on with its secret.
fn personal_sql(ch: ChannelKind, who: &str, nid: usize, at: usize) -> String {
    let (addr, chosen, on) = match ch {
        ChannelKind::Sms => (
            "r.phone",
            "p.sms",
            "AND EXISTS (SELECT 1 FROM notify_channels k WHERE k.community_id = ?1
                 AND k.kind = 'sms' AND k.enabled = 1 AND k.secret != '')",
        ),
        _ => ("r.email", "p.email", ""),
    };
    format!(
        "INSERT INTO deliveries (notice_id, community_id, household_id, resident_id, channel, due_at)
         SELECT ?{nid}, ?1, r.household_id, r.id, '{code}', ?{at}
         FROM residents r LEFT JOIN notify_prefs p ON p.resident_id = r.id
         WHERE r.community_id = ?1 AND r.active = 1 AND r.is_adult = 1 AND {addr} != ''
           AND (p.resident_id IS NULL OR ({chosen} = 1 AND p.unsubscribed_at IS NULL))
           AND r.id IN ({who}) {on}
         ORDER BY r.id",
        code = ch.code()
    )
}

/// Writes a notice, its households (each with a paper receipt's token), one
/// e-mail and one SMS delivery per adult who takes them, and for a notice
/// to a vote's electorate or a place one post per group channel the
/// community has on (WeCom robot, webhook). Returns the notice's id, or
/// None if the same notice was already written.
pub fn queue(
    tx: &Transaction,
    community_id: i64,
    n: &NewNotice,
    to: &Recipients,
) -> Result<Option<i64>, Error> {
    let now = super::now();
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO notices (community_id, kind, subject, ledger_seq, title_zh, title_en,
             body_zh, body_en, path, created_at, dedupe)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            community_id,
            n.kind.code(),
            n.subject,
            n.ledger_seq,
            n.title.zh,
            n.title.en,
            n.body.zh,
            n.body.en,
            n.path,
            now,
            n.dedupe
        ],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = tx.last_insert_rowid();
    crate::notify::web::notices_changed();
    let (who, extra) = to.sql();
    let mut p: Vec<rusqlite::types::Value> = vec![community_id.into()];
    p.extend(extra);
    p.push(id.into());
    p.push(now.into());
    let (nid, at) = (p.len() - 1, p.len());
    tx.execute(
        &format!(
            "INSERT INTO notice_households (notice_id, household_id, receipt)
             SELECT ?{nid}, household_id, lower(hex(randomblob(12))) FROM (
               SELECT DISTINCT household_id FROM residents
               WHERE community_id = ?1 AND active = 1 AND ?{at} > 0 AND id IN ({who}))"
        ),
        params_from_iter(p.iter()),
    )?;
    for ch in [ChannelKind::Email, ChannelKind::Sms] {
        tx.execute(&personal_sql(ch, &who, nid, at), params_from_iter(p.iter()))?;
    }
    if to.public() {
        tx.execute(
            "INSERT INTO group_posts (notice_id, community_id, channel, due_at)
             SELECT ?2, ?1, kind, ?3 FROM notify_channels
             WHERE community_id = ?1 AND kind IN ('wecom', 'webhook') AND enabled = 1 AND secret != ''
               AND EXISTS (SELECT 1 FROM notice_households WHERE notice_id = ?2)
             ORDER BY kind",
            params![community_id, id, now],
        )?;
    }
    Ok(Some(id))
}

/// A delivery the worker has claimed, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The delivery's id, or the group post's when `group`.
    pub id: i64,
    /// A post to a group channel (`group_posts`): for no household.
    pub group: bool,
    pub notice_id: i64,
    pub community_id: i64,
    pub community_slug: String,
    /// The community's time zone (quiet hours, the digest hour, "today").
    pub tz: String,
    pub channel: ChannelKind,
    pub kind: NoticeKind,
    pub subject: String,
    /// The resident's address on that channel (never logged).
    pub to: String,
    pub resident_id: Option<i64>,
    pub title: Msg,
    pub body: Msg,
    pub path: String,
    /// When the notice was queued.
    pub queued_at: i64,
    pub attempts: i64,
}

impl Claimed {
    fn table(&self) -> &'static str {
        if self.group {
            "group_posts"
        } else {
            "deliveries"
        }
    }
}

/// Deliveries and group posts a previous run left `sending`: queued again,
/// a delivery's attempt marked interrupted. They go out under the same
/// idempotency key.
pub fn recover(tx: &Transaction) -> Result<usize, Error> {
    let now = super::now();
    tx.execute(
        "UPDATE delivery_attempts SET outcome = 'interrupted', detail = 'server stopped while sending'
         WHERE outcome = 'sending'",
        [],
    )?;
    let posts = tx.execute(
        "UPDATE group_posts SET state = 'queued', due_at = ?1 WHERE state = 'sending'",
        [now],
    )?;
    Ok(posts
        + tx.execute(
            "UPDATE deliveries SET state = 'queued', due_at = ?1 WHERE state = 'sending'",
            [now],
        )?)
}

const CLAIM_DELIVERIES: &str =
    "SELECT d.id, 0, d.notice_id, d.community_id, c.slug, c.tz, d.channel,
        n.kind, n.subject,
        COALESCE(CASE d.channel WHEN 'sms' THEN r.phone ELSE r.email END, ''), d.resident_id,
        n.title_zh, n.title_en, n.body_zh, n.body_en, n.path, n.created_at, d.attempts
     FROM deliveries d JOIN notices n ON n.id = d.notice_id
     JOIN communities c ON c.id = d.community_id
     LEFT JOIN residents r ON r.id = d.resident_id
     WHERE d.state = 'queued' AND d.due_at <= ?1 ORDER BY d.due_at, d.id LIMIT ?2";

const CLAIM_POSTS: &str = "SELECT g.id, 1, g.notice_id, g.community_id, c.slug, c.tz, g.channel,
        n.kind, n.subject, '', NULL,
        n.title_zh, n.title_en, n.body_zh, n.body_en, n.path, n.created_at, g.attempts
     FROM group_posts g JOIN notices n ON n.id = g.notice_id
     JOIN communities c ON c.id = g.community_id
     WHERE g.state = 'queued' AND g.due_at <= ?1 ORDER BY g.due_at, g.id LIMIT ?2";

fn claimed(r: &rusqlite::Row) -> rusqlite::Result<Claimed> {
    let ch: String = r.get(6)?;
    let kind: String = r.get(7)?;
    Ok(Claimed {
        id: r.get(0)?,
        group: r.get(1)?,
        notice_id: r.get(2)?,
        community_id: r.get(3)?,
        community_slug: r.get(4)?,
        tz: r.get(5)?,
        channel: ch.parse().unwrap_or(ChannelKind::Email),
        kind: NoticeKind::parse(&kind).unwrap_or(NoticeKind::VoteOpened),
        subject: r.get(8)?,
        to: r.get(9)?,
        resident_id: r.get(10)?,
        title: Msg::new(r.get::<_, String>(11)?, r.get::<_, String>(12)?),
        body: Msg::new(r.get::<_, String>(13)?, r.get::<_, String>(14)?),
        path: r.get(15)?,
        queued_at: r.get(16)?,
        attempts: r.get::<_, i64>(17)? + 1,
    })
}

/// Claims up to `limit` due group posts and deliveries (posts first): each
/// marked `sending` with a new attempt, in this transaction (durable before
/// anything is sent).
pub fn claim(tx: &Transaction, limit: usize) -> Result<Vec<Claimed>, Error> {
    let now = super::now();
    let mut rows = tx
        .prepare_cached(CLAIM_POSTS)?
        .query_map(params![now, limit as i64], claimed)?
        .collect::<Result<Vec<_>, _>>()?;
    let rest = limit.saturating_sub(rows.len()) as i64;
    rows.extend(
        tx.prepare_cached(CLAIM_DELIVERIES)?
            .query_map(params![now, rest], claimed)?
            .collect::<Result<Vec<_>, _>>()?,
    );
    for c in &rows {
        tx.execute(
            &format!(
                "UPDATE {} SET state = 'sending', attempts = ?2 WHERE id = ?1",
                c.table()
            ),
            params![c.id, c.attempts],
        )?;
        attempt(tx, c, "sending", "")?;
    }
    Ok(rows)
}

/// A claimed delivery put back until `due_at` without counting the attempt
/// (quiet hours, the digest hour, the resident's daily limit).
pub fn postpone(tx: &Transaction, c: &Claimed, due_at: i64, why: &Msg) -> Result<(), Error> {
    tx.execute(
        &format!(
            "UPDATE {} SET state = 'queued', due_at = ?2, attempts = ?3, last_error = ?4 WHERE id = ?1",
            c.table()
        ),
        params![c.id, due_at, c.attempts - 1, why.to_string()],
    )?;
    if !c.group {
        tx.execute(
            "DELETE FROM delivery_attempts WHERE delivery_id = ?1 AND n = ?2",
            params![c.id, c.attempts],
        )?;
    }
    Ok(())
}

/// Messages sent to a resident since `since` (a digest counts once).
pub fn sent_since(conn: &Connection, resident_id: i64, since: i64) -> Result<u32, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM deliveries
             WHERE resident_id = ?1 AND state = 'sent' AND sent_at >= ?2 AND digest_of IS NULL",
        )?
        .query_row(params![resident_id, since], |r| r.get(0))?)
}

/// Records that delivery `c` went inside `primary`'s message (a digest).
pub fn digest_of(tx: &Transaction, c: &Claimed, primary: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE deliveries SET digest_of = ?2 WHERE id = ?1",
        params![c.id, primary],
    )?;
    Ok(())
}

/// A group post's attempts are not kept one by one: its last error is.
fn attempt(tx: &Transaction, c: &Claimed, outcome: &str, detail: &str) -> Result<(), Error> {
    if c.group {
        return Ok(());
    }
    tx.execute(
        "INSERT OR REPLACE INTO delivery_attempts (delivery_id, n, at, outcome, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![c.id, c.attempts, super::now(), outcome, detail],
    )?;
    Ok(())
}

/// How an attempt ended.
pub enum Outcome {
    Sent(String),
    Retry(Msg),
    Fail(Msg),
    Skip(Msg),
}

/// Records an attempt's end; a sent delivery marks its household reached
/// (if nothing reached it before). Returns the delivery's new state.
pub fn finish(tx: &Transaction, c: &Claimed, o: &Outcome) -> Result<DeliveryState, Error> {
    let now = super::now();
    let t = c.table();
    let (state, detail) = match o {
        Outcome::Sent(id) => {
            tx.execute(
                &format!("UPDATE {t} SET state = 'sent', provider_id = ?2, sent_at = ?3, last_error = NULL WHERE id = ?1"),
                params![c.id, id, now],
            )?;
            if !c.group {
                tx.execute(
                    "UPDATE notice_households SET reached_at = ?3, reached_by = ?4
                     WHERE notice_id = ?1 AND household_id = (SELECT household_id FROM deliveries WHERE id = ?2)
                       AND reached_at IS NULL",
                    params![c.notice_id, c.id, now, c.channel.code()],
                )?;
            }
            (DeliveryState::Sent, id.clone())
        }
        Outcome::Retry(m) => match outbox::backoff(c.attempts) {
            Some(wait) => {
                tx.execute(
                    &format!("UPDATE {t} SET state = 'queued', due_at = ?2, last_error = ?3 WHERE id = ?1"),
                    params![c.id, now + wait, m.to_string()],
                )?;
                (DeliveryState::Queued, m.to_string())
            }
            None => give_up(tx, c, m)?,
        },
        Outcome::Fail(m) => give_up(tx, c, m)?,
        Outcome::Skip(m) => {
            tx.execute(
                &format!("UPDATE {t} SET state = 'skipped', last_error = ?2 WHERE id = ?1"),
                params![c.id, m.to_string()],
            )?;
            (DeliveryState::Skipped, m.to_string())
        }
    };
    let word = match (state, o) {
        (DeliveryState::Sent, _) => "sent",
        (DeliveryState::Queued, _) => "retry",
        (DeliveryState::Skipped, _) => "skipped",
        _ => "failed",
    };
    attempt(tx, c, word, &detail)?;
    Ok(state)
}

fn give_up(tx: &Transaction, c: &Claimed, m: &Msg) -> Result<(DeliveryState, String), Error> {
    tx.execute(
        &format!(
            "UPDATE {} SET state = 'failed', last_error = ?2 WHERE id = ?1",
            c.table()
        ),
        params![c.id, m.to_string()],
    )?;
    Ok((DeliveryState::Failed, m.to_string()))
}

/// Queues a failed or skipped delivery again (the committee's resend).
pub fn resend(
    tx: &Transaction,
    community_id: i64,
    notice_id: i64,
    delivery_id: i64,
) -> Result<(), Error> {
    // Of this notice only: the page it is asked from names the notice.
    let n = tx.execute(
        "UPDATE deliveries SET state = 'queued', due_at = ?3, attempts = 0
         WHERE id = ?1 AND community_id = ?2 AND notice_id = ?4 AND state IN ('failed', 'skipped')",
        params![delivery_id, community_id, super::now(), notice_id],
    )?;
    if n == 0 {
        return Err(Error::Invalid(Msg::new(
            format!("第 {delivery_id} 条送达不属于这条通知，或不是失败或未发送的，不能重发"),
            format!(
                "delivery {delivery_id} is not of this notice, or has not failed or been skipped; it cannot be resent"
            ),
        )));
    }
    Ok(())
}

/// Is the notice's subject still current (a vote still open, a meeting not
/// yet held)? A notice that is not is skipped rather than sent late.
pub fn still_current(conn: &Connection, kind: NoticeKind, subject: &str) -> Result<bool, Error> {
    let id = subject
        .split_once(':')
        .and_then(|(_, i)| i.parse::<i64>().ok())
        .unwrap_or(-1);
    let q = match kind {
        NoticeKind::VoteOpened | NoticeKind::VoteClosing => {
            "SELECT status = 'open' AND closes_at > ?2 FROM votes WHERE id = ?1"
        }
        // Once the vote opens, its opening notice says the rest.
        NoticeKind::VoteAdvance => {
            "SELECT status = 'draft' AND ?2 IS NOT NULL FROM votes WHERE id = ?1"
        }
        NoticeKind::MeetingPlanned => {
            "SELECT status = 'planned' AND starts_at > ?2 FROM deliberations WHERE id = ?1"
        }
        _ => return Ok(true),
    };
    Ok(conn
        .query_row(q, params![id, super::now()], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// `(vote, community, community slug, title, closes_at)`.
pub type Reminder = (i64, i64, String, String, i64);

/// Open votes closing within 48 hours that have had no reminder yet.
pub fn votes_to_remind(conn: &Connection) -> Result<Vec<Reminder>, Error> {
    let now = super::now();
    let mut st = conn.prepare_cached(
        "SELECT v.id, v.community_id, c.slug, v.title, v.closes_at FROM votes v
         JOIN communities c ON c.id = v.community_id
         WHERE v.status = 'open' AND v.closes_at > ?1 AND v.closes_at - ?1 <= ?2
           AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.community_id = v.community_id
               AND n.kind = 'vote_closing' AND n.subject = 'vote:' || v.id)
         LIMIT 100",
    )?;
    let v = st
        .query_map(params![now, outbox::CLOSING_REMINDER_SECS], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// After seeding past records at once (the demo): the deliveries of notices
/// about publications made as history are marked skipped, so only what is
/// current (an open vote, a coming meeting) goes out. Returns how many.
pub fn skip_seeded_history(tx: &Transaction) -> Result<usize, Error> {
    Ok(tx.execute(
        "UPDATE deliveries SET state = 'skipped', last_error = 'seeded history / 种子数据中的往事'
         WHERE state = 'queued' AND notice_id IN
           (SELECT id FROM notices WHERE kind NOT IN ('vote_advance', 'vote_opened', 'meeting_planned', 'vote_closing'))",
        [],
    )?)
}
