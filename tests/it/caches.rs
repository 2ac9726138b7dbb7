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

/// The ballot list's rows on a vote's page (its `<tbody>`).
fn ballot_rows(body: &str) -> &str {
    let from = at(body, "id=\"h-ballots\"");
    let start = from + at(&body[from..], "<tbody>");
    &body[start..start + at(&body[start..], "</tbody>")]
}

/// A closed vote's rows are rendered once per language and kept; each
/// reader's own row is put in marked, nobody else's, and a ballot changed
/// since (a repair behind the server's back) is seen by every reader at once.
#[tokio::test]
async fn a_closed_votes_kept_rows_mark_only_the_readers_own_in_their_language() {
    let s = Server::start().await;
    let path = "/c/wutong/votes/1";
    let receipt: String = one(
        &s,
        "SELECT b.receipt FROM ballots b JOIN vote_members m ON m.vote_id = b.vote_id AND m.voter = b.voter
         JOIN accounts a ON a.resident_id = m.resident_id WHERE a.login = ?1 AND b.vote_id = 1",
        [RESIDENT.0],
    );
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let mut me = s.client();
    me.login(RESIDENT.0, RESIDENT.1).await;
    let theirs = com.get(path).await;
    let anon = s.client().get(path).await;
    let (mine, again) = (me.get(path).await, me.get(path).await);
    assert_eq!(ballot_rows(&mine.body), ballot_rows(&again.body));
    let rows = ballot_rows(&mine.body);
    let i = at(rows, "<tr class=\"mine\" id=\"my-ballot\">");
    let row = &rows[i..i + at(&rows[i..], "</tr>")];
    assert!(row.contains("你的选票") && row.contains(&receipt), "{row}");
    assert_eq!(rows.matches("class=\"mine\"").count(), 1);
    // Everything else in the list is what the committee and anyone see.
    let unmarked = rows
        .replace("<tr class=\"mine\" id=\"my-ballot\">", "<tr class=\"\">")
        .replace(" <mark>你的选票</mark>", "");
    assert_eq!(unmarked, ballot_rows(&theirs.body));
    assert_eq!(ballot_rows(&theirs.body), ballot_rows(&anon.body));
    assert!(!ballot_rows(&theirs.body).contains("class=\"mine\""));

    // In English the rows are English ones, the reader's own still marked.
    me.post("/prefs", &[("lang", "en"), ("next", "/")]).await;
    let en = me.get(path).await;
    let rows = ballot_rows(&en.body);
    assert!(
        rows.contains("your ballot") && rows.contains(&receipt),
        "{rows}"
    );
    assert!(!rows.contains("你的选票") && !rows.contains("网上") && !rows.contains("纸质"));
    assert_eq!(
        ballot_rows(&com.get(path).await.body),
        ballot_rows(&theirs.body),
        "the Chinese rows are kept apart"
    );

    // A receipt repaired behind the server's back: seen at once by all.
    s.tamper(
        "UPDATE ballots SET receipt = 'REPAIRED-0001' WHERE vote_id = 1 AND receipt = ?1",
        [&receipt],
    );
    for reader in [&mut me, &mut com] {
        let rows = reader.get(path).await;
        let rows = ballot_rows(&rows.body);
        assert!(rows.contains("REPAIRED-0001") && !rows.contains(&receipt));
    }
}

/// The roll's page index (where each page starts) follows every change: a
/// resident added on the first page moves every later page's first line
/// one on, through the server and behind its back, and the deep page read
/// from its key is the page read by counting.
#[tokio::test]
async fn the_rolls_later_pages_follow_a_change_before_them() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let all = total(&c.get("/c/wutong/roll").await.body);
    assert!(all > 100, "three pages at least: {all}");
    // The residents' ids on page 2, in the list's order.
    let ids = |body: &str| -> Vec<String> {
        let mut v = Vec::new();
        let mut rest = body;
        while let Some(i) = rest.find("/roll/residents/") {
            rest = &rest[i + "/roll/residents/".len()..];
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if !id.is_empty() && v.last() != Some(&id) {
                v.push(id);
            }
        }
        v
    };
    let before = ids(&c.get("/c/wutong/roll?page=2").await.body);
    assert_eq!(before.len(), 50, "{before:?}");
    // A resident of the very first household (first in place order).
    let first_household: String = one(
        &s,
        "SELECT h.code FROM households h JOIN communities c ON c.id = h.community_id
         WHERE c.slug = 'wutong' AND h.dwelling_id IS NOT NULL ORDER BY h.roll_order, h.id LIMIT 1",
        [],
    );
    let place: String = one(
        &s,
        "SELECT b.number || '-' || u.number || '-' || d.number FROM households h
         JOIN dwellings d ON d.id = h.dwelling_id JOIN units u ON u.id = d.unit_id
         JOIN buildings b ON b.id = u.building_id WHERE h.code = ?1",
        [&first_household],
    );
    let add = c
        .post(
            "/c/wutong/roll/residents",
            &[
                ("key", "C9102"),
                ("household", &place),
                ("name", "新住户"),
                ("phone", ""),
                ("adult", "1"),
            ],
        )
        .await;
    assert_eq!(add.status, StatusCode::SEE_OTHER, "{}", add.body);
    let after = ids(&c.get("/c/wutong/roll?page=2").await.body);
    assert_eq!(after[1..], before[..49], "every line one on");
    // Moved out behind the server's back: back to where they were.
    s.tamper("UPDATE residents SET active = 0 WHERE key = 'C9102'", []);
    assert_eq!(ids(&c.get("/c/wutong/roll?page=2").await.body), before);
}
