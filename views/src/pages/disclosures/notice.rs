//! The printable A4 notice of a published disclosure.

use crate::chrome::{Chrome, Msg};
use maud::{Markup, html};

pub struct NoticeView {
    pub community: String,
    pub title: String,
    pub category: Msg,
    pub period: Msg,
    pub rev: i64,
    pub reason: Option<String>,
    pub explanation: String,
    pub columns: Vec<Msg>,
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
    crate::a4::sheet(
        c,
        &v.community,
        ("公开", "Public disclosure"),
        &v.title,
        html! {
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
        },
        html! { (crate::a4::foot(&v.url, "扫码查看网页版、提出疑问、下载表格：", "本公开记录", v.entry.as_ref(), v.head.as_ref(), &v.printed)) },
    )
}
