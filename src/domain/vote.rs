//! Vote rules and tallies, exactly as the law counts (DESIGN.md "Legal
//! rules"). Integers only: areas in hundredths of a m², ratios compared by
//! cross-multiplication in i128. "以上/以下/以内" include the boundary;
//! "过半数/超过/不满" exclude it. Every verdict comes with every figure behind it.

use super::{Area, Msg};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    CivilCode278Special,
    CivilCode278Ordinary,
    VillagersMeeting,
    VillagerGroupMeeting,
    RepresentativesMeeting,
    SimpleMajority,
    Custom,
}

impl RuleId {
    pub const ALL: [RuleId; 7] = [
        RuleId::CivilCode278Special,
        RuleId::CivilCode278Ordinary,
        RuleId::VillagersMeeting,
        RuleId::VillagerGroupMeeting,
        RuleId::RepresentativesMeeting,
        RuleId::SimpleMajority,
        RuleId::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::CivilCode278Special => "civil_code_278_special",
            RuleId::CivilCode278Ordinary => "civil_code_278_ordinary",
            RuleId::VillagersMeeting => "villagers_meeting",
            RuleId::VillagerGroupMeeting => "villager_group_meeting",
            RuleId::RepresentativesMeeting => "representatives_meeting",
            RuleId::SimpleMajority => "simple_majority",
            RuleId::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            RuleId::CivilCode278Special => (
                "业主共同决定·特别事项（民法典第278条，如加装电梯）",
                "Owners' decision, special matters (Civil Code art. 278, e.g. elevator retrofit)",
            ),
            RuleId::CivilCode278Ordinary => (
                "业主共同决定·一般事项（民法典第278条）",
                "Owners' decision, ordinary matters (Civil Code art. 278)",
            ),
            RuleId::VillagersMeeting => (
                "村民会议（村委会组织法第22条）",
                "Villagers' meeting (art. 22)",
            ),
            RuleId::VillagerGroupMeeting => {
                ("村民小组会议（第28条）", "Villager group meeting (art. 28)")
            }
            RuleId::RepresentativesMeeting => (
                "村民代表会议（第26条）",
                "Representatives' meeting (art. 26)",
            ),
            RuleId::SimpleMajority => (
                "简单多数（赞成超过投票人数一半）",
                "Simple majority of those voting",
            ),
            RuleId::Custom => ("自定义规则", "Custom rule"),
        }
    }

    /// Civil Code rules count owners by dwelling, with area.
    pub fn needs_area(self) -> bool {
        matches!(
            self,
            RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary
        )
    }

    /// Village meeting rules can be met by households represented.
    pub fn needs_household(self) -> bool {
        matches!(
            self,
            RuleId::VillagersMeeting | RuleId::VillagerGroupMeeting
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Agree,
    Disagree,
    Abstain,
}

impl Choice {
    pub fn parse(s: &str) -> Option<Choice> {
        match s {
            "agree" => Some(Choice::Agree),
            "disagree" => Some(Choice::Disagree),
            "abstain" => Some(Choice::Abstain),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Agree => "agree",
            Choice::Disagree => "disagree",
            Choice::Abstain => "abstain",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Choice::Agree => "同意",
            Choice::Disagree => "不同意",
            Choice::Abstain => "弃权",
        }
    }
}

/// A fraction bound: "at least 2/3" (inclusive) or "more than 1/2" (strict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bound {
    pub num: i64,
    pub den: i64,
    pub inclusive: bool,
}

impl Bound {
    pub const fn at_least(num: i64, den: i64) -> Bound {
        Bound {
            num,
            den,
            inclusive: true,
        }
    }
    pub const fn more_than(num: i64, den: i64) -> Bound {
        Bound {
            num,
            den,
            inclusive: false,
        }
    }

    /// value / total meets the bound? A zero total never does.
    pub fn met(self, value: i64, total: i64) -> bool {
        if total <= 0 || self.den <= 0 {
            return false;
        }
        let lhs = value as i128 * self.den as i128;
        let rhs = self.num as i128 * total as i128;
        if self.inclusive {
            lhs >= rhs
        } else {
            lhs > rhs
        }
    }

    pub fn parse(s: &str, inclusive: bool) -> Result<Bound, Msg> {
        let bad = || {
            Msg::new(
                format!("比例“{s}”应写作 2/3 这样的分数"),
                format!("ratio \"{s}\" should look like 2/3"),
            )
        };
        let (n, d) = s.trim().split_once('/').ok_or_else(bad)?;
        let num: i64 = n.trim().parse().map_err(|_| bad())?;
        let den: i64 = d.trim().parse().map_err(|_| bad())?;
        if den <= 0 || num < 0 || num > den {
            return Err(bad());
        }
        Ok(Bound {
            num,
            den,
            inclusive,
        })
    }

    fn words(self) -> (String, String) {
        if self.inclusive {
            (
                format!("达到 {}/{}（含）", self.num, self.den),
                format!("at least {}/{}", self.num, self.den),
            )
        } else {
            (
                format!("超过 {}/{}", self.num, self.den),
                format!("more than {}/{}", self.num, self.den),
            )
        }
    }
}

/// A custom rule (also used to configure `simple_majority`'s optional quorum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CustomRule {
    /// Share of the electorate (by head) that must take part; None: no quorum.
    pub quorum_heads: Option<Bound>,
    /// Share of the total area that must take part (needs areas).
    pub quorum_area: Option<Bound>,
    /// Share of those taking part (by head) who must agree.
    pub pass_heads: Option<Bound>,
    /// Share of the participating area that must agree (needs areas).
    pub pass_area: Option<Bound>,
}

/// One member of the frozen electorate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voter {
    pub id: String,
    pub area_centi: Option<i64>,
    pub household: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Heads,
    Area,
    Households,
}

/// One test behind a verdict, with its figures and its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Test {
    pub measure: Measure,
    /// What is counted, e.g. participating area.
    pub value: String,
    /// Against what, e.g. total area.
    pub of: String,
    pub bound: String,
    pub inclusive: bool,
    pub met: bool,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub heads: i64,
    /// Decimal m² with two places, when the rule counts area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub households: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub verdict: String,
    pub rule: String,
    pub total: Figures,
    pub participating: Figures,
    pub agree: Figures,
    pub disagree: Figures,
    pub abstain: Figures,
    /// "all" or "any": how the quorum tests combine.
    pub quorum_combine: String,
    pub quorum_met: bool,
    pub quorum: Vec<Test>,
    pub pass_met: bool,
    pub pass: Vec<Test>,
    /// Single- or multiple-choice votes: each option's figures and tests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionResult>,
    /// Options left out because they tied at the last place to fill.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tied: Vec<String>,
}

struct Sums {
    heads: i64,
    area: i64,
    households: i64,
}

fn sums<'a>(voters: impl Iterator<Item = &'a Voter>) -> Sums {
    let mut s = Sums {
        heads: 0,
        area: 0,
        households: 0,
    };
    let mut hh: HashSet<&str> = HashSet::new();
    for v in voters {
        s.heads += 1;
        s.area += v.area_centi.unwrap_or(0);
        if let Some(h) = &v.household {
            hh.insert(h.as_str());
        }
    }
    s.households = hh.len() as i64;
    s
}

fn show(m: Measure, x: i64) -> String {
    match m {
        Measure::Area => Area::from_centi(x).to_string(),
        _ => x.to_string(),
    }
}

fn test(
    m: Measure,
    what: (&str, &str),
    value: i64,
    of: (&str, &str),
    total: i64,
    b: Bound,
) -> Test {
    let met = b.met(value, total);
    let (bz, be) = b.words();
    let unit = match m {
        Measure::Area => ("㎡", " m²"),
        Measure::Heads => ("人", ""),
        Measure::Households => ("户", " households"),
    };
    let (v, t) = (show(m, value), show(m, total));
    Test {
        measure: m,
        value: v.clone(),
        of: t.clone(),
        bound: format!("{}/{}", b.num, b.den),
        inclusive: b.inclusive,
        met,
        zh: format!(
            "{}{}{}，占{}{}{}，要求{}：{}",
            what.0,
            v,
            unit.0,
            of.0,
            t,
            unit.0,
            bz,
            if met { "达到" } else { "未达到" }
        ),
        en: format!(
            "{} {}{} of {} {}{}; needs {}: {}",
            what.1,
            v,
            unit.1,
            of.1,
            t,
            unit.1,
            be,
            if met { "met" } else { "not met" }
        ),
    }
}

/// Whether the quorum tests hold: "any" or "all" of them; with none, that
/// anybody took part.
pub fn quorum_met(combine: &str, quorum: &[Test], heads_taking_part: i64) -> bool {
    if quorum.is_empty() {
        heads_taking_part > 0
    } else if combine == "any" {
        quorum.iter().any(|t| t.met)
    } else {
        quorum.iter().all(|t| t.met)
    }
}

/// Whether the passing tests hold: all of them, and there is one at least.
pub fn pass_met(pass: &[Test]) -> bool {
    !pass.is_empty() && pass.iter().all(|t| t.met)
}

/// The verdict from the two: no quorum, else passed or failed.
pub fn verdict(quorum_met: bool, pass_met: bool) -> &'static str {
    if !quorum_met {
        "no_quorum"
    } else if pass_met {
        "passed"
    } else {
        "failed"
    }
}

/// Errors in the electorate or ballots that make a tally meaningless.
pub fn check_inputs(
    rule: RuleId,
    custom: Option<&CustomRule>,
    voters: &[Voter],
) -> Result<(), Msg> {
    let mut seen = HashSet::new();
    for v in voters {
        if !seen.insert(v.id.as_str()) {
            return Err(Msg::new(
                format!("选民“{}”重复", v.id),
                format!("duplicate voter \"{}\"", v.id),
            ));
        }
        let needs_area = rule.needs_area()
            || custom.is_some_and(|c| c.quorum_area.is_some() || c.pass_area.is_some());
        if needs_area && v.area_centi.is_none() {
            return Err(Msg::new(
                format!("选民“{}”缺少面积", v.id),
                format!("voter \"{}\" has no area", v.id),
            ));
        }
        if rule.needs_household() && v.household.is_none() {
            return Err(Msg::new(
                format!("选民“{}”缺少户", v.id),
                format!("voter \"{}\" has no household", v.id),
            ));
        }
    }
    Ok(())
}

/// Tallies a rule-based vote. `ballots` maps voter id to their (one) choice;
/// ballots from outside the electorate must have been refused before.
pub fn tally(
    rule: RuleId,
    custom: Option<&CustomRule>,
    voters: &[Voter],
    ballots: &HashMap<String, Choice>,
) -> Tally {
    let by = |c: Option<Choice>| {
        sums(
            voters
                .iter()
                .filter(move |v| match (c, ballots.get(&v.id)) {
                    (None, Some(_)) => true,
                    (Some(want), Some(got)) => want == *got,
                    _ => false,
                }),
        )
    };
    let total = sums(voters.iter());
    let part = by(None);
    let agree = by(Some(Choice::Agree));
    let disagree = by(Some(Choice::Disagree));
    let abstain = by(Some(Choice::Abstain));
    let with_area = rule.needs_area()
        || custom.is_some_and(|c| c.quorum_area.is_some() || c.pass_area.is_some());
    let with_hh = rule.needs_household();
    let fig = |s: &Sums| Figures {
        heads: s.heads,
        area: with_area.then(|| Area::from_centi(s.area).to_string()),
        households: with_hh.then_some(s.households),
    };
    const PART_AREA: (&str, &str) = ("参与表决的专有面积", "participating area");
    const TOTAL_AREA: (&str, &str) = ("总面积", "total area");
    const PART_OWNERS: (&str, &str) = ("参与表决的业主", "participating owners");
    const TOTAL_OWNERS: (&str, &str) = ("业主总人数", "all owners");
    const AGREE_AREA: (&str, &str) = ("同意的专有面积", "agreeing area");
    const AGREE_OWNERS: (&str, &str) = ("同意的业主", "agreeing owners");
    const PART: (&str, &str) = ("参加的人", "taking part");
    const AGREE: (&str, &str) = ("同意的人", "agreeing");
    let (combine, quorum, pass): (&str, Vec<Test>, Vec<Test>) = match rule {
        RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary => {
            let pb = if rule == RuleId::CivilCode278Special {
                Bound::at_least(3, 4)
            } else {
                Bound::more_than(1, 2)
            };
            (
                "all",
                vec![
                    test(
                        Measure::Area,
                        PART_AREA,
                        part.area,
                        TOTAL_AREA,
                        total.area,
                        Bound::at_least(2, 3),
                    ),
                    test(
                        Measure::Heads,
                        PART_OWNERS,
                        part.heads,
                        TOTAL_OWNERS,
                        total.heads,
                        Bound::at_least(2, 3),
                    ),
                ],
                vec![
                    test(
                        Measure::Area,
                        AGREE_AREA,
                        agree.area,
                        PART_AREA,
                        part.area,
                        pb,
                    ),
                    test(
                        Measure::Heads,
                        AGREE_OWNERS,
                        agree.heads,
                        PART_OWNERS,
                        part.heads,
                        pb,
                    ),
                ],
            )
        }
        RuleId::VillagersMeeting | RuleId::VillagerGroupMeeting => {
            let adults = if rule == RuleId::VillagersMeeting {
                Bound::more_than(1, 2)
            } else {
                Bound::at_least(2, 3)
            };
            (
                "any",
                vec![
                    test(
                        Measure::Heads,
                        ("到会的成年村民", "adults taking part"),
                        part.heads,
                        ("成年村民总数", "all adults"),
                        total.heads,
                        adults,
                    ),
                    test(
                        Measure::Households,
                        ("有代表到会的户", "households represented"),
                        part.households,
                        ("总户数", "all households"),
                        total.households,
                        Bound::at_least(2, 3),
                    ),
                ],
                vec![test(
                    Measure::Heads,
                    AGREE,
                    agree.heads,
                    PART,
                    part.heads,
                    Bound::more_than(1, 2),
                )],
            )
        }
        RuleId::RepresentativesMeeting => (
            "all",
            vec![test(
                Measure::Heads,
                ("到会的代表", "representatives taking part"),
                part.heads,
                ("代表总数", "all representatives"),
                total.heads,
                Bound::at_least(2, 3),
            )],
            vec![test(
                Measure::Heads,
                AGREE,
                agree.heads,
                PART,
                part.heads,
                Bound::more_than(1, 2),
            )],
        ),
        RuleId::SimpleMajority | RuleId::Custom => {
            let c = custom.cloned().unwrap_or_default();
            let mut q = Vec::new();
            if let Some(b) = c.quorum_heads {
                q.push(test(
                    Measure::Heads,
                    PART,
                    part.heads,
                    ("应参加的人数", "electorate"),
                    total.heads,
                    b,
                ));
            }
            if let Some(b) = c.quorum_area {
                q.push(test(
                    Measure::Area,
                    PART_AREA,
                    part.area,
                    TOTAL_AREA,
                    total.area,
                    b,
                ));
            }
            let mut p = Vec::new();
            let heads = if rule == RuleId::SimpleMajority {
                Some(c.pass_heads.unwrap_or(Bound::more_than(1, 2)))
            } else {
                c.pass_heads
            };
            if let Some(b) = heads {
                p.push(test(
                    Measure::Heads,
                    AGREE,
                    agree.heads,
                    PART,
                    part.heads,
                    b,
                ));
            }
            if let Some(b) = c.pass_area {
                p.push(test(
                    Measure::Area,
                    AGREE_AREA,
                    agree.area,
                    PART_AREA,
                    part.area,
                    b,
                ));
            }
            ("all", q, p)
        }
    };
    let quorum_met = quorum_met(combine, &quorum, part.heads);
    let pass_met = pass_met(&pass);
    let verdict = verdict(quorum_met, pass_met);
    Tally {
        verdict: verdict.into(),
        rule: rule.as_str().into(),
        total: fig(&total),
        participating: fig(&part),
        agree: fig(&agree),
        disagree: fig(&disagree),
        abstain: fig(&abstain),
        quorum_combine: combine.into(),
        quorum_met,
        quorum,
        pass_met,
        pass,
        options: Vec::new(),
        tied: Vec::new(),
    }
}

/// Distinct households (for electorate previews).
pub fn household_count(voters: &[Voter]) -> usize {
    voters
        .iter()
        .filter_map(|v| v.household.as_deref())
        .collect::<BTreeSet<_>>()
        .len()
}

mod options;
pub use options::*;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod option_tests;
