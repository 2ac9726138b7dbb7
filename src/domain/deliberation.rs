//! Mobile teahouse deliberations (流动的茶馆): outcomes, minutes as typed by
//! the host (one view or action per line), the sign-in window, and the
//! changes between two revisions of published minutes.

use super::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Consensus,
    Resolution,
    Deferred,
    ReferredToVote,
    ReferredToMediation,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Consensus,
        Outcome::Resolution,
        Outcome::Deferred,
        Outcome::ReferredToVote,
        Outcome::ReferredToMediation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Consensus => "consensus",
            Outcome::Resolution => "resolution",
            Outcome::Deferred => "deferred",
            Outcome::ReferredToVote => "referred_to_vote",
            Outcome::ReferredToMediation => "referred_to_mediation",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Consensus => ("达成共识", "consensus"),
            Outcome::Resolution => ("形成决议", "resolution"),
            Outcome::Deferred => ("暂缓，下次再议", "deferred"),
            Outcome::ReferredToVote => ("提交表决", "referred to a vote"),
            Outcome::ReferredToMediation => ("转人民调解", "referred to mediation"),
        }
    }
    /// Settled: the topic needs no more talk (the seeds' "topics settled").
    pub fn settled(self) -> bool {
        matches!(self, Outcome::Consensus | Outcome::Resolution)
    }
}

/// Where an agenda item stands: on the agenda, suggested by a resident and
/// waiting for the host, or declined by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    Agenda,
    Suggested,
    Declined,
}

/// A follow-up action: open until closed with a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStatus {
    Open,
    Done,
}

/// Text the database holds in a column that should be one of an enum's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown code {:?}", self.0)
    }
}

impl std::error::Error for UnknownCode {}

/// `as_str` as Display and its inverse as FromStr, for a code enum.
macro_rules! codes {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $t {
            type Err = $crate::domain::deliberation::UnknownCode;
            fn from_str(s: &str) -> Result<Self, $crate::domain::deliberation::UnknownCode> {
                match s { $($s => Ok(Self::$v),)+ _ => Err($crate::domain::deliberation::UnknownCode(s.to_string())) }
            }
        }
    };
}
pub(crate) use codes;

codes!(ItemState { Agenda => "agenda", Suggested => "suggested", Declined => "declined" });
codes!(ActionStatus { Open => "open", Done => "done" });

/// One view heard: who said it (only if they agreed to be named) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub who: Option<String>,
    pub text: String,
}

/// A follow-up action as the minutes record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionSpec {
    pub title: String,
    pub owner: String,
    /// YYYY-MM-DD
    pub due: String,
}

/// The minutes of one agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemMinutes {
    pub item: i64,
    pub title: String,
    pub outcome: Option<Outcome>,
    pub views: Vec<View>,
    pub notes: String,
    pub actions: Vec<ActionSpec>,
}

/// Minutes: a summary and one section per agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Minutes {
    pub summary: String,
    pub items: Vec<ItemMinutes>,
}

/// Views typed one per line: "张大爷：路灯太暗" names the speaker; a line
/// without "：" (or starting with "匿名：") is recorded unnamed.
pub fn parse_views(text: &str) -> Vec<View> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(['：', ':']) {
            Some((who, what)) if !who.trim().is_empty() && who.chars().count() <= 20 => {
                let who = who.trim();
                View {
                    who: (!matches!(who, "匿名" | "anonymous")).then(|| who.to_string()),
                    text: what.trim().to_string(),
                }
            }
            _ => View {
                who: None,
                text: l.to_string(),
            },
        })
        .collect()
}

pub fn views_text(v: &[View]) -> String {
    v.iter()
        .map(|x| match &x.who {
            Some(w) => format!("{w}：{}", x.text),
            None => x.text.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Actions typed one per line: "修路灯 | 王主任 | 2026-12-15". Errors name the line.
pub fn parse_actions(text: &str) -> Result<Vec<ActionSpec>, Msg> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        let parts: Vec<&str> = l.split(['|', '｜']).map(str::trim).collect();
        let bad = |zh: &str, en: &str| {
            Msg::new(
                format!(
                    "跟进事项第 {} 行：{zh}（格式：事项 | 负责人 | 截止日期）",
                    i + 1
                ),
                format!(
                    "follow-up line {}: {en} (format: action | owner | due date)",
                    i + 1
                ),
            )
        };
        let [title, owner, due] = parts.as_slice() else {
            return Err(bad(
                "应有三项，用 | 分开",
                "needs three parts separated by |",
            ));
        };
        if title.is_empty() || owner.is_empty() {
            return Err(bad(
                "事项和负责人不能为空",
                "the action and its owner are required",
            ));
        }
        let d = parse_date(due).ok_or_else(|| {
            bad(
                "截止日期应写作 2026-12-15",
                "the due date should look like 2026-12-15",
            )
        })?;
        out.push(ActionSpec {
            title: title.to_string(),
            owner: owner.to_string(),
            due: d.to_string(),
        });
    }
    Ok(out)
}

/// A date as people write it: 2026-12-05, 2026/12/5, 2026.12.5.
pub fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    let parts: Vec<&str> = s.trim().split(['-', '/', '.']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 {
        return None;
    }
    jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

pub fn actions_text(a: &[ActionSpec]) -> String {
    a.iter()
        .map(|x| format!("{} | {} | {}", x.title, x.owner, x.due))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sign-in by QR code is open from 30 minutes before the start until the end.
pub const EARLY_SECS: i64 = 30 * 60;

pub fn checkin_open(starts_at: i64, ends_at: i64, now: i64) -> bool {
    now >= starts_at - EARLY_SECS && now <= ends_at
}

/// Differences between two revisions of minutes, in words.
pub fn diff(old: &Minutes, new: &Minutes) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if old.summary != new.summary {
        out.push(("纪要摘要有改动".into(), "the summary changed".into()));
    }
    for n in &new.items {
        let Some(o) = old.items.iter().find(|o| o.item == n.item) else {
            out.push((
                format!("新增议题“{}”", n.title),
                format!("item \"{}\" added", n.title),
            ));
            continue;
        };
        if o.outcome != n.outcome {
            let w = |x: Option<Outcome>| x.map(|x| x.words()).unwrap_or(("（无）", "(none)"));
            out.push((
                format!(
                    "“{}”的结果：{} → {}",
                    n.title,
                    w(o.outcome).0,
                    w(n.outcome).0
                ),
                format!(
                    "\"{}\" outcome: {} → {}",
                    n.title,
                    w(o.outcome).1,
                    w(n.outcome).1
                ),
            ));
        }
        if o.views != n.views {
            out.push((
                format!("“{}”的发言记录有改动", n.title),
                format!("\"{}\": the views heard changed", n.title),
            ));
        }
        if o.notes != n.notes {
            out.push((
                format!("“{}”的说明有改动", n.title),
                format!("\"{}\": the notes changed", n.title),
            ));
        }
        for a in &n.actions {
            if !o.actions.contains(a) {
                out.push((
                    format!(
                        "“{}”新增或修改跟进事项：{}（{}，{}前）",
                        n.title, a.title, a.owner, a.due
                    ),
                    format!(
                        "\"{}\": follow-up added or changed: {} ({}, by {})",
                        n.title, a.title, a.owner, a.due
                    ),
                ));
            }
        }
        for a in &o.actions {
            if !n.actions.iter().any(|x| x.title == a.title) {
                out.push((
                    format!("“{}”删去跟进事项：{}", n.title, a.title),
                    format!("\"{}\": follow-up removed: {}", n.title, a.title),
                ));
            }
        }
    }
    for o in &old.items {
        if !new.items.iter().any(|n| n.item == o.item) {
            out.push((
                format!("删去议题“{}”", o.title),
                format!("item \"{}\" removed", o.title),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_named_only_when_given() {
        let v = parse_views("张大爷：路灯太暗\n\n匿名：不同意收费\n希望周末施工\nLi: ok");
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].who.as_deref(), Some("张大爷"));
        assert_eq!(v[0].text, "路灯太暗");
        assert_eq!(v[1].who, None);
        assert_eq!(
            v[2],
            View {
                who: None,
                text: "希望周末施工".into()
            }
        );
        assert_eq!(v[3].who.as_deref(), Some("Li"));
        assert_eq!(parse_views(&views_text(&v)), v);
    }

    #[test]
    fn actions_need_three_parts_and_a_date() {
        let a =
            parse_actions("修路灯 | 王主任 | 2026-12-15\n清理沟渠｜三组组长｜2027/1/5").unwrap();
        assert_eq!(a[1].due, "2027-01-05");
        assert_eq!(parse_actions(&actions_text(&a)).unwrap(), a);
        let e = parse_actions("修路灯 | 王主任 | 2026-12-15\n修桥 | 李四").unwrap_err();
        assert!(e.zh.contains("第 2 行") && e.en.contains("line 2"));
        assert!(
            parse_actions("修桥 | 李四 | 下周")
                .unwrap_err()
                .en
                .contains("due date")
        );
        assert!(parse_actions(" | 李四 | 2026-01-01").is_err());
    }

    #[test]
    fn the_sign_in_window() {
        let (s, e) = (10_000, 17_200);
        assert!(!checkin_open(s, e, s - EARLY_SECS - 1));
        assert!(checkin_open(s, e, s - EARLY_SECS));
        assert!(checkin_open(s, e, e));
        assert!(!checkin_open(s, e, e + 1));
    }

    #[test]
    fn settled_outcomes() {
        assert!(Outcome::Consensus.settled() && Outcome::Resolution.settled());
        assert!(!Outcome::Deferred.settled() && !Outcome::ReferredToVote.settled());
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }

    #[test]
    fn diffs_in_words() {
        let item = |outcome, actions: Vec<ActionSpec>| ItemMinutes {
            item: 1,
            title: "路灯".into(),
            outcome,
            views: vec![],
            notes: String::new(),
            actions,
        };
        let a = ActionSpec {
            title: "修路灯".into(),
            owner: "王".into(),
            due: "2026-12-01".into(),
        };
        let old = Minutes {
            summary: "s".into(),
            items: vec![item(Some(Outcome::Deferred), vec![])],
        };
        let new = Minutes {
            summary: "s".into(),
            items: vec![item(Some(Outcome::Consensus), vec![a])],
        };
        let d = diff(&old, &new);
        assert_eq!(d.len(), 2);
        assert!(d[0].0.contains("暂缓") && d[0].0.contains("达成共识"));
        assert!(d[1].1.contains("follow-up added"));
        assert!(diff(&new, &new).is_empty());
    }
}
