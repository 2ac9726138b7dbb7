//! The delivery worker: claims due deliveries from the outbox (each marked
//! `sending` in a committed transaction before anything goes out), sends them
//! through their community's channel, and records each attempt as it ends.
//! On start it puts back what a previous run left `sending`; those go out
//! again under the same idempotency key. Also queues the 48-hour reminders.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::channel::{Channel, ChannelKind, Outgoing, SendError};
use super::email::Email;
use super::events;
use super::schedule::{self, Job};
use crate::domain::Msg;
use crate::error::Error;
use crate::store::Db;
use crate::store::notices::{self, Outcome};

/// Deliveries claimed in one look at the outbox (and sent at once).
pub const BATCH: usize = 32;

/// What the worker needs from the server.
#[derive(Clone)]
pub struct Setup {
    pub db: Db,
    /// The site's address for links in messages (`http://host:port`).
    pub base_url: String,
    /// The operator's default mail server (`TEAHOUSE_SMTP_URL`).
    pub smtp_url: Option<String>,
    pub poll: Duration,
}

/// The sender address of the operator's default mail server.
fn default_from(base_url: &str) -> String {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or("localhost")
        .split(['/', ':'])
        .next()
        .filter(|h| h.contains('.') && !h.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .unwrap_or("teahouse.localhost");
    format!("议事茶馆 Teahouse <notices@{host}>")
}

/// Starts the worker for a server bound at `addr`.
pub fn spawn(db: &Db, cfg: &crate::Config, addr: std::net::SocketAddr) -> Result<(), Error> {
    let setup = Setup {
        db: db.clone(),
        base_url: cfg
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}")),
        smtp_url: cfg.smtp_url.clone(),
        poll: Duration::from_millis(cfg.notify_poll_ms.max(50)),
    };
    let w = Worker::new(setup).map_err(|m| Error::Internal(format!("TEAHOUSE_SMTP_URL: {m}")))?;
    tokio::spawn(w.run());
    Ok(())
}

pub struct Worker {
    setup: Setup,
    default_email: Option<Arc<dyn Channel>>,
    http: reqwest::Client,
}

impl Worker {
    pub fn new(setup: Setup) -> Result<Worker, Msg> {
        let default_email = match &setup.smtp_url {
            Some(url) => {
                Some(Arc::new(Email::new(url, &default_from(&setup.base_url))?) as Arc<dyn Channel>)
            }
            None => None,
        };
        Ok(Worker {
            setup,
            default_email,
            http: super::http::client(),
        })
    }

    /// Runs until the process ends.
    pub async fn run(self) {
        if let Err(e) = self.setup.db.write(notices::recover).await {
            tracing::warn!(error = %e, "notices: recovering interrupted deliveries failed");
        }
        loop {
            match self.tick().await {
                Ok(n) if n >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "notices: delivery round failed"),
            }
            tokio::time::sleep(self.setup.poll).await;
        }
    }

    /// The channels a community sends through, by kind: those its committee
    /// set up (`notify::settings::senders`), else the operator's e-mail.
    async fn channels(&self, community_id: i64) -> HashMap<ChannelKind, Arc<dyn Channel>> {
        let read = self
            .setup
            .db
            .read(move |c| crate::store::notify_settings::channels(c, community_id));
        let stored = read.await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "notices: reading a community's channels failed");
            Vec::new()
        });
        let mut m = super::settings::senders(&stored, &self.http);
        if let Some(e) = &self.default_email {
            m.entry(ChannelKind::Email).or_insert_with(|| e.clone());
        }
        m
    }

    /// One round: reminders due, then up to [`BATCH`] deliveries. Returns
    /// how many were claimed.
    pub async fn tick(&self) -> Result<usize, Error> {
        let db = &self.setup.db;
        db.write(events::queue_reminders).await?;
        let claimed = db.write(claim).await?;
        let n = claimed.len();
        let mut running = JoinSet::new();
        let mut by_community: HashMap<i64, HashMap<ChannelKind, Arc<dyn Channel>>> = HashMap::new();
        for job in claimed {
            let c = &job.c;
            if let std::collections::hash_map::Entry::Vacant(v) = by_community.entry(c.community_id)
            {
                v.insert(self.channels(c.community_id).await);
            }
            let chan = by_community[&c.community_id].get(&c.channel).cloned();
            let out = outgoing(&job, &self.setup.base_url);
            let db = db.clone();
            running.spawn(async move {
                let c = &job.c;
                let outcome = match chan {
                    None => Outcome::Retry(Msg::new(
                        format!("社区还没有设置「{}」渠道", c.channel.label().zh),
                        format!(
                            "the community has no {} channel set up",
                            c.channel.label().en
                        ),
                    )),
                    Some(ch) => match ch.send(&out).await {
                        Ok(id) => Outcome::Sent(id),
                        Err(SendError::Retry(m)) => Outcome::Retry(m),
                        Err(SendError::Fail(m)) => Outcome::Fail(m),
                    },
                };
                db.write(move |tx| {
                    notices::finish(tx, &job.c, &outcome)?;
                    for c in &job.merged {
                        notices::finish(tx, c, &outcome)?;
                        if matches!(outcome, Outcome::Sent(_)) {
                            notices::digest_of(tx, c, job.c.id)?;
                        }
                    }
                    Ok(())
                })
                .await
            });
        }
        while let Some(r) = running.join_next().await {
            match r {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "notices: recording an attempt failed"),
                Err(e) => tracing::warn!(error = %e, "notices: a send task failed"),
            }
        }
        Ok(n)
    }
}

/// Claims due deliveries; those whose subject is no longer current (the vote
/// closed, the meeting was held) are skipped at once, the rest arranged by
/// the residents' rules (`schedule::arrange`). Each one to send comes with
/// its resident's unsubscribe link token.
fn claim(tx: &rusqlite::Transaction) -> Result<Vec<Job>, Error> {
    let mut out = Vec::new();
    for c in notices::claim(tx, BATCH)? {
        if !notices::still_current(tx, c.kind, &c.subject)? {
            let why = Msg::new(
                "通知的事项已结束，不再发送",
                "what the notice was about is over; not sent",
            );
            notices::finish(tx, &c, &Outcome::Skip(why))?;
            continue;
        }
        if c.to.is_empty() && matches!(c.channel, ChannelKind::Email | ChannelKind::Sms) {
            let why = Msg::new(
                "居民没有这个渠道的地址",
                "the resident has no address for this channel",
            );
            notices::finish(tx, &c, &Outcome::Skip(why))?;
            continue;
        }
        let token = match c.resident_id {
            Some(r) => crate::store::notify_prefs::unsubscribe_token(tx, r, crate::store::now())?,
            None => String::new(),
        };
        out.push((c, token));
    }
    let now = jiff::Timestamp::from_second(crate::store::now()).unwrap_or_default();
    schedule::arrange(tx, out, now)
}

fn outgoing(job: &Job, base: &str) -> Outgoing {
    let c = &job.c;
    let base = base.trim_end_matches('/');
    let (title, body) = if job.merged.is_empty() {
        (c.title.clone(), c.body.clone())
    } else {
        schedule::digest(&job.all().collect::<Vec<_>>(), base)
    };
    Outgoing {
        delivery_id: c.id,
        community_slug: c.community_slug.clone(),
        to: c.to.clone(),
        title: title.zh,
        body: format!("{}\n\n{}\n{}", body.zh, title.en, body.en),
        link: format!("{base}{}", c.path),
        unsubscribe: if job.token.is_empty() {
            String::new()
        } else {
            format!("{base}/unsubscribe/{}", job.token)
        },
        template: None,
        idempotency_key: if c.group {
            format!("th-{}-g{}", c.community_slug, c.id)
        } else {
            Outgoing::key_for(&c.community_slug, c.id)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sender_uses_the_sites_host_name() {
        assert_eq!(
            default_from("https://teahouse.example.cn/x"),
            "议事茶馆 Teahouse <notices@teahouse.example.cn>"
        );
        assert_eq!(
            default_from("http://127.0.0.1:8080"),
            "议事茶馆 Teahouse <notices@teahouse.localhost>"
        );
    }
}
