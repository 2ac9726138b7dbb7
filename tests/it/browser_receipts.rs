//! A grid worker on the doorstep (390×844, headless Chromium): the paper
//! delivery list of a building prints a receipt with a QR code per
//! household; opening a receipt's code on the phone (what scanning it
//! does) shows the household and one button, and tapping it records the
//! household as reached on paper, once. No page scrolls sideways, and axe
//! finds nothing serious or critical.

use crate::browser::{axe, click, fill, overflow, start_browser, visit};
use crate::common::*;
use fantoccini::Locator;

#[tokio::test]
async fn a_grid_worker_scans_a_receipt_on_a_phone() {
    let s = Server::start().await;
    let (notice, building, household, token): (i64, i64, String, String) = s
        .sql()
        .query_row(
            "SELECT n.id, z.id, h.code, nh.receipt FROM notices n
             JOIN votes v ON n.subject = 'vote:' || v.id
             JOIN communities c ON c.id = n.community_id
             JOIN notice_households nh ON nh.notice_id = n.id
             JOIN households h ON h.id = nh.household_id JOIN zones z ON z.id = h.zone_id
             WHERE c.slug = 'xingfu' AND v.status = 'open' AND n.kind = 'vote_opened'
               AND nh.reached_at IS NULL AND h.dwelling_id IS NULL
             ORDER BY n.id, z.id, h.code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login", s.base)).await;
    fill(&b, "f-login", "cunwei").await;
    fill(&b, "f-password", "demo-committee-2026").await;
    click(&b, "main button[type=submit]").await;
    b.wait().for_element(Locator::Id("h-staff")).await.unwrap();

    // The list the worker carries: one receipt per household, each a QR code.
    let list = format!(
        "{}/c/xingfu/notices/{notice}/paper?place=zone:{building}",
        s.base
    );
    visit(&b, &list).await;
    let receipt = format!("{}/c/xingfu/receipts/{token}", s.base);
    let source = b.source().await.unwrap();
    assert!(
        source.contains(&receipt),
        "the list links the receipt's code"
    );
    let slips = b
        .find_all(Locator::Css(".slip.receipt"))
        .await
        .unwrap()
        .len();
    let codes = b
        .find_all(Locator::Css(".slip.receipt svg"))
        .await
        .unwrap()
        .len();
    assert!(
        slips > 0 && codes == slips,
        "a QR code on each receipt ({codes} of {slips})"
    );
    assert!(overflow(&b).await <= 0.5, "the list scrolls sideways");
    axe(&b, "paper delivery list").await;

    // Scanning the code opens the receipt: the household and one button.
    visit(&b, &receipt).await;
    assert!(b.source().await.unwrap().contains(&household));
    assert!(
        overflow(&b).await <= 0.5,
        "the receipt page scrolls sideways"
    );
    axe(&b, "receipt").await;
    let button = b
        .find(Locator::Css("main form button.primary"))
        .await
        .unwrap();
    let size = button.rectangle().await.unwrap();
    assert!(size.3 >= 44.0, "the button is a tap target ({} px)", size.3);
    button.click().await.unwrap();
    b.wait()
        .for_element(Locator::XPath("//strong[contains(., '已送达')]"))
        .await
        .unwrap();
    let reached = |s: &Server| -> (Option<i64>, Option<String>) {
        s.sql()
            .query_row(
                "SELECT reached_at, reached_by FROM notice_households WHERE receipt = ?1",
                [&token],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let first = reached(&s);
    assert!(first.0.is_some(), "the household is reached");
    assert_eq!(first.1.as_deref(), Some("paper"));
    // Scanning it again shows it reached and records nothing new.
    visit(&b, &receipt).await;
    assert!(
        b.find_all(Locator::Css("main form button.primary"))
            .await
            .unwrap()
            .is_empty(),
        "no second button"
    );
    assert_eq!(reached(&s), first);
}
