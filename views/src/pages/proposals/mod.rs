//! Resident proposals (提案/点单): the list with the committee's queue, the
//! new-proposal and edit forms with similar proposals, and the quarterly
//! ratings; one proposal's page is in `show`.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors};
use crate::layout::{bi, csrf, page};
use crate::refused::{FileField, file_field};
use maud::{Markup, html};

mod show;
pub use show::{CommentLine, EventLine, Form, ShowView, show_page};

/// An average in hundredths of a point: 8050 → "80.50".
pub(super) fn points(hundredths: u32) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

pub struct Line {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub status_words: Msg,
    pub category: Msg,
    pub place: String,
    pub cosigns: i64,
    pub needed: i64,
}

pub struct ListView {
    pub queue: Vec<Line>,
    pub lines: Vec<Line>,
    pub filter: String,
    pub statuses: Vec<(String, Msg)>,
    /// Zero-based page of `lines`, whether a next page exists, and how many
    /// proposals match the filter in all.
    pub page: usize,
    pub more: bool,
    pub total: i64,
    pub threshold: String,
    /// The threshold's field: as saved, or as typed when it was refused.
    pub threshold_text: String,
    /// Why the typed threshold was refused (under "threshold").
    pub threshold_errors: Errors,
}

fn line(c: &Chrome, slug: &str, l: &Line) -> Markup {
    html! {
        li {
            a href={"/c/" (slug) "/proposals/" (l.id)} { (l.title) }
            " " span class={"tag status-" (l.status)} { (bi(c, &l.status_words)) }
            br;
            span.muted { (bi(c, &l.category)) " · " (l.place) }
            @if l.status == "open" || l.status == "review" {
                " · " (c.t("附议 ", "co-signed ")) strong { (l.cosigns) } " / " (l.needed)
            }
        }
    }
}

pub fn lines(c: &Chrome, slug: &str, ls: &[Line]) -> Markup {
    html! {
        @if ls.is_empty() {
            p.empty { (c.t("还没有提案。", "No proposals yet.")) }
        } @else {
            ul.vote-list { @for l in ls { (line(c, slug, l)) } }
        }
    }
}

/// The committee's co-signing threshold, with its error beside the field.
fn threshold_form(c: &Chrome, slug: &str, v: &ListView) -> Markup {
    let err = v.threshold_errors.get("threshold");
    html! {
        form.stack #threshold method="post" action={"/c/" (slug) "/proposals/threshold"} {
            (csrf(c))
            div class={"field" @if err.is_some() { " has-error" }} {
                label for="f-threshold" { (c.t("附议门槛（人数，或户数比例如 5%）", "Co-signing threshold (a count, or a share of households like 5%)")) }
                @if let Some(m) = err { p.field-error #f-threshold-err role="alert" { (bi(c, m)) } }
                input #f-threshold type="text" name="threshold" value=(v.threshold_text) required
                    aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| "f-threshold-err")];
            }
            button type="submit" { (c.t("保存门槛", "Save the threshold")) }
        }
    }
}

pub fn list_page(c: &Chrome, slug: &str, v: &ListView) -> Markup {
    page(
        c,
        c.t("居民提案", "Proposals"),
        html! {
            h1 { (c.t("居民提案（点单）", "Residents' proposals")) }
            p { (c.t("有想办的事，就提出来：邻居附议满 ", "Propose what should be done: once ")) strong { (v.threshold) }
                (c.t(" 后，", " neighbours co-sign, ")) (c.committee())
                (c.t("必须审议并公开答复；采纳的事派给具体的人去办，办完由居民打分。",
                     " must review it and answer in public; what is taken up is dispatched to a named person, and residents rate the result.")) }
            p { a.button href={"/c/" (slug) "/proposals/new"} { (c.t("我要提案", "Make a proposal")) }
                " " a href={"/api/v1/c/" (slug) "/proposals"} { (c.t("开放数据（JSON）", "Open data (JSON)")) }
                @if c.is_committee() || c.is_supervisor() { " · " a href={"/c/" (slug) "/proposals/ratings"} { (c.t("服务评价季度表", "Quarterly ratings")) } } }
            @if c.is_committee() {
                section.staff-panel aria-labelledby="h-queue" {
                    h2 #h-queue { (c.t("待审议（附议已满或已选取）", "Review queue (threshold reached or picked up)")) }
                    (lines(c, slug, &v.queue))
                    (threshold_form(c, slug, v))
                }
            }
            form.filters method="get" action={"/c/" (slug) "/proposals"} {
                label for="f-status" { (c.t("状态", "Status")) }
                select #f-status name="status" {
                    option value="" selected[v.filter.is_empty()] { (c.t("全部", "All")) }
                    @for (k, l) in &v.statuses { option value=(k) selected[&v.filter == k] { (bi(c, l)) } }
                }
                button type="submit" { (c.t("筛选", "Filter")) }
            }
            @if v.lines.is_empty() && v.page > 0 {
                p.empty { (c.t("这一页没有提案。", "No proposals on this page.")) " "
                    a href={"/c/" (slug) "/proposals"} { (c.t("回到第一页", "Back to the first page")) } }
            } @else {
                (lines(c, slug, &v.lines))
            }
            @if v.page > 0 || v.more {
                @let q = |p: usize| format!("/c/{slug}/proposals?status={}&page={p}", v.filter);
                nav.pager aria-label=(c.t("翻页", "Pages")) {
                    @if v.page > 0 { a href=(q(v.page - 1)) { (c.t("上一页", "Previous")) } }
                    " " span { (c.t("第", "Page ")) (v.page + 1) (c.t(" 页，共 ", ", ")) (v.total) (c.t(" 条", " in all")) } " "
                    @if v.more { a href=(q(v.page + 1)) { (c.t("下一页", "Next")) } }
                }
            }
        },
    )
}

pub struct NewValues {
    pub title: String,
    pub body: String,
    pub category: String,
    pub place: String,
    /// Photos a refused new proposal carried, kept: (id, name).
    pub kept: Vec<(i64, String)>,
}

/// The similar published proposals shown while typing a title.
pub fn similar(c: &Chrome, slug: &str, hits: &[(i64, String, Msg)]) -> Markup {
    html! {
        div #similar aria-live="polite" {
            @if !hits.is_empty() {
                div.notice {
                    p { strong { (c.t("已有相似的提案，可以直接附议：", "Similar proposals exist; you can co-sign one instead:")) } }
                    ul { @for (id, t, s) in hits { li { a href={"/c/" (slug) "/proposals/" (id)} { (t) } " " span.tag { (bi(c, s)) } } } }
                }
            }
        }
    }
}

/// A draft's fields, shared by the new-proposal and edit-draft forms.
fn draft_fields(
    c: &Chrome,
    slug: &str,
    v: &NewValues,
    places: &[(String, String)],
    categories: &[(String, String)],
    hits: &[(i64, String, Msg)],
    errors: &Errors,
) -> Markup {
    html! {
        div class={"field" @if errors.get("title").is_some() { " has-error" }} {
            label for="f-title" { (c.t("标题（一句话说清要办什么）", "Title (what should be done, in one line)")) }
            @if let Some(m) = errors.get("title") { p.field-error #f-title-err { (bi(c, m)) } }
            input #f-title name="title" value=(v.title) required maxlength="80" autocomplete="off"
                aria-invalid=[errors.get("title").map(|_| "true")] aria-describedby=[errors.get("title").map(|_| "f-title-err")]
                hx-get={"/c/" (slug) "/proposals/similar"} hx-trigger="input changed delay:400ms" hx-target="#similar" hx-swap="outerHTML";
        }
        (similar(c, slug, hits))
        (forms::textarea(c, "body", c.t("说明（现在的情况、希望怎么办）", "Details (how things are now, what you hope for)"), &v.body, errors, 6))
        (forms::select(c, "category", c.t("类别", "Category"), categories, &v.category, errors))
        (forms::select(c, "place", c.t("涉及的地方", "The place it concerns"), places, &v.place, errors))
    }
}

pub fn new_page(
    c: &Chrome,
    slug: &str,
    v: &NewValues,
    places: &[(String, String)],
    categories: &[(String, String)],
    hits: &[(i64, String, Msg)],
    errors: &Errors,
) -> Markup {
    page(
        c,
        c.t("我要提案", "Make a proposal"),
        html! {
            h1 { (c.t("我要提案", "Make a proposal")) }
            p { (c.t("先存为草稿，看过后再公开征集附议。", "It is saved as a draft first; publish it when it reads right.")) }
            (forms::summary(c, errors))
            form.stack method="post" action={"/c/" (slug) "/proposals"} enctype="multipart/form-data" {
                (csrf(c))
                (draft_fields(c, slug, v, places, categories, hits, errors))
                (file_field(c, slug, &FileField {
                    id: "f-photos",
                    name: "file",
                    label: c.t("照片（可选，每张最多 8 MB）", "Photos (optional, 8 MB each at most)"),
                    accept: "image/jpeg,image/png,image/webp,image/gif",
                    kept: &v.kept,
                    error: errors.get("file"),
                }))
                button type="submit" { (c.t("存为草稿", "Save as draft")) }
            }
        },
    )
}

/// The author's own draft, to edit before it is published (photos stay).
#[allow(clippy::too_many_arguments)]
pub fn edit_page(
    c: &Chrome,
    slug: &str,
    id: i64,
    v: &NewValues,
    places: &[(String, String)],
    categories: &[(String, String)],
    hits: &[(i64, String, Msg)],
    errors: &Errors,
) -> Markup {
    let base = format!("/c/{slug}/proposals/{id}");
    page(
        c,
        c.t("修改提案草稿", "Edit the draft proposal"),
        html! {
            p.muted { a href=(base) { (c.t("← 返回草稿", "← Back to the draft")) } }
            h1 { (c.t("修改提案草稿", "Edit the draft proposal")) }
            p { (c.t("公开之前可以修改；公开以后就不能再改了。已上传的照片保持不变。",
                     "You can edit it until it is published; not after. The photos already uploaded stay as they are.")) }
            (forms::summary(c, errors))
            form.stack method="post" action={(base) "/edit"} {
                (csrf(c))
                (draft_fields(c, slug, v, places, categories, hits, errors))
                button type="submit" { (c.t("保存修改", "Save the changes")) }
            }
        },
    )
}

pub struct RatingLine {
    pub assignee: String,
    pub kind: Msg,
    pub proposals: usize,
    pub ratings: usize,
    pub average: u32,
    pub lowest: u8,
}

pub fn ratings_page(c: &Chrome, slug: &str, quarter: &str, rows: &[RatingLine]) -> Markup {
    page(
        c,
        c.t("服务评价季度表", "Quarterly ratings"),
        html! {
            h1 { (c.t("服务评价季度表 ", "Quarterly ratings ")) (quarter) }
            p { (c.t(&format!("按平均分从低到高排列；最低的三位标出，供{}约谈改进。", c.committee_zh()), "Lowest average first; the bottom three are marked for the committee to follow up.")) }
            form.filters method="get" action={"/c/" (slug) "/proposals/ratings"} {
                label for="f-quarter" { (c.t("季度（如 2026Q3）", "Quarter (e.g. 2026Q3)")) }
                input #f-quarter name="quarter" value=(quarter) pattern="[0-9]{4}[Qq][1-4]";
                button type="submit" { (c.t("查看", "Show")) }
            }
            @if rows.is_empty() {
                p.empty { (c.t("本季度没有已评价的办结事项。", "No rated completed work this quarter.")) }
            } @else {
                table {
                    thead { tr { th { (c.t("负责人", "Responsible")) } th { (c.t("类别", "Type")) } th.num { (c.t("事项", "Items")) } th.num { (c.t("评价人次", "Ratings")) } th.num { (c.t("平均分", "Average")) } th.num { (c.t("最低分", "Lowest")) } } }
                    tbody {
                        @for (i, r) in rows.iter().enumerate() {
                            tr class=[(i < 3).then_some("bottom")] {
                                td { (r.assignee) @if i < 3 { " " span.tag.warn { (c.t("后三名", "bottom three")) } } }
                                td { (bi(c, &r.kind)) }
                                td.num { (r.proposals) } td.num { (r.ratings) }
                                td.num { (points(r.average)) }
                                td.num { (r.lowest) }
                            }
                        }
                    }
                }
            }
        },
    )
}
