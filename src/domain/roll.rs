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

use super::dwelling::DwellingLabel;
use super::{Area, Msg};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

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

fn col_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

pub fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "y" | "yes" | "1" | "true" | "√" | "✓" | "有" => Some(true),
        "否" | "n" | "no" | "0" | "false" | "×" | "x" | "无" | "" => Some(false),
        _ => None,
    }
}

/// An e-mail address: one `@` with something on each side, a dot in the
/// domain, no spaces, at most 254 characters. Blank is allowed.
pub fn parse_email(s: &str) -> Result<String, Msg> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let ok = t.len() <= 254
        && !t.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
        && t.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(t.to_string())
    } else {
        Err(Msg::new(
            format!("邮箱“{t}”格式不对（应像 name@example.com）"),
            format!("e-mail \"{t}\" is not valid (it should look like name@example.com)"),
        ))
    }
}

/// A mobile (11 digits starting with 1) or a landline (digits and one dash,
/// 7–13 characters). Blank is allowed.
pub fn parse_phone(s: &str) -> Result<String, Msg> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Ok(t);
    }
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let ok_mobile = t.len() == 11 && t.starts_with('1') && digits == 11;
    let ok_land = (7..=13).contains(&t.len())
        && t.chars().all(|c| c.is_ascii_digit() || c == '-')
        && t.matches('-').count() <= 1
        && !t.starts_with('1');
    if ok_mobile || ok_land {
        Ok(t)
    } else {
        Err(Msg::new(
            format!("电话“{s}”无效（手机号应为 11 位数字）"),
            format!("phone \"{s}\" is not valid (a mobile number has 11 digits)"),
        ))
    }
}

fn floor_from(s: &str) -> Result<i32, Msg> {
    let t = s
        .trim()
        .trim_end_matches('层')
        .trim_end_matches('楼')
        .trim();
    match t.parse::<i32>() {
        Ok(f) if (-5..=200).contains(&f) && f != 0 => Ok(f),
        _ => Err(Msg::new(
            format!("楼层“{}”无效（应为 1 到 200 的整数，地下为负数）", s.trim()),
            format!(
                "floor \"{}\" is not valid (a whole number, negative below ground)",
                s.trim()
            ),
        )),
    }
}

/// Parses a table whose first row is the header. Every problem is reported,
/// with its row and column; nothing is returned unless the whole table is valid.
pub fn parse_table(table: &[Vec<String>]) -> Result<ParsedRoll, Vec<RowError>> {
    let mut errors = Vec::new();
    // Committees often put a title ("某某社区居民花名册") above the header:
    // the header is the first of the top ten rows that names two known columns.
    let header_at = table
        .iter()
        .take(10)
        .position(|r| r.iter().filter(|h| Field::from_header(h).is_some()).count() >= 2)
        .unwrap_or(0);
    let Some(header) = table.get(header_at) else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            msg: Msg::new("文件是空的", "the file is empty"),
        }]);
    };
    let header_row = header_at + 1;
    let mut cols: HashMap<Field, usize> = HashMap::new();
    let mut notes = Vec::new();
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
    for f in [Field::Key, Field::Name, Field::Zone] {
        if !cols.contains_key(&f) {
            errors.push(RowError {
                row: header_row,
                column: String::new(),
                msg: Msg::new(
                    format!("缺少“{}”列", f.header()),
                    format!("the \"{}\" ({}) column is missing", f.header(), f.en()),
                ),
            });
        }
    }
    let has_dwelling_cols = [Field::Building, Field::Unit, Field::Room]
        .iter()
        .any(|f| cols.contains_key(f));
    if has_dwelling_cols {
        for f in [
            Field::Building,
            Field::Unit,
            Field::Room,
            Field::Floor,
            Field::Area,
        ] {
            if !cols.contains_key(&f) {
                errors.push(RowError {
                    row: header_row,
                    column: String::new(),
                    msg: Msg::new(
                        format!("有房屋信息时必须有“{}”列", f.header()),
                        format!(
                            "with dwellings, the \"{}\" ({}) column is required",
                            f.header(),
                            f.en()
                        ),
                    ),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
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

    let mut rows = Vec::new();
    for (idx, raw) in table.iter().enumerate().skip(header_at + 1) {
        let row_no = idx + 1;
        if raw.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: Field| -> &str {
            cols.get(&f)
                .and_then(|i| raw.get(*i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let mut err = |f: Field, msg: Msg| {
            let i = cols.get(&f).copied();
            errors.push(RowError {
                row: row_no,
                column: match i {
                    Some(i) => format!("{} {}", col_letter(i), header[i].trim()),
                    None => f.header().to_string(),
                },
                msg,
            });
        };
        let zone = cell(Field::Zone).to_string();
        if zone.is_empty() {
            err(Field::Zone, Msg::new("网格/村民小组为空", "zone is empty"));
        }
        // The dwelling.
        let (b, u, r) = (cell(Field::Building), cell(Field::Unit), cell(Field::Room));
        let any_dwelling = !(b.is_empty() && u.is_empty() && r.is_empty());
        let mut dwelling = None;
        if any_dwelling {
            let label = DwellingLabel::from_parts(b, u, r);
            let floor = floor_from(cell(Field::Floor));
            let area = Area::parse(cell(Field::Area));
            match (label, floor, area) {
                (Ok(label), Ok(floor), Ok(area)) => {
                    let owner_key = match cell(Field::OwnerKey) {
                        "" => label.to_string(),
                        k => k.to_string(),
                    };
                    dwelling = Some(DwellingSpec {
                        label,
                        floor,
                        area_centi: area.centi(),
                        owner_key,
                    })
                }
                (l, f, a) => {
                    if let Err(m) = l {
                        let field = if b.is_empty()
                            || DwellingLabel::from_parts(b, "1", "1").is_err()
                        {
                            Field::Building
                        } else if u.is_empty() || DwellingLabel::from_parts("1", u, "1").is_err() {
                            Field::Unit
                        } else {
                            Field::Room
                        };
                        err(field, m);
                    }
                    if let Err(m) = f {
                        err(Field::Floor, m);
                    }
                    if let Err(m) = a {
                        err(Field::Area, m);
                    }
                }
            }
        } else if !cell(Field::OwnerKey).is_empty() {
            err(
                Field::OwnerKey,
                Msg::new(
                    "有产权人编号但没有房号",
                    "an owner key is given without a dwelling",
                ),
            );
        }
        // The person, unless this is a vacant-dwelling row.
        let key = cell(Field::Key);
        let name = cell(Field::Name);
        let person = if key.is_empty() && name.is_empty() {
            if !any_dwelling {
                err(
                    Field::Key,
                    Msg::new("编号和姓名都为空", "both id and name are empty"),
                );
            }
            None
        } else {
            if key.is_empty() {
                err(Field::Key, Msg::new("编号为空", "id is empty"));
            } else if key.chars().count() > 32 {
                err(
                    Field::Key,
                    Msg::new("编号超过 32 个字符", "id is longer than 32 characters"),
                );
            }
            if name.is_empty() {
                err(Field::Name, Msg::new("姓名为空", "name is empty"));
            } else if name.chars().count() > 40 {
                err(
                    Field::Name,
                    Msg::new("姓名超过 40 个字符", "name is longer than 40 characters"),
                );
            }
            let yes_no = |f: Field, default: bool, err: &mut dyn FnMut(Field, Msg)| -> bool {
                if !cols.contains_key(&f) {
                    return default;
                }
                let v = cell(f);
                match parse_yes_no(v) {
                    Some(b) if !(v.is_empty() && f == Field::Adult) => b,
                    _ => {
                        err(
                            f,
                            Msg::new(
                                format!("“{}”应填“是”或“否”，而不是“{v}”", f.header()),
                                format!("{} should be yes or no, not \"{v}\"", f.en()),
                            ),
                        );
                        default
                    }
                }
            };
            let owner = yes_no(Field::Owner, false, &mut err);
            let adult = yes_no(Field::Adult, true, &mut err);
            let representative = yes_no(Field::Representative, false, &mut err);
            if owner && !any_dwelling {
                err(
                    Field::Owner,
                    Msg::new("业主必须登记房号", "an owner must have a dwelling"),
                );
            }
            let phone = parse_phone(cell(Field::Phone)).unwrap_or_else(|m| {
                err(Field::Phone, m);
                String::new()
            });
            let email = parse_email(cell(Field::Email)).unwrap_or_else(|m| {
                err(Field::Email, m);
                String::new()
            });
            let household = match (cell(Field::Household), &dwelling) {
                ("", Some(d)) => d.label.to_string(),
                ("", None) if any_dwelling => String::new(), // dwelling error already reported
                ("", None) => {
                    err(
                        Field::Household,
                        Msg::new(
                            "没有房号时必须填写户号",
                            "without a dwelling, the household is required",
                        ),
                    );
                    String::new()
                }
                (h, _) => h.to_string(),
            };
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
        };
        rows.push(RollRow {
            row: row_no,
            zone,
            dwelling,
            person,
        });
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

/// Checks that rows agree with each other: one row per resident id; a dwelling
/// has one floor, area, owner and zone; a household one dwelling and zone.
fn cross_check(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    const H: &[&str] = &[
        "编号",
        "姓名",
        "网格",
        "楼栋",
        "单元",
        "房号",
        "楼层",
        "专有面积",
        "户号",
        "产权人编号",
        "业主",
        "成年",
        "电话",
    ];

    #[test]
    fn a_good_compound_file() {
        let p = parse_table(&t(&[
            H,
            &[
                "C1",
                "张小明",
                "一网格",
                "3",
                "2",
                "501",
                "5",
                "89.20",
                "",
                "O-17",
                "是",
                "是",
                "13812345678",
            ],
            &[
                "C2",
                "李芳",
                "一网格",
                "3",
                "2",
                "501",
                "5",
                "89.20",
                "",
                "O-17",
                "是",
                "是",
                "",
            ],
            &[
                "C3",
                "张乐",
                "一网格",
                "3",
                "2",
                "501",
                "5",
                "89.20",
                "",
                "O-17",
                "否",
                "否",
                "",
            ],
            &[
                "",
                "",
                "一网格",
                "3",
                "2",
                "502",
                "5",
                "89.20",
                "",
                "O-17",
                "",
                "",
                "",
            ],
        ]))
        .unwrap();
        assert_eq!(p.rows.len(), 4);
        let d = p.rows[0].dwelling.as_ref().unwrap();
        assert_eq!(d.area_centi, 8920);
        assert_eq!(d.owner_key, "O-17");
        assert_eq!(p.rows[0].person.as_ref().unwrap().household, "3-2-501");
        assert!(p.rows[3].person.is_none());
    }

    #[test]
    fn a_village_file_uses_households() {
        let p = parse_table(&t(&[
            &["编号", "姓名", "村民小组", "户号", "成年", "村民代表"],
            &["V1", "王建国", "第一村民小组", "1-001", "是", "是"],
            &["V2", "王小花", "第一村民小组", "1-001", "否", ""],
        ]))
        .unwrap();
        assert!(p.rows.iter().all(|r| r.dwelling.is_none()));
        assert!(p.rows[0].person.as_ref().unwrap().representative);
        assert!(!p.rows[1].person.as_ref().unwrap().adult);
    }

    #[test]
    fn reports_every_bad_cell_with_row_and_column() {
        let e = parse_table(&t(&[
            H,
            &[
                "C1",
                "",
                "一网格",
                "3",
                "2",
                "501",
                "5",
                "89.205",
                "",
                "",
                "是",
                "是",
                "1381234",
            ],
            &[
                "C1",
                "赵六",
                "一网格",
                "3",
                "2",
                "502",
                "五",
                "90",
                "",
                "",
                "也许",
                "是",
                "",
            ],
        ]))
        .unwrap_err();
        let found: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert!(found.contains(&(2, "B 姓名")), "{found:?}");
        assert!(found.contains(&(2, "H 专有面积")), "{found:?}");
        assert!(found.contains(&(2, "M 电话")), "{found:?}");
        assert!(found.contains(&(3, "G 楼层")), "{found:?}");
        assert!(found.contains(&(3, "K 业主")), "{found:?}");
        assert!(found.contains(&(3, "A 编号")), "{found:?}");
        assert!(
            e.iter()
                .all(|e| !e.msg.zh.is_empty() && !e.msg.en.is_empty())
        );
    }

    #[test]
    fn inconsistent_dwelling_rows_are_refused() {
        let e = parse_table(&t(&[
            H,
            &[
                "C1",
                "甲",
                "一网格",
                "3",
                "2",
                "501",
                "5",
                "89.20",
                "",
                "",
                "是",
                "是",
                "",
            ],
            &[
                "C2",
                "乙",
                "一网格",
                "3",
                "2",
                "501",
                "5",
                "89.30",
                "",
                "",
                "否",
                "是",
                "",
            ],
        ]))
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].row, 3);
        assert_eq!(e[0].column, "H 专有面积");
    }

    #[test]
    fn missing_required_columns_are_named() {
        let e = parse_table(&t(&[&["姓名", "电话"], &["甲", ""]])).unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e.iter().any(|e| e.msg.zh.contains("编号")));
        assert!(e.iter().any(|e| e.msg.zh.contains("网格")));
    }

    #[test]
    fn owner_without_dwelling_is_refused() {
        let e = parse_table(&t(&[
            &["编号", "姓名", "网格", "户号", "业主"],
            &["V1", "甲", "一组", "1", "是"],
        ]))
        .unwrap_err();
        assert_eq!(e[0].column, "E 业主");
    }

    #[test]
    fn a_title_row_above_the_header_is_skipped() {
        let p = parse_table(&t(&[
            &["幸福村村民花名册", "", ""],
            &["编号", "姓名", "村民小组", "户号"],
            &["V1", "王建国", "一组", "1-001"],
        ]))
        .unwrap();
        assert_eq!(p.rows[0].row, 3);
    }

    #[test]
    fn column_letters() {
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(25), "Z");
        assert_eq!(col_letter(26), "AA");
    }

    #[test]
    fn emails() {
        assert_eq!(parse_email(" a.b@example.org ").unwrap(), "a.b@example.org");
        assert_eq!(parse_email("").unwrap(), "");
        for bad in [
            "abc",
            "a@b",
            "@example.org",
            "a@@b.org",
            "a b@c.org",
            "a@b.org>",
        ] {
            let m = parse_email(bad).unwrap_err();
            assert!(m.zh.contains("邮箱") && m.en.contains("e-mail"), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(parse_phone("138 1234 5678").is_ok());
        assert!(parse_phone("0510-82345678").is_ok());
        assert!(parse_phone("1381234").is_err());
        assert!(parse_phone("abc").is_err());
    }
}
