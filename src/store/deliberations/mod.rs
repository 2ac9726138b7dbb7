//! Deliberations (流动的茶馆) in SQLite: the meeting, its agenda (with
//! residents' suggestions), attendance (QR sign-in or ticked by the host,
//! guests), minutes as revisions (a published revision is frozen by
//! triggers; an amendment is a new revision with a reason), confirmations by
//! attendees, and follow-up actions with their own lifecycle.

mod actions;
mod agenda;
mod attendance;
mod minutes;
mod verify;

pub use actions::*;
pub use agenda::*;
pub use attendance::*;
pub use minutes::*;
pub use verify::*;

use crate::domain::Msg;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

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

/// Column `i` of a row read as one of an enum's codes; text that is not one
/// is an error (the schema's CHECK should have kept it out).
pub(crate) fn code_at<T>(r: &rusqlite::Row, i: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr<Err = crate::domain::deliberation::UnknownCode>,
{
    let s: String = r.get(i)?;
    s.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}
