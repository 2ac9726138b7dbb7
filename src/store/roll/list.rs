//! Reading the roll for the committee's pages: a filtered page of residents,
//! in place order from an index (page N from its first key, as a kept
//! [`PageIndex`] tells), one resident, the zones and buildings, and
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

/// A resident's place in the list's order: (the household's `roll_order`,
/// the household's id, the resident's key).
pub type ListKey = (String, i64, String);

/// Where each page of a filter's list starts, and how many it selects:
/// read in one pass in place order from indexes alone, kept by the caller
/// (`Caches::roll_index`, under the register's change counter), so that
/// page N is read from its first key like page 1 instead of skipping rows.
#[derive(Debug, Clone, Default)]
pub struct PageIndex {
    pub total: i64,
    /// The last key of every page but the last: page `n` (from 0, n ≥ 1)
    /// starts right after `last[n - 1]`.
    pub last: Vec<ListKey>,
}

impl PageIndex {
    /// Roughly the bytes it holds, for a budget.
    pub fn size(&self) -> usize {
        self.last
            .iter()
            .map(|(o, _, k)| o.len() + k.len() + 64)
            .sum::<usize>()
            + 64
    }
}

/// The ids of a page in place order, read from indexes alone (without a
/// search), and the SQL that reads them, for the plan test: `?5` ids from
/// the first, or, `after` a key (`?6`, `?7`, `?8`: roll order, household
/// and resident key), from the one after it, by a range on the driving
/// index (only the key's own household is looked at past the range's start).
pub(crate) fn page_sql(f: &ListFilter, after: bool) -> String {
    let (joins, w) = conditions(f);
    let from = if after {
        " AND h.roll_order >= ?6
          AND (h.roll_order > ?6 OR h.id > ?7 OR (h.id = ?7 AND r.key > ?8))"
    } else {
        ""
    };
    format!(
        "SELECT r.id FROM households h JOIN residents r ON r.household_id = h.id{joins}
         WHERE {w}{from} ORDER BY h.roll_order, h.id, r.key LIMIT ?5"
    )
}

/// Every key a filter selects, in place order (for [`page_index`]).
pub(crate) fn keys_sql(f: &ListFilter) -> String {
    let (joins, w) = conditions(f);
    format!(
        "SELECT h.roll_order, h.id, r.key FROM households h JOIN residents r ON r.household_id = h.id{joins}
         WHERE {w} ORDER BY h.roll_order, h.id, r.key"
    )
}

/// A page of the roll plus the total count matching the filter.
pub fn list(
    conn: &Connection,
    community_id: i64,
    f: &ListFilter,
) -> Result<(Vec<ResidentLine>, i64), Error> {
    let index = page_index(conn, community_id, f)?;
    Ok((page(conn, community_id, f, &index)?, index.total))
}

/// What [`page_index`] depends on besides the community (to
/// keep them by).
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

/// The filter's search term as the SQL's `?4` takes it.
fn like(f: &ListFilter) -> Option<String> {
    f.q.as_ref().map(|q| format!("%{}%", q.trim()))
}

/// Where each page of the filter's list starts (see [`PageIndex`]): one
/// pass over the keys it selects, keeping every [`PAGE`]th.
pub fn page_index(
    conn: &Connection,
    community_id: i64,
    f: &ListFilter,
) -> Result<PageIndex, Error> {
    let mut st = conn.prepare_cached(&keys_sql(f))?;
    let all: [Value; 4] = [
        community_id.into(),
        f.zone_id.into(),
        f.building_id.into(),
        like(f).into(),
    ];
    let n = st.parameter_count();
    let mut rows = st.query(params_from_iter(&all[..n]))?;
    let mut index = PageIndex::default();
    while let Some(r) = rows.next()? {
        index.total += 1;
        if index.total % PAGE as i64 == 0 {
            index.last.push((r.get(0)?, r.get(1)?, r.get(2)?));
        }
    }
    // A last key at the very end would start an empty page.
    if index.total > 0 && index.total % PAGE as i64 == 0 {
        index.last.pop();
    }
    Ok(index)
}

/// The filter's page of the roll, `index` telling where each page starts
/// (as [`page_index`] reads it): only the page's ids are read, from its
/// first key on, then their lines. Past the last page, none.
pub fn page(
    conn: &Connection,
    community_id: i64,
    f: &ListFilter,
    index: &PageIndex,
) -> Result<Vec<ResidentLine>, Error> {
    let q = like(f);
    let limit = PAGE as i64;
    let ids = match f.page {
        0 => conn
            .prepare_cached(&page_sql(f, false))?
            .query_map(
                params![community_id, f.zone_id, f.building_id, q, limit],
                |r| r.get::<_, i64>(0),
            )?
            .collect::<Result<Vec<_>, _>>()?,
        n => {
            let Some((order, household, key)) = index.last.get(n - 1) else {
                return Ok(Vec::new());
            };
            conn.prepare_cached(&page_sql(f, true))?
                .query_map(
                    params![
                        community_id,
                        f.zone_id,
                        f.building_id,
                        q,
                        limit,
                        order,
                        household,
                        key
                    ],
                    |r| r.get::<_, i64>(0),
                )?
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    lines_by_ids(conn, community_id, &ids)
}

/// Ids of the residents a filter selects (all pages), for printing codes.
pub fn select_ids(conn: &Connection, community_id: i64, f: &ListFilter) -> Result<Vec<i64>, Error> {
    // One pass in place order: no LIMIT (-1).
    let ids = conn
        .prepare_cached(&page_sql(f, false))?
        .query_map(
            params![community_id, f.zone_id, f.building_id, like(f), -1],
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
