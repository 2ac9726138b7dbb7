//! Reading the roll for the committee's pages: a filtered page of residents,
//! in place order from an index, one resident, the zones and buildings, and
//! where a resident lives.

use crate::error::Error;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub zone_id: Option<i64>,
    pub building_id: Option<i64>,
    pub q: Option<String>,
    pub without_account: bool,
    pub include_inactive: bool,
    /// From 0.
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

/// Residents on one page of the list.
pub const PAGE: usize = 50;

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

/// The filter's conditions on `h` (households), `r` (residents) and, when
/// searching or without an account, the joined places and accounts. The
/// driving index is the building's, else the zone's, else the community's
/// (each ordered by `roll_order`); the other terms are kept off indexes
/// (`+`) so the planner cannot pick one that needs a sort.
fn conditions(f: &ListFilter) -> (String, String) {
    let mut joins = String::new();
    let mut w = match (f.building_id, f.zone_id) {
        (Some(_), zone) => format!(
            "h.building_id = ?3 AND +h.community_id = ?1{}",
            if zone.is_some() {
                " AND +h.zone_id = ?2"
            } else {
                ""
            }
        ),
        (None, Some(_)) => "h.zone_id = ?2 AND +h.community_id = ?1".to_string(),
        (None, None) => "h.community_id = ?1".to_string(),
    };
    if !f.include_inactive {
        w.push_str(" AND r.active = 1");
    }
    if f.without_account {
        joins.push_str(" LEFT JOIN accounts a ON a.resident_id = r.id");
        w.push_str(" AND a.id IS NULL");
    }
    if f.q.is_some() {
        joins.push_str(
            " LEFT JOIN dwellings d ON d.id = h.dwelling_id LEFT JOIN units u ON u.id = d.unit_id
              LEFT JOIN buildings b ON b.id = u.building_id",
        );
        w.push_str(
            " AND (r.name LIKE ?4 OR r.key LIKE ?4 OR r.phone LIKE ?4 OR h.code LIKE ?4
               OR (b.number || '-' || u.number || '-' || d.number) LIKE ?4)",
        );
    }
    (joins, w)
}

/// The ids of a page in place order, read from indexes alone (without a
/// search), and the SQL that reads them, for the plan test. `from_end`
/// reads the same order backwards (the caller turns the page round), so a
/// page past the middle skips fewer rows than it would from the start.
pub(crate) fn page_sql(f: &ListFilter, from_end: bool) -> String {
    let (joins, w) = conditions(f);
    let dir = if from_end { " DESC" } else { "" };
    format!(
        "SELECT r.id FROM households h JOIN residents r ON r.household_id = h.id{joins}
         WHERE {w} ORDER BY h.roll_order{dir}, h.id{dir}, r.key{dir} LIMIT ?5 OFFSET ?6"
    )
}

/// How many residents the filter selects: the whole community's from the
/// index by community and `active`, else through the filter's index.
pub(crate) fn count_sql(f: &ListFilter) -> String {
    if f.building_id.is_none() && f.zone_id.is_none() && f.q.is_none() && !f.without_account {
        let active = if f.include_inactive {
            ""
        } else {
            " AND active = 1"
        };
        return format!("SELECT count(*) FROM residents WHERE community_id = ?1{active}");
    }
    let (joins, w) = conditions(f);
    format!(
        "SELECT count(*) FROM households h JOIN residents r ON r.household_id = h.id{joins} WHERE {w}"
    )
}

/// A page of the roll plus the total count matching the filter.
pub fn list(
    conn: &Connection,
    community_id: i64,
    f: &ListFilter,
) -> Result<(Vec<ResidentLine>, i64), Error> {
    let total = count(conn, community_id, f)?;
    Ok((page(conn, community_id, f, total)?, total))
}

/// What [`count`] depends on besides the community (to keep counts by).
pub fn count_key(f: &ListFilter) -> String {
    format!(
        "{:?}/{:?}/{}/{}/{:?}",
        f.zone_id,
        f.building_id,
        f.without_account,
        f.include_inactive,
        f.q.as_ref().map(|q| q.trim())
    )
}

/// How many residents the filter selects (all pages).
pub fn count(conn: &Connection, community_id: i64, f: &ListFilter) -> Result<i64, Error> {
    let q = f.q.as_ref().map(|q| format!("%{}%", q.trim()));
    let all: [Value; 4] = [
        community_id.into(),
        f.zone_id.into(),
        f.building_id.into(),
        q.into(),
    ];
    let mut count = conn.prepare_cached(&count_sql(f))?;
    // Each variant uses ?1 up to some ?N: bind those.
    let n = count.parameter_count();
    Ok(count.query_row(params_from_iter(&all[..n]), |r| r.get(0))?)
}

/// The filter's page of the roll, `total` being how many it selects in all
/// (as [`count`] tells): only the page's ids are read, then their lines.
pub fn page(
    conn: &Connection,
    community_id: i64,
    f: &ListFilter,
    total: i64,
) -> Result<Vec<ResidentLine>, Error> {
    let q = f.q.as_ref().map(|q| format!("%{}%", q.trim()));
    let offset = f.page.saturating_mul(PAGE) as i64;
    if offset >= total {
        return Ok(Vec::new());
    }
    let limit = PAGE as i64;
    // Past the middle, the page is the same rows counted from the end.
    let from_end = offset > total / 2;
    let (limit, skip) = if from_end {
        let end = (offset + limit).min(total);
        (end - offset, total - end)
    } else {
        (limit, offset)
    };
    let mut ids = conn
        .prepare_cached(&page_sql(f, from_end))?
        .query_map(
            params![community_id, f.zone_id, f.building_id, q, limit, skip],
            |r| r.get::<_, i64>(0),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    if from_end {
        ids.reverse();
    }
    lines_by_ids(conn, community_id, &ids)
}

/// Ids of the residents a filter selects (all pages), for printing codes.
pub fn select_ids(conn: &Connection, community_id: i64, f: &ListFilter) -> Result<Vec<i64>, Error> {
    let q = f.q.as_ref().map(|q| format!("%{}%", q.trim()));
    // One pass in place order: no LIMIT (-1), no OFFSET.
    let ids = conn
        .prepare_cached(&page_sql(f, false))?
        .query_map(
            params![community_id, f.zone_id, f.building_id, q, -1, 0],
            |r| r.get::<_, i64>(0),
        )?
        .collect::<Result<Vec<_>, _>>()?;
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

/// The lines of `ids`, in that order (an id not in the community is left
/// out): one statement, a lookup by key for each (the CROSS JOIN keeps the
/// list outermost).
pub fn lines_by_ids(
    conn: &Connection,
    community_id: i64,
    ids: &[i64],
) -> Result<Vec<ResidentLine>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let sql = LINE_SELECT.replacen(
        "FROM residents r",
        "FROM json_each(?2) j CROSS JOIN residents r ON r.id = j.value",
        1,
    );
    let v = conn
        .prepare_cached(&format!("{sql} WHERE r.community_id = ?1 ORDER BY j.key"))?
        .query_map(params![community_id, wanted], line_from)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

pub fn zones(conn: &Connection, community_id: i64) -> Result<Vec<(i64, String)>, Error> {
    let mut st =
        conn.prepare_cached("SELECT id, name FROM zones WHERE community_id = ?1 ORDER BY id")?;
    let v = st
        .query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// The community's buildings (id, number) for the roll's filter, in the
/// roll's order: whole numbers by value ("2" before "10"), then the rest.
pub fn buildings(conn: &Connection, community_id: i64) -> Result<Vec<(i64, String)>, Error> {
    let mut st = conn.prepare_cached("SELECT id, number FROM buildings WHERE community_id = ?1")?;
    let mut v: Vec<(i64, String)> = st
        .query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    v.sort_by_cached_key(|(_, n)| (n.parse::<u64>().map_err(|_| n.clone()), n.clone()));
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
