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
use crate::web::error::bi;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Bi;
use teahouse_views::forms::Errors;
use teahouse_views::pages::votes as view;

async fn scope_options(st: &AppState, community_id: i64) -> Result<Vec<(String, String)>, Error> {
    st.db
        .read(move |c| {
            let mut out = vec![(
                "community".to_string(),
                "整个社区/村 Whole community".to_string(),
            )];
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

fn rule_options() -> Vec<(String, String)> {
    RuleId::ALL
        .iter()
        .map(|r| {
            let (zh, en) = r.names();
            (r.as_str().to_string(), format!("{zh} / {en}"))
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
    let scopes = scope_options(&st, com.community.id).await?;
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
    let chrome = com.ctx.chrome(Some(&com.community));
    Ok(view::new_form(
        &chrome,
        &com.community.slug,
        &scopes,
        &rule_options(),
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

fn validate(f: &NewVotePost, tz: &str, errors: &mut Errors) -> Option<votes::NewVote> {
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        errors.add(
            "title",
            Bi::new(
                "请填写表决事项（最多 100 字）",
                "the question is required (100 characters at most)",
            ),
        );
    }
    if f.explanation.chars().count() > 5000 {
        errors.add(
            "explanation",
            Bi::new(
                "说明最多 5000 字",
                "the explanation may have 5000 characters at most",
            ),
        );
    }
    let scope = parse_scope(&f.scope);
    if scope.is_none() {
        errors.add("scope", Bi::new("请选择范围", "choose a scope"));
    }
    let rule = RuleId::parse(&f.rule);
    if rule.is_none() {
        errors.add("rule", Bi::new("请选择表决规则", "choose a rule"));
    }
    let mut custom = None;
    if matches!(rule, Some(RuleId::Custom) | Some(RuleId::SimpleMajority)) {
        let q = if f.quorum.trim().is_empty() {
            None
        } else {
            Bound::parse(&f.quorum, checked(&f.quorum_inclusive))
                .map_err(|m| errors.add("quorum", bi(&m)))
                .ok()
        };
        let p = if f.pass.trim().is_empty() {
            if rule == Some(RuleId::Custom) && f.kind != "choice" {
                errors.add(
                    "pass",
                    Bi::new(
                        "自定义规则需要同意比例",
                        "a custom rule needs the agreeing share",
                    ),
                );
            }
            None
        } else {
            Bound::parse(&f.pass, checked(&f.pass_inclusive))
                .map_err(|m| errors.add("pass", bi(&m)))
                .ok()
        };
        custom = Some(CustomRule {
            quorum_heads: q,
            pass_heads: p,
            ..Default::default()
        });
    }
    let mut options = None;
    if f.kind == "choice" {
        if !matches!(
            rule,
            None | Some(RuleId::Custom) | Some(RuleId::SimpleMajority)
        ) {
            errors.add(
                "rule",
                Bi::new(
                    "法定规则的表决只能是同意/不同意/弃权；单选或多选请用“简单多数”或“自定义”",
                    "a statutory rule votes agree/disagree/abstain; for options use simple majority or custom",
                ),
            );
        }
        match vote::Options::parse(&f.options, &f.max_choices) {
            Ok(o) => options = Some(o),
            Err(m) if m.en.contains("most options") => errors.add("max_choices", bi(&m)),
            Err(m) => errors.add("options", bi(&m)),
        }
    } else if f.kind != "decision" && !f.kind.is_empty() {
        errors.add(
            "kind",
            Bi::new("请选择选项类型", "choose the kind of options"),
        );
    }
    let vote_kind = match f.vote_kind.trim() {
        "" => Some(VoteKind::General),
        k => VoteKind::parse(k),
    };
    match vote_kind {
        None => errors.add(
            "vote_kind",
            Bi::new("请选择表决类型", "choose the kind of vote"),
        ),
        Some(k) => {
            let owners = rule.is_some_and(|r| r.needs_area());
            if let (Some(s), Some(_)) = (&scope, rule)
                && let Err(m) = elevator::kind_fits(k, s.kind, owners)
            {
                errors.add("vote_kind", bi(&m));
            }
            if k == VoteKind::Elevator && f.kind == "choice" {
                errors.add(
                    "vote_kind",
                    Bi::new(
                        "加装电梯表决是同意 / 不同意 / 弃权，不能在几个方案中选",
                        "an elevator retrofit is voted agree / disagree / abstain, not among options",
                    ),
                );
            }
        }
    }
    let opens = day_start(&f.opens, tz);
    let closes = day_start(&f.closes, tz).map(|t| t + 24 * 3600);
    if opens.is_none() {
        errors.add("opens", Bi::new("请填写开始日期", "give the opening date"));
    }
    match (opens, closes) {
        (_, None) => errors.add("closes", Bi::new("请填写截止日期", "give the closing date")),
        (Some(o), Some(c)) if c <= o => errors.add(
            "closes",
            Bi::new(
                "截止日期不能早于开始日期",
                "the vote cannot close before it opens",
            ),
        ),
        (_, Some(c)) if c <= now() => errors.add(
            "closes",
            Bi::new("截止日期已经过去", "the closing date has passed"),
        ),
        _ => {}
    }
    let days = if f.publicity_days.trim().is_empty() {
        Ok(7)
    } else {
        f.publicity_days.trim().parse::<i64>()
    };
    let days = match days {
        Ok(d) if (0..=60).contains(&d) => d,
        _ => {
            errors.add(
                "publicity_days",
                Bi::new(
                    "公示期应为 0 到 60 天",
                    "the publicity period is 0 to 60 days",
                ),
            );
            0
        }
    };
    if !errors.is_empty() {
        return None;
    }
    Some(votes::NewVote {
        title: title.to_string(),
        explanation: f.explanation.trim().to_string(),
        scope: scope?,
        rule: rule?,
        custom: if rule == Some(RuleId::SimpleMajority)
            && custom
                .as_ref()
                .is_some_and(|c| c.quorum_heads.is_none() && c.pass_heads.is_none())
        {
            None
        } else {
            custom
        },
        secret: checked(&f.secret),
        opens_at: opens?,
        closes_at: closes?,
        publicity_days: days,
        options,
        kind: vote_kind?,
    })
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<NewVotePost>,
) -> Result<Response, Error> {
    let mut errors = Errors::none();
    let cid = com.community.id;
    let slug = com.community.slug.clone();
    let Some(nv) = validate(&f, &com.community.tz, &mut errors) else {
        let scopes = scope_options(&st, cid).await?;
        let v = view::NewVoteValues {
            title: f.title.clone(),
            explanation: f.explanation.clone(),
            scope: f.scope.clone(),
            rule: f.rule.clone(),
            secret: checked(&f.secret),
            opens: f.opens.clone(),
            closes: f.closes.clone(),
            publicity_days: f.publicity_days.clone(),
            quorum: f.quorum.clone(),
            quorum_inclusive: checked(&f.quorum_inclusive),
            pass: f.pass.clone(),
            pass_inclusive: checked(&f.pass_inclusive),
            kind: f.kind.clone(),
            vote_kind: f.vote_kind.clone(),
            options: f.options.clone(),
            max_choices: f.max_choices.clone(),
            proposal: f.proposal.clone(),
        };
        let chrome = com.ctx.chrome(Some(&com.community));
        return Ok(invalid(view::new_form(
            &chrome,
            &slug,
            &scopes,
            &rule_options(),
            &v,
            &errors,
        )));
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
