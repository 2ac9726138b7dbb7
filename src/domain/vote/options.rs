//! Single- and multiple-choice votes: the options, lettered A, B, C…, how a
//! voter's pick is written, and their count.

use super::*;
use std::collections::HashSet;

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
