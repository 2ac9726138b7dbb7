//! Village and residential affairs disclosure (村务/居务公开): categories
//! with their legal cadence (村民委员会组织法 art. 30), periods, the table
//! template of each category, and the checks a table must pass before it
//! can be published: money that adds up, no ID or phone numbers, masked
//! names on welfare lists. Cells are kept as text; money in fen when checked.

use super::Msg;
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

/// A thread on a disclosure: a supervisor's query (publication waits for its
/// answer) or a resident's public question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadKind {
    Query,
    Question,
}

crate::domain::deliberation::codes!(ThreadKind { Query => "query", Question => "question" });

impl ThreadKind {
    /// What the thread is, in words.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            ThreadKind::Query => ("质询", "query"),
            ThreadKind::Question => ("提问", "question"),
        }
    }
}

/// What a supervisor made of the committee's answer to a query: accepted,
/// or not enough and queried again (a new query the committee answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    Requeried,
}

crate::domain::deliberation::codes!(Verdict { Accepted => "accepted", Requeried => "requeried" });

mod table;
pub use table::*;

#[cfg(test)]
mod tests;
