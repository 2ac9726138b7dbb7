//! The advance notice (表决预告) of an owners' vote, sent from its draft:
//! asked first, once, through the outbox; its date and reach in the
//! opening's ledger entry and the committee's 15-day warning; not sent late.

use super::{body_of, mails, smtp};
use crate::common::*;
use std::time::Duration;

/// Drafts an owners' vote on the demo compound's building 3, opening in
/// 2099 (so the planned opening leaves the 15 days); its page.
async fn draft_owners_vote(com: &mut Client, s: &Server, title: &str) -> String {
    let building: i64 = s
        .sql()
        .query_row(
            "SELECT b.id FROM buildings b JOIN communities c ON c.id = b.community_id
             WHERE c.slug = 'wutong' AND b.number = '3'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    com.get("/c/wutong/votes/new").await;
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", title),
                ("scope", &format!("building:{building}")),
                ("rule", "civil_code_278_ordinary"),
                ("opens", "2099-06-01"),
                ("closes", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.body);
    r.location.unwrap().split('?').next().unwrap().to_string()
}

/// `(id, created_at, households)` of the vote's advance notices.
fn advance_notices(s: &Server, vote: &str) -> Vec<(i64, i64, i64)> {
    s.sql()
        .prepare(
            "SELECT n.id, n.created_at, (SELECT count(*) FROM notice_households h WHERE h.notice_id = n.id)
             FROM notices n WHERE n.kind = 'vote_advance' AND n.subject = 'vote:' || ?1 ORDER BY n.id",
        )
        .unwrap()
        .query_map([vote], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
}

/// The `payload.notice` of the vote's `vote.opened` entry.
fn opened_notice(s: &Server, vote: &str) -> serde_json::Value {
    let p: String = s
        .sql()
        .query_row(
            "SELECT payload FROM ledger WHERE kind = 'vote.opened' AND subject = 'vote:' || ?1",
            [vote],
            |r| r.get(0),
        )
        .unwrap();
    serde_json::from_str::<serde_json::Value>(&p).unwrap()["notice"].clone()
}

/// The advance notice (表决预告) of an owners' vote, sent from its draft:
/// asked first, sent once through the outbox to every household of the
/// electorate the vote then freezes; when it opens, the `vote.opened` entry
/// and the committee's 15-day warning take the advance notice's date and
/// reach. Sixteen days before and every household reached: no warning. Sent
/// the same day: the warning names 0 days, not a missing notice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_votes_advance_notice_gives_the_opening_its_date_and_reach() {
    use reqwest::StatusCode;
    let mail = smtp().await;
    let port = mail.port;
    let s = Server::start_with(|c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.notify_poll_ms = 100;
    })
    .await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = draft_owners_vote(&mut com, &s, "3栋外墙维修").await;
    let vote = page.rsplit('/').next().unwrap().to_string();
    let r = com.get(&page).await;
    assert!(r.has("还没有发出表决预告"), "{}", r.body);
    assert!(r.has(&format!(r#"href="{page}/advance-notice/confirm""#)));

    // Asked first: a post without confirm changes nothing.
    let r = com.post(&format!("{page}/advance-notice"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("{page}/advance-notice/confirm").as_str())
    );
    assert!(advance_notices(&s, &vote).is_empty());
    let ask = com.get(&format!("{page}/advance-notice/confirm")).await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(ask.has("发出表决预告？") && ask.has("3栋外墙维修") && ask.has("户"));
    assert!(ask.has(&format!(r#"action="{page}/advance-notice""#)));
    assert!(ask.has(r#"name="confirm" value="1""#));
    assert!(!ask.has("不足 15 天"), "the planned opening leaves 15 days");
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let r = res.get(&format!("{page}/advance-notice/confirm")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = com
        .post(&format!("{page}/advance-notice"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("{page}#advance").as_str())
    );
    let sent = advance_notices(&s, &vote);
    assert_eq!(sent.len(), 1);
    let (notice, _, households) = sent[0];
    assert!(households > 0);
    // Once only, and never after the opening.
    let again = com
        .post(&format!("{page}/advance-notice"), &[("confirm", "1")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.has("预告已在") && again.has("不再重发"),
        "{}",
        again.body
    );
    assert_eq!(advance_notices(&s, &vote).len(), 1);

    // Its e-mails go out through the same outbox, and the draft's page
    // shows the reach per building and, while short, the warning.
    let emails: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM deliveries WHERE notice_id = ?1 AND channel = 'email'",
            [notice],
            |r| r.get(0),
        )
        .unwrap();
    for _ in 0..600 {
        let left: i64 = s
            .sql()
            .query_row(
                "SELECT count(*) FROM deliveries WHERE notice_id = ?1 AND state IN ('queued', 'sending')",
                [notice],
                |r| r.get(0),
            )
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let titled = mails(mail.dir.path())
        .iter()
        .filter(|m| {
            body_of(m).contains(&format!("{}{page}", s.base)) && m.contains("Coming vote: ")
        })
        .count() as i64;
    let states: Vec<(String, String)> = s
        .sql()
        .prepare("SELECT state, COALESCE(last_error, '') FROM deliveries WHERE notice_id = ?1")
        .unwrap()
        .query_map([notice], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(
        titled, emails,
        "one e-mail per delivery of the advance notice: {states:?}"
    );
    let r = com.get(&page).await;
    assert!(r.has("预告发出") && r.has(&format!("/c/wutong/notices/{notice}")));
    assert!(!r.has("advance-notice/confirm"), "sent: no second button");
    let unreached: Vec<i64> = s
        .sql()
        .prepare("SELECT household_id FROM notice_households WHERE notice_id = ?1 AND reached_at IS NULL")
        .unwrap()
        .query_map([notice], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    if !unreached.is_empty() {
        assert!(r.has("只送达了"), "{}", r.body);
    }
    // Every other household reached on paper, and the notice sixteen days old.
    for h in &unreached {
        let r = com
            .post(&format!("/c/wutong/notices/{notice}/paper/{h}"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    s.sql()
        .execute(
            "UPDATE notices SET created_at = created_at - 16 * 86400 WHERE id = ?1",
            [notice],
        )
        .unwrap();
    let notified_at = advance_notices(&s, &vote)[0].1;

    let r = com.post(&format!("{page}/open"), &[("confirm", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let n = opened_notice(&s, &vote);
    assert_eq!(n["notified_at"], notified_at, "{n}");
    assert_eq!(n["households"], households);
    assert_eq!(n["reached"], households);
    assert!(n["warning"].is_null(), "{n}");
    // The opening's own notice reaches the same households.
    let opening: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM notice_households h JOIN notices n ON n.id = h.notice_id
             WHERE n.kind = 'vote_opened' AND n.subject = 'vote:' || ?1",
            [&vote],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(opening, households);
    let r = com.get(&page).await;
    assert!(
        r.has("预告发出") && !r.has("业主表决的通知不足"),
        "{}",
        r.body
    );
    let r = com
        .post(&format!("{page}/advance-notice"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("已经开始"));
    let audited: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'vote.advance_notice' AND target = 'vote:' || ?1",
            [&vote],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // Sent the same day as the opening: the warning counts from it.
    let page = draft_owners_vote(&mut com, &s, "3栋车棚改造").await;
    let vote = page.rsplit('/').next().unwrap().to_string();
    let r = com
        .post(&format!("{page}/advance-notice"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = com.post(&format!("{page}/open"), &[("confirm", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let n = opened_notice(&s, &vote);
    assert_eq!(n["notified_at"], advance_notices(&s, &vote)[0].1);
    let w = n["warning"].as_str().unwrap_or_default();
    assert!(
        w.contains("通知只提前了 0 天") && !w.contains("没有发出过"),
        "{n}"
    );
    let r = com.get(&page).await;
    assert!(
        r.has("通知只提前了 0 天"),
        "the committee sees the entry's warning"
    );
    s.stop().await;
}

/// An advance notice still waiting when its vote opens is not sent late:
/// the opening's own notice says the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advance_notice_still_waiting_at_the_opening_is_skipped() {
    use reqwest::StatusCode;
    // No mail server: every e-mail waits for a retry.
    let s = Server::start_with(|c| c.notify_poll_ms = 100).await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = draft_owners_vote(&mut com, &s, "3栋屋顶防水").await;
    let vote = page.rsplit('/').next().unwrap().to_string();
    let r = com
        .post(&format!("{page}/advance-notice"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let notice = advance_notices(&s, &vote)[0].0;
    let r = com.post(&format!("{page}/open"), &[("confirm", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let states = || -> Vec<(String, String)> {
        s.sql()
            .prepare("SELECT state, COALESCE(last_error, '') FROM deliveries WHERE notice_id = ?1")
            .unwrap()
            .query_map([notice], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    assert!(!states().is_empty(), "the demo gives some owners an e-mail");
    // Due now (no waiting out the back-off), then the worker's next round;
    // again for one that was being tried at the first update.
    for _ in 0..300 {
        s.sql()
            .execute(
                "UPDATE deliveries SET due_at = 0 WHERE notice_id = ?1 AND state = 'queued'",
                [notice],
            )
            .unwrap();
        if states().iter().all(|d| d.0 == "skipped") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = states();
    assert!(
        all.iter()
            .all(|d| d.0 == "skipped" && d.1.contains("已结束")),
        "{all:?}"
    );
    s.stop().await;
}
