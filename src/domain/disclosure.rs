//! Village and residential affairs disclosure (村务/居务公开): categories
//! with their legal cadence (村民委员会组织法 art. 30), periods, the table
//! template of each category, and the checks a table must pass before it
//! can be published: money that adds up, no ID or phone numbers, masked
//! names on welfare lists. Cells are kept as text; money in fen when checked.

use super::Msg;
use super::mask::mask_name;
use super::roll::RowError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Finance,
    Assets,
    Project,
    Welfare,
    Decision,
    PowerList,
    General,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Monthly,
    Quarterly,
    Yearly,
    /// "Promptly": as matters arise; nothing is ever overdue by the calendar.
    Prompt,
}

impl Cadence {
    pub const ALL: [Cadence; 4] = [
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::Yearly,
        Cadence::Prompt,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
            Cadence::Yearly => "yearly",
            Cadence::Prompt => "prompt",
        }
    }
    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Cadence::Monthly => ("每月", "monthly"),
            Cadence::Quarterly => ("每季度", "quarterly"),
            Cadence::Yearly => ("每年", "yearly"),
            Cadence::Prompt => ("随时（事项发生后及时公开）", "promptly, as matters arise"),
        }
    }
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Finance,
        Category::Assets,
        Category::Project,
        Category::Welfare,
        Category::Decision,
        Category::PowerList,
        Category::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Finance => "finance",
            Category::Assets => "assets",
            Category::Project => "project",
            Category::Welfare => "welfare",
            Category::Decision => "decision",
            Category::PowerList => "power_list",
            Category::General => "general",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Category::Finance => ("财务收支", "Income and spending"),
            Category::Assets => (
                "集体资金、资产、资源（三资）",
                "Collective funds, assets and resources",
            ),
            Category::Project => ("工程项目", "Construction projects"),
            Category::Welfare => ("低保、特困、补贴名单", "Welfare and subsidy lists"),
            Category::Decision => ("重大事项决定", "Major decisions"),
            Category::PowerList => ("小微权力清单", "Small and micro power list"),
            Category::General => ("一般事务", "General affairs"),
        }
    }

    /// The default cadence: finances monthly, general affairs at least
    /// quarterly, major matters promptly (Organic Law art. 30).
    pub fn default_cadence(self) -> Cadence {
        match self {
            Category::Finance => Cadence::Monthly,
            Category::Assets | Category::Welfare | Category::General => Cadence::Quarterly,
            Category::PowerList => Cadence::Yearly,
            Category::Project | Category::Decision => Cadence::Prompt,
        }
    }

    pub fn template(self) -> &'static [Column] {
        match self {
            Category::Finance => FINANCE,
            Category::Assets => ASSETS,
            Category::Project => PROJECT,
            Category::Welfare => WELFARE,
            Category::Decision => DECISION,
            Category::PowerList => POWER_LIST,
            Category::General => GENERAL,
        }
    }
}

const fn c(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    kind: Kind,
    required: bool,
) -> Column {
    Column {
        key,
        zh,
        en,
        kind,
        required,
    }
}
use Kind::{Count, Date, Money, Name, Text};
const FINANCE: &[Column] = &[
    c("date", "日期", "date", Date, true),
    c("item", "摘要", "item", Text, true),
    c("income", "收入", "income", Money, false),
    c("spending", "支出", "spending", Money, false),
    c("balance", "余额", "balance", Money, true),
    c("handler", "经手人", "handler", Text, false),
    c("voucher", "凭证号", "voucher", Text, false),
];

const ASSETS: &[Column] = &[
    c("item", "名称", "item", Text, true),
    c("kind", "类别", "kind", Text, true),
    c("quantity", "数量", "quantity", Text, false),
    c("value", "金额", "value", Money, false),
    c("party", "承包/租赁方", "contractor or tenant", Text, false),
    c("term", "期限", "term", Text, false),
    c("note", "备注", "note", Text, false),
];

const PROJECT: &[Column] = &[
    c("project", "项目", "project", Text, true),
    c("contractor", "施工单位", "contractor", Text, false),
    c("contract", "合同金额", "contract amount", Money, false),
    c("paid", "已付金额", "paid", Money, false),
    c("progress", "进度", "progress", Text, false),
    c("acceptance", "验收情况", "acceptance", Text, false),
    c("note", "备注", "note", Text, false),
];

const WELFARE: &[Column] = &[
    c("name", "姓名", "name", Name, true),
    c("size", "家庭人口", "household size", Count, false),
    c("kind", "类别", "kind", Text, true),
    c("amount", "金额", "amount", Money, true),
    c("reason", "理由", "reason", Text, false),
];

const DECISION: &[Column] = &[
    c("matter", "事项", "matter", Text, true),
    c("date", "决定日期", "decided on", Date, false),
    c("how", "决策方式", "decided by", Text, false),
    c("outcome", "结果", "outcome", Text, true),
    c("status", "执行情况", "carried out", Text, false),
];

const POWER_LIST: &[Column] = &[
    c("item", "事项", "item", Text, true),
    c("responsible", "责任主体", "responsible", Text, true),
    c("procedure", "办理流程", "procedure", Text, false),
    c("basis", "依据", "basis", Text, false),
];

const GENERAL: &[Column] = &[
    c("item", "事项", "item", Text, true),
    c("content", "内容", "content", Text, true),
    c("note", "备注", "note", Text, false),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Yuan with at most two decimals.
    Money,
    /// A whole number (household size).
    Count,
    /// YYYY-MM-DD.
    Date,
    /// A person's name: stored masked (张*明).
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    pub required: bool,
}

/// A disclosure period: a month, a quarter, a year, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(i16),
    Quarter(i16, u8),
    Month(i16, u8),
    Day(i16, u8, u8),
}

impl Period {
    /// "2026-03", "2026-Q1", "2026", "2026-03-15".
    pub fn parse(s: &str) -> Result<Period, Msg> {
        let bad = || {
            Msg::new(
                format!(
                    "期间“{s}”应写作 2026-03（月）、2026-Q1（季度）、2026（年）或 2026-03-15（日）"
                ),
                format!(
                    "period \"{s}\" should be 2026-03 (month), 2026-Q1 (quarter), 2026 (year) or 2026-03-15 (day)"
                ),
            )
        };
        let t = s.trim().to_ascii_uppercase();
        let parts: Vec<&str> = t.split('-').collect();
        let year = |y: &str| {
            y.parse::<i16>()
                .ok()
                .filter(|y| (2000..=2100).contains(y) && y.to_string().len() == 4)
        };
        let p = match parts.as_slice() {
            [y] => Period::Year(year(y).ok_or_else(bad)?),
            [y, q] if q.starts_with('Q') => {
                let q: u8 = q[1..].parse().map_err(|_| bad())?;
                if !(1..=4).contains(&q) {
                    return Err(bad());
                }
                Period::Quarter(year(y).ok_or_else(bad)?, q)
            }
            [y, m] => {
                let m: u8 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&m) {
                    return Err(bad());
                }
                Period::Month(year(y).ok_or_else(bad)?, m)
            }
            [_, _, _] => {
                let d: jiff::civil::Date = t.parse().map_err(|_| bad())?;
                Period::Day(d.year(), d.month() as u8, d.day() as u8)
            }
            _ => return Err(bad()),
        };
        Ok(p)
    }

    /// The canonical text, which `parse` reads back.
    pub fn key(self) -> String {
        match self {
            Period::Year(y) => format!("{y}"),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
            Period::Month(y, m) => format!("{y}-{m:02}"),
            Period::Day(y, m, d) => format!("{y}-{m:02}-{d:02}"),
        }
    }

    pub fn words(self) -> (String, String) {
        match self {
            Period::Year(y) => (format!("{y}年"), format!("{y}")),
            Period::Quarter(y, q) => (format!("{y}年第{q}季度"), format!("Q{q} {y}")),
            Period::Month(y, m) => (format!("{y}年{m}月"), format!("{y}-{m:02}")),
            Period::Day(y, m, d) => (format!("{y}年{m}月{d}日"), format!("{y}-{m:02}-{d:02}")),
        }
    }

    /// Does this period fit a cadence? A prompt category takes any period.
    pub fn fits(self, c: Cadence) -> bool {
        matches!(
            (c, self),
            (Cadence::Monthly, Period::Month(..))
                | (Cadence::Quarterly, Period::Quarter(..))
                | (Cadence::Yearly, Period::Year(..))
                | (Cadence::Prompt, _)
        )
    }

    fn prev(self) -> Period {
        match self {
            Period::Month(y, 1) => Period::Month(y - 1, 12),
            Period::Month(y, m) => Period::Month(y, m - 1),
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
            Period::Year(y) => Period::Year(y - 1),
            d => d,
        }
    }
}

/// Days into the next period by which a period must be disclosed (e.g. the
/// March accounts by 10 April).
pub const GRACE_DAYS: u8 = 10;

/// The latest period of a cadence that should be disclosed by `today`.
pub fn due_period(c: Cadence, today: jiff::civil::Date) -> Option<Period> {
    let (y, m, d) = (today.year(), today.month() as u8, today.day() as u8);
    let current = match c {
        Cadence::Monthly => Period::Month(y, m),
        Cadence::Quarterly => Period::Quarter(y, (m - 1) / 3 + 1),
        Cadence::Yearly => Period::Year(y),
        Cadence::Prompt => return None,
    };
    // The first day of the current period: grace runs from there.
    let into = match c {
        Cadence::Monthly => d,
        Cadence::Quarterly if (m - 1) % 3 == 0 => d,
        Cadence::Yearly if m == 1 => d,
        _ => 31,
    };
    let last = current.prev();
    Some(if into > GRACE_DAYS { last } else { last.prev() })
}

/// The periods due but not disclosed, oldest first: from the first period
/// ever disclosed in the category (a new community is not behind for the
/// years before it started) through the period due today, at most 24.
pub fn missing(c: Cadence, disclosed: &[Period], today: jiff::civil::Date) -> Vec<Period> {
    let Some(due) = due_period(c, today) else {
        return Vec::new();
    };
    let Some(first) = disclosed.iter().filter(|p| p.fits(c)).min().copied() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut p = due;
    while p > first && out.len() < 24 {
        if !disclosed.contains(&p) {
            out.push(p);
        }
        p = p.prev();
    }
    out.reverse();
    out
}

/// Yuan with at most two decimals → fen; "1,234.50", "-20", "¥8" are fine.
pub fn parse_money(s: &str) -> Option<i64> {
    let t = s.trim().trim_start_matches(['¥', '￥']);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let v = super::cost_share::parse_hundredths(t)?;
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
    let header = &table[header_at];
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
                row: header_at + 1,
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
                row: header_at + 1,
                column: String::new(),
                msg: Msg::new(
                    format!("缺少必填的列“{}”", c.zh),
                    format!("the required column \"{}\" is missing", c.en),
                ),
            });
        }
    }
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
            let at = |m: Msg| RowError {
                row: row_no,
                column: format!("{} {}", pos[k].map(col_letter).unwrap_or_default(), c.zh),
                msg: m,
            };
            if cell.chars().count() > 500 {
                errors.push(at(Msg::new(
                    "内容太长（最多 500 字）",
                    "too long (500 characters at most)",
                )));
                out.push(cell);
                continue;
            }
            if cell.is_empty() {
                if c.required {
                    errors.push(at(Msg::new(
                        format!("“{}”不能为空", c.zh),
                        format!("\"{}\" cannot be empty", c.en),
                    )));
                }
                out.push(cell);
                continue;
            }
            if looks_like_id(&cell) {
                errors.push(at(Msg::new(
                    "看起来是身份证号：公开的表格不能含身份证号（如需，请只保留前 4 位和后 4 位，中间用 * 代替）",
                    "this looks like an ID number: a public table cannot show one (mask it, e.g. 3301**********1234)",
                )));
                out.push(cell);
                continue;
            }
            if looks_like_phone(&cell) {
                errors.push(at(Msg::new(
                    "看起来是手机号：公开的表格不能含手机号（如需，请写成 138****5678）",
                    "this looks like a phone number: a public table cannot show one (mask it, e.g. 138****5678)",
                )));
                out.push(cell);
                continue;
            }
            let value = match c.kind {
                Kind::Text => Ok(cell.clone()),
                Kind::Name => Ok(if cell.contains('*') {
                    cell.clone()
                } else {
                    mask_name(&cell)
                }),
                Kind::Money => parse_money(&cell).map(show_money).ok_or_else(|| {
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
                Kind::Date => super::deliberation::parse_date(&cell)
                    .map(|d| d.to_string())
                    .ok_or_else(|| {
                        Msg::new(
                            format!("日期“{cell}”应写作 2026-03-15"),
                            format!("date \"{cell}\" should look like 2026-03-15"),
                        )
                    }),
            };
            match value {
                Ok(v) => out.push(v),
                Err(m) => {
                    errors.push(at(m));
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
            let (inc, sp, bal) = (idx("income"), idx("spending"), idx("balance"));
            for (i, row) in rows.iter().enumerate().skip(1) {
                let expected = money(&rows[i - 1], bal) + money(row, inc) - money(row, sp);
                let got = money(row, bal);
                if got != expected {
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
                                show_money(money(&rows[i - 1], bal)),
                                show_money(money(row, inc)),
                                show_money(money(row, sp)),
                                show_money(expected),
                                show_money(got)
                            ),
                            format!(
                                "the balance does not add up: previous {} + income {} − spending {} = {}, but the table says {}",
                                show_money(money(&rows[i - 1], bal)),
                                show_money(money(row, inc)),
                                show_money(money(row, sp)),
                                show_money(expected),
                                show_money(got)
                            ),
                        ),
                    });
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    fn date(s: &str) -> jiff::civil::Date {
        s.parse().unwrap()
    }

    #[test]
    fn periods_parse_and_print() {
        for s in ["2026-03", "2026-Q1", "2026", "2026-03-15"] {
            assert_eq!(Period::parse(s).unwrap().key(), s);
        }
        assert_eq!(Period::parse("2026-q2").unwrap(), Period::Quarter(2026, 2));
        assert_eq!(Period::parse("2026-3").unwrap().key(), "2026-03");
        for bad in ["2026-13", "2026-Q5", "26", "2026-02-30", "March"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Period::Month(2026, 3).words().0, "2026年3月");
        assert!(Period::Month(2026, 3).fits(Cadence::Monthly));
        assert!(!Period::Month(2026, 3).fits(Cadence::Quarterly));
    }

    #[test]
    fn what_is_due_and_what_is_missing() {
        // On 10 April March is not yet due (grace); on 11 April it is.
        assert_eq!(
            due_period(Cadence::Monthly, date("2026-04-10")),
            Some(Period::Month(2026, 2))
        );
        assert_eq!(
            due_period(Cadence::Monthly, date("2026-04-11")),
            Some(Period::Month(2026, 3))
        );
        assert_eq!(
            due_period(Cadence::Monthly, date("2026-01-20")),
            Some(Period::Month(2025, 12))
        );
        assert_eq!(
            due_period(Cadence::Quarterly, date("2026-04-11")),
            Some(Period::Quarter(2026, 1))
        );
        assert_eq!(
            due_period(Cadence::Quarterly, date("2026-05-01")),
            Some(Period::Quarter(2026, 1))
        );
        assert_eq!(
            due_period(Cadence::Quarterly, date("2026-04-05")),
            Some(Period::Quarter(2025, 4))
        );
        assert_eq!(
            due_period(Cadence::Yearly, date("2026-06-01")),
            Some(Period::Year(2025))
        );
        assert_eq!(due_period(Cadence::Prompt, date("2026-06-01")), None);
        let done: Vec<Period> = [1, 2, 4, 5]
            .iter()
            .map(|m| Period::Month(2026, *m))
            .collect();
        assert_eq!(
            missing(Cadence::Monthly, &done, date("2026-07-15")),
            vec![Period::Month(2026, 3), Period::Month(2026, 6)]
        );
        assert!(missing(Cadence::Monthly, &[], date("2026-07-15")).is_empty());
    }

    #[test]
    fn money() {
        assert_eq!(parse_money("1,234.5"), Some(123450));
        assert_eq!(parse_money("-20"), Some(-2000));
        assert_eq!(parse_money("¥8.05"), Some(805));
        assert_eq!(parse_money("1.234"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(show_money(-2005), "-20.05");
    }

    #[test]
    fn a_finance_table_must_add_up() {
        let ok = t(&[
            &["日期", "摘要", "收入", "支出", "余额", "经手人", "凭证号"],
            &["2026-03-01", "上月结余", "", "", "10000.00", "", ""],
            &[
                "2026-03-05",
                "土地租金",
                "5000",
                "",
                "15000",
                "李会计",
                "记-01",
            ],
            &[
                "2026-03-20",
                "路灯维修",
                "",
                "1200.50",
                "13799.50",
                "王*",
                "记-02",
            ],
        ]);
        let c = check_table(Category::Finance, &ok).unwrap();
        assert_eq!(c.rows[2][4], "13799.50");
        assert_eq!(
            totals(Category::Finance, &c.rows),
            vec![
                (2, "5000.00".into()),
                (3, "1200.50".into()),
                (4, "13799.50".into())
            ]
        );
        let mut bad = ok.clone();
        bad[3][4] = "13800.00".into();
        let e = check_table(Category::Finance, &bad).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].row, 4);
        assert_eq!(e[0].column, "E 余额");
        assert!(e[0].msg.zh.contains("= 13799.50") && e[0].msg.zh.contains("13800.00"));
    }

    #[test]
    fn bad_cells_are_named_by_row_and_column() {
        let bad = t(&[
            &["date", "item", "income", "spending", "balance"],
            &["2026-03-01", "opening", "", "", "lots"],
            &["yesterday", "", "5", "", "5"],
        ]);
        let e = check_table(Category::Finance, &bad).unwrap_err();
        let at: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(at, vec![(2, "E 余额"), (3, "A 日期"), (3, "B 摘要")]);
        let e = check_table(Category::Finance, &t(&[&["日期", "摘要", "备注"]])).unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.msg.en.contains("unknown column \"备注\""))
        );
        assert!(
            e.iter()
                .any(|e| e.msg.en.contains("\"balance\" is missing"))
        );
    }

    #[test]
    fn welfare_lists_mask_names_and_refuse_ids_and_phones() {
        let rows = t(&[
            &["姓名", "家庭人口", "类别", "金额", "理由"],
            &["张小明", "3", "低保", "780", "因病致贫"],
            &["欧阳*明", "1", "特困", "1,100", "无劳动能力"],
        ]);
        let c = check_table(Category::Welfare, &rows).unwrap();
        assert_eq!(c.rows[0][0], "张*明");
        assert_eq!(c.rows[1][0], "欧阳*明");
        let mut bad = rows.clone();
        bad[1][4] = "身份证 330102199001011234".into();
        bad[2][4] = "电话 13812345678".into();
        let e = check_table(Category::Welfare, &bad).unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e[0].msg.en.contains("ID number") && e[0].row == 2 && e[0].column == "E 理由");
        assert!(e[1].msg.en.contains("phone number"));
        let mut masked = rows.clone();
        masked[1][4] = "3301**********1234 138****5678".into();
        assert!(check_table(Category::Welfare, &masked).is_ok());
    }

    #[test]
    fn ids_and_phones_are_recognised() {
        assert!(looks_like_id("33010219900101123X"));
        assert!(looks_like_id("330102900101123"));
        assert!(!looks_like_id("3301**********1234"));
        assert!(looks_like_phone("138 1234 5678"));
        assert!(looks_like_phone("+8613812345678"));
        assert!(!looks_like_phone("138****5678"));
        assert!(!looks_like_phone("10000.00"));
    }

    #[test]
    fn projects_cannot_pay_more_than_the_contract() {
        let rows = t(&[
            &["项目", "合同金额", "已付金额"],
            &["村道硬化", "100000", "120000"],
        ]);
        let e = check_table(Category::Project, &rows).unwrap_err();
        assert!(e[0].msg.en.contains("more has been paid"));
    }

    #[test]
    fn pasted_text_and_diffs() {
        let p = parse_pasted("事项\t内容\n修桥\t已完工\n");
        assert_eq!(p, t(&[&["事项", "内容"], &["修桥", "已完工"]]));
        assert_eq!(parse_pasted("a，b\nc,d").len(), 2);
        let a = t(&[&["1", "x"], &["2", "y"]]);
        let b = t(&[&["1", "z"], &["2", "y"], &["3", "w"]]);
        assert_eq!(
            diff(&a, &b),
            vec![
                Change::Cell(1, 1, "x".into(), "z".into()),
                Change::Added(3, vec!["3".into(), "w".into()])
            ]
        );
    }
}
