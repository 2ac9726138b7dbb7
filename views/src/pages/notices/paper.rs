//! Paper: the printable A4 delivery list of one building or villager group
//! with a tear-off receipt (送达回执) per household, each with a QR code to
//! its receipt page; the list's ticks; and the receipt page a grid worker's
//! phone opens. The printed sheet is bilingual (it is a document, like the
//! A4 vote notice); the controls are in the reader's language.

use super::record::bi_one;
use crate::chrome::{Chrome, Msg};
use crate::layout::{csrf, flash, page};
use maud::{Markup, html};

/// One household on the list.
pub struct PaperLine {
    pub household_id: i64,
    pub code: String,
    pub place: String,
    pub dwelling: String,
    /// Adults' names, masked.
    pub names: String,
    /// Absolute URL of the receipt page.
    pub receipt_url: String,
    /// How and when it was reached, if it was.
    pub reached: Option<String>,
}

pub struct PaperList {
    pub community: String,
    pub slug: String,
    pub notice_id: i64,
    pub title: Msg,
    pub body: Msg,
    /// The building or group, or empty for all.
    pub place_label: String,
    pub place: String,
    pub unreached_only: bool,
    pub lines: Vec<PaperLine>,
    pub printed: String,
    pub flash: Option<Msg>,
}

pub fn list(c: &Chrome, v: &PaperList) -> Markup {
    let base = format!("/c/{}/notices/{}", v.slug, v.notice_id);
    let what = if v.unreached_only {
        ("未送达清单", "Households not yet reached")
    } else {
        ("送达清单", "Delivery list")
    };
    page(
        c,
        c.t(what.0, what.1),
        html! {
            p.crumbs.no-print { a href=(base) { (c.t("返回送达台账", "Back to the record")) } }
            article.notice.paper-list {
                p.notice-org { (v.community) }
                h1 { (what.0) " " span.notice-en { (what.1) } }
                h2 { (v.title.zh) br; span.notice-en { (v.title.en) } }
                p { (v.place_label) " · " (v.lines.len()) " 户 households · 打印 Printed " (v.printed) }
                @if let Some(f) = &v.flash { (flash(c, "ok", f)) }
                // On a phone the list scrolls in its own region; on paper it
                // prints whole.
                div.table-wrap.scroll-region role="region" tabindex="0" aria-labelledby="paper-caption" {
                table.paper {
                    caption #paper-caption.visually-hidden { (c.t("送达清单（可左右滚动）", "Delivery list (scrolls sideways)")) }
                    thead { tr {
                        th { "户号 Household" } th { "楼栋/小组 Place" } th { "房号 Dwelling" } th { "成员 Members" }
                        th { "送达 Reached" } th.no-print {}
                    } }
                    tbody { @for l in &v.lines { tr {
                        td { (l.code) } td { (l.place) } td { (l.dwelling) } td { (l.names) }
                        td { @if let Some(r) = &l.reached { "✓ " (r) } @else { "☐" } }
                        td.no-print { @if l.reached.is_none() {
                            form method="post" action={(base) "/paper/" (l.household_id) "?place=" (v.place) "&unreached=" (u8::from(v.unreached_only))} {
                                (csrf(c)) button type="submit" { (c.t("已送达（纸质）", "Reached on paper")) }
                            }
                        } }
                    } } }
                }
                }
            }
            @if !v.unreached_only || !v.lines.is_empty() {
                h2.no-print { (c.t("送达回执（沿虚线剪下，每户一张）", "Receipts (cut along the dashed lines, one per household)")) }
                div.slips.receipts { @for l in &v.lines { (slip(v, l)) } }
            }
            p.no-print { (c.t("用浏览器的“打印”打印本页（A4）。网格员扫回执上的二维码，或在上面的清单中勾选，即记录该户已纸质送达。", "Print this page with the browser (A4). A grid worker scans a receipt's QR code, or ticks the household in the list above, to record it reached on paper.")) }
        },
    )
}

/// One tear-off receipt.
fn slip(v: &PaperList, l: &PaperLine) -> Markup {
    html! {
        div.slip.receipt {
            (crate::qr::svg(&l.receipt_url, 110, "送达回执二维码 Receipt QR code"))
            div {
                p { strong { "送达回执 Receipt" } }
                p { (v.title.zh) }
                p.slip-code { (l.code) " " (l.dwelling) }
                p { "签收 Signed: ________  日期 Date: ________" }
                p.muted { code { (l.receipt_url) } }
            }
        }
    }
}

/// The receipt page a scanned QR code opens.
pub struct ReceiptView {
    pub slug: String,
    pub token: String,
    pub title: Msg,
    pub household: String,
    /// How and when it was reached, if it was.
    pub reached: Option<String>,
    pub just_recorded: bool,
}

pub fn receipt(c: &Chrome, v: &ReceiptView) -> Markup {
    page(
        c,
        c.t("送达回执", "Receipt"),
        html! {
            h1 { (c.t("送达回执", "Receipt")) }
            p { (bi_one(c, &v.title)) }
            p.slip-code { (c.t("户号：", "Household: ")) (v.household) }
            @if v.just_recorded {
                (flash(c, "ok", &Msg::new("已记录：该户已纸质送达。", "Recorded: this household was reached on paper.")))
            }
            @match &v.reached {
                Some(r) => p { strong { (c.t("已送达：", "Reached: ")) (r) } },
                None => form method="post" action={"/c/" (v.slug) "/receipts/" (v.token)} {
                    (csrf(c))
                    button.primary type="submit" { (c.t("确认已送达（纸质）", "Confirm reached on paper")) }
                },
            }
        },
    )
}
