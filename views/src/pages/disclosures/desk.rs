//! The committee's and supervisors' desk: what waits on them, activation
//! and reset requests, and the last ledger check.

use super::*;
use crate::chrome::{Chrome, Msg};
use crate::layout::{bi, flash, page, scroll_region};
use crate::pages::desk::{WaitGroup, wait_group};
use maud::{Markup, html};

pub struct DeskView {
    /// What waits on the reader: the committee's list, or the supervisors'
    /// and what they wait for from the committee.
    pub groups: Vec<WaitGroup>,
    /// Disclosures under review (the first few) and how many in all.
    pub awaiting: (Vec<Line>, i64),
    /// Disclosures queried and back with the committee, and how many in all.
    pub waiting_committee: (Vec<Line>, i64),
    pub overdue: Vec<CategoryLine>,
    pub verify: Option<VerifyView>,
    /// Password resets of accounts in this community, and activation codes
    /// issued to residents who already had an account, newest first.
    pub resets: Vec<ResetLine>,
    /// First activations (codes for residents without an account, used), newest first.
    pub activations: Vec<ActivationLine>,
}

/// A first activation, for the supervisors: who issued the code, when,
/// when and from where it was used, and what to look at.
pub struct ActivationLine {
    /// The resident's name and the login the account got.
    pub account: String,
    pub by: String,
    pub issued: String,
    pub used: String,
    pub used_ip: String,
    /// Warnings: the address that used it is the issuer's, or a committee address.
    pub flags: Vec<Msg>,
}

/// One reset or re-issued code, for the supervisors: who, when, why.
pub struct ResetLine {
    pub at: String,
    /// What happened: "password reset by the committee's code", "code issued"…
    pub what: Msg,
    /// Whoever did it (name and login).
    pub by: String,
    /// The account concerned (login, and the resident's name if known).
    pub account: String,
    pub reason: String,
    /// For a reset: whether the owner acknowledged it, when, from which kind
    /// of session and address. Empty for a code not (yet) used.
    pub acknowledged: Option<Msg>,
    /// Warnings (same address as the issuer, acknowledged from the address that used the code).
    pub flags: Vec<Msg>,
}

pub struct VerifyView {
    pub ok: bool,
    pub entries: usize,
    pub head: Option<String>,
    pub explanation: Msg,
}

/// More lines than a desk list shows: how many more, in words.
fn more(c: &Chrome, shown: usize, all: i64) -> Markup {
    html! {
        @if (shown as i64) < all {
            p.muted { (c.t("另有 ", "and ")) (all - shown as i64) (c.t(" 项未列出，见公开栏。", " more, on the disclosure board.")) }
        }
    }
}

/// The desk: what waits on the reader (the committee's list, or the
/// supervisors'), what awaits review, what is overdue, and a one-click
/// check of the whole ledger.
pub fn desk_page(c: &Chrome, slug: &str, v: &DeskView) -> Markup {
    let title = if c.is_committee() {
        c.t("工作台", "Committee desk")
    } else {
        c.t("监督台", "Oversight desk")
    };
    page(
        c,
        title,
        html! {
            h1 { (title) }
            @for g in &v.groups { (wait_group(c, g)) }
            (verify(c, slug, v))
            section aria-labelledby="h-await" {
                h2 #h-await { (c.t("等待审核的公开事项", "Disclosures awaiting review")) " (" (v.awaiting.1) ")" }
                @if v.awaiting.0.is_empty() {
                    p.empty { (c.t("没有等待审核的公开事项。", "No disclosure is waiting for review.")) }
                } @else {
                    (line_list(c, slug, &v.awaiting.0, true))
                    (more(c, v.awaiting.0.len(), v.awaiting.1))
                }
            }
            @if !v.waiting_committee.0.is_empty() {
                section aria-labelledby="h-queried" {
                    h2 #h-queried { (c.t("已质询，等待", "Queried, awaiting ")) (c.committee()) (c.t("答复", "")) " (" (v.waiting_committee.1) ")" }
                    (line_list(c, slug, &v.waiting_committee.0, true))
                    (more(c, v.waiting_committee.0.len(), v.waiting_committee.1))
                }
            }
            section aria-labelledby="h-overdue" {
                h2 #h-overdue { (c.t("逾期未公开", "Overdue")) }
                @if v.overdue.is_empty() { p.empty { (c.t("没有逾期的类别。", "Nothing is overdue.")) } } @else { (categories(c, slug, &v.overdue)) }
            }
            (resets(c, v))
            (activations(c, v))
        },
    )
}

/// The result of a ledger check, if asked, and the button to ask.
fn verify(c: &Chrome, slug: &str, v: &DeskView) -> Markup {
    html! {
        section aria-labelledby="h-verify" {
            h2 #h-verify { (c.t("核验公开记录", "Verify the ledger")) }
            @if let Some(r) = &v.verify {
                (flash(c, if r.ok { "ok" } else { "error" }, &r.explanation))
                @if let Some(h) = &r.head { p { (c.t("共 ", "")) (r.entries) (c.t(" 条记录，最新哈希：", " entries; head hash: ")) code.hash { (h) } } }
            }
            form method="get" action={"/c/" (slug) "/desk"} {
                input type="hidden" name="verify" value="1";
                button.primary type="submit" { (c.t("立即核验", "Verify now")) }
            }
            p.hint { (c.t("核验会重新计算每条记录的哈希，并检查每项已公开的内容、签署、答复和表决是否仍与记录一致。", "Verification recomputes every entry's hash and checks that every published disclosure, signature, answer and vote still matches its entry.")) }
        }
    }
}

/// Password resets and re-issued codes, each with its owner's acknowledgement.
fn resets(c: &Chrome, v: &DeskView) -> Markup {
    html! {
        section aria-labelledby="h-resets" {
            h2 #h-resets { (c.t("密码重置和重发的激活码", "Password resets and re-issued codes")) }
            p.hint { (c.t(&format!("给已有账户的居民发的激活码会重置其密码；每次重置都记为发码的{}成员或运维的操作。请核对原因是否属实。", c.committee_zh()),
                          "A code for a resident who already has an account resets that account's password; each reset is recorded as the act of the committee member who issued the code, or of the operator. Check that the reasons hold.")) }
            @if v.resets.is_empty() {
                p.empty { (c.t("最近没有。", "None recently.")) }
            } @else {
                (scroll_region(c.t("密码重置（可左右滚动）", "Password resets (scrolls sideways)"), html! { table {
                    thead { tr {
                        th scope="col" { (c.t("时间", "When")) }
                        th scope="col" { (c.t("事项", "What")) }
                        th scope="col" { (c.t("操作人", "By")) }
                        th scope="col" { (c.t("账户", "Account")) }
                        th scope="col" { (c.t("原因", "Reason")) }
                        th scope="col" { (c.t("本人确认", "Owner's acknowledgement")) }
                    } }
                    tbody { @for r in &v.resets { tr {
                        td { (r.at) } td { (bi(c, &r.what)) } td { (r.by) } td { (r.account) } td { (r.reason) }
                        td {
                            @if let Some(a) = &r.acknowledged { (bi(c, a)) }
                            @for f in &r.flags { br; strong.flag { "⚠ " (bi(c, f)) } }
                        }
                    } } }
                } }))
            }
        }
    }
}

/// First activations, each with who issued the code and where it was used.
fn activations(c: &Chrome, v: &DeskView) -> Markup {
    html! {
        section aria-labelledby="h-activations" {
            h2 #h-activations { (c.t("首次激活", "First activations")) }
            p.hint { (c.t(&format!("{0}掌握名册并发放激活码，也就能自己拿激活码激活一位从未激活的居民。这里列出每次首次激活：谁发的码、何时发、何时从哪个地址使用。标记只是提示核对：居民在{0}办公室当场激活，地址也会相同。", c.committee_zh()),
                          "The committee keeps the roll and hands out the codes, so it could use a code itself to activate a resident who never did. Each first activation is listed: who issued the code, when, and when and from which address it was used. A flag is a reason to ask, not proof: a resident who activates at the committee's office shares its address.")) }
            @if v.activations.is_empty() {
                p.empty { (c.t("最近没有。", "None recently.")) }
            } @else {
                (scroll_region(c.t("首次激活（可左右滚动）", "First activations (scrolls sideways)"), html! { table {
                    thead { tr {
                        th scope="col" { (c.t("账户", "Account")) }
                        th scope="col" { (c.t("发码人", "Issued by")) }
                        th scope="col" { (c.t("发码时间", "Issued")) }
                        th scope="col" { (c.t("使用时间", "Used")) }
                        th scope="col" { (c.t("使用地址", "Used from")) }
                    } }
                    tbody { @for a in &v.activations { tr {
                        td { (a.account) } td { (a.by) } td { (a.issued) } td { (a.used) }
                        td { code { (a.used_ip) } @for f in &a.flags { br; strong.flag { "⚠ " (bi(c, f)) } } }
                    } } }
                } }))
            }
        }
    }
}
