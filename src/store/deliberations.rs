//! Deliberations (流动的茶馆) in SQLite: the meeting, its agenda (with
//! residents' suggestions), attendance (QR sign-in or ticked by the host,
//! guests), minutes as revisions (a published revision is frozen by
//! triggers; an amendment is a new revision with a reason), confirmations by
//! attendees, and follow-up actions with their own lifecycle.

use crate::domain::Msg;
use crate::domain::deliberation::{self as rules, Minutes};
use crate::domain::ledger::{self, Broken, Entry};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Planned,
    Held,
    Published,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Held => "held",
            Status::Published => "published",
        }
    }
    fn parse(s: &str) -> Status {
        match s {
            "held" => Status::Held,
            "published" => Status::Published,
            _ => Status::Planned,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Deliberation {
    pub id: i64,
    pub community_id: i64,
    pub title: String,
    /// Where on the roll: "zone:3", "building:7" or "community".
    pub place: String,
    pub place_label: String,
    /// Free text: the courtyard, the hall.
    pub venue: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub host: String,
    pub status: Status,
    pub checkin_token: String,
    pub published_rev: Option<i64>,
}

const COLS: &str = "id, community_id, title, place, place_label, venue, starts_at, ends_at, host, status, checkin_token, published_rev";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Deliberation> {
    let status: String = r.get(9)?;
    Ok(Deliberation {
        id: r.get(0)?,
        community_id: r.get(1)?,
        title: r.get(2)?,
        place: r.get(3)?,
        place_label: r.get(4)?,
        venue: r.get(5)?,
        starts_at: r.get(6)?,
        ends_at: r.get(7)?,
        host: r.get(8)?,
        status: Status::parse(&status),
        checkin_token: r.get(10)?,
        published_rev: r.get(11)?,
    })
}

pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Deliberation, Error> {
    conn.prepare_cached(&format!(
        "SELECT {COLS} FROM deliberations WHERE community_id = ?1 AND id = ?2"
    ))?
    .query_row(params![community_id, id], from_row)
    .optional()?
    .ok_or(Error::NotFound)
}

/// All meetings, newest first.
pub fn list(conn: &Connection, community_id: i64) -> Result<Vec<Deliberation>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM deliberations WHERE community_id = ?1 ORDER BY starts_at DESC, id DESC"
    ))?;
    let v = st
        .query_map([community_id], from_row)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub struct NewDeliberation {
    pub title: String,
    pub place: String,
    pub venue: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub host: String,
}

/// The roll's name for a place ("三组", "3栋"), checking it is in the community.
pub fn place_label(conn: &Connection, community_id: i64, place: &str) -> Result<String, Error> {
    let missing = || {
        Error::Invalid(Msg::new(
            "所选地点不存在",
            "the chosen place does not exist",
        ))
    };
    let (kind, id) = match place.split_once(':') {
        Some((k, id)) => (k, id.parse::<i64>().map_err(|_| missing())?),
        None if place == "community" => {
            return Ok(conn.query_row(
                "SELECT name FROM communities WHERE id = ?1",
                [community_id],
                |r| r.get(0),
            )?);
        }
        None => return Err(missing()),
    };
    let label: Option<String> = match kind {
        "zone" => conn
            .query_row(
                "SELECT name FROM zones WHERE id = ?1 AND community_id = ?2",
                params![id, community_id],
                |r| r.get(0),
            )
            .optional()?,
        "building" => conn
            .query_row(
                "SELECT number || '栋' FROM buildings WHERE id = ?1 AND community_id = ?2",
                params![id, community_id],
                |r| r.get(0),
            )
            .optional()?,
        _ => None,
    };
    label.ok_or_else(missing)
}

pub fn create(
    tx: &Transaction,
    community_id: i64,
    n: &NewDeliberation,
    by: i64,
) -> Result<i64, Error> {
    let label = place_label(tx, community_id, &n.place)?;
    tx.execute(
        "INSERT INTO deliberations (community_id, title, place, place_label, venue, starts_at, ends_at, host, checkin_token, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            community_id,
            n.title,
            n.place,
            label,
            n.venue,
            n.starts_at,
            n.ends_at,
            n.host,
            super::sessions::random_token(),
            by,
            super::now()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub title: String,
    pub detail: String,
    /// suggested, agenda, declined
    pub state: String,
    pub suggester: Option<String>,
    pub proposal_id: Option<i64>,
}

pub fn items(conn: &Connection, id: i64) -> Result<Vec<Item>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT id, title, detail, state, suggester, proposal_id FROM agenda_items WHERE deliberation_id = ?1 ORDER BY position, id",
    )?;
    let v = st
        .query_map([id], |r| {
            Ok(Item {
                id: r.get(0)?,
                title: r.get(1)?,
                detail: r.get(2)?,
                state: r.get(3)?,
                suggester: r.get(4)?,
                proposal_id: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

fn not_after_meeting(d: &Deliberation) -> Result<(), Error> {
    if d.status != Status::Planned {
        return Err(Error::Conflict(Msg::new(
            "议事会已经开过，议程不能再改",
            "the meeting has been held; its agenda is closed",
        )));
    }
    Ok(())
}

fn text(s: &str, max: usize, zh: &str, en: &str) -> Result<String, Error> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(Error::Invalid(Msg::new(
            format!("请填写{zh}（最多 {max} 字）"),
            format!("{en} is required ({max} characters at most)"),
        )));
    }
    Ok(t.to_string())
}

/// An agenda item: by the host (on the agenda), or suggested by a resident
/// (waiting for the host), optionally linked to a proposal.
pub fn add_item(
    tx: &Transaction,
    d: &Deliberation,
    title: &str,
    detail: &str,
    suggester: Option<(i64, &str)>,
    proposal_id: Option<i64>,
) -> Result<i64, Error> {
    not_after_meeting(d)?;
    let title = text(title, 100, "议题", "the item")?;
    if detail.chars().count() > 2000 {
        return Err(Error::Invalid(Msg::new(
            "说明最多 2000 字",
            "2000 characters at most",
        )));
    }
    let pos: i64 = tx.query_row(
        "SELECT coalesce(max(position), 0) + 1 FROM agenda_items WHERE deliberation_id = ?1",
        [d.id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO agenda_items (deliberation_id, position, title, detail, state, suggested_by, suggester, proposal_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            d.id,
            pos,
            title,
            detail.trim(),
            if suggester.is_some() { "suggested" } else { "agenda" },
            suggester.map(|s| s.0),
            suggester.map(|s| s.1),
            proposal_id,
            super::now()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The host takes a suggestion onto the agenda, or declines it.
pub fn decide_item(
    tx: &Transaction,
    d: &Deliberation,
    item: i64,
    accept: bool,
) -> Result<String, Error> {
    not_after_meeting(d)?;
    tx.query_row(
        "UPDATE agenda_items SET state = ?3 WHERE id = ?1 AND deliberation_id = ?2 AND state = 'suggested' RETURNING title",
        params![item, d.id, if accept { "agenda" } else { "declined" }],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(Error::NotFound)
}

#[derive(Debug, Clone)]
pub struct Attendee {
    pub resident_id: i64,
    pub name: String,
    pub zone: String,
    pub building: Option<String>,
    pub how: String,
}

pub fn attendance(conn: &Connection, id: i64) -> Result<Vec<Attendee>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT a.resident_id, r.name, z.name, b.number, a.how
         FROM attendance a JOIN residents r ON r.id = a.resident_id
         JOIN households h ON h.id = r.household_id
         JOIN zones z ON z.id = h.zone_id
         LEFT JOIN dwellings dw ON dw.id = h.dwelling_id
         LEFT JOIN units u ON u.id = dw.unit_id
         LEFT JOIN buildings b ON b.id = u.building_id
         WHERE a.deliberation_id = ?1 ORDER BY z.name, r.name",
    )?;
    let v = st
        .query_map([id], |r| {
            Ok(Attendee {
                resident_id: r.get(0)?,
                name: r.get(1)?,
                zone: r.get(2)?,
                building: r.get::<_, Option<String>>(3)?.map(|b| format!("{b}栋")),
                how: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Records a resident as present (idempotent). `how` is "qr" or "host".
pub fn attend(tx: &Transaction, d: &Deliberation, resident: i64, how: &str) -> Result<bool, Error> {
    let ok: bool = tx
        .prepare_cached(
            "SELECT 1 FROM residents WHERE id = ?1 AND community_id = ?2 AND active = 1",
        )?
        .exists(params![resident, d.community_id])?;
    if !ok {
        return Err(Error::Invalid(Msg::new(
            "名册上没有这位居民",
            "no such resident on the roll",
        )));
    }
    let n = tx.execute(
        "INSERT INTO attendance (deliberation_id, resident_id, how, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (deliberation_id, resident_id) DO NOTHING",
        params![d.id, resident, how, super::now()],
    )?;
    Ok(n > 0)
}

/// Sign-in by the QR code shown at the venue: the right token, inside the window.
pub fn check_in(
    tx: &Transaction,
    d: &Deliberation,
    token: &str,
    resident: i64,
) -> Result<bool, Error> {
    use subtle::ConstantTimeEq;
    let same = token.len() == d.checkin_token.len()
        && bool::from(token.as_bytes().ct_eq(d.checkin_token.as_bytes()));
    if !same {
        return Err(Error::Invalid(Msg::new(
            "签到码不对：请扫描会场上的二维码",
            "wrong sign-in code: scan the QR code shown at the venue",
        )));
    }
    if d.status == Status::Published || !rules::checkin_open(d.starts_at, d.ends_at, super::now()) {
        return Err(Error::Conflict(Msg::new(
            "现在不在议事会时间内，扫码签到只在会议期间（开始前 30 分钟起）有效",
            "sign-in by QR code works only during the meeting (from 30 minutes before it starts)",
        )));
    }
    attend(tx, d, resident, "qr")
}

pub fn add_guest(tx: &Transaction, d: &Deliberation, name: &str, role: &str) -> Result<(), Error> {
    let name = text(name, 50, "姓名", "the name")?;
    let role = text(role, 50, "身份", "the role")?;
    tx.execute(
        "INSERT INTO deliberation_guests (deliberation_id, name, role) VALUES (?1, ?2, ?3)",
        params![d.id, name, role],
    )?;
    Ok(())
}

pub fn guests(conn: &Connection, id: i64) -> Result<Vec<(String, String)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT name, role FROM deliberation_guests WHERE deliberation_id = ?1 ORDER BY id",
    )?;
    let v = st
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub rev: i64,
    pub minutes: Minutes,
    pub reason: Option<String>,
    pub published_at: Option<i64>,
}

pub fn revisions(conn: &Connection, id: i64) -> Result<Vec<Revision>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT rev, body, reason, published_at FROM minutes_revisions WHERE deliberation_id = ?1 ORDER BY rev",
    )?;
    let v = st
        .query_map([id], |r| {
            let body: String = r.get(1)?;
            Ok(Revision {
                rev: r.get(0)?,
                minutes: serde_json::from_str(&body).unwrap_or_default(),
                reason: r.get(2)?,
                published_at: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Saves the host's draft of the minutes (the working revision); the
/// meeting counts as held from then on.
pub fn save_minutes(
    tx: &Transaction,
    d: &Deliberation,
    m: &Minutes,
    reason: Option<&str>,
    by: i64,
) -> Result<i64, Error> {
    if d.starts_at > super::now() {
        return Err(Error::Conflict(Msg::new(
            "议事会还没有开始，不能写纪要",
            "the meeting has not started yet; minutes come after",
        )));
    }
    let body = serde_json::to_string(m).unwrap_or_default();
    let working: Option<i64> = tx
        .query_row(
            "SELECT rev FROM minutes_revisions WHERE deliberation_id = ?1 AND published_at IS NULL",
            [d.id],
            |r| r.get(0),
        )
        .optional()?;
    let rev = match working {
        Some(rev) => {
            tx.execute(
                "UPDATE minutes_revisions SET body = ?3 WHERE deliberation_id = ?1 AND rev = ?2",
                params![d.id, rev, body],
            )?;
            rev
        }
        None => {
            let next = d.published_rev.unwrap_or(0) + 1;
            if next > 1 && reason.is_none_or(|r| r.trim().is_empty()) {
                return Err(Error::Invalid(Msg::new(
                    "已公开的纪要只能修订：请写明修订原因",
                    "published minutes are amended, not edited: give the reason",
                )));
            }
            tx.execute(
                "INSERT INTO minutes_revisions (deliberation_id, rev, body, reason, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![d.id, next, body, reason.map(str::trim), by, super::now()],
            )?;
            next
        }
    };
    if d.status == Status::Planned {
        tx.execute(
            "UPDATE deliberations SET status = 'held' WHERE id = ?1",
            [d.id],
        )?;
    }
    Ok(rev)
}

/// What the ledger fixes of published minutes.
pub fn minutes_hash(d: &Deliberation, m: &Minutes) -> String {
    ledger::digest(
        &json!({"deliberation": d.id, "title": d.title, "place": d.place_label, "starts_at": d.starts_at, "minutes": m}),
    )
}

/// Publishes the working revision: frozen, in the ledger, and its new
/// follow-up actions created.
pub fn publish(tx: &Transaction, d: &Deliberation) -> Result<Entry, Error> {
    let Some(w) = revisions(tx, d.id)?
        .into_iter()
        .find(|r| r.published_at.is_none())
    else {
        return Err(Error::Conflict(Msg::new(
            "没有待公开的纪要",
            "there are no draft minutes to publish",
        )));
    };
    let now = super::now();
    tx.execute(
        "UPDATE minutes_revisions SET published_at = ?3 WHERE deliberation_id = ?1 AND rev = ?2",
        params![d.id, w.rev, now],
    )?;
    tx.execute(
        "UPDATE deliberations SET status = 'published', published_rev = ?2 WHERE id = ?1",
        params![d.id, w.rev],
    )?;
    for item in &w.minutes.items {
        for a in &item.actions {
            tx.execute(
                "INSERT INTO actions (community_id, deliberation_id, item_id, title, owner, due, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (deliberation_id, item_id, title) DO UPDATE SET owner = excluded.owner, due = excluded.due",
                params![d.community_id, d.id, item.item, a.title, a.owner, a.due, now],
            )?;
        }
    }
    let attendees: i64 = tx.query_row(
        "SELECT count(*) FROM attendance WHERE deliberation_id = ?1",
        [d.id],
        |r| r.get(0),
    )?;
    let mut payload = json!({
        "deliberation": d.id,
        "rev": w.rev,
        "title": d.title,
        "place": d.place_label,
        "minutes_hash": minutes_hash(d, &w.minutes),
        "items": w.minutes.items.len(),
        "attendees": attendees,
    });
    let kind = if w.rev > 1 {
        payload["reason"] = json!(w.reason);
        "minutes.amended"
    } else {
        "minutes.published"
    };
    super::anchor::publish(tx, d.community_id, kind, &format!("deliberation:{}", d.id))
}

/// An attendee confirms the published (or draft) minutes they read.
pub fn confirm(tx: &Transaction, d: &Deliberation, rev: i64, account: i64) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO minutes_confirmations (deliberation_id, rev, account_id, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![d.id, rev, account, super::now()],
    )?;
    Ok(())
}

pub fn confirmations(conn: &Connection, id: i64) -> Result<Vec<(i64, String)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT c.rev, a.display_name FROM minutes_confirmations c JOIN accounts a ON a.id = c.account_id
         WHERE c.deliberation_id = ?1 ORDER BY c.at",
    )?;
    let v = st
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

#[derive(Debug, Clone)]
pub struct Action {
    pub id: i64,
    pub deliberation_id: i64,
    pub meeting: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub report: Option<String>,
    pub closed_at: Option<i64>,
}

/// Follow-up actions, open first (oldest due first), then done.
pub fn actions(
    conn: &Connection,
    community_id: i64,
    deliberation: Option<i64>,
) -> Result<Vec<Action>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT a.id, a.deliberation_id, d.title, a.title, a.owner, a.due, a.status, a.report, a.closed_at
         FROM actions a JOIN deliberations d ON d.id = a.deliberation_id
         WHERE a.community_id = ?1 AND (?2 IS NULL OR a.deliberation_id = ?2)
         ORDER BY a.status = 'done', a.due, a.id",
    )?;
    let v = st
        .query_map(params![community_id, deliberation], |r| {
            Ok(Action {
                id: r.get(0)?,
                deliberation_id: r.get(1)?,
                meeting: r.get(2)?,
                title: r.get(3)?,
                owner: r.get(4)?,
                due: r.get(5)?,
                status: r.get(6)?,
                report: r.get(7)?,
                closed_at: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Closes an action with a short report; in the ledger, so it sticks.
pub fn close_action(
    tx: &Transaction,
    community_id: i64,
    id: i64,
    report: &str,
    by: i64,
) -> Result<Entry, Error> {
    let report = text(report, 1000, "完成情况说明", "a short report")?;
    let deliberation: i64 = tx
        .query_row(
            "UPDATE actions SET status = 'done', report = ?3, closed_by = ?4, closed_at = ?5
             WHERE id = ?1 AND community_id = ?2 AND status = 'open' RETURNING deliberation_id",
            params![id, community_id, report, by, super::now()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            Error::Conflict(Msg::new(
                "这项跟进已经办结或不存在",
                "this action is already done or does not exist",
            ))
        })?;
    super::anchor::publish(
        tx,
        community_id,
        "action.closed",
        &format!("deliberation:{deliberation}"),
    )
}

/// Does a ledger entry about minutes or an action still match the records?
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    let broken = |zh: String, en: String| Ok(Some(Broken { seq: e.seq, zh, en }));
    match e.kind.as_str() {
        "minutes.published" | "minutes.amended" => {
            let id = e.payload["deliberation"].as_i64().unwrap_or(-1);
            let rev = e.payload["rev"].as_i64().unwrap_or(-1);
            let d = match get(conn, community_id, id) {
                Ok(d) => d,
                Err(Error::NotFound) => {
                    return broken(
                        format!("第 {} 条记录所说的议事会 {id} 不见了", e.seq),
                        format!("entry {}: deliberation {id} is gone", e.seq),
                    );
                }
                Err(err) => return Err(err),
            };
            let r = revisions(conn, id)?.into_iter().find(|r| r.rev == rev);
            if r.is_none_or(|r| {
                e.payload["minutes_hash"].as_str() != Some(minutes_hash(&d, &r.minutes).as_str())
            }) {
                return broken(
                    format!(
                        "第 {} 条记录：议事会“{}”已公开的纪要（第 {rev} 版）被改动过",
                        e.seq, d.title
                    ),
                    format!(
                        "entry {}: the published minutes of \"{}\" (revision {rev}) were altered",
                        e.seq, d.title
                    ),
                );
            }
        }
        "action.closed" => {
            let id = e.payload["action"].as_i64().unwrap_or(-1);
            let report: Option<Option<String>> = conn
                .query_row(
                    "SELECT report FROM actions WHERE id = ?1 AND community_id = ?2",
                    params![id, community_id],
                    |r| r.get(0),
                )
                .optional()?;
            if report
                .flatten()
                .map(|t| ledger::sha256_hex(t.as_bytes()))
                .as_deref()
                != e.payload["report_hash"].as_str()
            {
                return broken(
                    format!("第 {} 条记录：跟进事项的完成情况被改动过", e.seq),
                    format!(
                        "entry {}: the report of a follow-up action was altered",
                        e.seq
                    ),
                );
            }
        }
        _ => {}
    }
    Ok(None)
}
