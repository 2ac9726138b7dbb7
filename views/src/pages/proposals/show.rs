//! One proposal's page: co-signing, the committee's decision, the
//! assignee's order and reports, the residents' rating, the timeline and
//! comments. A refused form comes back here as it was typed.

use super::points;
use crate::chrome::{Chrome, Msg};
use crate::files::{self, FileLine};
use crate::forms::{self, Opts};
use crate::layout::{bi, csrf, flash, page};
use crate::refused::{FileField, Refused, Typed, file_field};
use maud::{Markup, html};

/// The forms of a proposal's page that come back refused, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The committee's decision.
    Decide,
    /// The assignee accepts the order or hands it back.
    Assignment,
    /// A progress or completion report.
    Progress,
    /// A resident's rating.
    Rate,
    /// A comment on the proposal.
    Comment,
    /// A reply under the comment with this id.
    Reply(i64),
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
    /// A refused form of this page, as it was typed.
    pub refused: Option<Refused<Form>>,
}

fn comment_tree(c: &Chrome, slug: &str, v: &ShowView, parent: Option<i64>) -> Markup {
    html! {
        ul.comments {
            @for cm in v.comments.iter().filter(|x| x.parent == parent) {
                li #{"comment-" (cm.id)} {
                    p { strong { (cm.author) } " " span.muted { (cm.at) } }
                    p.pre { (cm.body) }
                    @if v.logged_in && parent.is_none() { (reply_form(c, slug, v, cm.id)) }
                    (comment_tree(c, slug, v, Some(cm.id)))
                }
            }
        }
    }
}

/// The reply form under comment `to`, folded away; open, as typed and with
/// its error beside the textarea when that reply came back refused.
fn reply_form(c: &Chrome, slug: &str, v: &ShowView, to: i64) -> Markup {
    let (r, f) = (&v.refused, Form::Reply(to));
    let id = format!("f-reply-{to}");
    let err = r.errors(f).get("body");
    html! {
        details open[r.is(f)] {
            summary { (c.t("回复", "Reply")) }
            form.stack #{"reply-" (to)} method="post" action={"/c/" (slug) "/proposals/" (v.id) "/comments"} {
                (csrf(c))
                input type="hidden" name="parent" value=(to);
                div class={"field" @if err.is_some() { " has-error" }} {
                    label for=(id) { (c.t("回复内容", "Your reply")) }
                    @if let Some(m) = err { p.field-error id={(id) "-err"} { (bi(c, m)) } }
                    textarea id=(id) name="body" rows="2" required
                        aria-invalid=[err.map(|_| "true")]
                        aria-describedby=[err.map(|_| format!("{id}-err"))] { (r.value(f, "body", "")) }
                }
                button type="submit" { (c.t("回复", "Reply")) }
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
            @if decidable { (decide_form(c, &base, v)) }
        }
    }
}

/// The committee's decision: schedule, vote, dispatch or decline, with what each needs.
fn decide_form(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    let (r, f) = (&v.refused, Form::Decide);
    let e = r.errors(f);
    let chosen = r.value(f, "decision", "");
    html! {
        (forms::summary(c, e))
        form.stack #decide method="post" action={(base) "/decide"} {
            (csrf(c))
            fieldset {
                legend { (c.t("决定", "Decision")) }
                (forms::error(c, e, "decision"))
                (forms::radio("decision", "schedule", c.t("采纳：排入议事会议程", "Accept: put on a meeting's agenda"), chosen == "schedule"))
                (forms::radio("decision", "vote", c.t("采纳：提交表决（生成表决草稿）", "Accept: put to a vote (prefilled draft)"), chosen == "vote"))
                (forms::radio("decision", "dispatch", c.t("采纳：派单给负责人", "Accept: dispatch to a responsible person"), chosen == "dispatch"))
                (forms::radio("decision", "decline", c.t("不予采纳（须公开理由）", "Decline (with a public reason)"), chosen == "decline"))
            }
            @if !v.meetings.is_empty() {
                (forms::select(c, "deliberation", c.t("议事会（排入议程时）", "Meeting (when scheduling)"), &v.meetings, r.value(f, "deliberation", ""), e))
            }
            (forms::select(c, "assignee_kind", c.t("负责人类别（派单时）", "Assignee type (when dispatching)"), &v.assignee_kinds, r.value(f, "assignee_kind", ""), e))
            (forms::input(c, "assignee_name", c.t("负责人或团队名称（派单时）", "Person or team (when dispatching)"), r.value(f, "assignee_name", ""), e, Opts::default()))
            (forms::input(c, "assignee_login", c.t("负责人的登录名（可选：由其本人接单）", "Their login (optional: they accept it themselves)"), r.value(f, "assignee_login", ""), e, Opts::default()))
            (forms::textarea(c, "reason", c.t("理由或说明（公开）", "Reason or note (public)"), r.value(f, "reason", ""), e, 3))
            button type="submit" { (c.t("提交决定", "Record the decision")) }
        }
    }
}

fn assignee_panel(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    let base = format!("/c/{slug}/proposals/{}", v.id);
    let r = &v.refused;
    let (ea, ep) = (r.errors(Form::Assignment), r.errors(Form::Progress));
    html! {
        section.staff-panel aria-labelledby="h-assignee" {
            h2 #h-assignee { (c.t("接单与办理", "Take the order and report")) }
            @if v.status == "dispatched" {
                (forms::summary(c, ea))
                form.stack #assignment method="post" action={(base) "/assignment"} {
                    (csrf(c))
                    (forms::textarea(c, "note", c.t("说明（退回时必填）", "Note (required when handing back)"), r.value(Form::Assignment, "note", ""), ea, 2))
                    button type="submit" name="answer" value="accept" { (c.t("接单", "Accept")) }
                    " "
                    button.secondary type="submit" name="answer" value="hand_back" { (c.t("退回", "Hand back")) }
                }
            }
            @if v.status == "in_progress" {
                (forms::summary(c, ep))
                form.stack #progress method="post" action={(base) "/progress"} enctype="multipart/form-data" {
                    (csrf(c))
                    (forms::textarea(c, "note", c.t("进展或办结报告", "Progress update or completion report"), r.value(Form::Progress, "note", ""), ep, 4))
                    (file_field(c, slug, &FileField {
                        id: "f-report-photos",
                        name: "file",
                        label: c.t("照片（可选）", "Photos (optional)"),
                        accept: "image/jpeg,image/png,image/webp,image/gif",
                        kept: r.kept(Form::Progress),
                        error: ep.get("file"),
                    }))
                    (forms::checkbox("complete", c.t("这是办结报告（办完了）", "This is the completion report (it is done)"), !r.value(Form::Progress, "complete", "").is_empty()))
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
                match c.committee_zh() {
                    "村委会" => "附议；附议满后交村委会审议",
                    _ => "附议；附议满后交居委会审议",
                },
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
            @if v.status == "draft" && v.is_author { (draft_notice(c, slug, &base, v)) }
            @if v.status == "open" || v.status == "review" { (cosign_section(c, &base, v)) }
            (answers(c, slug, v))
            @if v.status == "completed" { (rating_section(c, &base, v)) }
            @if c.is_committee() { (staff_panel(c, slug, v)) }
            @if v.is_assignee || (c.is_committee() && v.assignee.is_some()) { (assignee_panel(c, slug, v)) }
            @if v.is_author && matches!(v.status.as_str(), "draft" | "open" | "review") {
                form.inline method="post" action={(base) "/withdraw"} { (csrf(c)) button.secondary type="submit" { (c.t("撤回提案", "Withdraw the proposal")) } }
            }
            (timeline_and_comments(c, slug, &base, v))
        },
    )
}

/// The author's draft: similar proposals, publish and edit.
fn draft_notice(c: &Chrome, slug: &str, base: &str, v: &ShowView) -> Markup {
    html! {
        div.notice {
            @if !v.similar.is_empty() {
                p { strong { (c.t("已有相似的提案，是否改为附议？", "Similar proposals exist; co-sign one instead?")) } }
                ul { @for (id, t, s) in &v.similar { li { a href={"/c/" (slug) "/proposals/" (id)} { (t) } " " span.tag { (bi(c, s)) } } } }
            }
            form.inline #f-publish method="post" action={(base) "/publish"} { (csrf(c)) button type="submit" { (c.t("公开，征集附议", "Publish for co-signing")) } }
            " " a.button.secondary href={(base) "/edit"} { (c.t("修改草稿", "Edit the draft")) }
        }
    }
}

fn cosign_section(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    html! {
        section aria-labelledby="h-cosign" {
            h2 #h-cosign { (c.t("附议", "Co-signing")) }
            p.lead { (c.t("已附议 ", "Co-signed by ")) strong { (v.cosigns) } " / " (v.needed)
                @if v.status == "review" { (c.t(&format!("，已进入{}审议。", c.committee_zh()), "; now with the committee.")) } }
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
}

/// What was decided and done: the answer, the meeting or vote, the assignee, the report.
fn answers(c: &Chrome, slug: &str, v: &ShowView) -> Markup {
    html! {
        @if let Some(r) = &v.decision_reason { @if !r.is_empty() {
            section aria-labelledby="h-decision" { h2 #h-decision { (c.t(&format!("{}的答复", c.committee_zh()), "The committee's answer")) } p.pre { (r) } }
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
    }
}

fn rating_section(c: &Chrome, base: &str, v: &ShowView) -> Markup {
    let (r, f) = (&v.refused, Form::Rate);
    let e = r.errors(f);
    let score = v.my_score.map(|s| s.to_string()).unwrap_or_default();
    html! {
        section aria-labelledby="h-rating" {
            h2 #h-rating { (c.t("居民评价", "Residents' rating")) }
            @if let Some((avg, n)) = v.rating {
                p.lead { (c.t("平均 ", "Average ")) strong { (points(avg)) } (c.t(" 分（", " points (")) (n) (c.t(" 人评价）", " ratings)")) }
            } @else { p.empty { (c.t("还没有人评价。", "No ratings yet.")) } }
            @if v.can_rate {
                (forms::summary(c, e))
                form.stack #rate method="post" action={(base) "/rate"} {
                    (csrf(c))
                    (forms::input(c, "score", c.t("评分（0–100）", "Score (0–100)"), r.value(f, "score", &score), e, Opts { kind: "number", required: true, inputmode: Some("numeric"), ..Default::default() }))
                    (forms::textarea(c, "comment", c.t("意见（可选）", "Comment (optional)"), r.value(f, "comment", ""), e, 2))
                    button type="submit" { @if v.my_score.is_some() { (c.t("修改评价", "Change my rating")) } @else { (c.t("提交评价", "Rate")) } }
                }
            }
            @if !v.rating_comments.is_empty() {
                ul { @for (s, cm) in &v.rating_comments { li { strong { (s) } " · " (cm) } } }
            }
        }
    }
}

fn timeline_and_comments(c: &Chrome, slug: &str, base: &str, v: &ShowView) -> Markup {
    html! {
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
                    (forms::summary(c, v.refused.errors(Form::Comment)))
                    form.stack #comment method="post" action={(base) "/comments"} {
                        (csrf(c))
                        (forms::textarea(c, "body", c.t("写留言", "Write a comment"), v.refused.value(Form::Comment, "body", ""), v.refused.errors(Form::Comment), 3))
                        button type="submit" { (c.t("发表", "Post")) }
                    }
                }
            }
        }
    }
}
