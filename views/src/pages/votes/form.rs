//! The committee's new-vote form, empty or with what was typed and its errors.

use crate::chrome::Chrome;
use crate::forms::{self, Errors, Opts};
use crate::layout::{csrf, page};
use maud::{Markup, html};

pub struct NewVoteValues {
    pub title: String,
    pub explanation: String,
    pub scope: String,
    pub rule: String,
    pub secret: bool,
    pub opens: String,
    pub closes: String,
    pub publicity_days: String,
    pub quorum: String,
    pub quorum_inclusive: bool,
    pub pass: String,
    pub pass_inclusive: bool,
    pub kind: String,
    /// "general" or "elevator".
    pub vote_kind: String,
    pub options: String,
    pub max_choices: String,
    /// The proposal this vote is drafted from (empty when none).
    pub proposal: String,
}

pub fn new_form(
    c: &Chrome,
    slug: &str,
    scopes: &[(String, String)],
    rules: &[(String, String)],
    v: &NewVoteValues,
    errors: &Errors,
) -> Markup {
    page(
        c,
        c.t("发起表决", "New vote"),
        html! {
            p { a href={"/c/" (slug) "/votes"} { "← " (c.t("表决", "Votes")) } }
            h1 { (c.t("发起表决", "New vote")) }
            p { (c.t("先保存为草稿：可以预览选民名单和总数，确认后再开始表决。开始时选民名单会被固定，之后名册的变化不影响这次表决。",
                     "It is saved as a draft first: preview the electorate and its totals, then open it. Opening freezes the electorate; later roll changes do not affect it.")) }
            (forms::summary(c, errors))
            form.stack method="post" action={"/c/" (slug) "/votes"} {
                (csrf(c))
                @if !v.proposal.is_empty() {
                    input type="hidden" name="proposal" value=(v.proposal);
                    p.notice { (c.t("这次表决来自居民提案 ", "This vote comes from residents' proposal "))
                        a href={"/c/" (slug) "/proposals/" (v.proposal)} { "#" (v.proposal) }
                        (c.t("；保存后提案页会链接到它，附议人会看到这一步。", "; once saved, the proposal links to it and its co-signers see the step.")) }
                }
                (forms::input(c, "title", c.t("表决事项", "Question"), &v.title, errors,
                    Opts { required: true, hint: Some(("例如：3栋2单元是否加装电梯", "e.g. Should unit 2 of building 3 get an elevator?")), ..Default::default() }))
                (forms::textarea(c, "explanation", c.t("说明（方案、费用、时间）", "Explanation (plan, cost, timing)"), &v.explanation, errors, 5))
                (forms::select(c, "scope", c.t("范围", "Scope"), scopes, &v.scope, errors))
                // Radios, not a select: each rule's name wraps in full on a phone.
                fieldset #f-rule .rules {
                    legend { (c.t("表决规则", "Rule")) }
                    @for (k, label) in rules { (forms::radio("rule", k, label, v.rule == *k)) }
                    (forms::error(c, errors, "rule"))
                }
                fieldset #f-vote_kind {
                    legend { (c.t("表决类型", "Kind of vote")) }
                    (forms::radio("vote_kind", "general", c.t("一般事项", "General matter"), v.vote_kind != "elevator"))
                    (forms::radio("vote_kind", "elevator", c.t("加装电梯（仅限按单元的业主表决；有费用分摊表和受影响业主的同意）", "Elevator retrofit (owners' vote on one unit only; with a cost-sharing table and the affected owners' consent)"), v.vote_kind == "elevator"))
                    (forms::error(c, errors, "vote_kind"))
                }
                // Shown by CSS only when "custom" or "simple majority" is ticked.
                fieldset.custom-bounds {
                    legend { (c.t("自定义规则（仅“自定义”或“简单多数”时使用）", "Custom rule (only for custom or simple majority)")) }
                    (forms::input(c, "quorum", c.t("参与比例（如 1/2，留空为不设）", "Share that must take part (e.g. 1/2; blank for none)"), &v.quorum, errors, Opts::default()))
                    (forms::checkbox("quorum_inclusive", c.t("含本数（“以上”）", "Inclusive (at least)"), v.quorum_inclusive))
                    (forms::input(c, "pass", c.t("同意比例（如 1/2）", "Share of those voting who must agree (e.g. 1/2)"), &v.pass, errors, Opts::default()))
                    (forms::checkbox("pass_inclusive", c.t("含本数（否则须“超过”）", "Inclusive (otherwise: more than)"), v.pass_inclusive))
                }
                fieldset {
                    legend { (c.t("选项", "Options")) }
                    (forms::radio("kind", "decision", c.t("同意 / 不同意 / 弃权（法定规则都用这种）", "Agree / disagree / abstain (every statutory rule)"), v.kind != "choice"))
                    (forms::radio("kind", "choice", c.t("在几个方案中选（单选或多选，用“简单多数”或“自定义”规则）", "Choose among options (single or multiple choice; simple majority or custom rule)"), v.kind == "choice"))
                    (forms::error(c, errors, "kind"))
                    (forms::textarea(c, "options", c.t("方案，每行一个（依次为 A、B、C…）", "Options, one per line (lettered A, B, C…)"), &v.options, errors, 4))
                    (forms::input(c, "max_choices", c.t("每人最多可选几项（1 为单选）", "How many a voter may choose (1: single choice)"), &v.max_choices, errors,
                        Opts { kind: "number", inputmode: Some("numeric"), hint: Some(("“自定义”规则不填同意比例时，得票最多的方案胜出；并列时都不采纳", "Under a custom rule with no agreeing share, the most chosen options win; a tie adopts none of the tied")), ..Default::default() }))
                }
                (forms::checkbox("secret", c.t("无记名投票（不公开谁投了什么）", "Secret ballot (nobody sees who voted what)"), v.secret))
                (forms::input(c, "opens", c.t("开始日期", "Opens (date)"), &v.opens, errors, Opts { kind: "date", required: true, ..Default::default() }))
                (forms::input(c, "closes", c.t("截止日期（当天 24 点结束）", "Closes (date, at the end of that day)"), &v.closes, errors, Opts { kind: "date", required: true, ..Default::default() }))
                (forms::input(c, "publicity_days", c.t("公示期（天）", "Publicity period (days)"), &v.publicity_days, errors,
                    Opts { kind: "number", inputmode: Some("numeric"), hint: Some(("加装电梯一般为 15 天", "15 days is usual for an elevator retrofit")), ..Default::default() }))
                button.primary type="submit" { (c.t("保存草稿", "Save the draft")) }
            }
        },
    )
}
