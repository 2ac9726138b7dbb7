//! The desks' lists of what waits: each a heading with how many, the first
//! few with links, a link to the whole list, and a sentence when nothing waits.

use crate::chrome::{Chrome, Msg};
use maud::{Markup, html};

/// One thing waiting, as a desk lists it.
pub struct WaitLine {
    pub href: String,
    pub title: String,
    /// Who, where or when, in both languages (one is shown).
    pub detail: Msg,
    /// The text, cut to a line (may be empty).
    pub text: String,
}

/// A list on a desk.
pub struct WaitList {
    /// The section's id (for its heading's anchor), e.g. "w-proposals".
    pub id: &'static str,
    pub heading: Msg,
    pub count: i64,
    pub lines: Vec<WaitLine>,
    /// What the list says when nothing waits.
    pub empty: Msg,
    /// Where the whole list is, when there are more than shown.
    pub all: Option<(String, Msg)>,
}

/// A group of lists under one heading ("待办", "等待居委会").
pub struct WaitGroup {
    pub id: &'static str,
    pub heading: Msg,
    pub lists: Vec<WaitList>,
}

fn one<'a>(c: &Chrome, b: &'a Msg) -> &'a str {
    c.t(&b.zh, &b.en)
}

/// One list: its heading and count, then its lines or its empty sentence.
pub fn wait_list(c: &Chrome, l: &WaitList) -> Markup {
    let hid = format!("h-{}", l.id);
    html! {
        section.wait-list aria-labelledby=(hid) {
            h3 id=(hid) { (one(c, &l.heading)) " " span.count { "(" (l.count) ")" } }
            @if l.lines.is_empty() {
                p.empty { (one(c, &l.empty)) }
            } @else {
                ul.wait-lines {
                    @for w in &l.lines {
                        li {
                            a href=(w.href) { (w.title) }
                            br;
                            span.muted { (one(c, &w.detail)) }
                            @if !w.text.is_empty() { br; (w.text) }
                        }
                    }
                }
                @if (l.lines.len() as i64) < l.count {
                    @if let Some((href, words)) = &l.all {
                        p { a href=(href) { (one(c, words)) " →" } }
                    } @else {
                        p.muted { (c.t("另有 ", "and ")) (l.count - l.lines.len() as i64) (c.t(" 项未列出", " more not listed")) }
                    }
                }
            }
        }
    }
}

/// A group of lists under its heading.
pub fn wait_group(c: &Chrome, g: &WaitGroup) -> Markup {
    let hid = format!("h-{}", g.id);
    html! {
        section.wait-group aria-labelledby=(hid) {
            h2 id=(hid) { (one(c, &g.heading)) }
            @for l in &g.lists { (wait_list(c, l)) }
        }
    }
}
