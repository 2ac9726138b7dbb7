//! Activation codes: choose whom to print for, then an A4 sheet of slips
//! (in the reader's language; the expiry above the instructions, so that
//! it stays inside the cut lines).

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{csrf, flash, page};
use crate::qr;
use maud::{Markup, html};

pub struct CodesForm {
    pub zones: Vec<(i64, String)>,
    pub zone: Option<i64>,
    pub adults_only: bool,
    pub days: String,
    pub is_village: bool,
}

pub fn choose(c: &Chrome, slug: &str, v: &CodesForm, errors: &Errors) -> Markup {
    let mut zone_opts = vec![(String::new(), c.t("全部", "All").to_string())];
    zone_opts.extend(v.zones.iter().map(|(id, n)| (id.to_string(), n.clone())));
    let sel = v.zone.map(|z| z.to_string()).unwrap_or_default();
    page(
        c,
        c.t("打印激活码", "Print activation codes"),
        html! {
            h1 { (c.t("打印激活码", "Print activation codes")) }
            p { (c.t("每位居民一张纸条，上面有激活码和二维码。激活码只能用一次，过期作废；新发的激活码会让同一居民以前未用的作废。生成后请立即打印：激活码不会保存，无法再次显示。",
                     "One slip per resident, with a code and a QR code. A code works once and expires; a new code cancels the resident's earlier unused ones. Print right away: codes are not stored and cannot be shown again.")) }
            (forms::summary(c, errors))
            form.stack method="post" action={"/c/" (slug) "/codes"} {
                (csrf(c))
                (forms::select(c, "zone", if v.is_village { c.t("村民小组", "Villager group") } else { c.t("网格", "Grid") }, &zone_opts, &sel, errors))
                (forms::checkbox("adults_only", c.t("只给成年人", "Adults only"), v.adults_only))
                (forms::input(c, "days", c.t("有效天数", "Valid for (days)"), &v.days, errors,
                    Opts { kind: "number", inputmode: Some("numeric"), required: true, hint: Some(("1 到 90 天", "1 to 90 days")), ..Default::default() }))
                button.primary type="submit" { (c.t("生成激活码", "Issue codes")) }
            }
            p { (c.t("按条件批量发放时，只给还没有账户的居民；已有账户的居民会被跳过。",
                     "Issued by these filters, codes go only to residents without an account; those who have one are skipped.")) }
            p.hint { (c.t("给已有账户的居民重设密码：在名册里打开这位居民，写明原因后单独发放。工作人员和监督委员会成员的账户只能由运维重设。",
                          "To reset the password of a resident who has an account, open them in the roll and issue one code with a stated reason. Committee and supervisor accounts are reset only by the operator.")) }
        },
    )
}

pub struct Slip {
    pub name: String,
    pub place: String,
    pub code: String,
    pub url: String,
    pub expires: String,
}

pub fn slips(c: &Chrome, slug: &str, community: &str, slips: &[Slip]) -> Markup {
    page(
        c,
        c.t("激活码纸条", "Activation slips"),
        html! {
            div.no-print {
                p { a href={"/c/" (slug) "/codes"} { "← " (c.t("打印激活码", "Print activation codes")) } }
                h1 { (c.t("激活码纸条", "Activation slips")) }
                (flash(c, "warn", &Msg::new(
                    format!("已生成 {} 张。请现在打印（A4，沿虚线剪开）；离开本页后无法再次显示。", slips.len()),
                    format!("{} codes issued. Print now (A4, cut along the dashed lines); they cannot be shown again after you leave.", slips.len()))))
                p.hint { (c.t("用浏览器的“打印”（Ctrl+P）打印本页，纸条以外的内容不会打印。", "Use the browser's Print (Ctrl+P); only the slips are printed.")) }
            }
            @if slips.is_empty() {
                p.empty { (c.t("没有符合条件的居民。", "Nobody matched.")) }
            }
            div.slips.activation-slips {
                @for s in slips {
                    article.slip.code-slip {
                        div.slip-text {
                            p.slip-community { (community) }
                            p.slip-name { (s.name) " · " (s.place) }
                            p.slip-code-label { (c.t("激活码", "Activation code")) }
                            p.slip-code { (s.code) }
                            p.slip-exp { (c.t("有效期至 ", "Valid until ")) (s.expires) }
                            p.slip-how {
                                (c.t("扫码，或打开 ", "Scan the code, or open "))
                                span.slip-url { (s.url.split("/activate").next().unwrap_or("")) "/activate" }
                                (c.t(" 输入激活码，设置密码。", " and enter the code to set a password."))
                            }
                        }
                        (qr::svg(&s.url, 112, c.t("激活二维码", "activation QR code")))
                    }
                }
            }
        },
    )
}
