//! Refused committee forms on a phone (390×844, headless Chromium, #16
//! item 3): a decision on a proposal and a round's rule come back as the
//! same form, as typed, with the reason beside the field and the member's
//! own header; no page scrolls sideways and axe finds nothing serious or
//! critical.

use crate::browser::{axe, body_text, click, fill, overflow, start_browser, visit};
use crate::common::*;
use fantoccini::{Client as Browser, Locator};

/// Clicks and waits for the element the next page is known by.
async fn click_to(b: &Browser, css: &str, then: &str) {
    click(b, css).await;
    b.wait().for_element(Locator::Css(then)).await.unwrap();
}

async fn text_of(b: &Browser, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn value_of(b: &Browser, id: &str) -> String {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// A new round collecting ideas, made over HTTP; its page.
async fn new_round(s: &Server) -> String {
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/rounds").await;
    let r = com
        .post(
            "/c/wutong/rounds",
            &[
                ("title", "楼道金点子"),
                ("budget", "30000"),
                ("min_cost", "5000"),
                ("max_cost", "15000"),
                ("place", "community"),
                ("rule", "greedy"),
                ("collect_until", "2026-12-01"),
                ("review_until", "2026-12-10"),
                ("vote_until", "2026-12-20"),
            ],
        )
        .await;
    r.location.unwrap().split('?').next().unwrap().to_string()
}

#[tokio::test]
async fn a_committee_member_meets_refused_forms_on_a_phone() {
    let s = Server::start().await;
    let round = new_round(&s).await;
    let proposal: i64 = s
        .sql()
        .query_row(
            "SELECT p.id FROM proposals p JOIN communities c ON c.id = p.community_id
             WHERE c.slug = 'wutong' AND p.status = 'review' ORDER BY p.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (_driver, b) = start_browser(390, 844).await;
    let page = format!("/c/wutong/proposals/{proposal}");
    visit(&b, &format!("{}/login?next={page}", s.base)).await;
    fill(&b, "f-login", COMMITTEE.0).await;
    fill(&b, "f-password", COMMITTEE.1).await;
    click_to(&b, "main button[type=submit]", "#decide").await;

    // A decline without its public reason: the decision stays chosen.
    click(&b, "label[for=f-decision-decline]").await;
    fill(&b, "f-assignee_name", "王网格").await;
    click_to(&b, "#decide button[type=submit]", ".error-summary").await;
    axe(&b, "refused decision").await;
    assert!(
        overflow(&b).await <= 0.5,
        "the refused decision scrolls sideways"
    );
    let err = text_of(&b, "#decide .field-error").await;
    assert!(err.contains("不予采纳必须写明公开理由"), "{err}");
    let chosen: bool = b
        .find(Locator::Id("f-decision-decline"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap()
        .is_some_and(|v| v == "true");
    assert!(chosen, "the decision stays chosen");
    assert_eq!(value_of(&b, "f-assignee_name").await, "王网格");
    // The member's own header, not the bare error page.
    assert!(b.find(Locator::Css("a[href='/account']")).await.is_ok());
    let text = body_text(&b).await;
    assert!(!text.contains("无法完成"), "{text}");

    // A round's approval limit that is not one: the rule form again.
    visit(&b, &format!("{}{round}", s.base)).await;
    fill(&b, "f-max_approvals", "0").await;
    click_to(&b, "#rule button[type=submit]", ".error-summary").await;
    axe(&b, "refused rule").await;
    assert!(
        overflow(&b).await <= 0.5,
        "the refused rule scrolls sideways"
    );
    let err = text_of(&b, "#f-max_approvals-err").await;
    assert!(err.contains("每人最多赞成数应为正整数或留空"), "{err}");
    assert_eq!(value_of(&b, "f-max_approvals").await, "0");
    let rule: Option<i64> = s
        .sql()
        .query_row(
            "SELECT max_approvals FROM rounds WHERE title = '楼道金点子'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rule, None, "nothing was written");
    s.stop().await;
}
