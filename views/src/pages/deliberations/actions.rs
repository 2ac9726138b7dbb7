//! Follow-up actions from the meetings: the list, each with its report and
//! photos, and the committee's form closing one.

use crate::chrome::{Chrome, Msg};
use crate::forms;
use crate::layout::{bi, csrf, flash, page};
use crate::refused::{FileField, Refused, Typed, file_field};
use maud::{Markup, html};

pub struct ActionLine {
    pub id: i64,
    pub meeting_id: i64,
    pub meeting: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub done: bool,
    pub overdue: bool,
    pub report: Option<String>,
    /// (attachment id, file name) of photos with the report.
    pub photos: Vec<(i64, String)>,
}

/// The committee closes an action: what was done (required) and photos; a
/// refused one comes back open, as typed, its photos kept.
fn close_form(c: &Chrome, slug: &str, a: &ActionLine, r: &Option<Refused<i64>>) -> Markup {
    let e = r.errors(a.id);
    let report_id = format!("f-report-{}", a.id);
    let report_err = e.get("report");
    html! {
        details open[r.is(a.id)] {
            summary { (c.t("办结", "Close it")) }
            (forms::summary(c, e))
            form.stack method="post" action={"/c/" (slug) "/actions/" (a.id) "/close"} enctype="multipart/form-data" {
                (csrf(c))
                div class={"field" @if report_err.is_some() { " has-error" }} {
                    label for=(report_id) { (c.t("完成情况（必填）", "What was done (required)")) }
                    @if let Some(m) = report_err { p.field-error id={(report_id) "-err"} { (bi(c, m)) } }
                    textarea id=(report_id) name="report" rows="2" required
                        aria-invalid=[report_err.map(|_| "true")] aria-describedby=[report_err.map(|_| format!("{report_id}-err"))] { (r.value(a.id, "report", "")) }
                }
                (file_field(c, slug, &FileField {
                    id: &format!("f-photo-{}", a.id),
                    name: "file",
                    label: c.t("照片（可不传）", "Photos (optional)"),
                    accept: "image/*,application/pdf",
                    kept: r.kept(a.id),
                    error: e.get("file"),
                }))
                button type="submit" { (c.t("办结", "Close")) }
            }
        }
    }
}

/// The follow-up actions; `refused` is a close form sent back (by action id).
pub fn actions_page(
    c: &Chrome,
    slug: &str,
    actions: &[ActionLine],
    notice: Option<&Msg>,
    refused: &Option<Refused<i64>>,
) -> Markup {
    let committee = c.is_committee();
    page(
        c,
        c.t("跟进事项", "Follow-up actions"),
        html! {
            p { a href={"/c/" (slug) "/deliberations"} { "← " (c.t("流动的茶馆", "Mobile teahouse")) } }
            h1 { (c.t("跟进事项", "Follow-up actions")) }
            @if let Some(n) = notice { (flash(c, "ok", n)) }
            @if actions.is_empty() { p.empty { (c.t("还没有跟进事项。", "No follow-up actions yet.")) } }
            ul.vote-list {
                @for a in actions {
                    li class=(if a.overdue { "overdue" } else { "" }) id={"action-" (a.id)} {
                        strong { (a.title) } " · " (a.owner) " · " (c.t("截止 ", "due ")) (a.due)
                        " · " @if a.done { (c.t("已办结", "done")) } @else if a.overdue { strong.warn { "⚠ " (c.t("逾期", "overdue")) } } @else { (c.t("办理中", "open")) }
                        br; span.muted { (c.t("来自：", "From: ")) a href={"/c/" (slug) "/deliberations/" (a.meeting_id)} { (a.meeting) } }
                        @if let Some(r) = &a.report { br; (c.t("完成情况：", "Report: ")) (r) }
                        @for (id, name) in &a.photos { br; a href={"/c/" (slug) "/files/" (id)} { (c.t("照片：", "Photo: ")) (name) } }
                        @if committee && !a.done { (close_form(c, slug, a, refused)) }
                    }
                }
            }
        },
    )
}
