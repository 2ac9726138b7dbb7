//! The committee's tally sheet on a phone (390×844, headless Chromium): the
//! sheet, a refused sheet and a saved one, by the buttons a committee member
//! taps; no page scrolls sideways and axe finds nothing serious or critical.

use crate::browser::{axe, click, fill, overflow, start_browser, visit};
use crate::common::*;
use fantoccini::{Client as Browser, Locator};

async fn text_of(b: &Browser, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Clicks and waits for the element the next page is known by.
async fn click_to(b: &Browser, css: &str, then: &str) {
    click(b, css).await;
    b.wait().for_element(Locator::Css(then)).await.unwrap();
}

/// An owners' vote on 3栋2单元, opened over HTTP; its id.
async fn open_unit_vote(s: &Server) -> String {
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let unit: i64 = s
        .sql()
        .query_row(
            "SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id JOIN communities c ON c.id = b.community_id
             WHERE c.slug = 'wutong' AND b.number = '3' AND u.number = '2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    com.get("/c/wutong/votes/new").await;
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "3栋2单元楼道粉刷"),
                ("scope", &format!("unit:{unit}")),
                ("rule", "civil_code_278_ordinary"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    let loc = r.location.unwrap();
    let id = loc
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    com.post(&format!("/c/wutong/votes/{id}/open"), &[("confirm", "1")])
        .await;
    id
}

#[tokio::test]
async fn a_committee_member_enters_a_tally_sheet_on_a_phone() {
    let s = Server::start().await;
    let id = open_unit_vote(&s).await;
    let (_driver, b) = start_browser(390, 844).await;
    let vote = format!("{}/c/wutong/votes/{id}", s.base);
    visit(&b, &format!("{}/login?next=/c/wutong/votes/{id}", s.base)).await;
    fill(&b, "f-login", COMMITTEE.0).await;
    fill(&b, "f-password", COMMITTEE.1).await;
    click_to(&b, "main button[type=submit]", "#h-desk").await;
    assert!(b.current_url().await.unwrap().as_str().starts_with(&vote));
    click_to(&b, "a[href$='/tally-sheet']", "form.tally-sheet").await;
    axe(&b, "tally sheet").await;
    assert!(overflow(&b).await <= 0.5, "the sheet scrolls sideways");
    let first = text_of(&b, "#row-1 legend").await;
    assert!(
        first.contains("第 1 行") && first.contains("3-2-"),
        "{first}"
    );

    // Nothing ticked: the same sheet back, the error at the top.
    click_to(&b, "form.tally-sheet button[type=submit]", ".error-summary").await;
    axe(&b, "refused tally sheet").await;
    assert!(overflow(&b).await <= 0.5);
    let err = text_of(&b, ".error-summary").await;
    assert!(err.contains("没有勾选任何选票"), "{err}");

    // Two rows ticked by their labels, then saved.
    click(&b, "label[for=r1-agree]").await;
    click(&b, "label[for=r2-abstain]").await;
    click_to(&b, "form.tally-sheet button[type=submit]", ".flash.ok").await;
    axe(&b, "saved tally sheet").await;
    let done = text_of(&b, ".flash.ok").await;
    assert!(done.contains("已录入 2 张纸质选票"), "{done}");
    let paper: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM ballots WHERE vote_id = ?1 AND channel = 'paper'",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(paper, 2);
    s.stop().await;
}
