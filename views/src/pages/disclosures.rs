//! Disclosure board (村务/居务公开栏): the board with each category's last
//! period and what is overdue, the committee's form, one disclosure with its
//! review, questions and revisions, and the printable A4 notice.

use crate::chrome::{Bi, Chrome};
use crate::files::FileLine;
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

pub struct CategoryLine {
    pub key: String,
    pub name: Bi,
    pub cadence: Bi,
    pub cadence_key: String,
    /// The last period disclosed, in words.
    pub last: Option<Bi>,
    /// Periods due but not disclosed, oldest first.
    pub overdue: Vec<Bi>,
}

pub struct Line {
    pub id: i64,
    pub category: Bi,
    pub period: Bi,
    pub title: String,
    pub status: String,
    pub rev: i64,
    pub open_threads: i64,
}

pub struct Filter {
    pub category: String,
    pub year: String,
    pub q: String,
}

pub fn status_words(c: &Chrome, s: &str) -> &'static str {
    match s {
        "draft" => c.t("草稿", "draft"),
        "review" => c.t("待监督委员会审核", "awaiting review"),
        "queried" => c.t("被质询，待答复", "queried: awaiting answers"),
        _ => c.t("已公开", "published"),
    }
}

/// Each category with its cadence, last period and overdue periods: on the
/// disclosure board and the community board.
pub fn categories(c: &Chrome, slug: &str, cats: &[CategoryLine]) -> Markup {
    html! {
        ul.categories {
            @for k in cats {
                li class=(if k.overdue.is_empty() { "" } else { "overdue" }) {
                    a href={"/c/" (slug) "/disclosures?category=" (k.key)} { strong { (bi(c, &k.name)) } }
                    " " span.muted { (bi(c, &k.cadence)) }
                    br;
                    @match &k.last {
                        Some(p) => { (c.t("最近一期：", "Last disclosed: ")) (bi(c, p)) }
                        None => { span.muted { (c.t("尚未公开过", "never disclosed yet")) } }
                    }
                    @if !k.overdue.is_empty() {
                        br;
                        strong.warn { "⚠ " (c.t("逾期未公开：", "Overdue: ")) }
                        @for (i, p) in k.overdue.iter().enumerate() { @if i > 0 { "、" } (bi(c, p)) }
                    }
                }
            }
        }
    }
}

pub fn line_list(c: &Chrome, slug: &str, lines: &[Line], staff: bool) -> Markup {
    html! {
        @if lines.is_empty() {
            p.empty { (c.t("没有符合条件的公开事项。", "No disclosures match.")) }
        } @else {
            ul.vote-list #d-list {
                @for l in lines {
                    li {
                        a href={"/c/" (slug) "/disclosures/" (l.id)} { (l.title) }
                        " " span.tag { (bi(c, &l.category)) }
                        br;
                        span.muted { (bi(c, &l.period)) }
                        @if l.rev > 1 { " · " (c.t("第 ", "revision ")) (l.rev) (c.t(" 版（已更正）", " (corrected)")) }
                        @if staff || l.status != "published" { " · " strong { (status_words(c, &l.status)) } }
                        @if l.open_threads > 0 { " · " (l.open_threads) (c.t(" 条待答复", " awaiting an answer")) }
                    }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub fn board_page(
    c: &Chrome,
    slug: &str,
    title: &str,
    cats: &[CategoryLine],
    cadence_choices: &[(String, String)],
    lines: &[Line],
    f: &Filter,
    years: &[i16],
) -> Markup {
    let committee = c.is_committee();
    page(
        c,
        title,
        html! {
            h1 { (title) }
            p { (c.t("财务收支、三资、工程项目、补助名单等按规定定期公开，先经监督委员会审核签字。任何人都可以查看、下载表格，并核验公开记录。",
                     "Finances, collective assets, projects and welfare lists are disclosed on a fixed schedule after the supervision committee has reviewed and signed them. Anyone can read them, download the tables and verify the ledger.")) }
            @if committee { p { a.button href={"/c/" (slug) "/disclosures/new"} { (c.t("新建公开", "New disclosure")) } } }
            section aria-labelledby="h-cats" {
                h2 #h-cats { (c.t("各类公开的情况", "Each category")) }
                (categories(c, slug, cats))
                @if committee {
                    details {
                        summary { (c.t("设置公开周期", "Set the schedule")) }
                        form.stack method="post" action={"/c/" (slug) "/disclosures/cadence"} {
                            (csrf(c))
                            @for k in cats {
                                div.field {
                                    label for={"f-cad-" (k.key)} { (bi(c, &k.name)) }
                                    select id={"f-cad-" (k.key)} name=(k.key) {
                                        @for (v, l) in cadence_choices {
                                            option value=(v) selected[*v == k.cadence_key] { (l) }
                                        }
                                    }
                                }
                            }
                            button type="submit" { (c.t("保存", "Save")) }
                        }
                    }
                }
            }
            section aria-labelledby="h-list" {
                h2 #h-list { (c.t("公开事项", "Disclosures")) }
                form.filters method="get" action={"/c/" (slug) "/disclosures"} role="search" {
                    div.field {
                        label for="f-category" { (c.t("类别", "Category")) }
                        select #f-category name="category" {
                            option value="" { (c.t("全部", "All")) }
                            @for k in cats { option value=(k.key) selected[f.category == k.key] { (bi(c, &k.name)) } }
                        }
                    }
                    div.field {
                        label for="f-year" { (c.t("年份", "Year")) }
                        select #f-year name="year" {
                            option value="" { (c.t("全部", "All")) }
                            @for y in years { option value=(y) selected[f.year == y.to_string()] { (y) } }
                        }
                    }
                    div.field {
                        label for="f-q" { (c.t("搜索", "Search")) }
                        input #f-q type="search" name="q" value=(f.q);
                    }
                    button type="submit" { (c.t("查找", "Find")) }
                }
                (line_list(c, slug, lines, committee || c.is_supervisor()))
            }
            p { a href={"/api/v1/c/" (slug) "/disclosures"} { (c.t("开放数据（JSON）", "Open data (JSON)")) } " · "
                a href={"/c/" (slug) "/ledger"} { (c.t("公开记录（哈希链）", "Public ledger (hash chain)")) } }
        },
    )
}

pub struct FormValues {
    pub category: String,
    pub period: String,
    pub title: String,
    pub explanation: String,
    pub table: String,
}

/// (row, column, message) of a bad cell.
pub type CellError = (usize, String, Bi);

/// The committee's form: new or editing the working revision. Tables can be
/// pasted from Excel, typed as CSV, or imported from an XLSX/CSV file.
#[allow(clippy::too_many_arguments)]
pub fn form_page(
    c: &Chrome,
    slug: &str,
    action: &str,
    editing: Option<(i64, String)>,
    cats: &[(String, String)],
    templates: &[(String, String)],
    v: &FormValues,
    errors: &Errors,
    cells: &[CellError],
) -> Markup {
    let title = if editing.is_some() {
        c.t("修改公开内容", "Edit the disclosure")
    } else {
        c.t("新建公开", "New disclosure")
    };
    page(
        c,
        title,
        html! {
            p { a href={"/c/" (slug) "/disclosures"} { "← " (c.t("公开栏", "Disclosures")) } }
            h1 { (title) }
            @if let Some((_, t)) = &editing { p.lead { (t) } }
            (forms::summary(c, errors))
            @if !cells.is_empty() {
                div.error-summary role="alert" {
                    p { strong { (c.t("表格有以下问题，什么都没有保存：", "The table has these problems; nothing was saved:")) } }
                    div.table-wrap { table {
                        thead { tr { th scope="col" { (c.t("行", "Row")) } th scope="col" { (c.t("列", "Column")) } th scope="col" { (c.t("问题", "Problem")) } } }
                        tbody { @for (r, col, m) in cells { tr { td { (r) } td { (col) } td { (bi(c, m)) } } } }
                    } }
                }
            }
            form.stack method="post" action=(action) enctype="multipart/form-data" {
                (csrf(c))
                @if editing.is_none() {
                    (forms::select(c, "category", c.t("类别", "Category"), cats, &v.category, errors))
                    (forms::input(c, "period", c.t("期间", "Period"), &v.period, errors,
                        Opts { required: true, hint: Some(("月：2026-03；季度：2026-Q1；年：2026；随时公开的事项写日期：2026-03-15", "Month: 2026-03; quarter: 2026-Q1; year: 2026; a prompt matter: its date, 2026-03-15")), ..Default::default() }))
                }
                (forms::input(c, "title", c.t("标题", "Title"), &v.title, errors, Opts { required: true, ..Default::default() }))
                (forms::textarea(c, "explanation", c.t("说明", "Explanation"), &v.explanation, errors, 4))
                details open[editing.is_none()] {
                    summary { (c.t("各类表格的列", "Each category's columns")) }
                    ul { @for (k, cols) in templates { li { strong { (k) } "：" (cols) } } }
                    p.hint { (c.t("第一行是表头（中文或英文列名均可）。财务表每行的余额须等于上一行余额加收入减支出。补助名单中的姓名会自动隐去中间的字；身份证号、手机号不能出现在公开表格中。",
                        "The first row is the header (Chinese or English column names). In a finance table each balance must equal the previous balance plus income minus spending. Names on welfare lists are masked automatically; ID and phone numbers cannot appear in a public table.")) }
                }
                (forms::textarea(c, "table", c.t("表格：从 Excel 复制粘贴，或按行输入（逗号分隔）", "Table: paste from Excel, or type one row per line (comma-separated)"), &v.table, errors, 10))
                div.field {
                    label for="f-sheet" { (c.t("或导入 Excel / CSV 文件（导入的表格取代上面的内容）", "Or import an Excel / CSV file (it replaces the table above)")) }
                    input #f-sheet type="file" name="sheet" accept=".xlsx,.xls,.csv,text/csv";
                }
                button.primary type="submit" { (c.t("保存草稿", "Save the draft")) }
            }
        },
    )
}

pub struct ThreadLine {
    pub id: i64,
    pub kind: String,
    pub rev: i64,
    pub row: Option<i64>,
    pub text: String,
    pub author: String,
    pub at: String,
    pub answer: Option<(String, String)>,
}

pub struct RevisionLine {
    pub rev: i64,
    pub title: String,
    pub reason: Option<String>,
    pub published: Option<String>,
}

pub struct ShowView {
    pub id: i64,
    pub category: Bi,
    pub period: Bi,
    pub status: String,
    pub title: String,
    pub explanation: String,
    pub columns: Vec<Bi>,
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
    pub diff: Option<(i64, i64, Vec<Bi>)>,
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
    pub notice: Option<Bi>,
    pub error: Option<Bi>,
}

/// The revision as shown, sent back with a signature or a query.
fn seen_fields(v: &ShowView) -> Markup {
    html! {
        input type="hidden" name="rev" value=(v.rev);
        input type="hidden" name="hash" value=(v.content_hash);
        input type="hidden" name="files" value=(v.files_digest);
    }
}

fn table(c: &Chrome, v: &ShowView) -> Markup {
    html! {
        div.table-wrap { table.disclosure {
            caption.visually-hidden { (v.title) }
            thead { tr { th scope="col" { "#" } @for col in &v.columns { th scope="col" { (bi(c, col)) } } } }
            tbody {
                @for (i, r) in v.rows.iter().enumerate() {
                    tr id={"row-" (i + 1)} { td { (i + 1) } @for cell in r { td { (cell) } } }
                }
            }
            @if !v.totals.is_empty() {
                tfoot { tr {
                    th scope="row" { (c.t("合计", "Total")) }
                    @for k in 0..v.columns.len() {
                        td { @if let Some((_, t)) = v.totals.iter().find(|(i, _)| *i == k) { strong { (t) } } }
                    }
                } }
            }
        } }
    }
}

fn thread(c: &Chrome, base: &str, t: &ThreadLine, can_answer: bool) -> Markup {
    html! {
        article.objection {
            p {
                strong { (t.author) } " · " span.muted { (t.at) }
                " · " (if t.kind == "query" { c.t("质询", "query") } else { c.t("提问", "question") })
                @if let Some(r) = t.row { " · " a href={"#row-" (r)} { (c.t("第 ", "row ")) (r) (c.t(" 行", "")) } }
                " · " (c.t("第 ", "revision ")) (t.rev) (c.t(" 版", ""))
            }
            @for line in t.text.lines() { p { (line) } }
            @if let Some((a, at)) = &t.answer {
                div.answer { p { strong { (c.t("答复：", "Answer: ")) } span.muted { (at) } } @for line in a.lines() { p { (line) } } }
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
            dl.facts {
                dt { (c.t("类别", "Category")) } dd { (bi(c, &v.category)) }
                dt { (c.t("期间", "Period")) } dd { (bi(c, &v.period)) }
                dt { (c.t("状态", "Status")) } dd { strong { (status_words(c, &v.status)) } }
                dt { (c.t("版本", "Revision")) } dd { (v.rev) @if v.working { " " span.muted { (c.t("（正在处理的版本，尚未公开）", "(the revision being worked on, not public yet)")) } } }
                dt { (c.t("监督委员会", "Supervision")) } dd {
                    @let valid: Vec<&(String, String, i64, bool)> = v.signoffs.iter().filter(|s| s.2 == v.rev && s.3).collect();
                    @if valid.is_empty() { (c.t("尚未签署", "not signed yet")) }
                    @for (i, s) in valid.iter().enumerate() { @if i > 0 { "、" } strong { (s.0) } " " span.muted { (s.1) } }
                }
            }
            @if let Some(r) = &v.reason { p.lead { (c.t("更正原因：", "Reason for the correction: ")) (r) } }
            @if !v.explanation.is_empty() { div.explanation { @for line in v.explanation.lines() { p { (line) } } } }
            (table(c, v))
            p.actions {
                a.button href={(base) "/notice"} { (c.t("打印公开栏版（A4）", "Print for the notice board (A4)")) }
                a.button href={(base) "/table.xlsx"} { "Excel" }
                a.button href={(base) "/table.csv"} { "CSV" }
            }
            @if !v.files.is_empty() || v.can_edit {
                section aria-labelledby="h-files" {
                    h2 #h-files { (c.t("附件（凭证、照片）", "Attachments (vouchers, photos)")) }
                    @let remove = format!("{base}/files");
                    (crate::files::list(c, slug, &v.files, v.can_edit.then_some(remove.as_str())))
                    @if v.can_edit { (crate::files::upload_form(c, &format!("{base}/files"))) }
                }
            }
            @if v.can_edit || v.can_submit || v.can_publish || v.can_correct {
                section.staff-panel aria-labelledby="h-desk" {
                    h2 #h-desk { (c.t("居委会/村委会操作", "Committee actions")) }
                    @if v.can_edit { p { a.button href={(base) "/edit"} { (c.t("修改表格和说明", "Edit the table and text")) } } }
                    @if v.can_submit {
                        form method="post" action={(base) "/submit"} { (csrf(c)) button.primary type="submit" { (c.t("提交监督委员会审核", "Submit for review")) } }
                    }
                    @if v.can_publish {
                        form method="post" action={(base) "/publish"} { (csrf(c)) button.primary type="submit" { (c.t("公开（监督委员会已签署）", "Publish (signed by the supervision committee)")) } }
                    }
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
            @if v.can_sign || v.can_query {
                section.staff-panel aria-labelledby="h-review" {
                    h2 #h-review { (c.t("监督委员会审核", "Supervision committee review")) }
                    @if v.can_sign {
                        form method="post" action={(base) "/sign"} {
                            (csrf(c))
                            (seen_fields(v))
                            p { (c.t("我已核对上面的表格和附件，同意公开。", "I have checked the table and attachments above and agree to publish them.")) }
                            button.primary type="submit" { (c.t("签署同意", "Sign off")) }
                        }
                    }
                    @if v.can_query {
                        details open[!v.can_sign] {
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
            section aria-labelledby="h-threads" {
                h2 #h-threads { (c.t("质询、提问与答复", "Queries, questions and answers")) }
                @if v.threads.is_empty() { p.empty { (c.t("还没有质询或提问。", "No queries or questions yet.")) } }
                @for t in &v.threads { (thread(c, &base, t, v.can_answer)) }
                @if v.can_ask {
                    form.stack method="post" action={(base) "/questions"} {
                        (csrf(c))
                        div.field {
                            label for="f-question" { (c.t("对这项公开有疑问？（会公开，姓名部分隐藏）", "A question about this disclosure? (public, with your name partly hidden)")) }
                            textarea #f-question name="text" rows="3" required {}
                        }
                        button type="submit" { (c.t("提问", "Ask")) }
                    }
                } @else if c.user.is_none() && v.status == "published" {
                    p { a href={"/login?next=" (base)} { (c.t("登录后可以提问", "Log in to ask a question")) } }
                }
            }
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
    pub category: Bi,
    pub period: Bi,
    pub rev: i64,
    pub reason: Option<String>,
    pub explanation: String,
    pub columns: Vec<Bi>,
    pub rows: Vec<Vec<String>>,
    pub totals: Vec<(usize, String)>,
    pub signed: Vec<(String, String)>,
    pub published: String,
    pub url: String,
    pub entry: Option<(i64, String)>,
    pub head: Option<(i64, String)>,
    pub printed: String,
}

/// The A4 sheet for the physical board (公开栏).
pub fn notice_page(c: &Chrome, v: &NoticeView) -> Markup {
    page(
        c,
        &v.title,
        html! {
            article.notice {
                p.notice-org { (v.community) }
                h1 { "公开" br; span.notice-en { "Public disclosure" } }
                h2 { (v.title) }
                dl.facts {
                    dt { "类别 Category" } dd { (v.category.zh) " / " (v.category.en) }
                    dt { "期间 Period" } dd { (v.period.zh) " / " (v.period.en) }
                    dt { "公开日期 Published" } dd { (v.published) @if v.rev > 1 { " · 第 " (v.rev) " 版（更正）revision " (v.rev) } }
                }
                @if let Some(r) = &v.reason { p { "更正原因 Reason for correction：" (r) } }
                @for line in v.explanation.lines() { p { (line) } }
                table.notice-table {
                    thead { tr { th { "#" } @for col in &v.columns { th { (col.zh) } } } }
                    tbody { @for (i, r) in v.rows.iter().enumerate() { tr { td { (i + 1) } @for cell in r { td { (cell) } } } } }
                    @if !v.totals.is_empty() {
                        tfoot { tr { th { "合计" } @for k in 0..v.columns.len() { td { @if let Some((_, t)) = v.totals.iter().find(|(i, _)| *i == k) { (t) } } } } }
                    }
                }
                p { strong { "监督委员会审核签署 Signed off by the supervision committee：" }
                    @for (i, (n, at)) in v.signed.iter().enumerate() { @if i > 0 { "；" } (n) "（" (at) "）" } }
                div.notice-foot {
                    (crate::qr::svg(&v.url, 150, "扫码查看网页 QR code to the web page"))
                    div {
                        p { "扫码查看网页版、提出疑问、下载表格：" br; code { (v.url) } }
                        @if let Some((seq, h)) = &v.entry { p { "本公开记录 Ledger entry #" (seq) ":" br; code.hash { (h) } } }
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

pub struct DeskView {
    pub awaiting: Vec<Line>,
    pub waiting_committee: Vec<Line>,
    pub overdue: Vec<CategoryLine>,
    /// (link, title, kind words, author, when, text)
    pub unanswered: Vec<(String, String, Bi, String, String, String)>,
    pub verify: Option<VerifyView>,
    /// Password resets of accounts in this community, and activation codes
    /// issued to residents who already had an account, newest first.
    pub resets: Vec<ResetLine>,
    /// First activations (codes for residents without an account, used), newest first.
    pub activations: Vec<ActivationLine>,
}

/// A first activation, for the supervisors: who issued the code, when,
/// when and from where it was used, and what to look at.
pub struct ActivationLine {
    /// The resident's name and the login the account got.
    pub account: String,
    pub by: String,
    pub issued: String,
    pub used: String,
    pub used_ip: String,
    /// Warnings: the address that used it is the issuer's, or a committee address.
    pub flags: Vec<Bi>,
}

/// One reset or re-issued code, for the supervisors: who, when, why.
pub struct ResetLine {
    pub at: String,
    /// What happened: "password reset by the committee's code", "code issued"…
    pub what: Bi,
    /// Whoever did it (name and login).
    pub by: String,
    /// The account concerned (login, and the resident's name if known).
    pub account: String,
    pub reason: String,
    /// For a reset: whether the owner acknowledged it, when, from which kind
    /// of session and address. Empty for a code not (yet) used.
    pub acknowledged: Option<Bi>,
    /// Warnings (same address as the issuer, acknowledged from the address that used the code).
    pub flags: Vec<Bi>,
}

pub struct VerifyView {
    pub ok: bool,
    pub entries: usize,
    pub head: Option<String>,
    pub explanation: Bi,
}

/// The supervision committee's desk: what awaits review, what is overdue,
/// what is unanswered, and a one-click check of the whole ledger.
pub fn desk_page(c: &Chrome, slug: &str, v: &DeskView) -> Markup {
    page(
        c,
        c.t("监督台", "Oversight desk"),
        html! {
            h1 { (c.t("监督台", "Oversight desk")) }
            section aria-labelledby="h-verify" {
                h2 #h-verify { (c.t("核验公开记录", "Verify the ledger")) }
                @if let Some(r) = &v.verify {
                    (flash(c, if r.ok { "ok" } else { "error" }, &r.explanation))
                    @if let Some(h) = &r.head { p { (c.t("共 ", "")) (r.entries) (c.t(" 条记录，最新哈希：", " entries; head hash: ")) code.hash { (h) } } }
                }
                form method="get" action={"/c/" (slug) "/desk"} {
                    input type="hidden" name="verify" value="1";
                    button.primary type="submit" { (c.t("立即核验", "Verify now")) }
                }
                p.hint { (c.t("核验会重新计算每条记录的哈希，并检查每项已公开的内容、签署、答复和表决是否仍与记录一致。", "Verification recomputes every entry's hash and checks that every published disclosure, signature, answer and vote still matches its entry.")) }
            }
            section aria-labelledby="h-await" {
                h2 #h-await { (c.t("等待审核", "Awaiting review")) " (" (v.awaiting.len()) ")" }
                (line_list(c, slug, &v.awaiting, true))
            }
            @if !v.waiting_committee.is_empty() {
                section aria-labelledby="h-queried" {
                    h2 #h-queried { (c.t("已质询，等待居委会/村委会答复", "Queried, awaiting the committee")) }
                    (line_list(c, slug, &v.waiting_committee, true))
                }
            }
            section aria-labelledby="h-overdue" {
                h2 #h-overdue { (c.t("逾期未公开", "Overdue")) }
                @if v.overdue.is_empty() { p.empty { (c.t("没有逾期的类别。", "Nothing is overdue.")) } } @else { (categories(c, slug, &v.overdue)) }
            }
            section aria-labelledby="h-resets" {
                h2 #h-resets { (c.t("密码重置和重发的激活码", "Password resets and re-issued codes")) }
                p.hint { (c.t("给已有账户的居民发的激活码会重置其密码；每次重置都记为发码的居委会/村委会成员或运维的操作。请核对原因是否属实。",
                              "A code for a resident who already has an account resets that account's password; each reset is recorded as the act of the committee member who issued the code, or of the operator. Check that the reasons hold.")) }
                @if v.resets.is_empty() {
                    p.empty { (c.t("最近没有。", "None recently.")) }
                } @else {
                    div.table-wrap { table {
                        thead { tr {
                            th scope="col" { (c.t("时间", "When")) }
                            th scope="col" { (c.t("事项", "What")) }
                            th scope="col" { (c.t("操作人", "By")) }
                            th scope="col" { (c.t("账户", "Account")) }
                            th scope="col" { (c.t("原因", "Reason")) }
                            th scope="col" { (c.t("本人确认", "Owner's acknowledgement")) }
                        } }
                        tbody { @for r in &v.resets { tr {
                            td { (r.at) } td { (bi(c, &r.what)) } td { (r.by) } td { (r.account) } td { (r.reason) }
                            td {
                                @if let Some(a) = &r.acknowledged { (bi(c, a)) }
                                @for f in &r.flags { br; strong.flag { "⚠ " (bi(c, f)) } }
                            }
                        } } }
                    } }
                }
            }
            section aria-labelledby="h-activations" {
                h2 #h-activations { (c.t("首次激活", "First activations")) }
                p.hint { (c.t("居委会/村委会掌握名册并发放激活码，也就能自己拿激活码激活一位从未激活的居民。这里列出每次首次激活：谁发的码、何时发、何时从哪个地址使用。标记只是提示核对：居民在居委会办公室当场激活，地址也会相同。",
                              "The committee keeps the roll and hands out the codes, so it could use a code itself to activate a resident who never did. Each first activation is listed: who issued the code, when, and when and from which address it was used. A flag is a reason to ask, not proof: a resident who activates at the committee's office shares its address.")) }
                @if v.activations.is_empty() {
                    p.empty { (c.t("最近没有。", "None recently.")) }
                } @else {
                    div.table-wrap { table {
                        thead { tr {
                            th scope="col" { (c.t("账户", "Account")) }
                            th scope="col" { (c.t("发码人", "Issued by")) }
                            th scope="col" { (c.t("发码时间", "Issued")) }
                            th scope="col" { (c.t("使用时间", "Used")) }
                            th scope="col" { (c.t("使用地址", "Used from")) }
                        } }
                        tbody { @for a in &v.activations { tr {
                            td { (a.account) } td { (a.by) } td { (a.issued) } td { (a.used) }
                            td { code { (a.used_ip) } @for f in &a.flags { br; strong.flag { "⚠ " (bi(c, f)) } } }
                        } } }
                    } }
                }
            }
            section aria-labelledby="h-unanswered" {
                h2 #h-unanswered { (c.t("未答复的质询、提问和异议", "Unanswered queries, questions and objections")) }
                @if v.unanswered.is_empty() { p.empty { (c.t("都已答复。", "Everything has been answered.")) } }
                ul { @for (href, title, kind, who, at, text) in &v.unanswered {
                    li { a href=(href) { (title) } " · " (bi(c, kind)) " · " (who) " · " span.muted { (at) } br; (text) }
                } }
            }
        },
    )
}
