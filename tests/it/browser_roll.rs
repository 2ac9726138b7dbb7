//! The roll and a finance disclosure on a phone (390×844, headless
//! Chromium): the page body never scrolls sideways, each table is a
//! labelled region the keyboard can reach and scroll, names stay on one
//! line, a finance table's balance is in view before anything is scrolled,
//! the page links work, and axe finds nothing serious or critical (in
//! normal and large text).

use crate::browser::{axe, click, fill, overflow, start_browser, visit};
use crate::common::*;
use fantoccini::{Client as Browser, Locator};

/// A number the page's script returns.
async fn number(b: &Browser, js: &str) -> f64 {
    b.execute(js, vec![]).await.unwrap().as_f64().unwrap()
}

/// The table's scroll region: focusable, named by its caption.
async fn region_is_reachable(b: &Browser, css: &str) {
    let named = b
        .execute(
            &format!(
                "const r = document.querySelector('{css}');
                 const l = r && document.getElementById(r.getAttribute('aria-labelledby'));
                 return !!r && r.tabIndex === 0 && r.getAttribute('role') === 'region'
                     && !!l && l.textContent.trim().length > 0;"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(named, serde_json::Value::Bool(true), "{css}");
}

#[tokio::test]
async fn the_roll_and_a_finance_table_fit_a_phone() {
    let s = Server::start().await;
    let (disclosure, slug): (i64, String) = s
        .sql()
        .query_row(
            "SELECT d.id, c.slug FROM disclosures d JOIN communities c ON c.id = d.community_id
             WHERE d.category = 'finance' AND d.status = 'published' ORDER BY d.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let building: i64 = s
        .sql()
        .query_row(
            "SELECT b.id FROM buildings b JOIN communities c ON c.id = b.community_id
             WHERE c.slug = 'wutong' ORDER BY b.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login", s.base)).await;
    fill(&b, "f-login", COMMITTEE.0).await;
    fill(&b, "f-password", COMMITTEE.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait().for_element(Locator::Id("h-staff")).await.unwrap();

    for path in [
        "/c/wutong/roll".to_string(),
        format!("/c/wutong/roll?building={building}"),
        "/c/wutong/roll?page=9".to_string(),
    ] {
        visit(&b, &format!("{}{path}", s.base)).await;
        assert!(overflow(&b).await <= 0.5, "{path} scrolls sideways");
        region_is_reachable(&b, "#roll-results [role=region]").await;
        // Every name on a single line (one line box), none broken a
        // character a line.
        let broken = number(
            &b,
            "return [...document.querySelectorAll('table.roll tbody td:first-child a')]
                 .filter(a => a.getClientRects().length !== 1).length;",
        )
        .await;
        let names = number(
            &b,
            "return document.querySelectorAll('table.roll tbody td:first-child a').length;",
        )
        .await;
        assert!(
            names > 0.0 && broken == 0.0,
            "{path}: {broken} of {names} names broken"
        );
    }
    // The page links work without script: page 2 from page 1.
    visit(&b, &format!("{}/c/wutong/roll", s.base)).await;
    click(&b, "nav.pager a[href$='page=2']").await;
    b.wait()
        .for_element(Locator::Css("nav.pager span[aria-current=page]"))
        .await
        .unwrap();
    assert!(
        b.current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or("")
            .contains("page=2")
    );
    let current = b
        .find(Locator::Css("nav.pager span[aria-current=page]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(current, "2");

    // A finance disclosure, as anyone reads it.
    let url = format!("{}/c/{slug}/disclosures/{disclosure}", s.base);
    visit(&b, &url).await;
    assert!(overflow(&b).await <= 0.5, "the disclosure scrolls sideways");
    region_is_reachable(&b, "[role=region]:has(> table.disclosure)").await;
    let first_headers: serde_json::Value = b
        .execute(
            "return [...document.querySelectorAll('table.disclosure thead th')].slice(1, 5)
                 .map(th => th.textContent.trim());",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        first_headers,
        serde_json::json!(["摘要", "收入", "支出", "余额"])
    );
    let balance_right = number(
        &b,
        "const th = [...document.querySelectorAll('table.disclosure thead th')]
             .find(th => th.textContent.trim() === '余额');
         return th.getBoundingClientRect().right;",
    )
    .await;
    let width = number(&b, "return document.documentElement.clientWidth;").await;
    assert!(
        balance_right <= width,
        "balance ends at {balance_right} px of {width}"
    );

    // Large text: the regions scroll instead, still reachable and clean.
    click(&b, "button[name=size][value=large]").await;
    b.wait()
        .for_element(Locator::Css("html.large"))
        .await
        .unwrap();
    axe(&b, "finance disclosure (large)").await;
    assert!(overflow(&b).await <= 0.5, "the disclosure in large text");
    visit(&b, &format!("{}/c/wutong/roll", s.base)).await;
    assert!(overflow(&b).await <= 0.5, "the roll in large text");
    b.close().await.unwrap();
    s.stop().await;
}
