//! The committee's tally sheet (#16 item 8): a 20-voter unit's paper
//! ballots entered in one go, all rows or none (a refused row named, the
//! sheet back as entered), in dwelling order, only by the committee; a sheet
//! kept for a second member's check counts only once another member
//! confirms it. The vote notice after an early close says when it closed.

use crate::common::*;
use reqwest::StatusCode;

/// The unit of the demo resident (3-2-501): 20 owning parties.
fn unit_3_2(s: &Server) -> i64 {
    s.sql()
        .query_row(
            "SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id JOIN communities c ON c.id = b.community_id
             WHERE c.slug = 'wutong' AND b.number = '3' AND u.number = '2'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Opens an owners' vote on 3栋2单元; its id.
async fn open_unit_vote(s: &Server, com: &mut Client) -> String {
    com.get("/c/wutong/votes/new").await;
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "3栋2单元楼道粉刷"),
                ("scope", &format!("unit:{}", unit_3_2(s))),
                ("rule", "civil_code_278_ordinary"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location.unwrap();
    let id = loc
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = com
        .post(&format!("/c/wutong/votes/{id}/open"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

fn count(s: &Server, sql: &str, id: &str) -> i64 {
    s.sql().query_row(sql, [id], |r| r.get(0)).unwrap()
}

/// The voters of the sheet as the page lists them, in order.
fn sheet_voters(body: &str) -> Vec<String> {
    body.split("name=\"voter\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// The sheet's form: every row's voter, and its choice where given.
fn sheet_form(voters: &[String], choices: &[(String, String)]) -> Vec<(String, String)> {
    let mut f = Vec::new();
    for v in voters {
        f.push(("voter".to_string(), v.clone()));
        if let Some((_, c)) = choices.iter().find(|(x, _)| x == v) {
            f.push((format!("c-{v}"), c.clone()));
        }
    }
    f
}

async fn post_owned(c: &mut Client, path: &str, f: &[(String, String)]) -> Resp {
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(path, &f).await
}

/// Where each of the unit's dwellings is: (label, floor, room as a number).
fn places(s: &Server) -> std::collections::HashMap<String, (i64, i64)> {
    let c = s.sql();
    let mut st = c
        .prepare(
            "SELECT b.number || '-' || u.number || '-' || d.number, d.floor, CAST(d.number AS INTEGER)
             FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
             WHERE u.id = ?1",
        )
        .unwrap();
    st.query_map([unit_3_2(s)], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
}

#[tokio::test]
async fn a_tally_sheet_enters_a_units_paper_ballots_all_or_none() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    // The owner first by id gets the top floor's dwelling (and the other
    // way round), so an order by voter id is not the dwelling order.
    let c = s.sql();
    let unit = unit_3_2(&s);
    let ends: Vec<(i64, i64)> = c
        .prepare(
            "SELECT id, owner_id FROM dwellings WHERE unit_id = ?1 AND owner_id IS NOT NULL
             ORDER BY owner_id",
        )
        .unwrap()
        .query_map([unit], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    let (low, high) = (ends[0], ends[ends.len() - 1]);
    c.execute(
        "UPDATE dwellings SET owner_id = ?2 WHERE id = ?1",
        [low.0, high.1],
    )
    .unwrap();
    c.execute(
        "UPDATE dwellings SET owner_id = ?2 WHERE id = ?1",
        [high.0, low.1],
    )
    .unwrap();
    let id = open_unit_vote(&s, &mut com).await;
    let electorate = "SELECT count(*) FROM vote_electorate WHERE vote_id = ?1";
    assert_eq!(count(&s, electorate, &id), 20, "a 20-voter unit");
    let sheet = format!("/c/wutong/votes/{id}/tally-sheet");

    // The resident votes online: 19 rows are left for the sheet.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get(&format!("/c/wutong/votes/{id}")).await;
    let r = res
        .post(
            &format!("/c/wutong/votes/{id}/ballot"),
            &[("choice", "agree")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Nobody but the committee reads or saves a sheet.
    assert_eq!(res.get(&sheet).await.status, StatusCode::FORBIDDEN);
    let r = res
        .post(&sheet, &[("voter", "o-1"), ("c-o-1", "agree")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut sup = s.client();
    sup.login(SUPERVISOR.0, SUPERVISOR.1).await;
    assert_eq!(sup.get(&sheet).await.status, StatusCode::FORBIDDEN);

    let vote_page = com.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(
        vote_page.has(&format!("href=\"{sheet}\"")),
        "the vote page links the sheet"
    );
    let page = com.get(&sheet).await;
    assert_eq!(page.status, StatusCode::OK);
    let voters = sheet_voters(&page.body);
    assert_eq!(voters.len(), 19, "one row per voter who has not voted");
    assert!(page.has("第 19 行") && !page.has("第 20 行"));
    // In dwelling order: floor, then room, as numbers.
    let places = places(&s);
    let dwelling_of: Vec<(i64, i64)> = voters
        .iter()
        .map(|v| {
            let i = page.body.find(&format!("value=\"{v}\"")).unwrap();
            let legend = &page.body[..i];
            let label = legend
                .rsplit(" · ")
                .next()
                .unwrap()
                .split(['<', '、'])
                .next()
                .unwrap();
            *places
                .get(label)
                .unwrap_or_else(|| panic!("dwelling {label:?} of {v}"))
        })
        .collect();
    let mut sorted = dwelling_of.clone();
    sorted.sort();
    assert_eq!(dwelling_of, sorted, "rows in dwelling order");

    let choices: Vec<(String, String)> = voters
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let c = ["agree", "agree", "disagree", "abstain"][i % 4];
            (v.clone(), c.to_string())
        })
        .collect();
    let paper = "SELECT count(*) FROM ballots WHERE vote_id = ?1 AND channel = 'paper'";

    // A choice the vote does not have, on row 7: nothing is saved, the row is named.
    let mut bad = choices.clone();
    bad[6].1 = "maybe".into();
    let r = post_owned(&mut com, &sheet, &sheet_form(&voters, &bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.has("第 7 行") && r.has("请选择同意、不同意或弃权"),
        "{}",
        r.body
    );
    assert_eq!(count(&s, paper, &id), 0, "a bad row saves none");
    // The sheet comes back as entered: row 1's choice is still ticked.
    assert!(
        r.has("id=\"r1-agree\" value=\"agree\" checked"),
        "{}",
        r.body
    );
    assert_eq!(sheet_voters(&r.body), voters);

    // A row the ballot rule refuses inside the transaction (a voter not in
    // this electorate) undoes the rows before it.
    let mut outsider = voters.clone();
    outsider[11] = "o-999999".into();
    let mut oc = choices.clone();
    oc[11].0 = "o-999999".into();
    let r = post_owned(&mut com, &sheet, &sheet_form(&outsider, &oc)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.has("第 12 行") && r.has("这位选民不在名单中"),
        "{}",
        r.body
    );
    assert_eq!(count(&s, paper, &id), 0, "rows 1-11 were undone");

    // Nothing ticked: refused, in words.
    let r = post_owned(&mut com, &sheet, &sheet_form(&voters, &[])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("没有勾选任何选票"));

    // The whole sheet: 19 ballots in one go.
    let r = post_owned(&mut com, &sheet, &sheet_form(&voters, &choices)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(count(&s, paper, &id), 19);
    let all = "SELECT count(DISTINCT voter) FROM ballots WHERE vote_id = ?1";
    assert_eq!(count(&s, all, &id), 20);
    let entered_by = "SELECT count(*) FROM ballots b JOIN accounts a ON a.id = b.entered_by
                      WHERE b.vote_id = ?1 AND b.channel = 'paper' AND a.login = 'juwei'";
    assert_eq!(
        count(&s, entered_by, &id),
        19,
        "marked as entered by the committee member"
    );
    let target = format!("vote:{id}");
    let audited = "SELECT count(*) FROM audit_log WHERE action = 'vote.paper' AND target = ?1";
    assert_eq!(
        count(&s, audited, &target),
        19,
        "an audit row per ballot, as one paper ballot gets"
    );
    let sheet_rows =
        "SELECT count(*) FROM audit_log WHERE action = 'vote.tally_sheet' AND target = ?1";
    assert_eq!(count(&s, sheet_rows, &target), 1);
    // The same sheet again (a stale copy) replaces no ballot: its first row
    // is refused by name, and nothing changes.
    let flipped: Vec<(String, String)> = choices
        .iter()
        .map(|(v, c)| {
            (
                v.clone(),
                if c == "agree" { "disagree" } else { "agree" }.to_string(),
            )
        })
        .collect();
    let again = post_owned(&mut com, &sheet, &sheet_form(&voters, &flipped)).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert!(again.has("已有选票"), "{}", again.body);
    let agreeing = "SELECT count(*) FROM ballots WHERE vote_id = ?1 AND channel = 'paper' AND choice = 'agree'";
    let want = choices.iter().filter(|(_, c)| c == "agree").count() as i64;
    assert_eq!(count(&s, agreeing, &id), want, "no ballot replaced");
    let after = com.get(&r.location.unwrap()).await;
    assert!(
        after.has("已录入 19 张纸质选票") && after.has("都已投票"),
        "{}",
        after.body
    );

    // Everyone has voted: the committee may close early, and the notice
    // says when it closed, not only the planned period.
    let r = com.post(&format!("/c/wutong/votes/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The published count lists the voters in dwelling order too.
    let xlsx = com
        .http
        .get(format!("{}/c/wutong/votes/{id}/tally.xlsx", s.base))
        .send()
        .await
        .unwrap();
    let table = teahouse::sheet::read(&xlsx.bytes().await.unwrap())
        .unwrap()
        .table;
    let listed: Vec<(i64, i64)> = table[1..=20]
        .iter()
        .map(|r| {
            let first = r[2].split('、').next().unwrap();
            *places
                .get(first)
                .unwrap_or_else(|| panic!("dwelling {first:?}"))
        })
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "tally.xlsx in dwelling order");
    let notice = com.get(&format!("/c/wutong/votes/{id}/notice")).await;
    assert!(
        notice.has("提前结束") && notice.has("原定 2099-01-0"),
        "{}",
        notice.body
    );
    assert!(
        !notice.has("— 2099-01-0"),
        "the period ends at the actual close: {}",
        notice.body
    );
    s.stop().await;
}

/// A second committee account for wutong, made by the operator and logged in.
async fn second_member(s: &Server) -> Client {
    let mut op = s.client();
    op.login(OPERATOR.0, OPERATOR.1).await;
    op.get("/ops").await;
    let staff = op
        .post(
            "/ops/staff",
            &[
                ("community", "wutong"),
                ("role", "committee"),
                ("login", "jw-second"),
                ("display_name", "第二委员"),
            ],
        )
        .await;
    let i = staff.body.find("临时密码：").expect("temporary password") + "临时密码：".len();
    let temp: String = staff.body[i..].chars().take(14).collect();
    let mut w = s.client();
    w.post("/login", &[("login", "jw-second"), ("password", &temp)])
        .await;
    w.get("/account").await;
    let r = w
        .post(
            "/account/password",
            &[
                ("current", &temp),
                ("password", "second-member-pw"),
                ("password2", "second-member-pw"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    w
}

#[tokio::test]
async fn a_kept_sheet_counts_only_once_another_member_checks_it() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let id = open_unit_vote(&s, &mut com).await;
    let sheet = format!("/c/wutong/votes/{id}/tally-sheet");
    let page = com.get(&sheet).await;
    let voters = sheet_voters(&page.body);
    assert_eq!(voters.len(), 20);
    let choices: Vec<(String, String)> = voters[..5]
        .iter()
        .map(|v| (v.clone(), "agree".to_string()))
        .collect();
    let mut f = sheet_form(&voters, &choices);
    f.push(("check".into(), "1".into()));
    let r = post_owned(&mut com, &sheet, &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let paper = "SELECT count(*) FROM ballots WHERE vote_id = ?1 AND channel = 'paper'";
    assert_eq!(count(&s, paper, &id), 0, "kept, not counted");
    let kept = com.get(&r.location.unwrap()).await;
    assert!(
        kept.has("待另一位委员核对") && kept.has("须由另一位委员核对"),
        "{}",
        kept.body
    );
    // Each kept row's choice in the reader's language only.
    assert!(
        kept.has("— 同意") && !kept.has("agree</li>"),
        "{}",
        kept.body
    );
    // Its voters are on the kept sheet, not on a new one.
    assert_eq!(sheet_voters(&kept.body).len(), 15);
    let sheet_id: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM tally_sheets WHERE vote_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    // Whoever entered it cannot check it.
    let confirm = format!("{sheet}/{sheet_id}/confirm");
    let r = com.post(&confirm, &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(count(&s, paper, &id), 0);

    let mut second = second_member(&s).await;
    let page = second.get(&sheet).await;
    assert!(page.has("核对无误，计入这些选票"), "{}", page.body);
    let r = second.post(&confirm, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(count(&s, paper, &id), 5);
    let entered_by = "SELECT count(*) FROM ballots b JOIN accounts a ON a.id = b.entered_by
                      WHERE b.vote_id = ?1 AND b.channel = 'paper' AND a.login = 'juwei'";
    assert_eq!(count(&s, entered_by, &id), 5, "entered by the first member");
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM tally_sheets WHERE vote_id = ?1",
            &id
        ),
        0
    );
    let r = second.post(&confirm, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "applied once only");

    // A kept sheet can be discarded: nothing of it counts.
    let rest = sheet_voters(&second.get(&sheet).await.body);
    let mut f = sheet_form(&rest, &[(rest[0].clone(), "disagree".to_string())]);
    f.push(("check".into(), "1".into()));
    post_owned(&mut second, &sheet, &f).await;
    let sheet_id: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM tally_sheets WHERE vote_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    let r = com.post(&format!("{sheet}/{sheet_id}/discard"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(count(&s, paper, &id), 5);
    let left: i64 = s
        .sql()
        .query_row("SELECT count(*) FROM tally_sheet_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "a discarded sheet leaves no rows");
    s.stop().await;
}

#[tokio::test]
async fn a_secret_votes_sheet_names_nobody_and_has_no_second_check() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    com.get("/c/xingfu/votes/new").await;
    let r = com
        .post(
            "/c/xingfu/votes",
            &[
                ("title", "村道硬化方案"),
                ("scope", "community"),
                ("rule", "villagers_meeting"),
                ("secret", "1"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    let loc = r.location.unwrap();
    let id = loc
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    com.post(&format!("/c/xingfu/votes/{id}/open"), &[("confirm", "1")])
        .await;
    let sheet = format!("/c/xingfu/votes/{id}/tally-sheet");
    let page = com.get(&sheet).await;
    assert!(page.has("无记名表决：计票单直接计入") && !page.has("name=\"check\""));
    let voters = sheet_voters(&page.body);
    let choices: Vec<(String, String)> = voters[..3]
        .iter()
        .map(|v| (v.clone(), "agree".to_string()))
        .collect();
    let mut f = sheet_form(&voters, &choices);
    f.push(("check".into(), "1".into()));
    let r = post_owned(&mut com, &sheet, &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("不交第二人核对"), "{}", r.body);
    let r = post_owned(&mut com, &sheet, &sheet_form(&voters, &choices)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let paper = "SELECT count(*) FROM ballots WHERE vote_id = ?1 AND channel = 'paper'";
    assert_eq!(count(&s, paper, &id), 3);
    let target = format!("vote:{id}");
    let named = "SELECT count(*) FROM audit_log WHERE action = 'vote.paper' AND target = ?1 AND detail != 'paper'";
    assert_eq!(
        count(&s, named, &target),
        0,
        "a secret vote's audit rows name nobody"
    );
    s.stop().await;
}
