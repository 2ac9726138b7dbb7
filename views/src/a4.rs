//! The frame of every printed A4 notice: the community and the heading in
//! both languages over the title; at the end the QR code and address of its
//! web page, the ledger entry of what it shows and the ledger's head (so
//! paper anchors the web), how to check them, and when it was printed.

use crate::chrome::Chrome;
use maud::{Markup, html};

/// A notice on its page: the community, the heading (Chinese, English) and
/// the title over `body`, then `foot` ([`foot`]); under the sheet, the print
/// hint.
pub fn sheet(
    c: &Chrome,
    community: &str,
    heading: (&str, &str),
    title: &str,
    body: Markup,
    foot: Markup,
) -> Markup {
    crate::layout::page(
        c,
        title,
        html! {
            article.notice {
                p.notice-org { (community) }
                h1 { (heading.0) br; span.notice-en { (heading.1) } }
                h2 { (title) }
                (body)
                (foot)
            }
            (print_hint(c))
        },
    )
}

/// The foot of a notice. `scan` says what the web page offers ("扫码查看…："),
/// `entry_zh` names the entry ("本纪要记录").
pub fn foot(
    url: &str,
    scan: &str,
    entry_zh: &str,
    entry: Option<&(i64, String)>,
    head: Option<&(i64, String)>,
    printed: &str,
) -> Markup {
    html! {
        div.notice-foot {
            (crate::qr::svg(url, 150, "扫码查看网页 QR code to the web page"))
            div {
                p { (scan) br; code { (url) } }
                @if let Some((seq, h)) = entry { p { (entry_zh) " Ledger entry #" (seq) ":" br; code.hash { (h) } } }
                @if let Some((seq, h)) = head { p { "公开记录最新哈希 Ledger head #" (seq) ":" br; code.hash { (h) } } }
                p.check { "核对：在网上“公开记录”页输入哈希的前 8 位，即可查到这条记录。" br; "To check: type the first 8 characters of a hash on the web ledger page." }
                p.muted { "打印时间 Printed " (printed) }
            }
        }
    }
}

/// Under the sheet, on screen only: how to print it.
pub fn print_hint(c: &Chrome) -> Markup {
    html! { p.no-print { (c.t("用浏览器的“打印”打印本页（A4）。", "Print this page with the browser (A4).")) } }
}
