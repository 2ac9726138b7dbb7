//! Drafting a vote: the new-vote form and its first save as a draft.

use super::super::{checked, day_start, invalid, see_other};
use crate::domain::Msg;
use crate::domain::Subject;
use crate::domain::vote::{self, Bound, CustomRule, RuleId};
use crate::error::Error;
use crate::store::votes::{Scope, ScopeKind, VoteKind};
use crate::store::{audit, elevator, now, roll, votes};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Chrome;
use teahouse_views::forms::Errors;
use teahouse_views::pages::votes as view;

/// The scopes a vote can have, named in the reader's language.
async fn scope_options(
    st: &AppState,
    com: &crate::store::communities::Community,
    c: &Chrome,
) -> Result<Vec<(String, String)>, Error> {
    let community_id = com.id;
    let whole = crate::web::handlers::whole_community(com.kind, c.lang).to_string();
    st.db
        .read(move |c| {
            let mut out = vec![("community".to_string(), whole)];
            for (id, name) in roll::zones(c, community_id)? {
                out.push((format!("zone:{id}"), name.to_string()));
            }
            let mut last_building = None;
            for row in crate::store::places::buildings_with_units(c, community_id)? {
                let (bid, b) = (row.building_id, row.building);
                if last_building != Some(bid) {
                    out.push((format!("building:{bid}"), format!("{b}栋")));
                    last_building = Some(bid);
                }
                if let Some((uid, u)) = row.unit {
                    out.push((format!("unit:{uid}"), format!("{b}栋{u}单元")));
                }
            }
            Ok(out)
        })
        .await
}

/// The rules a vote can follow, named in the reader's language.
fn rule_options(c: &Chrome) -> Vec<(String, String)> {
    RuleId::ALL
        .iter()
        .map(|r| {
            let (zh, en) = r.names();
            (r.as_str().to_string(), c.t(zh, en).to_string())
        })
        .collect()
}

fn today_plus(tz: &str, plus_days: i64) -> String {
    let d = super::super::today(tz);
    d.checked_add(jiff::Span::new().days(plus_days))
        .unwrap_or(d)
        .to_string()
}

/// The new-vote form; `?title=…&explanation=…` prefill it (a deliberation's
/// item "referred to a vote" links here).
pub async fn new_form(
    State(st): State<AppState>,
    com: Committee,
    Query(pre): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, Error> {
    let chrome = com.ctx.chrome(Some(&com.community));
    let scopes = scope_options(&st, &com.community, &chrome).await?;
    let prefill = |k: &str, max: usize| -> String {
        pre.get(k)
            .map(|s| s.chars().take(max).collect())
            .unwrap_or_default()
    };
    let v = view::NewVoteValues {
        title: prefill("title", 100),
        explanation: prefill("explanation", 5000),
        scope: "community".into(),
        rule: "civil_code_278_special".into(),
        secret: false,
        opens: today_plus(&com.community.tz, 0),
        closes: today_plus(&com.community.tz, 14),
        publicity_days: "15".into(),
        quorum: String::new(),
        quorum_inclusive: true,
        pass: "1/2".into(),
        pass_inclusive: false,
        kind: "decision".into(),
        vote_kind: "general".into(),
        options: String::new(),
        max_choices: "1".into(),
        proposal: pre
            .get("proposal")
            .filter(|p| p.parse::<i64>().is_ok())
            .cloned()
            .unwrap_or_default(),
    };
    Ok(view::new_form(
        &chrome,
        &com.community.slug,
        &scopes,
        &rule_options(&chrome),
        &v,
        &Errors::none(),
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct NewVotePost {
    #[serde(default)]
    title: String,
    /// The proposal this vote was drafted from, if any (a hidden field).
    #[serde(default)]
    proposal: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    rule: String,
    secret: Option<String>,
    #[serde(default)]
    opens: String,
    #[serde(default)]
    closes: String,
    #[serde(default)]
    publicity_days: String,
    #[serde(default)]
    quorum: String,
    quorum_inclusive: Option<String>,
    #[serde(default)]
    pass: String,
    pass_inclusive: Option<String>,
    /// "decision" (agree/disagree/abstain) or "choice" (options A, B, C…).
    #[serde(default)]
    kind: String,
    /// "general" or "elevator" (an elevator retrofit of one unit).
    #[serde(default)]
    vote_kind: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    max_choices: String,
}

fn parse_scope(s: &str) -> Option<Scope> {
    if s == "community" {
        return Some(Scope {
            kind: ScopeKind::Community,
            id: None,
        });
    }
    let (k, id) = s.split_once(':')?;
    Some(Scope {
        kind: ScopeKind::parse(k)?,
        id: Some(id.parse().ok()?),
    })
}

/// How a ballot is marked: agree / disagree / abstain, or among options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BallotKind {
    Decision,
    Choice,
}

impl BallotKind {
    /// Blank is a decision (the form's default).
    fn parse(s: &str) -> Option<BallotKind> {
        match s {
            "" | "decision" => Some(BallotKind::Decision),
            "choice" => Some(BallotKind::Choice),
            _ => None,
        }
    }
}

fn err(errors: &mut Errors, field: &str, zh: &str, en: &str) {
    errors.add(field, Msg::new(zh, en));
}

impl NewVotePost {
    /// What was typed, to show the form again with its errors.
    fn values(&self) -> view::NewVoteValues {
        view::NewVoteValues {
            title: self.title.clone(),
            explanation: self.explanation.clone(),
            scope: self.scope.clone(),
            rule: self.rule.clone(),
            secret: checked(&self.secret),
            opens: self.opens.clone(),
            closes: self.closes.clone(),
            publicity_days: self.publicity_days.clone(),
            quorum: self.quorum.clone(),
            quorum_inclusive: checked(&self.quorum_inclusive),
            pass: self.pass.clone(),
            pass_inclusive: checked(&self.pass_inclusive),
            kind: self.kind.clone(),
            vote_kind: self.vote_kind.clone(),
            options: self.options.clone(),
            max_choices: self.max_choices.clone(),
            proposal: self.proposal.clone(),
        }
    }

    /// The draft this form describes, or every problem found, each tagged
    /// with its field where it is found.
    fn parse(&self, tz: &str) -> Result<votes::NewVote, Errors> {
        let mut errors = Errors::none();
        let e = &mut errors;
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            err(
                e,
                "title",
                "请填写表决事项（最多 100 字）",
                "the question is required (100 characters at most)",
            );
        }
        if self.explanation.chars().count() > 5000 {
            err(
                e,
                "explanation",
                "说明最多 5000 字",
                "the explanation may have 5000 characters at most",
            );
        }
        let scope = parse_scope(&self.scope);
        if scope.is_none() {
            err(e, "scope", "请选择范围", "choose a scope");
        }
        let rule = RuleId::parse(&self.rule);
        if rule.is_none() {
            err(e, "rule", "请选择表决规则", "choose a rule");
        }
        let ballot = BallotKind::parse(&self.kind);
        if ballot.is_none() {
            err(e, "kind", "请选择选项类型", "choose the kind of options");
        }
        let choice = ballot == Some(BallotKind::Choice);
        let custom = self.custom_rule(rule, choice, e);
        let options = if choice { self.options(rule, e) } else { None };
        let kind = self.vote_kind(scope.as_ref(), rule, choice, e);
        let (opens, closes) = self.period(tz, e);
        let days = self.publicity_days(e);
        match (scope, rule, kind, opens, closes) {
            (Some(scope), Some(rule), Some(kind), Some(opens_at), Some(closes_at))
                if errors.is_empty() =>
            {
                Ok(votes::NewVote {
                    title: title.to_string(),
                    explanation: self.explanation.trim().to_string(),
                    scope,
                    rule,
                    custom,
                    secret: checked(&self.secret),
                    opens_at,
                    closes_at,
                    publicity_days: days,
                    options,
                    kind,
                })
            }
            _ => Err(errors),
        }
    }

    /// The quorum and agreeing share typed for a custom or simple-majority
    /// rule; none for simple majority left at its defaults.
    fn custom_rule(
        &self,
        rule: Option<RuleId>,
        choice: bool,
        e: &mut Errors,
    ) -> Option<CustomRule> {
        if !matches!(rule, Some(RuleId::Custom) | Some(RuleId::SimpleMajority)) {
            return None;
        }
        let bound = |typed: &str, inclusive: &Option<String>, field: &str, e: &mut Errors| {
            if typed.trim().is_empty() {
                return None;
            }
            Bound::parse(typed, checked(inclusive))
                .map_err(|m| e.add(field, m.clone()))
                .ok()
        };
        let quorum_heads = bound(&self.quorum, &self.quorum_inclusive, "quorum", e);
        if self.pass.trim().is_empty() && rule == Some(RuleId::Custom) && !choice {
            err(
                e,
                "pass",
                "自定义规则需要同意比例",
                "a custom rule needs the agreeing share",
            );
        }
        let pass_heads = bound(&self.pass, &self.pass_inclusive, "pass", e);
        if rule == Some(RuleId::SimpleMajority) && quorum_heads.is_none() && pass_heads.is_none() {
            return None;
        }
        Some(CustomRule {
            quorum_heads,
            pass_heads,
            ..Default::default()
        })
    }

    /// A choice vote's options; only the rules that count options take them.
    fn options(&self, rule: Option<RuleId>, e: &mut Errors) -> Option<vote::Options> {
        if !matches!(
            rule,
            None | Some(RuleId::Custom) | Some(RuleId::SimpleMajority)
        ) {
            err(
                e,
                "rule",
                "法定规则的表决只能是同意/不同意/弃权；单选或多选请用“简单多数”或“自定义”",
                "a statutory rule votes agree/disagree/abstain; for options use simple majority or custom",
            );
        }
        match vote::Options::parse(&self.options, &self.max_choices) {
            Ok(o) => Some(o),
            Err(x) => {
                let field = match x.field {
                    vote::OptionsField::Labels => "options",
                    vote::OptionsField::Max => "max_choices",
                };
                e.add(field, x.msg.clone());
                None
            }
        }
    }

    /// General or elevator retrofit; an elevator vote is one unit's owners
    /// voting agree / disagree / abstain.
    fn vote_kind(
        &self,
        scope: Option<&Scope>,
        rule: Option<RuleId>,
        choice: bool,
        e: &mut Errors,
    ) -> Option<VoteKind> {
        let kind = match self.vote_kind.trim() {
            "" => Some(VoteKind::General),
            k => VoteKind::parse(k),
        };
        let Some(k) = kind else {
            err(e, "vote_kind", "请选择表决类型", "choose the kind of vote");
            return None;
        };
        let owners = rule.is_some_and(|r| r.needs_area());
        if let (Some(s), Some(_)) = (scope, rule)
            && let Err(m) = elevator::kind_fits(k, s.kind, owners)
        {
            e.add("vote_kind", m.clone());
        }
        if k == VoteKind::Elevator && choice {
            err(
                e,
                "vote_kind",
                "加装电梯表决是同意 / 不同意 / 弃权，不能在几个方案中选",
                "an elevator retrofit is voted agree / disagree / abstain, not among options",
            );
        }
        Some(k)
    }

    /// Opening and closing as Unix times: from the start of the opening day
    /// to the end of the closing day, in the community's zone.
    fn period(&self, tz: &str, e: &mut Errors) -> (Option<i64>, Option<i64>) {
        let opens = day_start(&self.opens, tz);
        let closes = day_start(&self.closes, tz).map(|t| t + 24 * 3600);
        if opens.is_none() {
            err(e, "opens", "请填写开始日期", "give the opening date");
        }
        match (opens, closes) {
            (_, None) => err(e, "closes", "请填写截止日期", "give the closing date"),
            (Some(o), Some(c)) if c <= o => err(
                e,
                "closes",
                "截止日期不能早于开始日期",
                "the vote cannot close before it opens",
            ),
            (_, Some(c)) if c <= now() => err(
                e,
                "closes",
                "截止日期已经过去",
                "the closing date has passed",
            ),
            _ => {}
        }
        (opens, closes)
    }

    /// Days of publicity after closing: blank is 7, at most 60.
    fn publicity_days(&self, e: &mut Errors) -> i64 {
        let typed = self.publicity_days.trim();
        let days = if typed.is_empty() {
            Ok(7)
        } else {
            typed.parse::<i64>()
        };
        match days {
            Ok(d) if (0..=60).contains(&d) => d,
            _ => {
                err(
                    e,
                    "publicity_days",
                    "公示期应为 0 到 60 天",
                    "the publicity period is 0 to 60 days",
                );
                0
            }
        }
    }
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<NewVotePost>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let slug = com.community.slug.clone();
    let nv = match f.parse(&com.community.tz) {
        Ok(nv) => nv,
        Err(errors) => {
            let chrome = com.ctx.chrome(Some(&com.community));
            let scopes = scope_options(&st, &com.community, &chrome).await?;
            return Ok(invalid(view::new_form(
                &chrome,
                &slug,
                &scopes,
                &rule_options(&chrome),
                &f.values(),
                &errors,
            )));
        }
    };
    let actor = com.ctx.actor();
    let account = com.account.id;
    let proposal = match f.proposal.trim() {
        "" => None,
        p => Some(
            p.parse::<i64>()
                .map_err(|_| Error::Invalid(Msg::new("提案编号无效", "invalid proposal number")))?,
        ),
    };
    let id = st
        .db
        .write(move |tx| {
            let id = votes::create(tx, cid, &nv, account)?;
            if let Some(pid) = proposal {
                let p = crate::store::proposals::get(tx, cid, pid)?;
                crate::store::proposals::link_vote(tx, &p, id, &nv.title, account)?;
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "vote.create",
                &Subject::Vote(id).to_string(),
                &nv.title,
            )?;
            Ok(id)
        })
        .await?;
    Ok(see_other(&format!("/c/{slug}/votes/{id}")))
}
