//! An elevator retrofit vote's block: the cost-sharing table, the affected
//! dwellings' consent and whether the retrofit may go ahead.

use super::Form;
use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Opts};
use crate::layout::{bi, csrf, flash};
use crate::refused::{Refused, Typed};
use maud::{Markup, html};

pub struct ElevatorView {
    pub total: String,
    pub coefficients_text: String,
    /// dwelling, floor, coefficient, share in yuan
    pub shares: Vec<(String, i32, String, String)>,
    pub shares_error: Option<Msg>,
    pub affected: Vec<(String, Option<bool>, String)>,
    pub signed_up: Option<(i64, usize)>,
    pub may_proceed: Option<bool>,
    pub dwellings: Vec<String>,
}

pub(super) fn elevator_section(
    c: &Chrome,
    base: &str,
    e: &ElevatorView,
    r: &Option<Refused<Form>>,
) -> Markup {
    let committee = c.is_committee();
    html! {
        section aria-labelledby="h-elevator" {
            h2 #h-elevator { (c.t("加装电梯", "Elevator retrofit")) }
            @if let Some((agree, n)) = e.signed_up {
                p.lead { (c.t("已同意：", "Agreed so far: ")) strong { (agree) } " / " (n) (c.t(" 户业主", " owners")) }
            }
            @if let Some(ok) = e.may_proceed {
                (flash(c, if ok { "ok" } else { "warn" }, &if ok {
                    Msg::new("表决通过，且所有受影响业主均已同意：可以实施。", "The vote passed and every affected owner consented: the retrofit may go ahead.")
                } else {
                    Msg::new("暂不能实施：表决未通过，或有受影响业主未同意。", "Not yet: the vote did not pass, or an affected owner has not consented.")
                }))
            }
            h3 { (c.t("受影响的房屋（电梯井占用其专有部分，须业主同意）", "Affected dwellings (the shaft occupies their private part; the owner must consent)")) }
            @if e.affected.is_empty() {
                p.empty { (c.t("没有登记受影响的房屋。", "No affected dwellings recorded.")) }
            } @else {
                ul { @for (d, consent, note) in &e.affected {
                    li { strong { (d) } " — " (match consent { Some(true) => c.t("已同意", "consented"), Some(false) => c.t("不同意（否决）", "refused (veto)"), None => c.t("尚未表态", "no answer yet") })
                        @if !note.is_empty() { " · " (note) } }
                } }
            }
            h3 { (c.t("费用分摊表", "Cost sharing")) }
            @if let Some(err) = &e.shares_error { (flash(c, "error", err)) }
            @if e.shares.is_empty() {
                p.empty { (match c.lang { crate::Lang::Zh => format!("{}还没有填写总造价和楼层系数。", c.committee()), crate::Lang::En => format!("The total cost and floor coefficients have not been set by {} yet.", c.committee()) }) }
            } @else {
                p { (c.t("总造价（业主承担部分）：", "Total borne by owners: ")) strong { (e.total) } (c.t(" 元", " yuan")) }
                div.table-wrap { table {
                    thead { tr { th scope="col" { (c.t("房屋", "Dwelling")) } th scope="col" { (c.t("楼层", "Floor")) } th scope="col" { (c.t("系数", "Coefficient")) } th scope="col" { (c.t("分摊（元）", "Share (yuan)")) } } }
                    tbody { @for (d, f, k, y) in &e.shares { tr { td { (d) } td { (f) } td { (k) } td { (y) } } } }
                } }
            }
            @if committee {
                (plan_form(c, base, e, r))
                (affected_form(c, base, e, r))
            }
        }
    }
}

/// The committee's form for the plan: open, as typed, when it came back refused.
fn plan_form(c: &Chrome, base: &str, e: &ElevatorView, r: &Option<Refused<Form>>) -> Markup {
    let errors = r.errors(Form::Plan);
    let total = r.value(Form::Plan, "total", &e.total);
    let coefficients = r.value(Form::Plan, "coefficients", &e.coefficients_text);
    let decimal = Opts {
        required: true,
        inputmode: Some("decimal"),
        ..Default::default()
    };
    html! {
        details open[r.is(Form::Plan)] {
            summary { (c.t("设置分摊", "Set the cost sharing")) }
            form.stack method="post" action={(base) "/elevator"} {
                (csrf(c))
                (forms::summary(c, errors))
                (forms::input(c, "total", c.t("业主承担的总造价（元）", "Total borne by owners (yuan)"), total, errors, decimal))
                (forms::textarea(c, "coefficients", c.t("楼层系数（如 1:0, 2:0.4, 3:0.6 ……，一楼通常为 0）", "Floor coefficients (e.g. 1:0, 2:0.4, 3:0.6 …; the ground floor is usually 0)"), coefficients, errors, 3))
                button type="submit" { (c.t("保存分摊表", "Save the plan")) }
            }
        }
    }
}

/// The committee's form for an affected dwelling and its owner's answer:
/// open, as typed, when it came back refused.
fn affected_form(c: &Chrome, base: &str, e: &ElevatorView, r: &Option<Refused<Form>>) -> Markup {
    let (f, errors) = (Form::Affected, r.errors(Form::Affected));
    let (dwelling, consent) = (r.value(f, "dwelling", ""), r.value(f, "consent", ""));
    let (dw_err, cs_err) = (errors.get("dwelling"), errors.get("consent"));
    html! {
        details open[r.is(f)] {
            summary { (c.t("登记受影响房屋及业主意见", "Record an affected dwelling and the owner's answer")) }
            form.stack method="post" action={(base) "/affected"} {
                (csrf(c))
                (forms::summary(c, errors))
                div class={"field" @if dw_err.is_some() { " has-error" }} {
                    label for="f-dw" { (c.t("房屋", "Dwelling")) }
                    @if let Some(m) = dw_err { p.field-error id="f-dw-err" { (bi(c, m)) } }
                    select #f-dw name="dwelling" aria-invalid=[dw_err.map(|_| "true")] aria-describedby=[dw_err.map(|_| "f-dw-err")] {
                        @for d in &e.dwellings { option value=(d) selected[d == dwelling] { (d) } }
                    }
                }
                fieldset #f-consent class={"choices" @if cs_err.is_some() { " has-error" }}
                    aria-invalid=[cs_err.map(|_| "true")] aria-describedby=[cs_err.map(|_| "f-consent-err")] {
                    legend { (c.t("业主意见", "Owner's answer")) }
                    @if let Some(m) = cs_err { p.field-error id="f-consent-err" { (bi(c, m)) } }
                    @for (val, zh, en) in [("yes", "同意", "Consents"), ("no", "不同意（否决）", "Refuses (veto)"), ("", "尚未表态", "No answer yet")] {
                        div.field.check { input type="radio" name="consent" id={"cs-" (val)} value=(val) checked[val == consent]; label for={"cs-" (val)} { (c.t(zh, en)) } }
                    }
                }
                (forms::input(c, "note", c.t("备注（如书面同意书编号）", "Note (e.g. the written consent's number)"), r.value(f, "note", ""), errors, Opts::default()))
                button type="submit" { (c.t("登记", "Record")) }
            }
        }
    }
}
