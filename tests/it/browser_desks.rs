//! The committee's desk on a phone (390×844, headless Chromium): the lists
//! of what waits, a proposal to review followed by its link, no sideways
//! scroll, and axe finds nothing serious or critical, in large text too.

use crate::browser::{axe, click, fill, overflow, start_browser, visit};
use crate::common::*;
use fantoccini::Locator;

#[tokio::test]
async fn the_committee_desk_lists_what_waits_on_a_phone() {
    let s = Server::start().await;
    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login?next=/c/wutong/desk", s.base)).await;
    fill(&b, "f-login", COMMITTEE.0).await;
    fill(&b, "f-password", COMMITTEE.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait()
        .for_element(Locator::Id("h-w-committee"))
        .await
        .unwrap();
    axe(&b, "committee desk").await;
    let wide = overflow(&b).await;
    assert!(wide <= 0.5, "the desk scrolls sideways by {wide} px");
    // The demo's proposal waiting for review, followed to its page.
    click(&b, "#h-w-proposals + ul a").await;
    b.wait().for_element(Locator::Css("main h1")).await.unwrap();
    let url = b.current_url().await.unwrap();
    assert!(url.path().starts_with("/c/wutong/proposals/"), "{url}");
    b.back().await.unwrap();
    b.wait()
        .for_element(Locator::Id("h-w-committee"))
        .await
        .unwrap();
    click(&b, "button[name=size][value=large]").await;
    b.wait()
        .for_element(Locator::Css("button[name=size][value=normal]"))
        .await
        .unwrap();
    axe(&b, "committee desk, large text").await;
}
