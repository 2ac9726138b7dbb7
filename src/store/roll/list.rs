//! Reading the roll for the committee's pages: a filtered page of residents,
//! one resident, the zones, and where a resident lives.

use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub zone_id: Option<i64>,
    pub q: Option<String>,
    pub without_account: bool,
    pub include_inactive: bool,
    pub page: usize,
}

#[derive(Debug, Clone)]
pub struct ResidentLine {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub zone: String,
    /// 3-2-501, or the household code where there is no dwelling.
    pub place: String,
    pub owner: bool,
    pub adult: bool,
    pub representative: bool,
    pub phone: String,
    pub login: Option<String>,
    pub active: bool,
}

pub const PAGE: usize = 100;

const LINE_SELECT: &str = "SELECT r.id, r.key, r.name, z.name,
       CASE WHEN d.id IS NULL THEN h.code ELSE b.number || '-' || u.number || '-' || d.number END,
       r.owner_id IS NOT NULL, r.is_adult, r.is_representative, r.phone, a.login, r.active
     FROM residents r
     JOIN households h ON h.id = r.household_id
     JOIN zones z ON z.id = h.zone_id
     LEFT JOIN dwellings d ON d.id = h.dwelling_id
     LEFT JOIN units u ON u.id = d.unit_id
     LEFT JOIN buildings b ON b.id = u.building_id
     LEFT JOIN accounts a ON a.resident_id = r.id";

fn line_from(r: &rusqlite::Row) -> rusqlite::Result<ResidentLine> {
    Ok(ResidentLine {
        id: r.get(0)?,
        key: r.get(1)?,
        name: r.get(2)?,
        zone: r.get(3)?,
        place: r.get(4)?,
        owner: r.get(5)?,
        adult: r.get(6)?,
        representative: r.get(7)?,
        phone: r.get(8)?,
        login: r.get(9)?,
        active: r.get(10)?,
    })
}

/// A page of the roll plus the total count matching the filter.
pub fn list(
    conn: &Connection,
    community_id: i64,
    f: &ListFilter,
) -> Result<(Vec<ResidentLine>, i64), Error> {
    let q = f.q.as_ref().map(|q| format!("%{}%", q.trim()));
    let wher = "WHERE r.community_id = ?1
          AND (?2 IS NULL OR h.zone_id = ?2)
          AND (?3 IS NULL OR r.name LIKE ?3 OR r.key LIKE ?3 OR r.phone LIKE ?3 OR h.code LIKE ?3
               OR (b.number || '-' || u.number || '-' || d.number) LIKE ?3)
          AND (?4 = 0 OR a.id IS NULL)
          AND (?5 = 1 OR r.active = 1)";
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id
             LEFT JOIN dwellings d ON d.id = h.dwelling_id LEFT JOIN units u ON u.id = d.unit_id
             LEFT JOIN buildings b ON b.id = u.building_id LEFT JOIN accounts a ON a.resident_id = r.id {wher}"
        ))?
        .query_row(
            params![community_id, f.zone_id, q, f.without_account, f.include_inactive],
            |r| r.get(0),
        )?;
    let mut st = conn.prepare_cached(&format!(
        "{LINE_SELECT} {wher} ORDER BY z.id, b.number, u.number, d.floor, d.number, h.code, r.key
         LIMIT ?6 OFFSET ?7"
    ))?;
    let v = st
        .query_map(
            params![
                community_id,
                f.zone_id,
                q,
                f.without_account,
                f.include_inactive,
                PAGE as i64,
                (f.page * PAGE) as i64
            ],
            line_from,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((v, total))
}

/// Ids of the residents a filter selects (all pages), for printing codes.
pub fn select_ids(conn: &Connection, community_id: i64, f: &ListFilter) -> Result<Vec<i64>, Error> {
    let mut all = ListFilter {
        page: 0,
        ..f.clone()
    };
    let mut ids = Vec::new();
    loop {
        let (page, _) = list(conn, community_id, &all)?;
        let n = page.len();
        ids.extend(page.into_iter().map(|l| l.id));
        if n < PAGE {
            break;
        }
        all.page += 1;
    }
    Ok(ids)
}

pub fn line(
    conn: &Connection,
    community_id: i64,
    resident_id: i64,
) -> Result<Option<ResidentLine>, Error> {
    Ok(conn
        .prepare_cached(&format!(
            "{LINE_SELECT} WHERE r.community_id = ?1 AND r.id = ?2"
        ))?
        .query_row(params![community_id, resident_id], line_from)
        .optional()?)
}

pub fn lines_by_ids(
    conn: &Connection,
    community_id: i64,
    ids: &[i64],
) -> Result<Vec<ResidentLine>, Error> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(l) = line(conn, community_id, *id)? {
            out.push(l);
        }
    }
    Ok(out)
}

pub fn zones(conn: &Connection, community_id: i64) -> Result<Vec<(i64, String)>, Error> {
    let mut st =
        conn.prepare_cached("SELECT id, name FROM zones WHERE community_id = ?1 ORDER BY id")?;
    let v = st
        .query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Where a resident lives and what they own, for their own account page.
pub fn resident_home(
    conn: &Connection,
    resident_id: i64,
) -> Result<Option<(String, String, String)>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT r.name, z.name,
               CASE WHEN d.id IS NULL THEN h.code ELSE b.number || '-' || u.number || '-' || d.number END
             FROM residents r JOIN households h ON h.id = r.household_id JOIN zones z ON z.id = h.zone_id
             LEFT JOIN dwellings d ON d.id = h.dwelling_id LEFT JOIN units u ON u.id = d.unit_id
             LEFT JOIN buildings b ON b.id = u.building_id WHERE r.id = ?1",
        )?
        .query_row([resident_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}
