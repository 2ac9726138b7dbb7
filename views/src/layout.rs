//! The page frame: header with navigation for the reader's roles, language
//! and text-size switches (plain forms: they work without JavaScript), and
//! the main content. An htmx request for the main area gets the content only.

use crate::assets;
use crate::chrome::{Chrome, Msg};
use maud::{DOCTYPE, Markup, html};

const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0}"#;

pub fn page(c: &Chrome, title: &str, body: Markup) -> Markup {
    page_with(c, title, None, body)
}

/// The share card's summary when a page gives none: the community and what
/// the site is for, in the page's language.
fn default_summary(c: &Chrome) -> String {
    let what = c.t(
        "社区小事，公开商量，公开表决。",
        "Small community affairs, discussed and decided in the open.",
    );
    match &c.community {
        Some(com) => format!("{} · {what}", com.name),
        None => what.to_string(),
    }
}

/// A page with its share-card summary (Open Graph), so a link pasted into a
/// WeChat group shows a title and a summary.
pub fn page_with(c: &Chrome, title: &str, summary: Option<&str>, body: Markup) -> Markup {
    let site = c.t("议事茶馆", "Teahouse");
    let summary = summary
        .map(str::to_string)
        .unwrap_or_else(|| default_summary(c));
    if c.fragment {
        return html! { title { (title) " · " (c.t("议事茶馆", "Teahouse")) } (body) };
    }
    html! {
        (DOCTYPE)
        html lang=(c.lang.code()) class=[c.large.then_some("large")] {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=(HTMX_CONFIG);
                meta name="color-scheme" content="light";
                title { (title) " · " (site) }
                meta name="description" content=(summary);
                meta property="og:type" content="website";
                meta property="og:site_name" content=(site);
                meta property="og:title" content=(title);
                meta property="og:description" content=(summary);
                meta property="og:locale" content=(if c.lang == crate::Lang::En { "en_US" } else { "zh_CN" });
                meta property="og:url" content={(c.origin) (c.path)};
                meta property="og:image" content={(c.origin) (assets::CARD_PATH)};
                link rel="stylesheet" href=(assets::CSS_PATH);
                link rel="stylesheet" href=(assets::PRINT_CSS_PATH) media="print";
                script src=(assets::HTMX_PATH) defer {}
            }
            body {
                a.skip href="#main" { (c.t("跳到正文", "Skip to content")) }
                (header(c))
                main #main tabindex="-1" { (body) }
                footer.site-footer {
                    p { (c.t("议事茶馆：社区小事，公开商量，公开表决。", "Teahouse: small community affairs, discussed and decided in the open.")) }
                    @if let Some(com) = &c.community {
                        p.no-print { a href={"/c/" (com.slug) "/poster?path=" (urlencode(&c.path))} { (c.t("打印本页二维码海报", "Print a QR poster of this page")) } }
                    }
                }
            }
        }
    }
}

fn header(c: &Chrome) -> Markup {
    html! {
        header.site-header {
            div.brand {
                a href="/" { (c.t("议事茶馆", "Teahouse")) }
                @if let Some(com) = &c.community {
                    " · " a href={"/c/" (com.slug)} { (com.name) }
                }
            }
            nav aria-label=(c.t("主导航", "Main navigation")) {
                ul {
                    @if let Some(com) = &c.community {
                        li { a href={"/c/" (com.slug)} { (c.t("议事板", "Board")) } }
                        li { a href={"/c/" (com.slug) "/proposals"} { (c.t("提案", "Proposals")) } }
                        li { a href={"/c/" (com.slug) "/rounds"} { (c.t("公益创投", "Micro-ventures")) } }
                        li { a href={"/c/" (com.slug) "/deliberations"} { (c.t("议事会", "Meetings")) } }
                        li { a href={"/c/" (com.slug) "/disclosures"} { (c.t("公开栏", "Disclosures")) } }
                        @if com.is_committee {
                            li { a href={"/c/" (com.slug) "/roll"} { (c.t("名册", "Roll")) } }
                            li { a href={"/c/" (com.slug) "/codes"} { (c.t("激活码", "Codes")) } }
                            li { a href={"/c/" (com.slug) "/settings"} { (c.t("联系方式", "Contact")) } }
                        }
                        @if com.is_committee || com.is_supervisor {
                            li { a href={"/c/" (com.slug) "/desk"} { (if com.is_committee { c.t("工作台", "Committee desk") } else { c.t("监督台", "Oversight desk") }) } }
                            li { a href={"/c/" (com.slug) "/audit"} { (c.t("操作记录", "Audit log")) } }
                        }
                    }
                    @if let Some(u) = &c.user {
                        @if u.is_operator { li { a href="/ops" { (c.t("运维", "Operator")) } } }
                        li { a href="/account" { (c.t("我的账户", "My account")) } }
                        li {
                            form.inline method="post" action="/logout" {
                                (csrf(c))
                                button.link type="submit" { (c.t("退出", "Log out")) }
                            }
                        }
                    } @else {
                        li { a href={"/login?next=" (urlencode(&c.path))} { (c.t("登录", "Log in")) } }
                        li { a href="/activate" { (c.t("激活账户", "Activate account")) } }
                    }
                }
            }
            @if !c.csrf.is_empty() { div.prefs {
                form.inline method="post" action="/prefs" {
                    (csrf(c))
                    input type="hidden" name="next" value=(c.path);
                    @match c.lang {
                        crate::Lang::Zh => { button.link type="submit" name="lang" value="en" lang="en" { "English" } }
                        crate::Lang::En => { button.link type="submit" name="lang" value="zh" lang="zh-CN" { "中文" } }
                    }
                }
                form.inline method="post" action="/prefs" {
                    (csrf(c))
                    input type="hidden" name="next" value=(c.path);
                    @if c.large {
                        button.link type="submit" name="size" value="normal" { (c.t("标准字号", "Normal text")) }
                    } @else {
                        button.link type="submit" name="size" value="large" { (c.t("大字模式", "Large text")) }
                    }
                }
            } }
        }
    }
}

/// The hidden CSRF field every state-changing form carries.
/// A wide table in its own labelled scroll region: on a phone the table
/// scrolls sideways inside it (and a keyboard reaches it), never the page.
pub fn scroll_region(label: &str, table: Markup) -> Markup {
    html! {
        div.table-wrap.scroll-region role="region" tabindex="0" aria-label=(label) { (table) }
    }
}

pub fn csrf(c: &Chrome) -> Markup {
    html! { input type="hidden" name="_csrf" value=(c.csrf); }
}

/// A bilingual message in the reader's language only (a page shows one
/// language at a time); the other is used only when that one is empty.
pub fn bi(c: &Chrome, m: &Msg) -> Markup {
    let zh = match c.lang {
        crate::Lang::Zh => !m.zh.is_empty() || m.en.is_empty(),
        crate::Lang::En => m.en.is_empty(),
    };
    let (text, lang) = if zh { (&m.zh, "zh-CN") } else { (&m.en, "en") };
    html! { span lang=(lang) { (text) } }
}

/// Percent-encodes a string for a URL query.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A notice box for a message after an action (saved, refused...).
pub fn flash(c: &Chrome, kind: &str, m: &Msg) -> Markup {
    html! {
        div class={"flash " (kind)} role=(if kind == "error" { "alert" } else { "status" }) { (bi(c, m)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn urlencode_keeps_paths_readable() {
        assert_eq!(
            urlencode("/c/wutong/roll?q=3-2"),
            "/c/wutong/roll%3Fq%3D3-2"
        );
        assert_eq!(urlencode("张"), "%E5%BC%A0");
    }

    #[test]
    fn bilingual_messages_show_the_readers_language_only() {
        let m = Msg::new("你好", "hello");
        let zh = bi(&Chrome::default(), &m).into_string();
        assert!(zh.contains("你好") && !zh.contains("hello"), "{zh}");
        let en_reader = Chrome {
            lang: Lang::En,
            ..Default::default()
        };
        let en = bi(&en_reader, &m).into_string();
        assert_eq!(en, r#"<span lang="en">hello</span>"#);
        // A message with one language only is shown in it to every reader.
        let only_zh = bi(&en_reader, &Msg::new("你好", "")).into_string();
        assert_eq!(only_zh, r#"<span lang="zh-CN">你好</span>"#);
    }

    #[test]
    fn every_page_has_a_share_card_in_its_language() {
        let zh = page(&Chrome::default(), "议事板", html! { p { "x" } }).into_string();
        assert!(zh.contains(r#"<meta property="og:title" content="议事板">"#));
        assert!(
            zh.contains(r#"property="og:description" content="社区小事，公开商量，公开表决。""#)
        );
        let en = page_with(
            &Chrome {
                lang: Lang::En,
                ..Default::default()
            },
            "Board",
            Some("Vote on the lift"),
            html! {},
        )
        .into_string();
        assert!(en.contains(r#"<meta property="og:description" content="Vote on the lift">"#));
        assert!(en.contains(r#"content="Teahouse""#) && !en.contains("议事茶馆"));
    }

    #[test]
    fn error_pages_without_a_request_carry_no_empty_csrf_forms() {
        let page = page(&Chrome::default(), "x", html! { p { "x" } }).into_string();
        assert!(!page.contains(r#"name="_csrf" value="""#));
    }
}
