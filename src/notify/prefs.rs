//! A resident's choices about notices, as pure rules: which channels, a daily
//! digest instead of one message per event, no SMS in quiet hours
//! (21:00–08:00 in the community's zone), a limit per resident per day, and
//! unsubscribing. `plan` says when (or whether) one delivery may go.

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;

use super::channel::ChannelKind;
use crate::domain::Msg;

/// Quiet hours for SMS begin at this hour…
pub const QUIET_FROM: i8 = 21;
/// …and end at this one, the next morning.
pub const QUIET_UNTIL: i8 = 8;
/// The hour the daily digest goes out.
pub const DIGEST_HOUR: i8 = 19;
/// Messages per resident per day unless they choose otherwise.
pub const DEFAULT_DAILY_LIMIT: u32 = 3;
/// The most a resident may choose.
pub const MAX_DAILY_LIMIT: u32 = 20;

/// What one resident chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefs {
    pub email: bool,
    pub sms: bool,
    /// One message a day at `DIGEST_HOUR` with everything since the last.
    pub digest: bool,
    /// Messages a day at most, 1..=MAX_DAILY_LIMIT.
    pub daily_limit: u32,
    /// Unsubscribed through a message's link: nothing personal is sent.
    pub unsubscribed: bool,
}

impl Prefs {
    /// The defaults before a resident chooses: every channel the roll gives
    /// them an address for, one message per event, the default limit.
    pub fn defaults(has_email: bool, has_phone: bool) -> Prefs {
        Prefs {
            email: has_email,
            sms: has_phone,
            digest: false,
            daily_limit: DEFAULT_DAILY_LIMIT,
            unsubscribed: false,
        }
    }

    /// Whether this resident takes notices over `kind`. Paper and the web
    /// always reach a household; group channels are the committee's.
    pub fn wants(&self, kind: ChannelKind) -> bool {
        match kind {
            ChannelKind::Email => self.email && !self.unsubscribed,
            ChannelKind::Sms => self.sms && !self.unsubscribed,
            ChannelKind::WeCom | ChannelKind::Webhook | ChannelKind::Paper | ChannelKind::Web => {
                true
            }
        }
    }
}

/// Checks a chosen daily limit.
pub fn parse_daily_limit(s: &str) -> Result<u32, Msg> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_DAILY_LIMIT).contains(&n) => Ok(n),
        _ => Err(Msg::new(
            format!("每日上限须是 1 到 {MAX_DAILY_LIMIT} 之间的整数，收到「{s}」"),
            format!(
                "the daily limit must be a whole number from 1 to {MAX_DAILY_LIMIT}, got '{s}'"
            ),
        )),
    }
}

/// Why a delivery waits or is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    QuietHours,
    Digest,
    DailyLimit,
    ChannelOff,
    Unsubscribed,
}

impl Why {
    pub fn msg(self) -> Msg {
        match self {
            Why::QuietHours => Msg::new(
                "免打扰时段（21:00–08:00 不发短信）",
                "quiet hours (no SMS 21:00–08:00)",
            ),
            Why::Digest => Msg::new("居民选择每日汇总", "the resident chose a daily digest"),
            Why::DailyLimit => Msg::new(
                "已达居民的每日上限",
                "the resident's daily limit is reached",
            ),
            Why::ChannelOff => Msg::new(
                "居民未选这个渠道",
                "the resident did not choose this channel",
            ),
            Why::Unsubscribed => Msg::new("居民已退订", "the resident unsubscribed"),
        }
    }
}

/// When one delivery may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Now,
    /// Not before this time; ask again then.
    At(Timestamp, Why),
    /// Never over this channel.
    Skip(Why),
}

/// One delivery to plan: over which channel, when its notice was queued,
/// the time now, the community's zone, and how many messages this resident
/// has been sent today (a digest counts once).
pub struct Ask<'a> {
    pub channel: ChannelKind,
    pub queued_at: Timestamp,
    pub now: Timestamp,
    pub tz: &'a TimeZone,
    pub sent_today: u32,
}

/// The rules, in order: unsubscribed or channel off → skip; a digest waits
/// for the first digest hour at or after it was queued; over the daily
/// limit → tomorrow morning; SMS in quiet hours → 08:00.
pub fn plan(p: &Prefs, a: &Ask<'_>) -> Plan {
    let personal = matches!(a.channel, ChannelKind::Email | ChannelKind::Sms);
    if personal && p.unsubscribed {
        return Plan::Skip(Why::Unsubscribed);
    }
    if !p.wants(a.channel) {
        return Plan::Skip(Why::ChannelOff);
    }
    if !personal {
        return Plan::Now;
    }
    let mut t = a.now;
    let mut why = None;
    if p.digest {
        let due = next_at(a.queued_at, a.tz, DIGEST_HOUR);
        if due > t {
            (t, why) = (due, Some(Why::Digest));
        }
    }
    if same_day(t, a.now, a.tz) && a.sent_today >= p.daily_limit {
        (t, why) = (tomorrow_morning(a.now, a.tz), Some(Why::DailyLimit));
    }
    if a.channel == ChannelKind::Sms && quiet(t, a.tz) {
        (t, why) = (
            next_at(t, a.tz, QUIET_UNTIL),
            Some(why.unwrap_or(Why::QuietHours)),
        );
    }
    match why {
        Some(w) if t > a.now => Plan::At(t, w),
        _ => Plan::Now,
    }
}

/// Whether `t` falls in SMS quiet hours in `tz`.
pub fn quiet(t: Timestamp, tz: &TimeZone) -> bool {
    let h = t.to_zoned(tz.clone()).hour();
    !(QUIET_UNTIL..QUIET_FROM).contains(&h)
}

/// The first moment at or after `t` when the clock in `tz` shows `hour`:00.
pub fn next_at(t: Timestamp, tz: &TimeZone, hour: i8) -> Timestamp {
    let z = t.to_zoned(tz.clone());
    let at = Time::constant(hour, 0, 0, 0);
    let today = z.date().to_datetime(at);
    let candidate = tz.to_ambiguous_timestamp(today).compatible().unwrap_or(t);
    if candidate >= t {
        return candidate;
    }
    let tomorrow = z
        .date()
        .tomorrow()
        .map(|d| d.to_datetime(at))
        .unwrap_or(today);
    tz.to_ambiguous_timestamp(tomorrow)
        .compatible()
        .unwrap_or(t)
}

/// Local midnight of `t`'s day in `tz`: where "today" starts for the daily limit.
pub fn day_start(t: Timestamp, tz: &TimeZone) -> Timestamp {
    let z = t.to_zoned(tz.clone());
    tz.to_ambiguous_timestamp(z.date().to_datetime(Time::midnight()))
        .compatible()
        .unwrap_or(t)
}

fn tomorrow_morning(t: Timestamp, tz: &TimeZone) -> Timestamp {
    let z = t.to_zoned(tz.clone());
    let at = Time::constant(QUIET_UNTIL, 0, 0, 0);
    let d = z.date().tomorrow().unwrap_or(z.date());
    tz.to_ambiguous_timestamp(d.to_datetime(at))
        .compatible()
        .unwrap_or(t)
}

fn same_day(a: Timestamp, b: Timestamp, tz: &TimeZone) -> bool {
    a.to_zoned(tz.clone()).date() == b.to_zoned(tz.clone()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    /// A Shanghai wall-clock time on 2026-03-10.
    fn at(h: i8, m: i8) -> Timestamp {
        let dt = jiff::civil::date(2026, 3, 10).at(h, m, 0, 0);
        tz().to_ambiguous_timestamp(dt).compatible().unwrap()
    }

    fn tomorrow(h: i8, m: i8) -> Timestamp {
        let dt = jiff::civil::date(2026, 3, 11).at(h, m, 0, 0);
        tz().to_ambiguous_timestamp(dt).compatible().unwrap()
    }

    fn ask(channel: ChannelKind, now: Timestamp, sent_today: u32) -> Plan {
        let p = Prefs::defaults(true, true);
        plan(
            &p,
            &Ask {
                channel,
                queued_at: now,
                now,
                tz: &tz(),
                sent_today,
            },
        )
    }

    #[test]
    fn no_sms_in_quiet_hours_but_email_goes() {
        assert_eq!(ask(ChannelKind::Sms, at(20, 59), 0), Plan::Now);
        assert_eq!(
            ask(ChannelKind::Sms, at(21, 0), 0),
            Plan::At(tomorrow(8, 0), Why::QuietHours)
        );
        assert_eq!(
            ask(ChannelKind::Sms, at(7, 59), 0),
            Plan::At(at(8, 0), Why::QuietHours)
        );
        assert_eq!(ask(ChannelKind::Sms, at(8, 0), 0), Plan::Now);
        assert_eq!(ask(ChannelKind::Email, at(23, 30), 0), Plan::Now);
    }

    #[test]
    fn the_daily_limit_moves_the_rest_to_tomorrow_morning() {
        assert_eq!(ask(ChannelKind::Email, at(10, 0), 2), Plan::Now);
        assert_eq!(
            ask(ChannelKind::Email, at(10, 0), 3),
            Plan::At(tomorrow(8, 0), Why::DailyLimit)
        );
        assert_eq!(
            ask(ChannelKind::Sms, at(1, 0), 3),
            Plan::At(tomorrow(8, 0), Why::DailyLimit)
        );
    }

    #[test]
    fn a_digest_waits_for_the_digest_hour_after_it_was_queued_and_then_goes() {
        let p = Prefs {
            digest: true,
            ..Prefs::defaults(true, true)
        };
        let t = tz();
        let q = at(9, 15);
        let early = Ask {
            channel: ChannelKind::Email,
            queued_at: q,
            now: q,
            tz: &t,
            sent_today: 0,
        };
        assert_eq!(plan(&p, &early), Plan::At(at(19, 0), Why::Digest));
        let later = Ask {
            now: at(19, 40),
            ..early
        };
        assert_eq!(
            plan(&p, &later),
            Plan::Now,
            "a worker waking late still sends the digest"
        );
        let queued_after = Ask {
            queued_at: at(19, 30),
            now: at(19, 30),
            ..early
        };
        assert_eq!(
            plan(&p, &queued_after),
            Plan::At(tomorrow(19, 0), Why::Digest)
        );
    }

    #[test]
    fn unsubscribed_or_unchosen_channels_are_skipped_group_and_paper_are_not() {
        let off = Prefs {
            unsubscribed: true,
            ..Prefs::defaults(true, true)
        };
        let t = tz();
        let a = |channel| Ask {
            channel,
            queued_at: at(10, 0),
            now: at(10, 0),
            tz: &t,
            sent_today: 99,
        };
        assert_eq!(
            plan(&off, &a(ChannelKind::Email)),
            Plan::Skip(Why::Unsubscribed)
        );
        assert_eq!(plan(&off, &a(ChannelKind::Paper)), Plan::Now);
        assert_eq!(plan(&off, &a(ChannelKind::WeCom)), Plan::Now);
        let no_phone = Prefs::defaults(true, false);
        assert_eq!(
            plan(&no_phone, &a(ChannelKind::Sms)),
            Plan::Skip(Why::ChannelOff)
        );
    }

    #[test]
    fn daily_limit_is_checked_with_a_bilingual_message() {
        assert_eq!(parse_daily_limit(" 5 "), Ok(5));
        let e = parse_daily_limit("0").unwrap_err();
        assert!(e.zh.contains("每日上限") && e.en.contains("daily limit") && e.en.contains("'0'"));
        assert!(parse_daily_limit("21").is_err() && parse_daily_limit("x").is_err());
    }

    #[test]
    fn day_start_is_local_midnight() {
        assert_eq!(day_start(at(23, 59), &tz()), at(0, 0));
        assert!(quiet(at(0, 0), &tz()) && !quiet(at(12, 0), &tz()));
    }
}
