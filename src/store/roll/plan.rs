//! What applying a parsed roll would do, worked out on a read snapshot
//! without writing: the preview's summary and the rows to stage. Matched by
//! keys (resident 编号, dwelling 楼栋-单元-房号, household 户号, owner key),
//! so the same file twice plans nothing and a changed row plans an update in
//! place.

use super::{Change, SHOW_CHANGES, Summary, yn};
use crate::domain::roll::{ParsedRoll, PersonSpec};
use crate::error::Error;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// A row the plan refers to: one already in the roll (its id), or the n-th
/// new row of its table (its id is given when the plan is swapped in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ref {
    Old(i64),
    New(usize),
}

impl Ref {
    /// As stored in a staging table: an id (> 0), or -(n + 1) for the n-th new row.
    pub fn code(self) -> i64 {
        match self {
            Ref::Old(id) => id,
            Ref::New(n) => -(n as i64) - 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewBuilding {
    pub number: String,
    pub zone: Ref,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub building: Ref,
    pub number: String,
}

/// A new dwelling, or (with `id`) an existing one whose floor, area or owner change.
#[derive(Debug, Clone)]
pub struct DwellingRow {
    pub id: Option<i64>,
    pub unit: Ref,
    pub number: String,
    pub floor: i32,
    pub area_centi: i64,
    pub owner: Ref,
}

/// A new household, or (with `id`) an existing one that moves.
#[derive(Debug, Clone)]
pub struct HouseholdRow {
    pub id: Option<i64>,
    pub code: String,
    pub zone: Ref,
    pub dwelling: Option<Ref>,
}

/// A new resident, or (with `id`) an existing one that changes (and is on
/// the roll again if they had moved out).
#[derive(Debug, Clone)]
pub struct ResidentRow {
    pub id: Option<i64>,
    pub key: String,
    pub household: Ref,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub adult: bool,
    pub owner: Option<Ref>,
    pub representative: bool,
}

/// Everything an import writes, in the order it must be written.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub community_id: i64,
    /// The roll version the plan was made against (see [`super::version`]).
    pub version: i64,
    pub summary: Summary,
    pub zones: Vec<String>,
    pub buildings: Vec<NewBuilding>,
    /// Existing buildings that move to another zone: (id, zone).
    pub buildings_moved: Vec<(i64, Ref)>,
    pub units: Vec<NewUnit>,
    pub owners: Vec<String>,
    /// New dwellings first, then changed ones.
    pub dwellings: Vec<DwellingRow>,
    /// New households first, then moved ones.
    pub households: Vec<HouseholdRow>,
    /// New residents first, then changed ones.
    pub residents: Vec<ResidentRow>,
    /// Residents marked as moved out.
    pub moved_out: Vec<i64>,
}

impl Plan {
    /// Rows to stage, in all.
    pub fn len(&self) -> usize {
        self.zones.len()
            + self.buildings.len()
            + self.buildings_moved.len()
            + self.units.len()
            + self.owners.len()
            + self.dwellings.len()
            + self.households.len()
            + self.residents.len()
            + self.moved_out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct ResRow {
    id: i64,
    household_id: i64,
    name: String,
    phone: String,
    email: String,
    adult: bool,
    owner_id: Option<i64>,
    rep: bool,
    active: bool,
}

/// (id, floor, area in hundredths of m², owner)
type DwellingNow = (Ref, i32, i64, Option<Ref>);

/// Works out what applying `roll` would do. Run it inside one read
/// transaction, so that the roll and its version are one snapshot.
pub fn plan(
    conn: &Connection,
    community_id: i64,
    roll: &ParsedRoll,
    deactivate_missing: bool,
) -> Result<Plan, Error> {
    let mut p = Plan {
        community_id,
        version: super::version(conn, community_id)?,
        summary: Summary {
            rows: roll.rows.len(),
            missing_deactivated: deactivate_missing,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut zones: HashMap<String, Ref> = HashMap::new();
    {
        let mut st = conn.prepare("SELECT name, id FROM zones WHERE community_id = ?1")?;
        for r in st.query_map([community_id], |r| Ok((r.get(0)?, Ref::Old(r.get(1)?))))? {
            let (k, v) = r?;
            zones.insert(k, v);
        }
    }
    // number -> (building, zone)
    let mut buildings: HashMap<String, (Ref, Ref)> = HashMap::new();
    {
        let mut st =
            conn.prepare("SELECT number, id, zone_id FROM buildings WHERE community_id = ?1")?;
        for r in st.query_map([community_id], |r| {
            Ok((r.get(0)?, (Ref::Old(r.get(1)?), Ref::Old(r.get(2)?))))
        })? {
            let (k, v) = r?;
            buildings.insert(k, v);
        }
    }
    let mut units: HashMap<(Ref, String), Ref> = HashMap::new();
    {
        let mut st = conn.prepare(
            "SELECT u.building_id, u.number, u.id FROM units u JOIN buildings b ON b.id = u.building_id
             WHERE b.community_id = ?1",
        )?;
        for r in st.query_map([community_id], |r| {
            Ok(((Ref::Old(r.get(0)?), r.get(1)?), Ref::Old(r.get(2)?)))
        })? {
            let (k, v) = r?;
            units.insert(k, v);
        }
    }
    let mut owners: HashMap<String, Ref> = HashMap::new();
    {
        let mut st = conn.prepare("SELECT key, id FROM owners WHERE community_id = ?1")?;
        for r in st.query_map([community_id], |r| Ok((r.get(0)?, Ref::Old(r.get(1)?))))? {
            let (k, v) = r?;
            owners.insert(k, v);
        }
    }
    let mut dwellings: HashMap<(Ref, String), DwellingNow> = HashMap::new();
    {
        let mut st = conn.prepare(
            "SELECT unit_id, number, id, floor, area_centi, owner_id FROM dwellings WHERE community_id = ?1",
        )?;
        for r in st.query_map([community_id], |r| {
            Ok((
                (Ref::Old(r.get(0)?), r.get(1)?),
                (
                    Ref::Old(r.get(2)?),
                    r.get(3)?,
                    r.get(4)?,
                    r.get::<_, Option<i64>>(5)?.map(Ref::Old),
                ),
            ))
        })? {
            let (k, v) = r?;
            dwellings.insert(k, v);
        }
    }
    // code -> (household, zone, dwelling)
    let mut households: HashMap<String, (Ref, Ref, Option<Ref>)> = HashMap::new();
    {
        let mut st = conn.prepare(
            "SELECT code, id, zone_id, dwelling_id FROM households WHERE community_id = ?1",
        )?;
        for r in st.query_map([community_id], |r| {
            Ok((
                r.get(0)?,
                (
                    Ref::Old(r.get(1)?),
                    Ref::Old(r.get(2)?),
                    r.get::<_, Option<i64>>(3)?.map(Ref::Old),
                ),
            ))
        })? {
            let (k, v) = r?;
            households.insert(k, v);
        }
    }
    let mut residents: HashMap<String, ResRow> = HashMap::new();
    {
        let mut st = conn.prepare(
            "SELECT key, id, household_id, name, phone, is_adult, owner_id, is_representative, active, email
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
                    email: r.get(9)?,
                },
            ))
        })? {
            let (k, v) = r?;
            residents.insert(k, v);
        }
    }
    let household_codes: HashMap<i64, String> = households
        .iter()
        .filter_map(|(k, v)| match v.0 {
            Ref::Old(id) => Some((id, k.clone())),
            Ref::New(_) => None,
        })
        .collect();

    // Changed rows are kept apart and follow the new ones.
    let mut dwellings_changed = Vec::new();
    let mut households_moved = Vec::new();
    let mut residents_changed = Vec::new();
    let mut seen_dwellings: HashSet<Ref> = HashSet::new();
    let mut seen_keys: HashSet<&str> = HashSet::new();
    for row in &roll.rows {
        let zone = match zones.get(&row.zone) {
            Some(z) => *z,
            None => {
                let z = Ref::New(p.zones.len());
                p.zones.push(row.zone.clone());
                zones.insert(row.zone.clone(), z);
                p.summary.zones_new += 1;
                z
            }
        };
        let mut dwelling = None;
        let mut dwelling_owner = None;
        if let Some(d) = &row.dwelling {
            let building = match buildings.get(&d.label.building).copied() {
                Some((b, z)) => {
                    if z != zone {
                        if let Ref::Old(id) = b {
                            p.buildings_moved.push((id, zone));
                        } else if let Ref::New(n) = b
                            && let Some(nb) = p.buildings.get_mut(n)
                        {
                            nb.zone = zone;
                        }
                        buildings.insert(d.label.building.clone(), (b, zone));
                    }
                    b
                }
                None => {
                    let b = Ref::New(p.buildings.len());
                    p.buildings.push(NewBuilding {
                        number: d.label.building.clone(),
                        zone,
                    });
                    buildings.insert(d.label.building.clone(), (b, zone));
                    b
                }
            };
            let ukey = (building, d.label.unit.clone());
            let unit = match units.get(&ukey) {
                Some(u) => *u,
                None => {
                    let u = Ref::New(p.units.len());
                    p.units.push(NewUnit {
                        building,
                        number: d.label.unit.clone(),
                    });
                    units.insert(ukey, u);
                    u
                }
            };
            let owner = match owners.get(&d.owner_key) {
                Some(o) => *o,
                None => {
                    let o = Ref::New(p.owners.len());
                    p.owners.push(d.owner_key.clone());
                    owners.insert(d.owner_key.clone(), o);
                    o
                }
            };
            let dkey = (unit, d.label.room.clone());
            let id = match dwellings.get(&dkey) {
                Some(&(id, floor, area, oid)) => {
                    if seen_dwellings.insert(id)
                        && (floor != d.floor || area != d.area_centi || oid != Some(owner))
                    {
                        if let Ref::Old(old) = id {
                            dwellings_changed.push(DwellingRow {
                                id: Some(old),
                                unit,
                                number: d.label.room.clone(),
                                floor: d.floor,
                                area_centi: d.area_centi,
                                owner,
                            });
                            p.summary.dwellings_changed += 1;
                        }
                        dwellings.insert(dkey, (id, d.floor, d.area_centi, Some(owner)));
                    }
                    id
                }
                None => {
                    let id = Ref::New(p.dwellings.len());
                    p.dwellings.push(DwellingRow {
                        id: None,
                        unit,
                        number: d.label.room.clone(),
                        floor: d.floor,
                        area_centi: d.area_centi,
                        owner,
                    });
                    dwellings.insert(dkey, (id, d.floor, d.area_centi, Some(owner)));
                    seen_dwellings.insert(id);
                    p.summary.dwellings_new += 1;
                    id
                }
            };
            dwelling = Some(id);
            dwelling_owner = Some(owner);
        }
        let Some(person) = &row.person else { continue };
        seen_keys.insert(&person.key);
        let household = match households.get(&person.household).copied() {
            Some((h, z, did)) => {
                if z != zone || did != dwelling {
                    match h {
                        Ref::Old(id) => households_moved.push(HouseholdRow {
                            id: Some(id),
                            code: person.household.clone(),
                            zone,
                            dwelling,
                        }),
                        Ref::New(n) => {
                            if let Some(nh) = p.households.get_mut(n) {
                                nh.zone = zone;
                                nh.dwelling = dwelling;
                            }
                        }
                    }
                    households.insert(person.household.clone(), (h, zone, dwelling));
                }
                h
            }
            None => {
                let h = Ref::New(p.households.len());
                p.households.push(HouseholdRow {
                    id: None,
                    code: person.household.clone(),
                    zone,
                    dwelling,
                });
                households.insert(person.household.clone(), (h, zone, dwelling));
                p.summary.households_new += 1;
                h
            }
        };
        let owner = if person.owner { dwelling_owner } else { None };
        let old = residents.get(&person.key);
        match diff_resident(person, household, owner, old, &household_codes) {
            Upsert::New(r) => {
                p.residents.push(r);
                p.summary.residents_new += 1;
            }
            Upsert::Same => p.summary.residents_unchanged += 1,
            Upsert::Changed(r, fields) => {
                residents_changed.push(r);
                p.summary.residents_changed += 1;
                if p.summary.changes.len() < SHOW_CHANGES {
                    p.summary.changes.push(Change {
                        key: person.key.clone(),
                        name: person.name.clone(),
                        fields,
                    });
                }
            }
        }
    }
    p.dwellings.extend(dwellings_changed);
    p.households.extend(households_moved);
    p.residents.extend(residents_changed);
    let mut missing: Vec<(String, String, i64)> = residents
        .iter()
        .filter(|(k, r)| r.active && !seen_keys.contains(k.as_str()))
        .map(|(k, r)| (k.clone(), r.name.clone(), r.id))
        .collect();
    missing.sort();
    if deactivate_missing {
        p.moved_out = missing.iter().map(|m| m.2).collect();
    }
    p.summary.missing = missing.into_iter().map(|(k, n, _)| (k, n)).collect();
    Ok(p)
}

enum Upsert {
    New(ResidentRow),
    Same,
    Changed(ResidentRow, Vec<(String, String, String)>),
}

fn diff_resident(
    p: &PersonSpec,
    household: Ref,
    owner: Option<Ref>,
    old: Option<&ResRow>,
    household_codes: &HashMap<i64, String>,
) -> Upsert {
    let row = |id| ResidentRow {
        id,
        key: p.key.clone(),
        household,
        name: p.name.clone(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        adult: p.adult,
        owner,
        representative: p.representative,
    };
    let Some(old) = old else {
        return Upsert::New(row(None));
    };
    let mut fields = Vec::new();
    if old.name != p.name {
        fields.push(("姓名 name".into(), old.name.clone(), p.name.clone()));
    }
    if Ref::Old(old.household_id) != household {
        let from = household_codes
            .get(&old.household_id)
            .cloned()
            .unwrap_or_default();
        fields.push(("户号 household".into(), from, p.household.clone()));
    }
    if old.phone != p.phone {
        fields.push(("电话 phone".into(), old.phone.clone(), p.phone.clone()));
    }
    if old.email != p.email {
        fields.push((
            "邮箱 e-mail".into(),
            crate::domain::mask::mask_email(&old.email),
            crate::domain::mask::mask_email(&p.email),
        ));
    }
    if old.adult != p.adult {
        fields.push(("成年 adult".into(), yn(old.adult), yn(p.adult)));
    }
    if old.owner_id.map(Ref::Old) != owner {
        fields.push((
            "业主 owner".into(),
            yn(old.owner_id.is_some()),
            yn(owner.is_some()),
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
        Upsert::Same
    } else {
        Upsert::Changed(row(Some(old.id)), fields)
    }
}
