//! The `teahouse.vote/1` export (DESIGN.md "Contracts"): what a supervision
//! committee downloads to recount a vote offline, and the recount itself.

use super::vote::{self, Choice, CustomRule, RuleId, Tally, Voter};
use super::{Area, Msg};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

pub const FORMAT: &str = "teahouse.vote/1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoteHeader {
    pub id: String,
    pub community: String,
    pub title: String,
    pub rule: String,
    pub custom: Option<CustomRule>,
    pub options: Vec<String>,
    /// Single- or multiple-choice votes: the words of options A, B, C…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_labels: Option<Vec<String>>,
    /// Single- or multiple-choice votes: how many options a voter may choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<usize>,
    pub secret: bool,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ElectorateEntry {
    pub voter: String,
    #[serde(default)]
    pub dwellings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default)]
    pub household: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BallotEntry {
    pub voter: String,
    pub choice: String,
    /// online, paper or proxy.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// RFC 3339; absent in a secret vote's file (a time, even a day, can be
    /// matched against who was seen voting then).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cast_at: String,
    /// Absent in a secret vote's per-voter file: a receipt next to a choice
    /// would let a voter prove how they voted.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub receipt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoteExport {
    pub format: String,
    pub vote: VoteHeader,
    pub electorate: Vec<ElectorateEntry>,
    pub ballots: Vec<BallotEntry>,
    /// The published result: every figure, or only some when another tool
    /// wrote the file (read with `vote_published::parse`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

fn bad(zh: String, en: String) -> Msg {
    Msg::new(zh, en)
}

/// Checks the file and recomputes its result.
pub fn recount(e: &VoteExport) -> Result<Tally, Msg> {
    if e.format != FORMAT {
        return Err(bad(
            format!("不认识的格式“{}”，应为 {FORMAT}", e.format),
            format!("unknown format \"{}\", expected {FORMAT}", e.format),
        ));
    }
    let rule = RuleId::parse(&e.vote.rule).ok_or_else(|| {
        bad(
            format!("不认识的表决规则“{}”", e.vote.rule),
            format!("unknown rule \"{}\"", e.vote.rule),
        )
    })?;
    let choices = choice_options(&e.vote, rule)?;
    check_rule_options(&e.vote, rule, choices.is_some())?;
    let (voters, ids) = electorate(&e.electorate)?;
    vote::check_inputs(rule, e.vote.custom.as_ref(), &voters)?;
    let (ballots, picks) = read_ballots(&e.ballots, &ids, choices.as_ref())?;
    Ok(match &choices {
        Some(o) => vote::tally_options(rule, e.vote.custom.as_ref(), &voters, &picks, o),
        None => vote::tally(rule, e.vote.custom.as_ref(), &voters, &ballots),
    })
}

/// A single- or multiple-choice vote's options (None for a rule-based
/// vote), checked against the rule and the option ids.
fn choice_options(h: &VoteHeader, rule: RuleId) -> Result<Option<vote::Options>, Msg> {
    match (&h.option_labels, h.max_choices) {
        (None, None) => Ok(None),
        (Some(labels), max) => {
            if !matches!(rule, RuleId::SimpleMajority | RuleId::Custom) {
                return Err(bad(
                    "单选或多选表决只能用 simple_majority 或 custom 规则".into(),
                    "a single- or multiple-choice vote uses simple_majority or custom".into(),
                ));
            }
            let o = vote::Options::parse(&labels.join("\n"), &max.unwrap_or(1).to_string())?;
            if o.labels.len() != labels.len() || h.options != o.ids() {
                return Err(bad(
                    "options 应为 A、B、C…，与 option_labels 一一对应".into(),
                    "options must be A, B, C… matching option_labels one to one".into(),
                ));
            }
            Ok(Some(o))
        }
        (None, Some(_)) => Err(bad(
            "有 max_choices 却没有 option_labels".into(),
            "max_choices without option_labels".into(),
        )),
    }
}

/// A rule-based vote has exactly agree, disagree, abstain; a custom rule
/// has its settings.
fn check_rule_options(h: &VoteHeader, rule: RuleId, has_choices: bool) -> Result<(), Msg> {
    let expected = ["agree", "disagree", "abstain"];
    if !has_choices && h.options != expected {
        return Err(bad(
            "按规则计票的表决，选项必须正好是 agree、disagree、abstain".into(),
            "a rule-based vote must have exactly the options agree, disagree, abstain".into(),
        ));
    }
    if rule == RuleId::Custom && h.custom.is_none() {
        return Err(bad(
            "自定义规则缺少 custom 设置".into(),
            "a custom rule needs its \"custom\" settings".into(),
        ));
    }
    Ok(())
}

/// The electorate as voters, and the set of their ids (each once).
fn electorate(list: &[ElectorateEntry]) -> Result<(Vec<Voter>, HashSet<&str>), Msg> {
    let mut voters = Vec::with_capacity(list.len());
    let mut ids = HashSet::new();
    for (i, v) in list.iter().enumerate() {
        if !ids.insert(v.voter.as_str()) {
            return Err(bad(
                format!("选民名单第 {} 项：选民“{}”重复", i + 1, v.voter),
                format!(
                    "electorate entry {}: duplicate voter \"{}\"",
                    i + 1,
                    v.voter
                ),
            ));
        }
        let area = match &v.area {
            Some(a) => Some(
                Area::parse(a)
                    .map_err(|m| {
                        bad(
                            format!("选民“{}”：{}", v.voter, m.zh),
                            format!("voter \"{}\": {}", v.voter, m.en),
                        )
                    })?
                    .centi(),
            ),
            None => None,
        };
        voters.push(Voter {
            id: v.voter.clone(),
            area_centi: area,
            household: v.household.clone(),
        });
    }
    Ok((voters, ids))
}

/// Each voter's ballot: a choice in a rule-based vote, the options picked
/// otherwise (the other map stays empty). Refuses unknown voters and
/// choices, and a second ballot.
#[allow(clippy::type_complexity)]
fn read_ballots(
    list: &[BallotEntry],
    ids: &HashSet<&str>,
    choices: Option<&vote::Options>,
) -> Result<(HashMap<String, Choice>, HashMap<String, Vec<usize>>), Msg> {
    let mut ballots: HashMap<String, Choice> = HashMap::new();
    let mut picks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, b) in list.iter().enumerate() {
        if !ids.contains(b.voter.as_str()) {
            return Err(bad(
                format!("第 {} 张选票：选民“{}”不在选民名单中", i + 1, b.voter),
                format!("ballot {}: unknown voter \"{}\"", i + 1, b.voter),
            ));
        }
        let unknown = || {
            bad(
                format!("第 {} 张选票：不认识的选项“{}”", i + 1, b.choice),
                format!("ballot {}: unknown choice \"{}\"", i + 1, b.choice),
            )
        };
        let again = match choices {
            Some(o) => picks
                .insert(b.voter.clone(), o.decode(&b.choice).ok_or_else(unknown)?)
                .is_some(),
            None => ballots
                .insert(
                    b.voter.clone(),
                    Choice::parse(&b.choice).ok_or_else(unknown)?,
                )
                .is_some(),
        };
        if again {
            return Err(bad(
                format!("第 {} 张选票：选民“{}”有两张选票", i + 1, b.voter),
                format!("ballot {}: voter \"{}\" has two ballots", i + 1, b.voter),
            ));
        }
    }
    Ok((ballots, picks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vote_published;

    fn sample() -> VoteExport {
        serde_json::from_value(serde_json::json!({
            "format": "teahouse.vote/1",
            "vote": {"id": "v1", "community": "wutong", "title": "3栋2单元加装电梯", "rule": "civil_code_278_special",
                     "custom": null, "options": ["agree", "disagree", "abstain"], "secret": false,
                     "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-11-15T00:00:00Z"},
            "electorate": [
                {"voter": "o-1", "dwellings": ["3-2-101"], "area": "89.20", "household": null},
                {"voter": "o-2", "dwellings": ["3-2-201", "3-2-202"], "area": "178.40", "household": null},
                {"voter": "o-3", "dwellings": ["3-2-301"], "area": "89.20", "household": null}
            ],
            "ballots": [
                {"voter": "o-1", "choice": "agree", "channel": "online", "cast_at": "2026-11-02T10:00:00Z", "receipt": "R1"},
                {"voter": "o-2", "choice": "agree", "channel": "paper", "cast_at": "2026-11-03T10:00:00Z", "receipt": "R2"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn recounts_and_compares() {
        let e = sample();
        let t = recount(&e).unwrap();
        assert_eq!(t.verdict, "passed");
        let v = serde_json::to_value(&t).unwrap();
        let compare = |v: &Value| vote_published::compare(&vote_published::parse(v).unwrap(), &t);
        assert!(compare(&v).findings.is_empty());
        let mut forged = v.clone();
        forged["verdict"] = "failed".into();
        let d: Vec<String> = compare(&forged)
            .findings
            .into_iter()
            .map(|f| f.msg.en)
            .collect();
        assert_eq!(
            d,
            vec!["result.verdict: published \"failed\", recount \"passed\"".to_string()]
        );
    }

    #[test]
    fn malformed_files_are_named() {
        let mut e = sample();
        e.ballots[1].voter = "o-9".into();
        assert!(
            recount(&e)
                .unwrap_err()
                .en
                .contains("unknown voter \"o-9\"")
        );
        let mut e = sample();
        e.electorate[1].voter = "o-1".into();
        assert!(recount(&e).unwrap_err().en.contains("duplicate voter"));
        let mut e = sample();
        e.electorate[0].area = Some("89.205".into());
        assert!(
            recount(&e)
                .unwrap_err()
                .en
                .contains("more than two decimals")
        );
        let mut e = sample();
        e.ballots[0].choice = "maybe".into();
        assert!(recount(&e).unwrap_err().en.contains("unknown choice"));
        let mut e = sample();
        e.ballots.push(e.ballots[0].clone());
        assert!(recount(&e).unwrap_err().en.contains("two ballots"));
        let mut e = sample();
        e.electorate[2].area = None;
        assert!(recount(&e).unwrap_err().en.contains("has no area"));
    }

    #[test]
    fn recounts_a_multiple_choice_vote() {
        let mut e = sample();
        e.vote.rule = "custom".into();
        e.vote.custom = Some(CustomRule::default());
        e.vote.options = vec!["A".into(), "B".into(), "C".into()];
        e.vote.option_labels = Some(vec!["修车棚".into(), "装路灯".into(), "种树".into()]);
        e.vote.max_choices = Some(2);
        e.ballots[0].choice = "A+B".into();
        e.ballots[1].choice = "B".into();
        let t = recount(&e).unwrap();
        assert_eq!(t.verdict, "passed");
        let adopted: Vec<&str> = t
            .options
            .iter()
            .filter(|o| o.adopted)
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(
            adopted,
            ["B", "A"].iter().rev().copied().collect::<Vec<_>>()
        );
        e.ballots[1].choice = "B+A".into();
        assert!(recount(&e).unwrap_err().en.contains("unknown choice"));
        e.ballots[1].choice = "A+B+C".into();
        assert!(recount(&e).unwrap_err().en.contains("unknown choice"));
        e.ballots[1].choice = "B".into();
        e.vote.options = vec!["agree".into(), "disagree".into(), "abstain".into()];
        assert!(recount(&e).unwrap_err().en.contains("options must be A, B"));
        e.vote.options = vec!["A".into(), "B".into(), "C".into()];
        e.vote.rule = "civil_code_278_special".into();
        assert!(
            recount(&e)
                .unwrap_err()
                .en
                .contains("simple_majority or custom")
        );
    }
}
