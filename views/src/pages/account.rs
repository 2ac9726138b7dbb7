//! Login, activation, and the account page (password change; the
//! resident's own record is drawn by [`super::mine`]).

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

pub fn login(c: &Chrome, login: &str, next: &str, errors: &Errors) -> Markup {
    page(
        c,
        c.t("登录", "Log in"),
        html! {
            h1 { (c.t("登录", "Log in")) }
            (forms::summary(c, errors))
            form.stack method="post" action="/login" {
                (csrf(c))
                input type="hidden" name="next" value=(next);
                (forms::input(c, "login", c.t("登录名", "Login name"), login, errors,
                    Opts { autocomplete: "username", required: true, ..Default::default() }))
                (forms::input(c, "password", c.t("密码", "Password"), "", errors,
                    Opts { kind: "password", autocomplete: "current-password", required: true, ..Default::default() }))
                button.primary type="submit" { (c.t("登录", "Log in")) }
            }
            p { (c.t("第一次使用？请用居委会或村委会发给您的激活码", "First time here? Use the activation code from your committee to "))
                " " a href="/activate" { (c.t("激活账户", "activate your account")) } }
            p.hint { (c.t("忘记密码？请联系居委会或村委会领取新的激活码。", "Forgot your password? Ask your committee for a new activation code.")) }
        },
    )
}

pub struct ActivateValues<'a> {
    pub code: &'a str,
    pub login: &'a str,
}

pub fn activate(c: &Chrome, v: &ActivateValues, errors: &Errors) -> Markup {
    page(
        c,
        c.t("激活账户", "Activate your account"),
        html! {
            h1 { (c.t("激活账户", "Activate your account")) }
            p { (c.t("请输入纸条上的激活码，并设置登录名和密码。激活码只能使用一次。",
                     "Type the code from your slip, then choose a login name and a password. A code works once.")) }
            (forms::summary(c, errors))
            form.stack method="post" action="/activate" {
                (csrf(c))
                (forms::input(c, "code", c.t("激活码", "Activation code"), v.code, errors,
                    Opts { required: true, hint: Some(("例如 ABCD-2345", "e.g. ABCD-2345")), ..Default::default() }))
                (forms::input(c, "login", c.t("登录名", "Login name"), v.login, errors,
                    Opts { autocomplete: "username", required: true,
                           hint: Some(("可以用手机号，或 3 到 32 位字母、数字", "Your mobile number, or 3–32 letters and digits")),
                           ..Default::default() }))
                (forms::input(c, "password", c.t("密码（至少 8 位）", "Password (8 characters or more)"), "", errors,
                    Opts { kind: "password", autocomplete: "new-password", required: true, ..Default::default() }))
                (forms::input(c, "password2", c.t("再次输入密码", "Password again"), "", errors,
                    Opts { kind: "password", autocomplete: "new-password", required: true, ..Default::default() }))
                button.primary type="submit" { (c.t("激活", "Activate")) }
            }
        },
    )
}

/// A step on a proposal the account wrote or co-signed.
pub struct UpdateLine {
    pub href: String,
    pub title: String,
    pub what: Msg,
    pub note: String,
    pub at: String,
}

pub struct AccountView {
    pub updates: Vec<UpdateLine>,
    /// What the account did itself: proposals, votes, questions.
    pub mine: super::mine::Mine,
    pub display_name: String,
    pub login: String,
    /// (community name, slug, role label zh, role label en)
    pub roles: Vec<(String, String, String, String)>,
    /// name, zone, dwelling or household
    pub home: Option<(String, String, String)>,
    pub must_change_password: bool,
    pub saved: bool,
    /// Resets of this account by someone else, not yet acknowledged.
    pub resets: Vec<Msg>,
    /// Every reset of this account, newest first: kept whatever is acknowledged.
    pub history: Vec<ResetRow>,
    /// False in a session opened by an activation code: it cannot
    /// acknowledge a reset (it may be whoever used the code).
    pub can_acknowledge: bool,
}

/// One reset of the account, for its owner: when, by whom, in which role, why.
pub struct ResetRow {
    pub at: String,
    pub by: String,
    pub role: Msg,
    pub reason: String,
    /// When the owner acknowledged it, if they have.
    pub seen: Option<String>,
}

pub fn account(c: &Chrome, v: &AccountView, errors: &Errors) -> Markup {
    page(
        c,
        c.t("我的账户", "My account"),
        html! {
            h1 { (c.t("我的账户", "My account")) }
            @if !v.resets.is_empty() {
                section #resets aria-labelledby="h-resets" {
                    h2 #h-resets { (c.t("密码重置通知", "Your password was reset")) }
                    @for r in &v.resets { (flash(c, "warn", r)) }
                    @if v.can_acknowledge {
                        form.inline method="post" action="/account/resets/seen" {
                            (csrf(c))
                            button type="submit" { (c.t("我知道了", "I have read this")) }
                        }
                    } @else {
                        p.hint { (c.t("这次是用激活码进入的。请退出，用新密码重新登录后再确认这条通知。",
                                      "You came in with an activation code. Log out and log in again with your new password to acknowledge this notice.")) }
                    }
                }
            }
            @if v.saved { (flash(c, "ok", &Msg::new("密码已修改。", "Your password was changed."))) }
            @if v.must_change_password {
                (flash(c, "warn", &Msg::new("请先设置一个新密码再继续。", "Please set a new password before you go on.")))
            }
            dl.facts {
                dt { (c.t("姓名", "Name")) } dd { (v.display_name) }
                dt { (c.t("登录名", "Login name")) } dd { (v.login) }
                @if let Some((_, zone, place)) = &v.home {
                    dt { (c.t("网格/小组", "Zone")) } dd { (zone) }
                    dt { (c.t("房屋/户", "Dwelling or household")) } dd { (place) }
                }
            }
            @if !v.roles.is_empty() {
                h2 { (c.t("我的社区", "My communities")) }
                ul {
                    @for (name, slug, zh, en) in &v.roles {
                        li { a href={"/c/" (slug)} { (name) } " — " (c.t(zh, en)) }
                    }
                }
            }
            (super::mine::record(c, &v.mine))
            (reset_history(c, v))
            @if !v.updates.is_empty() {
                section aria-labelledby="h-updates" {
                    h2 #h-updates { (c.t("我提出或附议的提案的进展", "News on proposals I made or co-signed")) }
                    ul.updates { @for u in &v.updates {
                        li { span.muted { (u.at) } " " a href=(u.href) { (u.title) } "：" strong { (c.t(&u.what.zh, &u.what.en)) }
                             @if !u.note.is_empty() { br; span.pre { (u.note) } } }
                    } }
                }
            }
            h2 #password { (c.t("修改密码", "Change password")) }
            (forms::summary(c, errors))
            form.stack method="post" action="/account/password" {
                (csrf(c))
                (forms::input(c, "current", c.t("当前密码", "Current password"), "", errors,
                    Opts { kind: "password", autocomplete: "current-password", required: true, ..Default::default() }))
                (forms::input(c, "password", c.t("新密码（至少 8 位）", "New password (8 characters or more)"), "", errors,
                    Opts { kind: "password", autocomplete: "new-password", required: true, ..Default::default() }))
                (forms::input(c, "password2", c.t("再次输入新密码", "New password again"), "", errors,
                    Opts { kind: "password", autocomplete: "new-password", required: true, ..Default::default() }))
                button.primary type="submit" { (c.t("保存新密码", "Save new password")) }
            }
        },
    )
}

/// Shown after activation or login-related notices that need no form.
pub fn message(c: &Chrome, title: &str, m: &Msg, link: (&str, &str)) -> Markup {
    page(
        c,
        title,
        html! {
            h1 { (title) }
            p.lead { (bi(c, m)) }
            p { a.button href=(link.0) { (link.1) } }
        },
    )
}

/// The account's permanent list of password resets by someone else.
fn reset_history(c: &Chrome, v: &AccountView) -> Markup {
    html! {
    @if !v.history.is_empty() {
        section #reset-history aria-labelledby="h-reset-history" {
            h2 #h-reset-history { (c.t("密码重置记录", "Password reset history")) }
            p.hint { (c.t("这个账户的密码每一次被别人重置都记在这里，确认通知后也不会消失。如有您不知道的重置，请联系监督委员会。",
                          "Every reset of this account's password by someone else is listed here, and stays after you acknowledge it. If you do not know of one, contact the supervision committee.")) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (c.t("时间", "When")) }
                    th scope="col" { (c.t("操作人", "By")) }
                    th scope="col" { (c.t("身份", "Role")) }
                    th scope="col" { (c.t("原因", "Reason")) }
                    th scope="col" { (c.t("您已确认", "You acknowledged")) }
                } }
                tbody { @for r in &v.history { tr {
                    td { (r.at) } td { (r.by) } td { (bi(c, &r.role)) } td { (r.reason) }
                    td { @match &r.seen { Some(at) => { (at) } None => { span.muted { (c.t("未确认", "not yet")) } } } }
                } } }
            } }
        }
    }
    }
}
