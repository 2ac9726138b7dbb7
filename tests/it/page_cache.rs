//! Pages kept for anonymous visitors (web::page_cache): each visitor still
//! gets their own CSRF token, a commit through the server or behind its back
//! is seen by the very next request, the language is the visitor's, and a
//! logged-in reader gets their own page.

use crate::common::*;
use reqwest::StatusCode;

/// The CSRF token a page's forms carry.
fn token(body: &str) -> &str {
    let i = body.find("name=\"_csrf\" value=\"").expect("a form") + 20;
    &body[i..i + 64]
}

#[tokio::test]
async fn kept_pages_are_each_visitors_own_and_never_stale() {
    let s = Server::start().await;
    let mut a = s.client();
    let mut b = s.client();
    let a1 = a.get("/c/wutong").await;
    let a2 = a.get("/c/wutong").await;
    let b1 = b.get("/c/wutong").await;
    assert_eq!(a1.status, StatusCode::OK);
    // The same page for both, but each with their own token, which works.
    let (ta, tb) = (token(&a1.body).to_string(), token(&b1.body).to_string());
    assert_ne!(ta, tb);
    assert_eq!(token(&a2.body), ta, "the visitor's token again");
    assert_eq!(a2.body, a1.body);
    assert_eq!(b1.body.replace(&tb, &ta), a1.body);
    let r = b
        .post("/prefs", &[("lang", "en"), ("next", "/c/wutong")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Each in their own language.
    let en = b.get("/c/wutong").await;
    assert!(en.has("Board") && !en.has("议事板"), "{}", en.body);
    assert!(a.get("/c/wutong").await.has("议事板"));

    // A change through the server is seen at once.
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/settings").await;
    let r = com
        .post(
            "/c/wutong/settings",
            &[
                ("name", "周主任"),
                ("phone", "13800001111"),
                ("address", "梧桐苑 1 栋"),
                ("hours", "9-17"),
            ],
        )
        .await;
    assert!(r.status.is_redirection(), "{}", r.body);
    assert!(a.get("/c/wutong").await.has("周主任"));

    // So is one behind its back (another connection's commit).
    let before = a.get("/c/wutong/votes/1").await;
    assert_eq!(before.status, StatusCode::OK);
    s.tamper("UPDATE votes SET title = '改过的标题' WHERE id = 1", []);
    assert!(a.get("/c/wutong/votes/1").await.has("改过的标题"));

    // A logged-in reader gets their own header, not the anonymous page.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let mine = res.get("/c/wutong").await;
    assert!(mine.has("/account") && !a.get("/c/wutong").await.has("href=\"/account\""));
}

/// A visitor cannot choose what a kept page is cut on: a token cookie set to
/// a hash the page shows leaves the hash in every later visitor's copy, and
/// one that is not a token the server makes is replaced, never echoed.
#[tokio::test]
async fn a_chosen_token_changes_nothing_others_see() {
    let s = Server::start().await;
    let hash: String = s
        .sql()
        .query_row(
            "SELECT l.hash FROM ledger l JOIN communities c ON c.id = l.community_id
             WHERE c.slug = 'wutong' ORDER BY l.seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let odd = format!("{}&x\"<b>", "b".repeat(56));
    let raw = reqwest::Client::new();
    for (path, chosen) in [
        ("/c/wutong/ledger", hash.as_str()),
        ("/c/wutong/votes", odd.as_str()),
    ] {
        let url = format!("{}{path}", s.base);
        let mine = raw
            .get(&url)
            .header("cookie", format!("th_csrf={chosen}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !mine.contains("&amp;x") && !mine.contains("<b>"),
            "{path}: never echoed"
        );
        let theirs = s.client().get(path).await;
        assert_eq!(theirs.status, StatusCode::OK);
        if chosen == hash {
            assert!(mine.contains(&hash), "{path}: the hash is on the page");
            assert!(
                theirs.has(&hash),
                "{path}: the hash is still there for others"
            );
        }
        assert!(!theirs.has("&amp;x"), "{path}: another visitor's page");
    }
}
