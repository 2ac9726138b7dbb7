//! More refused forms on a phone (390×844, headless Chromium, #16 item 3):
//! a bad .pb file, a co-signing threshold that is not one, a progress
//! report without its text (its photo kept), closing a follow-up without
//! its report, and a minutes line without its owner. Each comes back as the
//! same form with the error beside its field, in the member's own header;
//! nothing scrolls sideways and axe finds nothing serious or critical.
//! With TEAHOUSE_SHOTS set to a folder, each refused form is saved there as
//! a PNG for a reviewer to look at.

use crate::browser::{axe, body_text, click, fill, overflow, start_browser, visit};
use crate::common::*;
use fantoccini::{Client as Browser, Locator};

/// Submits with `button` and waits for `then`, the refused form's error.
async fn refused_at(b: &Browser, button: &str, then: &str, shot: &str) {
    click(b, button).await;
    b.wait().for_element(Locator::Css(then)).await.unwrap();
    axe(b, shot).await;
    assert!(overflow(b).await <= 0.5, "{shot} scrolls sideways");
    assert!(b.find(Locator::Css("a[href='/account']")).await.is_ok());
    let text = body_text(b).await;
    assert!(!text.contains("无法完成"), "{text}");
    if let Some(dir) = std::env::var_os("TEAHOUSE_SHOTS") {
        b.execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![serde_json::json!(then)],
        )
        .await
        .unwrap();
        let png = b.screenshot().await.unwrap();
        let path = std::path::Path::new(&dir).join(format!("refused-{shot}.png"));
        std::fs::write(path, png).unwrap();
    }
}

async fn text_of(b: &Browser, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn checked(b: &Browser, css: &str) -> bool {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap()
        .is_some_and(|v| v == "true")
}

/// Chooses a file (written to `dir`) in the file field with this id.
async fn choose(b: &Browser, dir: &std::path::Path, id: &str, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    fill(b, id, path.to_str().unwrap()).await;
}

async fn log_in(b: &Browser, base: &str, who: (&str, &str), next: &str) {
    visit(b, &format!("{base}/login?next={next}")).await;
    fill(b, "f-login", who.0).await;
    fill(b, "f-password", who.1).await;
    click(b, "main button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("a[href='/account']"))
        .await
        .unwrap();
}

fn one(s: &Server, sql: &str) -> i64 {
    s.sql().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_committee_member_meets_more_refused_forms_on_a_phone() {
    let s = Server::start().await;
    let files = tempfile::tempdir().unwrap();
    let (_driver, b) = start_browser(390, 844).await;
    log_in(&b, &s.base, COMMITTEE, "/c/wutong/rounds").await;

    // A .pb file with a cost that is not a number on line 6.
    let bad = "META\nkey;value\nbudget;1000\nPROJECTS\nproject_id;cost\n1;5x0\nVOTES\nvoter_id;vote\nv1;1\n";
    choose(&b, files.path(), "f-pb", "bad.pb", bad.as_bytes()).await;
    click(&b, "label[for=f-pb-rule-greedy]").await;
    refused_at(&b, "#import button[type=submit]", "#f-pb-err", "import").await;
    let err = text_of(&b, "#f-pb-err").await;
    assert!(err.contains("第 6 行"), "{err}");
    assert!(
        checked(&b, "#f-pb-rule-greedy").await,
        "the rule stays chosen"
    );

    // A threshold that is not a count or a share.
    visit(&b, &format!("{}/c/wutong/proposals", s.base)).await;
    let field = b.find(Locator::Id("f-threshold")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys("很多").await.unwrap();
    let button = "#threshold button[type=submit]";
    refused_at(&b, button, "#f-threshold-err", "threshold").await;
    let typed = field_value(&b, "f-threshold").await;
    assert_eq!(typed, "很多");

    // A completion report without its text: the photo chosen is kept.
    let id = one(
        &s,
        "SELECT p.id FROM proposals p JOIN communities c ON c.id = p.community_id
         WHERE c.slug = 'wutong' AND p.status = 'in_progress' ORDER BY p.id LIMIT 1",
    );
    visit(&b, &format!("{}/c/wutong/proposals/{id}", s.base)).await;
    let png = b"\x89PNG\r\n\x1a\nphoto";
    choose(&b, files.path(), "f-report-photos", "完工.png", png).await;
    click(&b, "label[for=f-complete]").await;
    refused_at(
        &b,
        "#progress button[type=submit]",
        "#f-note-err",
        "progress",
    )
    .await;
    assert!(
        checked(&b, "#progress input[name^=keep_]").await,
        "the photo is kept"
    );
    let kept = text_of(&b, "#f-report-photos-kept").await;
    assert!(kept.contains("已保留"), "{kept}");
    assert!(
        checked(&b, "#f-complete").await,
        "still the completion report"
    );
    s.stop().await;
}

async fn field_value(b: &Browser, id: &str) -> String {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_village_committee_meets_refused_follow_ups_on_a_phone() {
    let s = Server::start().await;
    let action = one(
        &s,
        "SELECT a.id FROM actions a JOIN communities c ON c.id = a.community_id
         WHERE c.slug = 'xingfu' AND a.status = 'open' ORDER BY a.id LIMIT 1",
    );
    let (_driver, b) = start_browser(390, 844).await;
    log_in(&b, &s.base, VILLAGE_COMMITTEE, "/c/xingfu/actions").await;
    // Blanks only: the browser lets it through, the server does not.
    click(&b, &format!("#action-{action} summary")).await;
    fill(&b, &format!("f-report-{action}"), "   ").await;
    let button = format!("#action-{action} button[type=submit]");
    let err = format!("#f-report-{action}-err");
    refused_at(&b, &button, &err, "action").await;
    let open: bool = b
        .execute(
            "return document.querySelector(arguments[0]).closest('details').open;",
            vec![serde_json::json!(err)],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    assert!(open, "the refused form is open");

    // A follow-up line without its owner, in the minutes form.
    let (id, item): (i64, i64) = s
        .sql()
        .query_row(
            "SELECT d.id, i.id FROM deliberations d JOIN communities c ON c.id = d.community_id
             JOIN agenda_items i ON i.deliberation_id = d.id
             WHERE c.slug = 'xingfu' AND i.state = 'agenda' AND d.status != 'planned'
             ORDER BY d.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    visit(&b, &format!("{}/c/xingfu/deliberations/{id}", s.base)).await;
    b.execute(
        "document.querySelector('#minutes').closest('details').open = true; return true;",
        vec![],
    )
    .await
    .unwrap();
    // Published minutes are amended, with a reason.
    if b.find(Locator::Id("f-reason")).await.is_ok() {
        fill(&b, "f-reason", "补记跟进").await;
    }
    fill(&b, &format!("f-actions-{item}"), "换灯").await;
    let err = format!("#f-actions-{item}-err");
    refused_at(&b, "#minutes button[type=submit]", &err, "minutes").await;
    let text = text_of(&b, &err).await;
    assert!(text.contains("跟进事项第 1 行"), "{text}");
    s.stop().await;
}
