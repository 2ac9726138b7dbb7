//! The committee's record pages: the outbox (every notice with its reach and
//! deliveries by state) and one notice's households and attempts.

use super::{PlaceLine, ratio, reach_table};
use crate::chrome::{Chrome, Msg};
use crate::layout::{csrf, page, scroll_region};
use maud::{Markup, html};

/// A notice in the outbox list.
pub struct NoticeLine {
    pub id: i64,
    pub when: String,
    pub kind: Msg,
    pub title: Msg,
    pub households: i64,
    pub reached: i64,
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
}

pub fn outbox(c: &Chrome, slug: &str, rows: &[NoticeLine]) -> Markup {
    page(
        c,
        c.t("送达台账", "Delivery record"),
        html! {
            h1 { (c.t("送达台账", "Delivery record")) }
            p.hint { (c.t("每条通知送到了哪些户、怎样送到的。失败的发送可重发。", "Which households each notice reached and how. Failed deliveries can be resent.")) }
            @if rows.is_empty() { p { (c.t("还没有通知。", "No notices yet.")) } }
            @else {
                (scroll_region(c.t("送达台账（可左右滚动）", "Delivery record (scrolls sideways)"), html! { table.outbox {
                    thead { tr {
                        th { (c.t("时间", "When")) } th { (c.t("类别", "Kind")) } th { (c.t("通知", "Notice")) }
                        th { (c.t("已送达户数", "Households reached")) }
                        th { (c.t("待发送", "Queued")) } th { (c.t("已发送", "Sent")) }
                        th { (c.t("失败", "Failed")) } th { (c.t("未发送", "Not sent")) }
                    } }
                    tbody { @for r in rows { tr class=[(r.failed > 0).then_some("has-failed")] {
                        td { (r.when) } td { (bi_one(c, &r.kind)) }
                        td { a href={"/c/" (slug) "/notices/" (r.id)} { (bi_one(c, &r.title)) } }
                        td { (ratio(r.reached, r.households)) }
                        td { (r.waiting) } td { (r.sent) } td { @if r.failed > 0 { strong { (r.failed) } } @else { (r.failed) } } td { (r.skipped) }
                    } } }
                } }))
            }
        },
    )
}

/// The reader's language only.
pub fn bi_one<'a>(c: &Chrome, m: &'a Msg) -> &'a str {
    c.t(&m.zh, &m.en)
}

/// One attempt of a delivery.
pub struct AttemptLine {
    pub n: i64,
    pub when: String,
    pub outcome: Msg,
    pub detail: Option<Msg>,
}

/// One delivery, its address masked.
pub struct DeliveryLine {
    pub id: i64,
    pub household: String,
    pub channel: Msg,
    pub to: String,
    pub state: Msg,
    pub failed: bool,
    pub can_resend: bool,
    pub error: Option<Msg>,
    pub attempts: Vec<AttemptLine>,
}

/// A post to a group chat: channel, outcome and when.
pub struct PostLine {
    pub channel: Msg,
    pub state: Msg,
    pub failed: bool,
    /// "sent 2026-11-21 09:30" or "next attempt …", in the reader's language.
    pub when: Msg,
    pub attempts: i64,
    pub error: Option<Msg>,
}

pub struct NoticeRecord {
    pub slug: String,
    pub id: i64,
    pub when: String,
    pub kind: Msg,
    pub title: Msg,
    pub body: Msg,
    pub path: String,
    pub households: i64,
    pub reached: i64,
    pub places: Vec<PlaceLine>,
    pub deliveries: Vec<DeliveryLine>,
    pub posts: Vec<PostLine>,
    pub flash: Option<Msg>,
}

fn posts(c: &Chrome, posts: &[PostLine]) -> Markup {
    html! {
        h2 #posts { (c.t("群消息", "Group chat posts")) }
        @if posts.is_empty() {
            p { (c.t("这条通知没有发到群里（社区没有开启企业微信群或网络钩子，或它只给部分居民）。", "This notice went to no group chat (no WeCom group or webhook is on, or it is for some residents only).")) }
        } @else {
            p.hint { (c.t("群消息不针对某一户，不计入送达户数。", "A group post is for no one household and counts no household reached.")) }
            table.posts {
                thead { tr {
                    th { (c.t("渠道", "Channel")) } th { (c.t("状态", "State")) }
                    th { (c.t("时间", "When")) } th { (c.t("尝试次数", "Attempts")) }
                } }
                tbody { @for p in posts { tr class=[p.failed.then_some("failed")] {
                    td { (bi_one(c, &p.channel)) }
                    td { (bi_one(c, &p.state)) @if let Some(e) = &p.error { br; small.error { (bi_one(c, e)) } } }
                    td { (bi_one(c, &p.when)) }
                    td { (p.attempts) }
                } } }
            }
        }
    }
}

pub fn notice(c: &Chrome, v: &NoticeRecord) -> Markup {
    let base = format!("/c/{}/notices/{}", v.slug, v.id);
    page(
        c,
        bi_one(c, &v.title),
        html! {
            p.crumbs { a href={"/c/" (v.slug) "/notices"} { (c.t("送达台账", "Delivery record")) } }
            h1 { (bi_one(c, &v.title)) }
            @if let Some(f) = &v.flash { div.flash.ok role="status" { (bi_one(c, f)) } }
            p { (bi_one(c, &v.kind)) " · " (v.when) " · " a href=(v.path) { (c.t("通知的页面", "The notice's page")) } }
            p { (bi_one(c, &v.body)) }
            h2 { (c.t("各楼栋送达情况", "Reach per building")) " " (ratio(v.reached, v.households)) }
            (reach_table(c, &v.places, Some(&base)))
            p.no-print {
                a href={(base) "/paper"} { (c.t("打印全部送达清单和回执", "Print every delivery list with receipts")) } " · "
                a href={(base) "/paper?unreached=1"} { (c.t("全部未送达的户", "Every household not yet reached")) }
            }
            (posts(c, &v.posts))
            h2 { (c.t("每次发送", "Every delivery attempt")) }
            @if v.deliveries.is_empty() { p { (c.t("这条通知没有经渠道发送的记录。", "No delivery through a channel for this notice.")) } }
            @else { (scroll_region(c.t("每次发送（可左右滚动）", "Delivery attempts (scrolls sideways)"), html! { table.deliveries {
                thead { tr {
                    th { (c.t("户", "Household")) } th { (c.t("渠道", "Channel")) } th { (c.t("地址", "Address")) }
                    th { (c.t("状态", "State")) } th { (c.t("各次尝试", "Attempts")) } th {}
                } }
                tbody { @for d in &v.deliveries { tr class=[d.failed.then_some("failed")] {
                    td { (d.household) } td { (bi_one(c, &d.channel)) } td { (d.to) }
                    td.wide { (bi_one(c, &d.state)) @if let Some(e) = &d.error { br; small.error { (bi_one(c, e)) } } }
                    td.wide { ol.attempts { @for a in &d.attempts { li value=(a.n) {
                        (a.when) " " (bi_one(c, &a.outcome))
                        @if let Some(x) = &a.detail { " — " (bi_one(c, x)) }
                    } } } }
                    td { @if d.can_resend {
                        form method="post" action={(base) "/deliveries/" (d.id) "/resend"} {
                            (csrf(c)) button type="submit" { (c.t("重发", "Resend")) }
                        }
                    } }
                } } }
            } })) }
        },
    )
}
