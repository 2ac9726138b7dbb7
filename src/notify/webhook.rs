//! A plain webhook for anything else (a village's own system, a chat bridge):
//! one JSON POST per message, signed with HMAC-SHA256 of the body under the
//! committee's secret (`X-Teahouse-Signature: sha256=<hex>`), with the
//! delivery's idempotency key so a receiver can drop a repeat.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::channel::{Channel, ChannelKind, Outgoing, SendError, SendFuture};

/// The settings shown back (the secret is not).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WebhookConfig {
    pub url: String,
}

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "x-teahouse-signature";
/// The header carrying the delivery's idempotency key.
pub const KEY_HEADER: &str = "idempotency-key";

/// The body of one message.
pub fn body(m: &Outgoing) -> Vec<u8> {
    serde_json::json!({
        "format": "teahouse.notice/1",
        "community": m.community_slug,
        "key": m.idempotency_key,
        "to": m.to,
        "title": m.title,
        "body": m.body,
        "link": m.link,
        "unsubscribe": m.unsubscribe,
    })
    .to_string()
    .into_bytes()
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A community's webhook.
pub struct Webhook {
    cfg: WebhookConfig,
    secret: String,
    http: reqwest::Client,
}

impl Webhook {
    pub fn new(cfg: WebhookConfig, secret: String, http: reqwest::Client) -> Self {
        Webhook { cfg, secret, http }
    }

    async fn post(&self, m: &Outgoing) -> Result<String, SendError> {
        let b = body(m);
        let resp = self
            .http
            .post(&self.cfg.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, sign(&self.secret, &b))
            .header(KEY_HEADER, &m.idempotency_key)
            .body(b)
            .send()
            .await
            .map_err(|e| super::http::http_error(&e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(super::http::status_error(
                status,
                ("网络钩子", "the webhook"),
            ));
        }
        Ok(format!("webhook:{}", status.as_u16()))
    }
}

impl Channel for Webhook {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Webhook
    }
    fn send<'a>(&'a self, m: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(self.post(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_rfc_4231_test_case_2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
