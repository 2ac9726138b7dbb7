//! The committee's contact details on the board.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{csrf, flash, page};
use maud::{Markup, html};

pub struct ContactForm<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub hours: &'a str,
}

pub fn contact(c: &Chrome, slug: &str, v: &ContactForm, errors: &Errors, saved: bool) -> Markup {
    page(
        c,
        c.t("联系方式", "Contact details"),
        html! {
            h1 { (c.t("联系方式", "Contact details")) }
            p { (c.t("这些信息显示在议事板上，方便居民找到你们。", "Shown on the board so residents can reach you.")) }
            @if saved { (flash(c, "ok", &Msg::new("已保存。", "Saved."))) }
            (forms::summary(c, errors))
            form.stack method="post" action={"/c/" (slug) "/settings"} {
                (csrf(c))
                (forms::input(c, "name", c.t("联系人", "Contact person"), v.name, errors, Opts::default()))
                (forms::input(c, "phone", c.t("电话", "Phone"), v.phone, errors, Opts { kind: "tel", inputmode: Some("tel"), ..Default::default() }))
                (forms::input(c, "address", c.t("地址", "Address"), v.address, errors, Opts::default()))
                (forms::input(c, "hours", c.t("办公时间", "Office hours"), v.hours, errors,
                    Opts { hint: Some(("例如 周一至周五 8:30–17:00", "e.g. Mon–Fri 8:30–17:00")), ..Default::default() }))
                button.primary type="submit" { (c.t("保存", "Save")) }
            }
        },
    )
}
