//! E-mail over SMTP with lettre: `smtp://host:port` (plain, for a relay on
//! the same machine or network) or `smtps://user:pass@host:port` (TLS). Every
//! message carries `List-Unsubscribe` and the same link in its body, and its
//! Message-ID is the delivery's idempotency key, so a message sent again
//! after a crash is recognisably the same one.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::channel::{Channel, ChannelKind, Outgoing, SendError, SendFuture};
use crate::domain::Msg;

/// The `List-Unsubscribe` header (RFC 2369): `<https://…>`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim_matches(['<', '>']).to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// One SMTP server and the From address its messages carry.
pub struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Email {
    /// From a `smtp://` or `smtps://` URL and a From address.
    pub fn new(url: &str, from: &str) -> Result<Email, Msg> {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(Msg::new(
                "邮件服务器地址须以 smtp:// 或 smtps:// 开头",
                "the mail server address must start with smtp:// or smtps://",
            ));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                Msg::new(
                    format!("邮件服务器地址无法识别：{e}"),
                    format!("the mail server address is not understood: {e}"),
                )
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from.parse::<Mailbox>().map_err(|_| {
            Msg::new(
                format!("发件人地址「{from}」无效"),
                format!("the sender address '{from}' is not valid"),
            )
        })?;
        Ok(Email { transport, from })
    }

    /// The message as sent: subject, Message-ID from the idempotency key,
    /// List-Unsubscribe, and a plain-text body with the link and the
    /// unsubscribe link.
    pub fn message(&self, m: &Outgoing) -> Result<Message, SendError> {
        let to = m.to.parse::<Mailbox>().map_err(|_| {
            SendError::Fail(Msg::new(
                "收件人的邮箱地址无效",
                "the recipient's e-mail address is not valid",
            ))
        })?;
        let host = self.from.email.domain().to_string();
        let mut body = format!("{}\n\n{}\n", m.body, m.link);
        let mut b = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.title.clone())
            .message_id(Some(format!("<{}@{host}>", m.idempotency_key)));
        if !m.unsubscribe.is_empty() {
            body.push_str(&format!(
                "\n--\n不想再收到通知？退订 / Unsubscribe: {}\n",
                m.unsubscribe
            ));
            b = b.header(ListUnsubscribe(m.unsubscribe.clone()));
        }
        b.header(ContentType::TEXT_PLAIN).body(body).map_err(|e| {
            SendError::Fail(Msg::new(
                format!("邮件无法生成：{e}"),
                format!("the e-mail could not be built: {e}"),
            ))
        })
    }
}

fn smtp_error(e: lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    if e.is_permanent() {
        SendError::Fail(Msg::new(
            format!("邮件服务器拒收（{code}）"),
            format!("the mail server refused the message ({code})"),
        ))
    } else {
        SendError::Retry(Msg::new(
            format!(
                "邮件服务器暂时无法送达（{code}{}）",
                if code.is_empty() { "连接失败" } else { "" }
            ),
            format!(
                "the mail server could not take the message now ({})",
                if code.is_empty() {
                    "no connection".into()
                } else {
                    code.clone()
                }
            ),
        ))
    }
}

impl Channel for Email {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Email
    }

    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let msg = self.message(m)?;
            let r = self.transport.send(msg).await.map_err(smtp_error)?;
            Ok(format!(
                "{} {}",
                r.code(),
                r.message().collect::<Vec<_>>().join(" ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out() -> Outgoing {
        Outgoing {
            delivery_id: 7,
            community_slug: "wutong".into(),
            to: "resident@example.org".into(),
            title: "表决开始：加装电梯".into(),
            body: "请在 2026-03-01 之前投票。".into(),
            link: "http://127.0.0.1/c/wutong/votes/3".into(),
            unsubscribe: "http://127.0.0.1/unsubscribe/abc".into(),
            template: None,
            idempotency_key: Outgoing::key_for("wutong", 7),
        }
    }

    #[test]
    fn message_carries_unsubscribe_and_a_stable_id() {
        let e = Email::new("smtp://127.0.0.1:2525", "议事茶馆 <notice@example.org>").unwrap();
        let text = String::from_utf8(e.message(&out()).unwrap().formatted()).unwrap();
        assert!(text.contains("List-Unsubscribe: <http://127.0.0.1/unsubscribe/abc>"));
        assert!(text.contains("Message-ID: <th-wutong-7@example.org>"));
    }

    #[test]
    fn bad_addresses_are_refused_with_a_message() {
        assert!(Email::new("http://x", "a@b.c").is_err());
        assert!(Email::new("smtp://127.0.0.1:25", "not an address").is_err());
        let e = Email::new("smtp://127.0.0.1:25", "a@b.c").unwrap();
        let mut o = out();
        o.to = "nope".into();
        assert!(matches!(e.message(&o), Err(SendError::Fail(_))));
    }
}
