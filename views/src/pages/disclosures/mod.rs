//! Disclosure board (村务/居务公开栏): the board with each category's last
//! period and what is overdue, the committee's form, one disclosure with its
//! review, questions and revisions, and the printable A4 notice.

mod desk;
mod form;
mod notice;
mod show;

pub use desk::*;
pub use form::*;
pub use notice::*;
pub use show::*;

use crate::chrome::{Chrome, Msg};
use crate::layout::{bi, csrf, page};
use maud::{Markup, html};

pub struct CategoryLine {
    pub key: String,
    pub name: Msg,
    pub cadence: Msg,
    pub cadence_key: String,
    /// The last period disclosed, in words.
    pub last: Option<Msg>,
    /// Periods due but not disclosed, oldest first.
    pub overdue: Vec<Msg>,
}

pub struct Line {
    pub id: i64,
    pub category: Msg,
    pub period: Msg,
    pub title: String,
    pub status: Stage,
    pub rev: i64,
    pub open_threads: i64,
}

pub struct Filter {
    pub category: String,
    pub year: String,
    pub q: String,
}

/// Where a disclosure stands, as its pages show it: each step names who
/// acts next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A draft (or a correction being written): the committee edits and submits.
    Draft,
    /// Submitted, not signed yet: the supervision committee signs or queries.
    Review,
    /// Signed on exactly this content: the committee publishes.
    Signed,
    /// Queried, some query unanswered: the committee answers.
    Queried,
    /// Every query answered: the committee resubmits; the supervisor may
    /// accept an answer or query it again.
    Answered,
    Published,
}

pub fn status_words(c: &Chrome, s: Stage) -> &'static str {
    match s {
        Stage::Draft => c.t("草稿", "draft"),
        Stage::Review => c.t("待监督委员会审核", "awaiting review"),
        Stage::Signed => c.t("监督委员会已签署，待公开", "signed: awaiting publication"),
        Stage::Queried => c.t("被质询，待答复", "queried: awaiting answers"),
        Stage::Answered => c.t(
            "质询已答复，待重新提交审核",
            "queries answered: awaiting resubmission",
        ),
        Stage::Published => c.t("已公开", "published"),
    }
}

/// Who acts next at a stage, and what they do.
pub fn next_words(c: &Chrome, s: Stage) -> (&'static str, &'static str) {
    let sup = c.t("监督委员会", "the supervision committee");
    let what = match s {
        Stage::Draft => c.t(
            "核对表格和附件，提交监督委员会审核",
            "checks the table and attachments and submits them for review",
        ),
        Stage::Review => c.t(
            "核对后签署同意，或提出质询",
            "checks it, then signs off or raises a query",
        ),
        Stage::Signed => c.t("公开", "publishes it"),
        Stage::Queried => c.t("逐条公开答复质询", "answers each query in public"),
        Stage::Answered => c.t(
            "按答复修改后重新提交审核（监督委员会也可以先认可答复或再次质询）",
            "edits it as answered and resubmits it (the supervision committee may first accept an answer or query it again)",
        ),
        Stage::Published => c.t(
            "可以对公开内容提问，答复会公开",
            "may ask about it; the answers are public",
        ),
    };
    match s {
        Stage::Review => (sup, what),
        Stage::Published => (c.t("居民", "residents"), what),
        _ => (c.committee(), what),
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
                        @if staff || l.status != Stage::Published { " · " strong { (status_words(c, l.status)) } }
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
