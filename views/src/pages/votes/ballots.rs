//! What a closed vote publishes of its ballots: the receipts counted (a
//! secret vote) or the ballot list a page at a time, whose rows are
//! rendered once for every reader of one language ([`ballot_rows`]) and
//! kept by the server; only the reader's own row is rendered per request.

use super::page::{VoteView, choice_text};
use crate::chrome::Chrome;
use maud::{Markup, PreEscaped, html};
use std::sync::Arc;

pub struct BallotLine {
    pub who: String,
    pub choice: String,
    pub channel: crate::chrome::Msg,
    pub receipt: String,
    pub note: String,
    /// The reader's own ballot: its row is marked.
    pub mine: bool,
}

/// Rows rendered once: their HTML one after another, and where each ends.
pub type Rows = (String, Vec<usize>);

/// One page of the published ballot list as a reader gets it.
#[derive(Default)]
pub struct BallotTable {
    /// The page's rows as everyone reading in this language sees them.
    pub rows: Arc<Rows>,
    /// The reader's own rows on this page (one a channel), in order: each
    /// one's place and line, shown marked instead of the shared row.
    pub mine: Vec<(usize, BallotLine)>,
}

/// The rows of `lines` (none of them marked as the reader's own), for
/// every reader of `c`'s language; `options` are the vote's (id, words).
pub fn ballot_rows(c: &Chrome, options: &[(String, String)], lines: &[BallotLine]) -> Rows {
    let mut html = String::with_capacity(lines.len() * 200);
    let mut ends = Vec::with_capacity(lines.len());
    for b in lines {
        html.push_str(&ballot_row(c, options, b).into_string());
        ends.push(html.len());
    }
    (html, ends)
}

/// One row of the ballot list, marked when it is the reader's own.
fn ballot_row(c: &Chrome, options: &[(String, String)], b: &BallotLine) -> Markup {
    html! {
        tr.mine[b.mine] id=[b.mine.then_some("my-ballot")] {
            td { (b.who) @if b.mine { " " mark { (c.t("你的选票", "your ballot")) } } }
            td { (choice_text(c, options, &b.choice)) } td { (c.t(&b.channel.zh, &b.channel.en)) } td { code { (b.receipt) } }
        }
    }
}

/// The table's body: the kept rows, the reader's own rendered marked in
/// their places.
fn table_body(c: &Chrome, v: &VoteView) -> Markup {
    let (html, ends) = &*v.ballots.rows;
    // The kept rows between the reader's own, each own row after its run.
    let mut runs: Vec<(&str, Option<&BallotLine>)> = Vec::new();
    let mut at = 0;
    for (i, line) in &v.ballots.mine {
        if *i < ends.len() && row_start(ends, *i) >= at {
            runs.push((&html[at..row_start(ends, *i)], Some(line)));
            at = ends[*i];
        }
    }
    runs.push((&html[at..], None));
    html! {
        tbody {
            @for (shared, own) in runs {
                (PreEscaped(shared))
                @if let Some(line) = own { (ballot_row(c, &v.options, line)) }
            }
        }
    }
}

/// Where row `i` starts in the kept rows.
fn row_start(ends: &[usize], i: usize) -> usize {
    if i == 0 { 0 } else { ends[i - 1] }
}

/// What is published of the ballots: receipts (secret) or every choice
/// (open), the reader's own marked.
pub(super) fn ballots_section(c: &Chrome, v: &VoteView) -> Markup {
    if v.secret {
        return receipts_section(c, v);
    }
    html! {
        section aria-labelledby="h-ballots" {
            h2 #h-ballots { (c.t("选票清单", "Ballots")) }
            p.hint { (c.t("记名表决公布每位选民的选择。", "An open vote lists each voter's choice.")) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (c.t("选民", "Voter")) }
                    th scope="col" { (c.t("选择", "Choice")) }
                    th scope="col" { (c.t("方式", "Channel")) }
                    th scope="col" { (c.t("回执码", "Receipt")) }
                } }
                (table_body(c, v))
            } }
            @let (page, pages) = v.ballot_page;
            @if pages > 1 {
                nav.pager aria-label=(c.t("选票清单分页", "Ballot list pages")) {
                    @if page > 1 { a href={"?ballots=" (page - 1) "#h-ballots"} rel="prev" { (c.t("上一页", "Previous")) } " " }
                    span { (c.t(&format!("第 {page} / {pages} 页"), &format!("page {page} of {pages}"))) }
                    @if page < pages { " " a href={"?ballots=" (page + 1) "#h-ballots"} rel="next" { (c.t("下一页", "Next")) } }
                }
            }
        }
    }
}

/// A secret vote: the receipts counted, sorted, the reader's own marked.
fn receipts_section(c: &Chrome, v: &VoteView) -> Markup {
    html! {
        section aria-labelledby="h-ballots" {
            h2 #h-ballots { (c.t("计入的回执码", "Receipts counted")) }
            p.hint { (c.t("无记名表决只公布计入的回执码（按字母顺序），不公布谁投了什么，也不公布回执码对应的选择。",
                "A secret vote lists the receipts counted, in alphabetical order: never who voted what, nor which choice a receipt stands for.")) }
            @if let Some(r) = &v.my_receipt {
                p { (c.t("您的回执码：", "Your receipt: ")) strong.receipt { (r) } }
            }
            @if v.receipts.is_empty() {
                p.empty { (c.t("没有人投票。", "Nobody voted.")) }
            } @else {
                details {
                    summary { (c.t("查看全部 ", "Show all ")) (v.receipts.len()) (c.t(" 个回执码", " receipts")) }
                    ul.receipts { @for r in &v.receipts {
                        @if v.my_receipt.as_ref() == Some(r) {
                            li.mine #my-ballot { mark { code { (r) } " " (c.t("你的选票", "your ballot")) } }
                        } @else { li { code { (r) } } }
                    } }
                }
            }
        }
    }
}
