//! A community's configured channels made into senders, and the committee's
//! test message. Parsing the settings form lives here too, so the handler
//! only maps the request to these calls.

use std::collections::HashMap;
use std::sync::Arc;

use super::channel::{Channel, ChannelKind, Outgoing};
use super::sms_aliyun::{self, AliyunConfig, AliyunSms};
use super::webhook::{Webhook, WebhookConfig};
use super::wecom::{self, WeComConfig, WeComRobot};
use crate::domain::Msg;
use crate::store::notify_settings::{ChannelConfig, ConfiguredChannel, EmailConfig};

/// The sender for a configured HTTP channel (SMS, WeCom, webhook); `None`
/// for e-mail (built by `notify::email`), a channel that is off, or one
/// without its secret.
pub fn sender(c: &ConfiguredChannel, http: &reqwest::Client) -> Option<Box<dyn Channel>> {
    if !c.enabled || c.secret.is_empty() {
        return None;
    }
    let s = c.secret.clone();
    let h = http.clone();
    Some(match &c.config {
        ChannelConfig::Sms(cfg) => Box::new(AliyunSms::new(cfg.clone(), s, h)),
        ChannelConfig::WeCom(cfg) => Box::new(WeComRobot::new(cfg.clone(), s, h)),
        ChannelConfig::Webhook(cfg) => Box::new(Webhook::new(cfg.clone(), s, h)),
        ChannelConfig::Email(_) => return None,
    })
}

/// Every channel a community's committee has set up and switched on, as
/// senders by kind, e-mail included (a committee's mail server whose URL does
/// not read is left out, and logged without the URL).
pub fn senders(
    stored: &[ConfiguredChannel],
    http: &reqwest::Client,
) -> HashMap<ChannelKind, Arc<dyn Channel>> {
    let mut out = HashMap::new();
    for c in stored.iter().filter(|c| c.enabled && !c.secret.is_empty()) {
        let s: Arc<dyn Channel> = match &c.config {
            ChannelConfig::Email(e) => match super::email::Email::new(&c.secret, &e.from) {
                Ok(m) => Arc::new(m),
                Err(_) => {
                    // Not the reason: it may quote the URL and its password.
                    tracing::warn!("notices: a community's mail server address is unusable");
                    continue;
                }
            },
            _ => match sender(c, http) {
                Some(s) => Arc::from(s),
                None => continue,
            },
        };
        out.insert(c.kind, s);
    }
    out
}

/// The settings form of one channel, as posted.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ChannelForm {
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub access_key_id: String,
    #[serde(default)]
    pub sign_name: String,
    #[serde(default)]
    pub template_code: String,
    #[serde(default)]
    pub from: String,
}

/// A field's error: which field, and what is wrong.
pub type FieldError = (&'static str, Msg);

fn http_url(field: &'static str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    let ok = (t.starts_with("https://") || t.starts_with("http://"))
        && t.len() <= 500
        && !t.contains(char::is_whitespace)
        && t.split_once("://").is_some_and(|(_, r)| !r.is_empty());
    if ok {
        Ok(t.to_string())
    } else {
        Err((
            field,
            Msg::new(
                "请填写以 https:// 或 http:// 开头的完整网址",
                "enter a full address starting with https:// or http://",
            ),
        ))
    }
}

fn required(field: &'static str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err((
            field,
            Msg::new(
                format!("必填，最多 {max} 个字"),
                format!("required, {max} characters at most"),
            ),
        ));
    }
    Ok(t.to_string())
}

/// Reads a channel's form into its settings, naming each bad field.
pub fn parse(kind: ChannelKind, f: &ChannelForm) -> Result<ChannelConfig, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut take =
        |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    let endpoint_or = |default: &str| {
        if f.endpoint.trim().is_empty() {
            default.to_string()
        } else {
            f.endpoint.clone()
        }
    };
    let config = match kind {
        ChannelKind::Sms => ChannelConfig::Sms(AliyunConfig {
            endpoint: take(http_url(
                "endpoint",
                &endpoint_or(sms_aliyun::DEFAULT_ENDPOINT),
            )),
            access_key_id: take(required("access_key_id", &f.access_key_id, 64)),
            sign_name: take(required("sign_name", &f.sign_name, 20)),
            region_id: "cn-hangzhou".into(),
            template_code: take(required("template_code", &f.template_code, 40)),
        }),
        ChannelKind::WeCom => ChannelConfig::WeCom(WeComConfig {
            endpoint: take(http_url("endpoint", &endpoint_or(wecom::DEFAULT_ENDPOINT))),
        }),
        ChannelKind::Webhook => ChannelConfig::Webhook(WebhookConfig {
            url: take(http_url("endpoint", &f.endpoint)),
        }),
        ChannelKind::Email => ChannelConfig::Email(EmailConfig {
            from: take(required("from", &f.from, 200)),
        }),
        ChannelKind::Paper | ChannelKind::Web => {
            return Err(vec![(
                "kind",
                Msg::new("这个渠道不需要设置", "this channel has no settings"),
            )]);
        }
    };
    if kind == ChannelKind::Email && !f.secret.trim().is_empty() {
        let s = f.secret.trim();
        if !(s.starts_with("smtp://") || s.starts_with("smtps://")) {
            errors.push((
                "secret",
                Msg::new(
                    "邮件服务器须写成 smtp://主机:端口 或 smtps://用户:密码@主机:端口",
                    "the mail server must be smtp://host:port or smtps://user:pass@host:port",
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

/// The test message a committee sends from the settings page.
pub fn test_message(community_slug: &str, to: &str, link: &str, now: i64) -> Outgoing {
    Outgoing {
        delivery_id: 0,
        community_slug: community_slug.to_string(),
        to: to.to_string(),
        title: "议事茶馆测试消息 / Teahouse test message".into(),
        body: "收到这条消息，说明通知渠道设置正确。/ This message means the channel is set up correctly."
            .into(),
        link: link.to_string(),
        unsubscribe: String::new(),
        template: None,
        idempotency_key: format!("th-{community_slug}-test-{now}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_missing_sms_field() {
        let errs = parse(ChannelKind::Sms, &ChannelForm::default()).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["access_key_id", "sign_name", "template_code"]);
        assert!(errs[0].1.zh.contains("必填") && errs[0].1.en.contains("required"));
    }

    #[test]
    fn a_webhook_needs_a_full_http_address() {
        let f = ChannelForm {
            endpoint: "ftp://x".into(),
            ..Default::default()
        };
        assert_eq!(
            parse(ChannelKind::Webhook, &f).unwrap_err()[0].0,
            "endpoint"
        );
        let f = ChannelForm {
            endpoint: " https://hooks.example/t ".into(),
            ..Default::default()
        };
        assert_eq!(
            parse(ChannelKind::Webhook, &f).unwrap(),
            ChannelConfig::Webhook(WebhookConfig {
                url: "https://hooks.example/t".into()
            })
        );
    }

    #[test]
    fn wecom_defaults_to_the_robot_api_and_email_checks_its_server() {
        let ChannelConfig::WeCom(c) = parse(ChannelKind::WeCom, &ChannelForm::default()).unwrap()
        else {
            panic!("a WeCom form gives WeCom settings")
        };
        assert_eq!(c.endpoint, wecom::DEFAULT_ENDPOINT);
        let f = ChannelForm {
            from: "a@b.cn".into(),
            secret: "imap://x".into(),
            ..Default::default()
        };
        assert_eq!(parse(ChannelKind::Email, &f).unwrap_err()[0].0, "secret");
    }

    #[test]
    fn a_channel_without_its_secret_or_switched_off_sends_nothing() {
        let c = ConfiguredChannel {
            kind: ChannelKind::WeCom,
            config: ChannelConfig::WeCom(WeComConfig {
                endpoint: wecom::DEFAULT_ENDPOINT.into(),
            }),
            secret: String::new(),
            enabled: true,
            updated_at: 0,
        };
        let http = crate::notify::http::client();
        assert!(sender(&c, &http).is_none());
        let on = ConfiguredChannel {
            secret: "k".into(),
            ..c.clone()
        };
        assert_eq!(
            sender(&on, &http).map(|s| s.kind()),
            Some(ChannelKind::WeCom)
        );
        let off = ConfiguredChannel {
            enabled: false,
            ..on
        };
        assert!(sender(&off, &http).is_none());
    }
}
