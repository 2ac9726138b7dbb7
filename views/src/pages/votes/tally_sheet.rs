//! The committee's tally sheet: the voters who have not voted, in dwelling
//! order, one row each with the choice read off their paper ballot ("no
//! paper ballot" by default), saved at once; and the sheets kept for a
//! second committee member's check. Plain forms: no script needed.

use crate::chrome::{Chrome, Msg};
use crate::forms::{Errors, summary};
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

/// One row of the sheet.
pub struct SheetRow {
    /// Its number on the sheet, from 1.
    pub n: usize,
    pub voter: String,
    pub who: String,
    pub dwellings: String,
    /// What was chosen on the form (kept when the sheet comes back).
    pub chosen: Vec<String>,
    pub error: Option<Msg>,
}

/// A sheet kept for a second check.
pub struct PendingSheet {
    pub id: i64,
    pub entered_by: String,
    /// The reader entered it, so cannot be its check.
    pub mine: bool,
    /// (row, who, dwellings, the canonical ballot: "agree", "A+C"...).
    pub rows: Vec<(usize, String, String, String)>,
    pub error: Option<Msg>,
}

pub struct TallySheetView {
    pub vote_id: i64,
    pub title: String,
    pub scope: String,
    /// Accepting ballots now; otherwise only a note and the way back.
    pub open: bool,
    /// (id, words) of a single- or multiple-choice vote; empty: agree/disagree/abstain.
    pub options: Vec<(String, String)>,
    pub max_choices: usize,
    pub rows: Vec<SheetRow>,
    /// The "second check" box as it was left.
    pub check: bool,
    /// A secret vote offers no second check: it would show a second person
    /// whose ballot is whose.
    pub secret: bool,
    pub errors: Errors,
    pub pending: Vec<PendingSheet>,
    pub notice: Option<Msg>,
}

/// The choices of a decision (agree, disagree, abstain), or the options.
fn choices(c: &Chrome, v: &TallySheetView) -> Vec<(String, String)> {
    if v.options.is_empty() {
        return crate::choices::DECISION
            .iter()
            .map(|(name, w)| (name.to_string(), c.w(*w).to_string()))
            .collect();
    }
    let mut out: Vec<(String, String)> = v
        .options
        .iter()
        .map(|(id, w)| (id.clone(), format!("{id} {w}")))
        .collect();
    out.push(("abstain".into(), c.w(crate::choices::ABSTAIN).into()));
    out
}

/// A canonical ballot in the reader's words: each option chosen, or the decision.
fn choice_words(c: &Chrome, v: &TallySheetView, ballot: &str) -> String {
    let all = choices(c, v);
    ballot
        .split('+')
        .map(|id| {
            all.iter()
                .find(|(val, _)| val == id)
                .map_or(id.to_string(), |(_, w)| w.clone())
        })
        .collect::<Vec<_>>()
        .join(c.t("；", "; "))
}

fn row(c: &Chrome, v: &TallySheetView, r: &SheetRow) -> Markup {
    let name = format!("c-{}", r.voter);
    let multiple = v.max_choices > 1;
    let kind = if multiple { "checkbox" } else { "radio" };
    let err_id = format!("row-{}-err", r.n);
    html! {
        fieldset.sheet-row.has-error[r.error.is_some()] id={"row-" (r.n)}
            aria-describedby=[r.error.as_ref().map(|_| err_id.clone())] {
            legend {
                span.row-n { (c.t("第 ", "Row ")) (r.n) (c.t(" 行", "")) }
                " " strong { (r.who) }
                @if !r.dwellings.is_empty() { " · " (r.dwellings) }
            }
            input type="hidden" name="voter" value=(r.voter);
            @if let Some(e) = &r.error { p.field-error id=(err_id) { (bi(c, e)) } }
            div.sheet-choices {
                @for (val, words) in choices(c, v) {
                    @let id = format!("r{}-{val}", r.n);
                    span.field.check {
                        input type=(kind) name=(name) id=(id) value=(val) checked[r.chosen.contains(&val)];
                        label for=(id) { (words) }
                    }
                }
                @if !multiple {
                    @let id = format!("r{}-none", r.n);
                    span.field.check {
                        input type="radio" name=(name) id=(id) value="" checked[r.chosen.is_empty()];
                        label for=(id) { (c.t("无纸质选票", "No paper ballot")) }
                    }
                }
            }
        }
    }
}

fn pending_sheet(c: &Chrome, v: &TallySheetView, base: &str, p: &PendingSheet) -> Markup {
    html! {
        section.pending-sheet aria-labelledby={"h-sheet-" (p.id)} {
            h3 id={"h-sheet-" (p.id)} {
                (c.t("待核对的计票单 #", "Sheet #")) (p.id) (c.t("", " waiting for its check"))
                " · " (c.t("录入：", "entered by ")) (p.entered_by)
            }
            @if let Some(e) = &p.error { (flash(c, "error", e)) }
            ol.sheet-check {
                @for (n, who, dw, choice) in &p.rows {
                    li value=(n) { strong { (who) } @if !dw.is_empty() { " · " (dw) } " — " (choice_words(c, v, choice)) }
                }
            }
            @if p.mine {
                p.hint { (c.t("您录入了这张计票单，须由另一位委员核对后才计入。", "You entered this sheet: another committee member must check it before it counts.")) }
            } @else {
                form.inline method="post" action={(base) "/tally-sheet/" (p.id) "/confirm"} {
                    (csrf(c))
                    button.primary type="submit" { (c.t("核对无误，计入这些选票", "Checked: count these ballots")) }
                }
            }
            " "
            form.inline method="post" action={(base) "/tally-sheet/" (p.id) "/discard"} {
                (csrf(c))
                button type="submit" { (c.t("作废这张计票单", "Discard this sheet")) }
            }
        }
    }
}

pub fn tally_sheet_page(c: &Chrome, slug: &str, v: &TallySheetView) -> Markup {
    let base = format!("/c/{slug}/votes/{}", v.vote_id);
    page(
        c,
        c.t("纸质选票计票单", "Paper ballot tally sheet"),
        html! {
            p.crumbs { a href=(base) { (c.t("返回表决", "Back to the vote")) } }
            h1 { (c.t("纸质选票计票单", "Paper ballot tally sheet")) }
            p { strong { (v.title) } " · " (v.scope) }
            // What was just done, in the reader's language only.
            @if let Some(n) = &v.notice { div.flash.ok role="status" { (c.t(&n.zh, &n.en)) } }
            @for p in &v.pending { (pending_sheet(c, v, &base, p)) }
            @if !v.open {
                p.empty { (c.t("这项表决不在投票中，不能录入纸质选票。", "This vote is not open: no paper ballots can be entered.")) }
            } @else if v.rows.is_empty() {
                p.empty { (c.t("名单上的选民都已投票（或在待核对的计票单上）。", "Every voter on the list has voted (or is on a sheet waiting for its check).")) }
            } @else {
                p.hint { (c.t(
                    "尚未投票的选民，按楼栋、单元、楼层、房号排列。每行照纸质选票勾选；没有交回选票的保留“无纸质选票”。整张计票单一次保存：有一行不能计入，就一张都不计入，并在那一行说明原因。",
                    "The voters who have not voted, by building, unit, floor and room. Tick each row as its paper ballot reads; leave \"No paper ballot\" where none came back. The sheet is saved at once: if one row cannot be counted, none is, and that row says why.")) }
                (summary(c, &v.errors))
                form.stack.tally-sheet method="post" action={(base) "/tally-sheet"} {
                    (csrf(c))
                    @for r in &v.rows { (row(c, v, r)) }
                    @if v.secret {
                        p.hint { (c.t("无记名表决：计票单直接计入，不交第二人核对（核对会让第二个人看到谁投了什么）。", "Secret vote: the sheet counts as saved, with no second check (a check would show a second person whose ballot is whose).")) }
                    } @else {
                    div.field.check {
                        input type="checkbox" name="check" id="f-check" value="1" checked[v.check];
                        label for="f-check" { (c.t("先交另一位委员核对，核对后才计入", "Have another committee member check it first; it counts only once checked")) }
                    }
                    }
                    button.primary type="submit" { (c.t("保存计票单", "Save the sheet")) }
                }
            }
        },
    )
}
