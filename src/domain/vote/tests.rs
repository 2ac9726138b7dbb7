//! The tally's rules: quorum, pass and verdict by heads and by area.

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
            let phh: HashSet<&str> = part.iter().filter_map(|x| x.household.as_deref()).collect();
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
