//! The operator's page: communities and their first staff accounts.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{csrf, flash, page};
use maud::{Markup, html};

pub struct StaffLine {
    pub login: String,
    pub display_name: String,
    pub role_zh: String,
    pub role_en: String,
    pub community: String,
}

pub struct OpsView {
    pub communities: Vec<(String, String, bool)>,
    pub staff: Vec<StaffLine>,
    pub notice: Option<Msg>,
}

pub struct CommunityValues {
    pub slug: String,
    pub name: String,
    pub kind: String,
}

pub struct StaffValues {
    pub community: String,
    pub role: String,
    pub login: String,
    pub display_name: String,
    pub reset_password: bool,
    pub reason: String,
}

pub fn ops(
    c: &Chrome,
    v: &OpsView,
    cv: &CommunityValues,
    cerr: &Errors,
    sv: &StaffValues,
    serr: &Errors,
) -> Markup {
    page(
        c,
        c.t("运维", "Operator"),
        html! {
            h1 { (c.t("运维", "Operator")) }
            @if let Some(n) = &v.notice { (flash(c, "ok", n)) }
            (communities(c, v, cv, cerr))
            (staff(c, v, sv, serr))
        },
    )
}

/// The communities, and the form to create one.
fn communities(c: &Chrome, v: &OpsView, cv: &CommunityValues, cerr: &Errors) -> Markup {
    let kinds = vec![
        (
            "compound".to_string(),
            c.t("小区（居委会）", "Residential compound").to_string(),
        ),
        (
            "village".to_string(),
            c.t("村（村委会）", "Village").to_string(),
        ),
    ];
    html! {
        h2 { (c.t("社区和村", "Communities and villages")) }
        @if v.communities.is_empty() {
            p.empty { (c.t("还没有社区。", "No community yet.")) }
        } @else {
            ul { @for (slug, name, village) in &v.communities {
                li { a href={"/c/" (slug)} { (name) } " (" (slug) ", " (if *village { c.t("村", "village") } else { c.t("小区", "compound") }) ")" }
            } }
        }
        h3 { (c.t("新建社区", "New community")) }
        (forms::summary(c, cerr))
        form.stack method="post" action="/ops/communities" {
            (csrf(c))
            (forms::input(c, "name", c.t("名称", "Name"), &cv.name, cerr, Opts { required: true, ..Default::default() }))
            (forms::input(c, "slug", c.t("网址名（小写字母、数字、短横线）", "URL name (lower-case letters, digits, dashes)"), &cv.slug, cerr,
                Opts { required: true, hint: Some(("例如 xingfu-village", "e.g. xingfu-village")), ..Default::default() }))
            (forms::select(c, "kind", c.t("类型", "Kind"), &kinds, &cv.kind, cerr))
            button.primary type="submit" { (c.t("创建", "Create")) }
        }
    }
}

/// The staff accounts, and the form to create one or add a role.
fn staff(c: &Chrome, v: &OpsView, sv: &StaffValues, serr: &Errors) -> Markup {
    let mut com_opts: Vec<(String, String)> = v
        .communities
        .iter()
        .map(|(s, n, _)| (s.clone(), n.clone()))
        .collect();
    if com_opts.is_empty() {
        com_opts.push((
            String::new(),
            c.t("（先创建社区）", "(create a community first)")
                .to_string(),
        ));
    }
    let roles = vec![
        (
            "committee".to_string(),
            c.t("居委会/村委会", "Committee").to_string(),
        ),
        (
            "supervisor".to_string(),
            c.t("监督委员会", "Supervision committee").to_string(),
        ),
    ];
    html! {
        h2 { (c.t("工作人员账户", "Staff accounts")) }
        @if v.staff.is_empty() {
            p.empty { (c.t("还没有工作人员账户。", "No staff accounts yet.")) }
        } @else {
            div.table-wrap { table {
                thead { tr { th scope="col" { (c.t("登录名", "Login")) } th scope="col" { (c.t("姓名", "Name")) } th scope="col" { (c.t("角色", "Role")) } th scope="col" { (c.t("社区", "Community")) } } }
                tbody { @for s in &v.staff { tr { td { (s.login) } td { (s.display_name) } td { (c.t(&s.role_zh, &s.role_en)) } td { (s.community) } } } }
            } }
        }
        h3 { (c.t("新建工作人员账户", "New staff account")) }
        p.hint { (c.t("新账户会得到一个临时密码（只显示一次），首次登录时必须修改。已有登录名的账户只会被加上这个角色，密码不变；只有勾选“重置此账户密码”并写明原因，才会重设临时密码（记录为运维的操作，并告知本人）。同一社区里，居委会/村委会成员不能同时是监督委员会成员（村民委员会组织法第三十二条）。",
                      "A new account gets a one-time temporary password (shown once) that must be changed at first login. An existing login only gets the role added; its password stays unless you tick \"Reset this account's password\" and state a reason (recorded as the operator's act; the owner is told). In one community, nobody is on the committee and the supervision committee at once (Organic Law of Villagers Committees, art. 32).")) }
        (forms::summary(c, serr))
        form.stack method="post" action="/ops/staff" {
            (csrf(c))
            (forms::select(c, "community", c.t("社区", "Community"), &com_opts, &sv.community, serr))
            (forms::select(c, "role", c.t("角色", "Role"), &roles, &sv.role, serr))
            (forms::input(c, "login", c.t("登录名", "Login name"), &sv.login, serr, Opts { required: true, ..Default::default() }))
            (forms::input(c, "display_name", c.t("姓名", "Name"), &sv.display_name, serr, Opts { required: true, ..Default::default() }))
            fieldset {
                legend { (c.t("已有账户", "An existing account")) }
                (forms::checkbox("reset_password", c.t("重置此账户密码", "Reset this account's password"), sv.reset_password))
                (forms::input(c, "reason", c.t("重置原因（勾选时必填）", "Reason for the reset (required when ticked)"), &sv.reason, serr, Opts::default()))
            }
            button.primary type="submit" { (c.t("创建账户或加上角色", "Create the account or add the role")) }
        }
    }
}
