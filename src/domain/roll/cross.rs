//! The roll's rows checked against each other: one row per resident id; a
//! dwelling has one floor, area, owner and zone; a household one dwelling and zone.

use super::{DwellingSpec, Field, PersonSpec, RollRow, RowError, col_letter};
use crate::domain::Msg;
use std::collections::{BTreeMap, HashMap};

/// Checks that rows agree with each other: one row per resident id; a dwelling
/// has one floor, area, owner and zone; a household one dwelling and zone.
pub(super) fn cross_check(
    rows: &[RollRow],
    cols: &HashMap<Field, usize>,
    header: &[String],
    errors: &mut Vec<RowError>,
) {
    let mut c = Cross {
        cols,
        header,
        errors,
        keys: HashMap::new(),
        dwellings: BTreeMap::new(),
        households: HashMap::new(),
        buildings: HashMap::new(),
    };
    for r in rows {
        if let Some(p) = &r.person {
            c.key(r, p);
            if !p.household.is_empty() {
                c.household(r, p);
            }
        }
        if let Some(d) = &r.dwelling {
            c.building(r, d);
            c.dwelling(r, d);
        }
    }
}

/// The first row seen for each key, dwelling, household and building.
struct Cross<'a, 'e> {
    cols: &'a HashMap<Field, usize>,
    header: &'a [String],
    errors: &'e mut Vec<RowError>,
    keys: HashMap<&'a str, usize>,
    dwellings: BTreeMap<String, (&'a RollRow, &'a DwellingSpec)>,
    households: HashMap<&'a str, (&'a RollRow, Option<String>)>,
    buildings: HashMap<&'a str, (&'a str, usize)>,
}

impl<'a> Cross<'a, '_> {
    fn col(&self, f: Field) -> String {
        match self.cols.get(&f) {
            Some(i) => format!("{} {}", col_letter(*i), self.header[*i].trim()),
            None => f.header().to_string(),
        }
    }

    fn push(&mut self, row: usize, column: String, msg: Msg) {
        self.errors.push(RowError { row, column, msg });
    }

    /// One row per resident id.
    fn key(&mut self, r: &'a RollRow, p: &'a PersonSpec) {
        if let Some(first) = self.keys.insert(&p.key, r.row) {
            self.push(
                r.row,
                self.col(Field::Key),
                Msg::new(
                    format!("编号“{}”与第 {first} 行重复", p.key),
                    format!("id \"{}\" repeats row {first}", p.key),
                ),
            );
            self.keys.insert(&p.key, first);
        }
    }

    /// A household has one dwelling and one zone.
    fn household(&mut self, r: &'a RollRow, p: &'a PersonSpec) {
        let dl = r.dwelling.as_ref().map(|d| d.label.to_string());
        let Some((first, fdl)) = self.households.get(p.household.as_str()) else {
            self.households.insert(&p.household, (r, dl));
            return;
        };
        let (first_row, other_dwelling) = (*first, *fdl != dl);
        let first = first_row.row;
        if other_dwelling {
            self.push(
                r.row,
                self.col(Field::Household),
                Msg::new(
                    format!("户号“{}”在第 {} 行登记的房号不同", p.household, first),
                    format!(
                        "household \"{}\" has another dwelling on row {}",
                        p.household, first
                    ),
                ),
            );
        } else if first_row.zone != r.zone {
            self.push(
                r.row,
                self.col(Field::Zone),
                Msg::new(
                    format!("户号“{}”在第 {} 行属于另一个网格/小组", p.household, first),
                    format!(
                        "household \"{}\" is in another zone on row {}",
                        p.household, first
                    ),
                ),
            );
        }
    }

    /// A building is in one zone.
    fn building(&mut self, r: &'a RollRow, d: &'a DwellingSpec) {
        match self.buildings.get(d.label.building.as_str()) {
            Some(&(z, first)) if z != r.zone => self.push(
                r.row,
                self.col(Field::Zone),
                Msg::new(
                    format!(
                        "{}栋在第 {first} 行属于“{z}”，这里是“{}”",
                        d.label.building, r.zone
                    ),
                    format!(
                        "building {} is in zone \"{z}\" on row {first}, here \"{}\"",
                        d.label.building, r.zone
                    ),
                ),
            ),
            Some(_) => {}
            None => {
                self.buildings.insert(&d.label.building, (&r.zone, r.row));
            }
        }
    }

    /// A dwelling has one floor, area and owner, and a vacant-dwelling row is its only row.
    fn dwelling(&mut self, r: &'a RollRow, d: &'a DwellingSpec) {
        let label = d.label.to_string();
        let Some(&(first, fd)) = self.dwellings.get(&label) else {
            self.dwellings.insert(label, (r, d));
            return;
        };
        let mut differ = |f: Field, zh: &str, en: &str| {
            let msg = Msg::new(
                format!("{} 的{zh}与第 {} 行不一致", d.label.zh(), first.row),
                format!("the {en} of {label} differs from row {}", first.row),
            );
            self.push(r.row, self.col(f), msg);
        };
        if fd.floor != d.floor {
            differ(Field::Floor, "楼层", "floor");
        }
        if fd.area_centi != d.area_centi {
            differ(Field::Area, "面积", "area");
        }
        if fd.owner_key != d.owner_key {
            differ(Field::OwnerKey, "产权人编号", "owner key");
        }
        if r.person.is_none() || first.person.is_none() {
            self.push(
                r.row,
                String::new(),
                Msg::new(
                    format!("空置房屋行 {} 与第 {} 行重复", d.label.zh(), first.row),
                    format!("vacant-dwelling row for {label} repeats row {}", first.row),
                ),
            );
        }
    }
}
