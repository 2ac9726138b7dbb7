//! The roll as committees keep it in Excel: one row per resident (or one row per
//! vacant dwelling), parsed and checked as a whole. Nothing here touches the
//! database; `store::roll` applies a parsed roll in one transaction.
//!
//! Columns (Chinese or English headers, any order):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | 编号 / id | yes (blank on a vacant-dwelling row) | the resident's stable key in the committee's sheet |
//! | 姓名 / name | yes (blank on a vacant-dwelling row) | |
//! | 网格 / 村民小组 / zone | yes | grid or villager group |
//! | 楼栋, 单元, 房号 / building, unit, room | together or not at all | the dwelling |
//! | 楼层 / floor, 专有面积 / area | with a dwelling | area in m², at most two decimals |
//! | 户号 / household | without a dwelling | defaults to the dwelling, e.g. 3-2-501 |
//! | 产权人编号 / owner key | no | the owning party of the dwelling; co-owners and one owner of several dwellings share it; defaults to the dwelling |
//! | 业主 / owner | no | 是/否: this resident is (one of) the dwelling's owners |
//! | 成年 / adult | no (absent = all adult) | 是/否 |
//! | 电话 / phone | no | |
//! | 邮箱 / e-mail | no | for notices by e-mail |
//! | 村民代表 / representative | no | 是/否 |

mod cells;
mod cross;
mod row;

pub use cells::*;
use cross::cross_check;
use row::RowReader;

use super::Msg;
use super::dwelling::DwellingLabel;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Key,
    Name,
    Zone,
    Building,
    Unit,
    Room,
    Floor,
    Area,
    Household,
    OwnerKey,
    Owner,
    Adult,
    Phone,
    Email,
    Representative,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Key,
        Field::Name,
        Field::Zone,
        Field::Building,
        Field::Unit,
        Field::Room,
        Field::Floor,
        Field::Area,
        Field::Household,
        Field::OwnerKey,
        Field::Owner,
        Field::Adult,
        Field::Phone,
        Field::Email,
        Field::Representative,
    ];

    /// The header written on export (and the first alias accepted on import).
    pub fn header(self) -> &'static str {
        self.aliases()[0]
    }

    pub fn en(self) -> &'static str {
        match self {
            Field::Key => "id",
            Field::Name => "name",
            Field::Zone => "zone",
            Field::Building => "building",
            Field::Unit => "unit",
            Field::Room => "room",
            Field::Floor => "floor",
            Field::Area => "area",
            Field::Household => "household",
            Field::OwnerKey => "owner key",
            Field::Owner => "owner",
            Field::Adult => "adult",
            Field::Phone => "phone",
            Field::Email => "e-mail",
            Field::Representative => "representative",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Key => &["编号", "居民编号", "序号", "id", "key"],
            Field::Name => &["姓名", "名字", "name"],
            Field::Zone => &["网格/村民小组", "网格", "村民小组", "小组", "zone", "group"],
            Field::Building => &["楼栋", "楼号", "栋", "building"],
            Field::Unit => &["单元", "unit"],
            Field::Room => &["房号", "门牌号", "室", "room"],
            Field::Floor => &["楼层", "层", "floor"],
            Field::Area => &["专有面积", "专有面积(㎡)", "面积", "area"],
            Field::Household => &["户号", "户", "household"],
            Field::OwnerKey => &["产权人编号", "产权人", "owner key", "owner_key"],
            Field::Owner => &["业主", "是否业主", "owner"],
            Field::Adult => &["成年", "是否成年", "adult"],
            Field::Phone => &["电话", "手机", "手机号", "联系电话", "phone"],
            Field::Email => &["邮箱", "电子邮箱", "电子邮件", "email", "e-mail"],
            Field::Representative => &["村民代表", "代表", "representative"],
        }
    }

    fn from_header(h: &str) -> Option<Field> {
        let norm = |s: &str| -> String {
            s.trim()
                .trim_start_matches('\u{feff}')
                .to_lowercase()
                .replace(['（', '）'], "")
                .replace(['(', ')', ' '], "")
        };
        let h = norm(h);
        Field::ALL
            .into_iter()
            .find(|f| f.aliases().iter().any(|a| norm(a) == h))
    }
}

/// One bad cell or row, as the committee will see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// Column letter and header, e.g. "H 专有面积"; empty for a whole-row problem.
    pub column: String,
    pub msg: Msg,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DwellingSpec {
    pub label: DwellingLabel,
    pub floor: i32,
    pub area_centi: i64,
    pub owner_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSpec {
    pub key: String,
    pub name: String,
    pub household: String,
    pub owner: bool,
    pub adult: bool,
    pub phone: String,
    /// Blank when the roll gives none (older previews have none).
    #[serde(default)]
    pub email: String,
    pub representative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollRow {
    pub row: usize,
    pub zone: String,
    pub dwelling: Option<DwellingSpec>,
    /// None on a vacant-dwelling row.
    pub person: Option<PersonSpec>,
}

/// A whole file, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRoll {
    pub rows: Vec<RollRow>,
    /// Things worth telling the committee that are not errors.
    pub notes: Vec<Msg>,
}

/// Parses a table whose first row is the header. Every problem is reported,
/// with its row and column; nothing is returned unless the whole table is valid.
pub fn parse_table(table: &[Vec<String>]) -> Result<ParsedRoll, Vec<RowError>> {
    let mut errors = Vec::new();
    let header_at = header_index(table);
    let Some(header) = table.get(header_at) else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            msg: Msg::new("文件是空的", "the file is empty"),
        }]);
    };
    let header_row = header_at + 1;
    let (cols, ignored) = read_header(header, header_row, &mut errors);
    check_columns(&cols, header_row, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let notes = header_notes(&cols, &ignored);
    let mut rows = Vec::new();
    for (idx, raw) in table.iter().enumerate().skip(header_at + 1) {
        if raw.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let reader = RowReader {
            cols: &cols,
            header,
            raw,
            row: idx + 1,
            errors: &mut errors,
        };
        rows.push(reader.read());
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: header_row + 1,
            column: String::new(),
            msg: Msg::new(
                "文件只有表头，没有数据行",
                "the file has a header but no rows",
            ),
        });
    }
    cross_check(&rows, &cols, header, &mut errors);
    if errors.is_empty() {
        Ok(ParsedRoll { rows, notes })
    } else {
        errors.sort_by_key(|e| e.row);
        Err(errors)
    }
}

/// Committees often put a title ("某某社区居民花名册") above the header:
/// the header is the first of the top ten rows that names two known columns.
fn header_index(table: &[Vec<String>]) -> usize {
    table
        .iter()
        .take(10)
        .position(|r| r.iter().filter(|h| Field::from_header(h).is_some()).count() >= 2)
        .unwrap_or(0)
}

/// Which column holds which field, and the headers not recognised.
fn read_header(
    header: &[String],
    header_row: usize,
    errors: &mut Vec<RowError>,
) -> (HashMap<Field, usize>, Vec<String>) {
    let mut cols: HashMap<Field, usize> = HashMap::new();
    let mut ignored = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if h.trim().is_empty() {
            continue;
        }
        match Field::from_header(h) {
            Some(f) => {
                if cols.insert(f, i).is_some() {
                    errors.push(RowError {
                        row: header_row,
                        column: format!("{} {}", col_letter(i), h.trim()),
                        msg: Msg::new(
                            format!("“{}”列出现了两次", h.trim()),
                            format!("column \"{}\" appears twice", h.trim()),
                        ),
                    });
                }
            }
            None => ignored.push(h.trim().to_string()),
        }
    }
    (cols, ignored)
}

/// The required columns: id, name and zone; with dwellings, all their columns.
fn check_columns(cols: &HashMap<Field, usize>, header_row: usize, errors: &mut Vec<RowError>) {
    let mut missing = |msg: Msg| {
        errors.push(RowError {
            row: header_row,
            column: String::new(),
            msg,
        })
    };
    for f in [Field::Key, Field::Name, Field::Zone] {
        if !cols.contains_key(&f) {
            missing(Msg::new(
                format!("缺少“{}”列", f.header()),
                format!("the \"{}\" ({}) column is missing", f.header(), f.en()),
            ));
        }
    }
    let has_dwelling_cols = [Field::Building, Field::Unit, Field::Room]
        .iter()
        .any(|f| cols.contains_key(f));
    if !has_dwelling_cols {
        return;
    }
    for f in [
        Field::Building,
        Field::Unit,
        Field::Room,
        Field::Floor,
        Field::Area,
    ] {
        if !cols.contains_key(&f) {
            missing(Msg::new(
                format!("有房屋信息时必须有“{}”列", f.header()),
                format!(
                    "with dwellings, the \"{}\" ({}) column is required",
                    f.header(),
                    f.en()
                ),
            ));
        }
    }
}

/// What the committee should know about the columns: those not imported, a missing adult column.
fn header_notes(cols: &HashMap<Field, usize>, ignored: &[String]) -> Vec<Msg> {
    let mut notes = Vec::new();
    if !ignored.is_empty() {
        notes.push(Msg::new(
            format!("以下列未导入：{}", ignored.join("、")),
            format!("these columns were not imported: {}", ignored.join(", ")),
        ));
    }
    if !cols.contains_key(&Field::Adult) {
        notes.push(Msg::new(
            "文件没有“成年”列，所有居民均按成年人登记",
            "the file has no \"adult\" column: every resident is recorded as an adult",
        ));
    }
    notes
}

#[cfg(test)]
mod tests;
