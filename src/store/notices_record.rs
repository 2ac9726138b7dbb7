//! The record (送达台账), read and marked: a community's notices with their
//! reach, each household's place and receipt, every delivery and attempt,
//! and the two ways a household is reached without a channel: a paper
//! receipt ticked or scanned, and a logged-in resident opening the page.

use crate::domain::Msg;
use crate::domain::mask::{mask_email, mask_name};
use crate::error::Error;
use crate::notify::channel::ChannelKind;
use crate::notify::outbox::{DeliveryState, NoticeKind};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// Where a household is, for lists and figures: its building if it has a
/// dwelling, else its zone (a villager group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Building(i64),
    Zone(i64),
}

impl Place {
    pub fn code(self) -> String {
        match self {
            Place::Building(b) => format!("building:{b}"),
            Place::Zone(z) => format!("zone:{z}"),
        }
    }

    pub fn parse(s: &str) -> Option<Place> {
        let (k, id) = s.split_once(':')?;
        let id = id.parse().ok()?;
        match k {
            "building" => Some(Place::Building(id)),
            "zone" => Some(Place::Zone(id)),
            _ => None,
        }
    }
}

/// Joins giving each household of `nh` its building (b) or zone (z).
const PLACE_JOINS: &str = "JOIN households h ON h.id = nh.household_id
    JOIN zones z ON z.id = h.zone_id
    LEFT JOIN dwellings d ON d.id = h.dwelling_id
    LEFT JOIN units u ON u.id = d.unit_id
    LEFT JOIN buildings b ON b.id = u.building_id";

/// `(kind, id, label)` of a household's place, as SQL columns.
const PLACE_COLS: &str = "CASE WHEN b.id IS NULL THEN 'zone' ELSE 'building' END,
    COALESCE(b.id, z.id), COALESCE(b.number, z.name)";

fn place_of(kind: &str, id: i64) -> Place {
    if kind == "building" {
        Place::Building(id)
    } else {
        Place::Zone(id)
    }
}

/// A notice as listed, with its reach and its deliveries by state.
#[derive(Debug, Clone)]
pub struct NoticeRow {
    pub id: i64,
    pub kind: NoticeKind,
    pub subject: String,
    pub title: Msg,
    pub body: Msg,
    pub path: String,
    pub created_at: i64,
    pub households: i64,
    pub reached: i64,
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
}

const NOTICE_COLS: &str = "n.id, n.kind, n.subject, n.title_zh, n.title_en, n.body_zh, n.body_en,
    n.path, n.created_at,
    (SELECT count(*) FROM notice_households x WHERE x.notice_id = n.id),
    (SELECT count(*) FROM notice_households x WHERE x.notice_id = n.id AND x.reached_at IS NOT NULL),
    (SELECT count(*) FROM deliveries x WHERE x.notice_id = n.id AND x.state IN ('queued', 'sending')),
    (SELECT count(*) FROM deliveries x WHERE x.notice_id = n.id AND x.state = 'sent'),
    (SELECT count(*) FROM deliveries x WHERE x.notice_id = n.id AND x.state = 'failed'),
    (SELECT count(*) FROM deliveries x WHERE x.notice_id = n.id AND x.state = 'skipped')";

fn notice_row(r: &rusqlite::Row) -> rusqlite::Result<NoticeRow> {
    let kind: String = r.get(1)?;
    Ok(NoticeRow {
        id: r.get(0)?,
        kind: NoticeKind::parse(&kind).unwrap_or(NoticeKind::VoteOpened),
        subject: r.get(2)?,
        title: Msg::new(r.get::<_, String>(3)?, r.get::<_, String>(4)?),
        body: Msg::new(r.get::<_, String>(5)?, r.get::<_, String>(6)?),
        path: r.get(7)?,
        created_at: r.get(8)?,
        households: r.get(9)?,
        reached: r.get(10)?,
        waiting: r.get(11)?,
        sent: r.get(12)?,
        failed: r.get(13)?,
        skipped: r.get(14)?,
    })
}

/// The community's latest notices (at most `limit`), newest first.
pub fn list(conn: &Connection, community_id: i64, limit: usize) -> Result<Vec<NoticeRow>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {NOTICE_COLS} FROM notices n WHERE n.community_id = ?1
         ORDER BY n.id DESC LIMIT ?2"
    ))?;
    let v = st
        .query_map(params![community_id, limit as i64], notice_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// One notice of the community.
pub fn notice(conn: &Connection, community_id: i64, id: i64) -> Result<Option<NoticeRow>, Error> {
    Ok(conn
        .query_row(
            &format!("SELECT {NOTICE_COLS} FROM notices n WHERE n.community_id = ?1 AND n.id = ?2"),
            params![community_id, id],
            notice_row,
        )
        .optional()?)
}

/// Reach in one building or zone.
#[derive(Debug, Clone)]
pub struct PlaceReach {
    pub place: Place,
    pub label: String,
    pub households: i64,
    pub reached: i64,
    pub by_paper: i64,
    pub by_web: i64,
}

/// A notice's reach per building (or zone, for households without a dwelling).
pub fn reach_by_place(conn: &Connection, notice_id: i64) -> Result<Vec<PlaceReach>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {PLACE_COLS}, count(*), count(nh.reached_at),
                sum(nh.reached_by = 'paper'), sum(nh.reached_by = 'web')
         FROM notice_households nh {PLACE_JOINS}
         WHERE nh.notice_id = ?1 GROUP BY 1, 2 ORDER BY 1, 3"
    ))?;
    let v = st
        .query_map([notice_id], |r| {
            let kind: String = r.get(0)?;
            Ok(PlaceReach {
                place: place_of(&kind, r.get(1)?),
                label: r.get(2)?,
                households: r.get(3)?,
                reached: r.get(4)?,
                by_paper: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                by_web: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// One household of a notice, as the paper list and the record show it.
#[derive(Debug, Clone)]
pub struct HouseholdRow {
    pub household_id: i64,
    pub code: String,
    pub place: Place,
    pub place_label: String,
    /// Where in the building: unit and dwelling number, or empty.
    pub dwelling: String,
    /// The household's adults, names masked.
    pub names: String,
    pub receipt: String,
    pub reached: Option<(i64, ChannelKind)>,
}

/// A notice's households, in one place or all, optionally only those not
/// yet reached; in building, unit and dwelling order.
pub fn households(
    conn: &Connection,
    notice_id: i64,
    place: Option<Place>,
    unreached_only: bool,
) -> Result<Vec<HouseholdRow>, Error> {
    let (pk, pid) = match place {
        Some(Place::Building(b)) => ("building", b),
        Some(Place::Zone(z)) => ("zone", z),
        None => ("", 0),
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT h.id, h.code, {PLACE_COLS}, COALESCE(u.number || '-' || d.number, ''),
                nh.receipt, nh.reached_at, nh.reached_by,
                (SELECT group_concat(name, '、') FROM (SELECT name FROM residents
                   WHERE household_id = h.id AND active = 1 AND is_adult = 1 ORDER BY id LIMIT 4))
         FROM notice_households nh {PLACE_JOINS}
         WHERE nh.notice_id = ?1
           AND (?2 = '' OR (?2 = 'building' AND b.id = ?3) OR (?2 = 'zone' AND b.id IS NULL AND z.id = ?3))
           AND (?4 = 0 OR nh.reached_at IS NULL)
         ORDER BY 5, COALESCE(b.number, ''), u.number, d.floor, d.number, h.code LIMIT 20000"
    ))?;
    let v = st
        .query_map(params![notice_id, pk, pid, unreached_only], |r| {
            let kind: String = r.get(2)?;
            let at: Option<i64> = r.get(7)?;
            let by: Option<String> = r.get(8)?;
            let names: Option<String> = r.get(9)?;
            Ok(HouseholdRow {
                household_id: r.get(0)?,
                code: r.get(1)?,
                place: place_of(&kind, r.get(3)?),
                place_label: r.get(4)?,
                dwelling: r.get(5)?,
                names: names
                    .unwrap_or_default()
                    .split('、')
                    .map(mask_name)
                    .collect::<Vec<_>>()
                    .join("、"),
                receipt: r.get(6)?,
                reached: at.zip(by.and_then(|b| b.parse().ok())),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// One attempt of a delivery.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub n: i64,
    pub at: i64,
    pub outcome: String,
    pub detail: Msg,
}

/// A delivery as the record shows it: the address masked.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub id: i64,
    pub household_code: String,
    pub channel: ChannelKind,
    pub to_masked: String,
    pub state: DeliveryState,
    pub error: Option<Msg>,
    pub attempts: Vec<AttemptRow>,
}

/// A stored "中文 / English" message back as its two languages.
pub fn split_msg(s: &str) -> Msg {
    match s.split_once(" / ") {
        Some((zh, en)) => Msg::new(zh, en),
        None => Msg::new(s, s),
    }
}

/// A notice's deliveries with every attempt (failed ones first).
pub fn deliveries(conn: &Connection, notice_id: i64) -> Result<Vec<DeliveryRow>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT d.id, h.code, d.channel, COALESCE(r.email, ''), d.state, d.last_error
         FROM deliveries d JOIN households h ON h.id = d.household_id
         LEFT JOIN residents r ON r.id = d.resident_id
         WHERE d.notice_id = ?1 ORDER BY d.state != 'failed', h.code, d.id LIMIT 20000",
    )?;
    let mut v = st
        .query_map([notice_id], |r| {
            let ch: String = r.get(2)?;
            let state: String = r.get(4)?;
            let err: Option<String> = r.get(5)?;
            Ok(DeliveryRow {
                id: r.get(0)?,
                household_code: r.get(1)?,
                channel: ch.parse().unwrap_or(ChannelKind::Email),
                to_masked: mask_email(&r.get::<_, String>(3)?),
                state: DeliveryState::parse(&state),
                error: err.filter(|e| !e.is_empty()).map(|e| split_msg(&e)),
                attempts: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut at = conn.prepare_cached(
        "SELECT a.delivery_id, a.n, a.at, a.outcome, a.detail FROM delivery_attempts a
         JOIN deliveries d ON d.id = a.delivery_id WHERE d.notice_id = ?1
         ORDER BY a.delivery_id, a.n LIMIT 100000",
    )?;
    let mut by_id: std::collections::HashMap<i64, usize> =
        v.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    for row in at.query_map([notice_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            AttemptRow {
                n: r.get(1)?,
                at: r.get(2)?,
                outcome: r.get(3)?,
                detail: split_msg(&r.get::<_, String>(4)?),
            },
        ))
    })? {
        let (id, a) = row?;
        if let Some(i) = by_id.get_mut(&id) {
            v[*i].attempts.push(a);
        }
    }
    Ok(v)
}

/// A post to a group chat (WeCom robot, webhook) as the record shows it:
/// for no household, so it marks none reached.
#[derive(Debug, Clone)]
pub struct GroupPostRow {
    pub channel: ChannelKind,
    pub state: DeliveryState,
    pub attempts: i64,
    /// When it is (or was last) due.
    pub due_at: i64,
    pub sent_at: Option<i64>,
    pub error: Option<Msg>,
}

/// A notice's group posts, one per channel.
pub fn group_posts(conn: &Connection, notice_id: i64) -> Result<Vec<GroupPostRow>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT channel, state, attempts, due_at, sent_at, last_error FROM group_posts
         WHERE notice_id = ?1 ORDER BY channel LIMIT 10",
    )?;
    let v = st
        .query_map([notice_id], |r| {
            let ch: String = r.get(0)?;
            let state: String = r.get(1)?;
            let err: Option<String> = r.get(5)?;
            Ok(GroupPostRow {
                channel: ch.parse().unwrap_or(ChannelKind::WeCom),
                state: DeliveryState::parse(&state),
                attempts: r.get(2)?,
                due_at: r.get(3)?,
                sent_at: r.get(4)?,
                error: err.filter(|e| !e.is_empty()).map(|e| split_msg(&e)),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// What a paper receipt's token points at.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub notice_id: i64,
    pub household_id: i64,
    pub household_code: String,
    pub title: Msg,
    pub reached: Option<(i64, ChannelKind)>,
}

/// The receipt with this token in the community, if any.
pub fn receipt(
    conn: &Connection,
    community_id: i64,
    token: &str,
) -> Result<Option<Receipt>, Error> {
    Ok(conn
        .query_row(
            "SELECT nh.notice_id, nh.household_id, h.code, n.title_zh, n.title_en,
                    nh.reached_at, nh.reached_by
             FROM notice_households nh JOIN notices n ON n.id = nh.notice_id
             JOIN households h ON h.id = nh.household_id
             WHERE nh.receipt = ?1 AND n.community_id = ?2",
            params![token, community_id],
            |r| {
                let at: Option<i64> = r.get(5)?;
                let by: Option<String> = r.get(6)?;
                Ok(Receipt {
                    notice_id: r.get(0)?,
                    household_id: r.get(1)?,
                    household_code: r.get(2)?,
                    title: Msg::new(r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                    reached: at.zip(by.and_then(|b| b.parse().ok())),
                })
            },
        )
        .optional()?)
}

/// Marks a household of a notice reached on paper by `account`, unless it
/// was reached already (idempotent). Returns the household's code and
/// whether this call marked it.
pub fn mark_paper(
    tx: &Transaction,
    community_id: i64,
    notice_id: i64,
    household_id: i64,
    account_id: i64,
) -> Result<(String, bool), Error> {
    let code: String = tx
        .query_row(
            "SELECT h.code FROM notice_households nh JOIN notices n ON n.id = nh.notice_id
             JOIN households h ON h.id = nh.household_id
             WHERE nh.notice_id = ?1 AND nh.household_id = ?2 AND n.community_id = ?3",
            params![notice_id, household_id, community_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    let n = tx.execute(
        "UPDATE notice_households SET reached_at = ?3, reached_by = 'paper', recorded_by = ?4
         WHERE notice_id = ?1 AND household_id = ?2 AND reached_at IS NULL",
        params![notice_id, household_id, super::now(), account_id],
    )?;
    Ok((code, n > 0))
}

/// Does the resident's household have a notice at this page not yet
/// reached? (A read, so that only the first view writes.)
pub fn web_unreached(conn: &Connection, resident_id: i64, path: &str) -> Result<bool, Error> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM notices n JOIN notice_households nh ON nh.notice_id = n.id
           JOIN residents r ON r.household_id = nh.household_id AND r.community_id = n.community_id
           WHERE n.path = ?2 AND r.id = ?1 AND nh.reached_at IS NULL)",
        params![resident_id, path],
        |r| r.get(0),
    )?)
}

/// Marks reached online the resident's household for the notices of this
/// page (or of one notice) not yet reached. Returns how many.
pub fn mark_web(
    tx: &Transaction,
    resident_id: i64,
    path: &str,
    notice_id: Option<i64>,
) -> Result<usize, Error> {
    Ok(tx.execute(
        "UPDATE notice_households SET reached_at = ?4, reached_by = 'web'
         WHERE reached_at IS NULL
           AND household_id = (SELECT household_id FROM residents WHERE id = ?1)
           AND notice_id IN (SELECT n.id FROM notices n JOIN residents r ON r.community_id = n.community_id
                             WHERE r.id = ?1 AND (n.path = ?2 OR n.id = ?3))",
        params![resident_id, path, notice_id.unwrap_or(-1), super::now()],
    )?)
}

/// The households and the reach of a vote's opening notice, for the vote's
/// page, its A4 notice and its `vote.opened` entry.
#[derive(Debug, Clone)]
pub struct VoteReach {
    pub notice_id: i64,
    /// When the first notice of the vote was written.
    pub notified_at: i64,
    pub households: i64,
    pub reached: i64,
    pub places: Vec<PlaceReach>,
}

/// The reach of the vote's opening notice, if it has one.
pub fn vote_reach(
    conn: &Connection,
    community_id: i64,
    vote_id: i64,
) -> Result<Option<VoteReach>, Error> {
    let first: Option<(i64, i64)> = conn
        .query_row(
            "SELECT id, created_at FROM notices WHERE community_id = ?1 AND subject = ?2
               AND kind = 'vote_opened' ORDER BY id LIMIT 1",
            params![community_id, format!("vote:{vote_id}")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((notice_id, notified_at)) = first else {
        return Ok(None);
    };
    let places = reach_by_place(conn, notice_id)?;
    Ok(Some(VoteReach {
        notice_id,
        notified_at,
        households: places.iter().map(|p| p.households).sum(),
        reached: places.iter().map(|p| p.reached).sum(),
        places,
    }))
}

/// What the `vote.opened` entry states about the vote's notice: the first
/// notice of the vote written at or before `at` (the opening), its
/// households and how many were reached by then, and for an owners' vote
/// the committee's warning (fewer than 15 days, or not every household).
/// The opening's own notice (written by the entry itself) does not count.
/// Recomputable later from the record, since a reached household stays
/// reached at its first time.
pub fn vote_opened_facts(
    conn: &Connection,
    community_id: i64,
    vote_id: i64,
    owners: bool,
    at: i64,
) -> Result<serde_json::Value, Error> {
    let first: Option<(i64, i64)> = conn
        .query_row(
            "SELECT id, created_at FROM notices WHERE community_id = ?1 AND subject = ?2
               AND created_at <= ?3 AND NOT (kind = 'vote_opened' AND ledger_seq IS NOT NULL)
             ORDER BY created_at, id LIMIT 1",
            params![community_id, format!("vote:{vote_id}"), at],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (households, reached) = match first {
        Some((id, _)) => conn.query_row(
            "SELECT count(*), count(CASE WHEN reached_at <= ?2 THEN 1 END)
             FROM notice_households WHERE notice_id = ?1",
            params![id, at],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )?,
        None => (0, 0),
    };
    let notified_at = first.map(|f| f.1);
    let warning = owners
        .then(|| crate::notify::outbox::owners_notice_warning(notified_at, at, reached, households))
        .flatten();
    Ok(serde_json::json!({
        "notice": {
            "notified_at": notified_at,
            "households": households,
            "reached": reached,
            "warning": warning.map(|w| w.to_string()),
        }
    }))
}
