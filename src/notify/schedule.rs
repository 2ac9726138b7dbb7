//! The worker's residents' rules at send time: each claimed delivery goes
//! now, waits (quiet hours for SMS, the digest hour, the daily limit — put
//! back without counting an attempt) or is skipped (channel off,
//! unsubscribed), as `prefs::plan` says; a resident's digest deliveries due
//! together go as one message.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::channel::ChannelKind;
use super::prefs::{self, Ask, Plan, Prefs};
use crate::domain::Msg;
use crate::error::Error;
use crate::store::notices::{self, Claimed, Outcome};

/// One message to send: its delivery, the others it carries (a digest), and
/// the resident's unsubscribe token.
pub struct Job {
    pub c: Claimed,
    pub merged: Vec<Claimed>,
    pub token: String,
}

impl Job {
    /// The delivery and every one it carries.
    pub fn all(&self) -> impl Iterator<Item = &Claimed> {
        std::iter::once(&self.c).chain(self.merged.iter())
    }
}

/// A community's zone, UTC if its name is unknown.
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// What the claimed deliveries become at `now`: jobs to send now; the rest
/// postponed or skipped in `tx`.
pub fn arrange(
    tx: &rusqlite::Transaction,
    claimed: Vec<(Claimed, String)>,
    now: Timestamp,
) -> Result<Vec<Job>, Error> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut today: HashMap<i64, u32> = HashMap::new();
    let mut digests: HashMap<(i64, ChannelKind), usize> = HashMap::new();
    for (c, token) in claimed {
        let Some(r) = c.resident_id else {
            jobs.push(Job {
                c,
                merged: Vec::new(),
                token,
            });
            continue;
        };
        let p = crate::store::notify_prefs::of(tx, r)?
            .map(|x| x.prefs)
            .unwrap_or_else(|| Prefs::defaults(true, true));
        let tz = zone(&c.tz);
        let sent = match today.get(&r) {
            Some(n) => *n,
            None => notices::sent_since(tx, r, prefs::day_start(now, &tz).as_second())?,
        };
        let primary = p
            .digest
            .then(|| digests.get(&(r, c.channel)).copied())
            .flatten();
        let ask = Ask {
            channel: c.channel,
            queued_at: Timestamp::from_second(c.queued_at).unwrap_or(now),
            now,
            tz: &tz,
            // A digest's later parts ride on the message already counted.
            sent_today: if primary.is_some() {
                sent.saturating_sub(1)
            } else {
                sent
            },
        };
        match prefs::plan(&p, &ask) {
            Plan::Now => {}
            Plan::At(t, why) => {
                notices::postpone(tx, &c, t.as_second(), &why.msg())?;
                continue;
            }
            Plan::Skip(why) => {
                notices::finish(tx, &c, &Outcome::Skip(why.msg()))?;
                continue;
            }
        }
        if let Some(i) = primary {
            jobs[i].merged.push(c);
            continue;
        }
        today.insert(r, sent + 1);
        if p.digest {
            digests.insert((r, c.channel), jobs.len());
        }
        jobs.push(Job {
            c,
            merged: Vec::new(),
            token,
        });
    }
    Ok(jobs)
}

/// A digest's title and body: how many notices, then each one's title,
/// body and page, in Chinese and in English apart.
pub fn digest(parts: &[&Claimed], base: &str) -> (Msg, Msg) {
    let n = parts.len();
    let title = Msg::new(
        format!("今日通知汇总（{n} 条）"),
        format!("Today's notices ({n})"),
    );
    let (mut zh, mut en) = (String::new(), String::new());
    for (i, c) in parts.iter().enumerate() {
        let link = format!("{}{}", base.trim_end_matches('/'), c.path);
        zh.push_str(&format!(
            "{}. {}\n{}\n{link}\n\n",
            i + 1,
            c.title.zh,
            c.body.zh
        ));
        en.push_str(&format!(
            "{}. {}\n{}\n{link}\n\n",
            i + 1,
            c.title.en,
            c.body.en
        ));
    }
    (title, Msg::new(zh.trim_end(), en.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::outbox::NoticeKind;

    fn claimed(id: i64, title: &str) -> Claimed {
        Claimed {
            id,
            group: false,
            notice_id: id,
            community_id: 1,
            community_slug: "wutong".into(),
            tz: "Asia/Shanghai".into(),
            channel: ChannelKind::Email,
            kind: NoticeKind::VoteOpened,
            subject: format!("vote:{id}"),
            to: "a@example.cn".into(),
            resident_id: Some(7),
            title: Msg::new(format!("表决{title}"), format!("Vote {title}")),
            body: Msg::new("请投票", "please vote"),
            path: format!("/c/wutong/votes/{id}"),
            queued_at: 0,
            attempts: 1,
        }
    }

    #[test]
    fn a_digest_lists_every_notice_with_its_link_one_language_per_body() {
        let (a, b) = (claimed(1, "甲"), claimed(2, "乙"));
        let (title, body) = digest(&[&a, &b], "https://t.example.cn/");
        assert_eq!(title.zh, "今日通知汇总（2 条）");
        assert_eq!(title.en, "Today's notices (2)");
        assert!(
            body.zh
                .starts_with("1. 表决甲\n请投票\nhttps://t.example.cn/c/wutong/votes/1")
        );
        assert!(
            body.zh
                .contains("2. 表决乙\n请投票\nhttps://t.example.cn/c/wutong/votes/2")
        );
        assert!(!body.zh.contains("please vote"), "{}", body.zh);
        assert!(
            body.en
                .contains("2. Vote 乙\nplease vote\nhttps://t.example.cn/c/wutong/votes/2")
        );
    }

    #[test]
    fn an_unknown_zone_is_utc() {
        assert_eq!(zone("Mars/Olympus"), TimeZone::UTC);
        assert_ne!(zone("Asia/Shanghai"), TimeZone::UTC);
    }
}
