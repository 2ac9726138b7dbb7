//! Resident proposals (提案/点单): their states, the co-signing threshold,
//! who a proposal is dispatched to (派单/接单), ratings (实时评价) and the
//! "similar proposals" hint shown while typing.

use super::Msg;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Open,
    Review,
    Scheduled,
    Voting,
    Dispatched,
    InProgress,
    Completed,
    Declined,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Draft,
        Status::Open,
        Status::Review,
        Status::Scheduled,
        Status::Voting,
        Status::Dispatched,
        Status::InProgress,
        Status::Completed,
        Status::Declined,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Review => "review",
            Status::Scheduled => "scheduled",
            Status::Voting => "voting",
            Status::Dispatched => "dispatched",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Declined => "declined",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Status::Draft => ("草稿", "draft"),
            Status::Open => ("征集附议", "open for co-signing"),
            Status::Review => ("待审议", "awaiting review"),
            Status::Scheduled => ("已排入议事会", "on a meeting agenda"),
            Status::Voting => ("已提交表决", "put to a vote"),
            Status::Dispatched => ("已派单，待接单", "dispatched, awaiting acceptance"),
            Status::InProgress => ("办理中", "in progress"),
            Status::Completed => ("已办结", "completed"),
            Status::Declined => ("不予采纳", "declined"),
            Status::Withdrawn => ("已撤回", "withdrawn"),
        }
    }

    /// The author may withdraw until the committee has decided.
    pub fn withdrawable(self) -> bool {
        matches!(self, Status::Draft | Status::Open | Status::Review)
    }

    /// The committee may decide (accept one way or decline).
    pub fn decidable(self) -> bool {
        matches!(
            self,
            Status::Open | Status::Review | Status::Scheduled | Status::Voting
        )
    }
}

/// How many co-signatures move a proposal to the committee's review queue:
/// a count ("10") or a share of the households in its place ("5%").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    Count(u32),
    /// Hundredths of a percent: "2.5%" is 250.
    Share(u32),
}

impl Threshold {
    pub fn parse(s: &str) -> Result<Threshold, Msg> {
        let bad = || {
            Msg::new(
                format!("附议门槛“{s}”应为人数（如 10）或户数比例（如 5%）"),
                format!(
                    "the co-signing threshold \"{s}\" should be a count (e.g. 10) or a share of households (e.g. 5%)"
                ),
            )
        };
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%').or_else(|| t.strip_suffix('％')) {
            let h = super::cost_share::parse_hundredths(p).ok_or_else(bad)?;
            if h <= 0 || h > 10_000 {
                return Err(bad());
            }
            return Ok(Threshold::Share(h as u32));
        }
        match t.parse::<u32>() {
            Ok(n) if (1..=10_0000).contains(&n) => Ok(Threshold::Count(n)),
            _ => Err(bad()),
        }
    }

    pub fn show(self) -> String {
        match self {
            Threshold::Count(n) => n.to_string(),
            Threshold::Share(h) if h % 100 == 0 => format!("{}%", h / 100),
            Threshold::Share(h) => {
                let frac = format!("{:02}", h % 100);
                format!("{}.{}%", h / 100, frac.trim_end_matches('0'))
            }
        }
    }

    /// Co-signatures needed given the households in the proposal's place;
    /// a share is rounded up, and never less than one.
    pub fn needed(self, households: u64) -> u64 {
        match self {
            Threshold::Count(n) => u64::from(n),
            Threshold::Share(h) => (households * u64::from(h)).div_ceil(10_000).max(1),
        }
    }
}

/// Who a proposal is dispatched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeKind {
    Committee,
    GridWorker,
    Volunteer,
    PartyMember,
    Organization,
}

impl AssigneeKind {
    pub const ALL: [AssigneeKind; 5] = [
        AssigneeKind::Committee,
        AssigneeKind::GridWorker,
        AssigneeKind::Volunteer,
        AssigneeKind::PartyMember,
        AssigneeKind::Organization,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssigneeKind::Committee => "committee",
            AssigneeKind::GridWorker => "grid_worker",
            AssigneeKind::Volunteer => "volunteer",
            AssigneeKind::PartyMember => "party_member",
            AssigneeKind::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Option<AssigneeKind> {
        AssigneeKind::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            AssigneeKind::Committee => ("居委会/村委会成员", "committee member"),
            AssigneeKind::GridWorker => ("网格员", "grid worker"),
            AssigneeKind::Volunteer => ("志愿者", "volunteer"),
            AssigneeKind::PartyMember => ("党员", "party member"),
            AssigneeKind::Organization => ("社会组织", "social organization"),
        }
    }
}

/// Proposal categories residents choose from.
pub const CATEGORIES: [(&str, &str, &str); 7] = [
    ("environment", "环境卫生", "environment and cleanliness"),
    ("facilities", "设施维修", "facilities and repairs"),
    ("safety", "安全", "safety"),
    ("elderly", "养老助老", "care for older residents"),
    ("children", "儿童与青少年", "children and young people"),
    ("culture", "文体活动", "culture and activities"),
    ("other", "其他", "other"),
];

pub fn category_label(key: &str) -> (&'static str, &'static str) {
    CATEGORIES
        .iter()
        .find(|c| c.0 == key)
        .map(|c| (c.1, c.2))
        .unwrap_or(("其他", "other"))
}

/// A rating on the 100-point scale.
pub fn parse_score(s: &str) -> Result<u8, Msg> {
    match s.trim().parse::<u8>() {
        Ok(n) if n <= 100 => Ok(n),
        _ => Err(Msg::new(
            "评分应为 0 到 100 的整数",
            "the score should be a whole number from 0 to 100",
        )),
    }
}

/// Character bigrams of the letters and digits in `s`, lower-cased: works
/// for Chinese (no spaces between words) and for English alike.
fn bigrams(s: &str) -> HashSet<(char, char)> {
    let cs: Vec<char> = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    cs.windows(2).map(|w| (w[0], w[1])).collect()
}

/// How alike two titles are, 0–100 (shared bigrams over the smaller set).
pub fn similarity(a: &str, b: &str) -> u32 {
    let (x, y) = (bigrams(a), bigrams(b));
    let small = x.len().min(y.len());
    if small == 0 {
        return 0;
    }
    (x.intersection(&y).count() * 100 / small) as u32
}

/// The candidates (id, title) most like `title`, best first, at least
/// `min` alike.
pub fn similar<'a>(
    title: &str,
    candidates: &'a [(i64, String)],
    min: u32,
    limit: usize,
) -> Vec<&'a (i64, String)> {
    let mut scored: Vec<(u32, &(i64, String))> = candidates
        .iter()
        .map(|c| (similarity(title, &c.1), c))
        .filter(|(s, _)| *s >= min)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.0.cmp(&b.1.0)));
    scored.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// One line of the quarterly rating table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRow {
    pub assignee: String,
    pub kind: String,
    pub proposals: usize,
    pub ratings: usize,
    /// Average score in hundredths of a point (exact, rounded half up).
    pub average: u32,
    pub lowest: u8,
}

/// The average of scores in hundredths of a point, rounded half up; none
/// for no scores.
pub fn average_hundredths(scores: &[u8]) -> Option<u32> {
    let n = scores.len() as u32;
    let sum: u32 = scores.iter().map(|&s| u32::from(s)).sum();
    (n > 0).then(|| (sum * 200 + n) / (2 * n))
}

/// Per assignee: (assignee, kind, proposal id, score). Lowest average first,
/// then by name, so the bottom three are the first three lines.
pub fn rating_table(rows: &[(String, String, i64, u8)]) -> Vec<RatingRow> {
    let mut by: Vec<(String, String, HashSet<i64>, Vec<u8>)> = Vec::new();
    for (who, kind, p, score) in rows {
        match by.iter_mut().find(|b| &b.0 == who && &b.1 == kind) {
            Some(b) => {
                b.2.insert(*p);
                b.3.push(*score);
            }
            None => by.push((who.clone(), kind.clone(), HashSet::from([*p]), vec![*score])),
        }
    }
    let mut out: Vec<RatingRow> = by
        .into_iter()
        .map(|(assignee, kind, ps, scores)| RatingRow {
            assignee,
            kind,
            proposals: ps.len(),
            ratings: scores.len(),
            average: average_hundredths(&scores).unwrap_or(0),
            lowest: scores.iter().copied().min().unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| a.average.cmp(&b.average).then(a.assignee.cmp(&b.assignee)));
    out
}

/// "2026Q3" → (2026, 3).
pub fn parse_quarter(s: &str) -> Option<(i16, u8)> {
    let (y, q) = s.trim().split_once(['Q', 'q'])?;
    let y: i16 = y.parse().ok()?;
    let q: u8 = q.parse().ok()?;
    ((1..=4).contains(&q) && (2000..=2100).contains(&y)).then_some((y, q))
}

/// The first day of a quarter and of the next one.
pub fn quarter_bounds(year: i16, q: u8) -> (jiff::civil::Date, jiff::civil::Date) {
    let start = jiff::civil::date(year, (q as i8 - 1) * 3 + 1, 1);
    let end = if q == 4 {
        jiff::civil::date(year + 1, 1, 1)
    } else {
        jiff::civil::date(year, q as i8 * 3 + 1, 1)
    };
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert_eq!(Threshold::parse("10"), Ok(Threshold::Count(10)));
        assert_eq!(Threshold::parse("5%"), Ok(Threshold::Share(500)));
        assert_eq!(Threshold::parse(" 2.5％ "), Ok(Threshold::Share(250)));
        assert!(Threshold::parse("0").is_err());
        assert!(Threshold::parse("101%").is_err());
        assert!(Threshold::parse("ten").is_err());
        // 5% of 41 households is 2.05: three co-signatures needed.
        assert_eq!(Threshold::Share(500).needed(41), 3);
        assert_eq!(Threshold::Share(500).needed(40), 2);
        assert_eq!(Threshold::Share(500).needed(0), 1);
        assert_eq!(Threshold::Count(7).needed(3), 7);
        assert_eq!(Threshold::Share(250).show(), "2.5%");
        assert_eq!(Threshold::Share(500).show(), "5%");
    }

    #[test]
    fn similar_titles_in_chinese_and_english() {
        let c = vec![
            (1, "3栋楼道灯坏了".to_string()),
            (2, "增设电动车充电桩".to_string()),
            (3, "Broken stair lights in building 3".to_string()),
        ];
        let hits = similar("楼道灯不亮", &c, 30, 5);
        assert_eq!(hits.first().map(|h| h.0), Some(1));
        assert!(!hits.iter().any(|h| h.0 == 2));
        assert_eq!(similar("stair lights", &c, 30, 5)[0].0, 3);
        assert!(similar("", &c, 1, 5).is_empty());
    }

    #[test]
    fn scores_and_the_rating_table() {
        assert_eq!(parse_score("100"), Ok(100));
        assert!(parse_score("101").is_err());
        assert!(parse_score("-1").is_err());
        let t = rating_table(&[
            ("王网格".into(), "grid_worker".into(), 1, 90),
            ("王网格".into(), "grid_worker".into(), 1, 81),
            ("李志愿".into(), "volunteer".into(), 2, 60),
            ("物业公司".into(), "organization".into(), 3, 95),
        ]);
        assert_eq!(t[0].assignee, "李志愿");
        assert_eq!(t[1].average, 8550);
        assert_eq!(t[1].lowest, 81);
        assert_eq!(t[2].assignee, "物业公司");
    }

    #[test]
    fn quarters() {
        assert_eq!(parse_quarter("2026Q3"), Some((2026, 3)));
        assert_eq!(parse_quarter("2026Q5"), None);
        let (a, b) = quarter_bounds(2026, 4);
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-10-01".into(), "2027-01-01".into())
        );
    }
}
