//! One vote's page: what it asks, its electorate, the ballot, the result
//! with every figure, publicity and objections, and the ledger entries.
//! A refused form comes back here as it was typed.

use super::elevator::{ElevatorView, elevator_section};
use super::verdict_words;
use super::{Form, Shown};
use crate::chrome::{Chrome, Msg};
use crate::layout::{bi, csrf, flash, page};
use crate::refused::{Refused, Typed};
use maud::{Markup, html};

pub struct TestLine {
    pub met: bool,
    pub text: Msg,
}

pub struct ResultView {
    pub verdict: String,
    pub quorum_any: bool,
    pub quorum: Vec<TestLine>,
    pub pass: Vec<TestLine>,
    /// (label, heads, area) for agree, disagree, abstain, not voting.
    /// A bar a choice: its name, heads and area.
    pub bars: Vec<(Msg, i64, Option<String>)>,
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

pub struct VoteView {
    /// Notice reach per building (issue 17), rendered by the notices views.
    pub reach: Option<Markup>,
    /// A refused form of this page, as it was typed.
    pub refused: Option<Refused<Form>>,
    pub id: i64,
    pub title: String,
    pub explanation: String,
    pub status: Shown,
    pub scope: String,
    pub rule: Msg,
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
    /// Choice, receipt, when, and who cast it if not the voter (a proxy, or
    /// the committee member who entered it on paper).
    pub my_ballot: Option<(String, String, String, Option<Msg>)>,
    pub can_cast: bool,
    pub ballot_count: usize,
    pub not_voted: Vec<(String, String)>,
    /// Voters with two ballots, and whether the online one is their own.
    pub conflicts: Vec<(String, bool)>,
    pub result: Option<ResultView>,
    pub ballots: super::ballots::BallotTable,
    /// Which page of the ballot list `ballots` is (from 1), of how many.
    pub ballot_page: (usize, usize),
    /// A closed secret vote: the receipts counted, sorted (never a choice).
    pub receipts: Vec<String>,
    /// Paper ballots by who entered them.
    pub paper_by: Vec<(String, i64)>,
    /// The voter's own receipt once the vote has closed.
    pub my_receipt: Option<String>,
    /// Once closed, the page of the ballot list holding the reader's own row.
    pub my_ballot_page: Option<usize>,
    /// SHA-256 of the recount file, as recorded in the ledger at closing.
    pub export_sha256: Option<String>,
    pub ledger: Vec<(i64, String, String)>,
    pub notice: Option<Msg>,
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

/// After closing, the voter's own ballot: the receipt and how to find it
/// in the published list (their row is marked there).
fn my_closed_ballot(c: &Chrome, v: &VoteView) -> Markup {
    let Some((choice, receipt, at, by)) = &v.my_ballot else {
        return html! {};
    };
    let list = match v.my_ballot_page {
        Some(p) if v.ballot_page.1 > 1 => format!("?ballots={p}#my-ballot"),
        _ => "#my-ballot".to_string(),
    };
    html! {
        section aria-labelledby="h-my-ballot" {
            h2 #h-my-ballot { (c.t("您的选票", "Your ballot")) }
            div.flash.ok role="status" {
                (c.t("您投的是：", "You chose: ")) strong { (choice_text(c, &v.options, choice)) } " · " (at)
                @if let Some(by) = by { " · " (c.t("由 ", "by ")) (c.t(&by.zh, &by.en)) }
                br; (c.t("回执码：", "Receipt: ")) strong.receipt { (receipt) }
                br; span.hint { @if v.secret {
                    (c.t("核对方法：在下面公布的「计入的回执码」清单里找到这个回执码（已标出），就说明您的选票已计入。清单不显示选择；您投了什么只有您自己在这里看得到。",
                        "To check: find this receipt in the published list of receipts counted below (it is marked); that shows your ballot was counted. The list shows no choices; only you see here what you chose."))
                } @else {
                    (c.t("核对方法：在下面公布的选票清单里，您的那一行已标出，选择和回执码应与这里一致。",
                        "To check: your row in the published ballot list below is marked; its choice and receipt should match these."))
                } }
                br; a href=(list) { (c.t("查看我在清单中的一行", "Show my row in the list")) }
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
    c.w(crate::choices::choice(s))
}

/// A ballot's choice in words: agree/disagree/abstain, or the options chosen.
pub(super) fn choice_text(c: &Chrome, options: &[(String, String)], s: &str) -> String {
    if options.is_empty() || s == "abstain" {
        return choice_words(c, s).to_string();
    }
    s.split('+')
        .map(|id| match options.iter().find(|(l, _)| l == id) {
            Some((l, words)) => format!("{l} {words}"),
            None => id.to_string(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// A ballot's choices in their fieldset (ids from `prefix`), the error
/// of a refused one beside them and tied to the fieldset.
pub(super) fn choices(
    c: &Chrome,
    v: &VoteView,
    prefix: &str,
    legend: Markup,
    current: Option<&str>,
    err: Option<&Msg>,
) -> Markup {
    let err_id = format!("{prefix}-choice-err");
    html! {
        fieldset id={(prefix) "-choice"} class={"choices" @if err.is_some() { " has-error" }}
            aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())] {
            legend { (legend) }
            @if let Some(m) = err { p.field-error id=(err_id) { (bi(c, m)) } }
            (choice_inputs(c, v, prefix, current.filter(|s| !s.is_empty())))
        }
    }
}

/// The inputs of a ballot: three radios for a decision; the options as
/// radios (single choice) or checkboxes (multiple), plus abstain.
pub(super) fn choice_inputs(
    c: &Chrome,
    v: &VoteView,
    prefix: &str,
    current: Option<&str>,
) -> Markup {
    let chosen: Vec<&str> = current.map(|s| s.split('+').collect()).unwrap_or_default();
    let multiple = v.max_choices > 1;
    html! {
        @if v.options.is_empty() {
            @for (val, w) in crate::choices::DECISION {
                div.field.check {
                    input type="radio" name="choice" id={(prefix) "-" (val)} value=(val) required checked[current == Some(val)];
                    label for={(prefix) "-" (val)} { (c.w(w)) }
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
                label for={(prefix) "-abstain"} { (c.w(crate::choices::ABSTAIN)) }
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
                text x="0" y=(y + 18) class="chart-label" { (c.t(&label.zh, &label.en)) }
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
    page(
        c,
        &v.title,
        html! {
            p { a href={"/c/" (slug) "/votes"} { "← " (c.t("表决", "Votes")) } }
            h1 { (v.title) }
            @if let Some(n) = &v.notice { (flash(c, "ok", n)) }
            (facts(c, v))
            @if let Some(r) = &v.reach { (r) }
            @if !v.explanation.is_empty() { div.explanation { @for line in v.explanation.lines() { p { (line) } } } }
            (files_section(c, slug, &base, v))
            (options_section(c, v))
            (cast_section(c, &base, v))
            @if v.status != Shown::Open && v.status != Shown::Draft { (my_closed_ballot(c, v)) }

            @if let Some(e) = &v.elevator { (elevator_section(c, &base, e, &v.refused)) }

            @if let Some(r) = &v.result {
                (result_section(c, &base, v, r))
                (objections_section(c, &base, v))
                (super::ballots::ballots_section(c, v))
            }

            @if committee { (super::desk::desk_section(c, &base, v)) }

            (ledger_section(c, slug, v))
        },
    )
}

/// Status, scope, rule, ballot kind, period and electorate.
fn facts(c: &Chrome, v: &VoteView) -> Markup {
    html! {
            dl.facts {
                dt { (c.t("状态", "Status")) } dd { strong { (v.status.words(c)) } }
                dt { (c.t("范围", "Scope")) } dd { (v.scope) }
                dt { (c.t("规则", "Rule")) } dd { (bi(c, &v.rule)) }
                dt { (c.t("方式", "Ballot")) } dd { (if v.secret { c.t("无记名", "secret") } else { c.t("记名（公开谁投了什么）", "open (roll-call)") }) }
                dt { (c.t("时间", "When")) } dd { (v.opens) " — " (v.closes) }
                dt { (c.t("选民", "Electorate")) } dd {
                    (v.electorate_count) (c.t(" 个", ""))
                    @if let Some(a) = &v.electorate_area { (c.t("，总面积 ", ", total area ")) (a) " ㎡" }
                    @if v.electorate_households > 0 { (c.t("，", ", ")) (v.electorate_households) (c.t(" 户", " households")) }
                    @if v.status == Shown::Draft { " " span.muted { (c.t("（预览；开始时固定）", "(preview; frozen when the vote opens)")) } }
                }
            }
    }
}

/// The attachments, editable by the committee while the vote is a draft.
fn files_section(c: &Chrome, slug: &str, base: &str, v: &VoteView) -> Markup {
    html! {
            @let committee = c.is_committee();
            @if !v.files.is_empty() || (committee && v.status == Shown::Draft) {
                section aria-labelledby="h-files" {
                    h2 #h-files { (c.t("附件（方案、图纸）", "Attachments (plans, drawings)")) }
                    @let editable = committee && v.status == Shown::Draft;
                    @let remove = format!("{base}/files");
                    (crate::files::list(c, slug, &v.files, editable.then_some(remove.as_str())))
                    @if editable {
                        (crate::files::upload_form(c, &format!("{base}/files")))
                        p.hint { (c.t("开始表决时，附件的哈希值会记入公开记录，之后不能再改动。", "When the vote opens, each attachment's hash goes into the ledger; after that they cannot change.")) }
                    }
                }
            }
    }
}

/// The options of a choice vote.
fn options_section(c: &Chrome, v: &VoteView) -> Markup {
    html! {
            @if !v.options.is_empty() {
                section aria-labelledby="h-options" {
                    h2 #h-options { (c.t("方案", "Options")) }
                    ol.options { @for (id, words) in &v.options { li { strong { (id) } " " (words) } } }
                    p.hint { @if v.max_choices > 1 { (c.t("每人最多可选 ", "Each voter may choose up to ")) (v.max_choices) (c.t(" 项。", " options.")) } @else { (c.t("单选。", "Single choice.")) } }
                }
            }
    }
}

/// An open vote: the reader's ballot, the forms to cast it (also as a
/// proxy), or why they cannot.
fn cast_section(c: &Chrome, base: &str, v: &VoteView) -> Markup {
    html! {
            @if v.status == Shown::Open {
                section aria-labelledby="h-cast" {
                    h2 #h-cast { (c.t("投票", "Your ballot")) }
                    @if let Some((choice, receipt, at, by)) = &v.my_ballot {
                        div.flash.ok role="status" {
                            (c.t("已投：", "Cast: ")) strong { (choice_text(c, &v.options, choice)) } " · " (at)
                            @if let Some(by) = by { " · " (c.t("由 ", "by ")) (c.t(&by.zh, &by.en)) }
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
                            @let mine = v.my_ballot.as_ref().map_or("", |b| b.0.as_str());
                            (choices(c, v, "c", html! { (v.title) }, Some(v.refused.value(Form::Cast, "choice", mine)), v.refused.errors(Form::Cast).get("choice")))
                            button.primary type="submit" { (if v.my_ballot.is_some() { c.t("改票", "Change my ballot") } else { c.t("投票", "Cast my ballot") }) }
                        }
                    }
                    @for (voter, principal, current) in &v.proxy_for {
                        form.stack.proxy method="post" action={(base) "/proxy-ballot"} {
                            (csrf(c))
                            input type="hidden" name="voter" value=(voter);
                            @let (r, f) = (&v.refused, Form::ProxyBallot);
                            @let here = r.is(f) && r.value(f, "voter", "") == voter;
                            @let current = if here { Some(r.value(f, "choice", "")) } else { current.as_deref() };
                            @let legend = html! { (c.t("受托代 ", "As proxy for ")) (principal) (c.t(" 投票", "")) };
                            (choices(c, v, &format!("x-{voter}"), legend, current, r.errors(f).get("choice").filter(|_| here)))
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
    }
}

/// The vote's own ledger entries.
fn ledger_section(c: &Chrome, slug: &str, v: &VoteView) -> Markup {
    html! {
            @if !v.ledger.is_empty() {
                section aria-labelledby="h-ledger" {
                    h2 #h-ledger { (c.t("公开记录", "Ledger entries")) }
                    ul { @for (seq, kind, hash) in &v.ledger { li { "#" (seq) " " code { (kind) } " " code.hash { (hash) } } } }
                    p { a href={"/c/" (slug) "/ledger"} { (c.t("查看并核验全部记录", "See and verify the whole ledger")) } }
                }
            }
    }
}

/// The result with every test, the publicity period, the files to check it.
fn result_section(c: &Chrome, base: &str, v: &VoteView, r: &ResultView) -> Markup {
    html! {
                @let supervisor = c.is_supervisor();
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
                        p { (c.t("公示期至 ", "Publicity period until ")) (u) (match c.lang { crate::Lang::Zh => format!("。公示期内可以提出异议，{}须逐条公开答复。", c.committee()), crate::Lang::En => format!(". Objections may be lodged until then; {} answers each in public.", c.committee()) }) }
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
                            (c.t(&format!("纸质选票由{}录入：", c.committee_zh()), "Paper ballots entered by the committee: "))
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
    }
}

/// Objections with their answers, and the forms to lodge or answer one.
fn objections_section(c: &Chrome, base: &str, v: &VoteView) -> Markup {
    html! {
                @let committee = c.is_committee();
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
                                    (text_field(c, &v.refused, Form::Answer(o.id), &format!("f-answer-{}", o.id), c.t("公开答复", "Public answer"), 3))
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
                            (text_field(c, &v.refused, Form::Objection, "f-objection", c.t("提出异议（会公开，姓名部分隐藏）", "Lodge an objection (public, with your name partly hidden)"), 4))
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
    }
}

/// A form's one text field (`text`), as typed when `form` came back
/// refused, its error beside it and tied to it by aria-describedby.
fn text_field(
    c: &Chrome,
    r: &Option<Refused<Form>>,
    form: Form,
    id: &str,
    label: &str,
    rows: u32,
) -> Markup {
    let err = r.errors(form).get("text");
    let err_id = format!("{id}-err");
    html! {
        div class={"field" @if err.is_some() { " has-error" }} {
            label for=(id) { (label) }
            @if let Some(m) = err { p.field-error id=(err_id) { (bi(c, m)) } }
            textarea id=(id) name="text" rows=(rows) required
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=[err.map(|_| err_id.as_str())] { (r.value(form, "text", "")) }
        }
    }
}
