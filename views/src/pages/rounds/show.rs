//! One round's page: its projects, the ballot, the result explained with a
//! chart, funded projects' milestones and the committee's forms (review,
//! milestones, rule), each coming back as typed when refused.

use super::rule_choice;
use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, flash, page};
use crate::refused::{Refused, Typed};
use maud::{Markup, html};

/// The committee's forms on a round's page that can come back refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A project's review (its id).
    Review(i64),
    /// A funded project's milestone (its id).
    Milestone(i64),
    /// The outcome rule and approval limit.
    Rule,
    /// The button to the next phase (refused while a project awaits review).
    Phase,
}

pub struct ProjectLine {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub team: String,
    pub submitter: Option<String>,
    pub cost: String,
    pub proposed_cost: String,
    pub cost_reason: String,
    pub review: String,
    pub review_reason: String,
    pub approvals: i64,
    pub funded: bool,
    pub progress: Msg,
}

pub struct MilestoneLine {
    pub project_id: i64,
    pub title: String,
    pub due: String,
    pub spent: String,
    pub disclosure: Option<i64>,
    pub done: bool,
    pub overdue: bool,
    pub note: String,
}

/// What a result page explains.
pub struct ResultView {
    pub rule: String,
    pub voters: usize,
    pub funded_total: String,
    pub left: String,
    /// code, title, approvals, cost, funded
    pub bars: Vec<(String, String, i64, String, bool)>,
    /// Greedy: code, title, approvals, funded, budget left after.
    pub greedy_steps: Vec<(String, String, usize, bool, String)>,
    /// MES: the share each voter had, and per funded project: code, title,
    /// price per supporter, paid in full, paid what they had left.
    pub share: String,
    pub mes_steps: Vec<(String, String, String, usize, usize)>,
    /// The viewer's own share and payments, if they voted.
    pub mine: Option<(String, Vec<(String, String)>)>,
    pub other_rule: (String, Vec<String>),
    pub ballots_sha256: String,
}

pub struct ShowView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub phase: String,
    pub phase_words: Msg,
    pub budget: String,
    pub range: String,
    pub place: String,
    pub rule: String,
    pub max_approvals: Option<u32>,
    pub dates: [String; 3],
    pub imported: bool,
    pub projects: Vec<ProjectLine>,
    pub can_submit: bool,
    pub can_vote: bool,
    pub has_voted: bool,
    pub result: Option<ResultView>,
    pub milestones: Vec<MilestoneLine>,
    pub errors: Errors,
    pub idea: (String, String, String, String),
    /// The projects ticked: as sent with a refused ballot, or after voting
    /// the viewer's own choices (shown to them alone).
    pub chosen: Vec<i64>,
    pub done: Option<Msg>,
    /// A committee form refused, as it was typed.
    pub refused: Option<Refused<Form>>,
}

fn rule_words<'a>(c: &Chrome, rule: &str) -> &'a str {
    if rule == "mes" {
        c.t("平等份额法（MES）", "Method of Equal Shares")
    } else {
        c.t("按票数（贪心）", "by votes (greedy)")
    }
}

fn chart(c: &Chrome, r: &ResultView) -> Markup {
    let max = r.bars.iter().map(|b| b.2).max().unwrap_or(1).max(1);
    let h = 28 * r.bars.len() as i64 + 8;
    html! {
        figure {
            svg.chart viewBox={"0 0 640 " (h)} role="img" aria-labelledby="chart-title" {
                title #chart-title { (c.t("各项目赞成票数，实心为获资助", "Approvals per project; filled bars were funded")) }
                @for (i, b) in r.bars.iter().enumerate() {
                    @let y = 4 + 28 * i as i64;
                    @let w = 1.max(b.2 * 380 / max);
                    text x="0" y={(y + 17)} class="chart-label" { (b.0) }
                    rect x="60" y=(y) width=(w) height="20" class={ "bar" @if b.4 { " funded" } } {}
                    text x={(68 + w)} y={(y + 16)} class="chart-value" { (b.2) " · " (b.3) (c.t("元", " yuan")) @if b.4 { " ✓" } }
                }
            }
            figcaption { (c.t("条形长短为赞成票数；实心（✓）为获得资助的项目。", "Bar length is the number of approvals; filled bars (✓) were funded.")) }
        }
    }
}

fn result_section(c: &Chrome, slug: &str, v: &ShowView, r: &ResultView) -> Markup {
    html! {
        section aria-labelledby="h-results" {
            h2 #h-results { (c.t("结果", "Results")) }
            p.lead { (r.voters) (c.t(" 人投票。按", " voted. Under ")) strong { (rule_words(c, &r.rule)) }
                (c.t("，资助 ", ", funded: ")) strong { (r.funded_total) } (c.t(" 元，余 ", " yuan; left: ")) (r.left) (c.t(" 元。", " yuan.")) }
            (chart(c, r))
            @if r.rule == "greedy" {
                h3 { (c.t("怎么算的", "How it was decided")) }
                p { (c.t("项目按赞成票数从多到少排队（票数相同按编号），依次资助；剩余预算放不下的项目跳过，接着看下一个。",
                         "Projects queue by approvals, most first (ties by code), and are funded in turn; a project the remaining budget cannot cover is skipped and the next one tried.")) }
                ol { @for (code, t, n, funded, left) in &r.greedy_steps {
                    li { strong { (code) } " " (t) " · " (n) (c.t(" 票 · ", " approvals · "))
                        @if *funded { (c.t("资助，余 ", "funded, left ")) } @else { (c.t("放不下，跳过，余 ", "does not fit, skipped, left ")) } (left) (c.t(" 元", " yuan")) }
                } }
            } @else {
                h3 { (c.t("怎么算的", "How it was decided")) }
                p { (c.t("平等份额法把预算平均分给每位投票人，每人一份 ", "The Method of Equal Shares gives every voter an equal share of the budget: "))
                    strong { (r.share) (c.t(" 元", " yuan")) }
                    (c.t("。每一步资助支持者平均每人出钱最少（相对项目费用）的项目，由支持者平摊；份额不够的人出完所剩。份额全部能用上之前，每份每次加 1 元重新计算，直到再加就超预算为止。",
                         ". At each step the project whose supporters each pay the least (relative to its cost) is funded, its cost split equally among them; a supporter with too little left pays all they have. Each share is raised 1 yuan at a time and the count rerun while the outcome stays within the budget.")) }
                table {
                    thead { tr { th { (c.t("项目", "Project")) } th.num { (c.t("每位支持者出", "Each supporter paid")) } th.num { (c.t("足额出钱人数", "Paid in full")) } th.num { (c.t("出完所剩人数", "Paid all they had left")) } } }
                    tbody { @for (code, t, price, full, rest) in &r.mes_steps {
                        tr { td { strong { (code) } " " (t) } td.num { (price) (c.t(" 元", " yuan")) } td.num { (full) } td.num { (rest) } }
                    } }
                }
            }
            @if let Some((share, pays)) = &r.mine {
                p { (c.t("你的一份是 ", "Your share was ")) strong { (share) (c.t(" 元", " yuan")) } (c.t("：", ": "))
                    @if pays.is_empty() { (c.t("没有用于你赞成的项目。", "none of it went to projects you approved.")) }
                    @for (i, (code, amt)) in pays.iter().enumerate() { @if i > 0 { "，" } (amt) (c.t(" 元给 ", " yuan to ")) (code) } }
            }
            p.muted { (c.t("若按另一规则（", "Under the other rule (")) (rule_words(c, &r.other_rule.0)) (c.t("）会资助：", ") it would fund: "))
                (r.other_rule.1.join("、")) (c.t("。规则已在投票前确定，结果以上面为准。", ". The rule was fixed before voting; the result above stands.")) }
            p { a href={"/c/" (slug) "/rounds/" (v.id) "/round.pb"} { (c.t("下载选票（Pabulib .pb 格式，可用 teahouse pb-tally 重新计票）", "Download the ballots (Pabulib .pb; recount with teahouse pb-tally)")) } }
            p.muted { (c.t("选票 SHA-256：", "Ballots SHA-256: ")) code.hash { (r.ballots_sha256) } }
        }
    }
}

/// What the viewer approved, shown to them alone after they voted.
fn my_ballot(c: &Chrome, v: &ShowView) -> Markup {
    let mine: Vec<&ProjectLine> = v
        .projects
        .iter()
        .filter(|p| v.chosen.contains(&p.id))
        .collect();
    html! {
        div.mine #my-ballot {
            p { (c.t("你赞成了（只有你能看到）：", "You approved (only you can see this):")) }
            @if mine.is_empty() { p.muted { (c.t("没有赞成任何项目（空白票）。", "No project (a blank ballot).")) } }
            ul { @for p in &mine { li { strong { (p.code) } " " (p.title) } } }
        }
    }
}

pub fn show_page(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    let base = format!("/c/{slug}/rounds/{}", v.id);
    page(
        c,
        &v.title,
        html! {
            @if let Some(d) = &v.done { (flash(c, "ok", d)) }
            (header(c, slug, v))
            @if let Some(r) = &v.result { (result_section(c, slug, v, r)) }
            section aria-labelledby="h-projects" {
                h2 #h-projects { (c.t("项目", "Projects")) }
                @if v.projects.is_empty() { p.empty { (c.t("还没有项目。", "No projects yet.")) } }
                @if v.phase == "vote" && v.can_vote {
                    (ballot_form(c, &base, v))
                } @else if v.phase == "vote" && v.has_voted {
                    p { strong { (c.t("你已投票，谢谢。", "You have voted; thank you.")) } }
                    (my_ballot(c, v))
                }
                ul.projects {
                    @for p in &v.projects { (project_item(c, slug, &base, v, p)) }
                }
            }
            @if v.can_submit { (idea_section(c, &base, v)) }
            @if c.is_committee() && v.phase != "results" { (phase_panel(c, &base, v)) }
        },
    )
}

/// The round's title, phase, budget, dates and rule.
fn header(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    html! {
        p.muted { a href={"/c/" (slug) "/rounds"} { (c.t("← 全部轮次", "← All rounds")) } }
        h1 { (v.title) }
        p { span.tag { (bi(c, &v.phase_words)) } " · " (c.t("预算 ", "Budget ")) strong { (v.budget) } (c.t(" 元 · 每个项目 ", " yuan · per project ")) (v.range) (c.t(" 元 · 范围：", " yuan · scope: ")) (v.place) }
        @if !v.description.is_empty() { p.pre { (v.description) } }
        @if !v.imported {
            p.muted { (c.t("征集截止 ", "Ideas close ")) (v.dates[0]) " · " (c.t("评审截止 ", "review ends ")) (v.dates[1]) " · " (c.t("投票截止 ", "voting closes ")) (v.dates[2]) }
        }
        p { (c.t("计票规则：", "Outcome rule: ")) strong { (rule_words(c, &v.rule)) }
            @if let Some(m) = v.max_approvals { (c.t("；每人最多赞成 ", "; each voter approves at most ")) (m) (c.t(" 个项目", " projects")) } }
    }
}

/// The resident's approval ballot, ticked as sent when it was refused.
fn ballot_form(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    let err = v.errors.get("ballot");
    html! {
        form.stack #ballot method="post" action={(base) "/ballot"} {
            (csrf(c))
            fieldset class=[err.map(|_| "has-error")] aria-describedby=[err.map(|_| "f-ballot-err")] {
                legend { (c.t("赞成你希望资助的项目（可多选", "Approve the projects you want funded (any number")) @if let Some(m) = v.max_approvals { (c.t("，最多 ", ", at most ")) (m) } (c.t("）", ")")) }
                @if let Some(m) = err { p.field-error #f-ballot-err role="alert" { (bi(c, m)) } }
                @for p in v.projects.iter().filter(|p| p.review == "feasible") {
                    div.choice {
                        input type="checkbox" id={"f-p-" (p.id)} name="project" value=(p.id) checked[v.chosen.contains(&p.id)];
                        label for={"f-p-" (p.id)} { strong { (p.code) } " " (p.title) " · " (p.cost) (c.t(" 元", " yuan")) }
                    }
                }
            }
            p.muted { (c.t("每人只能投一次，提交后不能更改。", "One ballot each; it cannot be changed once cast.")) }
            button type="submit" { (c.t("投票", "Cast my ballot")) }
        }
    }
}

/// One project: its cost, review, progress and (for the committee) its forms.
fn project_item(c: &Chrome, slug: &str, base: &str, v: &ShowView, p: &ProjectLine) -> Markup {
    html! {
        li #{"project-" (p.id)} {
            h3 { (p.code) " " (p.title) @if p.funded { " " span.tag.ok { (c.t("获资助", "funded")) } } }
            p { (c.t("费用 ", "Cost ")) strong { (p.cost) } (c.t(" 元", " yuan"))
                @if p.cost != p.proposed_cost { (c.t("（原申报 ", " (proposed ")) (p.proposed_cost) (c.t(" 元；调整理由：", " yuan; adjusted because: ")) (p.cost_reason) ")" }
                @if !p.team.is_empty() { " · " (c.t("实施团队：", "Team: ")) (p.team) }
                @if let Some(s) = &p.submitter { " · " (c.t("提出人：", "Proposed by ")) (s) } }
            @if !p.description.is_empty() { p.pre { (p.description) } }
            p {
                @match p.review.as_str() {
                    "feasible" => { span.tag.ok { (c.t("评审：可行", "Reviewed: feasible")) } }
                    "infeasible" => { span.tag.warn { (c.t("评审：不可行", "Reviewed: not feasible")) } " " (p.review_reason) }
                    _ => { span.tag { (c.t("待评审", "awaiting review")) } }
                }
                @if p.funded { " · " (bi(c, &p.progress)) }
            }
            @if p.funded {
                @let ms: Vec<&MilestoneLine> = v.milestones.iter().filter(|m| m.project_id == p.id).collect();
                @if !ms.is_empty() { (milestone_table(c, slug, &ms)) }
                @if c.is_committee() { (milestone_form(c, base, v, p.id)) }
            }
            @if c.is_committee() && (v.phase == "collect" || v.phase == "review") {
                (review_form(c, base, v, p))
            }
        }
    }
}

fn milestone_table(c: &Chrome, slug: &str, ms: &[&MilestoneLine]) -> Markup {
    html! {
        table {
            thead { tr { th { (c.t("节点", "Milestone")) } th { (c.t("期限", "Due")) } th.num { (c.t("花费（元）", "Spent (yuan)")) } th { (c.t("公开", "Disclosure")) } th { (c.t("状态", "State")) } } }
            tbody { @for m in ms { tr {
                td { (m.title) @if !m.note.is_empty() { br; span.muted { (m.note) } } }
                td { (m.due) } td.num { (m.spent) }
                td { @if let Some(d) = m.disclosure { a href={"/c/" (slug) "/disclosures/" (d)} { (c.t("公开 #", "disclosure #")) (d) } } }
                td { @if m.done { (c.t("已完成", "done")) } @else if m.overdue { strong.warn { (c.t("逾期", "overdue")) } } @else { (c.t("进行中", "open")) } }
            } } }
        }
    }
}

/// The committee records a milestone; a refused one comes back open, as typed.
fn milestone_form(c: &Chrome, base: &str, v: &ShowView, project: i64) -> Markup {
    let f = Form::Milestone(project);
    let r = &v.refused;
    let e = r.errors(f);
    html! {
        details open[r.is(f)] {
            summary { (c.t("记录进度和花费", "Record progress and spending")) }
            (forms::summary(c, e))
            form.stack method="post" action={(base) "/projects/" (project) "/milestones"} {
                (csrf(c))
                (forms::input(c, "title", c.t("节点", "Milestone"), r.value(f, "title", ""), e, Opts { required: true, ..Default::default() }))
                (forms::input(c, "due", c.t("期限", "Due"), r.value(f, "due", ""), e, Opts { kind: "date", required: true, ..Default::default() }))
                (forms::input(c, "spent", c.t("花费（元）", "Spent (yuan)"), r.value(f, "spent", "0"), e, Opts { inputmode: Some("decimal"), ..Default::default() }))
                (forms::input(c, "disclosure", c.t("对应的财务公开编号（可选）", "The disclosure that shows the spending (number, optional)"), r.value(f, "disclosure", ""), e, Opts { inputmode: Some("numeric"), ..Default::default() }))
                (forms::input(c, "note", c.t("说明", "Note"), r.value(f, "note", ""), e, Opts::default()))
                (forms::checkbox("done", c.t("已完成", "Done"), !r.value(f, "done", "").is_empty()))
                (forms::checkbox("completes", c.t("项目全部完成", "The whole project is complete"), !r.value(f, "completes", "").is_empty()))
                button type="submit" { (c.t("记录", "Record")) }
            }
        }
    }
}

/// The committee's review of a project: feasible or not, and the cost it approves.
fn review_form(c: &Chrome, base: &str, v: &ShowView, p: &ProjectLine) -> Markup {
    let f = Form::Review(p.id);
    let r = &v.refused;
    let e = r.errors(f);
    let verdict = r.value(
        f,
        "verdict",
        if p.review == "infeasible" {
            "infeasible"
        } else {
            "feasible"
        },
    );
    html! {
        details open[r.is(f)] {
            summary { (c.t("评审", "Review")) }
            (forms::summary(c, e))
            form.stack method="post" action={(base) "/projects/" (p.id) "/review"} {
                (csrf(c))
                fieldset {
                    legend { (c.t("是否可行", "Feasible?")) }
                    (forms::error(c, e, "verdict"))
                    (forms::radio("verdict", "feasible", c.t("可行", "Feasible"), verdict == "feasible"))
                    (forms::radio("verdict", "infeasible", c.t("不可行", "Not feasible"), verdict == "infeasible"))
                }
                (forms::input(c, "reason", c.t("理由（不可行时必填）", "Reason (required if not feasible)"), r.value(f, "reason", &p.review_reason), e, Opts::default()))
                (forms::input(c, "cost", c.t("核定费用（元）", "Approved cost (yuan)"), r.value(f, "cost", &p.cost), e, Opts { inputmode: Some("decimal"), ..Default::default() }))
                (forms::input(c, "cost_reason", c.t("费用调整理由（改费用时必填）", "Why the cost changed (required if it did)"), r.value(f, "cost_reason", &p.cost_reason), e, Opts::default()))
                button type="submit" { (c.t("保存评审", "Save review")) }
            }
        }
    }
}

/// A resident proposes a project while ideas are collected.
fn idea_section(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    html! {
        section aria-labelledby="h-idea" {
            h2 #h-idea { (c.t("提出项目", "Propose a project")) }
            (forms::summary(c, &v.errors))
            form.stack method="post" action={(base) "/projects"} {
                (csrf(c))
                (forms::input(c, "title", c.t("项目名称", "Project name"), &v.idea.0, &v.errors, Opts { required: true, ..Default::default() }))
                (forms::textarea(c, "description", c.t("做什么、为谁做", "What it does, and for whom"), &v.idea.1, &v.errors, 4))
                (forms::input(c, "team", c.t("实施团队（个人、楼组、社会组织）", "Who will do it (a person, a building group, an organization)"), &v.idea.2, &v.errors, Opts::default()))
                (forms::input(c, "cost", c.t("所需费用（元）", "Cost (yuan)"), &v.idea.3, &v.errors, Opts { required: true, inputmode: Some("decimal"), hint: Some(("须在本轮的费用范围内", "must be within this round's range")), ..Default::default() }))
                button type="submit" { (c.t("提交", "Submit")) }
            }
        }
    }
}

/// The committee's rule form and the button to the next phase.
fn phase_panel(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    let r = &v.refused;
    let e = r.errors(Form::Rule);
    let max = v.max_approvals.map(|m| m.to_string()).unwrap_or_default();
    html! {
        section.staff-panel aria-labelledby="h-phase" {
            h2 #h-phase { (c.t("进入下一阶段", "Next phase")) }
            @if v.phase != "vote" {
                (forms::summary(c, e))
                form.stack #rule method="post" action={(base) "/settings"} {
                    (csrf(c))
                    (forms::error(c, e, "rule"))
                    (rule_choice(c, r.value(Form::Rule, "rule", &v.rule)))
                    (forms::input(c, "max_approvals", c.t("每人最多赞成几个（留空不限）", "Most approvals per voter (blank: any)"), r.value(Form::Rule, "max_approvals", &max), e, Opts { inputmode: Some("numeric"), ..Default::default() }))
                    button type="submit" { (c.t("保存规则", "Save the rule")) }
                }
            }
            @let pe = r.errors(Form::Phase);
            @if let Some(m) = pe.get("phase") { p.field-error #f-phase-err role="alert" { (bi(c, m)) } }
            form.inline #phase method="post" action={(base) "/phase"} {
                (csrf(c))
                button type="submit" {
                    @match v.phase.as_str() {
                        "collect" => { (c.t("停止征集，开始评审", "Close ideas, start the review")) }
                        "review" => { (c.t("开始投票（规则随之确定）", "Open voting (the rule is then fixed)")) }
                        _ => { (c.t("结束投票并公布结果", "Close voting and publish the results")) }
                    }
                }
            }
        }
    }
}
