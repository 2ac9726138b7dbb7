//! Votes: the list, the committee's new-vote form, and one vote's page,
//! which changes with its status and the reader's role.

use crate::chrome::{Bi, Chrome};
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

pub struct VoteLine {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub scope: String,
    pub closes: String,
    pub verdict: Option<String>,
}

fn status_words(c: &Chrome, s: &str) -> &'static str {
    match s {
        "draft" => c.t("草稿", "draft"),
        "open" => c.t("投票中", "open"),
        "publicity" => c.t("公示中", "in publicity"),
        "final" => c.t("最终结果", "final"),
        _ => c.t("已结束", "closed"),
    }
}

pub fn verdict_words(c: &Chrome, v: &str) -> &'static str {
    match v {
        "passed" => c.t("通过", "passed"),
        "failed" => c.t("未通过", "not passed"),
        _ => c.t("参与人数不足，未形成决定", "too few took part: no decision"),
    }
}

/// The list of votes, also used on the board.
pub fn vote_list(c: &Chrome, slug: &str, votes: &[VoteLine]) -> Markup {
    html! {
        @if votes.is_empty() {
            p.empty { (c.t("目前没有表决。加装电梯等需要业主或村民表决的事项会在这里投票和公布结果。",
                "No votes at the moment. Decisions such as an elevator retrofit will be voted on and their results published here.")) }
        } @else {
            ul.vote-list {
                @for v in votes {
                    li {
                        a href={"/c/" (slug) "/votes/" (v.id)} { (v.title) }
                        " " span.tag { (status_words(c, &v.status)) }
                        br;
                        span.muted { (v.scope) " · " (c.t("截止 ", "closes ")) (v.closes) }
                        @if let Some(verdict) = &v.verdict { " · " strong { (verdict_words(c, verdict)) } }
                    }
                }
            }
        }
    }
}

pub fn list_page(c: &Chrome, slug: &str, votes: &[VoteLine]) -> Markup {
    page(
        c,
        c.t("表决", "Votes"),
        html! {
            h1 { (c.t("表决", "Votes")) }
            @if c.is_committee() { p { a.button href={"/c/" (slug) "/votes/new"} { (c.t("发起表决", "New vote")) } } }
            (vote_list(c, slug, votes))
            p { a href={"/c/" (slug) "/ledger"} { (c.t("公开记录（哈希链）", "Public ledger (hash chain)")) } }
        },
    )
}

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
                (forms::select(c, "rule", c.t("表决规则", "Rule"), rules, &v.rule, errors))
                fieldset #f-vote_kind {
                    legend { (c.t("表决类型", "Kind of vote")) }
                    (forms::radio("vote_kind", "general", c.t("一般事项", "General matter"), v.vote_kind != "elevator"))
                    (forms::radio("vote_kind", "elevator", c.t("加装电梯（仅限按单元的业主表决；有费用分摊表和受影响业主的同意）", "Elevator retrofit (owners' vote on one unit only; with a cost-sharing table and the affected owners' consent)"), v.vote_kind == "elevator"))
                    (forms::error(c, errors, "vote_kind"))
                }
                fieldset {
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

pub struct TestLine {
    pub met: bool,
    pub text: Bi,
}

pub struct ResultView {
    pub verdict: String,
    pub quorum_any: bool,
    pub quorum: Vec<TestLine>,
    pub pass: Vec<TestLine>,
    /// (label, heads, area) for agree, disagree, abstain, not voting.
    pub bars: Vec<(String, i64, Option<String>)>,
    /// Single- or multiple-choice votes: each option's count and tests.
    pub options: Vec<OptionLine>,
    pub tied: Vec<String>,
    pub total_heads: i64,
    pub total_area: Option<String>,
}

pub struct OptionLine {
    pub id: String,
    pub label: String,
    pub heads: i64,
    pub area: Option<String>,
    pub adopted: bool,
    pub tests: Vec<TestLine>,
}

pub struct BallotLine {
    pub who: String,
    pub choice: String,
    pub channel: String,
    pub receipt: String,
    pub note: String,
}

pub struct VoteView {
    pub id: i64,
    pub title: String,
    pub explanation: String,
    pub status: String,
    pub scope: String,
    pub rule: Bi,
    pub secret: bool,
    pub opens: String,
    pub closes: String,
    pub publicity_days: i64,
    pub publicity_until: Option<String>,
    pub electorate_count: usize,
    pub electorate_area: Option<String>,
    pub electorate_households: usize,
    /// For the committee before opening, and after for checking.
    pub electorate: Vec<(String, String, String)>,
    pub my_ballot: Option<(String, String, String, Option<String>)>,
    pub can_cast: bool,
    pub ballot_count: usize,
    pub not_voted: Vec<(String, String)>,
    /// Voters with two ballots, and whether the online one is their own.
    pub conflicts: Vec<(String, bool)>,
    pub result: Option<ResultView>,
    pub ballots: Vec<BallotLine>,
    /// A closed secret vote: the receipts counted, sorted (never a choice).
    pub receipts: Vec<String>,
    /// Paper ballots by who entered them.
    pub paper_by: Vec<(String, i64)>,
    /// The voter's own receipt once the vote has closed.
    pub my_receipt: Option<String>,
    /// SHA-256 of the recount file, as recorded in the ledger at closing.
    pub export_sha256: Option<String>,
    pub ledger: Vec<(i64, String, String)>,
    pub notice: Option<Bi>,
    pub is_final: bool,
    pub in_publicity: bool,
    pub objections: Vec<ObjectionLine>,
    pub can_object: bool,
    pub can_finalize: bool,
    pub elevator: Option<ElevatorView>,
    /// Principals this reader may vote for as proxy: (voter, name, current choice).
    pub proxy_for: Vec<(String, String, Option<String>)>,
    /// For the committee: (principal, proxy, authorization, expires).
    pub proxies: Vec<(String, String, String, String)>,
    /// Single- or multiple-choice votes: (letter, words); empty for a decision.
    pub options: Vec<(String, String)>,
    /// How many options a voter may choose.
    pub max_choices: usize,
    pub files: Vec<crate::files::FileLine>,
}

pub struct ElevatorView {
    pub total: String,
    pub coefficients_text: String,
    /// dwelling, floor, coefficient, share in yuan
    pub shares: Vec<(String, i32, String, String)>,
    pub shares_error: Option<Bi>,
    pub affected: Vec<(String, Option<bool>, String)>,
    pub signed_up: Option<(i64, usize)>,
    pub may_proceed: Option<bool>,
    pub dwellings: Vec<String>,
}

fn elevator_section(c: &Chrome, base: &str, e: &ElevatorView) -> Markup {
    let committee = c.is_committee();
    html! {
        section aria-labelledby="h-elevator" {
            h2 #h-elevator { (c.t("加装电梯", "Elevator retrofit")) }
            @if let Some((agree, n)) = e.signed_up {
                p.lead { (c.t("已同意：", "Agreed so far: ")) strong { (agree) } " / " (n) (c.t(" 户业主", " owners")) }
            }
            @if let Some(ok) = e.may_proceed {
                (flash(c, if ok { "ok" } else { "warn" }, &if ok {
                    Bi::new("表决通过，且所有受影响业主均已同意：可以实施。", "The vote passed and every affected owner consented: the retrofit may go ahead.")
                } else {
                    Bi::new("暂不能实施：表决未通过，或有受影响业主未同意。", "Not yet: the vote did not pass, or an affected owner has not consented.")
                }))
            }
            h3 { (c.t("受影响的房屋（电梯井占用其专有部分，须业主同意）", "Affected dwellings (the shaft occupies their private part; the owner must consent)")) }
            @if e.affected.is_empty() {
                p.empty { (c.t("没有登记受影响的房屋。", "No affected dwellings recorded.")) }
            } @else {
                ul { @for (d, consent, note) in &e.affected {
                    li { strong { (d) } " — " (match consent { Some(true) => c.t("已同意", "consented"), Some(false) => c.t("不同意（否决）", "refused (veto)"), None => c.t("尚未表态", "no answer yet") })
                        @if !note.is_empty() { " · " (note) } }
                } }
            }
            h3 { (c.t("费用分摊表", "Cost sharing")) }
            @if let Some(err) = &e.shares_error { (flash(c, "error", err)) }
            @if e.shares.is_empty() {
                p.empty { (c.t("居委会还没有填写总造价和楼层系数。", "The committee has not set the total cost and floor coefficients yet.")) }
            } @else {
                p { (c.t("总造价（业主承担部分）：", "Total borne by owners: ")) strong { (e.total) } (c.t(" 元", " yuan")) }
                div.table-wrap { table {
                    thead { tr { th scope="col" { (c.t("房屋", "Dwelling")) } th scope="col" { (c.t("楼层", "Floor")) } th scope="col" { (c.t("系数", "Coefficient")) } th scope="col" { (c.t("分摊（元）", "Share (yuan)")) } } }
                    tbody { @for (d, f, k, y) in &e.shares { tr { td { (d) } td { (f) } td { (k) } td { (y) } } } }
                } }
            }
            @if committee {
                details {
                    summary { (c.t("设置分摊", "Set the cost sharing")) }
                    form.stack method="post" action={(base) "/elevator"} {
                        (csrf(c))
                        div.field { label for="f-total" { (c.t("业主承担的总造价（元）", "Total borne by owners (yuan)")) }
                            input #f-total type="text" inputmode="decimal" name="total" value=(e.total) required; }
                        div.field { label for="f-coef" { (c.t("楼层系数（如 1:0, 2:0.4, 3:0.6 ……，一楼通常为 0）", "Floor coefficients (e.g. 1:0, 2:0.4, 3:0.6 …; the ground floor is usually 0)")) }
                            textarea #f-coef name="coefficients" rows="3" required { (e.coefficients_text) } }
                        button type="submit" { (c.t("保存分摊表", "Save the plan")) }
                    }
                }
                details {
                    summary { (c.t("登记受影响房屋及业主意见", "Record an affected dwelling and the owner's answer")) }
                    form.stack method="post" action={(base) "/affected"} {
                        (csrf(c))
                        div.field { label for="f-dw" { (c.t("房屋", "Dwelling")) }
                            select #f-dw name="dwelling" { @for d in &e.dwellings { option value=(d) { (d) } } } }
                        fieldset.choices {
                            legend { (c.t("业主意见", "Owner's answer")) }
                            @for (val, zh, en) in [("yes", "同意", "Consents"), ("no", "不同意（否决）", "Refuses (veto)"), ("", "尚未表态", "No answer yet")] {
                                div.field.check { input type="radio" name="consent" id={"cs-" (val)} value=(val) checked[val.is_empty()]; label for={"cs-" (val)} { (c.t(zh, en)) } }
                            }
                        }
                        div.field { label for="f-note" { (c.t("备注（如书面同意书编号）", "Note (e.g. the written consent's number)")) } input #f-note type="text" name="note"; }
                        button type="submit" { (c.t("登记", "Record")) }
                    }
                }
            }
        }
    }
}

pub struct ObjectionLine {
    pub id: i64,
    pub author: String,
    pub text: String,
    pub at: String,
    pub answer: Option<(String, String)>,
}

fn choice_words(c: &Chrome, s: &str) -> &'static str {
    match s {
        "agree" => c.t("同意", "agree"),
        "disagree" => c.t("不同意", "disagree"),
        _ => c.t("弃权", "abstain"),
    }
}

/// A ballot's choice in words: agree/disagree/abstain, or the options chosen.
fn choice_text(c: &Chrome, v: &VoteView, s: &str) -> String {
    if v.options.is_empty() || s == "abstain" {
        return choice_words(c, s).to_string();
    }
    s.split('+')
        .map(|id| match v.options.iter().find(|(l, _)| l == id) {
            Some((l, words)) => format!("{l} {words}"),
            None => id.to_string(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The inputs of a ballot: three radios for a decision; the options as
/// radios (single choice) or checkboxes (multiple), plus abstain.
fn choice_inputs(c: &Chrome, v: &VoteView, prefix: &str, current: Option<&str>) -> Markup {
    let chosen: Vec<&str> = current.map(|s| s.split('+').collect()).unwrap_or_default();
    let multiple = v.max_choices > 1;
    html! {
        @if v.options.is_empty() {
            @for (val, zh, en) in [("agree", "同意", "Agree"), ("disagree", "不同意", "Disagree"), ("abstain", "弃权", "Abstain")] {
                div.field.check {
                    input type="radio" name="choice" id={(prefix) "-" (val)} value=(val) required checked[current == Some(val)];
                    label for={(prefix) "-" (val)} { (c.t(zh, en)) }
                }
            }
        } @else {
            @if multiple { p.hint { (c.t("最多可选 ", "Choose up to ")) (v.max_choices) (c.t(" 项", "")) } }
            @for (id, words) in &v.options {
                div.field.check {
                    input type=(if multiple { "checkbox" } else { "radio" }) name="choice" id={(prefix) "-" (id)} value=(id)
                        required[!multiple] checked[chosen.contains(&id.as_str())];
                    label for={(prefix) "-" (id)} { strong { (id) } " " (words) }
                }
            }
            div.field.check {
                input type=(if multiple { "checkbox" } else { "radio" }) name="choice" id={(prefix) "-abstain"} value="abstain"
                    required[!multiple] checked[current == Some("abstain")];
                label for={(prefix) "-abstain"} { (c.t("弃权", "Abstain")) }
            }
        }
    }
}

fn chart(c: &Chrome, r: &ResultView) -> Markup {
    // A horizontal bar per choice, by head; server-rendered SVG, no script.
    let max = r.total_heads.max(1) as f64;
    let h = 34 * r.bars.len() as u32 + 10;
    html! {
        svg.chart role="img" viewBox={"0 0 420 " (h)} aria-label=(c.t("按人数的表决结果", "Result by head")) {
            @for (i, (label, heads, area)) in r.bars.iter().enumerate() {
                @let y = 10 + 34 * i as u32;
                @let w = (*heads as f64 / max * 190.0).round() as u32;
                text x="0" y=(y + 18) class="chart-label" { (label) }
                rect x="100" y=(y) width=(w.max(1)) height="24" class={"bar bar-" (i)} {}
                text x=(106 + w) y=(y + 18) class="chart-value" {
                    (heads) (c.t(" 人", "")) @if let Some(a) = area { " · " (a) " ㎡" }
                }
            }
        }
    }
}

/// Each option of a choice vote: its count, its tests, adopted or not.
fn options_result(c: &Chrome, r: &ResultView) -> Markup {
    html! {
        h3 { (c.t("各方案得票", "Each option")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (c.t("方案", "Option")) }
                th scope="col" { (c.t("选择人数", "Chosen by")) }
                th scope="col" { (c.t("条件", "Tests")) }
                th scope="col" { (c.t("结果", "Outcome")) }
            } }
            tbody { @for o in &r.options { tr {
                td { strong { (o.id) } " " (o.label) }
                td { (o.heads) @if let Some(a) = &o.area { " · " (a) " ㎡" } }
                td { @if o.tests.is_empty() { (c.t("得票最多者胜出", "most chosen wins")) }
                     @for t in &o.tests { div class=(if t.met { "met" } else { "unmet" }) { (if t.met { "✓ " } else { "✗ " }) (bi(c, &t.text)) } } }
                td { @if o.adopted { strong { (c.t("采纳", "adopted")) } } @else { (c.t("未采纳", "not adopted")) } }
            } } }
        } }
        @if !r.tied.is_empty() {
            p { (c.t("方案 ", "Options ")) (r.tied.join("、")) (c.t(" 得票相同，争夺最后的名额，均不采纳；请另行决定。", " tied for the last place and none of them is adopted; decide again.")) }
        }
    }
}

pub fn vote_page(c: &Chrome, slug: &str, v: &VoteView) -> Markup {
    let base = format!("/c/{slug}/votes/{}", v.id);
    let committee = c.is_committee();
    let supervisor = c.is_supervisor();
    page(
        c,
        &v.title,
        html! {
            p { a href={"/c/" (slug) "/votes"} { "← " (c.t("表决", "Votes")) } }
            h1 { (v.title) }
            @if let Some(n) = &v.notice { (flash(c, "ok", n)) }
            dl.facts {
                dt { (c.t("状态", "Status")) } dd { strong { (status_words(c, &v.status)) } }
                dt { (c.t("范围", "Scope")) } dd { (v.scope) }
                dt { (c.t("规则", "Rule")) } dd { (bi(c, &v.rule)) }
                dt { (c.t("方式", "Ballot")) } dd { (if v.secret { c.t("无记名", "secret") } else { c.t("记名（公开谁投了什么）", "open (roll-call)") }) }
                dt { (c.t("时间", "When")) } dd { (v.opens) " — " (v.closes) }
                dt { (c.t("选民", "Electorate")) } dd {
                    (v.electorate_count) (c.t(" 个", ""))
                    @if let Some(a) = &v.electorate_area { (c.t("，总面积 ", ", total area ")) (a) " ㎡" }
                    @if v.electorate_households > 0 { (c.t("，", ", ")) (v.electorate_households) (c.t(" 户", " households")) }
                    @if v.status == "draft" { " " span.muted { (c.t("（预览；开始时固定）", "(preview; frozen when the vote opens)")) } }
                }
            }
            @if !v.explanation.is_empty() { div.explanation { @for line in v.explanation.lines() { p { (line) } } } }
            @if !v.files.is_empty() || (committee && v.status == "draft") {
                section aria-labelledby="h-files" {
                    h2 #h-files { (c.t("附件（方案、图纸）", "Attachments (plans, drawings)")) }
                    @let editable = committee && v.status == "draft";
                    @let remove = format!("{base}/files");
                    (crate::files::list(c, slug, &v.files, editable.then_some(remove.as_str())))
                    @if editable {
                        (crate::files::upload_form(c, &format!("{base}/files")))
                        p.hint { (c.t("开始表决时，附件的哈希值会记入公开记录，之后不能再改动。", "When the vote opens, each attachment's hash goes into the ledger; after that they cannot change.")) }
                    }
                }
            }
            @if !v.options.is_empty() {
                section aria-labelledby="h-options" {
                    h2 #h-options { (c.t("方案", "Options")) }
                    ol.options { @for (id, words) in &v.options { li { strong { (id) } " " (words) } } }
                    p.hint { @if v.max_choices > 1 { (c.t("每人最多可选 ", "Each voter may choose up to ")) (v.max_choices) (c.t(" 项。", " options.")) } @else { (c.t("单选。", "Single choice.")) } }
                }
            }

            @if v.status == "open" {
                section aria-labelledby="h-cast" {
                    h2 #h-cast { (c.t("投票", "Your ballot")) }
                    @if let Some((choice, receipt, at, by)) = &v.my_ballot {
                        div.flash.ok role="status" {
                            (c.t("已投：", "Cast: ")) strong { (choice_text(c, v, choice)) } " · " (at)
                            @if let Some(by) = by { " · " (c.t("由 ", "by ")) (by) }
                            br; (c.t("回执码：", "Receipt: ")) strong.receipt { (receipt) }
                            br; span.hint { @if v.secret {
                                (c.t("请记下回执码：结束后，公布的回执码清单里有它，就说明您的选票已计入。清单不显示选择，所以谁也不能凭回执码证明您投了什么。截止前可以改票。",
                                    "Keep the receipt: after closing, finding it in the published list of receipts shows your ballot was counted. The list shows no choices, so nobody can use a receipt to prove how you voted. You may change your ballot until the vote closes."))
                            } @else {
                                (c.t("请记下回执码：结束后可以用它在公布的选票清单中核对您的选票。截止前可以改票。",
                                "Keep the receipt: after closing you can find your ballot in the published list with it. You may change your ballot until the vote closes."))
                            } }
                        }
                    }
                    @if v.can_cast {
                        form.stack method="post" action={(base) "/ballot"} {
                            (csrf(c))
                            fieldset.choices {
                                legend { (v.title) }
                                (choice_inputs(c, v, "c", v.my_ballot.as_ref().map(|b| b.0.as_str())))
                            }
                            button.primary type="submit" { (if v.my_ballot.is_some() { c.t("改票", "Change my ballot") } else { c.t("投票", "Cast my ballot") }) }
                        }
                    }
                    @for (voter, principal, current) in &v.proxy_for {
                        form.stack.proxy method="post" action={(base) "/proxy-ballot"} {
                            (csrf(c))
                            input type="hidden" name="voter" value=(voter);
                            fieldset.choices {
                                legend { (c.t("受托代 ", "As proxy for ")) (principal) (c.t(" 投票", "")) }
                                (choice_inputs(c, v, &format!("x-{voter}"), current.as_deref()))
                            }
                            button type="submit" { (c.t("代为投票", "Cast as proxy")) }
                            p.hint { (c.t("委托人本人投票后，以本人的选票为准。", "If the principal votes themselves, their own ballot counts.")) }
                        }
                    }
                    @if v.can_cast || !v.proxy_for.is_empty() {
                    } @else if c.user.is_none() {
                        p { a href={"/login?next=" (base)} { (c.t("登录后投票", "Log in to vote")) } }
                    } @else if v.my_ballot.is_none() {
                        p.empty { (c.t("您不在这次表决的选民名单中。", "You are not in this vote's electorate.")) }
                    }
                }
            }

            @if let Some(e) = &v.elevator { (elevator_section(c, &base, e)) }

            @if let Some(r) = &v.result {
                section aria-labelledby="h-result" {
                    h2 #h-result { (c.t("结果：", "Result: ")) (verdict_words(c, &r.verdict)) }
                    (chart(c, r))
                    h3 { (c.t("参与条件", "Participation")) @if r.quorum_any { " " span.muted { (c.t("（满足其一即可）", "(any one suffices)")) } } }
                    ul.tests { @for t in &r.quorum { li class=(if t.met { "met" } else { "unmet" }) { (if t.met { "✓ " } else { "✗ " }) (bi(c, &t.text)) } } }
                    @if r.options.is_empty() {
                        h3 { (c.t("通过条件", "Passing")) }
                        ul.tests { @for t in &r.pass { li class=(if t.met { "met" } else { "unmet" }) { (if t.met { "✓ " } else { "✗ " }) (bi(c, &t.text)) } } }
                    } @else {
                        (options_result(c, r))
                    }
                    @if v.is_final {
                        p { strong { (c.t("这是最终结果。", "This result is final.")) } }
                    } @else if let Some(u) = &v.publicity_until {
                        p { (c.t("公示期至 ", "Publicity period until ")) (u) (c.t("。公示期内可以提出异议，居委会须逐条公开答复。", ". Objections may be lodged until then; the committee answers each in public.")) }
                    }
                    p.actions {
                        a.button href={(base) "/notice"} { (c.t("打印公告（A4）", "Print the notice (A4)")) }
                        a.button href={(base) "/tally.xlsx"} { (c.t("计票表（Excel）", "Tally sheet (Excel)")) }
                        @if v.secret {
                            a.button href={(base) "/export.json"} { (c.t("计票汇总（teahouse recount 可核对）", "Totals file (check with teahouse recount)")) }
                            @if supervisor {
                                a.button href={(base) "/export.json?full=1"} { (c.t("逐票计票文件（仅监督委员会）", "Per-voter count file (supervisors only)")) }
                            }
                        } @else {
                            a.button href={(base) "/export.json"} { (c.t("计票文件（teahouse recount 可核算）", "Count file (re-check with teahouse recount)")) }
                        }
                    }
                    @if !v.paper_by.is_empty() {
                        p {
                            (c.t("纸质选票由居委会/村委会录入：", "Paper ballots entered by the committee: "))
                            @for (i, (who, n)) in v.paper_by.iter().enumerate() {
                                @if i > 0 { (c.t("；", "; ")) }
                                (who) " " (n) (c.t(" 张", ""))
                            }
                        }
                    }
                    @if let Some(h) = &v.export_sha256 {
                        p.hint {
                            (if v.secret { c.t("逐票计票文件的 SHA-256（已记入公开记录）：", "SHA-256 of the per-voter count file (in the ledger): ") } else { c.t("计票文件的 SHA-256（已记入公开记录）：", "SHA-256 of the count file (in the ledger): ") })
                            code.hash { (h) }
                        }
                    }
                }
                section aria-labelledby="h-objections" {
                    h2 #h-objections { (c.t("异议与答复", "Objections and answers")) }
                    @if v.objections.is_empty() {
                        p.empty { (c.t("没有人提出异议。", "Nobody has objected.")) }
                    }
                    @for o in &v.objections {
                        article.objection {
                            p { strong { (o.author) } " · " span.muted { (o.at) } }
                            @for line in o.text.lines() { p { (line) } }
                            @if let Some((a, at)) = &o.answer {
                                div.answer { p { strong { (c.t("答复：", "Answer: ")) } span.muted { (at) } } @for line in a.lines() { p { (line) } } }
                            } @else if committee {
                                form.stack method="post" action={(base) "/objections/" (o.id) "/answer"} {
                                    (csrf(c))
                                    div.field {
                                        label for={"f-answer-" (o.id)} { (c.t("公开答复", "Public answer")) }
                                        textarea id={"f-answer-" (o.id)} name="text" rows="3" required {}
                                    }
                                    button type="submit" { (c.t("答复", "Answer")) }
                                }
                            } @else {
                                p.muted { (c.t("等待答复", "Awaiting an answer")) }
                            }
                        }
                    }
                    @if v.can_object {
                        form.stack method="post" action={(base) "/objections"} {
                            (csrf(c))
                            div.field {
                                label for="f-objection" { (c.t("提出异议（会公开，姓名部分隐藏）", "Lodge an objection (public, with your name partly hidden)")) }
                                textarea #f-objection name="text" rows="4" required {}
                            }
                            button type="submit" { (c.t("提交异议", "Submit the objection")) }
                        }
                    }
                    @if v.can_finalize {
                        form method="post" action={(base) "/final"} {
                            (csrf(c))
                            button.primary type="submit" { (c.t("公示期已满，确认为最终结果", "The publicity period is over: make the result final")) }
                        }
                    }
                }
                @if v.secret {
                section aria-labelledby="h-ballots" {
                    h2 #h-ballots { (c.t("计入的回执码", "Receipts counted")) }
                    p.hint { (c.t("无记名表决只公布计入的回执码（按字母顺序），不公布谁投了什么，也不公布回执码对应的选择。",
                        "A secret vote lists the receipts counted, in alphabetical order: never who voted what, nor which choice a receipt stands for.")) }
                    @if let Some(r) = &v.my_receipt {
                        p { (c.t("您的回执码：", "Your receipt: ")) strong.receipt { (r) } }
                    }
                    @if v.receipts.is_empty() {
                        p.empty { (c.t("没有人投票。", "Nobody voted.")) }
                    } @else {
                        details {
                            summary { (c.t("查看全部 ", "Show all ")) (v.receipts.len()) (c.t(" 个回执码", " receipts")) }
                            ul.receipts { @for r in &v.receipts { li { code { (r) } } } }
                        }
                    }
                }
                } @else {
                section aria-labelledby="h-ballots" {
                    h2 #h-ballots { (c.t("选票清单", "Ballots")) }
                    p.hint { (c.t("记名表决公布每位选民的选择。", "An open vote lists each voter's choice.")) }
                    div.table-wrap { table {
                        thead { tr {
                            th scope="col" { (if v.secret { c.t("选民（化名）", "Voter (pseudonym)") } else { c.t("选民", "Voter") }) }
                            th scope="col" { (c.t("选择", "Choice")) }
                            th scope="col" { (c.t("方式", "Channel")) }
                            th scope="col" { (c.t("回执码", "Receipt")) }
                        } }
                        tbody { @for b in &v.ballots { tr { td { (b.who) } td { (choice_text(c, v, &b.choice)) } td { (b.channel) } td { code { (b.receipt) } } } } }
                    } }
                }
                }
            }

            @if committee {
                section.staff-panel aria-labelledby="h-desk" {
                    h2 #h-desk { (c.t("工作台", "Committee desk")) }
                    @if v.status == "draft" {
                        form method="post" action={(base) "/open"} {
                            (csrf(c))
                            button.primary type="submit" { (c.t("开始表决（固定选民名单）", "Open the vote (freeze the electorate)")) }
                        }
                    }
                    @if v.status == "open" {
                        p { (c.t("已收到 ", "Ballots so far: ")) strong { (v.ballot_count) } " / " (v.electorate_count) }
                        @if !v.paper_by.is_empty() {
                            p.hint {
                                (c.t("纸质选票：", "Paper ballots: "))
                                @for (i, (who, n)) in v.paper_by.iter().enumerate() {
                                    @if i > 0 { (c.t("；", "; ")) }
                                    (who) " " (n)
                                }
                                (c.t("（结束后公布）", " (published at closing)"))
                            }
                        }
                        @if !v.conflicts.is_empty() {
                            (flash(c, "warn", &Bi::new("以下选民同时有网上和纸质选票，结束前必须选定一张：", "These voters have both an online and a paper ballot; choose one before closing:")))
                            @for (voter, own) in &v.conflicts {
                                form.inline method="post" action={(base) "/resolve"} {
                                    (csrf(c))
                                    input type="hidden" name="voter" value=(voter);
                                    (voter) " "
                                    @if *own {
                                        button type="submit" name="keep" value="online" { (c.t("作废纸质选票（网上选票是本人投的，以本人为准）", "Set the paper ballot aside (the online one is the voter's own and counts)")) }
                                    } @else {
                                        button type="submit" name="keep" value="online" { (c.t("保留代投的网上选票", "Keep the proxy's online ballot")) } " "
                                        button type="submit" name="keep" value="paper" { (c.t("保留本人的纸质选票", "Keep the voter's own paper ballot")) }
                                    }
                                }
                                br;
                            }
                        }
                        h3 { (c.t("委托投票", "Proxies")) }
                        @if v.proxies.is_empty() { p.empty { (c.t("没有登记委托。", "No proxies recorded.")) } }
                        ul { @for (principal, proxy, auth, exp) in &v.proxies { li { (principal) " → " strong { (proxy) } " · " (auth) " · " (c.t("有效至 ", "until ")) (exp) } } }
                        details {
                            summary { (c.t("登记书面委托", "Record a written authorization")) }
                            form.stack method="post" action={(base) "/proxies"} {
                                (csrf(c))
                                div.field {
                                    label for="f-principal" { (c.t("委托人（选民）", "Principal (voter)")) }
                                    select #f-principal name="voter" required {
                                        @for (id, label, dw) in &v.electorate { option value=(id) { (label) @if !dw.is_empty() { " · " (dw) } } }
                                    }
                                }
                                div.field { label for="f-proxy" { (c.t("受托人在名册中的编号", "The proxy's id on the roll")) } input #f-proxy type="text" name="proxy" required; }
                                div.field { label for="f-auth" { (c.t("委托书说明（编号、日期）", "Authorization (number, date)")) } input #f-auth type="text" name="authorization" required; }
                                div.field { label for="f-exp" { (c.t("有效至（日期）", "Valid until (date)")) } input #f-exp type="date" name="expires" required; }
                                button type="submit" { (c.t("登记", "Record")) }
                            }
                        }
                        h3 { (c.t("录入纸质选票", "Enter a paper ballot")) }
                        form.stack method="post" action={(base) "/paper"} {
                            (csrf(c))
                            div.field {
                                label for="f-voter" { (c.t("选民", "Voter")) }
                                select #f-voter name="voter" required {
                                    @for (id, label, dw) in &v.electorate { option value=(id) { (label) @if !dw.is_empty() { " · " (dw) } } }
                                }
                            }
                            fieldset.choices {
                                legend { (c.t("纸质选票上的选择", "Choice on the paper ballot")) }
                                (choice_inputs(c, v, "p", None))
                            }
                            button type="submit" { (c.t("录入", "Record")) }
                        }
                        @if !v.not_voted.is_empty() {
                            details {
                                summary { (c.t("尚未投票", "Not yet voted")) " (" (v.not_voted.len()) ")" }
                                ul { @for (label, dw) in &v.not_voted { li { (label) @if !dw.is_empty() { " · " (dw) } } } }
                            }
                        }
                        form method="post" action={(base) "/close"} {
                            (csrf(c))
                            button type="submit" { (c.t("结束表决并计票", "Close the vote and count")) }
                        }
                        p.hint { (c.t("截止时间到后系统自动计票；提前结束仅在所有选民都已投票时允许。", "The count runs by itself at the closing time; closing early is allowed only when every voter has voted.")) }
                    }
                    @if v.status == "draft" && !v.electorate.is_empty() {
                        details {
                            summary { (c.t("选民名单预览", "Electorate preview")) " (" (v.electorate.len()) ")" }
                            ul { @for (_, label, dw) in &v.electorate { li { (label) @if !dw.is_empty() { " · " (dw) } } } }
                        }
                    }
                }
            }

            @if !v.ledger.is_empty() {
                section aria-labelledby="h-ledger" {
                    h2 #h-ledger { (c.t("公开记录", "Ledger entries")) }
                    ul { @for (seq, kind, hash) in &v.ledger { li { "#" (seq) " " code { (kind) } " " code.hash { (hash) } } } }
                    p { a href={"/c/" (slug) "/ledger"} { (c.t("查看并核验全部记录", "See and verify the whole ledger")) } }
                }
            }
        },
    )
}

pub struct NoticeView {
    pub community: String,
    pub title: String,
    pub scope: String,
    pub rule: Bi,
    pub period: String,
    pub verdict: String,
    pub tests: Vec<TestLine>,
    pub figures: Vec<(String, String)>,
    pub publicity_until: Option<String>,
    pub is_final: bool,
    pub url: String,
    pub entry: Option<(i64, String)>,
    pub head: Option<(i64, String)>,
    pub printed: String,
}

/// The A4 notice for the paper board (公告栏): the result, every figure, a QR
/// code to the page, and the ledger hashes that anchor paper to the web.
pub fn notice_page(c: &Chrome, v: &NoticeView) -> Markup {
    page(
        c,
        &v.title,
        html! {
            article.notice {
                p.notice-org { (v.community) }
                h1 { "表决结果公告" br; span.notice-en { "Notice of a vote result" } }
                h2 { (v.title) }
                dl.facts {
                    dt { "范围 Scope" } dd { (v.scope) }
                    dt { "规则 Rule" } dd { (v.rule.zh) br; span.other-lang { (v.rule.en) } }
                    dt { "投票时间 Voting" } dd { (v.period) }
                    dt { "结果 Result" } dd { strong.verdict { (verdict_words(&Chrome::default(), &v.verdict)) " / " (verdict_words(&Chrome { lang: crate::Lang::En, ..Default::default() }, &v.verdict)) } }
                }
                table.notice-figures {
                    tbody { @for (k, val) in &v.figures { tr { th scope="row" { (k) } td { (val) } } } }
                }
                ul.tests { @for t in &v.tests { li { (if t.met { "✓ " } else { "✗ " }) (t.text.zh) br; span.other-lang { (t.text.en) } } } }
                @if v.is_final {
                    p { strong { "本结果已过公示期，为最终结果。This result is final." } }
                } @else if let Some(u) = &v.publicity_until {
                    p { "公示期至 " (u) "。如有异议，请在公示期内在网上或到居委会/村委会提出。" br;
                        span.other-lang { "Publicity period until " (u) ". Objections may be lodged online or at the committee office until then." } }
                }
                div.notice-foot {
                    (crate::qr::svg(&v.url, 150, "扫码查看网页 QR code to the web page"))
                    div {
                        p { "扫码查看完整结果、选票清单和核验方法：" br; code { (v.url) } }
                        @if let Some((seq, h)) = &v.entry { p { "本结果记录 Ledger entry #" (seq) ":" br; code.hash { (h) } } }
                        @if let Some((seq, h)) = &v.head { p { "公开记录最新哈希 Ledger head #" (seq) ":" br; code.hash { (h) } } }
                        p.check { "核对：在网上“公开记录”页输入哈希的前 8 位，即可查到这条记录。" br; "To check: type the first 8 characters of a hash on the web ledger page." }
                        p.muted { "打印时间 Printed " (v.printed) }
                    }
                }
            }
            p.no-print { (c.t("用浏览器的“打印”打印本页（A4）。", "Print this page with the browser (A4).")) }
        },
    )
}
