//! The tally: a frozen electorate's ballots counted against a rule's
//! quorum and pass tests, by heads and by area, with every figure behind
//! the verdict.

use super::*;

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

/// Heads, area and households of some voters (a choice's, or all taking part).
pub(super) struct Sums {
    pub(super) heads: i64,
    pub(super) area: i64,
    pub(super) households: i64,
}

pub(super) fn sums<'a>(voters: impl Iterator<Item = &'a Voter>) -> Sums {
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
    let counts = Counts {
        total: sums(voters.iter()),
        part: by(None),
        agree: by(Some(Choice::Agree)),
    };
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
    let (combine, quorum, pass) = rule_tests(rule, custom, &counts);
    let quorum_met = quorum_met(combine, &quorum, counts.part.heads);
    let pass_met = pass_met(&pass);
    let verdict = verdict(quorum_met, pass_met);
    Tally {
        verdict: verdict.into(),
        rule: rule.as_str().into(),
        total: fig(&counts.total),
        participating: fig(&counts.part),
        agree: fig(&counts.agree),
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

/// The figures a rule's tests are made of.
struct Counts {
    total: Sums,
    part: Sums,
    agree: Sums,
}

/// How the quorum tests combine ("all" or "any"), the quorum tests, the passing tests.
type Tests = (&'static str, Vec<Test>, Vec<Test>);

const PART_AREA: (&str, &str) = ("参与表决的专有面积", "participating area");
const TOTAL_AREA: (&str, &str) = ("总面积", "total area");
const PART_OWNERS: (&str, &str) = ("参与表决的业主", "participating owners");
const TOTAL_OWNERS: (&str, &str) = ("业主总人数", "all owners");
const AGREE_AREA: (&str, &str) = ("同意的专有面积", "agreeing area");
const AGREE_OWNERS: (&str, &str) = ("同意的业主", "agreeing owners");
const PART: (&str, &str) = ("参加的人", "taking part");
const AGREE: (&str, &str) = ("同意的人", "agreeing");

fn rule_tests(rule: RuleId, custom: Option<&CustomRule>, c: &Counts) -> Tests {
    match rule {
        RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary => {
            owners_tests(rule == RuleId::CivilCode278Special, c)
        }
        RuleId::VillagersMeeting | RuleId::VillagerGroupMeeting => {
            village_tests(rule == RuleId::VillagersMeeting, c)
        }
        RuleId::RepresentativesMeeting => representatives_tests(c),
        RuleId::SimpleMajority | RuleId::Custom => {
            custom_tests(rule == RuleId::SimpleMajority, custom, c)
        }
    }
}

/// Civil Code art. 278: two thirds of the area and of the owners take part;
/// three quarters (special matters) or more than half of both agree.
fn owners_tests(special: bool, c: &Counts) -> Tests {
    let pb = if special {
        Bound::at_least(3, 4)
    } else {
        Bound::more_than(1, 2)
    };
    let quorum = vec![
        test(
            Measure::Area,
            PART_AREA,
            c.part.area,
            TOTAL_AREA,
            c.total.area,
            Bound::at_least(2, 3),
        ),
        test(
            Measure::Heads,
            PART_OWNERS,
            c.part.heads,
            TOTAL_OWNERS,
            c.total.heads,
            Bound::at_least(2, 3),
        ),
    ];
    let pass = vec![
        test(
            Measure::Area,
            AGREE_AREA,
            c.agree.area,
            PART_AREA,
            c.part.area,
            pb,
        ),
        test(
            Measure::Heads,
            AGREE_OWNERS,
            c.agree.heads,
            PART_OWNERS,
            c.part.heads,
            pb,
        ),
    ];
    ("all", quorum, pass)
}

/// A villagers' (more than half of the adults) or villager group's (two
/// thirds) meeting, or two thirds of the households; more than half agree.
fn village_tests(whole_village: bool, c: &Counts) -> Tests {
    let adults = if whole_village {
        Bound::more_than(1, 2)
    } else {
        Bound::at_least(2, 3)
    };
    let quorum = vec![
        test(
            Measure::Heads,
            ("到会的成年村民", "adults taking part"),
            c.part.heads,
            ("成年村民总数", "all adults"),
            c.total.heads,
            adults,
        ),
        test(
            Measure::Households,
            ("有代表到会的户", "households represented"),
            c.part.households,
            ("总户数", "all households"),
            c.total.households,
            Bound::at_least(2, 3),
        ),
    ];
    (
        "any",
        quorum,
        vec![majority_of_part(c, Bound::more_than(1, 2))],
    )
}

fn representatives_tests(c: &Counts) -> Tests {
    let quorum = vec![test(
        Measure::Heads,
        ("到会的代表", "representatives taking part"),
        c.part.heads,
        ("代表总数", "all representatives"),
        c.total.heads,
        Bound::at_least(2, 3),
    )];
    (
        "all",
        quorum,
        vec![majority_of_part(c, Bound::more_than(1, 2))],
    )
}

/// Agreeing heads against those taking part.
fn majority_of_part(c: &Counts, b: Bound) -> Test {
    test(Measure::Heads, AGREE, c.agree.heads, PART, c.part.heads, b)
}

/// The committee's own bounds; a simple majority passes on more than half of
/// the heads unless it says otherwise.
fn custom_tests(simple: bool, custom: Option<&CustomRule>, c: &Counts) -> Tests {
    let rule = custom.cloned().unwrap_or_default();
    let mut q = Vec::new();
    if let Some(b) = rule.quorum_heads {
        q.push(test(
            Measure::Heads,
            PART,
            c.part.heads,
            ("应参加的人数", "electorate"),
            c.total.heads,
            b,
        ));
    }
    if let Some(b) = rule.quorum_area {
        q.push(test(
            Measure::Area,
            PART_AREA,
            c.part.area,
            TOTAL_AREA,
            c.total.area,
            b,
        ));
    }
    let mut p = Vec::new();
    let heads = if simple {
        Some(rule.pass_heads.unwrap_or(Bound::more_than(1, 2)))
    } else {
        rule.pass_heads
    };
    if let Some(b) = heads {
        p.push(majority_of_part(c, b));
    }
    if let Some(b) = rule.pass_area {
        p.push(test(
            Measure::Area,
            AGREE_AREA,
            c.agree.area,
            PART_AREA,
            c.part.area,
            b,
        ));
    }
    ("all", q, p)
}

/// Distinct households (for electorate previews).
pub fn household_count(voters: &[Voter]) -> usize {
    voters
        .iter()
        .filter_map(|v| v.household.as_deref())
        .collect::<BTreeSet<_>>()
        .len()
}
