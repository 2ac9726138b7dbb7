//! The roll's rows checked against each other: one row per resident id; a
//! dwelling has one floor, area, owner and zone; a household one dwelling and zone.

use super::{DwellingSpec, Field, RollRow, RowError, col_letter};
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
    let col = |f: Field| match cols.get(&f) {
        Some(i) => format!("{} {}", col_letter(*i), header[*i].trim()),
        None => f.header().to_string(),
    };
    let mut keys: HashMap<&str, usize> = HashMap::new();
    let mut dwellings: BTreeMap<String, (&RollRow, &DwellingSpec)> = BTreeMap::new();
    let mut households: HashMap<&str, (&RollRow, Option<String>)> = HashMap::new();
    let mut buildings: HashMap<&str, (&str, usize)> = HashMap::new();
    for r in rows {
        if let Some(p) = &r.person {
            if let Some(first) = keys.insert(&p.key, r.row) {
                errors.push(RowError {
                    row: r.row,
                    column: col(Field::Key),
                    msg: Msg::new(
                        format!("编号“{}”与第 {first} 行重复", p.key),
                        format!("id \"{}\" repeats row {first}", p.key),
                    ),
                });
                keys.insert(&p.key, first);
            }
            let dl = r.dwelling.as_ref().map(|d| d.label.to_string());
            if !p.household.is_empty() {
                match households.get(p.household.as_str()) {
                    None => {
                        households.insert(&p.household, (r, dl));
                    }
                    Some((first, fdl)) => {
                        if *fdl != dl {
                            errors.push(RowError {
                                row: r.row,
                                column: col(Field::Household),
                                msg: Msg::new(
                                    format!(
                                        "户号“{}”在第 {} 行登记的房号不同",
                                        p.household, first.row
                                    ),
                                    format!(
                                        "household \"{}\" has another dwelling on row {}",
                                        p.household, first.row
                                    ),
                                ),
                            });
                        } else if first.zone != r.zone {
                            errors.push(RowError {
                                row: r.row,
                                column: col(Field::Zone),
                                msg: Msg::new(
                                    format!(
                                        "户号“{}”在第 {} 行属于另一个网格/小组",
                                        p.household, first.row
                                    ),
                                    format!(
                                        "household \"{}\" is in another zone on row {}",
                                        p.household, first.row
                                    ),
                                ),
                            });
                        }
                    }
                }
            }
        }
        if let Some(d) = &r.dwelling {
            match buildings.get(d.label.building.as_str()) {
                Some((z, first)) if *z != r.zone => errors.push(RowError {
                    row: r.row,
                    column: col(Field::Zone),
                    msg: Msg::new(
                        format!(
                            "{}栋在第 {first} 行属于“{z}”，这里是“{}”",
                            d.label.building, r.zone
                        ),
                        format!(
                            "building {} is in zone \"{z}\" on row {first}, here \"{}\"",
                            d.label.building, r.zone
                        ),
                    ),
                }),
                Some(_) => {}
                None => {
                    buildings.insert(&d.label.building, (&r.zone, r.row));
                }
            }
            let label = d.label.to_string();
            match dwellings.get(&label) {
                None => {
                    dwellings.insert(label, (r, d));
                }
                Some((first, fd)) => {
                    let mut differ = |f: Field, zh: &str, en: &str| {
                        errors.push(RowError {
                            row: r.row,
                            column: col(f),
                            msg: Msg::new(
                                format!("{} 的{zh}与第 {} 行不一致", d.label.zh(), first.row),
                                format!("the {en} of {label} differs from row {}", first.row),
                            ),
                        })
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
                        errors.push(RowError {
                            row: r.row,
                            column: String::new(),
                            msg: Msg::new(
                                format!("空置房屋行 {} 与第 {} 行重复", d.label.zh(), first.row),
                                format!(
                                    "vacant-dwelling row for {label} repeats row {}",
                                    first.row
                                ),
                            ),
                        });
                    }
                }
            }
        }
    }
}
