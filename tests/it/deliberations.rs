//! A mobile teahouse meeting end to end over HTTP: plan → agenda (with a
//! resident's suggestion) → QR sign-in inside and outside the window →
//! attendance → minutes → publish → amend → follow-up closed; wrong roles
//! refused; tampering with published minutes caught by `teahouse verify`.

use crate::common::*;
use reqwest::StatusCode;

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(args)
        .output()
        .unwrap()
}

fn shanghai_today(plus_days: i64) -> String {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let d = jiff::Timestamp::now().to_zoned(zone).date();
    d.checked_add(jiff::Span::new().days(plus_days))
        .unwrap()
        .to_string()
}

async fn send(c: &mut Client, path: &str, f: &[(String, String)]) -> Resp {
    let r: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(path, &r).await
}

async fn villager(s: &Server, com: &mut Client, skip: usize, login: &str) -> (Client, i64) {
    let (rid, _) = resident_without_account(s, "xingfu", skip);
    let code = issue_code(com, "xingfu", rid).await;
    let mut c = s.client();
    let r = c
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", login),
                ("password", "villager-pass-1"),
                ("password2", "villager-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (c, rid)
}

#[tokio::test]
async fn a_meeting_from_plan_to_follow_up() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let (mut res, _) = villager(&s, &mut com, 0, "villager1").await;
    let zone: i64 = s
        .sql()
        .query_row(
            "SELECT z.id FROM zones z JOIN communities c ON c.id = z.community_id WHERE c.slug = 'xingfu' ORDER BY z.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let place = format!("zone:{zone}");
    let plan = |title: &str, date: String, start: &str, end: &str| -> Vec<(String, String)> {
        [
            ("title", title.to_string()),
            ("place", place.clone()),
            ("venue", "张家院子".to_string()),
            ("date", date),
            ("start", start.to_string()),
            ("end", end.to_string()),
            ("host", "王主任".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    // A bad plan names its problems.
    let r = send(
        &mut com,
        "/c/xingfu/deliberations",
        &plan("", shanghai_today(0), "20:00", "19:00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("请填写主题") && r.has("结束时间应晚于开始时间"));
    // Residents cannot plan.
    let r = send(
        &mut res,
        "/c/xingfu/deliberations",
        &plan("x", shanghai_today(0), "00:00", "23:59"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Today all day (the sign-in window is open), and tomorrow evening.
    let r = send(
        &mut com,
        "/c/xingfu/deliberations",
        &plan("一组路灯和沟渠", shanghai_today(0), "00:00", "23:59"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let base = r.location.unwrap().split('?').next().unwrap().to_string();
    let r = send(
        &mut com,
        "/c/xingfu/deliberations",
        &plan("明天的会", shanghai_today(1), "19:00", "21:00"),
    )
    .await;
    let later = r.location.unwrap().split('?').next().unwrap().to_string();

    // Agenda: the host adds an item; a resident suggests one; the host accepts it.
    com.post(
        &format!("{base}/items"),
        &[("title", "路灯太暗"), ("detail", "一组主路三盏灯不亮")],
    )
    .await;
    let r = res
        .post(
            &format!("{base}/items"),
            &[("title", "沟渠清淤"), ("detail", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = com.get(&base).await;
    assert!(page.has("居民建议的议题") && page.has("沟渠清淤"));
    // The step: planned, the village committee (村委会) holds it.
    let step = step_of(&page);
    assert!(
        step.contains("计划中")
            && step.contains("<strong>村委会</strong>")
            && step.contains("href=\"#h-attendance\""),
        "{step}"
    );
    let suggested: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM agenda_items WHERE state = 'suggested' AND deliberation_id = ?1",
            [base.rsplit('/').next().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        res.post(
            &format!("{base}/items/{suggested}/decide"),
            &[("accept", "1")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    com.post(
        &format!("{base}/items/{suggested}/decide"),
        &[("accept", "1")],
    )
    .await;
    com.post(
        &format!("{base}/items"),
        &[("title", "村口停车"), ("detail", "")],
    )
    .await;

    // QR sign-in: the code is on the host's page; right code inside the window works.
    let token: String = s
        .sql()
        .query_row(
            "SELECT checkin_token FROM deliberations WHERE id = ?1",
            [base.rsplit('/').next().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        com.get(&base).await.has(&format!("?t={token}")) || com.get(&base).await.has("签到二维码")
    );
    let page = res.get(&format!("{base}?t={token}")).await;
    assert!(page.has("我已到场，签到"));
    let r = res
        .post(&format!("{base}/checkin"), &[("token", "wrong")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = res
        .post(&format!("{base}/checkin"), &[("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(res.get(&format!("{base}?t={token}")).await.has("您已签到"));
    // Outside the window (tomorrow's meeting) it is refused.
    let later_token: String = s
        .sql()
        .query_row(
            "SELECT checkin_token FROM deliberations WHERE id = ?1",
            [later.rsplit('/').next().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let r = res
        .post(&format!("{later}/checkin"), &[("token", &later_token)])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("只在会议期间"));
    // An anonymous visitor scanning the code is sent to log in first.
    let mut anon = s.client();
    let r = anon.get(&format!("{base}?t={token}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.unwrap().starts_with("/login?next="));

    // The host ticks attendees from the roll; an unknown name writes nothing.
    let (key, name): (String, String) = s
        .sql()
        .query_row(
            "SELECT r.key, r.name FROM residents r JOIN communities c ON c.id = r.community_id WHERE c.slug = 'xingfu' ORDER BY r.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let r = com
        .post(
            &format!("{base}/attendance"),
            &[("who", &format!("{key}\n查无此人"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("查无此人"));
    assert_eq!(
        s.sql()
            .query_row(
                "SELECT count(*) FROM attendance WHERE how = 'host' AND deliberation_id = ?1",
                [base.rsplit('/').next().unwrap()],
                |r| r.get::<_, i64>(0)
            )
            .unwrap(),
        0
    );
    com.post(&format!("{base}/attendance"), &[("who", &key)])
        .await;
    com.post(
        &format!("{base}/guests"),
        &[("name", "李律师"), ("role", "法律顾问")],
    )
    .await;
    let page = com.get(&base).await;
    assert!(
        page.has("到会") && page.has("(2)") && page.has("李律师"),
        "{name}"
    );

    // Minutes: bad follow-up lines are named; then a good draft, then publish.
    let items: Vec<(i64, String)> = s
        .sql()
        .prepare("SELECT id, title FROM agenda_items WHERE state = 'agenda' AND deliberation_id = ?1 ORDER BY position")
        .unwrap()
        .query_map([base.rsplit('/').next().unwrap()], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    let (lamp, ditch, parking) = (items[0].0, items[1].0, items[2].0);
    let mut form = vec![
        (
            "summary".to_string(),
            "到会村民就三件事达成意见。".to_string(),
        ),
        (format!("outcome_{lamp}"), "consensus".into()),
        (
            format!("views_{lamp}"),
            "张大爷：晚上看不清路\n希望尽快修".into(),
        ),
        (
            format!("actions_{lamp}"),
            "更换三盏路灯 | 王主任 | 2020-01-10".into(),
        ),
        (format!("outcome_{ditch}"), "resolution".into()),
        (format!("actions_{ditch}"), "组织清淤 | 一组组长".into()),
        (format!("outcome_{parking}"), "referred_to_vote".into()),
        (
            format!("notes_{parking}"),
            "停车收费需全体村民表决。".into(),
        ),
    ];
    let r = send(&mut com, &format!("{base}/minutes"), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("沟渠清淤") && r.has("第 1 行"));
    form[5].1 = "组织清淤 | 一组组长 | 2099-03-01".into();
    assert_eq!(
        send(&mut res, &format!("{base}/minutes"), &form)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = send(&mut com, &format!("{base}/minutes"), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Drafts are not public; the committee's next step is to publish them.
    assert!(!anon.get(&base).await.has("晚上看不清路"));
    let step = step_of(&com.get(&base).await);
    assert!(
        step.contains("纪要草稿已写好") && step.contains(&format!("action=\"{base}/publish\"")),
        "{step}"
    );
    assert_eq!(
        res.post(&format!("{base}/publish"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        com.post(&format!("{base}/publish"), &[("confirm", "1")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = anon.get(&base).await;
    assert!(page.has("晚上看不清路") && page.has("达成共识") && page.has("一位居民"));
    let notice = anon.get(&format!("{base}/notice")).await;
    assert!(notice.has("议事会纪要") && notice.has("Ledger head") && notice.has("法律顾问"));
    // Published: those who attended confirm, the attendee's button in the step.
    let step = step_of(&res.get(&base).await);
    assert!(
        step.contains("纪要已公开")
            && step.contains("与会居民")
            && step.contains(&format!("action=\"{base}/confirm\"")),
        "{step}"
    );
    // The attendee confirms.
    assert_eq!(
        res.post(&format!("{base}/confirm"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    // "Referred to a vote" opens a prefilled draft vote.
    let page = com.get(&base).await;
    let i = page
        .body
        .find("/c/xingfu/votes/new?title=")
        .expect("a link to a prefilled vote");
    let link: String = page.body[i..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let form_page = com.get(&link).await;
    assert!(form_page.has("value=\"村口停车\""), "prefilled title");

    // Published minutes are amended with a reason, never edited in place.
    let r = send(&mut com, &format!("{base}/minutes"), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("修订原因") || r.has("give the reason"));
    let mut amended = form.clone();
    amended[1].1 = "resolution".into();
    amended.push(("reason".into(), "张大爷要求补记：修好前先装临时灯".into()));
    amended[2].1 = "张大爷：晚上看不清路，修好前先装临时灯".into();
    assert_eq!(
        send(&mut com, &format!("{base}/minutes"), &amended)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        anon.get(&base).await.has("达成共识"),
        "the public still sees revision 1"
    );
    assert_eq!(
        com.post(&format!("{base}/publish"), &[("confirm", "1")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = anon.get(&format!("{base}?diff=2")).await;
    assert!(
        page.has("达成共识 → 形成决议") && page.has("张大爷要求补记"),
        "{}",
        page.body
    );
    assert!(
        s.sql()
            .execute("UPDATE minutes_revisions SET body = '{}' WHERE rev = 1", [])
            .is_err(),
        "the database refuses to change published minutes"
    );

    // Follow-up: the lamp action is overdue; closing needs a report.
    let actions = anon.get("/c/xingfu/actions").await;
    assert!(actions.has("更换三盏路灯") && actions.has("逾期"));
    let action: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM actions WHERE title = '更换三盏路灯'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let r = com
        .post_multipart(
            &format!("/c/xingfu/actions/{action}/close"),
            &[("report", "")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = res
        .post_multipart(
            &format!("/c/xingfu/actions/{action}/close"),
            &[("report", "done")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = com
        .post_multipart(
            &format!("/c/xingfu/actions/{action}/close"),
            &[("report", "三盏灯已更换，村民验收。")],
            Some(("file", "路灯.png", b"\x89PNG\r\n\x1a\nphoto".to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let actions = anon.get("/c/xingfu/actions").await;
    assert!(actions.has("三盏灯已更换") && actions.has("路灯.png"));
    let i = actions.body.find("/c/xingfu/files/").unwrap();
    let photo: String = actions.body[i..].split('"').next().unwrap().to_string();
    assert_eq!(
        anon.get(&photo).await.status,
        StatusCode::OK,
        "the photo is public"
    );
    assert!(anon.get("/c/xingfu").await.has("流动的茶馆"));
    let series = anon.get("/c/xingfu/deliberations").await;
    assert!(series.has("茶馆走过的地方") && series.has("今年已解决"));

    // Sharing: iCalendar and open data.
    let ics = anon.get("/c/xingfu/deliberations.ics").await;
    assert!(ics.has("BEGIN:VCALENDAR") && ics.has("SUMMARY:明天的会"));
    let api: serde_json::Value =
        serde_json::from_str(&anon.get("/api/v1/c/xingfu/deliberations").await.body).unwrap();
    assert!(
        api["deliberations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["title"] == "一组路灯和沟渠")
    );

    // Tampering with published minutes is caught.
    let db = s.db_path();
    let ok = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    s.tamper(
        "UPDATE minutes_revisions SET body = replace(body, '晚上看不清路', '路灯很好') WHERE rev = 1",
        [],
    );
    let out = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("minutes"));
    s.stop().await;
}

/// The text of a page's step box, from its "now" line to its end.
fn step_of(page: &Resp) -> String {
    let i = page
        .body
        .find("id=\"step-now\"")
        .unwrap_or_else(|| panic!("no step on the page: {}", page.body));
    let end = page.body[i..].find("</section>").unwrap_or(0);
    page.body[i..i + end].to_string()
}

fn count(s: &Server, sql: &str, id: i64) -> i64 {
    s.sql().query_row(sql, [id], |r| r.get(0)).unwrap()
}

/// The host's refused forms on a meeting's page (#16 item 3): an agenda
/// item, a guest and the minutes come back as typed, the error beside the
/// field, in the host's own header; nothing is written.
#[tokio::test]
async fn a_meetings_refused_forms_come_back_as_typed() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    com.get("/c/xingfu/deliberations").await;
    let plan = [
        ("title", "水渠和路灯"),
        ("place", "community"),
        ("venue", "村委会"),
        ("date", &shanghai_today(1)),
        ("start", "19:00"),
        ("end", "21:00"),
        ("host", "王主任"),
    ];
    let r = com.post("/c/xingfu/deliberations", &plan).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let base = r.location.unwrap().split('?').next().unwrap().to_string();
    let id: i64 = base.rsplit('/').next().unwrap().parse().unwrap();
    let own = |r: &Resp| {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.has("/logout") && r.has(r#"class="field-error""#),
            "{}",
            r.body
        );
        assert!(!r.has("无法完成"), "{}", r.body);
    };
    // An item without its title keeps the details typed.
    let r = com
        .post(
            &format!("{base}/items"),
            &[("title", " "), ("detail", "三盏灯不亮")],
        )
        .await;
    own(&r);
    assert!(
        r.has(r#"id="item""#) && r.has(r#"id="f-title-err""#),
        "{}",
        r.body
    );
    assert!(r.has("三盏灯不亮</textarea>"), "{}", r.body);
    let items = "SELECT count(*) FROM agenda_items WHERE deliberation_id = ?1";
    assert_eq!(count(&s, items, id), 0);
    // A guest without a role keeps the name typed.
    let r = com
        .post(
            &format!("{base}/guests"),
            &[("name", "李律师"), ("role", "")],
        )
        .await;
    own(&r);
    assert!(r.has(r#"id="f-role-err""#) && r.has(r#"value="李律师""#));
    assert!(r.has(r#"<details id="host-attendance" open"#), "{}", r.body);
    let guests = "SELECT count(*) FROM deliberation_guests WHERE deliberation_id = ?1";
    assert_eq!(count(&s, guests, id), 0);
    // Minutes with a follow-up line lacking its owner: the draft as typed.
    let r = com
        .post(&format!("{base}/items"), &[("title", "路灯太暗")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let item = count(
        &s,
        "SELECT max(id) FROM agenda_items WHERE deliberation_id = ?1",
        id,
    );
    let actions = format!("actions_{item}");
    let outcome = format!("outcome_{item}");
    let r = com
        .post(
            &format!("{base}/minutes"),
            &[
                ("summary", "到会村民谈了路灯。"),
                (&outcome, "consensus"),
                (&actions, "换灯"),
            ],
        )
        .await;
    own(&r);
    assert!(r.has(r#"id="minutes""#), "{}", r.body);
    assert!(r.has("到会村民谈了路灯。</textarea>"), "{}", r.body);
    assert!(
        r.has("换灯</textarea>") && r.has("“路灯太暗”：跟进事项第 1 行"),
        "{}",
        r.body
    );
    assert!(r.has(r#"value="consensus" selected"#), "{}", r.body);
    let revs = "SELECT count(*) FROM minutes_revisions WHERE deliberation_id = ?1";
    assert_eq!(count(&s, revs, id), 0);
}
