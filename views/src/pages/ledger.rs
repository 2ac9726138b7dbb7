//! The public ledger page: its entries, a check of what is new, and a
//! search by the first characters of a hash printed on a paper notice.

use crate::chrome::{Bi, Chrome};
use crate::layout::{flash, page};
use maud::{Markup, html};

pub struct LedgerLine {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub hash: String,
}

/// One entry found by its hash, in full.
pub struct Found {
    pub line: LedgerLine,
    pub prev: String,
    /// Where the record lives on the site, if it has a page.
    pub link: Option<String>,
    /// The records it anchors, in words.
    pub records: Vec<Bi>,
}

pub struct LedgerView {
    pub slug: String,
    pub lines: Vec<LedgerLine>,
    pub intact: Option<Bi>,
    /// What was typed into the search, and what it found.
    pub query: String,
    pub search: Option<Result<Vec<Found>, Bi>>,
}

pub fn ledger_page(c: &Chrome, v: &LedgerView) -> Markup {
    page(
        c,
        c.t("公开记录", "Public ledger"),
        html! {
            h1 { (c.t("公开记录", "Public ledger")) }
            p { (c.t("所有公布的内容（表决、公开事项、会议纪要、提案、微创投……）都按顺序记在这里，每条记录包含前一条的哈希值。任何改动都会被发现。",
                     "Everything published (votes, disclosures, minutes, proposals, rounds…) is recorded here in order; each entry includes the previous entry's hash, so any change is detected.")) }
            @if let Some(m) = &v.intact { (flash(c, "info", m)) }
            form.search method="get" action={"/c/" (v.slug) "/ledger"} {
                label for="hash" { (c.t("按哈希查找（输入纸质公告上哈希的前 8 位）", "Find by hash (type the first 8 characters printed on a paper notice)")) }
                input #hash type="text" name="hash" value=(v.query) inputmode="latin" autocomplete="off" spellcheck="false" maxlength="64";
                button type="submit" { (c.t("查找", "Find")) }
            }
            @match &v.search {
                Some(Err(m)) => { (flash(c, "error", m)) }
                Some(Ok(found)) if found.is_empty() => {
                    (flash(c, "error", &Bi::new(
                        format!("没有以“{}”开头的记录。请核对纸质公告上的字符。", v.query),
                        format!("No entry's hash starts with \"{}\". Check the characters on the paper notice.", v.query),
                    )))
                }
                Some(Ok(found)) => {
                    @for f in found {
                        section.found {
                            h2 { (c.t("第 ", "Entry ")) (f.line.seq) (c.t(" 条记录", "")) }
                            dl {
                                dt { (c.t("时间", "When")) } dd { (f.line.at) }
                                dt { (c.t("事项", "Kind")) } dd { code { (f.line.kind) } }
                                dt { (c.t("对象", "Subject")) } dd {
                                    @if let Some(l) = &f.link { a href=(l) { (f.line.subject) } } @else { (f.line.subject) }
                                }
                                dt { (c.t("哈希", "Hash")) } dd { code.hash.full { (f.line.hash) } }
                                dt { (c.t("前一条的哈希", "Previous hash")) } dd { code.hash.full { (f.prev) } }
                            }
                            @if !f.records.is_empty() {
                                p { (c.t("这条记录登记了：", "This entry anchors:")) }
                                ul { @for r in &f.records { li { (c.t(&r.zh, &r.en)) } } }
                            }
                        }
                    }
                }
                None => {}
            }
            p { a href={"/api/v1/c/" (v.slug) "/ledger.jsonl"} { (c.t("下载全部记录（JSON Lines）", "Download the ledger (JSON Lines)")) }
                " · " code { "teahouse verify --ledger ledger.jsonl" } }
            @if v.lines.is_empty() {
                p.empty { (c.t("还没有记录。", "No entries yet.")) }
            } @else {
                div.table-wrap { table {
                    thead { tr { th scope="col" { "#" } th scope="col" { (c.t("时间", "When")) } th scope="col" { (c.t("事项", "Kind")) } th scope="col" { (c.t("对象", "Subject")) } th scope="col" { (c.t("哈希", "Hash")) } } }
                    tbody { @for l in &v.lines { tr {
                        td { (l.seq) } td { (l.at) } td { code { (l.kind) } } td { (l.subject) }
                        td { a href={"/c/" (v.slug) "/ledger?hash=" (l.hash.get(..8).unwrap_or(&l.hash))} title=(l.hash) { code.hash { (l.hash.get(..8).unwrap_or(&l.hash)) } } }
                    } } }
                } }
            }
        },
    )
}
