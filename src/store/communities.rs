//! Communities (社区 / 村): the tenant every row belongs to.

use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Village,
    Compound,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Village => "village",
            Kind::Compound => "compound",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "village" => Some(Kind::Village),
            "compound" => Some(Kind::Compound),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Community {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: Kind,
    pub tz: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_address: String,
    pub contact_hours: String,
}

const COLS: &str =
    "id, slug, name, kind, tz, contact_name, contact_phone, contact_address, contact_hours";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Community> {
    let kind: String = r.get(3)?;
    Ok(Community {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Compound),
        tz: r.get(4)?,
        contact_name: r.get(5)?,
        contact_phone: r.get(6)?,
        contact_address: r.get(7)?,
        contact_hours: r.get(8)?,
    })
}

pub fn by_slug(conn: &Connection, slug: &str) -> Result<Option<Community>, Error> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM communities WHERE slug = ?1"))?
        .query_row([slug], from_row)
        .optional()?)
}

/// Is community `id` a village? None if there is no such community.
pub fn is_village(conn: &Connection, id: i64) -> Result<Option<bool>, Error> {
    Ok(conn
        .prepare_cached("SELECT kind FROM communities WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, String>(0))
        .optional()?
        .map(|k| Kind::parse(&k) == Some(Kind::Village)))
}

pub fn list(conn: &Connection) -> Result<Vec<Community>, Error> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLS} FROM communities ORDER BY id"))?;
    let v = stmt
        .query_map([], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

pub fn create(tx: &Transaction, slug: &str, name: &str, kind: Kind) -> Result<i64, Error> {
    tx.execute(
        "INSERT INTO communities (slug, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![slug, name, kind.as_str(), super::now()],
    )?;
    Ok(tx.last_insert_rowid())
}

pub struct Contact {
    pub name: String,
    pub phone: String,
    pub address: String,
    pub hours: String,
}

pub fn set_contact(tx: &Transaction, id: i64, c: &Contact) -> Result<(), Error> {
    tx.execute(
        "UPDATE communities SET contact_name = ?2, contact_phone = ?3, contact_address = ?4,
         contact_hours = ?5 WHERE id = ?1",
        params![id, c.name, c.phone, c.address, c.hours],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct RollStats {
    pub zones: i64,
    pub buildings: i64,
    pub dwellings: i64,
    pub households: i64,
    pub residents: i64,
    pub adults: i64,
    pub owners: i64,
    pub accounts: i64,
}

pub fn roll_stats(conn: &Connection, id: i64) -> Result<RollStats, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT
           (SELECT count(*) FROM zones WHERE community_id = ?1),
           (SELECT count(*) FROM buildings WHERE community_id = ?1),
           (SELECT count(*) FROM dwellings WHERE community_id = ?1),
           (SELECT count(*) FROM households WHERE community_id = ?1),
           (SELECT count(*) FROM residents WHERE community_id = ?1 AND active = 1),
           (SELECT count(*) FROM residents WHERE community_id = ?1 AND active = 1 AND is_adult = 1),
           (SELECT count(DISTINCT owner_id) FROM dwellings WHERE community_id = ?1),
           (SELECT count(*) FROM accounts a JOIN residents r ON r.id = a.resident_id
              WHERE r.community_id = ?1)",
    )?;
    Ok(stmt.query_row([id], |r| {
        Ok(RollStats {
            zones: r.get(0)?,
            buildings: r.get(1)?,
            dwellings: r.get(2)?,
            households: r.get(3)?,
            residents: r.get(4)?,
            adults: r.get(5)?,
            owners: r.get(6)?,
            accounts: r.get(7)?,
        })
    })?)
}

/// How many co-signatures a proposal needs, as the committee set it.
pub fn proposal_threshold(conn: &Connection, id: i64) -> Result<String, Error> {
    Ok(conn.query_row(
        "SELECT proposal_threshold FROM communities WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

pub fn set_proposal_threshold(tx: &Transaction, id: i64, threshold: &str) -> Result<(), Error> {
    tx.execute(
        "UPDATE communities SET proposal_threshold = ?2 WHERE id = ?1",
        params![id, threshold],
    )?;
    Ok(())
}
