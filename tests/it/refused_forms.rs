//! Refused forms (#16 item 3): a refused round ballot comes back as the same
//! ballot, ticked as it was sent, with the reason beside it, inside the
//! resident's own header; an error page keeps the account's links and
//! offers 返回 to the page the request came from. After voting, the round
//! page shows the resident what they chose, and nobody else.

use crate::common::*;
use reqwest::StatusCode;

/// The demo's open round (voting, at most 2 approvals) and its projects' ids.
fn open_round(s: &Server) -> (i64, Vec<i64>) {
    let c = s.sql();
    let rid: i64 = c
        .query_row(
            "SELECT id FROM rounds WHERE phase = 'vote' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut st = c
        .prepare("SELECT id FROM round_projects WHERE round_id = ?1 ORDER BY id")
        .unwrap();
    let ids = st
        .query_map([rid], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<i64>, _>>()
        .unwrap();
    (rid, ids)
}

#[tokio::test]
async fn an_over_limit_ballot_comes_back_ticked_with_the_reason() {
    let s = Server::start().await;
    let (rid, p) = open_round(&s);
    assert!(p.len() >= 3, "the demo round has three projects");
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let page = format!("/c/wutong/rounds/{rid}");
    res.get(&page).await;
    let (a, b, c) = (p[0].to_string(), p[1].to_string(), p[2].to_string());
    let r = res
        .post(
            &format!("{page}/ballot"),
            &[("project", &a), ("project", &b), ("project", &c)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same ballot, not the bare error page.
    assert!(r.has(r#"id="ballot""#), "{}", r.body);
    assert!(r.has("最多可赞成 2 个项目，你选了 3 个"), "{}", r.body);
    assert!(r.has(r#"class="field-error""#));
    for id in [&a, &b, &c] {
        assert!(
            r.has(&format!(r#"name="project" value="{id}" checked"#)),
            "project {id} stays ticked: {}",
            r.body
        );
    }
    // The resident's own header: their account link and logout.
    assert!(
        r.has(r#"href="/account""#) && r.has("/logout"),
        "{}",
        r.body
    );
    assert!(!r.has("无法完成"));
    let ballots: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM round_ballots WHERE round_id = ?1",
            [rid],
            |r| r.get(0),
        )
        .unwrap();

    // Two approvals are taken; the page then shows the resident their choice.
    let r = res
        .post(
            &format!("{page}/ballot"),
            &[("project", &a), ("project", &c)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM round_ballots WHERE round_id = ?1",
            [rid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(after, ballots + 1);
    let mine = res.get(&page).await;
    assert!(mine.has(r#"id="my-ballot""#), "{}", mine.body);
    let section = &mine.body[mine.body.find(r#"id="my-ballot""#).unwrap()..];
    let section = &section[..section.find("</div>").unwrap()];
    let codes: Vec<String> = {
        let db = s.sql();
        [&a, &b, &c]
            .iter()
            .map(|id| {
                db.query_row(
                    "SELECT code FROM round_projects WHERE id = ?1",
                    [id.parse::<i64>().unwrap()],
                    |r| r.get(0),
                )
                .unwrap()
            })
            .collect()
    };
    assert!(section.contains(&codes[0]) && section.contains(&codes[2]));
    assert!(!section.contains(&codes[1]), "{section}");
    // Nobody else sees it: not the committee, not a visitor.
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    assert!(!staff.get(&page).await.has("my-ballot"));
    assert!(!s.client().get(&page).await.has("my-ballot"));
    s.stop().await;
}

#[tokio::test]
async fn an_error_page_keeps_the_header_and_offers_the_way_back() {
    let s = Server::start().await;
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let (rid, p) = open_round(&s);
    let page = format!("/c/wutong/rounds/{rid}");
    res.get(&page).await;
    res.post(&format!("{page}/ballot"), &[("project", &p[0].to_string())])
        .await;
    // A second ballot is refused (a conflict, not a form problem): the
    // error page, in the resident's header, with 返回 to the round.
    res.prime().await;
    let tok = res.csrf.clone();
    let r = res
        .http
        .post(format!("{}{page}/ballot", res.base))
        .header("referer", format!("{}{page}", res.base))
        .form(&[("project", p[1].to_string()), ("_csrf", tok)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body = r.text().await.unwrap();
    assert!(body.contains("你已在本轮投过票"), "{body}");
    assert!(body.contains(r#"href="/account""#), "{body}");
    assert!(
        body.contains(&format!(r#"href="{page}""#)),
        "返回 the round: {body}"
    );
    assert!(body.contains("返回"));
    // Without a Referer, back to the community's own page.
    let r = res
        .post(&format!("{page}/ballot"), &[("project", &p[1].to_string())])
        .await;
    assert!(r.has(r#"href="/c/wutong""#), "{}", r.body);
    s.stop().await;
}

#[tokio::test]
async fn an_attendance_list_with_an_unknown_name_comes_back_as_typed() {
    let s = Server::start().await;
    let (did, key): (i64, String) = s
        .sql()
        .query_row(
            "SELECT d.id, r.key FROM deliberations d JOIN communities c ON c.id = d.community_id
             JOIN residents r ON r.community_id = c.id
             WHERE c.slug = 'wutong' AND d.status = 'planned' ORDER BY r.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let base = format!("/c/wutong/deliberations/{did}");
    com.get(&base).await;
    let typed = format!("{key}\n查无此人");
    let r = com
        .post(&format!("{base}/attendance"), &[("who", &typed)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The meeting page, the host's form open with the list as typed and
    // the refused name beside it, in the committee's own header.
    assert!(r.has(r#"id="host-attendance" open"#), "{}", r.body);
    assert!(r.has(&format!(">{key}\n查无此人</textarea>")), "{}", r.body);
    assert!(r.has(r#"id="f-who-err""#) && r.has("查无此人（名册上没有）"));
    assert!(r.has(r#"aria-invalid="true""#));
    assert!(r.has(r#"href="/account""#) && r.has("/c/wutong/roll"));
    assert!(!r.has("无法完成"));
    let n: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM attendance WHERE deliberation_id = ?1",
            [did],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "nothing is written");
    s.stop().await;
}

#[tokio::test]
async fn a_refusal_speaks_the_readers_language_only() {
    let s = Server::start().await;
    let (rid, p) = open_round(&s);
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let page = format!("/c/wutong/rounds/{rid}");
    res.get(&page).await;
    let (a, b, c) = (p[0].to_string(), p[1].to_string(), p[2].to_string());
    let three = [("project", a.as_str()), ("project", &b), ("project", &c)];
    let (zh, en) = (
        "最多可赞成 2 个项目，你选了 3 个",
        "you may approve at most 2 projects; you chose 3",
    );
    // The form error beside the ballot: Chinese by default, no English.
    let r = res.post(&format!("{page}/ballot"), &three).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has(zh) && !r.has(en), "{}", r.body);
    // With the English preference, English and no Chinese.
    res.post("/prefs", &[("lang", "en"), ("next", &page)]).await;
    let r = res.post(&format!("{page}/ballot"), &three).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has(en) && !r.has(zh), "{}", r.body);
    assert!(r.has(r#"class="field-error""#), "{}", r.body);

    // The error page of a refusal (a second ballot) follows it too.
    let one = [("project", a.as_str())];
    assert_eq!(
        res.post(&format!("{page}/ballot"), &one).await.status,
        StatusCode::SEE_OTHER
    );
    let (zh, en) = ("你已在本轮投过票", "you have already voted in this round");
    let r = res.post(&format!("{page}/ballot"), &one).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has(en) && !r.has(zh), "{}", r.body);
    res.post("/prefs", &[("lang", "zh"), ("next", &page)]).await;
    let r = res.post(&format!("{page}/ballot"), &one).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has(zh) && !r.has(en), "{}", r.body);
    s.stop().await;
}
