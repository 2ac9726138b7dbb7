//! The record of notices (送达台账) for the committee: the outbox, one
//! notice's reach per building and every delivery attempt; the printable
//! delivery list with tear-off receipts; the receipt a grid worker scans;
//! a vote's reach figures and its advance notice (表决预告).

pub mod paper;
pub mod record;

use crate::chrome::{Chrome, Msg};
use maud::{Markup, html};

/// Reach in one building or villager group.
pub struct PlaceLine {
    /// `building:3` or `zone:2`, for links.
    pub place: String,
    pub label: String,
    pub households: i64,
    pub reached: i64,
    pub by_paper: i64,
    pub by_web: i64,
}

/// `reached/households (percent)`.
pub fn ratio(reached: i64, households: i64) -> String {
    if households == 0 {
        return "0/0".into();
    }
    format!("{reached}/{households}（{}%）", reached * 100 / households)
}

/// Reach per building as a table (the vote's page, the record), with links
/// to the lists for the committee when `list_base` is given
/// (`/c/x/notices/7`).
pub fn reach_table(c: &Chrome, places: &[PlaceLine], list_base: Option<&str>) -> Markup {
    html! {
        table.reach {
            thead { tr {
                th { (c.t("楼栋/村民小组", "Building / group")) }
                th { (c.t("已送达", "Reached")) }
                th { (c.t("其中纸质", "On paper")) }
                th { (c.t("其中网上", "Online")) }
                @if list_base.is_some() { th { (c.t("清单", "Lists")) } }
            } }
            tbody { @for p in places { tr {
                th scope="row" { (p.label) }
                td { (ratio(p.reached, p.households)) }
                td { (p.by_paper) }
                td { (p.by_web) }
                @if let Some(base) = list_base { td {
                    a href={(base) "/paper?place=" (p.place)} { (c.t("送达清单", "Delivery list")) }
                    " · "
                    a href={(base) "/paper?unreached=1&place=" (p.place)} { (c.t("未送达", "Not yet reached")) }
                } }
            } } }
        }
    }
}

/// A vote's reach block: the figure for everyone, the table per building,
/// and for the committee the warning and the links to the record.
pub struct VoteReachView {
    pub households: i64,
    pub reached: i64,
    pub notified: String,
    pub places: Vec<PlaceLine>,
    /// For the committee: `/c/x/notices/7`.
    pub record: Option<String>,
    pub warning: Option<Msg>,
}

pub fn vote_reach(c: &Chrome, v: &VoteReachView) -> Markup {
    html! {
        section.reach #reach {
            h2 { (c.t("通知送达", "Notice reach")) }
            p {
                (c.t("通知发出：", "Notified: ")) (v.notified) " · "
                (c.t("已送达户数：", "Households reached: ")) strong { (ratio(v.reached, v.households)) }
            }
            @if let Some(w) = &v.warning { div.flash.error role="alert" { (c.t(&w.zh, &w.en)) } }
            (reach_table(c, &v.places, v.record.as_deref()))
            @if let Some(r) = &v.record {
                p.no-print { a href=(r) { (c.t("送达台账", "Delivery record")) } }
            }
        }
    }
}

/// An advance notice that went out: when, and how far it reached.
pub struct SentAdvance {
    pub when: String,
    pub households: i64,
    pub reached: i64,
    /// Per building, shown while the vote is a draft.
    pub places: Vec<PlaceLine>,
    /// For the committee: `/c/x/notices/7`.
    pub record: Option<String>,
}

/// A vote's advance notice block (`#advance`).
pub struct AdvanceView {
    pub sent: Option<SentAdvance>,
    /// For the committee of a draft without one: the confirm page.
    pub send: Option<String>,
    /// For the committee: time short before the planned opening, or reach
    /// short of every household.
    pub warning: Option<Msg>,
}

pub fn advance_box(c: &Chrome, v: &AdvanceView) -> Markup {
    html! {
        section.reach #advance {
            h2 { (c.t("表决预告", "Advance notice")) }
            @if let Some(s) = &v.sent {
                p {
                    (c.t("预告发出：", "Sent: ")) (s.when) " · "
                    (c.t("已送达户数：", "Households reached: ")) strong { (ratio(s.reached, s.households)) }
                }
                @if !s.places.is_empty() { (reach_table(c, &s.places, s.record.as_deref())) }
                @if let Some(r) = &s.record {
                    p.no-print { a href=(r) { (c.t("预告的送达台账", "The notice's delivery record")) } }
                }
            } @else {
                p.hint { (c.t(
                    "还没有发出表决预告。业主共同决定事项应至少提前 15 天通知全体业主（物业管理条例第十四条）。",
                    "No advance notice has gone out. Owners are to be notified at least 15 days before they decide together (Property Management Regulations art. 14).",
                )) }
            }
            @if let Some(w) = &v.warning {
                div.flash.warn role="status" { (c.t(&w.zh, &w.en)) }
            }
            @if let Some(href) = &v.send {
                p.no-print { a.button href=(href) { (c.t("发出表决预告…", "Send the advance notice…")) } }
            }
        }
    }
}

/// The vote page's notice blocks: its advance notice, then its opening's reach.
pub fn vote_notices(
    c: &Chrome,
    advance: Option<&AdvanceView>,
    opening: Option<&VoteReachView>,
) -> Markup {
    html! {
        @if let Some(a) = advance { (advance_box(c, a)) }
        @if let Some(o) = opening { (vote_reach(c, o)) }
    }
}
