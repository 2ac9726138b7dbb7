//! Refused forms on a vote's page (#16 item 3): the elevator retrofit's
//! cost-sharing plan and affected dwellings, an objection and the
//! committee's answer, a ballot, a paper ballot, a written proxy and a
//! proxy's ballot. Each comes back (422) as the vote's page with that form
//! as typed, the error beside its field and tied to it, in the reader's
//! language only, in the user's own header; nothing is written.

use crate::common::*;
use reqwest::StatusCode;

/// The demo's retrofit in its publicity period (plan set, one objection answered).
fn retrofit(s: &Server) -> i64 {
    scalar(
        s,
        "SELECT id FROM votes WHERE title = '3栋2单元加装电梯' AND kind = 'elevator'",
    )
}

/// What a step writes: audit rows, ledger entries, the plan, the objections.
fn written(s: &Server) -> (i64, i64, String, String) {
    let c = s.sql();
    let one = |sql: &str| c.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
    (
        scalar(s, "SELECT count(*) FROM audit_log"),
        scalar(s, "SELECT count(*) FROM ledger"),
        one("SELECT group_concat(total_fen || ':' || coefficients, ';') FROM vote_elevator"),
        one(
            "SELECT group_concat(id || ':' || text || ':' || ifnull(answer, ''), ';') FROM vote_objections",
        ),
    )
}

#[tokio::test]
async fn a_plan_total_that_is_no_amount_comes_back_as_the_plan_form() {
    let s = Server::start().await;
    let id = retrofit(&s);
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let before = written(&s);
    let path = format!("/c/wutong/votes/{id}/elevator");
    let coef = "1:0, 2:0.5, 3:0.8, 4:1, 5:1.1, 6:1.2, 7:1.3";
    let r = com
        .post(&path, &[("total", "12万"), ("coefficients", coef)])
        .await;
    refused_own_page(&r);
    tied(&r, "f-total");
    assert!(r.has("总造价“12万”不是有效金额"), "{}", r.body);
    assert!(!r.has("is not an amount"), "one language: {}", r.body);
    // The form is open, with both fields as typed.
    assert!(r.has(r#"<details open><summary>设置分摊"#), "{}", r.body);
    assert!(r.has(r#"value="12万""#), "{}", r.body);
    assert!(r.has(&format!(">{coef}</textarea>")), "{}", r.body);
    assert_eq!(written(&s), before, "nothing written");

    // Coefficients that cannot be read: beside their own field.
    let r = com
        .post(&path, &[("total", "120000"), ("coefficients", "一楼免")])
        .await;
    refused_own_page(&r);
    tied(&r, "f-coefficients");
    assert!(!r.has(r#"id="f-total-err""#), "{}", r.body);
    assert!(r.has(r#"value="120000""#) && r.has(">一楼免</textarea>"));
    assert_eq!(written(&s), before, "nothing written");

    // In English, the same form in English only.
    com.post("/prefs", &[("lang", "en"), ("next", "/")]).await;
    let r = com
        .post(&path, &[("total", "12万"), ("coefficients", coef)])
        .await;
    refused_own_page(&r);
    tied(&r, "f-total");
    assert!(
        r.has("the total \"12万\" is not an amount")
            || r.has("the total &quot;12万&quot; is not an amount"),
        "{}",
        r.body
    );
    assert!(!r.has("不是有效金额"), "one language: {}", r.body);
    assert_eq!(written(&s), before, "nothing written");

    // A plan right in form, but the vote has opened and its plan is published.
    let r = com
        .post(&path, &[("total", "120000"), ("coefficients", coef)])
        .await;
    refused_own_page(&r);
    tied(&r, "f-total");
    assert!(
        r.has("the plan is published and cannot change"),
        "{}",
        r.body
    );
    assert_eq!(written(&s), before, "nothing written");
    s.stop().await;
}

#[tokio::test]
async fn an_empty_objection_or_answer_comes_back_as_typed() {
    let s = Server::start().await;
    let id = retrofit(&s);
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let before = written(&s);
    let path = format!("/c/wutong/votes/{id}/objections");
    let r = res.post(&path, &[("text", "   ")]).await;
    refused_own_page(&r);
    tied(&r, "f-objection");
    assert!(r.has("请写下内容（最多 2000 字）"), "{}", r.body);
    assert!(!r.has("please write something"), "one language: {}", r.body);
    assert_eq!(written(&s), before, "nothing written");
    // Too long: back as typed.
    let long = "楼".repeat(2001);
    let r = res.post(&path, &[("text", &long)]).await;
    refused_own_page(&r);
    tied(&r, "f-objection");
    assert!(r.has(&format!(">{long}</textarea>")), "as typed");
    assert_eq!(written(&s), before, "nothing written");

    // An objection lodged; the committee's empty answer comes back under it.
    let r = res.post(&path, &[("text", "电梯噪音怎么办？")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let oid = scalar(&s, "SELECT max(id) FROM vote_objections");
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let before = written(&s);
    let r = com
        .post(
            &format!("/c/wutong/votes/{id}/objections/{oid}/answer"),
            &[("text", "\n \n")],
        )
        .await;
    refused_own_page(&r);
    tied(&r, &format!("f-answer-{oid}"));
    assert!(r.has("请写下内容"), "{}", r.body);
    assert!(!r.has("please write something"), "one language: {}", r.body);
    // Only that form carries the error; the objection form is left alone.
    assert_eq!(r.body.matches("field-error").count(), 1, "{}", r.body);
    assert_eq!(written(&s), before, "nothing written");
    s.stop().await;
}

/// A multiple-choice vote of 3栋2单元 (choose up to two), drafted and opened.
async fn open_choice_vote(s: &Server, com: &mut Client) -> String {
    let unit: i64 = scalar(
        s,
        "SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id JOIN communities c ON c.id = b.community_id
         WHERE c.slug = 'wutong' AND b.number = '3' AND u.number = '2'",
    );
    let scope = format!("unit:{unit}");
    com.get("/c/wutong/votes/new").await;
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "楼道改造先做哪两项"),
                ("scope", &scope),
                ("rule", "simple_majority"),
                ("kind", "choice"),
                ("options", "换灯\n刷墙\n修扶手"),
                ("max_choices", "2"),
                ("opens", "2026-01-01"),
                ("closes", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location.unwrap();
    let id = loc.rsplit('/').next().unwrap().split('?').next().unwrap();
    let r = com
        .post(&format!("/c/wutong/votes/{id}/open"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id.to_string()
}

fn ballots(s: &Server) -> i64 {
    scalar(s, "SELECT count(*) FROM ballots")
}

#[tokio::test]
async fn a_ballot_with_too_many_choices_or_none_comes_back_as_ticked() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let id = open_choice_vote(&s, &mut com).await;
    let base = format!("/c/wutong/votes/{id}");
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get(&base).await;
    let before = (ballots(&s), written(&s));
    let r = res
        .post(
            &format!("{base}/ballot"),
            &[("choice", "A"), ("choice", "B"), ("choice", "C")],
        )
        .await;
    refused_own_page(&r);
    tied(&r, "c-choice");
    assert!(r.has("最多只能选 2 项"), "{}", r.body);
    // The three boxes as ticked.
    for o in ["A", "B", "C"] {
        let tag = format!(r#"id="c-{o}" value="{o}" checked"#);
        assert!(r.has(&tag), "{tag}: {}", r.body);
    }
    assert_eq!((ballots(&s), written(&s)), before, "nothing written");
    let r = res.post(&format!("{base}/ballot"), &[]).await;
    refused_own_page(&r);
    tied(&r, "c-choice");
    assert_eq!((ballots(&s), written(&s)), before, "nothing written");

    // A paper ballot for nobody on the list: beside the voter; its choice kept.
    let r = com
        .post(
            &format!("{base}/paper"),
            &[("voter", "nobody"), ("choice", "B")],
        )
        .await;
    refused_own_page(&r);
    tied(&r, "f-voter");
    assert!(r.has("这位选民不在名单中"), "{}", r.body);
    assert!(!r.has("not in the electorate"), "one language: {}", r.body);
    assert!(r.has(r#"id="p-B" value="B" checked"#), "{}", r.body);
    // Only the paper form carries the error, not the committee's own ballot.
    assert!(!r.has(r#"id="c-choice-err""#), "{}", r.body);
    assert_eq!((ballots(&s), written(&s)), before, "nothing written");
    s.stop().await;
}

#[tokio::test]
async fn a_proxy_with_no_expiry_or_an_unknown_proxy_comes_back_as_typed() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let id = open_choice_vote(&s, &mut com).await;
    let base = format!("/c/wutong/votes/{id}");
    let voter: String = s
        .sql()
        .query_row(
            "SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter DESC LIMIT 1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    let proxies = || scalar(&s, "SELECT count(*) FROM vote_proxies");
    let before = (proxies(), written(&s));
    let form = |proxy: &'static str, expires: &'static str| {
        vec![
            ("voter", voter.clone()),
            ("proxy", proxy.to_string()),
            ("authorization", "委托书 2026-12 第 3 号".to_string()),
            ("expires", expires.to_string()),
        ]
    };
    let f = form("R-0001", "");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = com.post(&format!("{base}/proxies"), &f).await;
    refused_own_page(&r);
    tied(&r, "f-expires");
    assert!(r.has("请填写委托的有效期"), "{}", r.body);
    assert!(!r.has("expiry date"), "one language: {}", r.body);
    // The form open, as typed: the principal chosen, the authorization kept.
    assert!(
        r.has(r#"<details open><summary>登记书面委托"#),
        "{}",
        r.body
    );
    assert!(r.has(&format!(r#"value="{voter}" selected"#)), "{}", r.body);
    assert!(r.has(r#"value="委托书 2026-12 第 3 号""#), "{}", r.body);
    assert_eq!((proxies(), written(&s)), before, "nothing written");

    // A proxy id not on the roll: beside the proxy's field.
    let f = form("没有这个人", "2099-01-01");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = com.post(&format!("{base}/proxies"), &f).await;
    refused_own_page(&r);
    tied(&r, "f-proxy");
    assert!(r.has("名册中没有编号为“没有这个人”的居民"), "{}", r.body);
    assert!(!r.has(r#"id="f-principal-err""#), "{}", r.body);
    assert!(r.has(r#"value="2099-01-01""#), "{}", r.body);
    assert_eq!((proxies(), written(&s)), before, "nothing written");
    s.stop().await;
}

#[tokio::test]
async fn an_affected_dwelling_outside_the_unit_comes_back_as_typed() {
    let s = Server::start().await;
    let id = retrofit(&s);
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let affected = || scalar(&s, "SELECT count(*) FROM vote_affected");
    let before = (affected(), written(&s));
    let path = format!("/c/wutong/votes/{id}/affected");
    let r = com
        .post(
            &path,
            &[
                ("dwelling", "1-1-101"),
                ("consent", "no"),
                ("note", "口头反对"),
            ],
        )
        .await;
    refused_own_page(&r);
    tied(&r, "f-dw");
    assert!(r.has("1-1-101 不在这个单元"), "{}", r.body);
    assert!(!r.has("is not in this unit"), "one language: {}", r.body);
    assert!(r.has(r#"id="cs-no" value="no" checked"#), "{}", r.body);
    assert!(r.has(r#"value="口头反对""#), "{}", r.body);
    assert_eq!((affected(), written(&s)), before, "nothing written");
    // A note too long, and an answer that is none of the three.
    let long = "注".repeat(201);
    let r = com
        .post(
            &path,
            &[
                ("dwelling", "3-2-101"),
                ("consent", "maybe"),
                ("note", &long),
            ],
        )
        .await;
    refused_own_page(&r);
    tied(&r, "f-note");
    tied(&r, "f-consent");
    assert!(r.has(r#"<option value="3-2-101" selected>"#), "{}", r.body);
    assert_eq!((affected(), written(&s)), before, "nothing written");
    s.stop().await;
}

#[tokio::test]
async fn a_proxys_ballot_with_too_many_choices_comes_back_under_its_principal() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let id = open_choice_vote(&s, &mut com).await;
    let base = format!("/c/wutong/votes/{id}");
    // The demo resident holds a written proxy for another voter of the unit.
    let c = s.sql();
    let (me, key): (i64, String) = c
        .query_row(
            "SELECT r.id, r.key FROM residents r JOIN accounts a ON a.resident_id = r.id WHERE a.login = ?1",
            [RESIDENT.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let voter: String = c
        .query_row(
            "SELECT voter FROM vote_electorate WHERE vote_id = ?1 AND voter != ?2 LIMIT 1",
            rusqlite::params![id, format!("r-{me}")],
            |r| r.get(0),
        )
        .unwrap();
    let r = com
        .post(
            &format!("{base}/proxies"),
            &[
                ("voter", voter.as_str()),
                ("proxy", key.as_str()),
                ("authorization", "委托书第 7 号"),
                ("expires", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get(&base).await;
    let before = (ballots(&s), written(&s));
    let r = res
        .post(
            &format!("{base}/proxy-ballot"),
            &[
                ("voter", voter.as_str()),
                ("choice", "A"),
                ("choice", "B"),
                ("choice", "C"),
            ],
        )
        .await;
    refused_own_page(&r);
    tied(&r, &format!("x-{voter}-choice"));
    assert!(r.has("最多只能选 2 项"), "{}", r.body);
    assert!(
        r.has(&format!(r#"id="x-{voter}-C" value="C" checked"#)),
        "{}",
        r.body
    );
    // The resident's own ballot is left alone.
    assert!(!r.has(r#"id="c-choice-err""#), "{}", r.body);
    assert_eq!((ballots(&s), written(&s)), before, "nothing written");
    s.stop().await;
}
