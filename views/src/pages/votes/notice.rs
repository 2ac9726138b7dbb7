//! The A4 notice of a closed vote for the paper board (bilingual: it is a
//! document posted for everyone, not a page in one reader's language).

use super::TestLine;
use super::verdict_words;
use crate::chrome::{Chrome, Msg};
use maud::{Markup, html};

pub struct NoticeView {
    pub community: String,
    pub title: String,
    pub scope: String,
    pub rule: Msg,
    pub period: String,
    /// Closed before its planned end: (planned close, actual close).
    pub closed_early: Option<(String, String)>,
    pub verdict: String,
    pub tests: Vec<TestLine>,
    pub figures: Vec<(String, String)>,
    pub publicity_until: Option<String>,
    pub is_final: bool,
    pub url: String,
    pub entry: Option<(i64, String)>,
    pub head: Option<(i64, String)>,
    pub printed: String,
}

/// The A4 notice for the paper board (公告栏): the result, every figure, a QR
/// code to the page, and the ledger hashes that anchor paper to the web.
pub fn notice_page(c: &Chrome, v: &NoticeView) -> Markup {
    // The sheet names the community's own committee in both languages.
    let zh = Chrome {
        lang: crate::Lang::Zh,
        community: c.community.clone(),
        ..Default::default()
    };
    let en = Chrome {
        lang: crate::Lang::En,
        ..zh.clone()
    };
    crate::a4::sheet(
        c,
        &v.community,
        ("表决结果公告", "Notice of a vote result"),
        &v.title,
        html! {
            dl.facts {
                dt { "范围 Scope" } dd { (v.scope) }
                dt { "规则 Rule" } dd { (v.rule.zh) br; span.other-lang { (v.rule.en) } }
                dt { "投票时间 Voting" } dd { (v.period) }
                @if let Some((planned, actual)) = &v.closed_early {
                    dt { "提前结束 Closed early" }
                    dd { "实际于 " strong { (actual) } " 结束（原定 " (planned) " 截止）"
                        br; span.other-lang { "Closed at " (actual) ", before the planned " (planned) } }
                }
                dt { "结果 Result" } dd { strong.verdict { (verdict_words(&Chrome::default(), &v.verdict)) " / " (verdict_words(&Chrome { lang: crate::Lang::En, ..Default::default() }, &v.verdict)) } }
            }
            table.notice-figures {
                tbody { @for (k, val) in &v.figures { tr { th scope="row" { (k) } td { (val) } } } }
            }
            ul.tests { @for t in &v.tests { li { (if t.met { "✓ " } else { "✗ " }) (t.text.zh) br; span.other-lang { (t.text.en) } } } }
            @if v.is_final {
                p { strong { "本结果已过公示期，为最终结果。This result is final." } }
            } @else if let Some(u) = &v.publicity_until {
                p { "公示期至 " (u) "。如有异议，请在公示期内在网上或到" (zh.committee()) "提出。" br;
                    span.other-lang { "Publicity period until " (u) ". Objections may be lodged online or with " (en.committee()) " until then." } }
            }
        },
        html! { (crate::a4::foot(&v.url, "扫码查看完整结果、选票清单和核验方法：", "本结果记录", v.entry.as_ref(), v.head.as_ref(), &v.printed)) },
    )
}
