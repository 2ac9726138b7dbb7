//! The committee's delivery channels page: e-mail server, Alibaba Cloud SMS,
//! WeCom group robot and a plain webhook, each with its own form. A stored
//! secret is only ever said to exist, never shown; each channel can send a
//! test message.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{csrf, flash, page};
use maud::{Markup, html};

/// One channel's settings as the page shows them (no secret).
#[derive(Debug, Clone, Default)]
pub struct ChannelView {
    /// "email", "sms", "wecom" or "webhook".
    pub kind: &'static str,
    pub configured: bool,
    pub enabled: bool,
    pub has_secret: bool,
    pub endpoint: String,
    pub access_key_id: String,
    pub sign_name: String,
    pub template_code: String,
    pub from: String,
}

pub struct SettingsPage<'a> {
    pub slug: &'a str,
    pub channels: &'a [ChannelView],
    /// The channel whose form was refused, with its errors.
    pub errors: Option<(&'a str, &'a Errors)>,
    /// After saving or a test: which channel, ok or error, and what.
    pub flash: Option<(&'a str, bool, Msg)>,
}

fn title(c: &Chrome, kind: &str) -> &'static str {
    match kind {
        "email" => c.t("电子邮件", "E-mail"),
        "sms" => c.t("短信（阿里云）", "SMS (Alibaba Cloud)"),
        "wecom" => c.t("企业微信群机器人", "WeCom group robot"),
        _ => c.t("网络钩子", "Webhook"),
    }
}

fn secret_label(c: &Chrome, kind: &str) -> &'static str {
    match kind {
        "email" => c.t(
            "邮件服务器（smtp:// 或 smtps://用户:密码@主机:端口）",
            "Mail server (smtp:// or smtps://user:pass@host:port)",
        ),
        "sms" => c.t("AccessKey Secret", "AccessKey secret"),
        "wecom" => c.t(
            "机器人 key（Webhook 地址中 key= 后面的部分）",
            "Robot key (the part after key= in its webhook address)",
        ),
        _ => c.t("签名密钥", "Signing secret"),
    }
}

fn fields(c: &Chrome, ch: &ChannelView, e: &Errors) -> Markup {
    let o = Opts::default;
    html! {
        @match ch.kind {
            "email" => {
                (forms::input(c, "from", c.t("发件人", "From"), &ch.from, e,
                    Opts { hint: Some(("例如 梧桐社区居委会 <notice@example.org>", "e.g. Wutong committee <notice@example.org>")), ..o() }))
            }
            "sms" => {
                (forms::input(c, "access_key_id", "AccessKey ID", &ch.access_key_id, e, o()))
                (forms::input(c, "sign_name", c.t("短信签名（已审核）", "SMS signature (approved)"), &ch.sign_name, e, o()))
                (forms::input(c, "template_code", c.t("通知模板编号（已审核，变量 ${title} 和 ${path}）", "Notice template code (approved; variables ${title} and ${path})"), &ch.template_code, e,
                    Opts { hint: Some(("例如 SMS_123456789", "e.g. SMS_123456789")), ..o() }))
                (forms::input(c, "endpoint", c.t("接口地址（一般不用改）", "API address (normally unchanged)"), &ch.endpoint, e, Opts { kind: "url", ..o() }))
            }
            "wecom" => {
                (forms::input(c, "endpoint", c.t("接口地址（一般不用改）", "API address (normally unchanged)"), &ch.endpoint, e, Opts { kind: "url", ..o() }))
            }
            _ => {
                (forms::input(c, "endpoint", c.t("接收地址", "Receiving address"), &ch.endpoint, e, Opts { kind: "url", ..o() }))
            }
        }
    }
}

fn channel_form(c: &Chrome, p: &SettingsPage, ch: &ChannelView) -> Markup {
    let none = Errors::none();
    let e = match p.errors {
        Some((k, e)) if k == ch.kind => e,
        _ => &none,
    };
    let base = format!("/c/{}/notify-settings/{}", p.slug, ch.kind);
    html! {
        section.card id={"ch-" (ch.kind)} {
            h2 { (title(c, ch.kind)) }
            @if let Some((k, ok, m)) = &p.flash && *k == ch.kind {
                (flash(c, if *ok { "ok" } else { "error" }, m))
            }
            (forms::summary(c, e))
            form.stack method="post" action=(base) {
                (csrf(c))
                (forms::checkbox("enabled", c.t("启用", "On"), ch.enabled || !ch.configured))
                (fields(c, ch, e))
                @if ch.has_secret {
                    p.secret-stored { (c.t("已保存密钥（不显示）。留空则保持不变。", "A secret is stored (not shown). Leave empty to keep it.")) }
                }
                (forms::input(c, "secret", secret_label(c, ch.kind), "", e,
                    Opts { kind: "password", autocomplete: "off", ..Opts::default() }))
                button.primary type="submit" { (c.t("保存", "Save")) }
            }
            @if ch.configured {
                form.stack method="post" action={(base) "/test"} {
                    (csrf(c))
                    @match ch.kind {
                        "email" => { (forms::input(c, "to", c.t("测试收件邮箱", "Test address"), "", &none, Opts { kind: "email", ..Opts::default() })) }
                        "sms" => { (forms::input(c, "to", c.t("测试手机号", "Test phone"), "", &none, Opts { kind: "tel", inputmode: Some("tel"), ..Opts::default() })) }
                        _ => {}
                    }
                    button type="submit" { (c.t("发送测试消息", "Send a test message")) }
                }
            }
        }
    }
}

pub fn settings(c: &Chrome, p: &SettingsPage) -> Markup {
    page(
        c,
        c.t("通知渠道", "Notice channels"),
        html! {
            h1 { (c.t("通知渠道", "Notice channels")) }
            p { (c.t("通知通过这些渠道送达各户。密钥保存后不再显示。", "Notices reach households through these channels. Secrets are never shown once saved.")) }
            @for ch in p.channels { (channel_form(c, p, ch)) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_secret_is_said_to_exist_and_its_field_is_empty() {
        let ch = ChannelView {
            kind: "sms",
            configured: true,
            enabled: true,
            has_secret: true,
            access_key_id: "LTAI-x".into(),
            ..Default::default()
        };
        let p = SettingsPage {
            slug: "wutong",
            channels: std::slice::from_ref(&ch),
            errors: None,
            flash: None,
        };
        let html = settings(&Chrome::default(), &p).into_string();
        assert!(html.contains("已保存密钥"));
        assert!(
            html.contains("LTAI-x"),
            "the key id is not a secret and is shown back"
        );
        assert!(html.contains("/c/wutong/notify-settings/sms/test"));
        assert!(
            !html.contains("A secret is stored"),
            "one language at a time"
        );
    }
}
