//! A resident's own record on a phone (390×844, headless Chromium): the
//! account page's lists, a closed vote's receipt box and marked row, taking
//! back a co-signature and editing a draft by the buttons a resident taps;
//! no page scrolls sideways and axe finds nothing serious or critical.

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

#[tokio::test]
async fn a_resident_follows_their_own_actions_on_a_phone() {
    let s = Server::start().await;
    let id_of = |sql: &str| -> i64 { s.sql().query_row(sql, [], |r| r.get(0)).unwrap() };
    let gate = id_of("SELECT id FROM proposals WHERE title = '2栋单元门禁维修'");
    let draft = id_of(
        "SELECT p.id FROM proposals p JOIN accounts a ON a.id = p.author_id
         WHERE a.login = 'resident' AND p.status = 'draft' ORDER BY p.id LIMIT 1",
    );
    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login?next=/account", s.base)).await;
    fill(&b, "f-login", RESIDENT.0).await;
    fill(&b, "f-password", RESIDENT.1).await;
    click_to(&b, "main button[type=submit]", "#h-my-proposals").await;
    axe(&b, "account page").await;
    assert!(
        overflow(&b).await <= 0.5,
        "the account page scrolls sideways"
    );
    let votes = text_of(&b, "section[aria-labelledby=h-my-votes]").await;
    assert!(votes.contains("回执码"), "{votes}");

    // The closed demo vote: the receipt box, and my row marked.
    visit(&b, &format!("{}/c/wutong/votes/1", s.base)).await;
    let bx = text_of(&b, "section[aria-labelledby=h-my-ballot]").await;
    assert!(bx.contains("回执码") && bx.contains("核对方法"), "{bx}");
    let row = text_of(&b, "tr.mine").await;
    assert!(row.contains("你的选票"), "{row}");

    // Co-sign, then take it back, by the buttons.
    let page = format!("{}/c/wutong/proposals/{gate}", s.base);
    visit(&b, &page).await;
    let before = text_of(&b, "section[aria-labelledby=h-cosign] p.lead").await;
    click_to(
        &b,
        &format!("form[action$='/{gate}/cosign'] button"),
        &format!("form[action$='/{gate}/cosign/withdraw']"),
    )
    .await;
    axe(&b, "co-signed proposal").await;
    click_to(
        &b,
        &format!("form[action$='/{gate}/cosign/withdraw'] button"),
        &format!("form[action$='/{gate}/cosign']"),
    )
    .await;
    assert!(text_of(&b, "main").await.contains("你的附议已撤回"));
    let after = text_of(&b, "section[aria-labelledby=h-cosign] p.lead").await;
    assert_eq!(before, after, "the count is back where it was");
    axe(&b, "co-signature withdrawn").await;

    // Edit the draft from its page; the form comes back filled in.
    visit(&b, &format!("{}/c/wutong/proposals/{draft}", s.base)).await;
    click_to(&b, &format!("a[href$='/{draft}/edit']"), "#f-title").await;
    axe(&b, "draft edit form").await;
    assert!(overflow(&b).await <= 0.5, "the edit form scrolls sideways");
    fill(&b, "f-title", "（已修改）").await;
    click_to(&b, "main form button[type=submit]", "div.flash").await;
    let h1 = text_of(&b, "h1").await;
    assert!(h1.ends_with("（已修改）"), "{h1}");
    axe(&b, "edited draft").await;
}
