//! Who came: QR sign-in inside the window, the host's ticks, guests.

use super::*;
use crate::domain::Msg;
use crate::domain::deliberation::{self as rules};
use crate::error::Error;
use rusqlite::{Connection, Transaction, params};

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
        params![d.id, resident, how, crate::store::now()],
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
    if d.status == Status::Published
        || !rules::checkin_open(d.starts_at, d.ends_at, crate::store::now())
    {
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
