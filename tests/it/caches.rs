//! What the server keeps in memory between requests is never stale after a
//! write through it: the roll's counts (kept by filter until a resident, a
//! zone or a place changes), a closed vote's list order and its pages of
//! ballots (kept until the roll's places change), and the desks (kept
//! until the next commit).

use crate::common::*;
use reqwest::StatusCode;

/// The roll page's total: "共 <strong>N</strong> 人".
fn total(body: &str) -> i64 {
    let i = body.find("共 <strong>").expect("a total") + "共 <strong>".len();
    body[i..].split('<').next().unwrap().parse().unwrap()
}

fn one<T: rusqlite::types::FromSql>(s: &Server, sql: &str, p: impl rusqlite::Params) -> T {
    s.sql().query_row(sql, p, |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn the_rolls_counts_follow_every_change_to_it() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let building: i64 = one(
        &s,
        "SELECT b.id FROM buildings b JOIN communities c ON c.id = b.community_id
         WHERE c.slug = 'wutong' AND b.number = '3'",
        [],
    );
    let all = total(&c.get("/c/wutong/roll").await.body);
    let in_3 = total(
        &c.get(&format!("/c/wutong/roll?building={building}"))
            .await
            .body,
    );
    // Asked again: the same (kept), and still right.
    assert_eq!(total(&c.get("/c/wutong/roll").await.body), all);

    // A new resident in building 3, through the server.
    let add = c
        .post(
            "/c/wutong/roll/residents",
            &[
                ("key", "C9101"),
                ("household", "3-2-702"),
                ("name", "新住户"),
                ("phone", ""),
                ("adult", "1"),
            ],
        )
        .await;
    assert_eq!(add.status, StatusCode::SEE_OTHER, "{}", add.body);
    assert_eq!(total(&c.get("/c/wutong/roll").await.body), all + 1);
    let page = c.get(&format!("/c/wutong/roll?building={building}")).await;
    assert_eq!(total(&page.body), in_3 + 1, "the building's count too");

    // Moved out (inactive): counted again without them, and with them when
    // the inactive are asked for.
    let rid: i64 = one(&s, "SELECT id FROM residents WHERE key = 'C9101'", []);
    let edit = c
        .post(
            &format!("/c/wutong/roll/residents/{rid}"),
            &[("name", "新住户"), ("phone", ""), ("adult", "1")],
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    assert_eq!(total(&c.get("/c/wutong/roll").await.body), all);
    let with = c.get("/c/wutong/roll?include_inactive=1").await;
    let inactive: i64 = one(
        &s,
        "SELECT count(*) FROM residents r JOIN communities c ON c.id = r.community_id
         WHERE c.slug = 'wutong'",
        [],
    );
    assert_eq!(total(&with.body), inactive);

    // A commit behind the server's back is seen too.
    s.tamper(
        "UPDATE residents SET active = 0 WHERE id = (SELECT min(id) FROM residents
         WHERE active = 1 AND community_id = (SELECT id FROM communities WHERE slug = 'wutong'))",
        [],
    );
    assert_eq!(total(&c.get("/c/wutong/roll").await.body), all - 1);
}

/// Where `needle` is on the page (it must be there).
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle} not on the page"))
}

/// A closed vote of unit 3-2, every voter's ballot in: its id, and the
/// (dwelling, receipt) of the voters at its lowest and highest floor.
async fn closed_vote(s: &Server, com: &mut Client) -> (String, [(String, String); 2]) {
    let unit: i64 = one(
        s,
        "SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id
         JOIN communities c ON c.id = b.community_id
         WHERE c.slug = 'wutong' AND b.number = '3' AND u.number = '2'",
        [],
    );
    com.get("/c/wutong/votes/new").await;
    let scope = format!("unit:{unit}");
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "3栋2单元外墙维修"),
                ("scope", &scope),
                ("rule", "civil_code_278_ordinary"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location.unwrap();
    let id = loc.rsplit('/').next().unwrap().to_string();
    let r = com
        .post(&format!("/c/wutong/votes/{id}/open"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // (voter, first dwelling, floor), lowest floor first.
    let mut electors: Vec<(String, String, i64)> = s
        .sql()
        .prepare(
            "SELECT e.voter, json_extract(e.dwellings, '$[0]'), d.floor
             FROM vote_electorate e
             JOIN dwellings d ON d.unit_id = ?2
               AND '3-2-' || d.number = json_extract(e.dwellings, '$[0]')
             WHERE e.vote_id = ?1",
        )
        .unwrap()
        .query_map(rusqlite::params![id, unit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    electors.sort_by_key(|e| e.2);
    let (low, high) = (electors[0].clone(), electors.last().unwrap().clone());
    assert!(low.2 < high.2, "two floors: {electors:?}");
    // Everyone votes (on paper), so that the vote may close now.
    com.get(&format!("/c/wutong/votes/{id}")).await;
    for (voter, _, _) in &electors {
        let r = com
            .post(
                &format!("/c/wutong/votes/{id}/paper"),
                &[("voter", voter), ("choice", "agree")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = com.post(&format!("/c/wutong/votes/{id}/close"), &[]).await;
    assert!(r.status.is_redirection(), "{}", r.body);
    let receipt = |voter: &str| -> String {
        one(
            s,
            "SELECT receipt FROM ballots WHERE vote_id = ?1 AND voter = ?2",
            rusqlite::params![id, voter],
        )
    };
    let pair = |e: &(String, String, i64)| (e.1.clone(), receipt(&e.0));
    let pairs = [pair(&low), pair(&high)];
    (id, pairs)
}

/// Rewrites the floor of `dwelling` (3-2-NNN) in the roll's own export and
/// imports it through the server.
async fn move_to_floor(s: &Server, com: &mut Client, dwelling: &str, floor: &str) {
    let room = dwelling.rsplit('-').next().unwrap();
    let resp = com
        .http
        .get(format!("{}/c/wutong/roll/export.xlsx", s.base))
        .send()
        .await
        .unwrap();
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut table = teahouse::sheet::read(&bytes).unwrap().table;
    let mut changed = 0;
    for row in table.iter_mut().skip(1) {
        if row[3] == "3" && row[4] == "2" && row[5] == room {
            row[6] = floor.to_string();
            changed += 1;
        }
    }
    assert!(changed > 0, "{dwelling} is in the export");
    let xlsx = teahouse::sheet::write_xlsx("名册", &table).unwrap();
    let r = com
        .post_file("/c/wutong/roll/import", "roll.xlsx", xlsx)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let i = at(&r.body, "/roll/import/") + "/roll/import/".len();
    let import: String = r.body[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let done = com
        .post(&format!("/c/wutong/roll/import/{import}/confirm"), &[])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let now: i64 = one(
        s,
        "SELECT d.floor FROM dwellings d JOIN units u ON u.id = d.unit_id
         JOIN buildings b ON b.id = u.building_id
         WHERE b.number = '3' AND u.number = '2' AND d.number = ?1",
        [room],
    );
    assert_eq!(now.to_string(), floor, "the import moved {dwelling}");
}

/// The closed vote's list is in dwelling order (floor by floor) as the roll
/// has it now: a dwelling's floor corrected through a roll import puts its
/// ballot where it now belongs, for a logged-in reader (whose page is built
/// from the kept order and kept page of ballots) and for anyone.
#[tokio::test]
async fn a_roll_change_reorders_a_closed_votes_list() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let (id, [(low, low_receipt), (high, high_receipt)]) = closed_vote(&s, &mut com).await;
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let mut anon = s.client();
    let path = format!("/c/wutong/votes/{id}");
    for reader in [&mut com, &mut res, &mut anon] {
        for _ in 0..2 {
            let p = reader.get(&path).await;
            assert_eq!(p.status, StatusCode::OK);
            assert!(
                at(&p.body, &low_receipt) < at(&p.body, &high_receipt),
                "{low} before {high}"
            );
        }
    }
    // The lowest dwelling was on the 99th floor all along.
    move_to_floor(&s, &mut com, &low, "99").await;
    for reader in [&mut com, &mut res, &mut anon] {
        let p = reader.get(&path).await;
        assert!(
            at(&p.body, &high_receipt) < at(&p.body, &low_receipt),
            "{high} now before {low}"
        );
    }
}

/// The desks are kept until the next commit: a proposal sent for review
/// behind the server's back, or an objection lodged through it, is on the
/// committee's desk at the next view.
#[tokio::test]
async fn a_desk_shows_what_was_written_since_it_was_kept() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let before = com.get("/c/wutong/desk").await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(com.get("/c/wutong/desk").await.body, before.body, "kept");
    let (pid, title): (i64, String) = s
        .sql()
        .query_row(
            "SELECT p.id, p.title FROM proposals p JOIN communities c ON c.id = p.community_id
             WHERE c.slug = 'wutong' AND p.status != 'review' ORDER BY p.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(!before.has(&format!("/c/wutong/proposals/{pid}\"")));
    s.tamper(
        "UPDATE proposals SET status = 'review' WHERE id = ?1",
        [pid],
    );
    let after = com.get("/c/wutong/desk").await;
    assert!(
        after.has(&format!("/c/wutong/proposals/{pid}\"")) && after.has(&title),
        "the proposal to review is listed"
    );
}
