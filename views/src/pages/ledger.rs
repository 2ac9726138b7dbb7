//! The public ledger page: its entries, a check of what is new, and a
//! search by the first characters of a hash printed on a paper notice.

use crate::chrome::{Chrome, Msg};
use crate::layout::{flash, page};
use maud::{Markup, html};

pub struct LedgerLine {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub hash: String,
    /// The page of the list (newest first) this entry is on.
    pub page: i64,
}

/// What an entry's kind means, in Chinese and English; None for a kind
/// this version does not know (shown as its code).
pub fn kind_words(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "vote.opened" => ("表决开始，选民名单固定", "vote opened, electorate frozen"),
        "vote.closed" => ("表决结束，结果公布", "vote closed, result published"),
        "vote.objection" => ("对表决结果提出异议", "objection to a vote result"),
        "vote.answer" => ("答复异议", "objection answered"),
        "vote.final" => ("表决结果生效", "vote result final"),
        "vote.changed" => ("表决记录变更", "vote record changed"),
        "vote.elevator" => ("加装电梯费用分摊表", "elevator cost-sharing table"),
        "vote.consent" => ("受影响业主的意见", "affected owner's answer"),
        "disclosure.submitted" => ("公开事项提交审核", "disclosure submitted for review"),
        "disclosure.signed" => ("监督委员会签字", "supervisor signed"),
        "disclosure.queried" => ("监督委员会质询", "supervisor queried"),
        "disclosure.question" => ("居民提问", "resident's question"),
        "disclosure.answered" => ("答复质询或提问", "query or question answered"),
        "disclosure.published" => ("公开事项发布", "disclosure published"),
        "disclosure.corrected" => ("更正后重新发布", "correction published"),
        "disclosure.correcting" => ("开始更正", "correction started"),
        "disclosure.changed" => ("公开事项记录变更", "disclosure record changed"),
        "disclosure.revision" => ("公开事项的一个版本", "disclosure revision"),
        "disclosure.thread" => ("质询、提问与答复", "query, question or answer"),
        "disclosure.answer_accepted" => ("监督委员会认可答复", "supervisor accepted an answer"),
        "disclosure.requeried" => ("监督委员会再次质询", "supervisor queried again"),
        "disclosure.verdict" => (
            "监督委员会对答复的意见",
            "supervisor's verdict on an answer",
        ),
        "meeting.changed" => ("议事会记录变更", "meeting record changed"),
        "meeting.agenda" => ("议事会议题", "meeting agenda item"),
        "meeting.attendance" => ("议事会签到", "meeting attendance"),
        "meeting.guest" => ("列席人员", "meeting guest"),
        "minutes.published" => ("会议纪要发布", "minutes published"),
        "minutes.amended" => ("会议纪要修订", "minutes amended"),
        "minutes.revision" => ("会议纪要的一个版本", "minutes revision"),
        "minutes.confirmed" => ("与会者确认纪要", "minutes confirmed"),
        "action.closed" => ("跟进事项办结", "follow-up closed"),
        "action.changed" => ("跟进事项变更", "follow-up changed"),
        "proposal.decided" => ("提案审议结果", "proposal decided"),
        "proposal.completed" => ("提案办结", "proposal completed"),
        "proposal.changed" => ("提案记录变更", "proposal record changed"),
        "proposal.cosigned" => ("居民附议", "co-signed"),
        "proposal.cosign_withdrawn" => ("居民撤回附议", "co-signature withdrawn"),
        "proposal.commented" => ("提案评论", "proposal comment"),
        "proposal.step" => ("提案进展", "proposal step"),
        "proposal.rated" => ("居民评价", "resident's rating"),
        "round.vote_opened" => ("创投投票开始", "round voting opened"),
        "round.results" => ("创投结果公布", "round results published"),
        "round.changed" => ("创投轮次变更", "round changed"),
        "round.project" => ("创投项目", "round project"),
        "round.milestone" => ("项目进度与花费", "project milestone"),
        "attachment.added" => ("附件登记", "attachment recorded"),
        "ledger.upgraded" => ("升级时登记已有记录", "existing records anchored at upgrade"),
        _ => return None,
    })
}

/// An entry's kind in the page's language, its code kept in the title.
fn kind(c: &Chrome, code: &str) -> Markup {
    html! {
        @match kind_words(code) {
            Some((zh, en)) => { span title=(code) { (c.t(zh, en)) } }
            None => { code { (code) } }
        }
    }
}

/// Where the list is: page n of pages, or a page number that is not one.
pub enum Page {
    At(usize, usize),
    Bad(Msg),
}

/// One entry found by its hash, in full.
pub struct Found {
    pub line: LedgerLine,
    pub prev: String,
    /// Where the record lives on the site, if it has a page.
    pub link: Option<String>,
    /// The records it anchors, in words.
    pub records: Vec<Msg>,
}

pub struct LedgerView {
    pub slug: String,
    /// This page of entries, newest first.
    pub lines: Vec<LedgerLine>,
    /// How many entries there are in all.
    pub total: i64,
    pub page: Page,
    pub intact: Option<Msg>,
    /// What was typed into the search, and what it found.
    pub query: String,
    pub search: Option<Result<Vec<Found>, Msg>>,
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
                    (flash(c, "error", &Msg::new(
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
                                dt { (c.t("事项", "Kind")) } dd {
                                    @if let Some((zh, en)) = kind_words(&f.line.kind) { (c.t(zh, en)) " " small { code { (f.line.kind) } } }
                                    @else { code { (f.line.kind) } }
                                }
                                dt { (c.t("对象", "Subject")) } dd {
                                    @if let Some(l) = &f.link { a href=(l) { (f.line.subject) } } @else { (f.line.subject) }
                                }
                                dt { (c.t("哈希", "Hash")) } dd { code.hash.full { (f.line.hash) } }
                                dt { (c.t("前一条的哈希", "Previous hash")) } dd { code.hash.full { (f.prev) } }
                            }
                            p { a href=(page_href(v, f.line.page as usize)) { (c.t("在列表第 ", "On page ")) (f.line.page) (c.t(" 页", " of the list")) } }
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
            @match &v.page {
                Page::Bad(m) => {
                    (flash(c, "error", m))
                    p { a href=(page_href(v, 1)) { (c.t("回到第 1 页", "Go to page 1")) } }
                }
                Page::At(n, pages) if *n > *pages => {
                    (flash(c, "error", &Msg::new(
                        format!("没有第 {n} 页：共 {} 条记录，{pages} 页。", v.total),
                        format!("There is no page {n}: {} entries, {pages} page(s).", v.total),
                    )))
                    p { a href=(page_href(v, 1)) { (c.t("回到第 1 页", "Go to page 1")) } }
                }
                Page::At(..) if v.lines.is_empty() => {
                    p.empty { (c.t("还没有记录。", "No entries yet.")) }
                }
                Page::At(n, pages) => {
                    p { (c.t("最新的在前；共 ", "Newest first; ")) (v.total) (c.t(" 条，第 ", " entries, page "))
                        (n) " / " (pages) (c.t(" 页", "")) }
                    (entries(c, v))
                    @if *pages > 1 { (pager(c, v, *n, *pages)) }
                }
            }
        },
    )
}

/// The page's entries, newest first, each hash shortened to its first 8
/// digits (a link to it; the whole hash as its title).
fn entries(c: &Chrome, v: &LedgerView) -> Markup {
    html! {
        div.table-wrap { table.ledger {
            thead { tr { th scope="col" { "#" } th scope="col" { (c.t("时间", "When")) } th scope="col" { (c.t("事项 · 对象", "Kind · subject")) } th scope="col" { (c.t("哈希", "Hash")) } } }
            tbody { @for l in &v.lines { tr {
                td { (l.seq) } td { (l.at) } td { (kind(c, &l.kind)) br; span.muted { (l.subject) } }
                td { a href={"/c/" (v.slug) "/ledger?hash=" (l.hash.get(..8).unwrap_or(&l.hash))} title=(l.hash) { code.hash { (l.hash.get(..8).unwrap_or(&l.hash)) } } }
            } } }
        } }
    }
}

/// Links to the newer and older pages around page `n` of `pages`.
fn pager(c: &Chrome, v: &LedgerView, n: usize, pages: usize) -> Markup {
    html! {
        nav.pager aria-label=(c.t("翻页", "Pages")) {
            @if n > 1 { a rel="prev" href=(page_href(v, n - 1)) { "← " (c.t("较新", "Newer")) } " " }
            span { (c.t("第 ", "Page ")) (n) " / " (pages) (c.t(" 页", "")) }
            @if n < pages { " " a rel="next" href=(page_href(v, n + 1)) { (c.t("较早", "Older")) " →" } }
        }
    }
}

/// The list's page `n`, keeping the hash searched for.
fn page_href(v: &LedgerView, n: usize) -> String {
    let mut href = format!("/c/{}/ledger?page={n}", v.slug);
    if !v.query.is_empty() {
        href.push_str("&hash=");
        href.push_str(&encode(&v.query));
    }
    href
}

/// Percent-encodes what a resident typed, for a query string.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
