//! The A4 minutes notice of a meeting, for the notice board.

use super::ItemMinutesView;
use crate::chrome::Chrome;
use maud::{Markup, html};

pub struct NoticeView {
    pub community: String,
    pub title: String,
    pub when: String,
    pub place: String,
    pub host: String,
    pub attendance: usize,
    pub counts: Vec<(String, usize)>,
    pub guests: Vec<(String, String)>,
    pub summary: String,
    pub minutes: Vec<ItemMinutesView>,
    pub rev: i64,
    pub reason: Option<String>,
    pub url: String,
    pub entry: Option<(i64, String)>,
    pub head: Option<(i64, String)>,
    pub printed: String,
}

pub fn notice_page(c: &Chrome, v: &NoticeView) -> Markup {
    crate::a4::sheet(
        c,
        &v.community,
        ("议事会纪要", "Minutes of a community meeting"),
        &v.title,
        html! {
            dl.facts {
                dt { "时间 When" } dd { (v.when) }
                dt { "地点 Where" } dd { (v.place) }
                dt { "主持 Host" } dd { (v.host) }
                dt { "到会 Present" } dd { (v.attendance) " 人" @for (k, n) in &v.counts { "；" (k) " " (n) } }
                @if !v.guests.is_empty() { dt { "列席 Guests" } dd { @for (i, (n, r)) in v.guests.iter().enumerate() { @if i > 0 { "；" } (n) "（" (r) "）" } } }
                @if v.rev > 1 { dt { "修订 Amended" } dd { "第 " (v.rev) " 版" @if let Some(r) = &v.reason { "：" (r) } } }
            }
            @for line in v.summary.lines() { p { (line) } }
            @for m in &v.minutes {
                h3 { (m.title) }
                @if let Some(o) = &m.outcome_words { p { "结果 Outcome：" strong { (o.zh) } " / " (o.en) } }
                @if !m.views.is_empty() { ul { @for (who, t) in &m.views { li { (who) "：" (t) } } } }
                @if !m.notes.is_empty() { p { (m.notes) } }
                @if !m.actions.is_empty() { ul { @for (t, owner, due, _, _) in &m.actions { li { "跟进：" (t) "，" (owner) "，" (due) " 前" } } } }
            }
        },
        html! { (crate::a4::foot(&v.url, "扫码查看网页版和跟进情况：", "本纪要记录", v.entry.as_ref(), v.head.as_ref(), &v.printed)) },
    )
}
