//! The page for a request that could not be done: what went wrong, in the
//! reader's language, inside the reader's own header, with a way back.

use crate::chrome::{Chrome, Msg};
use crate::layout::{bi, page};
use maud::{Markup, html};

pub fn error_page(c: &Chrome, status: u16, m: &Msg) -> Markup {
    refusal_page(c, status, m, None)
}

/// The error page with 返回 to `back` (the page the request came from, a
/// path on this site) besides the start page.
pub fn refusal_page(c: &Chrome, status: u16, m: &Msg, back: Option<&str>) -> Markup {
    let title = match status {
        403 => c.t("无权访问", "Not allowed"),
        404 => c.t("找不到页面", "Not found"),
        429 => c.t("请稍后再试", "Please wait"),
        500..=599 => c.t("出错了", "Something went wrong"),
        _ => c.t("无法完成", "Could not be done"),
    };
    page(
        c,
        title,
        html! {
            h1 { (title) }
            p.lead role="alert" { (bi(c, m)) }
            p.actions {
                @if let Some(b) = back {
                    a.button href=(b) { (c.t("← 返回", "← Back")) }
                    " "
                }
                a href="/" { (c.t("返回首页", "Back to the start page")) }
            }
        },
    )
}
