//! One disclosure: its table, review, threads, revisions and downloads.

use super::*;
use crate::chrome::{Chrome, Msg};
use crate::files::FileLine;
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

pub struct ThreadLine {
    pub id: i64,
    /// Query or question, in words.
    pub kind: Msg,
    pub rev: i64,
    pub row: Option<i64>,
    pub text: String,
    pub author: String,
    pub at: String,
    pub answer: Option<(String, String)>,
    /// The supervisor who accepted the answer, and when.
    pub accepted: Option<(String, String)>,
    /// The supervisor may accept this answer or query it again.
    pub reviewable: bool,
}

pub struct RevisionLine {
    pub rev: i64,
    pub title: String,
    pub reason: Option<String>,
    pub published: Option<String>,
}

pub struct ShowView {
    pub id: i64,
    pub category: Msg,
    pub period: Msg,
    pub status: Stage,
    pub title: String,
    pub explanation: String,
    pub columns: Vec<Msg>,
    pub rows: Vec<Vec<String>>,
    /// (column index, total) under the table.
    pub totals: Vec<(usize, String)>,
    pub rev: i64,
    /// The shown revision's content hash and attachments digest: the sign
    /// and query forms carry them (with `rev`), so a signature is on what
    /// was seen.
    pub content_hash: String,
    pub files_digest: String,
    /// Staff are looking at the working revision, not the published one.
    pub working: bool,
    pub reason: Option<String>,
    /// name, when, revision, still valid for the content shown
    pub signoffs: Vec<(String, String, i64, bool)>,
    pub threads: Vec<ThreadLine>,
    pub revisions: Vec<RevisionLine>,
    /// (from, to, changes in words)
    pub diff: Option<(i64, i64, Vec<Msg>)>,
    pub ledger: Vec<(i64, String, String)>,
    pub files: Vec<FileLine>,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_sign: bool,
    pub can_query: bool,
    pub can_publish: bool,
    pub can_correct: bool,
    pub can_ask: bool,
    pub can_answer: bool,
    /// Some answered query awaits the supervisor's verdict.
    pub can_accept: bool,
    pub notice: Option<Msg>,
    pub error: Option<Msg>,
}

/// The revision as shown, sent back with a signature or a query.
fn seen_fields(v: &ShowView) -> Markup {
    html! {
        input type="hidden" name="rev" value=(v.rev);
        input type="hidden" name="hash" value=(v.content_hash);
        input type="hidden" name="files" value=(v.files_digest);
    }
}

/// The columns a reader looks for first: what a row is about, then its
/// amounts (the templates' English keys, `domain::disclosure`).
const SUBJECT: [&str; 5] = ["item", "project", "name", "matter", "content"];
const AMOUNTS: [&str; 7] = [
    "income",
    "spending",
    "balance",
    "amount",
    "value",
    "contract amount",
    "paid",
];

/// The order columns are shown in: subject and amounts first (in a finance
/// table item, income, spending, balance), so a phone shows the balance
/// before the region is scrolled; the others after, as in the template.
fn shown_order(cols: &[Msg]) -> Vec<usize> {
    let rank = |b: &Msg| {
        if SUBJECT.contains(&b.en.as_str()) {
            0
        } else if AMOUNTS.contains(&b.en.as_str()) {
            1
        } else {
            2
        }
    };
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|&i| rank(&cols[i]));
    order
}

fn table(c: &Chrome, v: &ShowView) -> Markup {
    let order = shown_order(&v.columns);
    let num = |i: usize| AMOUNTS.contains(&v.columns[i].en.as_str());
    let class = |i: usize| {
        let en = v.columns[i].en.as_str();
        if AMOUNTS.contains(&en) {
            Some("num")
        } else if SUBJECT.contains(&en) {
            Some("subject")
        } else {
            None
        }
    };
    html! {
        div.table-wrap.scroll-region role="region" tabindex="0" aria-labelledby="disclosure-caption" {
            table.disclosure {
                caption #disclosure-caption.visually-hidden { (v.title) (c.t("（表格，可左右滚动）", " (table, scrolls sideways)")) }
                thead { tr { th scope="col" { "#" } @for &k in &order { th scope="col" class=[num(k).then_some("num")] { (c.t(&v.columns[k].zh, &v.columns[k].en)) } } } }
                tbody {
                    @for (i, r) in v.rows.iter().enumerate() {
                        tr id={"row-" (i + 1)} {
                            td { (i + 1) }
                            @for &k in &order { td class=[class(k)] { (r.get(k).map(String::as_str).unwrap_or("")) } }
                        }
                    }
                }
                @if !v.totals.is_empty() {
                    tfoot { tr {
                        th scope="row" { (c.t("合计", "Total")) }
                        @for &k in &order {
                            td class=[num(k).then_some("num")] { @if let Some((_, t)) = v.totals.iter().find(|(i, _)| *i == k) { strong { (t) } } }
                        }
                    } }
                }
            }
        }
    }
}

fn thread(c: &Chrome, base: &str, t: &ThreadLine, can_answer: bool) -> Markup {
    html! {
        article.objection {
            p {
                strong { (t.author) } " · " span.muted { (t.at) }
                " · " (bi(c, &t.kind))
                @if let Some(r) = t.row { " · " a href={"#row-" (r)} { (c.t("第 ", "row ")) (r) (c.t(" 行", "")) } }
                " · " (c.t("第 ", "revision ")) (t.rev) (c.t(" 版", ""))
            }
            @for line in t.text.lines() { p { (line) } }
            @if let Some((a, at)) = &t.answer {
                div.answer { p { strong { (c.t("答复：", "Answer: ")) } span.muted { (at) } } @for line in a.lines() { p { (line) } } }
                @if let Some((by, at)) = &t.accepted {
                    p.ok { "✓ " (c.t("监督委员会认可了这条答复：", "The supervision committee accepted this answer: ")) strong { (by) } " " span.muted { (at) } }
                } @else if t.reviewable {
                    (review_forms(c, base, t.id))
                }
            } @else if can_answer {
                form.stack method="post" action={(base) "/threads/" (t.id) "/answer"} {
                    (csrf(c))
                    div.field {
                        label for={"f-answer-" (t.id)} { (c.t("公开答复", "Public answer")) }
                        textarea id={"f-answer-" (t.id)} name="text" rows="3" required {}
                    }
                    button type="submit" { (c.t("答复", "Answer")) }
                }
            } @else {
                p.muted { (c.t("等待答复", "Awaiting an answer")) }
            }
        }
    }
}

/// The supervisor's verdict on an answer: accept it, or query it again.
fn review_forms(c: &Chrome, base: &str, id: i64) -> Markup {
    html! {
        form method="post" action={(base) "/threads/" (id) "/accept"} {
            (csrf(c))
            button.primary type="submit" { (c.t("认可这条答复", "Accept this answer")) }
        }
        details {
            summary { (c.t("答复不充分：再次质询", "Not enough: query it again")) }
            form.stack method="post" action={(base) "/threads/" (id) "/requery"} {
                (csrf(c))
                div.field {
                    label for={"f-requery-" (id)} { (c.t("还需要说明什么", "What still needs explaining")) }
                    textarea id={"f-requery-" (id)} name="text" rows="3" required {}
                }
                button type="submit" { (c.t("再次质询", "Query again")) }
            }
        }
    }
}

/// The review's steps with the current one marked, who acts next, and the
/// reader's own button when it is theirs to act.
fn step_box(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    let at = match v.status {
        Stage::Draft => 0,
        Stage::Review | Stage::Queried | Stage::Answered => 1,
        Stage::Signed => 2,
        Stage::Published => 3,
    };
    let steps = [
        c.t("起草", "Draft"),
        c.t("监督委员会审核", "Review"),
        c.t("签署", "Signed"),
        c.t("公开", "Published"),
    ];
    let (who, what) = next_words(c, v.status);
    html! {
        section.next-step aria-labelledby="h-step" {
            h2 #h-step { (c.t("进展", "Progress")) }
            ol.steps {
                @for (i, s) in steps.iter().enumerate() {
                    @if i == at { li.current aria-current="step" { strong { (s) } } }
                    @else if i < at { li.done { (s) } }
                    @else { li { (s) } }
                }
            }
            p { (c.t("当前：", "Now: ")) strong #step-now { (status_words(c, v.status)) } }
            p #step-next { (c.t("下一步：", "Next: ")) strong { (who) } (c.t("", " ")) (what) }
            @if v.can_submit {
                form method="post" action={(base) "/submit"} { (csrf(c)) button.primary type="submit" {
                    @if v.status == Stage::Answered { (c.t("重新提交监督委员会审核", "Resubmit for review")) }
                    @else { (c.t("提交监督委员会审核", "Submit for review")) }
                } }
            }
            @if v.can_publish {
                form method="post" action={(base) "/publish"} { (csrf(c)) button.primary type="submit" { (c.t("公开（监督委员会已签署）", "Publish (signed by the supervision committee)")) } }
            }
            @if v.can_sign {
                form method="post" action={(base) "/sign"} {
                    (csrf(c))
                    (seen_fields(v))
                    p { (c.t("我已核对下面的表格和附件，同意公开。", "I have checked the table and attachments below and agree to publish them.")) }
                    button.primary type="submit" { (c.t("签署同意", "Sign off")) }
                }
            }
            @if v.can_accept {
                p { a.button href="#h-threads" { (c.t("查看答复：认可或再次质询", "Read the answers: accept or query again")) } }
            }
            @if v.can_answer && v.status == Stage::Queried {
                p { a.button.primary href="#h-threads" { (c.t("去答复质询", "Answer the queries")) } }
            }
        }
    }
}

pub fn show_page(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    let base = format!("/c/{slug}/disclosures/{}", v.id);
    page(
        c,
        &v.title,
        html! {
            p { a href={"/c/" (slug) "/disclosures"} { "← " (c.t("公开栏", "Disclosures")) } }
            h1 { (v.title) }
            @if let Some(n) = &v.notice { (flash(c, "ok", n)) }
            @if let Some(e) = &v.error { (flash(c, "error", e)) }
            (step_box(c, &base, v))
            (facts(c, v))
            @if let Some(r) = &v.reason { p.lead { (c.t("更正原因：", "Reason for the correction: ")) (r) } }
            @if !v.explanation.is_empty() { div.explanation { @for line in v.explanation.lines() { p { (line) } } } }
            (table(c, v))
            p.actions {
                a.button href={(base) "/notice"} { (c.t("打印公开栏版（A4）", "Print for the notice board (A4)")) }
                a.button href={(base) "/table.xlsx"} { "Excel" }
                a.button href={(base) "/table.csv"} { "CSV" }
            }
            (files(c, slug, &base, v))
            (committee_actions(c, &base, v))
            (review(c, &base, v))
            (threads(c, &base, v))
            (revisions(c, &base, v))
            (ledger(c, slug, v))
        },
    )
}

/// Category, period, status, revision and who signed it.
fn facts(c: &Chrome, v: &ShowView) -> Markup {
    html! {
        dl.facts {
            dt { (c.t("类别", "Category")) } dd { (bi(c, &v.category)) }
            dt { (c.t("期间", "Period")) } dd { (bi(c, &v.period)) }
            dt { (c.t("状态", "Status")) } dd { strong { (status_words(c, v.status)) } }
            dt { (c.t("版本", "Revision")) } dd { (v.rev) @if v.working { " " span.muted { (c.t("（正在处理的版本，尚未公开）", "(the revision being worked on, not public yet)")) } } }
            dt { (c.t("监督委员会", "Supervision")) } dd {
                @let valid: Vec<&(String, String, i64, bool)> = v.signoffs.iter().filter(|s| s.2 == v.rev && s.3).collect();
                @if valid.is_empty() { (c.t("尚未签署", "not signed yet")) }
                @for (i, s) in valid.iter().enumerate() { @if i > 0 { "、" } strong { (s.0) } " " span.muted { (s.1) } }
            }
        }
    }
}

/// The attachments, with the upload form while it can be edited.
fn files(c: &Chrome, slug: &str, base: &str, v: &ShowView) -> Markup {
    html! {
        @if !v.files.is_empty() || v.can_edit {
            section aria-labelledby="h-files" {
                h2 #h-files { (c.t("附件（凭证、照片）", "Attachments (vouchers, photos)")) }
                @let remove = format!("{base}/files");
                (crate::files::list(c, slug, &v.files, v.can_edit.then_some(remove.as_str())))
                @if v.can_edit { (crate::files::upload_form(c, &format!("{base}/files"))) }
            }
        }
    }
}

/// The committee's edit and correct actions.
fn committee_actions(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    html! {
        @if v.can_edit || v.can_correct {
            section.staff-panel aria-labelledby="h-desk" {
                h2 #h-desk { (c.committee()) (c.t("操作", ": actions")) }
                @if v.can_edit { p { a.button href={(base) "/edit"} { (c.t("修改表格和说明", "Edit the table and text")) } } }
                @if v.can_correct {
                    details {
                        summary { (c.t("更正已公开的内容", "Correct the published content")) }
                        p.hint { (c.t("已公开的内容不会被改动：更正是一个新版本，写明原因，经审核后公开，两个版本都保留并显示差异。", "Published content is never changed: a correction is a new revision with a reason, reviewed and then published; both stay visible with the differences shown.")) }
                        form.stack method="post" action={(base) "/correct"} {
                            (csrf(c))
                            div.field { label for="f-reason" { (c.t("更正原因", "Reason")) } textarea #f-reason name="reason" rows="2" required {} }
                            button type="submit" { (c.t("开始更正", "Start a correction")) }
                        }
                    }
                }
            }
        }
    }
}

/// The supervisors' query form.
fn review(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    html! {
        @if v.can_query {
            section.staff-panel aria-labelledby="h-review" {
                h2 #h-review { (c.t("监督委员会审核", "Supervision committee review")) }
                @if v.can_query {
                    details {
                        summary { (c.t("提出质询", "Raise a query")) }
                        form.stack method="post" action={(base) "/queries"} {
                            (csrf(c))
                            (seen_fields(v))
                            div.field {
                                label for="f-row" { (c.t("针对第几行（留空为针对整项）", "Row (blank for the whole disclosure)")) }
                                input #f-row type="number" inputmode="numeric" name="row" min="1" max=(v.rows.len());
                            }
                            div.field { label for="f-query" { (c.t("质询内容", "Query")) } textarea #f-query name="text" rows="3" required {} }
                            button type="submit" { (c.t("提交质询", "Submit the query")) }
                        }
                    }
                }
            }
        }
    }
}

/// Queries and questions with their answers, and the form to ask.
fn threads(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    html! {
        section aria-labelledby="h-threads" {
            h2 #h-threads { (c.t("质询、提问与答复", "Queries, questions and answers")) }
            @if v.threads.is_empty() { p.empty { (c.t("还没有质询或提问。", "No queries or questions yet.")) } }
            @for t in &v.threads { (thread(c, base, t, v.can_answer)) }
            @if v.can_ask {
                form.stack method="post" action={(base) "/questions"} {
                    (csrf(c))
                    div.field {
                        label for="f-question" { (c.t("对这项公开有疑问？（会公开，姓名部分隐藏）", "A question about this disclosure? (public, with your name partly hidden)")) }
                        textarea #f-question name="text" rows="3" required {}
                    }
                    button type="submit" { (c.t("提问", "Ask")) }
                }
            } @else if c.user.is_none() && v.status == Stage::Published {
                p { a href={"/login?next=" (base)} { (c.t("登录后可以提问", "Log in to ask a question")) } }
            }
        }
    }
}

/// The revisions and, when asked, the changes between two.
fn revisions(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    html! {
        @if v.revisions.len() > 1 {
            section aria-labelledby="h-revs" {
                h2 #h-revs { (c.t("版本记录", "Revisions")) }
                ul {
                    @for r in &v.revisions {
                        li {
                            (c.t("第 ", "Revision ")) (r.rev) (c.t(" 版", "")) " · " (r.title)
                            " · " @match &r.published { Some(p) => { (c.t("公开于 ", "published ")) (p) } None => { span.muted { (c.t("未公开", "not published")) } } }
                            @if let Some(reason) = &r.reason { br; (c.t("更正原因：", "Reason: ")) (reason) }
                            @if r.rev > 1 { " · " a href={(base) "?diff=" (r.rev)} { (c.t("与上一版的差异", "changes from the previous")) } }
                        }
                    }
                }
                @if let Some((from, to, changes)) = &v.diff {
                    h3 { (c.t("第 ", "Changes from revision ")) (from) (c.t(" 版 → 第 ", " to ")) (to) (c.t(" 版的差异", "")) }
                    @if changes.is_empty() { p.empty { (c.t("内容没有变化。", "No changes.")) } }
                    ul.diff { @for ch in changes { li { (bi(c, ch)) } } }
                }
            }
        }
    }
}

/// The ledger entries of this disclosure.
fn ledger(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    html! {
        @if !v.ledger.is_empty() {
            section aria-labelledby="h-ledger" {
                h2 #h-ledger { (c.t("公开记录", "Ledger entries")) }
                ul { @for (seq, kind, hash) in &v.ledger { li { "#" (seq) " " @match crate::pages::ledger::kind_words(kind) { Some(w) => { (c.t(w.0, w.1)) " " } None => { code { (kind) } " " } } code.hash { (hash) } } } }
                p { a href={"/c/" (slug) "/ledger"} { (c.t("查看并核验全部记录", "See and verify the whole ledger")) } }
            }
        }
    }
}
