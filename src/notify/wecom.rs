//! WeCom (企业微信) group robot: posts a notice into a building's or village
//! group's chat as one news card (title, summary, link). The robot's key is
//! the secret; a robot takes at most 20 messages a minute.

use super::channel::{Channel, ChannelKind, Outgoing, SendError, SendFuture};
use crate::domain::Msg;

/// The robot API's address; the key goes in `?key=`.
pub const DEFAULT_ENDPOINT: &str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send";
/// A news card's title and description, in bytes, as the API truncates them.
pub const TITLE_BYTES: usize = 128;
pub const DESCRIPTION_BYTES: usize = 512;
/// The API's answer when a robot sends too often.
const FREQUENCY_LIMIT: i64 = 45009;

/// A group robot's settings shown back on the settings page (the key is not).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WeComConfig {
    pub endpoint: String,
}

/// The longest prefix of `s` within `max` bytes that ends on a character.
pub fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The JSON body of one news card for a notice.
pub fn news_body(m: &Outgoing) -> serde_json::Value {
    serde_json::json!({
        "msgtype": "news",
        "news": { "articles": [ {
            "title": truncate_bytes(&m.title, TITLE_BYTES),
            "description": truncate_bytes(&m.body, DESCRIPTION_BYTES),
            "url": m.link,
        } ] }
    })
}

#[derive(serde::Deserialize)]
struct Answer {
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// A community's group robot.
pub struct WeComRobot {
    cfg: WeComConfig,
    key: String,
    http: reqwest::Client,
}

impl WeComRobot {
    pub fn new(cfg: WeComConfig, key: String, http: reqwest::Client) -> Self {
        WeComRobot { cfg, key, http }
    }

    async fn post(&self, m: &Outgoing) -> Result<String, SendError> {
        let resp = self
            .http
            .post(&self.cfg.endpoint)
            .query(&[("key", self.key.as_str())])
            .json(&news_body(m))
            .send()
            .await
            .map_err(|e| super::http::http_error(&e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(super::http::status_error(status, ("企业微信", "WeCom")));
        }
        let text = super::http::bounded_text(resp).await?;
        let a: Answer = serde_json::from_str(&text).map_err(|_| {
            SendError::Fail(Msg::new(
                "企业微信的回答看不懂",
                "WeCom's answer could not be read",
            ))
        })?;
        match a.errcode {
            0 => Ok(format!("wecom:{}", m.idempotency_key)),
            FREQUENCY_LIMIT => Err(SendError::Retry(Msg::new(
                "企业微信机器人发送太频繁（每分钟至多 20 条），稍后重试",
                "the WeCom robot is sending too often (20 a minute at most); will retry",
            ))),
            code => Err(SendError::Fail(Msg::new(
                format!("企业微信拒绝：{code}（{}）", a.errmsg),
                format!("WeCom refused: {code} ({})", a.errmsg),
            ))),
        }
    }
}

impl Channel for WeComRobot {
    fn kind(&self) -> ChannelKind {
        ChannelKind::WeCom
    }
    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(self.post(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_a_character_within_the_byte_limit() {
        assert_eq!(truncate_bytes("abc", 5), "abc");
        let s = "议事".repeat(30); // 180 bytes
        let t = truncate_bytes(&s, TITLE_BYTES);
        assert!(t.len() <= TITLE_BYTES && t.len() == 126);
    }

    #[test]
    fn a_notice_becomes_one_news_card_with_its_link() {
        let m = Outgoing {
            delivery_id: 3,
            community_slug: "wutong".into(),
            to: String::new(),
            title: "3号楼加装电梯表决开始".into(),
            body: "请在 3 月 20 日前投票".into(),
            link: "https://example.org/c/wutong/votes/3".into(),
            unsubscribe: String::new(),
            template: None,
            idempotency_key: "th-wutong-3".into(),
        };
        let b = news_body(&m);
        assert_eq!(b["msgtype"], "news");
        let a = &b["news"]["articles"][0];
        assert_eq!(a["title"], "3号楼加装电梯表决开始");
        assert_eq!(a["url"], "https://example.org/c/wutong/votes/3");
    }
}
