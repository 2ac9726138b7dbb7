//! The account page's record of the resident's own actions: proposals
//! written and co-signed, votes taken part in (with the receipt), round
//! ballots, and questions asked with their answers. Each list shows its
//! latest rows and a link to all of them; an empty one says so in words.

use crate::chrome::{Chrome, Msg};
use maud::{Markup, html};

/// One thing the resident did, linked to where it lives.
pub struct Item {
    pub href: String,
    pub title: String,
    /// (CSS class suffix, words), e.g. a proposal's status.
    pub tag: Option<(String, Msg)>,
    /// Short facts shown under the title, in the reader's language.
    pub facts: Vec<Msg>,
    /// A receipt code, shown as a code.
    pub receipt: Option<String>,
    /// Texts quoted in full: (what it is, the text), e.g. a question and its answer.
    pub texts: Vec<(Msg, String)>,
}

/// One list: its latest items and how many there are in all.
pub struct List {
    pub items: Vec<Item>,
    pub total: i64,
    /// Whether this list was asked for in full (`?all=KEY`).
    pub expanded: bool,
}

pub struct Mine {
    pub proposals: List,
    pub cosigns: List,
    pub votes: List,
    pub rounds: List,
    pub questions: List,
}

/// A section's key (for its anchor and `?all=`), heading and empty text.
struct Words {
    key: &'static str,
    heading: (&'static str, &'static str),
    empty: (&'static str, &'static str),
}

const SECTIONS: [Words; 5] = [
    Words {
        key: "proposals",
        heading: ("我的提案", "My proposals"),
        empty: ("你还没有写过提案。", "You have not written a proposal yet."),
    },
    Words {
        key: "cosigns",
        heading: ("我附议的提案", "Proposals I co-signed"),
        empty: (
            "你还没有附议过提案（撤回的附议不在这里）。",
            "You have not co-signed a proposal (withdrawn co-signatures are not listed).",
        ),
    },
    Words {
        key: "votes",
        heading: ("我参加的表决", "Votes I am in"),
        empty: (
            "你还不在任何表决的选民名单里。",
            "You are not in the electorate of any vote yet.",
        ),
    },
    Words {
        key: "rounds",
        heading: ("我在公益创投中的投票", "My micro-venture ballots"),
        empty: (
            "你还没有在公益创投中投过票。",
            "You have not voted in a micro-venture round yet.",
        ),
    },
    Words {
        key: "questions",
        heading: ("我的提问", "My questions"),
        empty: (
            "你还没有对公开事项提过问题。",
            "You have not asked about a disclosure yet.",
        ),
    },
];

fn item(c: &Chrome, i: &Item) -> Markup {
    html! {
        li {
            a href=(i.href) { (i.title) }
            @if let Some((class, words)) = &i.tag { " " span class={"tag status-" (class)} { (c.t(&words.zh, &words.en)) } }
            @if !i.facts.is_empty() || i.receipt.is_some() {
                br;
                span.muted {
                    @for (n, f) in i.facts.iter().enumerate() { @if n > 0 { " · " } (c.t(&f.zh, &f.en)) }
                }
                @if let Some(r) = &i.receipt { " " (c.t("回执码：", "Receipt: ")) strong.receipt { (r) } }
            }
            @for (what, text) in &i.texts {
                p.mine-text { strong { (c.t(&what.zh, &what.en)) "：" } span.pre { (text) } }
            }
        }
    }
}

fn section(c: &Chrome, w: &Words, l: &List) -> Markup {
    let id = format!("h-my-{}", w.key);
    html! {
        section.mine aria-labelledby=(id) {
            h2 id=(id) { (c.t(w.heading.0, w.heading.1)) " " span.muted { "(" (l.total) ")" } }
            @if l.items.is_empty() {
                p.empty { (c.t(w.empty.0, w.empty.1)) }
            } @else {
                ul.mine { @for i in &l.items { (item(c, i)) } }
                @if (l.items.len() as i64) < l.total {
                    @if l.expanded {
                        p.hint { (c.t(&format!("只显示最近 {} 条。", l.items.len()), &format!("Only the latest {} are shown.", l.items.len()))) }
                    } @else {
                        p { a href={"/account?all=" (w.key) "#" (id)} {
                            (c.t(&format!("全部 {} 条", l.total), &format!("All {}", l.total)))
                        } }
                    }
                }
            }
        }
    }
}

/// Every list, in the order of [`SECTIONS`].
pub fn record(c: &Chrome, m: &Mine) -> Markup {
    let lists = [&m.proposals, &m.cosigns, &m.votes, &m.rounds, &m.questions];
    html! {
        @for (w, l) in SECTIONS.iter().zip(lists) { (section(c, w, l)) }
    }
}
