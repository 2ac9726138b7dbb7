//! The wide tables of the oversight desk, the audit page and the notices'
//! delivery record on a phone (390×844, headless Chromium): each is a
//! labelled region the keyboard can reach and scroll, the page body never
//! scrolls sideways, and axe finds nothing serious or critical
//! (scrollable-region-focusable included). With TEAHOUSE_SHOTS set to a
//! folder, each page is also saved there as a PNG for a reviewer.

use crate::browser::{axe, click, fill, overflow, start_browser, visit};
use crate::common::*;
use fantoccini::{Client as Browser, Locator};

/// Every table `css` selects sits in a focusable region with a name.
async fn tables_are_reachable(b: &Browser, path: &str, css: &str) {
    let (tables, bare): (f64, f64) = {
        let r = b
            .execute(
                "const t = [...document.querySelectorAll(arguments[0])];
                 const bare = t.filter(t => {
                     const r = t.closest('[role=region]');
                     return !r || r.tabIndex !== 0 || !(r.getAttribute('aria-label') || '').trim()
                         && !r.getAttribute('aria-labelledby');
                 });
                 return [t.length, bare.length];",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
        (r[0].as_f64().unwrap(), r[1].as_f64().unwrap())
    };
    assert!(tables > 0.0, "{path} shows a table");
    assert_eq!(
        bare, 0.0,
        "{path}: a table outside a labelled focusable region"
    );
}

/// Visits `path` on the phone: `tables` (a selector) in their regions, the
/// page not scrolling sideways in normal and large text, axe clean.
async fn phone_page(b: &Browser, base: &str, path: &str, tables: &str, shot: &str) {
    visit(b, &format!("{base}{path}")).await;
    assert!(overflow(b).await <= 0.5, "{path} scrolls sideways");
    tables_are_reachable(b, path, tables).await;
    // Large text too.
    b.execute("document.documentElement.classList.add('large');", vec![])
        .await
        .unwrap();
    assert!(
        overflow(b).await <= 0.5,
        "{path} scrolls sideways in large text"
    );
    axe(b, path).await;
    if let Some(dir) = std::env::var_os("TEAHOUSE_SHOTS") {
        // The first of the tables in view.
        b.execute(
            "document.querySelector(arguments[0]).scrollIntoView();",
            vec![serde_json::json!(tables)],
        )
        .await
        .unwrap();
        let png = b.screenshot().await.unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("tables-{shot}.png")),
            png,
        )
        .unwrap();
    }
}

async fn log_in(b: &Browser, base: &str, who: (&str, &str)) {
    b.delete_all_cookies().await.unwrap();
    visit(b, &format!("{base}/login")).await;
    fill(b, "f-login", who.0).await;
    fill(b, "f-password", who.1).await;
    click(b, "main button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_desk_audit_and_delivery_tables_fit_a_phone() {
    let s = Server::start().await;
    let notice: i64 = s
        .sql()
        .query_row(
            "SELECT d.notice_id FROM deliveries d JOIN communities c ON c.id = d.community_id
             WHERE c.slug = 'xingfu' GROUP BY d.notice_id ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("the demo's notices have deliveries");
    // The desk lists a first activation and a password reset.
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    activated(&s, &mut com, "wutong", 0, "table-reader").await;
    let resident: i64 = s
        .sql()
        .query_row(
            "SELECT resident_id FROM accounts WHERE login = ?1",
            [RESIDENT.0],
            |r| r.get(0),
        )
        .unwrap();
    issue_reset_code(&mut com, "wutong", resident, "本人来居委会说忘记了密码").await;
    let (_driver, b) = start_browser(390, 844).await;

    log_in(&b, &s.base, SUPERVISOR).await;
    phone_page(&b, &s.base, "/c/wutong/desk", "main table", "desk").await;
    phone_page(&b, &s.base, "/c/wutong/audit", "main table", "audit").await;

    log_in(&b, &s.base, VILLAGE_COMMITTEE).await;
    phone_page(&b, &s.base, "/c/xingfu/notices", "table.outbox", "outbox").await;
    let record = format!("/c/xingfu/notices/{notice}");
    phone_page(&b, &s.base, &record, "table.deliveries", "deliveries").await;
    let _ = b.close().await;
    s.stop().await;
}
