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

use super::Msg;
use super::vote::{self, Measure, Tally, Test};
use super::vote_export::VoteHeader;
use super::vote_published::{
    self, Published, PublishedTest, Report, area_centi, figures_of, test_label,
};
use super::{Area, vote::Bound};
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

/// A totals file as read: its result states what it states (another tool's
/// may leave figures out).
#[derive(Debug, Clone, Deserialize)]
pub struct TotalsFile {
    pub format: String,
    pub vote: VoteHeader,
    pub receipts: Vec<String>,
    pub export_sha256: String,
    pub result: Published,
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
        Measure::Area => area_centi(s).ok_or_else(bad),
        _ => s.trim().parse::<i64>().map_err(|_| bad()),
    }
}

fn check_test(at: &str, t: &PublishedTest, out: &mut Report) -> Result<(), Msg> {
    let (Some(measure), Some(v), Some(o), Some(b), Some(inclusive), Some(stated)) = (
        t.measure,
        t.value.as_deref(),
        t.of.as_deref(),
        t.bound.as_deref(),
        t.inclusive,
        t.met,
    ) else {
        let parts = [
            ("measure", t.measure.is_some()),
            ("value", t.value.is_some()),
            ("of", t.of.is_some()),
            ("bound", t.bound.is_some()),
            ("inclusive", t.inclusive.is_some()),
            ("met", t.met.is_some()),
        ];
        for (name, _) in parts.iter().filter(|(_, stated)| !stated) {
            out.not_published(&format!("{at}.{name}"));
        }
        return Ok(());
    };
    let value = figure(measure, v)?;
    let of = figure(measure, o)?;
    let bad_ratio = || {
        Msg::new(
            format!("比例“{b}”无法读取"),
            format!("cannot read the ratio \"{b}\""),
        )
    };
    let (n, d) = b.split_once('/').ok_or_else(bad_ratio)?;
    let (num, den) = match (n.trim().parse::<i64>(), d.trim().parse::<i64>()) {
        (Ok(n), Ok(d)) => (n, d),
        _ => return Err(bad_ratio()),
    };
    let met = Bound {
        num,
        den,
        inclusive,
    }
    .met(value, of);
    if met == stated {
        out.matched += 1;
    } else {
        let against = if inclusive { "≥ " } else { "> " };
        out.differ_msg(
            at,
            Msg::new(
                format!("{at}：{v} 对 {o}，要求 {against}{b}：公布为 met={stated}，核算为 met={met}"),
                format!("{at}: {v} of {o} against {against}{b}: published met={stated}, recount met={met}"),
            ),
        );
    }
    Ok(())
}

/// Checks each stated test of a list; returns the tests as far as the
/// quorum and pass rules need them (each one's `met`), or None when the list
/// or a `met` is not published.
fn check_tests(
    path: &str,
    ts: Option<&[PublishedTest]>,
    out: &mut Report,
) -> Result<Option<Vec<Test>>, Msg> {
    let Some(ts) = ts else {
        out.not_published(path);
        return Ok(None);
    };
    let mut known = Some(Vec::with_capacity(ts.len()));
    for (i, t) in ts.iter().enumerate() {
        check_test(&format!("{path}[{}]", test_label(t, i)), t, out)?;
        match (t.met, known.as_mut()) {
            (Some(met), Some(k)) => k.push(Test {
                measure: t.measure.unwrap_or(Measure::Heads),
                value: String::new(),
                of: String::new(),
                bound: String::new(),
                inclusive: false,
                met,
                zh: String::new(),
                en: String::new(),
            }),
            _ => known = None,
        }
    }
    Ok(known)
}

/// A stated flag against what the stated figures give; returns the one to
/// go on with.
fn flag(path: &str, stated: Option<bool>, derived: Option<bool>, out: &mut Report) -> Option<bool> {
    match (stated, derived) {
        (Some(s), Some(d)) if s == d => out.matched += 1,
        (Some(s), Some(d)) => out.differ(path, &s.to_string(), &d.to_string()),
        (Some(_), None) => out.not_checked(path, cannot_derive()),
        (None, _) => out.not_published(path),
    }
    derived.or(stated)
}

fn cannot_derive() -> Msg {
    Msg::new(
        "公布的数字不足以核算这一项",
        "what is published does not determine it",
    )
}

/// Re-checks teahouse's own totals (as written).
pub fn check(t: &VoteTotals) -> Result<Report, Msg> {
    let file = serde_json::to_value(t)
        .and_then(serde_json::from_value::<TotalsFile>)
        .map_err(|e| Msg::new(e.to_string(), e.to_string()))?;
    check_file(&file)
}

/// Reads a totals file.
pub fn read(v: serde_json::Value) -> Result<TotalsFile, Msg> {
    serde_json::from_value(v).map_err(|e| {
        Msg::new(
            format!("不是有效的 {FORMAT} 文件：{e}"),
            format!("not a valid {FORMAT} file: {e}"),
        )
    })
}

/// Re-checks a totals file on what its result states: the arithmetic of each
/// test, how they combine into the verdict, that the choices add up to those
/// taking part and one receipt per ballot. Figures left out are listed as not
/// published; fields teahouse does not know, as not checked.
pub fn check_file(t: &TotalsFile) -> Result<Report, Msg> {
    if t.format != FORMAT {
        return Err(Msg::new(
            format!("不认识的格式“{}”，应为 {FORMAT}", t.format),
            format!("unknown format \"{}\", expected {FORMAT}", t.format),
        ));
    }
    let r = &t.result;
    let mut out = Report::default();
    unpublished_figures(r, &mut out);
    let heads = r.participating.as_ref().and_then(|f| f.heads);
    let quorum_met = check_quorum(r, heads, &mut out)?;
    let choice =
        t.vote.option_labels.is_some() || r.options.as_ref().is_some_and(|o| !o.is_empty());
    for (i, o) in r.options.iter().flatten().enumerate() {
        let id = o.id.clone().unwrap_or_else(|| i.to_string());
        check_tests(
            &format!("result.options[{id}].pass"),
            o.pass.as_deref(),
            &mut out,
        )?;
    }
    if choice {
        // Which options are adopted follows their ranking, which needs the
        // ballots: the per-voter file.
        for path in ["result.pass_met", "result.verdict"] {
            out.not_checked(
                path,
                Msg::new(
                    "单选或多选表决的结果要用逐票文件核对",
                    "a choice vote's outcome needs the per-voter file",
                ),
            );
        }
    } else {
        check_verdict(r, quorum_met, &mut out)?;
        sums(r, &mut out)?;
    }
    check_receipts(&t.receipts, heads, &mut out);
    vote_published::unknown_fields(r, &mut out);
    Ok(out)
}

/// Lists the figures left out: whole figures, and a figure's heads, area or
/// households where another figure states them; and the quorum's combine.
fn unpublished_figures(r: &Published, out: &mut Report) {
    let figs = figures_of(r);
    let any_area = figs
        .iter()
        .any(|(_, f)| f.is_some_and(|f| f.area.is_some()));
    let any_households = figs
        .iter()
        .any(|(_, f)| f.is_some_and(|f| f.households.is_some()));
    for (name, f) in figs {
        let Some(f) = f else {
            out.not_published(&format!("result.{name}"));
            continue;
        };
        for (field, missing) in [
            ("heads", f.heads.is_none()),
            ("area", any_area && f.area.is_none()),
            ("households", any_households && f.households.is_none()),
        ] {
            if missing {
                out.not_published(&format!("result.{name}.{field}"));
            }
        }
    }
    if r.quorum_combine.is_none() {
        out.not_published("result.quorum_combine");
    }
}

/// The quorum tests and whether they combine into `quorum_met`; returns the
/// flag to go on with.
fn check_quorum(r: &Published, heads: Option<i64>, out: &mut Report) -> Result<Option<bool>, Msg> {
    let quorum = check_tests("result.quorum", r.quorum.as_deref(), out)?;
    let quorum_met = quorum.and_then(|q| {
        let combine = match (r.quorum_combine.as_deref(), q.len()) {
            (Some(c), _) => c,
            (None, 0 | 1) => "all",
            (None, _) => return None,
        };
        match heads {
            Some(h) => Some(vote::quorum_met(combine, &q, h)),
            None if !q.is_empty() => Some(vote::quorum_met(combine, &q, 0)),
            None => None,
        }
    });
    Ok(flag("result.quorum_met", r.quorum_met, quorum_met, out))
}

/// A rule-based vote's pass tests, `pass_met`, and the verdict they give
/// with `quorum_met`.
fn check_verdict(r: &Published, quorum_met: Option<bool>, out: &mut Report) -> Result<(), Msg> {
    let pass = check_tests("result.pass", r.pass.as_deref(), out)?;
    let pass_met = pass.map(|p| vote::pass_met(&p));
    let pass_met = flag("result.pass_met", r.pass_met, pass_met, out);
    let verdict = quorum_met.zip(pass_met).map(|(q, p)| vote::verdict(q, p));
    match (&r.verdict, verdict) {
        (None, _) => out.not_published("result.verdict"),
        (Some(v), Some(d)) if v == d => out.matched += 1,
        (Some(v), Some(d)) => {
            out.differ("result.verdict", &format!("\"{v}\""), &format!("\"{d}\""))
        }
        (Some(_), None) => out.not_checked("result.verdict", cannot_derive()),
    }
    Ok(())
}

/// One receipt per ballot: as many as take part, none listed twice.
fn check_receipts(receipts: &[String], heads: Option<i64>, out: &mut Report) {
    match heads {
        Some(h) if receipts.len() as i64 == h => out.matched += 1,
        Some(h) => out.differ_msg(
            "receipts",
            Msg::new(
                format!("receipts：列出 {} 张回执，参加表决 {h} 人", receipts.len()),
                format!("receipts: {} listed, {h} taking part", receipts.len()),
            ),
        ),
        None => out.not_checked(
            "receipts",
            Msg::new(
                "参加人数未公布，回执张数无从对照",
                "the number taking part is not published to count them against",
            ),
        ),
    }
    let unique: HashSet<&str> = receipts.iter().map(String::as_str).collect();
    if unique.len() != receipts.len() {
        out.differ_msg(
            "receipts",
            Msg::new(
                "receipts：同一张回执列出了两次",
                "receipts: the same receipt is listed twice",
            ),
        );
    }
}

/// agree + disagree + abstain = participating, by head and by area, where
/// all four are stated.
fn sums(r: &Published, out: &mut Report) -> Result<(), Msg> {
    let four = [&r.participating, &r.agree, &r.disagree, &r.abstain];
    let heads: Option<Vec<i64>> = four
        .iter()
        .map(|f| f.as_ref().and_then(|f| f.heads))
        .collect();
    if let Some([p, a, d, x]) = heads.as_deref() {
        let sum = a + d + x;
        if *p == sum {
            out.matched += 1;
        } else {
            let path = "result.participating.heads";
            out.differ(
                path,
                &p.to_string(),
                &format!("agree + disagree + abstain = {sum}"),
            );
        }
    }
    let areas: Option<Vec<&str>> = four
        .iter()
        .map(|f| f.as_ref().and_then(|f| f.area.as_deref()))
        .collect();
    if let Some([p, a, d, x]) = areas.as_deref() {
        let (p, sum) = (
            figure(Measure::Area, p)?,
            figure(Measure::Area, a)? + figure(Measure::Area, d)? + figure(Measure::Area, x)?,
        );
        if p == sum {
            out.matched += 1;
        } else {
            out.differ(
                "result.participating.area",
                &Area::from_centi(p).to_string(),
                &format!("agree + disagree + abstain = {}", Area::from_centi(sum)),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vote::{self, Choice, RuleId, Voter};
    use crate::domain::vote_export::VoteHeader;
    use crate::domain::vote_published::Kind;
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

    fn differs(t: &VoteTotals) -> Vec<String> {
        check(t)
            .unwrap()
            .paths(Kind::Differs)
            .into_iter()
            .map(String::from)
            .collect()
    }

    fn read_json(v: serde_json::Value) -> Report {
        check_file(&read(v).unwrap()).unwrap()
    }

    proptest! {
        /// Whatever the ballots, the published figures of a real tally check out.
        #[test]
        fn a_real_tally_adds_up(
            areas in proptest::collection::vec(1i64..50_000, 1..30),
            choices in proptest::collection::vec(proptest::option::of(0u8..3), 30),
        ) {
            let t = totals(&areas, &choices);
            let r = check(&t).unwrap();
            prop_assert!(r.findings.is_empty(), "{:?}", r.findings);
        }
    }

    #[test]
    fn a_forged_verdict_or_figure_is_named() {
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(0), None]);
        assert!(differs(&t).is_empty());
        assert_eq!(t.result.verdict, "passed");
        t.result.verdict = "failed".into();
        assert_eq!(differs(&t), ["result.verdict"]);
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(0), None]);
        t.result.pass[0].value = "10.00".into();
        assert_eq!(differs(&t), ["result.pass[area]"]);
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(0), None]);
        t.receipts.pop();
        assert_eq!(differs(&t), ["receipts"]);
        let mut t = totals(&[8920, 17840, 8920], &[Some(0), Some(1), None]);
        t.result.agree.heads += 1;
        assert_eq!(differs(&t), ["result.participating.heads"]);
        let mut t = totals(&[8920], &[Some(0)]);
        t.format = "teahouse.vote/1".into();
        assert!(check(&t).is_err());
    }

    #[test]
    fn a_partial_result_is_checked_on_what_it_states() {
        let t = totals(&[8920, 17840, 8920], &[Some(0), Some(0), None]);
        let mut v = serde_json::to_value(&t).unwrap();
        v["result"] = serde_json::json!({"verdict": "passed"});
        let r = read_json(v.clone());
        assert!(!r.differs(), "{:?}", r.findings);
        assert_eq!(r.matched, 0);
        assert_eq!(r.paths(Kind::NotChecked), ["result.verdict", "receipts"]);
        assert!(r.paths(Kind::NotPublished).contains(&"result.pass"));
        // The tests and the flags are enough to check the verdict.
        let mut full = serde_json::to_value(&t.result).unwrap();
        let o = full.as_object_mut().unwrap();
        for k in ["total", "agree", "disagree", "abstain"] {
            o.remove(k);
        }
        o.insert("signed_by".into(), "某某".into());
        v["result"] = full.clone();
        let r = read_json(v.clone());
        assert!(!r.differs(), "{:?}", r.findings);
        assert_eq!(
            r.paths(Kind::NotPublished),
            [
                "result.total",
                "result.agree",
                "result.disagree",
                "result.abstain"
            ]
        );
        assert_eq!(r.paths(Kind::NotChecked), ["result.signed_by"]);
        v["result"]["verdict"] = "failed".into();
        assert_eq!(
            read_json(v.clone()).paths(Kind::Differs),
            ["result.verdict"]
        );
        // A test without its figures: its arithmetic is not published.
        v["result"]["verdict"] = "passed".into();
        v["result"]["pass"][1]
            .as_object_mut()
            .unwrap()
            .remove("value");
        let r = read_json(v);
        assert!(!r.differs(), "{:?}", r.findings);
        assert!(
            r.paths(Kind::NotPublished)
                .contains(&"result.pass[heads].value")
        );
    }
}
