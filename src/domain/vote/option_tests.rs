//! Single- and multiple-choice votes: options, picks and their count.

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
