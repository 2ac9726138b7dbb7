//! A community's delivery channels as its committee set them
//! (`notify_channels`): each channel's settings as JSON, its secret (an
//! AccessKey secret, a robot key, an SMTP URL with its password) stored but
//! never read back into a page, and whether it is on.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::domain::Msg;
use crate::error::Error;
use crate::notify::channel::ChannelKind;
use crate::notify::sms_aliyun::AliyunConfig;
use crate::notify::webhook::WebhookConfig;
use crate::notify::wecom::WeComConfig;

/// E-mail settings besides the SMTP URL (the secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmailConfig {
    /// The From address, e.g. `梧桐社区居委会 <notice@example.org>`.
    pub from: String,
}

/// One channel's settings, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelConfig {
    Email(EmailConfig),
    Sms(AliyunConfig),
    WeCom(WeComConfig),
    Webhook(WebhookConfig),
}

impl ChannelConfig {
    pub fn kind(&self) -> ChannelKind {
        match self {
            ChannelConfig::Email(_) => ChannelKind::Email,
            ChannelConfig::Sms(_) => ChannelKind::Sms,
            ChannelConfig::WeCom(_) => ChannelKind::WeCom,
            ChannelConfig::Webhook(_) => ChannelKind::Webhook,
        }
    }

    fn to_json(&self) -> String {
        let v = match self {
            ChannelConfig::Email(c) => serde_json::to_value(c),
            ChannelConfig::Sms(c) => serde_json::to_value(c),
            ChannelConfig::WeCom(c) => serde_json::to_value(c),
            ChannelConfig::Webhook(c) => serde_json::to_value(c),
        };
        v.map(|v| v.to_string()).unwrap_or_else(|_| "{}".into())
    }

    fn from_json(kind: ChannelKind, json: &str) -> Result<ChannelConfig, Error> {
        let bad = |e: serde_json::Error| {
            Error::Internal(format!("notify_channels {kind}: unreadable settings: {e}"))
        };
        Ok(match kind {
            ChannelKind::Email => ChannelConfig::Email(serde_json::from_str(json).map_err(bad)?),
            ChannelKind::Sms => ChannelConfig::Sms(serde_json::from_str(json).map_err(bad)?),
            ChannelKind::WeCom => ChannelConfig::WeCom(serde_json::from_str(json).map_err(bad)?),
            ChannelKind::Webhook => {
                ChannelConfig::Webhook(serde_json::from_str(json).map_err(bad)?)
            }
            ChannelKind::Paper | ChannelKind::Web => {
                return Err(Error::Invalid(Msg::new(
                    format!("「{}」不需要设置", kind.label().zh),
                    format!("'{}' has no settings", kind.label().en),
                )));
            }
        })
    }
}

/// A channel as stored, secret included: for the worker and the test
/// message only, never for a page.
#[derive(Clone)]
pub struct ConfiguredChannel {
    pub kind: ChannelKind,
    pub config: ChannelConfig,
    pub secret: String,
    pub enabled: bool,
    pub updated_at: i64,
}

impl std::fmt::Debug for ConfiguredChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfiguredChannel")
            .field("kind", &self.kind)
            .field("config", &self.config)
            .field(
                "secret",
                &if self.secret.is_empty() {
                    ""
                } else {
                    "(stored)"
                },
            )
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// Every channel the committee has set, in a fixed order.
pub fn channels(conn: &Connection, community_id: i64) -> Result<Vec<ConfiguredChannel>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, config_json, secret, enabled, updated_at FROM notify_channels
         WHERE community_id = ?1 ORDER BY kind",
    )?;
    let rows = stmt.query_map([community_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, json, secret, enabled, updated_at) = row?;
        let kind: ChannelKind = kind
            .parse()
            .map_err(|m: Msg| Error::Internal(format!("notify_channels: {m}")))?;
        out.push(ConfiguredChannel {
            kind,
            config: ChannelConfig::from_json(kind, &json)?,
            secret,
            enabled,
            updated_at,
        });
    }
    Ok(out)
}

/// One channel of a community, if set.
pub fn channel(
    conn: &Connection,
    community_id: i64,
    kind: ChannelKind,
) -> Result<Option<ConfiguredChannel>, Error> {
    Ok(channels(conn, community_id)?
        .into_iter()
        .find(|c| c.kind == kind))
}

/// Saves a channel's settings. An empty `secret` keeps the stored one (the
/// form never shows it, so leaving the field empty means "unchanged").
pub fn save(
    tx: &Transaction,
    community_id: i64,
    config: &ChannelConfig,
    secret: &str,
    enabled: bool,
    now: i64,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO notify_channels (community_id, kind, config_json, secret, enabled, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (community_id, kind) DO UPDATE SET
             config_json = excluded.config_json,
             secret = CASE WHEN excluded.secret = '' THEN notify_channels.secret ELSE excluded.secret END,
             enabled = excluded.enabled,
             updated_at = excluded.updated_at",
        params![
            community_id,
            config.kind().code(),
            config.to_json(),
            secret,
            enabled,
            now
        ],
    )?;
    Ok(())
}

/// Whether a secret is stored for a channel (what the page may say of it).
pub fn has_secret(conn: &Connection, community_id: i64, kind: ChannelKind) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT secret <> '' FROM notify_channels WHERE community_id = ?1 AND kind = ?2",
        )?
        .query_row(params![community_id, kind.code()], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}
