//! The outbox's rules, without I/O: what a notice is about (`NoticeKind`),
//! where a delivery stands (`DeliveryState`), and when a failed attempt is
//! tried again (`backoff`).

use crate::domain::Msg;

/// What a notice tells a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// The advance notice (表决预告) of a vote still in draft: what will be
    /// decided and when, sent ahead so owners have their 15 days.
    VoteAdvance,
    VoteOpened,
    VoteClosing,
    MeetingPlanned,
    MinutesPublished,
    DisclosurePublished,
    ProposalChanged,
    VoteResult,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 8] = [
        NoticeKind::VoteAdvance,
        NoticeKind::VoteOpened,
        NoticeKind::VoteClosing,
        NoticeKind::MeetingPlanned,
        NoticeKind::MinutesPublished,
        NoticeKind::DisclosurePublished,
        NoticeKind::ProposalChanged,
        NoticeKind::VoteResult,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::VoteAdvance => "vote_advance",
            NoticeKind::VoteOpened => "vote_opened",
            NoticeKind::VoteClosing => "vote_closing",
            NoticeKind::MeetingPlanned => "meeting_planned",
            NoticeKind::MinutesPublished => "minutes_published",
            NoticeKind::DisclosurePublished => "disclosure_published",
            NoticeKind::ProposalChanged => "proposal_changed",
            NoticeKind::VoteResult => "vote_result",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> Msg {
        match self {
            NoticeKind::VoteAdvance => Msg::new("表决预告", "advance notice of a vote"),
            NoticeKind::VoteOpened => Msg::new("表决开始", "vote opened"),
            NoticeKind::VoteClosing => Msg::new("表决即将结束", "vote closing soon"),
            NoticeKind::MeetingPlanned => Msg::new("议事会通知", "meeting planned"),
            NoticeKind::MinutesPublished => Msg::new("会议纪要公布", "minutes published"),
            NoticeKind::DisclosurePublished => Msg::new("公开事项", "disclosure published"),
            NoticeKind::ProposalChanged => Msg::new("提案进展", "proposal progress"),
            NoticeKind::VoteResult => Msg::new("表决结果公示", "vote result"),
        }
    }
}

/// Where one delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its time (`due_at`).
    Queued,
    /// Handed to a channel; if the server stops now, it is sent again on
    /// restart under the same idempotency key (the e-mail's Message-ID).
    Sending,
    Sent,
    /// Given up: shown to the committee, who may resend.
    Failed,
    /// Not sent, with the reason (the vote closed before it went out, the
    /// resident unsubscribed, no address any more).
    Skipped,
}

impl DeliveryState {
    pub fn code(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> DeliveryState {
        match s {
            "sending" => DeliveryState::Sending,
            "sent" => DeliveryState::Sent,
            "failed" => DeliveryState::Failed,
            "skipped" => DeliveryState::Skipped,
            _ => DeliveryState::Queued,
        }
    }

    pub fn label(self) -> Msg {
        match self {
            DeliveryState::Queued => Msg::new("待发送", "queued"),
            DeliveryState::Sending => Msg::new("发送中", "sending"),
            DeliveryState::Sent => Msg::new("已送达", "sent"),
            DeliveryState::Failed => Msg::new("发送失败", "failed"),
            DeliveryState::Skipped => Msg::new("未发送", "not sent"),
        }
    }
}

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 6;

/// Seconds to wait after the `attempts`-th failed attempt: 30 s, 2 min,
/// 8 min, 32 min, then 2 hours each; `None` once it is given up.
pub fn backoff(attempts: i64) -> Option<i64> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let n = attempts.clamp(1, 5) as u32;
    Some((30 * 4_i64.pow(n - 1)).min(7_200))
}

/// Seconds before closing at which those who have not voted are reminded.
pub const CLOSING_REMINDER_SECS: i64 = 48 * 3600;

/// Days an owners' meeting must be notified before it is held
/// (物业管理条例 art. 14: 15 days).
pub const OWNERS_NOTICE_DAYS: i64 = 15;

/// Whole days from `now` until `opens_at` when they are fewer than an
/// owners' vote needs (a notice sent now would come too late); None if enough.
pub fn days_short(now: i64, opens_at: i64) -> Option<i64> {
    let d = (opens_at - now).max(0) / 86_400;
    (d < OWNERS_NOTICE_DAYS).then_some(d)
}

/// Is the reminder due: the vote closes within 48 hours from `now`?
pub fn closing_reminder_due(closes_at: i64, now: i64) -> bool {
    closes_at > now && closes_at - now <= CLOSING_REMINDER_SECS
}

/// The committee's warning when an owners' vote opens: notified fewer than
/// 15 days before, or not every owner's household reached. `notified_at` is
/// the first notice of the vote, `None` if there was none.
pub fn owners_notice_warning(
    notified_at: Option<i64>,
    opens_at: i64,
    reached: i64,
    households: i64,
) -> Option<Msg> {
    let days = notified_at.map(|t| (opens_at - t).max(0) / 86_400);
    let mut zh = Vec::new();
    let mut en = Vec::new();
    match days {
        None => {
            zh.push("开始前没有发出过通知".to_string());
            en.push("no notice went out before it opened".to_string());
        }
        Some(d) if d < OWNERS_NOTICE_DAYS => {
            zh.push(format!(
                "通知只提前了 {d} 天（应至少 {OWNERS_NOTICE_DAYS} 天）"
            ));
            en.push(format!(
                "the notice went out only {d} days before (at least {OWNERS_NOTICE_DAYS} are required)"
            ));
        }
        Some(_) => {}
    }
    if reached < households {
        zh.push(format!("只送达了 {reached}/{households} 户"));
        en.push(format!(
            "only {reached} of {households} households were reached"
        ));
    }
    if zh.is_empty() {
        return None;
    }
    Some(Msg::new(
        format!("业主表决的通知不足：{}", zh.join("；")),
        format!("owners' vote not fully notified: {}", en.join("; ")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.code()), Some(k));
        }
        assert_eq!(NoticeKind::parse("nope"), None);
        for s in [
            DeliveryState::Queued,
            DeliveryState::Sending,
            DeliveryState::Sent,
            DeliveryState::Failed,
            DeliveryState::Skipped,
        ] {
            assert_eq!(DeliveryState::parse(s.code()), s);
        }
    }

    #[test]
    fn backoff_grows_then_gives_up() {
        assert_eq!(backoff(1), Some(30));
        assert_eq!(backoff(2), Some(120));
        assert_eq!(backoff(3), Some(480));
        assert_eq!(backoff(5), Some(7_200));
        assert_eq!(backoff(MAX_ATTEMPTS), None);
    }

    #[test]
    fn reminder_only_in_the_last_48_hours() {
        let close = 1_000_000;
        assert!(closing_reminder_due(close, close - 48 * 3600));
        assert!(!closing_reminder_due(close, close - 48 * 3600 - 1));
        assert!(!closing_reminder_due(close, close));
    }

    #[test]
    fn fifteen_whole_days_are_enough_fourteen_and_a_half_are_not() {
        let day = 86_400;
        assert_eq!(days_short(0, 15 * day), None);
        assert_eq!(days_short(0, 15 * day - 1), Some(14));
        assert_eq!(days_short(10, 0), Some(0));
    }

    #[test]
    fn owners_warning_names_days_and_reach() {
        let day = 86_400;
        assert_eq!(owners_notice_warning(Some(0), 15 * day, 10, 10), None);
        let w = owners_notice_warning(Some(0), 14 * day, 10, 10).unwrap();
        assert!(w.zh.contains("14 天") && w.en.contains("14 days"));
        let w = owners_notice_warning(Some(0), 20 * day, 9, 10).unwrap();
        assert!(w.zh.contains("9/10") && w.en.contains("9 of 10"));
        let w = owners_notice_warning(None, 20 * day, 0, 10).unwrap();
        assert!(w.en.contains("no notice"));
    }
}
