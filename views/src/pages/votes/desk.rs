//! The committee's desk on a vote's page: open a draft; while it is open,
//! the ballots so far, conflicts to resolve, proxies, paper ballots (one by
//! one or by tally sheet), who has not voted, and closing.

use super::Form;
use super::Shown;
use super::page::{VoteView, choices};
use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Opts};
use crate::layout::{bi, csrf, flash};
use crate::refused::Typed;
use maud::{Markup, html};

pub fn desk_section(c: &Chrome, base: &str, v: &VoteView) -> Markup {
    html! {
                section.staff-panel aria-labelledby="h-desk" {
                    h2 #h-desk { (c.t("工作台", "Committee desk")) }
                    @if v.status == Shown::Draft {
                        form method="post" action={(base) "/open"} {
                            (csrf(c))
                            button.primary type="submit" { (c.t("开始表决（固定选民名单）", "Open the vote (freeze the electorate)")) }
                        }
                    }
                    @if v.status == Shown::Open {
                        p { (c.t("已收到 ", "Ballots so far: ")) strong { (v.ballot_count) } " / " (v.electorate_count) }
                        @if !v.paper_by.is_empty() {
                            p.hint {
                                (c.t("纸质选票：", "Paper ballots: "))
                                @for (i, (who, n)) in v.paper_by.iter().enumerate() {
                                    @if i > 0 { (c.t("；", "; ")) }
                                    (who) " " (n)
                                }
                                (c.t("（结束后公布）", " (published at closing)"))
                            }
                        }
                        @if !v.conflicts.is_empty() {
                            (flash(c, "warn", &Msg::new("以下选民同时有网上和纸质选票，结束前必须选定一张：", "These voters have both an online and a paper ballot; choose one before closing:")))
                            @for (voter, own) in &v.conflicts {
                                form.inline method="post" action={(base) "/resolve"} {
                                    (csrf(c))
                                    input type="hidden" name="voter" value=(voter);
                                    (voter) " "
                                    @if *own {
                                        button type="submit" name="keep" value="online" { (c.t("作废纸质选票（网上选票是本人投的，以本人为准）", "Set the paper ballot aside (the online one is the voter's own and counts)")) }
                                    } @else {
                                        button type="submit" name="keep" value="online" { (c.t("保留代投的网上选票", "Keep the proxy's online ballot")) } " "
                                        button type="submit" name="keep" value="paper" { (c.t("保留本人的纸质选票", "Keep the voter's own paper ballot")) }
                                    }
                                }
                                br;
                            }
                        }
                        (proxies(c, base, v))
                        (paper(c, base, v))
                        @if !v.not_voted.is_empty() {
                            details {
                                summary { (c.t("尚未投票", "Not yet voted")) " (" (v.not_voted.len()) ")" }
                                ul { @for (label, dw) in &v.not_voted { li { (label) @if !dw.is_empty() { " · " (dw) } } } }
                            }
                        }
                        form method="post" action={(base) "/close"} {
                            (csrf(c))
                            button type="submit" { (c.t("结束表决并计票", "Close the vote and count")) }
                        }
                        p.hint { (c.t("截止时间到后系统自动计票；提前结束仅在所有选民都已投票时允许。", "The count runs by itself at the closing time; closing early is allowed only when every voter has voted.")) }
                    }
                    @if v.status == Shown::Draft && !v.electorate.is_empty() {
                        details {
                            summary { (c.t("选民名单预览", "Electorate preview")) " (" (v.electorate.len()) ")" }
                            ul { @for (_, label, dw) in &v.electorate { li { (label) @if !dw.is_empty() { " · " (dw) } } } }
                        }
                    }
                }
    }
}

/// The written proxies recorded, and the form to record one.
fn proxies(c: &Chrome, base: &str, v: &VoteView) -> Markup {
    html! {
                        h3 { (c.t("委托投票", "Proxies")) }
                        @if v.proxies.is_empty() { p.empty { (c.t("没有登记委托。", "No proxies recorded.")) } }
                        ul { @for (principal, proxy, auth, exp) in &v.proxies { li { (principal) " → " strong { (proxy) } " · " (auth) " · " (c.t("有效至 ", "until ")) (exp) } } }
                        details open[v.refused.is(Form::Proxy)] {
                            summary { (c.t("登记书面委托", "Record a written authorization")) }
                            @let (r, f) = (&v.refused, Form::Proxy);
                            @let e = r.errors(f);
                            @let req = |kind| Opts { kind, required: true, ..Default::default() };
                            form.stack method="post" action={(base) "/proxies"} {
                                (csrf(c))
                                (forms::summary(c, e))
                                (voter_select(c, v, "f-principal", c.t("委托人（选民）", "Principal (voter)"), r.value(f, "voter", ""), e.get("voter")))
                                (forms::input(c, "proxy", c.t("受托人在名册中的编号", "The proxy's id on the roll"), r.value(f, "proxy", ""), e, req("text")))
                                (forms::input(c, "authorization", c.t("委托书说明（编号、日期）", "Authorization (number, date)"), r.value(f, "authorization", ""), e, req("text")))
                                (forms::input(c, "expires", c.t("有效至（日期）", "Valid until (date)"), r.value(f, "expires", ""), e, req("date")))
                                button type="submit" { (c.t("登记", "Record")) }
                            }
                        }
    }
}

/// Entering paper ballots: the tally sheet, or one ballot at a time.
fn paper(c: &Chrome, base: &str, v: &VoteView) -> Markup {
    html! {
                        h3 { (c.t("录入纸质选票", "Enter a paper ballot")) }
                        p { a.button href={(base) "/tally-sheet"} { (c.t("计票单：一次录入多张纸质选票", "Tally sheet: enter many paper ballots at once")) } }
                        @let (r, f) = (&v.refused, Form::Paper);
                        @let (voter, voter_err) = (r.value(f, "voter", ""), r.errors(f).get("voter"));
                        form.stack method="post" action={(base) "/paper"} {
                            (csrf(c))
                            (voter_select(c, v, "f-voter", c.t("选民", "Voter"), voter, voter_err))
                            (choices(c, v, "p", html! { (c.t("纸质选票上的选择", "Choice on the paper ballot")) }, Some(r.value(f, "choice", "")), r.errors(f).get("choice")))
                            button type="submit" { (c.t("录入", "Record")) }
                        }
    }
}

/// A voter of the electorate to choose (`voter` chosen), its error beside it.
fn voter_select(
    c: &Chrome,
    v: &VoteView,
    id: &str,
    label: &str,
    voter: &str,
    err: Option<&Msg>,
) -> Markup {
    let err_id = format!("{id}-err");
    html! {
        div class={"field" @if err.is_some() { " has-error" }} {
            label for=(id) { (label) }
            @if let Some(m) = err { p.field-error id=(err_id) { (bi(c, m)) } }
            select id=(id) name="voter" required aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| err_id.as_str())] {
                @for (key, label, dw) in &v.electorate { option value=(key) selected[key == voter] { (label) @if !dw.is_empty() { " · " (dw) } } }
            }
        }
    }
}
