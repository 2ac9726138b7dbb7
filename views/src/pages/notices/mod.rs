//! The record of notices (送达台账) for the committee: the outbox, one
//! notice's reach per building and every delivery attempt; the printable
//! delivery list with tear-off receipts; the receipt a grid worker scans;
//! a vote's reach figures.

pub mod paper;
pub mod record;

use crate::chrome::{Bi, Chrome};
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
    pub warning: Option<Bi>,
}

pub fn vote_reach(c: &Chrome, v: &VoteReachView) -> Markup {
    html! {
        section.reach #reach {
            h2 { (c.t("通知送达", "Notice reach")) }
            p {
                (c.t("通知发出：", "Notified: ")) (v.notified) " · "
                (c.t("已送达户数：", "Households reached: ")) strong { (ratio(v.reached, v.households)) }
            }
            @if let Some(w) = &v.warning { (crate::layout::flash(c, "error", w)) }
            (reach_table(c, &v.places, v.record.as_deref()))
            @if let Some(r) = &v.record {
                p.no-print { a href=(r) { (c.t("送达台账", "Delivery record")) } }
            }
        }
    }
}
