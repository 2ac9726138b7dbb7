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

/// The options of a single- or multiple-choice vote, lettered A, B, C…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    pub labels: Vec<String>,
    /// How many options a voter may choose (1: single choice).
    pub max: usize,
}

/// At most this many options (A–T), so a paper ballot stays readable.
pub const MAX_OPTIONS: usize = 20;

/// Which input of a choice vote's form a problem was found in: the options
/// themselves or how many a voter may choose. Tagged where it is found, so
/// a form puts the message beside the right field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsField {
    Labels,
    Max,
}

/// What is wrong with a choice vote's options, and in which input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError {
    pub field: OptionsField,
    pub msg: Msg,
}

impl From<OptionsError> for Msg {
    fn from(e: OptionsError) -> Msg {
        e.msg
    }
}

impl Options {
    /// Options typed one per line, and the most a voter may choose.
    pub fn parse(lines: &str, max: &str) -> Result<Options, OptionsError> {
        let bad = |msg| OptionsError {
            field: OptionsField::Labels,
            msg,
        };
        let labels: Vec<String> = lines
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if labels.len() < 2 || labels.len() > MAX_OPTIONS {
            return Err(bad(Msg::new(
                format!("请写 2 到 {MAX_OPTIONS} 个选项，每行一个"),
                format!("write 2 to {MAX_OPTIONS} options, one per line"),
            )));
        }
        let mut seen = HashSet::new();
        for (i, l) in labels.iter().enumerate() {
            if l.chars().count() > 200 {
                return Err(bad(Msg::new(
                    format!("选项 {} 太长（最多 200 字）", letter(i)),
                    format!("option {} is too long (200 characters at most)", letter(i)),
                )));
            }
            if !seen.insert(l.as_str()) {
                return Err(bad(Msg::new(
                    format!("选项 {}“{l}”重复", letter(i)),
                    format!("option {} \"{l}\" is a duplicate", letter(i)),
                )));
            }
        }
        let max = match max.trim() {
            "" => 1,
            m => m
                .parse::<usize>()
                .ok()
                .filter(|m| (1..=labels.len()).contains(m))
                .ok_or_else(|| OptionsError {
                    field: OptionsField::Max,
                    msg: Msg::new(
                        format!("最多可选项数应在 1 到 {} 之间", labels.len()),
                        format!(
                            "the most options a voter may choose must be 1 to {}",
                            labels.len()
                        ),
                    ),
                })?,
        };
        Ok(Options { labels, max })
    }

    pub fn ids(&self) -> Vec<String> {
        (0..self.labels.len()).map(letter).collect()
    }

    /// The canonical ballot text for what a voter chose: letters in order
    /// joined by "+", or "abstain" for nothing.
    pub fn pick(&self, chosen: &[&str]) -> Result<String, Msg> {
        if chosen.contains(&"abstain") {
            if chosen.len() > 1 {
                return Err(Msg::new(
                    "弃权时不能再选其他选项",
                    "abstaining excludes choosing options",
                ));
            }
            return Ok("abstain".into());
        }
        let mut idx = BTreeSet::new();
        for c in chosen {
            let i = self.index(c).ok_or_else(|| {
                Msg::new(
                    format!("没有选项“{c}”"),
                    format!("there is no option \"{c}\""),
                )
            })?;
            idx.insert(i);
        }
        if idx.is_empty() {
            return Err(Msg::new(
                "请至少选择一个选项，或选择弃权",
                "choose at least one option, or abstain",
            ));
        }
        if idx.len() > self.max {
            return Err(Msg::new(
                format!("最多只能选 {} 项", self.max),
                format!("choose at most {} options", self.max),
            ));
        }
        Ok(idx.into_iter().map(letter).collect::<Vec<_>>().join("+"))
    }

    /// The options a canonical ballot text chose (empty for "abstain").
    pub fn decode(&self, s: &str) -> Option<Vec<usize>> {
        if s == "abstain" {
            return Some(Vec::new());
        }
        let mut out = Vec::new();
        for part in s.split('+') {
            let i = self.index(part)?;
            if out.last().is_some_and(|l| *l >= i) {
                return None;
            }
            out.push(i);
        }
        (!out.is_empty() && out.len() <= self.max).then_some(out)
    }

    fn index(&self, id: &str) -> Option<usize> {
        (0..self.labels.len()).find(|i| letter(*i) == id)
    }

    /// Words for a ballot text, e.g. "A 方案一；C 方案三".
    pub fn words(&self, s: &str) -> String {
        match self.decode(s) {
            Some(v) if v.is_empty() => "弃权 abstain".into(),
            Some(v) => v
                .into_iter()
                .map(|i| format!("{} {}", letter(i), self.labels[i]))
                .collect::<Vec<_>>()
                .join("；"),
            None => s.into(),
        }
    }
}

/// A, B, … T.
pub fn letter(i: usize) -> String {
    char::from(b'A' + (i as u8 % 26)).to_string()
}

/// One option's count and tests in a choice vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionResult {
    pub id: String,
    pub label: String,
    pub chosen: Figures,
    pub pass: Vec<Test>,
    /// Met its thresholds (always true under plurality, when there are none).
    pub met: bool,
    pub adopted: bool,
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

/// Tallies a single- or multiple-choice vote. `ballots` maps voter id to the
/// options chosen (empty: abstained). Each option is tested like "agree" in a
/// decision: those choosing it against those taking part. With no thresholds
/// (a custom rule without them) the most chosen options win. At most
/// `max` options are adopted, best first; a tie at the last place adopts none
/// of the tied options, and says so.
pub fn tally_options(
    rule: RuleId,
    custom: Option<&CustomRule>,
    voters: &[Voter],
    ballots: &HashMap<String, Vec<usize>>,
    opts: &Options,
) -> Tally {
    let as_decision = |keep: &dyn Fn(&[usize]) -> bool| -> HashMap<String, Choice> {
        ballots
            .iter()
            .map(|(v, c)| {
                let choice = if keep(c) {
                    Choice::Agree
                } else {
                    Choice::Abstain
                };
                (v.clone(), choice)
            })
            .collect()
    };
    let mut base = tally(rule, custom, voters, &as_decision(&|c| !c.is_empty()));
    let mut results = Vec::new();
    let mut keys = Vec::new();
    for (i, label) in opts.labels.iter().enumerate() {
        let t = tally(rule, custom, voters, &as_decision(&|c| c.contains(&i)));
        let chosen = sums(
            voters
                .iter()
                .filter(|v| ballots.get(&v.id).is_some_and(|c| c.contains(&i))),
        );
        let plurality = t.pass.is_empty();
        let met = if plurality {
            chosen.heads > 0
        } else {
            t.pass_met
        };
        keys.push((chosen.heads, chosen.area));
        results.push(OptionResult {
            id: letter(i),
            label: label.clone(),
            chosen: t.agree,
            pass: t.pass,
            met,
            adopted: false,
        });
    }
    let mut ranked: Vec<usize> = (0..results.len()).filter(|i| results[*i].met).collect();
    ranked.sort_by(|a, b| keys[*b].cmp(&keys[*a]).then(a.cmp(b)));
    let mut tied = Vec::new();
    if ranked.len() > opts.max {
        let edge = keys[ranked[opts.max - 1]];
        if keys[ranked[opts.max]] == edge {
            tied = ranked
                .iter()
                .copied()
                .filter(|i| keys[*i] == edge)
                .collect();
        }
        ranked.truncate(opts.max);
    }
    for i in &ranked {
        if base.quorum_met && !tied.contains(i) {
            results[*i].adopted = true;
        }
    }
    let any = results.iter().any(|r| r.adopted);
    base.pass = Vec::new();
    base.pass_met = any;
    base.disagree = Figures {
        heads: 0,
        area: base.disagree.area.as_ref().map(|_| "0.00".into()),
        households: base.disagree.households.map(|_| 0),
    };
    base.verdict = verdict(base.quorum_met, any).into();
    base.tied = tied.into_iter().map(letter).collect();
    base.options = results;
    base
}

/// Distinct households (for electorate previews).
pub fn household_count(voters: &[Voter]) -> usize {
    voters
        .iter()
        .filter_map(|v| v.household.as_deref())
        .collect::<BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn owners(areas: &[i64]) -> Vec<Voter> {
        areas
            .iter()
            .enumerate()
            .map(|(i, a)| Voter {
                id: format!("o-{i}"),
                area_centi: Some(*a),
                household: None,
            })
            .collect()
    }

    fn ballots(list: &[(usize, Choice)]) -> HashMap<String, Choice> {
        list.iter().map(|(i, c)| (format!("o-{i}"), *c)).collect()
    }

    #[test]
    fn exactly_two_thirds_and_three_quarters_pass_the_special_rule() {
        // 12 owners of 100.00 m² each. 8 take part (exactly 2/3), 6 agree (exactly 3/4).
        let v = owners(&[10000; 12]);
        let mut b: Vec<(usize, Choice)> = (0..6).map(|i| (i, Choice::Agree)).collect();
        b.push((6, Choice::Disagree));
        b.push((7, Choice::Abstain));
        let t = tally(RuleId::CivilCode278Special, None, &v, &ballots(&b));
        assert_eq!(t.verdict, "passed", "{t:#?}");
        assert_eq!(t.participating.area.as_deref(), Some("800.00"));
        // One agreeing owner fewer: 5/8 < 3/4.
        b[0].1 = Choice::Abstain;
        assert_eq!(
            tally(RuleId::CivilCode278Special, None, &v, &ballots(&b)).verdict,
            "failed"
        );
        // One participant fewer than 2/3: no quorum.
        let b7: Vec<_> = b.iter().take(7).cloned().collect();
        assert_eq!(
            tally(RuleId::CivilCode278Special, None, &v, &ballots(&b7)).verdict,
            "no_quorum"
        );
    }

    #[test]
    fn exactly_half_does_not_pass_the_ordinary_rule() {
        let v = owners(&[10000; 4]);
        let b = ballots(&[
            (0, Choice::Agree),
            (1, Choice::Agree),
            (2, Choice::Disagree),
            (3, Choice::Abstain),
        ]);
        let t = tally(RuleId::CivilCode278Ordinary, None, &v, &b);
        assert_eq!(t.verdict, "failed", "2 of 4 is not more than half");
        let b = ballots(&[
            (0, Choice::Agree),
            (1, Choice::Agree),
            (2, Choice::Agree),
            (3, Choice::Abstain),
        ]);
        assert_eq!(
            tally(RuleId::CivilCode278Ordinary, None, &v, &b).verdict,
            "passed"
        );
    }

    #[test]
    fn area_and_heads_must_both_pass() {
        // A big owner agrees, three small ones disagree: area passes, heads do not.
        let v = owners(&[60000, 5000, 5000, 5000]);
        let b = ballots(&[
            (0, Choice::Agree),
            (1, Choice::Disagree),
            (2, Choice::Disagree),
            (3, Choice::Disagree),
        ]);
        let t = tally(RuleId::CivilCode278Special, None, &v, &b);
        assert!(t.pass[0].met && !t.pass[1].met);
        assert_eq!(t.verdict, "failed");
    }

    #[test]
    fn multi_dwelling_owner_counts_once_with_all_area() {
        // The electorate is built per owner: one voter holding 3-2-501 and 3-2-502.
        let v = vec![
            Voter {
                id: "o-17".into(),
                area_centi: Some(8920 + 8920),
                household: None,
            },
            Voter {
                id: "o-18".into(),
                area_centi: Some(8920),
                household: None,
            },
            Voter {
                id: "o-19".into(),
                area_centi: Some(8920),
                household: None,
            },
        ];
        let b: HashMap<String, Choice> = [
            ("o-17".to_string(), Choice::Agree),
            ("o-18".to_string(), Choice::Agree),
        ]
        .into();
        let t = tally(RuleId::CivilCode278Special, None, &v, &b);
        assert_eq!(t.total.heads, 3);
        assert_eq!(t.total.area.as_deref(), Some("356.80"));
        assert_eq!(t.participating.area.as_deref(), Some("267.60"));
        assert_eq!(t.verdict, "passed");
    }

    #[test]
    fn villagers_meeting_quorum_by_households_when_adults_fall_short() {
        // 6 adults in 3 households; 2 adults from 2 different households come.
        let v: Vec<Voter> = (0..6)
            .map(|i| Voter {
                id: format!("v{i}"),
                area_centi: None,
                household: Some(format!("h{}", i / 2)),
            })
            .collect();
        let b: HashMap<String, Choice> =
            [("v0".into(), Choice::Agree), ("v2".into(), Choice::Agree)].into();
        let t = tally(RuleId::VillagersMeeting, None, &v, &b);
        assert!(!t.quorum[0].met, "2 of 6 adults is not more than half");
        assert!(t.quorum[1].met, "2 of 3 households is at least 2/3");
        assert_eq!(t.verdict, "passed");
        // Exactly half of the adults is not "more than half".
        let b: HashMap<String, Choice> = [
            ("v0".into(), Choice::Agree),
            ("v1".into(), Choice::Agree),
            ("v2".into(), Choice::Disagree),
        ]
        .into();
        let t = tally(RuleId::VillagersMeeting, None, &v, &b);
        assert!(!t.quorum[0].met);
    }

    #[test]
    fn abstentions_take_part_but_do_not_agree() {
        let v = owners(&[10000; 3]);
        let b = ballots(&[
            (0, Choice::Agree),
            (1, Choice::Abstain),
            (2, Choice::Abstain),
        ]);
        let t = tally(RuleId::SimpleMajority, None, &v, &b);
        assert_eq!(t.participating.heads, 3);
        assert_eq!(t.verdict, "failed");
    }

    #[test]
    fn custom_bounds_choose_inclusive_or_strict() {
        let v = owners(&[10000; 4]);
        let b = ballots(&[
            (0, Choice::Agree),
            (1, Choice::Agree),
            (2, Choice::Disagree),
            (3, Choice::Disagree),
        ]);
        let incl = CustomRule {
            pass_heads: Some(Bound::at_least(1, 2)),
            ..Default::default()
        };
        let strict = CustomRule {
            pass_heads: Some(Bound::more_than(1, 2)),
            ..Default::default()
        };
        assert_eq!(tally(RuleId::Custom, Some(&incl), &v, &b).verdict, "passed");
        assert_eq!(
            tally(RuleId::Custom, Some(&strict), &v, &b).verdict,
            "failed"
        );
        assert!(Bound::parse("2/3", true).is_ok());
        assert!(Bound::parse("3/2", true).is_err());
    }

    /// The law's words, written out per rule, straight from the table.
    fn reference(rule: RuleId, v: &[Voter], b: &HashMap<String, Choice>) -> &'static str {
        let total_heads = v.len() as i128;
        let total_area: i128 = v.iter().map(|x| x.area_centi.unwrap_or(0) as i128).sum();
        let part: Vec<&Voter> = v.iter().filter(|x| b.contains_key(&x.id)).collect();
        let agree: Vec<&Voter> = part
            .iter()
            .copied()
            .filter(|x| b[&x.id] == Choice::Agree)
            .collect();
        let (ph, pa) = (
            part.len() as i128,
            part.iter()
                .map(|x| x.area_centi.unwrap_or(0) as i128)
                .sum::<i128>(),
        );
        let (ah, aa) = (
            agree.len() as i128,
            agree
                .iter()
                .map(|x| x.area_centi.unwrap_or(0) as i128)
                .sum::<i128>(),
        );
        match rule {
            RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary => {
                let quorum = total_area > 0
                    && total_heads > 0
                    && 3 * pa >= 2 * total_area
                    && 3 * ph >= 2 * total_heads;
                if !quorum {
                    return "no_quorum";
                }
                let ok = if rule == RuleId::CivilCode278Special {
                    pa > 0 && 4 * aa >= 3 * pa && 4 * ah >= 3 * ph
                } else {
                    2 * aa > pa && 2 * ah > ph
                };
                if ok { "passed" } else { "failed" }
            }
            RuleId::VillagersMeeting | RuleId::VillagerGroupMeeting => {
                let hh: HashSet<&str> = v.iter().filter_map(|x| x.household.as_deref()).collect();
                let phh: HashSet<&str> =
                    part.iter().filter_map(|x| x.household.as_deref()).collect();
                let adults_ok = if rule == RuleId::VillagersMeeting {
                    2 * ph > total_heads
                } else {
                    3 * ph >= 2 * total_heads
                };
                let quorum =
                    total_heads > 0 && (adults_ok || 3 * phh.len() as i128 >= 2 * hh.len() as i128);
                if !quorum {
                    "no_quorum"
                } else if 2 * ah > ph {
                    "passed"
                } else {
                    "failed"
                }
            }
            _ => unreachable!(),
        }
    }

    fn electorate_and_ballots() -> impl Strategy<Value = (Vec<Voter>, HashMap<String, Choice>)> {
        prop::collection::vec((1i64..40_000, 0u8..4, 0usize..8), 1..40).prop_map(|raw| {
            let mut v = Vec::new();
            let mut b = HashMap::new();
            for (i, (area, c, hh)) in raw.into_iter().enumerate() {
                let id = format!("x{i}");
                v.push(Voter {
                    id: id.clone(),
                    area_centi: Some(area),
                    household: Some(format!("h{hh}")),
                });
                match c {
                    0 => {}
                    1 => drop(b.insert(id, Choice::Agree)),
                    2 => drop(b.insert(id, Choice::Disagree)),
                    _ => drop(b.insert(id, Choice::Abstain)),
                }
            }
            (v, b)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn every_rule_matches_the_reference((v, b) in electorate_and_ballots()) {
            for rule in [RuleId::CivilCode278Special, RuleId::CivilCode278Ordinary, RuleId::VillagersMeeting, RuleId::VillagerGroupMeeting] {
                let got = tally(rule, None, &v, &b).verdict;
                prop_assert_eq!(got.as_str(), reference(rule, &v, &b), "{:?}", rule);
            }
        }

        #[test]
        fn figures_add_up((v, b) in electorate_and_ballots()) {
            let t = tally(RuleId::CivilCode278Special, None, &v, &b);
            prop_assert_eq!(t.agree.heads + t.disagree.heads + t.abstain.heads, t.participating.heads);
            let a = |f: &Figures| Area::parse(f.area.as_deref().unwrap_or("0.01")).map(|a| a.centi()).unwrap_or(0);
            prop_assert_eq!(a(&t.agree) + a(&t.disagree) + a(&t.abstain), a(&t.participating));
        }
    }
}

#[cfg(test)]
mod option_tests {
    use super::*;

    fn people(n: usize) -> Vec<Voter> {
        (0..n)
            .map(|i| Voter {
                id: format!("v{i}"),
                area_centi: None,
                household: None,
            })
            .collect()
    }

    fn cast(list: &[&[usize]]) -> HashMap<String, Vec<usize>> {
        list.iter()
            .enumerate()
            .map(|(i, c)| (format!("v{i}"), c.to_vec()))
            .collect()
    }

    fn opts(n: usize, max: usize) -> Options {
        Options {
            labels: (0..n).map(|i| format!("方案{i}")).collect(),
            max,
        }
    }

    #[test]
    fn parse_options_and_picks() {
        let o = Options::parse("甲方案\n\n 乙方案 \n丙方案", "2").unwrap();
        assert_eq!(o.labels, ["甲方案", "乙方案", "丙方案"]);
        assert_eq!(o.ids(), ["A", "B", "C"]);
        assert_eq!(o.pick(&["C", "A"]).unwrap(), "A+C");
        assert_eq!(o.pick(&["abstain"]).unwrap(), "abstain");
        assert!(
            o.pick(&["A", "B", "C"])
                .unwrap_err()
                .en
                .contains("at most 2")
        );
        assert!(o.pick(&["D"]).is_err());
        assert!(o.pick(&[]).is_err());
        assert!(o.pick(&["A", "abstain"]).is_err());
        assert_eq!(o.decode("A+C"), Some(vec![0, 2]));
        assert_eq!(o.decode("C+A"), None, "not canonical");
        assert_eq!(o.decode("A+B+C"), None, "too many");
        assert_eq!(o.decode("abstain"), Some(vec![]));
        assert_eq!(o.words("A+C"), "A 甲方案；C 丙方案");
        assert!(Options::parse("只有一个", "").is_err());
        let dup = Options::parse("同\n同", "").unwrap_err();
        assert!(dup.msg.en.contains("duplicate"));
        assert_eq!(dup.field, OptionsField::Labels);
        let too_many = Options::parse("a\nb", "3").unwrap_err();
        assert_eq!(too_many.field, OptionsField::Max);
        assert_eq!(Options::parse("a\nb", "").unwrap().max, 1);
    }

    #[test]
    fn single_choice_needs_a_majority_under_simple_majority() {
        let v = people(5);
        let o = opts(3, 1);
        let t = tally_options(
            RuleId::SimpleMajority,
            None,
            &v,
            &cast(&[&[0], &[0], &[0], &[1], &[]]),
            &o,
        );
        assert_eq!(t.verdict, "passed");
        assert!(t.options[0].adopted && !t.options[1].adopted);
        assert_eq!(t.options[0].chosen.heads, 3);
        assert_eq!(t.participating.heads, 5);
        // 2 of 5 is not more than half: nobody wins.
        let t = tally_options(
            RuleId::SimpleMajority,
            None,
            &v,
            &cast(&[&[0], &[0], &[1], &[2], &[]]),
            &o,
        );
        assert_eq!(t.verdict, "failed");
        assert!(t.options.iter().all(|r| !r.adopted));
    }

    #[test]
    fn plurality_when_custom_has_no_thresholds_and_ties_adopt_none() {
        let v = people(6);
        let plurality = CustomRule::default();
        let o = opts(3, 1);
        let t = tally_options(
            RuleId::Custom,
            Some(&plurality),
            &v,
            &cast(&[&[0], &[0], &[1], &[2]]),
            &o,
        );
        assert_eq!(t.verdict, "passed");
        assert!(t.options[0].adopted);
        let t = tally_options(
            RuleId::Custom,
            Some(&plurality),
            &v,
            &cast(&[&[0], &[0], &[1], &[1], &[2]]),
            &o,
        );
        assert_eq!(t.verdict, "failed");
        assert_eq!(t.tied, ["A", "B"]);
    }

    #[test]
    fn multiple_choice_adopts_up_to_max_best_first() {
        let v = people(4);
        let plurality = CustomRule::default();
        let o = opts(4, 2);
        let b = cast(&[&[0, 1], &[0, 2], &[0, 1], &[3]]);
        let t = tally_options(RuleId::Custom, Some(&plurality), &v, &b, &o);
        let adopted: Vec<&str> = t
            .options
            .iter()
            .filter(|r| r.adopted)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(adopted, ["A", "B"]);
        assert_eq!(t.agree.heads, 4);
        // A quorum not met adopts nothing.
        let strict = CustomRule {
            quorum_heads: Some(Bound::at_least(3, 4)),
            ..CustomRule::default()
        };
        let t = tally_options(RuleId::Custom, Some(&strict), &v, &cast(&[&[0], &[0]]), &o);
        assert_eq!(t.verdict, "no_quorum");
        assert!(t.options.iter().all(|r| !r.adopted));
    }
}
