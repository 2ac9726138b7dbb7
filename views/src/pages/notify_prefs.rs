//! A resident's notice choices (channels, daily digest, daily limit; quiet
//! hours explained), the no-login unsubscribe page a message's link opens,
//! and the printable QR poster of a public page.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{csrf, flash, page, page_with};
use maud::{Markup, html};

/// What the preferences page shows: addresses already masked.
pub struct PrefsView<'a> {
    pub slug: &'a str,
    pub masked_email: &'a str,
    pub masked_phone: &'a str,
    pub email: bool,
    pub sms: bool,
    pub digest: bool,
    pub daily_limit: &'a str,
    pub unsubscribed: bool,
}

pub fn prefs(c: &Chrome, v: &PrefsView, errors: &Errors, saved: bool) -> Markup {
    page(
        c,
        c.t("通知设置", "Notice settings"),
        html! {
            h1 { (c.t("我的通知设置", "My notice settings")) }
            @if saved { (flash(c, "ok", &Msg::new("已保存。", "Saved."))) }
            @if v.unsubscribed {
                (flash(c, "error", &Msg::new("你已退订短信和邮件通知。保存下面的选择即重新订阅。", "You unsubscribed from SMS and e-mail notices. Saving the choices below subscribes you again.")))
            }
            (forms::summary(c, errors))
            form.stack method="post" action={"/c/" (v.slug) "/notify-prefs"} {
                (csrf(c))
                fieldset {
                    legend { (c.t("通过哪些方式通知我", "How to reach me")) }
                    @if v.masked_email.is_empty() {
                        p.hint { (match c.lang { crate::Lang::Zh => format!("名册里没有你的邮箱，请联系{}添加。", c.committee()), crate::Lang::En => format!("The roll has no e-mail for you; ask {} to add one.", c.committee()) }) }
                    } @else {
                        (forms::checkbox("email", &format!("{} {}", c.t("电子邮件", "E-mail"), v.masked_email), v.email))
                    }
                    @if v.masked_phone.is_empty() {
                        p.hint { (c.t("名册里没有你的手机号。", "The roll has no phone for you.")) }
                    } @else {
                        (forms::checkbox("sms", &format!("{} {}", c.t("短信", "SMS"), v.masked_phone), v.sms))
                    }
                    p.hint { (c.t("纸质通知和网上查看总会送达你家，不能关闭。", "Paper notices and the website always reach your household.")) }
                }
                (forms::checkbox("digest", c.t("每天汇总成一条（晚上 7 点）", "One daily digest (7 pm)"), v.digest))
                (forms::input(c, "daily_limit", c.t("每天最多几条", "At most this many a day"), v.daily_limit, errors,
                    Opts { kind: "number", inputmode: Some("numeric"), hint: Some(("1 到 20", "1 to 20")), ..Opts::default() }))
                p.hint { (c.t("晚上 9 点到早上 8 点不发短信，留到早上。", "No SMS between 9 pm and 8 am; they wait for the morning.")) }
                button.primary type="submit" { (c.t("保存", "Save")) }
            }
        },
    )
}

/// The unsubscribe page, for anyone holding the link.
pub struct UnsubscribeView<'a> {
    pub token: &'a str,
    pub community_name: &'a str,
    /// The addresses concerned, masked.
    pub masked: &'a str,
    pub unsubscribed: bool,
}

pub fn unsubscribe(c: &Chrome, v: &UnsubscribeView) -> Markup {
    page(
        c,
        c.t("退订通知", "Unsubscribe"),
        html! {
            h1 { (c.t("退订通知", "Unsubscribe from notices")) }
            p { (v.community_name) " · " (v.masked) }
            @if v.unsubscribed {
                (flash(c, "ok", &Msg::new("已退订：不再给你发短信和邮件通知。纸质通知照常送达。", "Unsubscribed: no more SMS or e-mail notices. Paper notices still reach your household.")))
                p { (c.t("想重新订阅，登录后在「我的通知设置」里保存即可。", "To subscribe again, log in and save your notice settings.")) }
            } @else {
                p { (c.t("退订后不再给你发短信和邮件通知；纸质通知和网上查看不受影响。", "After unsubscribing you get no SMS or e-mail notices; paper notices and the website are not affected.")) }
                form method="post" action={"/unsubscribe/" (v.token)} {
                    (csrf(c))
                    button.primary type="submit" { (c.t("确认退订", "Unsubscribe")) }
                }
            }
        },
    )
}

/// A printable A4 poster: the page's title, the community, a large QR code
/// and the address written out.
pub struct PosterView<'a> {
    pub community_name: &'a str,
    pub title: &'a str,
    pub url: &'a str,
}

pub fn poster(c: &Chrome, v: &PosterView) -> Markup {
    let summary = format!("{} · {}", v.community_name, v.title);
    page_with(
        c,
        c.t("二维码海报", "QR poster"),
        Some(&summary),
        html! {
            article.poster {
                p.poster-community { (v.community_name) }
                h1 { (v.title) }
                (crate::qr::svg(v.url, 480, c.t("扫码打开网页", "Scan to open the page")))
                p.poster-scan { (c.t("用微信或手机相机扫码查看", "Scan with WeChat or a phone camera")) }
                p.poster-url { code { (v.url) } }
            }
            p.no-print { (c.t("用浏览器的“打印”印在 A4 纸上。", "Use the browser's Print to print it on A4.")) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_show_masked_addresses_only() {
        let v = PrefsView {
            slug: "wutong",
            masked_email: "z***@example.org",
            masked_phone: "138****5678",
            email: true,
            sms: false,
            digest: true,
            daily_limit: "3",
            unsubscribed: false,
        };
        let html = prefs(&Chrome::default(), &v, &Errors::none(), false).into_string();
        assert!(html.contains("138****5678") && html.contains("z***@example.org"));
        assert!(html.contains(r#"action="/c/wutong/notify-prefs""#));
    }

    #[test]
    fn the_poster_carries_a_qr_code_of_the_address() {
        let v = PosterView {
            community_name: "梧桐社区",
            title: "议事板",
            url: "https://t.example/c/wutong",
        };
        let html = poster(&Chrome::default(), &v).into_string();
        assert!(html.contains("<svg") && html.contains("https://t.example/c/wutong"));
        assert!(html.contains(r#"property="og:description" content="梧桐社区 · 议事板""#));
    }
}
