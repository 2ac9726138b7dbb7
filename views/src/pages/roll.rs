//! The roll: the list (filtered by zone and building, paged, a labelled
//! scroll region on a phone), one resident's form, a new resident's form.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{csrf, flash, page, urlencode};
use maud::{Markup, html};

pub struct Line {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub zone: String,
    pub place: String,
    pub owner: bool,
    pub adult: bool,
    pub representative: bool,
    pub phone: String,
    pub login: Option<String>,
    pub active: bool,
}

/// Which page of the list: page n of N, or what was typed when it was not
/// a page number.
pub enum Page {
    At(usize, usize),
    Bad(Msg),
}

pub struct RollView {
    pub slug: String,
    pub zones: Vec<(i64, String)>,
    pub zone: Option<i64>,
    pub buildings: Vec<(i64, String)>,
    pub building: Option<i64>,
    pub q: String,
    pub without_account: bool,
    pub include_inactive: bool,
    pub page: Page,
    pub total: i64,
    pub lines: Vec<Line>,
    pub is_village: bool,
    /// A zone or building that is not one of the lists, by field.
    pub errors: Errors,
}

/// The zone filter's name: villager group in a village, grid in a compound.
pub fn zone_label(is_village: bool) -> Msg {
    if is_village {
        Msg::new("村民小组", "Villager group")
    } else {
        Msg::new("网格", "Grid")
    }
}

pub fn building_label() -> Msg {
    Msg::new("楼栋", "Building")
}

fn yes(c: &Chrome, b: bool) -> &'static str {
    if b { c.t("是", "yes") } else { "" }
}

/// The list's page `page` with the same filters.
fn href(v: &RollView, page: usize) -> String {
    let mut q = format!("/c/{}/roll?page={page}", v.slug);
    if let Some(z) = v.zone {
        q.push_str(&format!("&zone={z}"));
    }
    if let Some(b) = v.building {
        q.push_str(&format!("&building={b}"));
    }
    if !v.q.is_empty() {
        q.push_str(&format!("&q={}", urlencode(&v.q)));
    }
    if v.without_account {
        q.push_str("&without_account=1");
    }
    if v.include_inactive {
        q.push_str("&include_inactive=1");
    }
    q
}

/// The page numbers a pager links to: the first, the last and two either
/// side of the current one; `None` where numbers are left out.
fn window(n: usize, pages: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for p in 1..=pages {
        if p == 1 || p == pages || p.abs_diff(n) <= 2 {
            out.push(Some(p));
        } else if out.last() != Some(&None) {
            out.push(None);
        }
    }
    out
}

fn filters(c: &Chrome, v: &RollView) -> Markup {
    let base = format!("/c/{}/roll", v.slug);
    let all = (String::new(), c.t("全部", "All").to_string());
    let zone_opts: Vec<_> = std::iter::once(all.clone())
        .chain(v.zones.iter().map(|(id, n)| (id.to_string(), n.clone())))
        .collect();
    let building_opts: Vec<_> = std::iter::once(all)
        .chain(
            v.buildings
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone())),
        )
        .collect();
    let sel = |x: Option<i64>| x.map(|z| z.to_string()).unwrap_or_default();
    let (zl, bl) = (zone_label(v.is_village), building_label());
    html! {
        form.filters method="get" action=(base)
            hx-get=(base) hx-target="#roll-results" hx-select="#roll-results" hx-swap="outerHTML"
            hx-push-url="true" hx-trigger="input changed delay:400ms from:#f-q, change, submit" {
            (forms::select(c, "zone", c.t(&zl.zh, &zl.en), &zone_opts, &sel(v.zone), &v.errors))
            @if !v.buildings.is_empty() {
                (forms::select(c, "building", c.t(&bl.zh, &bl.en), &building_opts, &sel(v.building), &v.errors))
            }
            (forms::input(c, "q", c.t("查找（姓名、编号、电话、房号）", "Search (name, id, phone, dwelling)"), &v.q, &Errors::none(),
                Opts { kind: "search", ..Default::default() }))
            (forms::checkbox("without_account", c.t("只看未激活账户的", "Only those without an account"), v.without_account))
            (forms::checkbox("include_inactive", c.t("包括已迁出的", "Include moved out"), v.include_inactive))
            button type="submit" { (c.t("查找", "Search")) }
        }
    }
}

fn table(c: &Chrome, v: &RollView) -> Markup {
    let base = format!("/c/{}/roll", v.slug);
    let zone = if v.is_village {
        c.t("小组", "Group")
    } else {
        c.t("网格", "Grid")
    };
    html! {
        div.table-wrap.scroll-region role="region" tabindex="0" aria-labelledby="roll-caption" {
            table.roll {
                caption #roll-caption.visually-hidden { (c.t("居民名册（可左右滚动）", "Residents (scrolls sideways)")) }
                thead { tr {
                    th scope="col" { (c.t("姓名", "Name")) }
                    th scope="col" { (c.t("房屋/户", "Dwelling")) }
                    th scope="col" { (c.t("编号", "Id")) }
                    th scope="col" { (zone) }
                    th scope="col" { (c.t("电话", "Phone")) }
                    th scope="col" { (c.t("业主", "Owner")) }
                    th scope="col" { (c.t("成年", "Adult")) }
                    th scope="col" { (c.t("代表", "Rep.")) }
                    th scope="col" { (c.t("账户", "Account")) }
                } }
                tbody {
                    @for l in &v.lines {
                        tr class=[(!l.active).then_some("inactive")] {
                            td { a href={(base) "/residents/" (l.id)} { (l.name) } @if !l.active { " " span.tag { (c.t("已迁出", "moved out")) } } }
                            td { (l.place) }
                            td { (l.key) }
                            td { (l.zone) }
                            td { (l.phone) }
                            td { (yes(c, l.owner)) }
                            td { (yes(c, l.adult)) }
                            td { (yes(c, l.representative)) }
                            td { @if let Some(login) = &l.login { (login) } @else { span.muted { (c.t("未激活", "none")) } } }
                        }
                    }
                }
            }
        }
    }
}

fn pager(c: &Chrome, v: &RollView, n: usize, pages: usize) -> Markup {
    html! {
        @if pages > 1 {
            nav.pager aria-label=(c.t("名册翻页", "Roll pages")) {
                @if n > 1 { a rel="prev" href=(href(v, n - 1)) { "← " (c.t("上一页", "Previous")) } }
                @for p in window(n, pages) {
                    @match p {
                        Some(p) if p == n => { span aria-current="page" { (p) } }
                        Some(p) => { a href=(href(v, p)) aria-label={(c.t("第 ", "Page ")) (p) (c.t(" 页", ""))} { (p) } }
                        None => { span.muted aria-hidden="true" { "…" } }
                    }
                }
                @if n < pages { a rel="next" href=(href(v, n + 1)) { (c.t("下一页", "Next")) " →" } }
            }
        }
    }
}

fn results(c: &Chrome, v: &RollView) -> Markup {
    let filtered = v.zone.is_some() || v.building.is_some() || !v.q.is_empty() || v.without_account;
    html! {
        div #roll-results {
            (forms::summary(c, &v.errors))
            @match &v.page {
                Page::Bad(m) => {
                    (flash(c, "error", m))
                    p { a href=(href(v, 1)) { (c.t("回到第 1 页", "Go to page 1")) } }
                }
                Page::At(n, pages) if *n > *pages => {
                    (flash(c, "error", &Msg::new(
                        format!("没有第 {n} 页：符合条件的共 {} 人，{pages} 页。", v.total),
                        format!("There is no page {n}: {} residents match, {pages} page(s).", v.total),
                    )))
                    p { a href=(href(v, 1)) { (c.t("回到第 1 页", "Go to page 1")) } " · "
                        a href=(href(v, *pages)) { (c.t("最后一页", "Last page")) } }
                }
                Page::At(..) if v.lines.is_empty() => {
                    p.empty aria-live="polite" {
                        @if filtered {
                            (c.t("没有符合条件的居民。", "Nobody matches these filters.")) " "
                            a href={"/c/" (v.slug) "/roll"} { (c.t("看全部居民", "Show everyone")) }
                        } @else {
                            (c.t("名册是空的。可以从 Excel 导入，或逐个添加居民。", "The roll is empty. Import it from Excel, or add residents one by one."))
                        }
                    }
                }
                Page::At(n, pages) => {
                    p aria-live="polite" {
                        (c.t("共 ", "")) strong { (v.total) } (c.t(" 人", " residents"))
                        (c.t("，第 ", ", page ")) (n) " / " (pages) (c.t(" 页", ""))
                    }
                    (table(c, v))
                    (pager(c, v, *n, *pages))
                }
            }
        }
    }
}

pub fn list(c: &Chrome, v: &RollView) -> Markup {
    let base = format!("/c/{}/roll", v.slug);
    page(
        c,
        c.t("名册", "Roll"),
        html! {
            h1 { (c.t("名册", "Roll")) }
            p.actions {
                a.button href={(base) "/import"} { (c.t("导入 Excel/CSV", "Import Excel/CSV")) } " "
                a.button href={(base) "/export.xlsx"} { (c.t("导出 Excel", "Export Excel")) } " "
                a.button href={(base) "/export.csv"} { (c.t("导出 CSV", "Export CSV")) } " "
                a.button href={(base) "/residents/new"} { (c.t("添加居民", "Add a resident")) }
            }
            (filters(c, v))
            (results(c, v))
        },
    )
}

pub struct ResidentValues {
    pub key: String,
    pub household: String,
    pub name: String,
    pub phone: String,
    pub adult: bool,
    pub owner: bool,
    pub representative: bool,
    pub active: bool,
}

pub struct ResidentInfo {
    pub id: i64,
    pub zone: String,
    pub place: String,
    pub login: Option<String>,
    /// The account is also a committee member's, a supervisor's or the
    /// operator's: no code can reset it.
    pub office: bool,
    /// The reason for a reset code, as typed, and why none was issued.
    pub reason: String,
    pub reason_error: Option<Msg>,
}

/// One form for both a new resident (info = None) and an existing one.
pub fn resident_form(
    c: &Chrome,
    slug: &str,
    info: Option<&ResidentInfo>,
    v: &ResidentValues,
    errors: &Errors,
    saved: bool,
) -> Markup {
    let base = format!("/c/{slug}/roll");
    let title = if info.is_some() {
        v.name.as_str()
    } else {
        c.t("添加居民", "Add a resident")
    };
    let action = match info {
        Some(i) => format!("{base}/residents/{}", i.id),
        None => format!("{base}/residents"),
    };
    page(
        c,
        title,
        html! {
            p { a href=(base) { "← " (c.t("名册", "Roll")) } }
            h1 { (title) }
            @if saved { (flash(c, "ok", &Msg::new("已保存。", "Saved."))) }
            @if let Some(i) = info {
                dl.facts {
                    dt { (c.t("编号", "Id")) } dd { (v.key) }
                    dt { (c.t("网格/小组", "Zone")) } dd { (i.zone) }
                    dt { (c.t("房屋/户", "Dwelling or household")) } dd { (i.place) }
                    dt { (c.t("账户", "Account")) }
                    dd { @if let Some(l) = &i.login { (l) } @else { (c.t("尚未激活", "not activated yet")) } }
                }
            }
            (forms::summary(c, errors))
            (resident_fields(c, info, v, errors, &action))
            @if let Some(i) = info { (code_section(c, slug, i)) }
        },
    )
}

/// A code for a resident without an account, or, with a reason, one that
/// resets the account's password (not for an office holder's account).
fn code_section(c: &Chrome, slug: &str, i: &ResidentInfo) -> Markup {
    let mut code_errs = Errors::none();
    if let Some(m) = i.reason_error.as_ref() {
        code_errs.add("reason", m.clone());
    }
    html! {
        h2 #h-code { (c.t("激活码", "Activation code")) }
        @if i.login.is_none() {
            p { (c.t("发一张激活码，居民用它激活账户。旧的未用激活码会作废。",
                     "Issue a code; the resident uses it to activate an account. Older unused codes stop working.")) }
            form method="post" action={"/c/" (slug) "/codes"} {
                (csrf(c))
                input type="hidden" name="resident" value=(i.id);
                button type="submit" { (c.t("生成并打印激活码", "Issue and print a code")) }
            }
        } @else if i.office {
            @let m = i.reason_error.clone().unwrap_or_else(|| Msg::new(
                format!("这位居民的账户同时是{}、监督委员会成员或运维的账户，激活码不能重设它的密码。请让本人联系运维。", c.committee_zh()),
                "This resident's account is also a committee member's, a supervisor's or the operator's: an activation code cannot reset it. The owner should ask the operator."));
            (flash(c, "warn", &m))
        } @else {
            p { (c.t("这位居民已有账户。新激活码会重设这个账户的密码（登录名不变），旧的未用激活码会作废。请写明原因：原因会在本人下次登录时告知本人，并列在监督台上，由监督委员会查看。",
                     "This resident has an account. A new code resets its password (the login name stays); older unused codes stop working. State the reason: the owner is told at their next login, and it is listed on the oversight desk for the supervisors.")) }
            (forms::summary(c, &code_errs))
            form.stack method="post" action={"/c/" (slug) "/codes"} {
                (csrf(c))
                input type="hidden" name="resident" value=(i.id);
                (forms::input(c, "reason", c.t("重设密码的原因", "Reason for the reset"), &i.reason, &code_errs,
                    Opts { required: true, hint: Some(("例如：本人来办公室说忘记了密码", "e.g. came to the office, forgot the password")), ..Default::default() }))
                button type="submit" { (c.t("生成重设密码用的激活码", "Issue a code to reset the password")) }
            }
        }
    }
}

/// The resident's fields (id and household only for a new one).
fn resident_fields(
    c: &Chrome,
    info: Option<&ResidentInfo>,
    v: &ResidentValues,
    errors: &Errors,
    action: &str,
) -> Markup {
    html! {
        form.stack method="post" action=(action) {
            (csrf(c))
            @if info.is_none() {
                (forms::input(c, "key", c.t("编号", "Id"), &v.key, errors,
                    Opts { required: true, hint: Some(("名册中的唯一编号，例如 C-0421", "The unique id in your sheet, e.g. C-0421")), ..Default::default() }))
                (forms::input(c, "household", c.t("户号或房号", "Household or dwelling"), &v.household, errors,
                    Opts { required: true, hint: Some(("已有的户号，或房号如 3-2-501", "An existing household, or a dwelling like 3-2-501")), ..Default::default() }))
            }
            (forms::input(c, "name", c.t("姓名", "Name"), &v.name, errors, Opts { required: true, ..Default::default() }))
            (forms::input(c, "phone", c.t("电话", "Phone"), &v.phone, errors, Opts { kind: "tel", inputmode: Some("tel"), ..Default::default() }))
            fieldset {
                legend { (c.t("身份", "Status")) }
                (forms::checkbox("adult", c.t("成年人", "Adult"), v.adult))
                (forms::checkbox("owner", c.t("业主（产权人之一）", "Owner (one of the owning party)"), v.owner))
                (forms::checkbox("representative", c.t("村民代表", "Villagers' representative"), v.representative))
                @if info.is_some() { (forms::checkbox("active", c.t("在册（取消表示已迁出）", "On the roll (untick when moved out)"), v.active)) }
            }
            button.primary type="submit" { (c.t("保存", "Save")) }
        }
    }
}
