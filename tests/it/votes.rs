//! A vote end to end over HTTP: draft → open (electorate frozen, in the
//! ledger) → online and paper ballots → change → conflict → close → result;
//! the export recounts to the same result; tampering is caught by verify.

use crate::common::*;
use reqwest::StatusCode;

fn vote_id(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// The unit of the demo resident (3-2-501), by id.
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

/// Drafts a vote from `form` (dates added) and opens it; its id.
async fn open_vote(com: &mut Client, community: &str, form: &[(&str, &str)]) -> String {
    com.get(&format!("/c/{community}/votes/new")).await;
    let mut f = form.to_vec();
    f.extend([("opens", "2026-01-01"), ("closes", "2099-01-01")]);
    let r = com.post(&format!("/c/{community}/votes"), &f).await;
    let id = vote_id(r.location.as_deref().unwrap());
    let r = com
        .post(
            &format!("/c/{community}/votes/{id}/open"),
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn elevator_vote_from_draft_to_verified_result() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let unit = unit_3_2(&s);

    // A bad draft names its problems.
    com.get("/c/wutong/votes/new").await;
    let bad = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", ""),
                ("scope", "unit:999999"),
                ("rule", "nonsense"),
                ("opens", "2026-01-01"),
                ("closes", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("请填写表决事项") && bad.has("请选择表决规则") && bad.has("截止日期"));

    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "3栋2单元加装电梯"),
                ("explanation", "方案：北侧加装；总造价 60 万元。"),
                ("scope", &format!("unit:{unit}")),
                ("rule", "civil_code_278_special"),
                ("vote_kind", "elevator"),
                ("opens", "2026-01-01"),
                ("closes", "2099-12-31"),
                ("publicity_days", "15"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = vote_id(r.location.as_deref().unwrap());
    let page = com.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(page.has("选民名单预览") && page.has("草稿"));
    // Residents do not see drafts.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    assert_eq!(
        res.get(&format!("/c/wutong/votes/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Opening freezes the electorate: owners of the unit's dwellings.
    let before = com
        .get("/api/v1/c/wutong/ledger.jsonl")
        .await
        .body
        .lines()
        .count();
    let r = com
        .post(&format!("/c/wutong/votes/{id}/open"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let frozen: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM vote_electorate WHERE vote_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        frozen >= 15,
        "one voter per owning party in 3栋2单元: {frozen}"
    );

    // The resident casts, then changes their mind; the receipt stays.
    res.get(&format!("/c/wutong/votes/{id}")).await;
    let r = res
        .post(
            &format!("/c/wutong/votes/{id}/ballot"),
            &[("choice", "disagree")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = res.get(&format!("/c/wutong/votes/{id}")).await;
    let i = p.body.find("class=\"receipt\">").unwrap() + "class=\"receipt\">".len();
    let receipt = p.body[i..i + 9].to_string();
    res.post(
        &format!("/c/wutong/votes/{id}/ballot"),
        &[("choice", "agree")],
    )
    .await;
    let p = res.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(
        p.has(&receipt) && p.has("已投：<strong>同意"),
        "changed ballot keeps the receipt"
    );

    // A resident of another unit is not in this electorate.
    let outsider: (i64, String) = resident_without_account(&s, "wutong", 0);
    let mut staff2 = s.client();
    staff2.login(COMMITTEE.0, COMMITTEE.1).await;
    let code = issue_code(&mut staff2, "wutong", outsider.0).await;
    let mut out = s.client();
    out.post(
        "/activate",
        &[
            ("code", &code),
            ("login", "outsider"),
            ("password", "outsider-pw"),
            ("password2", "outsider-pw"),
        ],
    )
    .await;
    let in_unit: bool = s
        .sql()
        .query_row(
            "SELECT count(*) FROM vote_members WHERE vote_id = ?1 AND resident_id = ?2",
            rusqlite::params![id, outsider.0],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        > 0;
    if !in_unit {
        let r = out
            .post(
                &format!("/c/wutong/votes/{id}/ballot"),
                &[("choice", "agree")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    // Paper ballots from the committee for every other voter: most agree.
    let voters: Vec<String> = s
        .sql()
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    let mine: String = s
        .sql()
        .query_row(
            "SELECT voter FROM vote_members m JOIN accounts a ON a.resident_id = m.resident_id WHERE m.vote_id = ?1 AND a.login = 'resident'",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    com.get(&format!("/c/wutong/votes/{id}")).await;
    for (i, v) in voters.iter().enumerate() {
        if *v == mine {
            continue;
        }
        let choice = if i % 10 == 3 { "disagree" } else { "agree" };
        let r = com
            .post(
                &format!("/c/wutong/votes/{id}/paper"),
                &[("voter", v), ("choice", choice)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    // A paper ballot for the resident who voted online is a conflict.
    com.post(
        &format!("/c/wutong/votes/{id}/paper"),
        &[("voter", &mine), ("choice", "disagree")],
    )
    .await;
    let r = com.post(&format!("/c/wutong/votes/{id}/close"), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "closing with a conflict is refused"
    );
    assert!(r.has("冲突"));
    // The committee cannot put its paper ballot in place of the voter's own.
    let r = com
        .post(
            &format!("/c/wutong/votes/{id}/resolve"),
            &[("voter", &mine), ("keep", "paper")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("以本人为准"), "{}", r.body);
    let own: String = s
        .sql()
        .query_row(
            "SELECT choice FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel = 'online'",
            rusqlite::params![id, mine],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(own, "agree", "the voter's own ballot is still there");
    let desk = com.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(desk.has("作废纸质选票") && !desk.has("保留本人的纸质选票"));
    let r = com
        .post(
            &format!("/c/wutong/votes/{id}/resolve"),
            &[("voter", &mine), ("keep", "online")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Everyone has voted: the committee may close early.
    let r = com.post(&format!("/c/wutong/votes/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = res.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(
        p.has("结果：通过"),
        "{}",
        &p.body[p.body.find("<main").unwrap()..]
    );
    assert!(
        p.has(&receipt),
        "the resident finds their receipt in the published list"
    );
    assert!(
        p.has("参与表决的专有面积"),
        "every figure behind the verdict is shown"
    );

    // Elevator extras: the cost-sharing table by floor and the affected owners' consent.
    let bad = com
        .post(
            &format!("/c/wutong/votes/{id}/elevator"),
            &[("total", "620000"), ("coefficients", "1:0, 2:0.4")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("缺少 3 层的系数"), "{}", bad.body);
    let r = com
        .post(
            &format!("/c/wutong/votes/{id}/elevator"),
            &[
                ("total", "620000"),
                (
                    "coefficients",
                    "1:0, 2:0.4, 3:0.6, 4:0.8, 5:1, 6:1.2, 7:1.4",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shares: Vec<(String, i64)> = {
        let p = res.get(&format!("/c/wutong/votes/{id}")).await;
        let sec = &p.body[p.body.find("h-elevator").unwrap()..];
        let sec = &sec[..sec.find("</table>").unwrap()];
        sec.split("<tr><td>")
            .skip(1)
            .map(|row| {
                let cells: Vec<&str> = row.split("</td><td>").collect();
                let yuan = cells[3].split('<').next().unwrap();
                let (w, f) = yuan.split_once('.').unwrap();
                (
                    cells[0].to_string(),
                    w.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        shares.iter().map(|s| s.1).sum::<i64>(),
        62_000_000,
        "shares add up to the total, to the fen"
    );
    assert!(
        shares
            .iter()
            .filter(|s| s.0.starts_with("3-2-1"))
            .all(|s| s.1 == 0),
        "the ground floor pays nothing"
    );
    let veto = com
        .post(
            &format!("/c/wutong/votes/{id}/affected"),
            &[
                ("dwelling", "3-2-101"),
                ("consent", "no"),
                ("note", "北窗采光"),
            ],
        )
        .await;
    assert_eq!(veto.status, StatusCode::SEE_OTHER);
    assert!(
        res.get(&format!("/c/wutong/votes/{id}"))
            .await
            .has("暂不能实施"),
        "a recorded veto stops the retrofit"
    );
    com.post(
        &format!("/c/wutong/votes/{id}/affected"),
        &[
            ("dwelling", "3-2-101"),
            ("consent", "yes"),
            ("note", "书面同意书 2026-07"),
        ],
    )
    .await;
    assert!(
        res.get(&format!("/c/wutong/votes/{id}"))
            .await
            .has("可以实施")
    );
    let outside = com
        .post(
            &format!("/c/wutong/votes/{id}/affected"),
            &[("dwelling", "1-1-101"), ("consent", "yes")],
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The publicity period: a resident objects, the committee answers in public.
    let r = res
        .post(
            &format!("/c/wutong/votes/{id}/objections"),
            &[("text", "一楼的采光怎么办？")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The objector is told who answers: the compound's own committee.
    let told = res.get(r.location.as_deref().expect("redirect")).await;
    assert!(
        told.has("您的异议已提交，居委会将公开答复。"),
        "{}",
        told.body
    );
    let p = com.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(p.has("一楼的采光怎么办？") && p.has("公开答复"));
    let oid: String = s
        .sql()
        .query_row(
            "SELECT id FROM vote_objections WHERE vote_id = ?1",
            [&id],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        .to_string();
    let early = com.post(&format!("/c/wutong/votes/{id}/final"), &[]).await;
    assert_eq!(
        early.status,
        StatusCode::CONFLICT,
        "not final during the publicity period"
    );
    let r = com
        .post(
            &format!("/c/wutong/votes/{id}/objections/{oid}/answer"),
            &[("text", "已做采光测算，影响很小。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let p = res.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(p.has("已做采光测算"), "the answer is public");
    // Fifteen days later the committee makes it final.
    s.travel(
        "UPDATE votes SET closed_at = closed_at - 16 * 86400 WHERE id = ?1",
        [&id],
    );
    let late = res
        .post(
            &format!("/c/wutong/votes/{id}/objections"),
            &[("text", "太晚了")],
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::CONFLICT,
        "no objections after the period"
    );
    let r = com.post(&format!("/c/wutong/votes/{id}/final"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        res.get(&format!("/c/wutong/votes/{id}"))
            .await
            .has("这是最终结果")
    );

    // The printed notice carries the result, a QR code and the ledger hashes.
    let notice = res.get(&format!("/c/wutong/votes/{id}/notice")).await;
    assert_eq!(notice.status, StatusCode::OK);
    assert!(notice.has("表决结果公告") && notice.has("<svg") && notice.has("class=\"qr\""));
    let closed_hash: String = s
        .sql()
        .query_row(
            "SELECT hash FROM ledger WHERE kind = 'vote.closed' AND subject = ?1",
            [format!("vote:{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        notice.has(&closed_hash),
        "the notice prints the result's ledger hash"
    );
    // The tally sheet opens in Excel: one row per voter, then the totals.
    let xlsx = res
        .http
        .get(format!("{}/c/wutong/votes/{id}/tally.xlsx", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let sheet = teahouse::sheet::read(&xlsx.bytes().await.unwrap())
        .unwrap()
        .table;
    assert!(sheet.len() > voters.len(), "header, voters and totals");
    assert!(
        sheet
            .iter()
            .any(|r| r.first().map(|c| c.as_str()) == Some("结果 verdict"))
    );

    // The export recounts to the published result.
    let export = res.get(&format!("/c/wutong/votes/{id}/export.json")).await;
    let file = s.dir.path().join("vote.json");
    std::fs::write(&file, &export.body).unwrap();
    let out = cli(&["recount", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"verdict\": \"passed\""));
    // A forged result is named, exit 1.
    let forged = export
        .body
        .replacen("\"verdict\": \"passed\"", "\"verdict\": \"failed\"", 1);
    std::fs::write(&file, forged).unwrap();
    let out = cli(&["recount", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("result.verdict"));
    // A malformed file: exit 2 with a message.
    std::fs::write(&file, export.body.replacen("\"agree\"", "\"perhaps\"", 2)).unwrap();
    let out = cli(&["recount", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The ledger verifies; the JSONL download verifies offline.
    let db = s.db_path();
    let out = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let jsonl = res.get("/api/v1/c/wutong/ledger.jsonl").await;
    let entries: Vec<serde_json::Value> = jsonl
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seq_of = |kind: &str| -> usize {
        entries
            .iter()
            .find(|e| e["kind"] == kind && e["subject"] == format!("vote:{id}"))
            .and_then(|e| e["seq"].as_u64())
            .unwrap() as usize
    };
    let named: Vec<&str> = entries[before..]
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .filter(|k| !matches!(*k, "vote.consent" | "vote.elevator"))
        .collect();
    assert_eq!(
        named,
        [
            "vote.opened",
            "vote.closed",
            "vote.objection",
            "vote.answer",
            "vote.final"
        ],
        "opened, closed, objection, answer, final (and each consent recorded)"
    );
    let (closed_seq, final_seq) = (seq_of("vote.closed"), seq_of("vote.final"));
    let lf = s.dir.path().join("ledger.jsonl");
    std::fs::write(&lf, &jsonl.body).unwrap();
    assert!(
        cli(&["verify", "--ledger", lf.to_str().unwrap()])
            .status
            .success()
    );
    let last = jsonl.body.lines().nth(closed_seq - 1).unwrap().to_string();
    std::fs::write(
        &lf,
        jsonl
            .body
            .replace(&last, &last.replacen("passed", "failed", 1)),
    )
    .unwrap();
    let out = cli(&["verify", "--ledger", lf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("BROKEN at entry {closed_seq}"))
    );

    // Tampering with a ballot row directly in SQLite is caught.
    s.tamper(
        "UPDATE ballots SET choice = 'disagree' WHERE vote_id = ?1 AND voter = ?2",
        rusqlite::params![id, mine],
    );
    let out = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        // The closing entry's hash of the count file, then the latest entry
        // that anchored the vote (its ballots' hash).
        text.contains(&format!("wutong: BROKEN at entry {closed_seq}"))
            && text.contains("export_sha256")
            && text.contains(&format!("entry {final_seq}: the vote"))
            && text.contains("ballots_sha256"),
        "{text}"
    );
    // So is rewriting an answer.
    s.tamper(
        "UPDATE ballots SET choice = 'agree' WHERE vote_id = ?1 AND voter = ?2",
        rusqlite::params![id, mine],
    );
    assert!(
        cli(&["verify", "--db", db.to_str().unwrap()])
            .status
            .success(),
        "restored"
    );
    s.tamper("UPDATE vote_objections SET answer = '没有影响'", []);
    let out = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("answer"));
    // And the ledger itself refuses edits.
    assert!(
        s.sql()
            .execute("UPDATE ledger SET payload = '{}' WHERE seq = 1", [])
            .is_err()
    );
    s.stop().await;
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// A secret village vote with `n` paper ballots ("agree"), still open.
async fn open_secret_vote(
    s: &Server,
    com: &mut Client,
    n: usize,
) -> (String, Vec<(String, String)>) {
    let id = open_vote(
        com,
        "xingfu",
        &[
            ("title", "村道硬化方案"),
            ("scope", "community"),
            ("rule", "villagers_meeting"),
            ("secret", "1"),
        ],
    )
    .await;
    let voters: Vec<(String, String)> = s
        .sql()
        .prepare(
            "SELECT voter, label FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter LIMIT ?2",
        )
        .unwrap()
        .query_map(rusqlite::params![&id, n as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    for (v, _) in &voters {
        let r = com
            .post(
                &format!("/c/xingfu/votes/{id}/paper"),
                &[("voter", v), ("choice", "agree")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    (id, voters)
}

#[tokio::test]
async fn secret_votes_never_show_a_choice_next_to_a_name() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let (id, voters) = open_secret_vote(&s, &mut com, 300).await;
    let mut anon = s.client();
    let mut sup = s.client();
    sup.login("cunjian", "demo-supervisor-2026").await;

    // While it is open nobody gets a choice, a count or a receipt list.
    for c in [&mut anon, &mut com, &mut sup] {
        for f in ["export.json", "export.json?full=1", "tally.xlsx"] {
            let r = c.get(&format!("/c/xingfu/votes/{id}/{f}")).await;
            assert!(
                matches!(r.status, StatusCode::CONFLICT | StatusCode::FORBIDDEN),
                "{f} while open: {}",
                r.status
            );
            assert!(!r.has("agree"), "{f} while open shows no choice");
        }
    }
    let page = anon.get(&format!("/c/xingfu/votes/{id}")).await;
    assert!(!page.has("已收到"), "no running count for the public");
    let desk = com.get(&format!("/c/xingfu/votes/{id}")).await;
    assert!(desk.has("已收到"), "the committee sees participation");
    assert!(!desk.has("h-result"), "but no count");

    // Secret ballots keep their day only, even in the database.
    let times: Vec<i64> = s
        .sql()
        .prepare("SELECT DISTINCT cast_at FROM ballots WHERE vote_id = ?1")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert!(
        times.len() <= 2,
        "one day (or two around midnight): {times:?}"
    );
    for t in &times {
        assert_eq!(t.rem_euclid(86_400), 16 * 3600, "midnight in Asia/Shanghai");
    }

    s.travel(
        "UPDATE votes SET closes_at = strftime('%s','now') - 1 WHERE id = ?1",
        [&id],
    );
    let r = com.post(&format!("/c/xingfu/votes/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = anon.get(&format!("/c/xingfu/votes/{id}")).await;
    assert!(
        page.has("结果：通过"),
        "300 of the adults agree: more than half"
    );
    let receipts: Vec<String> = s
        .sql()
        .prepare("SELECT receipt FROM ballots WHERE vote_id = ?1 ORDER BY receipt")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert!(
        page.has(&receipts[0]),
        "the page lists the receipts counted"
    );
    assert!(
        page.has("纸质选票由村委会录入：王主任 300 张"),
        "who entered how many"
    );
    let pseudonyms: Vec<String> = s
        .sql()
        .prepare("SELECT pseudonym FROM vote_electorate WHERE vote_id = ?1")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();

    // Everyone: the totals and the sorted receipts, nothing per voter.
    let export = anon.get(&format!("/c/xingfu/votes/{id}/export.json")).await;
    assert_eq!(export.status, StatusCode::OK);
    let totals: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(totals["format"], "teahouse.vote-totals/1");
    assert!(totals.get("electorate").is_none() && totals.get("ballots").is_none());
    let listed: Vec<String> = serde_json::from_value(totals["receipts"].clone()).unwrap();
    assert_eq!(listed, receipts, "every receipt, sorted");
    for (v, label) in voters.iter().take(50) {
        assert!(!page.has(label), "no name on the public page");
        assert!(!export.has(&format!("\"{v}\"")), "no voter id");
    }
    for p in pseudonyms.iter().take(50) {
        assert!(!page.has(p) && !export.has(p), "no pseudonym in public");
    }
    let xlsx = anon
        .http
        .get(format!("{}/c/xingfu/votes/{id}/tally.xlsx", s.base))
        .send()
        .await
        .unwrap();
    let sheet = teahouse::sheet::read(&xlsx.bytes().await.unwrap())
        .unwrap()
        .table;
    for (_, label) in voters.iter().take(50) {
        assert!(
            !sheet.iter().flatten().any(|c| c == label),
            "no names in a secret vote's public tally sheet"
        );
    }
    assert!(!sheet.iter().flatten().any(|c| pseudonyms.contains(c)));
    // The totals re-check with recount; a forged verdict does not.
    let f = s.dir.path().join("secret.json");
    std::fs::write(&f, &export.body).unwrap();
    let out = cli(&["recount", f.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut forged = totals.clone();
    forged["result"]["verdict"] = "failed".into();
    std::fs::write(&f, serde_json::to_string(&forged).unwrap()).unwrap();
    assert_eq!(
        cli(&["recount", f.to_str().unwrap()]).status.code(),
        Some(1)
    );

    // Only the supervision committee gets the per-voter file: pseudonyms,
    // the channel, no time, no receipt; its SHA-256 is the one in the ledger.
    assert_eq!(
        anon.get(&format!("/c/xingfu/votes/{id}/export.json?full=1"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        com.get(&format!("/c/xingfu/votes/{id}/export.json?full=1"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let full = sup
        .get(&format!("/c/xingfu/votes/{id}/export.json?full=1"))
        .await;
    assert_eq!(full.status, StatusCode::OK);
    let fv: serde_json::Value = serde_json::from_str(&full.body).unwrap();
    assert_eq!(fv["ballots"].as_array().unwrap().len(), 300);
    for b in fv["ballots"].as_array().unwrap() {
        assert!(pseudonyms.iter().any(|p| p == b["voter"].as_str().unwrap()));
        assert!(b.get("cast_at").is_none(), "no time, not even the day");
        assert!(b.get("receipt").is_none(), "no receipt next to a choice");
        assert_eq!(b["channel"], "paper");
    }
    let order: Vec<&str> = fv["ballots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["voter"].as_str().unwrap())
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "sorted by pseudonym, not by time");
    for (v, _) in voters.iter().take(50) {
        assert!(!full.has(&format!("\"{v}\"")), "no voter id");
    }
    for r in receipts.iter().take(50) {
        assert!(!full.has(r), "no receipt next to a choice");
    }
    let hash = sha256_hex(full.body.as_bytes());
    assert_eq!(totals["export_sha256"], hash.as_str());
    let ledger_hash: String = s
        .sql()
        .query_row(
            "SELECT json_extract(payload, '$.export_sha256') FROM ledger
             WHERE kind = 'vote.closed' AND subject = 'vote:' || ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ledger_hash, hash);
    let f = s.dir.path().join("full.json");
    std::fs::write(&f, &full.body).unwrap();
    assert!(cli(&["recount", f.to_str().unwrap()]).status.success());

    // The audit log records that ballots were entered, never which or whose.
    for who in [&mut com, &mut sup] {
        let log = who.get("/c/xingfu/audit?action=vote.paper").await;
        assert!(log.has("vote.paper"), "{}", log.body);
        assert!(!log.has("agree"));
        for (v, _) in voters.iter().take(50) {
            assert!(!log.has(&format!(">{v}<")), "no voter in the audit");
        }
        for r in receipts.iter().take(50) {
            assert!(!log.has(r), "no receipt in the audit");
        }
    }
    let details: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'vote.paper' AND detail != 'paper'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(details, 0, "a secret paper ballot's audit names nobody");
    assert!(
        cli(&["verify", "--db", s.db_path().to_str().unwrap()])
            .status
            .success()
    );
    s.stop().await;
}

/// Ballot changes racing an early close: each is either counted (and
/// acknowledged) or refused with 409, and the ledger stays whole.
#[tokio::test]
async fn ballots_racing_an_early_close_are_counted_or_refused() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let id = open_vote(
        &mut com,
        "xingfu",
        &[
            ("title", "村口路灯"),
            ("scope", "community"),
            ("rule", "villagers_meeting"),
        ],
    )
    .await;
    let voters: Vec<String> = s
        .sql()
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert!(voters.len() >= 200, "{} voters", voters.len());
    // Everyone votes, so the committee may close before the closing time.
    for v in &voters {
        let r = com
            .post(
                &format!("/c/xingfu/votes/{id}/paper"),
                &[("voter", v), ("choice", "agree")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    com.get(&format!("/c/xingfu/votes/{id}")).await;
    // Then every voter's ballot is changed at once, with the close among them.
    let fork = |c: &Client| Client {
        http: c.http.clone(),
        base: c.base.clone(),
        csrf: c.csrf.clone(),
    };
    let mut tasks = Vec::new();
    let half = voters.len() / 2;
    let mut close = None;
    for (i, v) in voters.iter().enumerate() {
        if i == half {
            let mut c = fork(&com);
            let path = format!("/c/xingfu/votes/{id}/close");
            close = Some(tokio::spawn(async move { c.post(&path, &[]).await }));
        }
        let mut c = fork(&com);
        let (path, v) = (format!("/c/xingfu/votes/{id}/paper"), v.clone());
        tasks.push(tokio::spawn(async move {
            let r = c
                .post(&path, &[("voter", &v), ("choice", "disagree")])
                .await;
            (v, r)
        }));
    }
    let closed = close.unwrap().await.unwrap();
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let mut acked = std::collections::HashSet::new();
    let mut refused = 0;
    for t in tasks {
        let (v, r) = t.await.unwrap();
        match r.status {
            StatusCode::SEE_OTHER => {
                acked.insert(v);
            }
            StatusCode::CONFLICT => {
                assert!(r.has("表决已结束"), "{}", r.body);
                refused += 1;
            }
            other => panic!("ballot for {v}: {other} {}", r.body),
        }
    }
    eprintln!(
        "{} changes counted, {refused} refused after the close",
        acked.len()
    );
    // Every acknowledged change is in the result, and nothing else changed.
    let export = com.get(&format!("/c/xingfu/votes/{id}/export.json")).await;
    let e: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    let ballots = e["ballots"].as_array().unwrap();
    assert_eq!(ballots.len(), voters.len());
    for b in ballots {
        let want = if acked.contains(b["voter"].as_str().unwrap()) {
            "disagree"
        } else {
            "agree"
        };
        assert_eq!(b["choice"], want, "{b}");
    }
    assert_eq!(
        e["result"]["disagree"]["heads"].as_i64().unwrap(),
        acked.len() as i64
    );
    let f = s.dir.path().join("race.json");
    std::fs::write(&f, &export.body).unwrap();
    assert!(cli(&["recount", f.to_str().unwrap()]).status.success());
    let out = cli(&["verify", "--db", s.db_path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let ledger = com.get("/c/xingfu/ledger").await;
    assert!(!ledger.has("BROKEN") && !ledger.has("被改动过"));
    s.stop().await;
}

#[tokio::test]
async fn a_proxy_votes_until_the_principal_votes_themselves() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    com.get("/c/xingfu/votes/new").await;
    let r = com
        .post(
            "/c/xingfu/votes",
            &[
                ("title", "祠堂修缮"),
                ("scope", "community"),
                ("rule", "villagers_meeting"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    let path = r.location.unwrap();
    com.post(&format!("{path}/open"), &[("confirm", "1")]).await;
    let id: String = path.rsplit('/').next().unwrap().into();
    // Two villagers with accounts: the principal (working in the city) and the proxy.
    let (principal_id, _) = resident_without_account(&s, "xingfu", 0);
    let (proxy_id, proxy_name) = resident_without_account(&s, "xingfu", 1);
    let proxy_key: String = s
        .sql()
        .query_row("SELECT key FROM residents WHERE id = ?1", [proxy_id], |r| {
            r.get(0)
        })
        .unwrap();
    let mut principal = s.client();
    let code = issue_code(&mut com, "xingfu", principal_id).await;
    principal
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "principal"),
                ("password", "principal-pw"),
                ("password2", "principal-pw"),
            ],
        )
        .await;
    let mut proxy = s.client();
    let code = issue_code(&mut com, "xingfu", proxy_id).await;
    proxy
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "proxy"),
                ("password", "proxy-pwd1"),
                ("password2", "proxy-pwd1"),
            ],
        )
        .await;
    let voter = format!("r-{principal_id}");

    // Without an authorization the proxy cannot vote for the principal.
    proxy.get(&path).await;
    let r = proxy
        .post(
            &format!("{path}/proxy-ballot"),
            &[("voter", &voter), ("choice", "agree")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The committee records the written authorization.
    com.get(&path).await;
    let bad = com
        .post(
            &format!("{path}/proxies"),
            &[
                ("voter", &voter),
                ("proxy", "NOPE"),
                ("authorization", "委托书 001"),
                ("expires", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = com
        .post(
            &format!("{path}/proxies"),
            &[
                ("voter", &voter),
                ("proxy", &proxy_key),
                ("authorization", "委托书 001"),
                ("expires", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(com.get(&path).await.has(&proxy_name));
    let page = proxy.get(&path).await;
    assert!(page.has("受托代"), "the proxy sees whom they may vote for");
    let r = proxy
        .post(
            &format!("{path}/proxy-ballot"),
            &[("voter", &voter), ("choice", "agree")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let channel: String = s
        .sql()
        .query_row("SELECT CASE WHEN by_proxy IS NULL THEN channel ELSE 'proxy' END FROM ballots WHERE vote_id = ?1 AND voter = ?2", rusqlite::params![id, voter], |r| r.get(0))
        .unwrap();
    assert_eq!(channel, "proxy", "marked as cast by proxy");
    // The principal's own ballot overrides it, and the proxy cannot undo that.
    principal.get(&path).await;
    let r = principal
        .post(&format!("{path}/ballot"), &[("choice", "disagree")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (choice, by_proxy): (String, Option<i64>) = s
        .sql()
        .query_row(
            "SELECT choice, by_proxy FROM ballots WHERE vote_id = ?1 AND voter = ?2",
            rusqlite::params![id, voter],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((choice.as_str(), by_proxy), ("disagree", None));
    let r = proxy
        .post(
            &format!("{path}/proxy-ballot"),
            &[("voter", &voter), ("choice", "agree")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("以本人的选票为准"));
    s.stop().await;
}

#[tokio::test]
async fn a_multiple_choice_vote_with_a_plan_attached() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let unit = unit_3_2(&s);
    let scope = format!("unit:{unit}");
    let scope = scope.as_str();
    let form = |rule: &'static str, options: &'static str, max: &'static str| {
        vec![
            ("title", "楼道改造先做哪两项"),
            ("scope", scope),
            ("rule", rule),
            ("kind", "choice"),
            ("options", options),
            ("max_choices", max),
            ("opens", "2026-01-01"),
            ("closes", "2099-12-31"),
        ]
    };
    // A statutory rule votes agree/disagree/abstain only; options need two lines.
    let bad = com
        .post(
            "/c/wutong/votes",
            &form("civil_code_278_ordinary", "只有一项", "1"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("法定规则的表决只能是同意/不同意/弃权") && bad.has("请写 2 到 20 个选项"));
    let bad = com
        .post("/c/wutong/votes", &form("custom", "修车棚\n装路灯", "3"))
        .await;
    assert!(bad.has("最多可选项数应在 1 到 2 之间"), "{}", bad.body);

    let r = com
        .post(
            "/c/wutong/votes",
            &form("custom", "修车棚\n装路灯\n粉刷楼道", "2"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = vote_id(r.location.as_deref().unwrap());
    let base = format!("/c/wutong/votes/{id}");

    // Attachments: a PNG is taken, a program is refused by name, nothing written.
    let png = b"\x89PNG\r\n\x1a\n-pretend-image".to_vec();
    let r = com
        .post_file(&format!("{base}/files"), "方案图.png", png.clone())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = com
        .post_file(&format!("{base}/files"), "setup.exe", b"MZ\x90\0".to_vec())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("setup.exe") && r.has("不是 PDF 或图片"));
    let files: Vec<i64> = s
        .sql()
        .prepare("SELECT id FROM attachments WHERE owner = ?1")
        .unwrap()
        .query_map([format!("vote:{id}")], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(files.len(), 1);
    let file = format!("/c/wutong/files/{}", files[0]);
    let page = com.get(&base).await;
    assert!(page.has("方案图.png") && page.has(&file));
    // A draft's files are for staff only.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    assert_eq!(res.get(&file).await.status, StatusCode::NOT_FOUND);

    assert_eq!(
        com.post(&format!("{base}/open"), &[("confirm", "1")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // Once open the files are public and frozen.
    let got = res.get(&file).await;
    assert_eq!(got.status, StatusCode::OK);
    let r = com
        .post_file(&format!("{base}/files"), "晚到的.png", png)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("附件不能再改动"));

    // Casting: up to two options; three is refused with the reason.
    res.get(&base).await;
    let r = res
        .post(
            &format!("{base}/ballot"),
            &[("choice", "A"), ("choice", "B"), ("choice", "C")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("最多只能选 2 项"));
    let r = res
        .post(
            &format!("{base}/ballot"),
            &[("choice", "C"), ("choice", "A")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = res.get(&base).await;
    assert!(
        p.has("A 修车棚；C 粉刷楼道"),
        "the ballot reads back in words"
    );

    // Paper ballots for everyone else: B twice as often as C.
    let voters: Vec<String> = s
        .sql()
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 AND voter NOT IN (SELECT voter FROM ballots WHERE vote_id = ?1) ORDER BY voter")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    for (i, v) in voters.iter().enumerate() {
        let picks: Vec<(&str, &str)> = match i % 3 {
            0 => vec![("choice", "B")],
            1 => vec![("choice", "B"), ("choice", "A")],
            _ => vec![("choice", "abstain")],
        };
        let mut f = picks;
        f.push(("voter", v));
        let r = com.post(&format!("{base}/paper"), &f).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = com.post(&format!("{base}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = res.get(&base).await;
    assert!(
        page.has("结果：通过") && page.has("各方案得票"),
        "{}",
        page.body
    );
    let result: String = s
        .sql()
        .query_row("SELECT result FROM votes WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    let result: serde_json::Value = serde_json::from_str(&result).unwrap();
    let adopted: Vec<&str> = result["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["adopted"] == true)
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(adopted.len(), 2);
    assert!(adopted.contains(&"B"));

    // The export recounts offline; the notice and tally sheet render.
    let export = res.get(&format!("{base}/export.json")).await;
    let parsed: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(parsed["vote"]["max_choices"], 2);
    assert_eq!(
        parsed["vote"]["options"],
        serde_json::json!(["A", "B", "C"])
    );
    assert_eq!(parsed["vote"]["option_labels"][2], "粉刷楼道");
    let f = s.dir.path().join("choice.json");
    std::fs::write(&f, &export.body).unwrap();
    let out = cli(&["recount", f.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(res.get(&format!("{base}/notice")).await.has("粉刷楼道"));
    assert_eq!(
        res.get(&format!("{base}/tally.xlsx")).await.status,
        StatusCode::OK
    );

    // Swapping the plan image in SQLite is caught by verify.
    let db = s.db_path();
    assert!(
        cli(&["verify", "--db", db.to_str().unwrap()])
            .status
            .success()
    );
    s.tamper(
        "UPDATE attachments SET data = X'89504E470D0A1A0A00' WHERE id = ?1",
        [files[0]],
    );
    let out = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("attachments"));
    s.stop().await;
}

/// The developer's unsold flats vote as one owner with a unique area: a
/// secret owners' vote publishes no area of any single voter.
#[tokio::test]
async fn a_unique_area_does_not_name_its_owner_in_a_secret_vote() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let id = open_vote(
        &mut com,
        "wutong",
        &[
            ("title", "小区停车收费标准"),
            ("scope", "community"),
            ("rule", "civil_code_278_ordinary"),
            ("secret", "1"),
        ],
    )
    .await;
    let (dev, dev_area): (String, i64) = s
        .sql()
        .query_row(
            "SELECT voter, area_centi FROM vote_electorate WHERE vote_id = ?1 AND label LIKE '%开发商%'",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let shown = format!("{}.{:02}", dev_area / 100, dev_area % 100);
    let others: Vec<String> = s
        .sql()
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 AND voter != ?2 LIMIT 5")
        .unwrap()
        .query_map([&id, &dev], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    let choices = ["agree", "agree", "agree", "disagree", "disagree"];
    for (v, c) in std::iter::once((&dev, "agree")).chain(others.iter().zip(choices)) {
        let r = com
            .post(
                &format!("/c/wutong/votes/{id}/paper"),
                &[("voter", v), ("choice", c)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    s.travel(
        "UPDATE votes SET closes_at = strftime('%s','now') - 1 WHERE id = ?1",
        [&id],
    );
    let r = com.post(&format!("/c/wutong/votes/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut anon = s.client();
    let export = anon.get(&format!("/c/wutong/votes/{id}/export.json")).await;
    let page = anon.get(&format!("/c/wutong/votes/{id}")).await;
    let totals: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(totals["result"]["agree"]["heads"], 4);
    // The developer's area appears nowhere: only sums of several owners do.
    assert!(!export.has(&shown), "{shown} in {}", export.body);
    assert!(!page.has(&shown));
    assert!(!page.has(&dev) && !export.has(&dev));
    let xlsx = anon
        .http
        .get(format!("{}/c/wutong/votes/{id}/tally.xlsx", s.base))
        .send()
        .await
        .unwrap();
    let sheet = teahouse::sheet::read(&xlsx.bytes().await.unwrap())
        .unwrap()
        .table;
    assert!(!sheet.iter().flatten().any(|c| c == &shown));
    s.stop().await;
}

/// Only a vote the committee drafts as an elevator retrofit gets the cost
/// table, the affected owners and "may go ahead": an owners' vote of the
/// same unit on painting the hallway gets none of them.
#[tokio::test]
async fn only_an_elevator_vote_gets_the_elevator_block() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let unit = format!("unit:{}", unit_3_2(&s));
    let building: i64 = s
        .sql()
        .query_row(
            "SELECT b.id FROM buildings b JOIN communities c ON c.id = b.community_id
             WHERE c.slug = 'wutong' AND b.number = '3'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let building = format!("building:{building}");
    com.get("/c/wutong/votes/new").await;
    let form = com.get("/c/wutong/votes/new").await;
    assert!(form.has("name=\"vote_kind\"") && form.has("加装电梯"));

    // An elevator retrofit is for one unit, and an owners' rule: the form
    // comes back with what was entered and the field's error.
    let bad = draft(&mut com, &building, "civil_code_278_special", "elevator").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("加装电梯表决只能按单元进行"), "{}", bad.body);
    assert!(bad.has("f-vote_kind") && bad.has("value=\"3栋加装电梯\""));
    let bad = draft(&mut com, &unit, "simple_majority", "elevator").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("加装电梯须由业主表决"), "{}", bad.body);
    let bad = draft(&mut com, &unit, "civil_code_278_special", "lift").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("请选择表决类型"), "{}", bad.body);
    com.post("/prefs", &[("lang", "en"), ("next", "/")]).await;
    let bad = draft(&mut com, &building, "civil_code_278_special", "elevator").await;
    assert!(
        bad.has("an elevator retrofit is voted on by one unit"),
        "{}",
        bad.body
    );
    com.post("/prefs", &[("lang", "zh"), ("next", "/")]).await;

    // The same unit's owners vote on painting the hallway: a general vote.
    let id = open_vote(
        &mut com,
        "wutong",
        &[
            ("title", "3栋2单元楼道粉刷"),
            ("scope", &unit),
            ("rule", "civil_code_278_ordinary"),
        ],
    )
    .await;
    let kind: String = s
        .sql()
        .query_row("SELECT kind FROM votes WHERE id = ?1", [&id], |r| r.get(0))
        .unwrap();
    assert_eq!(
        kind, "general",
        "a vote is general unless the committee chooses"
    );
    let p = com.get(&format!("/c/wutong/votes/{id}")).await;
    assert!(p.status.is_success());
    assert!(
        !p.has("h-elevator") && !p.has("户业主") && !p.has("分摊"),
        "{}",
        p.body
    );
    // No cost table can be attached to it, nor affected owners.
    let r = com
        .post(
            &format!("/c/wutong/votes/{id}/elevator"),
            &[
                ("total", "1000"),
                ("coefficients", "1:0, 2:1, 3:1, 4:1, 5:1, 6:1, 7:1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("分摊表只用于加装电梯表决"), "{}", r.body);

    // Closed and passed, it never says "may go ahead".
    let voters: Vec<String> = s
        .sql()
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    for v in &voters {
        let r = com
            .post(
                &format!("/c/wutong/votes/{id}/paper"),
                &[("voter", v.as_str()), ("choice", "agree")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = com.post(&format!("/c/wutong/votes/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = s.client().get(&format!("/c/wutong/votes/{id}")).await;
    assert!(p.has("结果：通过"), "{}", p.body);
    assert!(!p.has("可以实施") && !p.has("h-elevator"));

    // The demo's retrofits are elevator votes, and show their block.
    let demo: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM votes WHERE title = '3栋2单元加装电梯' AND kind = 'elevator'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let p = s.client().get(&format!("/c/wutong/votes/{demo}")).await;
    assert!(p.has("h-elevator") && p.has("可以实施") && p.has("受影响的房屋"));
    assert!(teahouse_verify(&s), "verify holds with the new column");
    s.stop().await;
}

/// Posts a new-vote draft titled 3栋加装电梯.
async fn draft(com: &mut Client, scope: &str, rule: &str, kind: &str) -> Resp {
    com.post(
        "/c/wutong/votes",
        &[
            ("title", "3栋加装电梯"),
            ("scope", scope),
            ("rule", rule),
            ("vote_kind", kind),
            ("opens", "2026-01-01"),
            ("closes", "2099-12-31"),
        ],
    )
    .await
}

fn teahouse_verify(s: &Server) -> bool {
    cli(&["verify", "--db", s.db_path().to_str().unwrap()])
        .status
        .success()
}

/// The rule is a list of radios, each name in full (a select cut them off on
/// a phone); a rule's own bounds sit in the fieldset the style sheet shows
/// only for a custom or simple-majority rule, and a refused form keeps the
/// rule ticked.
#[tokio::test]
async fn the_rule_choice_shows_every_label_and_its_bounds_only_for_custom_rules() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = com.get("/c/wutong/votes/new").await;
    assert!(!page.has("<select id=\"f-rule\""), "{}", page.body);
    for rule in ["civil_code_278_special", "simple_majority", "custom"] {
        assert!(
            page.has(&format!(
                "id=\"f-rule-{rule}\" type=\"radio\" name=\"rule\" value=\"{rule}\""
            )),
            "{rule}"
        );
    }
    assert!(page.has("业主共同决定·特别事项（民法典第278条，如加装电梯）"));
    assert!(page.has("fieldset class=\"custom-bounds\""));
    let at = page.body.find("/static/app").expect("the style sheet");
    let href = page.body[at..].split('"').next().unwrap().to_string();
    let css = com.get(&href).await;
    assert!(
        css.has("#f-rule-custom:checked") && css.has(".custom-bounds { display: none; }"),
        "{href}"
    );
    // A refused custom rule (no agreeing share) comes back with it ticked.
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "楼道粉刷"),
                ("scope", "community"),
                ("rule", "custom"),
                ("kind", "decision"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("自定义规则需要同意比例"));
    assert!(r.has("id=\"f-rule-custom\" type=\"radio\" name=\"rule\" value=\"custom\" checked"));
}
