//! The roll in SQLite: places, dwellings, households and residents. An import
//! is applied by keys (resident 编号, dwelling 楼栋-单元-房号, household 户号),
//! so the same file twice changes nothing and a changed row updates in place.

use crate::domain::dwelling::DwellingLabel;
use crate::domain::roll::{Field, ParsedRoll, PersonSpec};
use crate::domain::{Area, Msg};
use crate::error::Error;
use crate::sheet::Table;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Change {
    pub key: String,
    pub name: String,
    /// (field, old, new)
    pub fields: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub rows: usize,
    pub zones_new: usize,
    pub dwellings_new: usize,
    pub dwellings_changed: usize,
    pub households_new: usize,
    pub residents_new: usize,
    pub residents_changed: usize,
    pub residents_unchanged: usize,
    /// Active residents in the database that the file does not list.
    pub missing: Vec<(String, String)>,
    pub missing_deactivated: bool,
    /// The first changes, to show in the preview.
    pub changes: Vec<Change>,
}

impl Summary {
    pub fn changes_anything(&self) -> bool {
        self.zones_new
            + self.dwellings_new
            + self.dwellings_changed
            + self.households_new
            + self.residents_new
            + self.residents_changed
            > 0
            || (self.missing_deactivated && !self.missing.is_empty())
    }
}

const SHOW_CHANGES: usize = 100;

/// (id, floor, area in hundredths of m², owner)
type DwellingRow = (i64, i32, i64, Option<i64>);

struct ResRow {
    id: i64,
    household_id: i64,
    name: String,
    phone: String,
    adult: bool,
    owner_id: Option<i64>,
    rep: bool,
    active: bool,
}

fn yn(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// Applies a parsed roll. Call inside a transaction; roll it back for a preview.
pub fn apply(
    tx: &Transaction,
    community_id: i64,
    roll: &ParsedRoll,
    deactivate_missing: bool,
) -> Result<Summary, Error> {
    let mut s = Summary {
        rows: roll.rows.len(),
        missing_deactivated: deactivate_missing,
        ..Default::default()
    };
    let mut zones: HashMap<String, i64> = HashMap::new();
    {
        let mut st = tx.prepare("SELECT name, id FROM zones WHERE community_id = ?1")?;
        for r in st.query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (k, v) = r?;
            zones.insert(k, v);
        }
    }
    let mut buildings: HashMap<String, (i64, i64)> = HashMap::new();
    {
        let mut st =
            tx.prepare("SELECT number, id, zone_id FROM buildings WHERE community_id = ?1")?;
        for r in st.query_map([community_id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))? {
            let (k, v) = r?;
            buildings.insert(k, v);
        }
    }
    let mut units: HashMap<(i64, String), i64> = HashMap::new();
    {
        let mut st = tx.prepare(
            "SELECT u.building_id, u.number, u.id FROM units u JOIN buildings b ON b.id = u.building_id
             WHERE b.community_id = ?1",
        )?;
        for r in st.query_map([community_id], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))? {
            let (k, v) = r?;
            units.insert(k, v);
        }
    }
    let mut owners: HashMap<String, i64> = HashMap::new();
    {
        let mut st = tx.prepare("SELECT key, id FROM owners WHERE community_id = ?1")?;
        for r in st.query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (k, v) = r?;
            owners.insert(k, v);
        }
    }
    // (unit_id, number) -> (id, floor, area, owner_id)
    let mut dwellings: HashMap<(i64, String), DwellingRow> = HashMap::new();
    {
        let mut st = tx.prepare(
            "SELECT unit_id, number, id, floor, area_centi, owner_id FROM dwellings WHERE community_id = ?1",
        )?;
        for r in st.query_map([community_id], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
            ))
        })? {
            let (k, v) = r?;
            dwellings.insert(k, v);
        }
    }
    // code -> (id, zone_id, dwelling_id)
    let mut households: HashMap<String, (i64, i64, Option<i64>)> = HashMap::new();
    {
        let mut st = tx.prepare(
            "SELECT code, id, zone_id, dwelling_id FROM households WHERE community_id = ?1",
        )?;
        for r in st.query_map([community_id], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })? {
            let (k, v) = r?;
            households.insert(k, v);
        }
    }
    let mut residents: HashMap<String, ResRow> = HashMap::new();
    {
        let mut st = tx.prepare(
            "SELECT key, id, household_id, name, phone, is_adult, owner_id, is_representative, active
             FROM residents WHERE community_id = ?1",
        )?;
        for r in st.query_map([community_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ResRow {
                    id: r.get(1)?,
                    household_id: r.get(2)?,
                    name: r.get(3)?,
                    phone: r.get(4)?,
                    adult: r.get(5)?,
                    owner_id: r.get(6)?,
                    rep: r.get(7)?,
                    active: r.get(8)?,
                },
            ))
        })? {
            let (k, v) = r?;
            residents.insert(k, v);
        }
    }
    let household_codes: HashMap<i64, String> =
        households.iter().map(|(k, v)| (v.0, k.clone())).collect();

    let mut seen_dwellings: HashSet<i64> = HashSet::new();
    let mut seen_keys: HashSet<&str> = HashSet::new();
    for row in &roll.rows {
        let zone_id = match zones.get(&row.zone) {
            Some(id) => *id,
            None => {
                tx.execute(
                    "INSERT INTO zones (community_id, name) VALUES (?1, ?2)",
                    params![community_id, row.zone],
                )?;
                let id = tx.last_insert_rowid();
                zones.insert(row.zone.clone(), id);
                s.zones_new += 1;
                id
            }
        };
        let mut dwelling_id = None;
        let mut dwelling_owner = None;
        if let Some(d) = &row.dwelling {
            let building_id = match buildings.get(&d.label.building).copied() {
                Some((id, z)) => {
                    if z != zone_id {
                        tx.execute(
                            "UPDATE buildings SET zone_id = ?2 WHERE id = ?1",
                            params![id, zone_id],
                        )?;
                        buildings.insert(d.label.building.clone(), (id, zone_id));
                    }
                    id
                }
                None => {
                    tx.execute(
                        "INSERT INTO buildings (community_id, zone_id, number) VALUES (?1, ?2, ?3)",
                        params![community_id, zone_id, d.label.building],
                    )?;
                    let id = tx.last_insert_rowid();
                    buildings.insert(d.label.building.clone(), (id, zone_id));
                    id
                }
            };
            let ukey = (building_id, d.label.unit.clone());
            let unit_id = match units.get(&ukey) {
                Some(id) => *id,
                None => {
                    tx.execute(
                        "INSERT INTO units (building_id, number) VALUES (?1, ?2)",
                        params![building_id, d.label.unit],
                    )?;
                    let id = tx.last_insert_rowid();
                    units.insert(ukey, id);
                    id
                }
            };
            let owner_id = match owners.get(&d.owner_key) {
                Some(id) => *id,
                None => {
                    tx.execute(
                        "INSERT INTO owners (community_id, key) VALUES (?1, ?2)",
                        params![community_id, d.owner_key],
                    )?;
                    let id = tx.last_insert_rowid();
                    owners.insert(d.owner_key.clone(), id);
                    id
                }
            };
            let dkey = (unit_id, d.label.room.clone());
            let id = match dwellings.get(&dkey) {
                Some(&(id, floor, area, oid)) => {
                    if seen_dwellings.insert(id)
                        && (floor != d.floor || area != d.area_centi || oid != Some(owner_id))
                    {
                        tx.execute(
                            "UPDATE dwellings SET floor = ?2, area_centi = ?3, owner_id = ?4 WHERE id = ?1",
                            params![id, d.floor, d.area_centi, owner_id],
                        )?;
                        s.dwellings_changed += 1;
                        dwellings.insert(dkey, (id, d.floor, d.area_centi, Some(owner_id)));
                    }
                    id
                }
                None => {
                    tx.execute(
                        "INSERT INTO dwellings (community_id, unit_id, number, floor, area_centi, owner_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![community_id, unit_id, d.label.room, d.floor, d.area_centi, owner_id],
                    )?;
                    let id = tx.last_insert_rowid();
                    dwellings.insert(dkey, (id, d.floor, d.area_centi, Some(owner_id)));
                    seen_dwellings.insert(id);
                    s.dwellings_new += 1;
                    id
                }
            };
            dwelling_id = Some(id);
            dwelling_owner = Some(owner_id);
        }
        let Some(p) = &row.person else { continue };
        seen_keys.insert(&p.key);
        let household_id = match households.get(&p.household) {
            Some(&(id, z, did)) => {
                if z != zone_id || did != dwelling_id {
                    tx.execute(
                        "UPDATE households SET zone_id = ?2, dwelling_id = ?3 WHERE id = ?1",
                        params![id, zone_id, dwelling_id],
                    )?;
                    households.insert(p.household.clone(), (id, zone_id, dwelling_id));
                }
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO households (community_id, zone_id, code, dwelling_id) VALUES (?1, ?2, ?3, ?4)",
                    params![community_id, zone_id, p.household, dwelling_id],
                )?;
                let id = tx.last_insert_rowid();
                households.insert(p.household.clone(), (id, zone_id, dwelling_id));
                s.households_new += 1;
                id
            }
        };
        let owner_id = if p.owner { dwelling_owner } else { None };
        upsert_resident(
            tx,
            community_id,
            p,
            household_id,
            owner_id,
            residents.get(&p.key),
            &household_codes,
            &mut s,
        )?;
    }
    let mut missing: Vec<(String, String, i64)> = residents
        .iter()
        .filter(|(k, r)| r.active && !seen_keys.contains(k.as_str()))
        .map(|(k, r)| (k.clone(), r.name.clone(), r.id))
        .collect();
    missing.sort();
    if deactivate_missing {
        for (_, _, id) in &missing {
            tx.execute("UPDATE residents SET active = 0 WHERE id = ?1", [id])?;
        }
    }
    s.missing = missing.into_iter().map(|(k, n, _)| (k, n)).collect();
    Ok(s)
}

#[allow(clippy::too_many_arguments)]
fn upsert_resident(
    tx: &Transaction,
    community_id: i64,
    p: &PersonSpec,
    household_id: i64,
    owner_id: Option<i64>,
    old: Option<&ResRow>,
    household_codes: &HashMap<i64, String>,
    s: &mut Summary,
) -> Result<(), Error> {
    let Some(old) = old else {
        tx.execute(
            "INSERT INTO residents (community_id, key, household_id, name, phone, is_adult, owner_id,
               is_representative) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![community_id, p.key, household_id, p.name, p.phone, p.adult, owner_id, p.representative],
        )?;
        s.residents_new += 1;
        return Ok(());
    };
    let mut fields = Vec::new();
    if old.name != p.name {
        fields.push(("姓名 name".into(), old.name.clone(), p.name.clone()));
    }
    if old.household_id != household_id {
        let from = household_codes
            .get(&old.household_id)
            .cloned()
            .unwrap_or_default();
        fields.push(("户号 household".into(), from, p.household.clone()));
    }
    if old.phone != p.phone {
        fields.push(("电话 phone".into(), old.phone.clone(), p.phone.clone()));
    }
    if old.adult != p.adult {
        fields.push(("成年 adult".into(), yn(old.adult), yn(p.adult)));
    }
    if old.owner_id.is_some() != owner_id.is_some()
        || (old.owner_id.is_some() && old.owner_id != owner_id)
    {
        fields.push((
            "业主 owner".into(),
            yn(old.owner_id.is_some()),
            yn(owner_id.is_some()),
        ));
    }
    if old.rep != p.representative {
        fields.push((
            "村民代表 representative".into(),
            yn(old.rep),
            yn(p.representative),
        ));
    }
    if !old.active {
        fields.push(("在册 active".into(), yn(false), yn(true)));
    }
    if fields.is_empty() {
        s.residents_unchanged += 1;
        return Ok(());
    }
    tx.execute(
        "UPDATE residents SET household_id = ?2, name = ?3, phone = ?4, is_adult = ?5, owner_id = ?6,
           is_representative = ?7, active = 1 WHERE id = ?1",
        params![old.id, household_id, p.name, p.phone, p.adult, owner_id, p.representative],
    )?;
    s.residents_changed += 1;
    if s.changes.len() < SHOW_CHANGES {
        s.changes.push(Change {
            key: p.key.clone(),
            name: p.name.clone(),
            fields,
        });
    }
    Ok(())
}

/// The whole roll as a table in the import layout, so an export re-imports
/// without changes. Vacant dwellings get a row without a person.
pub fn export_table(conn: &Connection, community_id: i64) -> Result<Table, Error> {
    let mut table: Table = vec![Field::ALL.iter().map(|f| f.header().to_string()).collect()];
    let mut st = conn.prepare(
        "SELECT r.key, r.name, z.name, b.number, u.number, d.number, d.floor, d.area_centi, h.code,
                o.key, r.owner_id IS NOT NULL, r.is_adult, r.phone, r.is_representative
         FROM residents r
         JOIN households h ON h.id = r.household_id
         JOIN zones z ON z.id = h.zone_id
         LEFT JOIN dwellings d ON d.id = h.dwelling_id
         LEFT JOIN units u ON u.id = d.unit_id
         LEFT JOIN buildings b ON b.id = u.building_id
         LEFT JOIN owners o ON o.id = d.owner_id
         WHERE r.community_id = ?1 AND r.active = 1
         ORDER BY z.id, b.number, u.number, d.floor, d.number, h.code, r.key",
    )?;
    let rows = st.query_map([community_id], |r| {
        let area: Option<i64> = r.get(7)?;
        let floor: Option<i64> = r.get(6)?;
        Ok(vec![
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            floor.map(|f| f.to_string()).unwrap_or_default(),
            area.map(|a| Area::from_centi(a).to_string())
                .unwrap_or_default(),
            r.get(8)?,
            r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            yn(r.get(10)?),
            yn(r.get(11)?),
            r.get(12)?,
            yn(r.get(13)?),
        ])
    })?;
    for row in rows {
        table.push(row?);
    }
    let mut st = conn.prepare(
        "SELECT z.name, b.number, u.number, d.number, d.floor, d.area_centi, o.key
         FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         JOIN zones z ON z.id = b.zone_id LEFT JOIN owners o ON o.id = d.owner_id
         WHERE d.community_id = ?1 AND NOT EXISTS (
           SELECT 1 FROM households h JOIN residents r ON r.household_id = h.id
           WHERE h.dwelling_id = d.id AND r.active = 1)
         ORDER BY b.number, u.number, d.floor, d.number",
    )?;
    let rows = st.query_map([community_id], |r| {
        Ok(vec![
            String::new(),
            String::new(),
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, i64>(4)?.to_string(),
            Area::from_centi(r.get(5)?).to_string(),
            String::new(),
            r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])
    })?;
    for row in rows {
        table.push(row?);
    }
    Ok(table)
}

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

/// What a single-entry edit may change.
#[derive(Debug, Clone)]
pub struct ResidentEdit {
    pub name: String,
    pub phone: String,
    pub adult: bool,
    pub owner: bool,
    pub representative: bool,
    pub active: bool,
}

/// Updates one resident; returns what changed, for the audit log. An owner
/// must live in a registered dwelling: they join its owning party.
pub fn update_resident(
    tx: &Transaction,
    community_id: i64,
    resident_id: i64,
    e: &ResidentEdit,
) -> Result<Vec<(String, String, String)>, Error> {
    let (old_name, old_phone, old_adult, old_owner, old_rep, old_active, dwelling_owner): (
        String,
        String,
        bool,
        Option<i64>,
        bool,
        bool,
        Option<i64>,
    ) = tx
        .query_row(
            "SELECT r.name, r.phone, r.is_adult, r.owner_id, r.is_representative, r.active, d.owner_id
             FROM residents r JOIN households h ON h.id = r.household_id
             LEFT JOIN dwellings d ON d.id = h.dwelling_id
             WHERE r.id = ?1 AND r.community_id = ?2",
            params![resident_id, community_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    let owner_id = if e.owner {
        Some(dwelling_owner.ok_or_else(|| {
            Error::Invalid(Msg::new(
                "此居民没有登记房屋，不能设为业主",
                "this resident has no registered dwelling, so cannot be an owner",
            ))
        })?)
    } else {
        None
    };
    let mut changed = Vec::new();
    let mut diff = |f: &str, a: String, b: String| {
        if a != b {
            changed.push((f.to_string(), a, b));
        }
    };
    diff("姓名 name", old_name, e.name.clone());
    diff("电话 phone", old_phone, e.phone.clone());
    diff("成年 adult", yn(old_adult), yn(e.adult));
    diff(
        "业主 owner",
        yn(old_owner.is_some()),
        yn(owner_id.is_some()),
    );
    diff("村民代表 representative", yn(old_rep), yn(e.representative));
    diff("在册 active", yn(old_active), yn(e.active));
    tx.execute(
        "UPDATE residents SET name = ?2, phone = ?3, is_adult = ?4, owner_id = ?5, is_representative = ?6,
           active = ?7 WHERE id = ?1",
        params![resident_id, e.name, e.phone, e.adult, owner_id, e.representative, e.active],
    )?;
    Ok(changed)
}

/// Adds one resident to a household, named by its 户号 or by a dwelling
/// (3-2-501); a dwelling without a household gets one.
pub fn add_resident(
    tx: &Transaction,
    community_id: i64,
    key: &str,
    household: &str,
    e: &ResidentEdit,
) -> Result<i64, Error> {
    let found: Option<(i64, Option<i64>)> = tx
        .query_row(
            "SELECT h.id, d.owner_id FROM households h LEFT JOIN dwellings d ON d.id = h.dwelling_id
             WHERE h.community_id = ?1 AND h.code = ?2",
            params![community_id, household.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (household_id, dwelling_owner) = match found {
        Some(x) => x,
        None => {
            let not_found = || {
                Error::Invalid(Msg::new(
                    format!("找不到户号或房屋“{}”", household.trim()),
                    format!("no household or dwelling \"{}\"", household.trim()),
                ))
            };
            let label = DwellingLabel::parse(household).map_err(|_| not_found())?;
            let (did, zone_id, owner): (i64, i64, Option<i64>) = tx
                .query_row(
                    "SELECT d.id, b.zone_id, d.owner_id FROM dwellings d JOIN units u ON u.id = d.unit_id
                     JOIN buildings b ON b.id = u.building_id
                     WHERE d.community_id = ?1 AND b.number = ?2 AND u.number = ?3 AND d.number = ?4",
                    params![community_id, label.building, label.unit, label.room],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(not_found)?;
            tx.execute(
                "INSERT INTO households (community_id, zone_id, code, dwelling_id) VALUES (?1, ?2, ?3, ?4)",
                params![community_id, zone_id, label.to_string(), did],
            )?;
            (tx.last_insert_rowid(), owner)
        }
    };
    let owner_id = if e.owner {
        Some(dwelling_owner.ok_or_else(|| {
            Error::Invalid(Msg::new(
                "这一户没有登记房屋，不能设为业主",
                "this household has no registered dwelling, so nobody in it can be an owner",
            ))
        })?)
    } else {
        None
    };
    tx.execute(
        "INSERT INTO residents (community_id, key, household_id, name, phone, is_adult, owner_id, is_representative)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![community_id, key.trim(), household_id, e.name, e.phone, e.adult, owner_id, e.representative],
    )
    .map_err(|err| {
        if super::is_constraint(&err) {
            Error::Invalid(Msg::new(
                format!("编号“{}”已被使用", key.trim()),
                format!("id \"{}\" is already used", key.trim()),
            ))
        } else {
            err.into()
        }
    })?;
    Ok(tx.last_insert_rowid())
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
