//! Unit tests for reading a published vote result back (`vote_published`).

use super::*;
use crate::domain::vote::{self, Choice, RuleId, Voter};
use serde_json::json;
use std::collections::HashMap;

/// 3栋2单元: two owners of three agree; the verdict is passed.
fn tally() -> Tally {
    let voters: Vec<Voter> = [8920, 17840, 8920]
        .iter()
        .enumerate()
        .map(|(i, a)| Voter {
            id: format!("o-{i}"),
            area_centi: Some(*a),
            household: None,
        })
        .collect();
    let ballots: HashMap<String, Choice> = [("o-0", Choice::Agree), ("o-1", Choice::Agree)]
        .into_iter()
        .map(|(v, c)| (v.to_string(), c))
        .collect();
    vote::tally(RuleId::CivilCode278Special, None, &voters, &ballots)
}

fn check(published: Value) -> Report {
    compare(&parse(&published).unwrap(), &tally())
}

#[test]
fn a_full_result_matches() {
    let t = tally();
    assert_eq!(t.verdict, "passed");
    let r = check(serde_json::to_value(&t).unwrap());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(r.matched > 20, "{}", r.matched);
}

#[test]
fn a_verdict_alone_is_compared_on_the_verdict() {
    let r = check(json!({"verdict": "passed"}));
    assert!(!r.differs());
    assert_eq!(r.matched, 1);
    assert_eq!(r.count(Kind::NotChecked), 0);
    assert_eq!(
        r.paths(Kind::NotPublished),
        [
            "result.rule",
            "result.total",
            "result.participating",
            "result.agree",
            "result.disagree",
            "result.abstain",
            "result.quorum_combine",
            "result.quorum_met",
            "result.quorum",
            "result.pass_met",
            "result.pass",
        ]
    );
    let r = check(json!({"verdict": "failed"}));
    assert!(r.differs());
    assert_eq!(r.paths(Kind::Differs), ["result.verdict"]);
    assert_eq!(
        r.findings[0].msg.en,
        "result.verdict: published \"failed\", recount \"passed\""
    );
    assert!(r.findings[0].msg.zh.starts_with("result.verdict：公布为"));
}

#[test]
fn omitted_figures_are_listed_as_not_published() {
    let mut full = serde_json::to_value(tally()).unwrap();
    // Heads only, one pass test left out, one choice left out.
    for f in ["total", "participating", "agree", "disagree"] {
        full[f].as_object_mut().unwrap().remove("area");
    }
    full.as_object_mut().unwrap().remove("abstain");
    full["pass"].as_array_mut().unwrap().remove(0);
    let r = check(full.clone());
    assert!(!r.differs(), "{:?}", r.findings);
    assert_eq!(
        r.paths(Kind::NotPublished),
        [
            "result.total.area",
            "result.participating.area",
            "result.agree.area",
            "result.disagree.area",
            "result.abstain",
            "result.pass[area]",
        ]
    );
    // What is stated is still compared.
    full["agree"]["heads"] = 3.into();
    let r = check(full);
    assert_eq!(r.paths(Kind::Differs), ["result.agree.heads"]);
}

#[test]
fn tests_match_by_measure_and_areas_by_value() {
    let t = tally();
    let mut full = serde_json::to_value(&t).unwrap();
    full["pass"].as_array_mut().unwrap().reverse();
    full["agree"]["area"] = "267.6".into();
    full["quorum"][0]["zh"] = serde_json::Value::Null;
    let r = check(full.clone());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    full["pass"][0]["measure"] = "households".into();
    let r = check(full);
    assert_eq!(r.paths(Kind::Differs), ["result.pass[households]"]);
    assert_eq!(r.paths(Kind::NotPublished), ["result.pass[heads]"]);
}

#[test]
fn unknown_fields_are_named_not_checked() {
    let r = check(json!({
        "verdict": "passed", "signed_by": "某某",
        "agree": {"heads": 2, "area": "267.60", "weight": 1},
        "pass": [{"measure": "heads", "met": true, "note": "x"}]
    }));
    assert!(!r.differs(), "{:?}", r.findings);
    assert_eq!(
        r.paths(Kind::NotChecked),
        [
            "result.signed_by",
            "result.agree.weight",
            "result.pass[heads].note"
        ]
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.msg.en == "result.signed_by: a field teahouse does not know, not checked")
    );
}

#[test]
fn a_malformed_result_is_refused() {
    assert!(parse(&json!("passed")).is_err());
    assert!(parse(&json!({"verdict": 3})).is_err());
    assert!(parse(&json!({"pass": [{"measure": "weight"}]})).is_err());
    assert!(parse(&json!({"agree": {"heads": "two"}})).is_err());
}
