//! The checks a disclosure's table passes before it can be published (money
//! that adds up, no ID or phone numbers, masked names on welfare lists), its
//! totals, a pasted table and the changes between two revisions.

use super::{Category, Column, Kind};
use crate::domain::Msg;
use crate::domain::mask::mask_name;
use crate::domain::roll::RowError;
use serde::{Deserialize, Serialize};

/// Yuan with at most two decimals → fen; "1,234.50", "-20", "¥8" are fine.
pub fn parse_money(s: &str) -> Option<i64> {
    let t = s.trim().trim_start_matches(['¥', '￥']);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let v = crate::domain::cost_share::parse_hundredths(t)?;
    Some(if neg { -v } else { v })
}

pub fn show_money(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}

/// Looks like a Chinese resident ID number (18 characters, or the old 15
/// digits), unmasked?
pub fn looks_like_id(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let b = t.as_bytes();
    (b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x'))
        || (b.len() == 15 && b.iter().all(u8::is_ascii_digit))
        || digits_run(&t, 15)
}

/// Looks like a mobile number (11 digits starting with 1), unmasked?
pub fn looks_like_phone(s: &str) -> bool {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = t.trim_start_matches("+86");
    (digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()))
        || t.split(|c: char| !c.is_ascii_digit())
            .any(|run| run.len() == 11 && run.starts_with('1'))
}

fn digits_run(s: &str, n: usize) -> bool {
    s.split(|c: char| !(c.is_ascii_digit() || c == 'X' || c == 'x'))
        .any(|run| run.len() >= n && run.chars().filter(char::is_ascii_digit).count() >= n)
}

/// A checked table: the template's columns in order, one text per cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    pub rows: Vec<Vec<String>>,
}

fn col_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Reads a table (first non-empty row: the header, by Chinese or English
/// column names) against a category's template. Every problem is reported
/// with its spreadsheet row and column; nothing is partly accepted.
pub fn check_table(cat: Category, table: &[Vec<String>]) -> Result<Checked, Vec<RowError>> {
    let tpl = cat.template();
    let mut errors = Vec::new();
    let header_at = table
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()));
    let Some(header_at) = header_at else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            msg: Msg::new("表格是空的", "the table is empty"),
        }]);
    };
    let pos = template_columns(tpl, &table[header_at], header_at + 1, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for (r, raw) in table.iter().enumerate().skip(header_at + 1) {
        if raw.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row_no = r + 1;
        let mut out = Vec::with_capacity(tpl.len());
        for (k, c) in tpl.iter().enumerate() {
            let cell = pos[k]
                .and_then(|i| raw.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            match check_cell(c, &cell) {
                Ok(v) => out.push(v),
                Err(m) => {
                    errors.push(RowError {
                        row: row_no,
                        column: format!("{} {}", pos[k].map(col_letter).unwrap_or_default(), c.zh),
                        msg: m,
                    });
                    out.push(cell);
                }
            }
        }
        rows.push(out);
        lines.push((row_no, pos.clone()));
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: header_at + 2,
            column: String::new(),
            msg: Msg::new(
                "表格只有表头，没有内容",
                "the table has a header but no rows",
            ),
        });
    }
    if errors.is_empty() {
        errors.extend(check_sums(cat, &rows, &lines));
    }
    if errors.is_empty() {
        Ok(Checked { rows })
    } else {
        Err(errors)
    }
}

/// Where each of the template's columns stands in the header (unknown
/// headers and missing required columns are errors).
fn template_columns(
    tpl: &[Column],
    header: &[String],
    header_row: usize,
    errors: &mut Vec<RowError>,
) -> Vec<Option<usize>> {
    let mut pos: Vec<Option<usize>> = vec![None; tpl.len()];
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        match tpl
            .iter()
            .position(|c| c.zh == h || c.en.eq_ignore_ascii_case(h) || c.key == h)
        {
            Some(k) => pos[k] = Some(i),
            None => errors.push(RowError {
                row: header_row,
                column: format!("{} {h}", col_letter(i)),
                msg: Msg::new(
                    format!(
                        "不认识的列“{h}”；这一类的列是：{}",
                        tpl.iter().map(|c| c.zh).collect::<Vec<_>>().join("、")
                    ),
                    format!(
                        "unknown column \"{h}\"; this category's columns are: {}",
                        tpl.iter().map(|c| c.en).collect::<Vec<_>>().join(", ")
                    ),
                ),
            }),
        }
    }
    for (k, c) in tpl.iter().enumerate() {
        if c.required && pos[k].is_none() {
            errors.push(RowError {
                row: header_row,
                column: String::new(),
                msg: Msg::new(
                    format!("缺少必填的列“{}”", c.zh),
                    format!("the required column \"{}\" is missing", c.en),
                ),
            });
        }
    }
    pos
}

/// One cell (trimmed) as it will be published, or what is wrong with it:
/// too long, empty where required, an unmasked ID or phone number, not of its column's kind.
fn check_cell(c: &Column, cell: &str) -> Result<String, Msg> {
    if cell.chars().count() > 500 {
        return Err(Msg::new(
            "内容太长（最多 500 字）",
            "too long (500 characters at most)",
        ));
    }
    if cell.is_empty() {
        if c.required {
            return Err(Msg::new(
                format!("“{}”不能为空", c.zh),
                format!("\"{}\" cannot be empty", c.en),
            ));
        }
        return Ok(String::new());
    }
    if looks_like_id(cell) {
        return Err(Msg::new(
            "看起来是身份证号：公开的表格不能含身份证号（如需，请只保留前 4 位和后 4 位，中间用 * 代替）",
            "this looks like an ID number: a public table cannot show one (mask it, e.g. 3301**********1234)",
        ));
    }
    if looks_like_phone(cell) {
        return Err(Msg::new(
            "看起来是手机号：公开的表格不能含手机号（如需，请写成 138****5678）",
            "this looks like a phone number: a public table cannot show one (mask it, e.g. 138****5678)",
        ));
    }
    cell_value(c.kind, cell)
}

/// A cell read as its column's kind: money and dates in one form, names masked.
fn cell_value(kind: Kind, cell: &str) -> Result<String, Msg> {
    match kind {
        Kind::Text => Ok(cell.to_string()),
        Kind::Name => Ok(if cell.contains('*') {
            cell.to_string()
        } else {
            mask_name(cell)
        }),
        Kind::Money => parse_money(cell).map(show_money).ok_or_else(|| {
            Msg::new(
                format!("金额“{cell}”应为数字，最多两位小数"),
                format!("amount \"{cell}\" should be a number with at most two decimals"),
            )
        }),
        Kind::Count => cell
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= 100)
            .map(|n| n.to_string())
            .ok_or_else(|| {
                Msg::new(
                    format!("“{cell}”应为 0 到 100 的整数"),
                    format!("\"{cell}\" should be a whole number from 0 to 100"),
                )
            }),
        Kind::Date => crate::domain::deliberation::parse_date(cell)
            .map(|d| d.to_string())
            .ok_or_else(|| {
                Msg::new(
                    format!("日期“{cell}”应写作 2026-03-15"),
                    format!("date \"{cell}\" should look like 2026-03-15"),
                )
            }),
    }
}

/// A finance table's running balance: each row's balance is the previous
/// row's as entered plus income minus spending. A row right against what a
/// wrong previous row should have said is right too, so one mistake gives
/// one error whether the rows after it carry it on or not.
fn check_balances(
    cat: Category,
    rows: &[Vec<String>],
    lines: &[(usize, Vec<Option<usize>>)],
) -> Vec<RowError> {
    let tpl = cat.template();
    let idx = |key: &str| tpl.iter().position(|c| c.key == key);
    let money = |row: &[String], k: Option<usize>| {
        k.and_then(|k| row.get(k))
            .filter(|s| !s.is_empty())
            .and_then(|s| parse_money(s))
            .unwrap_or(0)
    };
    let mut errors = Vec::new();
    let (inc, sp, bal) = (idx("income"), idx("spending"), idx("balance"));
    let entered = |row: &[String]| {
        bal.and_then(|k| row.get(k))
            .and_then(|s| parse_money(s.trim()))
    };
    // What the previous row should have said, when it was wrong: a
    // row right against either that or the previous row as entered
    // is right, so one mistake gives one error.
    let mut should: Option<i64> = None;
    for (i, row) in rows.iter().enumerate().skip(1) {
        let Some(prev) = entered(&rows[i - 1]).or(should) else {
            should = None;
            continue;
        };
        let delta = money(row, inc) - money(row, sp);
        let expected = prev + delta;
        let got = money(row, bal);
        if got == expected || should.is_some_and(|s| got == s + delta) {
            should = None;
            continue;
        }
        should = Some(expected);
        let (row_no, pos) = &lines[i];
        errors.push(RowError {
            row: *row_no,
            column: format!(
                "{} 余额",
                bal.and_then(|b| pos[b]).map(col_letter).unwrap_or_default()
            ),
            msg: Msg::new(
                format!(
                    "余额不符：上一行余额 {} + 收入 {} − 支出 {} = {}，表中写的是 {}",
                    show_money(prev),
                    show_money(money(row, inc)),
                    show_money(money(row, sp)),
                    show_money(expected),
                    show_money(got)
                ),
                format!(
                    "the balance does not add up: previous {} + income {} − spending {} = {}, but the table says {}",
                    show_money(prev),
                    show_money(money(row, inc)),
                    show_money(money(row, sp)),
                    show_money(expected),
                    show_money(got)
                ),
            ),
        });
    }
    errors
}

/// Money that must add up: a finance table's running balance (each row's
/// balance = the previous balance + income − spending; the first row sets
/// the opening balance), and a project's payments not above its contract.
fn check_sums(
    cat: Category,
    rows: &[Vec<String>],
    lines: &[(usize, Vec<Option<usize>>)],
) -> Vec<RowError> {
    let tpl = cat.template();
    let idx = |key: &str| tpl.iter().position(|c| c.key == key);
    let money = |row: &[String], k: Option<usize>| {
        k.and_then(|k| row.get(k))
            .filter(|s| !s.is_empty())
            .and_then(|s| parse_money(s))
            .unwrap_or(0)
    };
    let mut errors = Vec::new();
    match cat {
        Category::Finance => {
            errors.extend(check_balances(cat, rows, lines));
        }
        Category::Project => {
            let (contract, paid) = (idx("contract"), idx("paid"));
            for (i, row) in rows.iter().enumerate() {
                let c = contract.and_then(|k| row.get(k)).filter(|s| !s.is_empty());
                if c.is_some() && money(row, paid) > money(row, contract) {
                    errors.push(RowError {
                        row: lines[i].0,
                        column: "已付金额".into(),
                        msg: Msg::new(
                            "已付金额超过了合同金额",
                            "more has been paid than the contract amount",
                        ),
                    });
                }
            }
        }
        _ => {}
    }
    errors
}

/// Totals shown under a table: for each money column, the sum (a finance
/// table's balance column shows the closing balance instead).
pub fn totals(cat: Category, rows: &[Vec<String>]) -> Vec<(usize, String)> {
    let tpl = cat.template();
    tpl.iter()
        .enumerate()
        .filter(|(_, c)| c.kind == Kind::Money)
        .map(|(k, c)| {
            let v = if cat == Category::Finance && c.key == "balance" {
                rows.last()
                    .and_then(|r| r.get(k))
                    .and_then(|s| parse_money(s))
                    .unwrap_or(0)
            } else {
                rows.iter()
                    .filter_map(|r| r.get(k).and_then(|s| parse_money(s)))
                    .sum()
            };
            (k, show_money(v))
        })
        .collect()
}

/// Parses text pasted from a spreadsheet (tab-separated) or typed as CSV.
pub fn parse_pasted(text: &str) -> Vec<Vec<String>> {
    let tabs = text.contains('\t');
    text.lines()
        .map(|l| {
            if tabs {
                l.split('\t').map(|c| c.trim().to_string()).collect()
            } else {
                l.split([',', '，']).map(|c| c.trim().to_string()).collect()
            }
        })
        .collect()
}

/// One change between two revisions of a table, by row position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Row (1-based), column index, old text, new text.
    Cell(usize, usize, String, String),
    Added(usize, Vec<String>),
    Removed(usize, Vec<String>),
}

pub fn diff(old: &[Vec<String>], new: &[Vec<String>]) -> Vec<Change> {
    let mut out = Vec::new();
    for i in 0..old.len().max(new.len()) {
        match (old.get(i), new.get(i)) {
            (Some(a), Some(b)) => {
                for k in 0..a.len().max(b.len()) {
                    let (x, y) = (
                        a.get(k).cloned().unwrap_or_default(),
                        b.get(k).cloned().unwrap_or_default(),
                    );
                    if x != y {
                        out.push(Change::Cell(i + 1, k, x, y));
                    }
                }
            }
            (None, Some(b)) => out.push(Change::Added(i + 1, b.clone())),
            (Some(a), None) => out.push(Change::Removed(i + 1, a.clone())),
            (None, None) => {}
        }
    }
    out
}
