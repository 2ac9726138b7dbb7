//! Vote rules (the tally is in `tally.rs`), exactly as the law counts (DESIGN.md "Legal
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
        teahouse_words::choices::choice(self.as_str()).zh
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

mod tally;
pub use tally::*;

mod options;
pub use options::*;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod option_tests;
