//! Resident proposals (提案/点单): the list with the committee's queue, the
//! new-proposal form with similar proposals, one proposal (co-signing,
//! comments, triage, dispatch, progress, rating) and the quarterly ratings.

use crate::chrome::{Chrome, Msg};
use crate::files::{self, FileLine};
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

/// An average in hundredths of a point: 8050 → "80.50".
fn points(hundredths: u32) -> String {
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
    pub threshold_text: String,
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
                    form.inline method="post" action={"/c/" (slug) "/proposals/threshold"} {
                        (csrf(c))
                        label for="f-threshold" { (c.t("附议门槛（人数，或户数比例如 5%）", "Co-signing threshold (a count, or a share of households like 5%)")) }
                        " " input #f-threshold name="threshold" value=(v.threshold_text) size="6" required;
                        " " button type="submit" { (c.t("保存", "Save")) }
                    }
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
                div.field {
                    label for="f-photos" { (c.t("照片（可选，每张最多 8 MB）", "Photos (optional, 8 MB each at most)")) }
                    input #f-photos type="file" name="file" multiple accept="image/jpeg,image/png,image/webp,image/gif";
                }
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

pub struct CommentLine {
    pub id: i64,
    pub parent: Option<i64>,
    pub author: String,
    pub body: String,
    pub at: String,
}

pub struct EventLine {
    pub what: Msg,
    pub note: String,
    pub who: Option<String>,
    pub at: String,
}

pub struct ShowView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub status: String,
    pub status_words: Msg,
    pub category: Msg,
    pub place: String,
    pub author: String,
    pub cosigns: i64,
    pub needed: i64,
    pub photos: Vec<FileLine>,
    pub report_photos: Vec<FileLine>,
    pub events: Vec<EventLine>,
    pub comments: Vec<CommentLine>,
    pub is_author: bool,
    pub has_cosigned: bool,
    pub can_cosign: bool,
    pub is_assignee: bool,
    pub assignee: Option<(Msg, String)>,
    pub decision_reason: Option<String>,
    pub report: Option<String>,
    pub meeting: Option<(i64, String)>,
    pub vote: Option<(i64, String)>,
    pub similar: Vec<(i64, String, Msg)>,
    /// (average hundredths, count) of ratings, and the rater's own score.
    pub rating: Option<(u32, usize)>,
    pub my_score: Option<u8>,
    pub can_rate: bool,
    pub rating_comments: Vec<(u8, String)>,
    pub meetings: Vec<(String, String)>,
    pub assignee_kinds: Vec<(String, String)>,
    pub done: Option<Msg>,
    pub logged_in: bool,
}

fn comment_tree(c: &Chrome, slug: &str, v: &ShowView, parent: Option<i64>) -> Markup {
    html! {
        ul.comments {
            @for cm in v.comments.iter().filter(|x| x.parent == parent) {
                li #{"comment-" (cm.id)} {
                    p { strong { (cm.author) } " " span.muted { (cm.at) } }
                    p.pre { (cm.body) }
                    @if v.logged_in && parent.is_none() {
                        details {
                            summary { (c.t("回复", "Reply")) }
                            form.stack method="post" action={"/c/" (slug) "/proposals/" (v.id) "/comments"} {
                                (csrf(c))
                                input type="hidden" name="parent" value=(cm.id);
                                label for={"f-reply-" (cm.id)} { (c.t("回复内容", "Your reply")) }
                                textarea id={"f-reply-" (cm.id)} name="body" rows="2" required {}
                                button type="submit" { (c.t("回复", "Reply")) }
                            }
                        }
                    }
                    (comment_tree(c, slug, v, Some(cm.id)))
                }
            }
        }
    }
}

fn staff_panel(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    let base = format!("/c/{slug}/proposals/{}", v.id);
    let decidable = matches!(
        v.status.as_str(),
        "open" | "review" | "scheduled" | "voting"
    );
    html! {
        section.staff-panel aria-labelledby="h-triage" {
            h2 #h-triage { (c.committee()) (c.t("审议与派单", ": review and dispatch")) }
            @if v.status == "open" {
                form.inline method="post" action={(base) "/pickup"} {
                    (csrf(c))
                    button type="submit" { (c.t("直接选取审议（不等附议满）", "Pick up for review now")) }
                }
            }
            @if decidable {
                form.stack method="post" action={(base) "/decide"} {
                    (csrf(c))
                    fieldset {
                        legend { (c.t("决定", "Decision")) }
                        (forms::radio("decision", "schedule", c.t("采纳：排入议事会议程", "Accept: put on a meeting's agenda"), false))
                        (forms::radio("decision", "vote", c.t("采纳：提交表决（生成表决草稿）", "Accept: put to a vote (prefilled draft)"), false))
                        (forms::radio("decision", "dispatch", c.t("采纳：派单给负责人", "Accept: dispatch to a responsible person"), false))
                        (forms::radio("decision", "decline", c.t("不予采纳（须公开理由）", "Decline (with a public reason)"), false))
                    }
                    @if !v.meetings.is_empty() {
                        (forms::select(c, "deliberation", c.t("议事会（排入议程时）", "Meeting (when scheduling)"), &v.meetings, "", &Errors::none()))
                    }
                    (forms::select(c, "assignee_kind", c.t("负责人类别（派单时）", "Assignee type (when dispatching)"), &v.assignee_kinds, "", &Errors::none()))
                    (forms::input(c, "assignee_name", c.t("负责人或团队名称（派单时）", "Person or team (when dispatching)"), "", &Errors::none(), Opts::default()))
                    (forms::input(c, "assignee_login", c.t("负责人的登录名（可选：由其本人接单）", "Their login (optional: they accept it themselves)"), "", &Errors::none(), Opts::default()))
                    (forms::textarea(c, "reason", c.t("理由或说明（公开）", "Reason or note (public)"), "", &Errors::none(), 3))
                    button type="submit" { (c.t("提交决定", "Record the decision")) }
                }
            }
        }
    }
}

fn assignee_panel(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    let base = format!("/c/{slug}/proposals/{}", v.id);
    html! {
        section.staff-panel aria-labelledby="h-assignee" {
            h2 #h-assignee { (c.t("接单与办理", "Take the order and report")) }
            @if v.status == "dispatched" {
                form.stack method="post" action={(base) "/assignment"} {
                    (csrf(c))
                    (forms::textarea(c, "note", c.t("说明（退回时必填）", "Note (required when handing back)"), "", &Errors::none(), 2))
                    button type="submit" name="answer" value="accept" { (c.t("接单", "Accept")) }
                    " "
                    button.secondary type="submit" name="answer" value="hand_back" { (c.t("退回", "Hand back")) }
                }
            }
            @if v.status == "in_progress" {
                form.stack method="post" action={(base) "/progress"} enctype="multipart/form-data" {
                    (csrf(c))
                    (forms::textarea(c, "note", c.t("进展或办结报告", "Progress update or completion report"), "", &Errors::none(), 4))
                    div.field {
                        label for="f-report-photos" { (c.t("照片（可选）", "Photos (optional)")) }
                        input #f-report-photos type="file" name="file" multiple accept="image/jpeg,image/png,image/webp,image/gif";
                    }
                    (forms::checkbox("complete", c.t("这是办结报告（办完了）", "This is the completion report (it is done)"), false))
                    button type="submit" { (c.t("提交", "Submit")) }
                }
            }
        }
    }
}

/// Who acts next on a proposal, what they do, and where the reader's own
/// form is when it is theirs to act: `(who, what, Some((anchor, label)))`.
fn next_step<'a>(c: &'a Chrome, v: &ShowView) -> (&'a str, &'a str, Option<(&'a str, &'a str)>) {
    let com = c.is_committee();
    let mine = |yes: bool, at: &'a str, label: &'a str| yes.then_some((at, label));
    match v.status.as_str() {
        "draft" => (
            c.t("提案人", "the author"),
            c.t("公开提案，征集附议", "publishes it for co-signing"),
            mine(v.is_author, "#f-publish", c.t("公开提案", "Publish it")),
        ),
        "open" => (
            c.t("居民", "residents"),
            c.t(
                "附议；附议满后交居委会审议",
                "co-sign it; once enough have, the committee reviews it",
            ),
            mine(v.can_cosign, "#h-cosign", c.t("去附议", "Co-sign")),
        ),
        "review" | "scheduled" | "voting" => (
            c.committee(),
            c.t(
                "审议并公开答复：排入议事会、提交表决、派单或不予采纳",
                "reviews it and answers in public: a meeting, a vote, dispatch, or declined",
            ),
            mine(com, "#h-triage", c.t("去审议", "Review it")),
        ),
        "dispatched" => (
            c.t("负责人", "the person responsible"),
            c.t("接单或退回", "accepts the order or hands it back"),
            mine(
                v.is_assignee,
                "#h-assignee",
                c.t("去接单", "Take the order"),
            ),
        ),
        "in_progress" => (
            c.t("负责人", "the person responsible"),
            c.t(
                "报告进展，办完后提交办结报告",
                "reports progress, then the completion report",
            ),
            mine(v.is_assignee, "#h-assignee", c.t("去报告", "Report")),
        ),
        "completed" => (
            c.t("居民", "residents"),
            c.t("为办理结果打分", "rate the result"),
            mine(v.can_rate, "#h-rating", c.t("去评价", "Rate it")),
        ),
        _ => ("", c.t("不需要再做什么", "nothing more to do"), None),
    }
}

fn step_box(c: &Chrome, v: &ShowView) -> Markup {
    let (who, what, mine) = next_step(c, v);
    html! {
        section.next-step aria-labelledby="h-step" {
            h2 #h-step { (c.t("进展", "Progress")) }
            p { (c.t("当前：", "Now: ")) strong #step-now { (c.t(&v.status_words.zh, &v.status_words.en)) } }
            p #step-next { (c.t("下一步：", "Next: ")) @if !who.is_empty() { strong { (who) } (c.t("", " ")) } (what) }
            @if let Some((at, label)) = mine { p { a.button.primary href=(at) { (label) } } }
        }
    }
}

pub fn show_page(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    let base = format!("/c/{slug}/proposals/{}", v.id);
    page(
        c,
        &v.title,
        html! {
            @if let Some(d) = &v.done { (flash(c, "ok", d)) }
            p.muted { a href={"/c/" (slug) "/proposals"} { (c.t("← 全部提案", "← All proposals")) } }
            h1 { (v.title) }
            p { span class={"tag status-" (v.status)} { (bi(c, &v.status_words)) } " · " (bi(c, &v.category)) " · " (v.place) " · " (c.t("提案人 ", "by ")) (v.author) }
            (step_box(c, v))
            p.pre { (v.body) }
            @if !v.photos.is_empty() { (files::list(c, slug, &v.photos, None)) }
            @if v.status == "draft" && v.is_author {
                div.notice {
                    @if !v.similar.is_empty() {
                        p { strong { (c.t("已有相似的提案，是否改为附议？", "Similar proposals exist; co-sign one instead?")) } }
                        ul { @for (id, t, s) in &v.similar { li { a href={"/c/" (slug) "/proposals/" (id)} { (t) } " " span.tag { (bi(c, s)) } } } }
                    }
                    form.inline #f-publish method="post" action={(base) "/publish"} { (csrf(c)) button type="submit" { (c.t("公开，征集附议", "Publish for co-signing")) } }
                    " " a.button.secondary href={(base) "/edit"} { (c.t("修改草稿", "Edit the draft")) }
                }
            }
            @if v.status == "open" || v.status == "review" {
                section aria-labelledby="h-cosign" {
                    h2 #h-cosign { (c.t("附议", "Co-signing")) }
                    p.lead { (c.t("已附议 ", "Co-signed by ")) strong { (v.cosigns) } " / " (v.needed)
                        @if v.status == "review" { (c.t("，已进入居委会审议。", "; now with the committee.")) } }
                    progress max=(v.needed.max(1)) value=(v.cosigns.min(v.needed)) aria-label=(c.t("附议进度", "Co-signing progress")) {}
                    @if v.has_cosigned {
                        p { strong { (c.t("你已附议。", "You have co-signed.")) } (c.t("每一步进展都会显示在你的账户页上。", " Each step will show on your account page.")) }
                        @if v.status == "open" {
                            form.inline method="post" action={(base) "/cosign/withdraw"} { (csrf(c)) button.secondary type="submit" { (c.t("撤回我的附议", "Withdraw my co-signature")) } }
                        }
                    } @else if v.can_cosign {
                        form.inline method="post" action={(base) "/cosign"} { (csrf(c)) button type="submit" { (c.t("我附议", "Co-sign")) } }
                    } @else if !v.logged_in {
                        p { a href={"/login?next=" (base)} { (c.t("登录后附议", "Log in to co-sign")) } }
                    }
                }
            }
            @if let Some(r) = &v.decision_reason { @if !r.is_empty() {
                section aria-labelledby="h-decision" { h2 #h-decision { (c.t("居委会的答复", "The committee's answer")) } p.pre { (r) } }
            } }
            @if let Some((id, t)) = &v.meeting { p { (c.t("已排入议事会：", "On the agenda of: ")) a href={"/c/" (slug) "/deliberations/" (id)} { (t) } } }
            @if let Some((id, t)) = &v.vote { p { (c.t("已提交表决：", "Put to the vote: ")) a href={"/c/" (slug) "/votes/" (id)} { (t) } } }
            @if let Some((k, name)) = &v.assignee { p { (c.t("负责人：", "Responsible: ")) strong { (name) } " (" (bi(c, k)) ")" } }
            @if let Some(r) = &v.report {
                section aria-labelledby="h-report" {
                    h2 #h-report { (c.t("办结报告", "Completion report")) }
                    p.pre { (r) }
                    (files::list(c, slug, &v.report_photos, None))
                }
            }
            @if v.status == "completed" {
                section aria-labelledby="h-rating" {
                    h2 #h-rating { (c.t("居民评价", "Residents' rating")) }
                    @if let Some((avg, n)) = v.rating {
                        p.lead { (c.t("平均 ", "Average ")) strong { (points(avg)) } (c.t(" 分（", " points (")) (n) (c.t(" 人评价）", " ratings)")) }
                    } @else { p.empty { (c.t("还没有人评价。", "No ratings yet.")) } }
                    @if v.can_rate {
                        form.stack method="post" action={(base) "/rate"} {
                            (csrf(c))
                            (forms::input(c, "score", c.t("评分（0–100）", "Score (0–100)"), &v.my_score.map(|s| s.to_string()).unwrap_or_default(), &Errors::none(), Opts { kind: "number", required: true, inputmode: Some("numeric"), ..Default::default() }))
                            (forms::textarea(c, "comment", c.t("意见（可选）", "Comment (optional)"), "", &Errors::none(), 2))
                            button type="submit" { @if v.my_score.is_some() { (c.t("修改评价", "Change my rating")) } @else { (c.t("提交评价", "Rate")) } }
                        }
                    }
                    @if !v.rating_comments.is_empty() {
                        ul { @for (s, cm) in &v.rating_comments { li { strong { (s) } " · " (cm) } } }
                    }
                }
            }
            @if c.is_committee() { (staff_panel(c, slug, v)) }
            @if v.is_assignee || (c.is_committee() && v.assignee.is_some()) { (assignee_panel(c, slug, v)) }
            @if v.is_author && matches!(v.status.as_str(), "draft" | "open" | "review") {
                form.inline method="post" action={(base) "/withdraw"} { (csrf(c)) button.secondary type="submit" { (c.t("撤回提案", "Withdraw the proposal")) } }
            }
            section aria-labelledby="h-timeline" {
                h2 #h-timeline { (c.t("进展", "Timeline")) }
                ol.timeline { @for e in &v.events { li { span.muted { (e.at) } " " strong { (bi(c, &e.what)) } @if let Some(w) = &e.who { " · " (w) } @if !e.note.is_empty() { br; span.pre { (e.note) } } } } }
            }
            @if v.status != "draft" {
                section aria-labelledby="h-comments" {
                    h2 #h-comments { (c.t("留言", "Comments")) }
                    @if v.comments.is_empty() { p.empty { (c.t("还没有留言。", "No comments yet.")) } }
                    (comment_tree(c, slug, v, None))
                    @if v.logged_in {
                        form.stack method="post" action={(base) "/comments"} {
                            (csrf(c))
                            (forms::textarea(c, "body", c.t("写留言", "Write a comment"), "", &Errors::none(), 3))
                            button type="submit" { (c.t("发表", "Post")) }
                        }
                    }
                }
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
            p { (c.t("按平均分从低到高排列；最低的三位标出，供居委会约谈改进。", "Lowest average first; the bottom three are marked for the committee to follow up.")) }
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
