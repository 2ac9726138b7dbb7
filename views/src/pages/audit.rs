//! The audit log page, with filters.

use crate::chrome::Chrome;
use crate::forms::{self, Errors, Opts};
use crate::layout::{page, scroll_region, urlencode};
use maud::{Markup, html};

pub struct Entry {
    pub at: String,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

pub struct AuditView {
    pub slug: String,
    pub actions: Vec<String>,
    pub action: String,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub page: usize,
    pub more: bool,
    pub entries: Vec<Entry>,
}

pub fn audit(c: &Chrome, v: &AuditView) -> Markup {
    let base = format!("/c/{}/audit", v.slug);
    let mut opts = vec![(String::new(), c.t("全部", "All").to_string())];
    opts.extend(v.actions.iter().map(|a| (a.clone(), a.clone())));
    let q = |page: usize| {
        format!(
            "{base}?page={page}&action={}&actor={}&from={}&to={}",
            urlencode(&v.action),
            urlencode(&v.actor),
            urlencode(&v.from),
            urlencode(&v.to)
        )
    };
    page(
        c,
        c.t("操作记录", "Audit log"),
        html! {
            h1 { (c.t("操作记录", "Audit log")) }
            p { (c.t("每一次修改都记录在这里：谁、什么时候、从哪里、做了什么。记录不能修改或删除。",
                     "Every change is recorded here: who, when, from where, and what. Entries cannot be edited or deleted.")) }
            form.filters method="get" action=(base) hx-get=(base) hx-target="#audit-results" hx-select="#audit-results"
                hx-swap="outerHTML" hx-push-url="true" hx-trigger="change, submit" {
                (forms::select(c, "action", c.t("操作", "Action"), &opts, &v.action, &Errors::none()))
                (forms::input(c, "actor", c.t("操作人（登录名）", "By (login name)"), &v.actor, &Errors::none(), Opts::default()))
                (forms::input(c, "from", c.t("从（日期）", "From (date)"), &v.from, &Errors::none(), Opts { kind: "date", ..Default::default() }))
                (forms::input(c, "to", c.t("到（日期，含当天）", "To (date, inclusive)"), &v.to, &Errors::none(), Opts { kind: "date", ..Default::default() }))
                button type="submit" { (c.t("筛选", "Filter")) }
            }
            div #audit-results {
                @if v.entries.is_empty() {
                    p.empty { (c.t("没有符合条件的记录。", "No entries match.")) }
                } @else {
                    (scroll_region(c.t("操作记录（可左右滚动）", "Audit log (scrolls sideways)"), html! {
                        table {
                            thead { tr {
                                th scope="col" { (c.t("时间", "When")) }
                                th scope="col" { (c.t("操作人", "Who")) }
                                th scope="col" { (c.t("操作", "Action")) }
                                th scope="col" { (c.t("对象", "Target")) }
                                th scope="col" { (c.t("详情", "Detail")) }
                                th scope="col" { (c.t("地址", "From")) }
                            } }
                            tbody {
                                @for e in &v.entries {
                                    tr { td { (e.at) } td { (e.actor) } td { code { (e.action) } } td { (e.target) } td.detail { (e.detail) } td { (e.ip) } }
                                }
                            }
                        }
                    }))
                    nav.pager aria-label=(c.t("翻页", "Pages")) {
                        @if v.page > 0 { a href=(q(v.page - 1)) { (c.t("较新", "Newer")) } }
                        " " span { (c.t("第", "Page ")) (v.page + 1) (c.t(" 页", "")) } " "
                        @if v.more { a href=(q(v.page + 1)) { (c.t("较早", "Older")) } }
                    }
                }
            }
        },
    )
}
