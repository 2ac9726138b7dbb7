//! One data row of the roll read cell by cell: its zone, dwelling and person,
//! every bad cell reported with its row and column.

use super::{DwellingSpec, Field, PersonSpec, RollRow, RowError};
use super::{col_letter, floor_from, parse_email, parse_phone, parse_yes_no};
use crate::domain::dwelling::DwellingLabel;
use crate::domain::{Area, Msg};
use std::collections::HashMap;

/// A row of the table, with the header's columns and the errors found so far.
pub(super) struct RowReader<'a> {
    pub cols: &'a HashMap<Field, usize>,
    pub header: &'a [String],
    pub raw: &'a [String],
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    pub errors: &'a mut Vec<RowError>,
}

impl<'a> RowReader<'a> {
    fn cell(&self, f: Field) -> &'a str {
        self.cols
            .get(&f)
            .and_then(|i| self.raw.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn err(&mut self, f: Field, msg: Msg) {
        let i = self.cols.get(&f).copied();
        self.errors.push(RowError {
            row: self.row,
            column: match i {
                Some(i) => format!("{} {}", col_letter(i), self.header[i].trim()),
                None => f.header().to_string(),
            },
            msg,
        });
    }

    /// The whole row; what is wrong in it is in `errors`.
    pub fn read(mut self) -> RollRow {
        let zone = self.cell(Field::Zone).to_string();
        if zone.is_empty() {
            self.err(Field::Zone, Msg::new("网格/村民小组为空", "zone is empty"));
        }
        let (b, u, r) = (
            self.cell(Field::Building),
            self.cell(Field::Unit),
            self.cell(Field::Room),
        );
        let any_dwelling = !(b.is_empty() && u.is_empty() && r.is_empty());
        let mut dwelling = None;
        if any_dwelling {
            dwelling = self.dwelling(b, u, r);
        } else if !self.cell(Field::OwnerKey).is_empty() {
            self.err(
                Field::OwnerKey,
                Msg::new(
                    "有产权人编号但没有房号",
                    "an owner key is given without a dwelling",
                ),
            );
        }
        let person = self.person(any_dwelling, &dwelling);
        RollRow {
            row: self.row,
            zone,
            dwelling,
            person,
        }
    }

    /// The dwelling named by building, unit and room (at least one is given).
    fn dwelling(&mut self, b: &str, u: &str, r: &str) -> Option<DwellingSpec> {
        let label = DwellingLabel::from_parts(b, u, r);
        let floor = floor_from(self.cell(Field::Floor));
        let area = Area::parse(self.cell(Field::Area));
        match (label, floor, area) {
            (Ok(label), Ok(floor), Ok(area)) => {
                let owner_key = match self.cell(Field::OwnerKey) {
                    "" => label.to_string(),
                    k => k.to_string(),
                };
                Some(DwellingSpec {
                    label,
                    floor,
                    area_centi: area.centi(),
                    owner_key,
                })
            }
            (l, f, a) => {
                if let Err(m) = l {
                    let field = if b.is_empty() || DwellingLabel::from_parts(b, "1", "1").is_err() {
                        Field::Building
                    } else if u.is_empty() || DwellingLabel::from_parts("1", u, "1").is_err() {
                        Field::Unit
                    } else {
                        Field::Room
                    };
                    self.err(field, m);
                }
                if let Err(m) = f {
                    self.err(Field::Floor, m);
                }
                if let Err(m) = a {
                    self.err(Field::Area, m);
                }
                None
            }
        }
    }

    /// The person, unless this is a vacant-dwelling row.
    fn person(
        &mut self,
        any_dwelling: bool,
        dwelling: &Option<DwellingSpec>,
    ) -> Option<PersonSpec> {
        let key = self.cell(Field::Key);
        let name = self.cell(Field::Name);
        if key.is_empty() && name.is_empty() {
            if !any_dwelling {
                self.err(
                    Field::Key,
                    Msg::new("编号和姓名都为空", "both id and name are empty"),
                );
            }
            return None;
        }
        self.check_key_and_name(key, name);
        let owner = self.yes_no(Field::Owner, false);
        let adult = self.yes_no(Field::Adult, true);
        let representative = self.yes_no(Field::Representative, false);
        if owner && !any_dwelling {
            self.err(
                Field::Owner,
                Msg::new("业主必须登记房号", "an owner must have a dwelling"),
            );
        }
        let phone = parse_phone(self.cell(Field::Phone)).unwrap_or_else(|m| {
            self.err(Field::Phone, m);
            String::new()
        });
        let email = parse_email(self.cell(Field::Email)).unwrap_or_else(|m| {
            self.err(Field::Email, m);
            String::new()
        });
        let household = self.household(any_dwelling, dwelling);
        Some(PersonSpec {
            key: key.to_string(),
            name: name.to_string(),
            household,
            owner,
            adult,
            phone,
            email,
            representative,
        })
    }

    fn check_key_and_name(&mut self, key: &str, name: &str) {
        if key.is_empty() {
            self.err(Field::Key, Msg::new("编号为空", "id is empty"));
        } else if key.chars().count() > 32 {
            self.err(
                Field::Key,
                Msg::new("编号超过 32 个字符", "id is longer than 32 characters"),
            );
        }
        if name.is_empty() {
            self.err(Field::Name, Msg::new("姓名为空", "name is empty"));
        } else if name.chars().count() > 40 {
            self.err(
                Field::Name,
                Msg::new("姓名超过 40 个字符", "name is longer than 40 characters"),
            );
        }
    }

    /// A 是/否 cell; `default` when the column is absent or the cell is bad.
    fn yes_no(&mut self, f: Field, default: bool) -> bool {
        if !self.cols.contains_key(&f) {
            return default;
        }
        let v = self.cell(f);
        match parse_yes_no(v) {
            Some(b) if !(v.is_empty() && f == Field::Adult) => b,
            _ => {
                self.err(
                    f,
                    Msg::new(
                        format!("“{}”应填“是”或“否”，而不是“{v}”", f.header()),
                        format!("{} should be yes or no, not \"{v}\"", f.en()),
                    ),
                );
                default
            }
        }
    }

    /// The household's code: as given, or the dwelling's label.
    fn household(&mut self, any_dwelling: bool, dwelling: &Option<DwellingSpec>) -> String {
        match (self.cell(Field::Household), dwelling) {
            ("", Some(d)) => d.label.to_string(),
            ("", None) if any_dwelling => String::new(), // dwelling error already reported
            ("", None) => {
                self.err(
                    Field::Household,
                    Msg::new(
                        "没有房号时必须填写户号",
                        "without a dwelling, the household is required",
                    ),
                );
                String::new()
            }
            (h, _) => h.to_string(),
        }
    }
}
