//! A village supervisor on a phone (390×844, headless Chromium) queries a
//! submitted disclosure, finds the committee's answer waiting on the
//! oversight desk, and accepts it: each step a page that does not scroll
//! sideways and that axe finds nothing serious or critical on, and the
//! verdict a ledger entry.

use crate::browser::{
    axe, body_text, click, fill, overflow, start_browser, submit_and_wait, visit,
};
use crate::common::*;
use fantoccini::Locator;

#[tokio::test]
async fn a_supervisor_queries_a_disclosure_and_accepts_the_answer_on_a_phone() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "general"),
                ("period", "2031-Q3"),
                ("title", "2031年第三季度村务"),
                ("table", "事项,内容\n土地租金,已收取\n修缮祠堂,已完工"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location.unwrap();
    let path = path.split('?').next().unwrap().to_string();
    com.post(&format!("{path}/submit"), &[]).await;

    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login?next={path}", s.base)).await;
    fill(&b, "f-login", VILLAGE_SUPERVISOR.0).await;
    fill(&b, "f-password", VILLAGE_SUPERVISOR.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait().for_element(Locator::Id("h-review")).await.unwrap();
    // The query, through the page's own form.
    click(&b, "section[aria-labelledby=h-review] details summary").await;
    fill(&b, "f-query", "土地租金的合同在哪里？").await;
    submit_and_wait(&b, "form[action$='/queries'] button[type=submit]").await;
    assert!(body_text(&b).await.contains("土地租金的合同在哪里？"));
    assert!(
        overflow(&b).await <= 0.5,
        "the queried disclosure scrolls sideways"
    );
    axe(&b, "queried disclosure").await;

    // The committee answers.
    let thread: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM disclosure_threads WHERE disclosure_id = ?1 ORDER BY id LIMIT 1",
            [path.rsplit('/').next().unwrap().parse::<i64>().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let r = com
        .post(
            &format!("{path}/threads/{thread}/answer"),
            &[("text", "合同见村委会档案室。")],
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.body);

    // The desk lists the answer waiting for a verdict, with its link.
    visit(&b, &format!("{}/c/xingfu/desk", s.base)).await;
    assert!(
        overflow(&b).await <= 0.5,
        "the oversight desk scrolls sideways"
    );
    axe(&b, "oversight desk with an answer waiting").await;
    b.find(Locator::LinkText("2031年第三季度村务"))
        .await
        .expect("the waiting answer is on the desk")
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css("form[action$='/accept']"))
        .await
        .unwrap();
    assert!(body_text(&b).await.contains("合同见村委会档案室。"));
    axe(&b, "answered query").await;
    submit_and_wait(&b, "form[action$='/accept'] button[type=submit]").await;
    assert!(
        b.find_all(Locator::Css("form[action$='/accept']"))
            .await
            .unwrap()
            .is_empty(),
        "a verdict is given once"
    );
    axe(&b, "accepted answer").await;
    let accepted: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM ledger WHERE kind = 'disclosure.answer_accepted'
               AND payload LIKE '%' || ?1 || '%'",
            [thread],
            |r| r.get(0),
        )
        .unwrap();
    assert!(accepted >= 1, "the verdict is in the ledger");
    b.close().await.unwrap();
    s.stop().await;
}
