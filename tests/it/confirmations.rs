//! Irreversible one-tap steps ask first (#16 item 7): opening a vote and
//! publishing minutes. A post without confirm=1 changes nothing and goes to
//! the step's confirm page, a plain form (no JavaScript) that says what will
//! happen and posts again with confirm=1.

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn opening_a_vote_asks_first_and_only_the_confirmed_post_opens_it() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/votes/new").await;
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "楼道粉刷"),
                ("scope", "community"),
                ("rule", "civil_code_278_special"),
                ("opens", "2026-01-01"),
                ("closes", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location.unwrap();
    let page = page.split('?').next().unwrap().to_string();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let status = || -> String {
        s.sql()
            .query_row("SELECT status FROM votes WHERE id = ?1", [id], |r| r.get(0))
            .unwrap()
    };
    let frozen = || -> i64 {
        s.sql()
            .query_row(
                "SELECT count(*) FROM vote_electorate WHERE vote_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };

    // The page's button posts without confirm: sent to the confirm page.
    com.get(&page).await;
    let r = com.post(&format!("{page}/open"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("{page}/open/confirm").as_str())
    );
    assert_eq!(status(), "draft", "nothing changed");
    assert_eq!(frozen(), 0);

    let ask = com.get(&format!("{page}/open/confirm")).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.has("开放这次表决？") && ask.has("楼道粉刷"),
        "{}",
        ask.body
    );
    assert!(ask.has("选民名单按现在的名册冻结"));
    assert!(ask.has(&format!(r#"action="{page}/open""#)));
    assert!(ask.has(r#"name="confirm" value="1""#));
    assert!(ask.has(&format!(r#"href="{page}""#)), "a way back");
    // Residents may not even see it.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    assert_eq!(
        res.get(&format!("{page}/open/confirm")).await.status,
        StatusCode::FORBIDDEN
    );

    let r = com.post(&format!("{page}/open"), &[("confirm", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(status(), "open");
    assert!(frozen() > 0, "the electorate is frozen");
    s.stop().await;
}

#[tokio::test]
async fn publishing_minutes_asks_first() {
    let s = Server::start().await;
    let did: i64 = s
        .sql()
        .query_row(
            "SELECT d.id FROM deliberations d JOIN communities c ON c.id = d.community_id
             WHERE c.slug = 'wutong' AND d.status = 'planned' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let base = format!("/c/wutong/deliberations/{did}");
    com.get(&base).await;
    let ledger = |s: &Server| -> i64 {
        s.sql()
            .query_row("SELECT count(*) FROM ledger", [], |r| r.get(0))
            .unwrap()
    };
    let before = ledger(&s);
    let r = com.post(&format!("{base}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("{base}/publish/confirm").as_str())
    );
    assert_eq!(ledger(&s), before, "nothing published");
    let ask = com.get(&format!("{base}/publish/confirm")).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.has("公开这份纪要？") && ask.has("之后只能修订"),
        "{}",
        ask.body
    );
    assert!(ask.has(&format!(r#"action="{base}/publish""#)));
    assert!(ask.has(r#"name="confirm" value="1""#));
    s.stop().await;
}
