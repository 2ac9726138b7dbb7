//! What the HTTP channels (SMS, WeCom, webhook) share: one client with time
//! limits, how a transport failure is told, and reading an answer without
//! reading more than a provider should ever send.

use std::time::Duration;

use super::channel::SendError;
use crate::domain::Msg;

/// The most of a provider's answer that is read; the rest is dropped.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A client for the channels: connects within 10 s, answers within 30 s, no redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("teahouse/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with these settings always builds")
}

/// A transport failure: always worth a retry. The URL is left out (it may
/// carry a key or a phone number).
pub fn http_error(e: &reqwest::Error) -> SendError {
    let what = if e.is_timeout() {
        ("等待超时", "timed out")
    } else if e.is_connect() {
        ("连不上", "could not connect")
    } else {
        ("传输出错", "transport error")
    };
    SendError::Retry(Msg::new(
        format!("发送渠道{}", what.0),
        format!("the channel's server: {}", what.1),
    ))
}

/// Reads an answer's body as text, at most `MAX_ANSWER_BYTES`.
pub async fn bounded_text(mut resp: reqwest::Response) -> Result<String, SendError> {
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| http_error(&e))? {
        let room = MAX_ANSWER_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if buf.len() >= MAX_ANSWER_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Refusal for an HTTP status that is not success: 429 and 5xx are retried.
pub fn status_error(status: reqwest::StatusCode, who: (&str, &str)) -> SendError {
    let m = Msg::new(
        format!("{}回答 HTTP {}", who.0, status.as_u16()),
        format!("{} answered HTTP {}", who.1, status.as_u16()),
    );
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        SendError::Retry(m)
    } else {
        SendError::Fail(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_and_server_errors_are_retried_client_errors_are_not() {
        let who = ("网络钩子", "the webhook");
        assert!(matches!(
            status_error(reqwest::StatusCode::TOO_MANY_REQUESTS, who),
            SendError::Retry(_)
        ));
        assert!(matches!(
            status_error(reqwest::StatusCode::BAD_GATEWAY, who),
            SendError::Retry(_)
        ));
        let SendError::Fail(m) = status_error(reqwest::StatusCode::FORBIDDEN, who) else {
            panic!("403 is permanent")
        };
        assert!(m.zh.contains("403") && m.en.contains("the webhook answered HTTP 403"));
    }
}
