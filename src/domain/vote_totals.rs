//! The public file of a closed secret vote, `teahouse.vote-totals/1`: the
//! figures behind the verdict and the receipts of the ballots counted, but
//! no voter, no area of a voter, no time and no receipt next to a choice.
//! The per-voter file that a full recount needs goes to the supervision
//! committee only; its SHA-256 is here and in the ledger, so anyone handed a
//! copy can check it is the same file.
//!
//! `teahouse recount` on this file re-checks the arithmetic of every test
//! from its figures (value, of, bound), how the tests combine into the
//! verdict, that the choices add up to those taking part, and that there is
//! one receipt per ballot counted.

use super::Area;
use super::Msg;
use super::vote::{self, Bound, Measure, Tally, Test};
use super::vote_export::VoteHeader;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const FORMAT: &str = "teahouse.vote-totals/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoteTotals {
    pub format: String,
    pub vote: VoteHeader,
    /// The receipts of every ballot counted, sorted: a voter finds theirs here.
    pub receipts: Vec<String>,
    /// SHA-256 of the per-voter recount file the supervision committee holds.
    pub export_sha256: String,
    pub result: Tally,
}

fn figure(m: Measure, s: &str) -> Result<i64, Msg> {
    let bad = || {
        Msg::new(
            format!("数字“{s}”无法读取"),
            format!("cannot read the figure \"{s}\""),
        )
    };
    match m {
        // A total may be 0.00 (nobody took part), which no single area is.
        Measure::Area if s.trim() == "0.00" => Ok(0),
        Measure::Area => Area::parse(s).map(|a| a.centi()).map_err(|_| bad()),
        _ => s.trim().parse::<i64>().map_err(|_| bad()),
    }
}

fn check_test(where_: &str, t: &Test, out: &mut Vec<String>) -> Result<(), Msg> {
    let value = figure(t.measure, &t.value)?;
    let of = figure(t.measure, &t.of)?;
    let (n, d) = t.bound.split_once('/').ok_or_else(|| {
        Msg::new(
            format!("比例“{}”无法读取", t.bound),
            format!("cannot read the ratio \"{}\"", t.bound),
        )
    })?;
    let (num, den) = match (n.trim().parse::<i64>(), d.trim().parse::<i64>()) {
        (Ok(n), Ok(d)) => (n, d),
        _ => {
            return Err(Msg::new(
                format!("比例“{}”无法读取", t.bound),
                format!("cannot read the ratio \"{}\"", t.bound),
            ));
        }
    };
    let met = Bound {
        num,
        den,
        inclusive: t.inclusive,
    }
    .met(value, of);
    if met != t.met {
        out.push(format!(
            "{where_}: {} of {} against {}{}: published met={}, recount met={met}",
            t.value,
            t.of,
            if t.inclusive { "≥ " } else { "> " },
            t.bound,
            t.met
        ));
    }
    Ok(())
}

/// Re-checks the totals file; returns where it does not add up (empty: it does).
pub fn check(t: &VoteTotals) -> Result<Vec<String>, Msg> {
    if t.format != FORMAT {
        return Err(Msg::new(
            format!("不认识的格式“{}”，应为 {FORMAT}", t.format),
            format!("unknown format \"{}\", expected {FORMAT}", t.format),
        ));
    }
    let r = &t.result;
    let mut out = Vec::new();
    for (i, q) in r.quorum.iter().enumerate() {
        check_test(&format!("result.quorum[{i}]"), q, &mut out)?;
    }
    for (i, p) in r.pass.iter().enumerate() {
        check_test(&format!("result.pass[{i}]"), p, &mut out)?;
    }
    for o in &r.options {
        for (i, p) in o.pass.iter().enumerate() {
            check_test(&format!("result.options[{}].pass[{i}]", o.id), p, &mut out)?;
        }
    }
    let quorum_met = vote::quorum_met(&r.quorum_combine, &r.quorum, r.participating.heads);
    if quorum_met != r.quorum_met {
        out.push(format!(
            "result.quorum_met: published {}, recount {quorum_met}",
            r.quorum_met
        ));
    }
    if r.options.is_empty() {
        let pass_met = vote::pass_met(&r.pass);
        if pass_met != r.pass_met {
            out.push(format!(
                "result.pass_met: published {}, recount {pass_met}",
                r.pass_met
            ));
        }
        let verdict = vote::verdict(quorum_met, pass_met);
        if verdict != r.verdict {
            out.push(format!(
                "result.verdict: published \"{}\", recount \"{verdict}\"",
                r.verdict
            ));
        }
        let heads = r.agree.heads + r.disagree.heads + r.abstain.heads;
        if heads != r.participating.heads {
            out.push(format!(
                "result.participating.heads: published {}, agree + disagree + abstain = {heads}",
                r.participating.heads
            ));
        }
        let area = |f: &super::vote::Figures| f.area.as_deref().map(|a| figure(Measure::Area, a));
        if let (Some(p), Some(a), Some(d), Some(x)) = (
            area(&r.participating),
            area(&r.agree),
            area(&r.disagree),
            area(&r.abstain),
        ) {
            let (p, sum) = (p?, a? + d? + x?);
            if p != sum {
                out.push(format!(
                    "result.participating.area: published {}, agree + disagree + abstain = {}",
                    Area::from_centi(p),
                    Area::from_centi(sum)
                ));
            }
        }
    }
    if t.receipts.len() as i64 != r.participating.heads {
        out.push(format!(
            "receipts: {} listed, {} taking part",
            t.receipts.len(),
            r.participating.heads
        ));
    }
    let unique: HashSet<&str> = t.receipts.iter().map(String::as_str).collect();
    if unique.len() != t.receipts.len() {
        out.push("receipts: the same receipt is listed twice".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vote::{self, Choice, RuleId, Voter};
    use crate::domain::vote_export::VoteHeader;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn header() -> VoteHeader {
        VoteHeader {
            id: "1".into(),
            community: "wutong".into(),
            title: "t".into(),
            rule: "civil_code_278_special".into(),
            custom: None,
            options: vec!["agree".into(), "disagree".into(), "abstain".into()],
            option_labels: None,
            max_choices: None,
            secret: true,
            opens_at: "2026-11-01T00:00:00Z".into(),
            closes_at: "2026-11-15T00:00:00Z".into(),
        }
    }

    fn totals(areas: &[i64], choices: &[Option<u8>]) -> VoteTotals {
        let voters: Vec<Voter> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| Voter {
                id: format!("o-{i}"),
                area_centi: Some(*a),
                household: None,
            })
            .collect();
        let mut ballots = HashMap::new();
        let mut receipts = Vec::new();
        for (i, c) in choices.iter().enumerate().take(voters.len()) {
            if let Some(c) = c {
                let c = [Choice::Agree, Choice::Disagree, Choice::Abstain][*c as usize % 3];
                ballots.insert(format!("o-{i}"), c);
                receipts.push(format!("R{i}"));
            }
        }
        let result = vote::tally(RuleId::CivilCode278Special, None, &voters, &ballots);
        VoteTotals {
            format: FORMAT.into(),
            vote: header(),
            receipts,
            export_sha256: "x".into(),
            result,
        }
    }

    proptest! {
        /// Whatever the ballots, the published figures of a real tally check out.
        #[test]
        fn a_real_tally_adds_up(
            areas in proptest::collection::vec(1i64..50_000, 1..30),
            choices in proptest::collection::vec(proptest::option::of(0u8..3), 30),
        ) {
            let t = totals(&areas, &choices);
            prop_assert_eq!(check(&t).unwrap(), Vec::<String>::new());
        }
    }

    #[test]
    fn a_forged_verdict_or_figure_is_named() {
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(0), None]);
        assert!(check(&t).unwrap().is_empty());
        assert_eq!(t.result.verdict, "passed");
        t.result.verdict = "failed".into();
        assert!(check(&t).unwrap()[0].contains("result.verdict"));
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(0), None]);
        t.result.pass[0].value = "10.00".into();
        let d = check(&t).unwrap();
        assert!(d.iter().any(|l| l.starts_with("result.pass[0]")), "{d:?}");
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(0), None]);
        t.receipts.pop();
        assert!(check(&t).unwrap()[0].starts_with("receipts"));
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(1), None]);
        t.result.agree.heads += 1;
        assert!(check(&t).unwrap()[0].contains("participating.heads"));
        let mut t = totals(&[8920], &[Some(0)]);
        t.format = "teahouse.vote/1".into();
        assert!(check(&t).is_err());
    }
}
