//! What applying a parsed roll would do, worked out on a read snapshot
//! without writing: the preview's summary and the rows to stage. Matched by
//! keys (resident 编号, dwelling 楼栋-单元-房号, household 户号, owner key),
//! so the same file twice plans nothing and a changed row plans an update in
//! place.

use super::{Change, SHOW_CHANGES, Summary, yn};
use crate::domain::roll::{DwellingSpec, ParsedRoll, PersonSpec, RollRow};
use crate::error::Error;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

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
    let p = Plan {
        community_id,
        version: super::version(conn, community_id)?,
        summary: Summary {
            rows: roll.rows.len(),
            missing_deactivated: deactivate_missing,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut planner = Planner::new(p, Known::load(conn, community_id)?);
    for row in &roll.rows {
        planner.row(row);
    }
    Ok(planner.finish(deactivate_missing))
}

/// The roll as it stands, by the keys an imported row is matched on.
struct Known {
    zones: HashMap<String, Ref>,
    /// number -> (building, zone)
    buildings: HashMap<String, (Ref, Ref)>,
    units: HashMap<(Ref, String), Ref>,
    owners: HashMap<String, Ref>,
    dwellings: HashMap<(Ref, String), DwellingNow>,
    /// code -> (household, zone, dwelling)
    households: HashMap<String, (Ref, Ref, Option<Ref>)>,
    residents: HashMap<String, ResRow>,
}

/// Runs `sql` (one parameter: the community) into a map.
fn load_map<K: Eq + Hash, V>(
    conn: &Connection,
    sql: &str,
    community_id: i64,
    f: impl FnMut(&rusqlite::Row) -> rusqlite::Result<(K, V)>,
) -> Result<HashMap<K, V>, Error> {
    let mut st = conn.prepare(sql)?;
    let mut map = HashMap::new();
    for r in st.query_map([community_id], f)? {
        let (k, v) = r?;
        map.insert(k, v);
    }
    Ok(map)
}

impl Known {
    fn load(conn: &Connection, c: i64) -> Result<Known, Error> {
        fn old(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Ref> {
            r.get(i).map(Ref::Old)
        }
        fn old_opt(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<Ref>> {
            Ok(r.get::<_, Option<i64>>(i)?.map(Ref::Old))
        }
        Ok(Known {
            zones: load_map(
                conn,
                "SELECT name, id FROM zones WHERE community_id = ?1",
                c,
                |r| Ok((r.get(0)?, old(r, 1)?)),
            )?,
            buildings: load_map(
                conn,
                "SELECT number, id, zone_id FROM buildings WHERE community_id = ?1",
                c,
                |r| Ok((r.get(0)?, (old(r, 1)?, old(r, 2)?))),
            )?,
            units: load_map(
                conn,
                "SELECT u.building_id, u.number, u.id FROM units u JOIN buildings b ON b.id = u.building_id
             WHERE b.community_id = ?1",
                c,
                |r| Ok(((old(r, 0)?, r.get(1)?), old(r, 2)?)),
            )?,
            owners: load_map(
                conn,
                "SELECT key, id FROM owners WHERE community_id = ?1",
                c,
                |r| Ok((r.get(0)?, old(r, 1)?)),
            )?,
            dwellings: load_map(
                conn,
                "SELECT unit_id, number, id, floor, area_centi, owner_id FROM dwellings WHERE community_id = ?1",
                c,
                |r| {
                    let now = (old(r, 2)?, r.get(3)?, r.get(4)?, old_opt(r, 5)?);
                    Ok(((old(r, 0)?, r.get(1)?), now))
                },
            )?,
            households: load_map(
                conn,
                "SELECT code, id, zone_id, dwelling_id FROM households WHERE community_id = ?1",
                c,
                |r| Ok((r.get(0)?, (old(r, 1)?, old(r, 2)?, old_opt(r, 3)?))),
            )?,
            residents: load_map(
                conn,
                "SELECT key, id, household_id, name, phone, is_adult, owner_id, is_representative, active, email
             FROM residents WHERE community_id = ?1",
                c,
                |r| Ok((r.get::<_, String>(0)?, res_row(r)?)),
            )?,
        })
    }
}

fn res_row(r: &rusqlite::Row) -> rusqlite::Result<ResRow> {
    Ok(ResRow {
        id: r.get(1)?,
        household_id: r.get(2)?,
        name: r.get(3)?,
        phone: r.get(4)?,
        adult: r.get(5)?,
        owner_id: r.get(6)?,
        rep: r.get(7)?,
        active: r.get(8)?,
        email: r.get(9)?,
    })
}

/// The plan being built, row by row, against what is known so far (the roll
/// as it stands plus the rows planned already).
struct Planner<'a> {
    p: Plan,
    known: Known,
    household_codes: HashMap<i64, String>,
    // Changed rows are kept apart and follow the new ones.
    dwellings_changed: Vec<DwellingRow>,
    households_moved: Vec<HouseholdRow>,
    residents_changed: Vec<ResidentRow>,
    seen_dwellings: HashSet<Ref>,
    seen_keys: HashSet<&'a str>,
}

impl<'a> Planner<'a> {
    fn new(p: Plan, known: Known) -> Self {
        let household_codes = known
            .households
            .iter()
            .filter_map(|(k, v)| match v.0 {
                Ref::Old(id) => Some((id, k.clone())),
                Ref::New(_) => None,
            })
            .collect();
        Planner {
            p,
            known,
            household_codes,
            dwellings_changed: Vec::new(),
            households_moved: Vec::new(),
            residents_changed: Vec::new(),
            seen_dwellings: HashSet::new(),
            seen_keys: HashSet::new(),
        }
    }

    fn row(&mut self, row: &'a RollRow) {
        let zone = self.zone(&row.zone);
        let mut dwelling = None;
        let mut dwelling_owner = None;
        if let Some(d) = &row.dwelling {
            let building = self.building(&d.label.building, zone);
            let unit = self.unit(building, &d.label.unit);
            let owner = self.owner(&d.owner_key);
            dwelling = Some(self.dwelling(unit, d, owner));
            dwelling_owner = Some(owner);
        }
        let Some(person) = &row.person else { return };
        self.seen_keys.insert(&person.key);
        let household = self.household(person, zone, dwelling);
        let owner = if person.owner { dwelling_owner } else { None };
        self.resident(person, household, owner);
    }

    fn zone(&mut self, name: &str) -> Ref {
        if let Some(z) = self.known.zones.get(name) {
            return *z;
        }
        let z = Ref::New(self.p.zones.len());
        self.p.zones.push(name.to_string());
        self.known.zones.insert(name.to_string(), z);
        self.p.summary.zones_new += 1;
        z
    }

    /// The building by its number, moved to `zone` if it stood elsewhere.
    fn building(&mut self, number: &str, zone: Ref) -> Ref {
        let p = &mut self.p;
        match self.known.buildings.get(number).copied() {
            Some((b, z)) => {
                if z != zone {
                    if let Ref::Old(id) = b {
                        p.buildings_moved.push((id, zone));
                    } else if let Ref::New(n) = b
                        && let Some(nb) = p.buildings.get_mut(n)
                    {
                        nb.zone = zone;
                    }
                    self.known.buildings.insert(number.to_string(), (b, zone));
                }
                b
            }
            None => {
                let b = Ref::New(p.buildings.len());
                p.buildings.push(NewBuilding {
                    number: number.to_string(),
                    zone,
                });
                self.known.buildings.insert(number.to_string(), (b, zone));
                b
            }
        }
    }

    fn unit(&mut self, building: Ref, number: &str) -> Ref {
        let ukey = (building, number.to_string());
        if let Some(u) = self.known.units.get(&ukey) {
            return *u;
        }
        let u = Ref::New(self.p.units.len());
        self.p.units.push(NewUnit {
            building,
            number: number.to_string(),
        });
        self.known.units.insert(ukey, u);
        u
    }

    fn owner(&mut self, key: &str) -> Ref {
        if let Some(o) = self.known.owners.get(key) {
            return *o;
        }
        let o = Ref::New(self.p.owners.len());
        self.p.owners.push(key.to_string());
        self.known.owners.insert(key.to_string(), o);
        o
    }

    /// The dwelling in `unit`: new, or changed the first time a row names it
    /// with another floor, area or owner.
    fn dwelling(&mut self, unit: Ref, d: &DwellingSpec, owner: Ref) -> Ref {
        let dkey = (unit, d.label.room.clone());
        let row = |id| DwellingRow {
            id,
            unit,
            number: d.label.room.clone(),
            floor: d.floor,
            area_centi: d.area_centi,
            owner,
        };
        let now = |id| (id, d.floor, d.area_centi, Some(owner));
        match self.known.dwellings.get(&dkey) {
            Some(&(id, floor, area, oid)) => {
                if self.seen_dwellings.insert(id)
                    && (floor != d.floor || area != d.area_centi || oid != Some(owner))
                {
                    if let Ref::Old(old) = id {
                        self.dwellings_changed.push(row(Some(old)));
                        self.p.summary.dwellings_changed += 1;
                    }
                    self.known.dwellings.insert(dkey, now(id));
                }
                id
            }
            None => {
                let id = Ref::New(self.p.dwellings.len());
                self.p.dwellings.push(row(None));
                self.known.dwellings.insert(dkey, now(id));
                self.seen_dwellings.insert(id);
                self.p.summary.dwellings_new += 1;
                id
            }
        }
    }

    /// The person's household: new, or moved if it stood in another zone or dwelling.
    fn household(&mut self, person: &PersonSpec, zone: Ref, dwelling: Option<Ref>) -> Ref {
        let code = &person.household;
        match self.known.households.get(code).copied() {
            Some((h, z, did)) => {
                if z != zone || did != dwelling {
                    match h {
                        Ref::Old(id) => self.households_moved.push(HouseholdRow {
                            id: Some(id),
                            code: code.clone(),
                            zone,
                            dwelling,
                        }),
                        Ref::New(n) => {
                            if let Some(nh) = self.p.households.get_mut(n) {
                                nh.zone = zone;
                                nh.dwelling = dwelling;
                            }
                        }
                    }
                    self.known
                        .households
                        .insert(code.clone(), (h, zone, dwelling));
                }
                h
            }
            None => {
                let h = Ref::New(self.p.households.len());
                self.p.households.push(HouseholdRow {
                    id: None,
                    code: code.clone(),
                    zone,
                    dwelling,
                });
                self.known
                    .households
                    .insert(code.clone(), (h, zone, dwelling));
                self.p.summary.households_new += 1;
                h
            }
        }
    }

    fn resident(&mut self, person: &PersonSpec, household: Ref, owner: Option<Ref>) {
        let old = self.known.residents.get(&person.key);
        let p = &mut self.p;
        match diff_resident(person, household, owner, old, &self.household_codes) {
            Upsert::New(r) => {
                p.residents.push(r);
                p.summary.residents_new += 1;
            }
            Upsert::Same => p.summary.residents_unchanged += 1,
            Upsert::Changed(r, fields) => {
                self.residents_changed.push(r);
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

    /// The changed rows after the new ones, and the residents no row named.
    fn finish(self, deactivate_missing: bool) -> Plan {
        let mut p = self.p;
        p.dwellings.extend(self.dwellings_changed);
        p.households.extend(self.households_moved);
        p.residents.extend(self.residents_changed);
        let mut missing: Vec<(String, String, i64)> = self
            .known
            .residents
            .iter()
            .filter(|(k, r)| r.active && !self.seen_keys.contains(k.as_str()))
            .map(|(k, r)| (k.clone(), r.name.clone(), r.id))
            .collect();
        missing.sort();
        if deactivate_missing {
            p.moved_out = missing.iter().map(|m| m.2).collect();
        }
        p.summary.missing = missing.into_iter().map(|(k, n, _)| (k, n)).collect();
        p
    }
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
