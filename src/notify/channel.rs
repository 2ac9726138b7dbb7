//! The one trait every way of reaching a household goes through: what a channel is
//! (`ChannelKind`), the message it carries (`Outgoing`) and how it fails (`SendError`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;

use crate::domain::Msg;

/// How a notice travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Email,
    Sms,
    WeCom,
    Webhook,
    Paper,
    Web,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 6] = [
        ChannelKind::Email,
        ChannelKind::Sms,
        ChannelKind::WeCom,
        ChannelKind::Webhook,
        ChannelKind::Paper,
        ChannelKind::Web,
    ];

    /// The code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Sms => "sms",
            ChannelKind::WeCom => "wecom",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Paper => "paper",
            ChannelKind::Web => "web",
        }
    }

    /// The channel's name for a person, in Chinese and English.
    pub fn label(self) -> Msg {
        match self {
            ChannelKind::Email => Msg::new("电子邮件", "e-mail"),
            ChannelKind::Sms => Msg::new("短信", "SMS"),
            ChannelKind::WeCom => Msg::new("企业微信群", "WeCom group"),
            ChannelKind::Webhook => Msg::new("网络钩子", "webhook"),
            ChannelKind::Paper => Msg::new("纸质送达", "on paper"),
            ChannelKind::Web => Msg::new("网上查看", "seen online"),
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ChannelKind {
    type Err = Msg;
    fn from_str(s: &str) -> Result<Self, Msg> {
        ChannelKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| {
                Msg::new(
                    format!("未知的送达渠道「{s}」"),
                    format!("unknown delivery channel '{s}'"),
                )
            })
    }
}

/// One message to one household member over one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub delivery_id: i64,
    pub community_slug: String,
    /// E-mail address, phone, or empty for group channels.
    pub to: String,
    pub title: String,
    pub body: String,
    /// Absolute URL of the page.
    pub link: String,
    /// Absolute URL, no login.
    pub unsubscribe: String,
    /// SMS template code and parameters.
    pub template: Option<(String, Vec<(String, String)>)>,
    /// Stable per delivery, e.g. "th-<community>-<delivery_id>".
    pub idempotency_key: String,
}

impl Outgoing {
    /// The idempotency key for a delivery: the same on every attempt.
    pub fn key_for(community_slug: &str, delivery_id: i64) -> String {
        format!("th-{community_slug}-{delivery_id}")
    }
}

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Temporary: back off and retry.
    Retry(Msg),
    /// Permanent.
    Fail(Msg),
}

impl SendError {
    pub fn msg(&self) -> &Msg {
        match self {
            SendError::Retry(m) | SendError::Fail(m) => m,
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Retry(m) => write!(f, "retry: {m}"),
            SendError::Fail(m) => write!(f, "failed: {m}"),
        }
    }
}

/// What a channel's `send` returns: the provider's id or receipt.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<String, SendError>> + Send + 'a>>;

/// A way of sending an `Outgoing`; one per configured channel of a community.
pub trait Channel: Send + Sync {
    fn kind(&self) -> ChannelKind;
    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for k in ChannelKind::ALL {
            assert_eq!(k.to_string().parse::<ChannelKind>(), Ok(k));
        }
        let err = "fax".parse::<ChannelKind>().unwrap_err();
        assert!(err.zh.contains("fax") && err.en.contains("fax"));
    }

    #[test]
    fn key_is_stable_per_delivery() {
        assert_eq!(Outgoing::key_for("lx", 42), "th-lx-42");
    }
}
