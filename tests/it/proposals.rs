//! Proposals from draft to rating, and a micro-venture round from ideas to
//! funded projects, over HTTP with the real server.

use crate::common::*;
use reqwest::StatusCode;

/// A new resident account in wutong (the `skip`-th resident without one).
async fn new_resident(s: &Server, staff: &mut Client, skip: usize, login: &str) -> Client {
    let (rid, _) = resident_without_account(s, "wutong", skip);
    let code = issue_code(staff, "wutong", rid).await;
    let mut c = s.client();
    c.get("/activate").await;
    let r = pf(
        &mut c,
        "/activate",
        &[
            ("code", &code),
            ("login", login),
            ("password", "long-password-1"),
            ("password2", "long-password-1"),
        ],
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    c.login(login, "long-password-1").await;
    c
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-pretend-photo";

/// Follows a 303 to the page it names, keeping where it went.
async fn follow(c: &mut Client, r: Resp) -> Resp {
    match r.location.clone() {
        Some(loc) if r.status.is_redirection() => {
            let mut page = c.get(&loc).await;
            page.location = Some(loc);
            page
        }
        _ => r,
    }
}

async fn pf(c: &mut Client, path: &str, form: &[(&str, &str)]) -> Resp {
    let r = c.post(path, form).await;
    follow(c, r).await
}

async fn pm(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, Vec<u8>)>,
) -> Resp {
    let r = c.post_multipart(path, fields, file).await;
    follow(c, r).await
}

/// Follows an import's progress page until it is done; the round's id.
async fn imported_round(c: &mut Client, progress: &str) -> i64 {
    for _ in 0..600 {
        let p = c.get(progress).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(!p.has("flash error"), "the import failed: {}", p.body);
        if let Some(end) = p.body.find("\">查看这一轮") {
            let start = p.body[..end].rfind("/rounds/").unwrap() + "/rounds/".len();
            return p.body[start..end].parse().unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

fn id_after(url: &str, prefix: &str) -> i64 {
    url.split(prefix)
        .nth(1)
        .and_then(|s| s.split(['?', '#', '/']).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {url}"))
}

#[tokio::test]
async fn a_proposal_from_draft_to_rating() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    staff.get("/c/wutong/proposals").await;
    // The committee sets the threshold: two co-signatures.
    let r = pf(
        &mut staff,
        "/c/wutong/proposals/threshold",
        &[("threshold", "two")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("附议门槛") && !r.has("co-signing threshold"));
    pf(
        &mut staff,
        "/c/wutong/proposals/threshold",
        &[("threshold", "2")],
    )
    .await;

    let mut author = s.client();
    author.login(RESIDENT.0, RESIDENT.1).await;
    author.get("/c/wutong/proposals/new").await;
    // A missing title is named; nothing is written.
    let bad = pm(
        &mut author,
        "/c/wutong/proposals",
        &[
            ("title", ""),
            ("body", "x"),
            ("category", "facilities"),
            ("place", "community"),
        ],
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("请写标题") && !bad.has("Please write a title"));
    let r = pm(
        &mut author,
        "/c/wutong/proposals",
        &[
            ("title", "3栋楼道灯不亮"),
            ("body", "晚上楼道太黑，老人上下楼不安全。"),
            ("category", "facilities"),
            ("place", "community"),
        ],
        Some(("file", "stairs.png", PNG.to_vec())),
    )
    .await;
    assert!(r.has("草稿已保存"), "{}", r.body);
    let pid = id_after(r.location.as_deref().unwrap_or_default(), "/proposals/");
    // A draft is the author's own, photos included.
    let anon = s.client().get(&format!("/c/wutong/proposals/{pid}")).await;
    assert_eq!(anon.status, StatusCode::NOT_FOUND);
    let photo: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM attachments WHERE owner = ?1",
            [format!("proposal:{pid}")],
            |r| r.get(0),
        )
        .unwrap();
    let draft = author.get(&format!("/c/wutong/proposals/{pid}")).await;
    assert!(
        draft.has(&format!("/c/wutong/files/{photo}")),
        "{}",
        draft.body
    );
    let own = author.get(&format!("/c/wutong/files/{photo}")).await;
    assert_eq!(
        own.status,
        StatusCode::OK,
        "the author sees their draft's photo"
    );
    let outsider = s.client().get(&format!("/c/wutong/files/{photo}")).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    let r = pf(
        &mut author,
        &format!("/c/wutong/proposals/{pid}/publish"),
        &[],
    )
    .await;
    assert!(r.has("已公开") && r.has("0</strong> / 2"), "{}", r.body);
    // The similar-proposals hint finds it while someone else types.
    let hint = s
        .client()
        .get("/c/wutong/proposals/similar?title=%E6%A5%BC%E9%81%93%E7%81%AF%E5%9D%8F%E4%BA%86")
        .await;
    assert!(
        hint.has(&format!("/c/wutong/proposals/{pid}")),
        "{}",
        hint.body
    );

    // The author cannot co-sign; a neighbour can, once.
    let r = pf(
        &mut author,
        &format!("/c/wutong/proposals/{pid}/cosign"),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let mut n1 = new_resident(&s, &mut staff, 0, "linju1").await;
    let r = pf(&mut n1, &format!("/c/wutong/proposals/{pid}/cosign"), &[]).await;
    assert!(r.has("已附议"), "{}", r.body);
    let again = pf(&mut n1, &format!("/c/wutong/proposals/{pid}/cosign"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.has("你已附议过") && !again.has("already co-signed"));
    let mut n2 = new_resident(&s, &mut staff, 0, "linju2").await;
    let r = pf(&mut n2, &format!("/c/wutong/proposals/{pid}/cosign"), &[]).await;
    assert!(r.has("附议人数已满"), "{}", r.body);
    let queue = staff.get("/c/wutong/proposals").await;
    assert!(queue.has(&format!("/c/wutong/proposals/{pid}")));

    // Comments with a reply.
    pf(
        &mut n1,
        &format!("/c/wutong/proposals/{pid}/comments"),
        &[("body", "2单元也一样")],
    )
    .await;
    let cid: i64 = s
        .sql()
        .query_row("SELECT max(id) FROM proposal_comments", [], |r| r.get(0))
        .unwrap();
    let r = pf(
        &mut author,
        &format!("/c/wutong/proposals/{pid}/comments"),
        &[("body", "谢谢补充"), ("parent", &cid.to_string())],
    )
    .await;
    assert!(r.has("谢谢补充") && r.has("2单元也一样"));

    // Wrong roles are refused: a resident cannot decide.
    let r = pf(
        &mut n1,
        &format!("/c/wutong/proposals/{pid}/decide"),
        &[("decision", "decline"), ("reason", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A decline needs a reason.
    let r = pf(
        &mut staff,
        &format!("/c/wutong/proposals/{pid}/decide"),
        &[("decision", "decline"), ("reason", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Dispatch to a volunteer who accepts on their own account (n2).
    let r = pf(
        &mut staff,
        &format!("/c/wutong/proposals/{pid}/decide"),
        &[
            ("decision", "dispatch"),
            ("assignee_kind", "volunteer"),
            ("assignee_name", "志愿者小周"),
            ("assignee_login", "linju2"),
            ("reason", "先换灯泡"),
        ],
    )
    .await;
    assert!(r.has("志愿者小周") && r.has("已派单"), "{}", r.body);
    // Someone else cannot accept it.
    let r = pf(
        &mut n1,
        &format!("/c/wutong/proposals/{pid}/assignment"),
        &[("answer", "accept")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = pf(
        &mut n2,
        &format!("/c/wutong/proposals/{pid}/assignment"),
        &[("answer", "accept")],
    )
    .await;
    assert!(r.has("已接单"), "{}", r.body);
    let r = pm(
        &mut n2,
        &format!("/c/wutong/proposals/{pid}/progress"),
        &[("note", "买好了灯泡")],
        None,
    )
    .await;
    assert!(r.has("买好了灯泡"));
    let r = pm(
        &mut n2,
        &format!("/c/wutong/proposals/{pid}/progress"),
        &[("note", "3栋1-6层楼道灯全部换好"), ("complete", "1")],
        Some(("file", "done.png", PNG.to_vec())),
    )
    .await;
    assert!(
        r.has("已办结") && r.has("3栋1-6层楼道灯全部换好"),
        "{}",
        r.body
    );

    // Co-signers are told on their account page.
    let acc = n1.get("/account").await;
    assert!(
        acc.has("3栋楼道灯不亮") && acc.has("已办结"),
        "{}",
        acc.body
    );

    // Rating: 0–100, by residents of the place.
    let r = pf(
        &mut n1,
        &format!("/c/wutong/proposals/{pid}/rate"),
        &[("score", "101")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    pf(
        &mut n1,
        &format!("/c/wutong/proposals/{pid}/rate"),
        &[("score", "90"), ("comment", "很及时")],
    )
    .await;
    let r = pf(
        &mut author,
        &format!("/c/wutong/proposals/{pid}/rate"),
        &[("score", "71")],
    )
    .await;
    assert!(r.has("80.50"), "{}", r.body);
    let table = staff.get("/c/wutong/proposals/ratings").await;
    assert!(
        table.has("志愿者小周") && table.has("80.50"),
        "{}",
        table.body
    );
    assert_eq!(
        n1.get("/c/wutong/proposals/ratings").await.status,
        StatusCode::FORBIDDEN
    );

    // Open data, and the ledger still verifies.
    let api = s.client().get("/api/v1/c/wutong/proposals").await;
    assert!(api.has("志愿者小周") && api.has("\"completed\""));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db"])
        .arg(s.db_path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    s.stop().await;
}

#[tokio::test]
async fn a_round_from_ideas_to_funded_projects() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    staff.get("/c/wutong/rounds").await;
    let bad = pf(
        &mut staff,
        "/c/wutong/rounds",
        &[
            ("title", "金点子"),
            ("budget", "30000"),
            ("min_cost", "5000"),
            ("max_cost", "50000"),
            ("place", "community"),
            ("rule", "mes"),
            ("collect_until", "2026-12-01"),
            ("review_until", "2026-12-10"),
            ("vote_until", "2026-12-20"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("不能超过总预算"));
    let r = pf(
        &mut staff,
        "/c/wutong/rounds",
        &[
            ("title", "梧桐苑金点子"),
            ("budget", "30000"),
            ("min_cost", "5000"),
            ("max_cost", "15000"),
            ("place", "community"),
            ("rule", "greedy"),
            ("max_approvals", ""),
            ("collect_until", "2026-12-01"),
            ("review_until", "2026-12-10"),
            ("vote_until", "2026-12-20"),
        ],
    )
    .await;
    let rid = id_after(r.location.as_deref().unwrap_or_default(), "/rounds/");
    let base = format!("/c/wutong/rounds/{rid}");

    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get(&base).await;
    let r = pf(
        &mut res,
        &format!("{base}/projects"),
        &[("title", "太贵的项目"), ("cost", "16000")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("不在本轮范围"), "{}", r.body);
    for (t, c) in [
        ("楼道书屋", "12000"),
        ("老年食堂桌椅", "10000"),
        ("儿童游乐角", "15000"),
        ("垃圾分类宣传", "5000"),
    ] {
        let r = pf(
            &mut res,
            &format!("{base}/projects"),
            &[("title", t), ("cost", c), ("team", "热心居民")],
        )
        .await;
        assert!(r.has("项目已提交"), "{}", r.body);
    }
    let ids: Vec<i64> = {
        let c = s.sql();
        let mut st = c
            .prepare("SELECT id FROM round_projects WHERE round_id = ?1 ORDER BY id")
            .unwrap();
        st.query_map([rid], |r| r.get(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    // Residents cannot review; voting cannot open before every project is reviewed.
    assert_eq!(
        pf(
            &mut res,
            &format!("{base}/projects/{}/review", ids[0]),
            &[("verdict", "feasible"), ("cost", "12000")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    pf(&mut staff, &format!("{base}/phase"), &[]).await;
    let r = pf(&mut staff, &format!("{base}/phase"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A cost change needs a reason; an infeasible verdict too.
    let r = pf(
        &mut staff,
        &format!("{base}/projects/{}/review", ids[1]),
        &[("verdict", "feasible"), ("cost", "8000")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    pf(
        &mut staff,
        &format!("{base}/projects/{}/review", ids[1]),
        &[
            ("verdict", "feasible"),
            ("cost", "8000"),
            ("cost_reason", "桌椅报价更低"),
        ],
    )
    .await;
    pf(
        &mut staff,
        &format!("{base}/projects/{}/review", ids[0]),
        &[("verdict", "feasible"), ("cost", "12000")],
    )
    .await;
    pf(
        &mut staff,
        &format!("{base}/projects/{}/review", ids[2]),
        &[("verdict", "feasible"), ("cost", "15000")],
    )
    .await;
    let r = pf(
        &mut staff,
        &format!("{base}/projects/{}/review", ids[3]),
        &[
            ("verdict", "infeasible"),
            ("reason", "街道已统一开展"),
            ("cost", "5000"),
        ],
    )
    .await;
    assert!(r.has("街道已统一开展"));
    pf(
        &mut staff,
        &format!("{base}/settings"),
        &[("rule", "mes"), ("max_approvals", "2")],
    )
    .await;
    let r = pf(&mut staff, &format!("{base}/phase"), &[]).await;
    assert!(r.has("平等份额法") && r.has("桌椅报价更低"), "{}", r.body);
    // The rule is fixed now.
    assert_eq!(
        pf(
            &mut staff,
            &format!("{base}/settings"),
            &[("rule", "greedy")]
        )
        .await
        .status,
        StatusCode::CONFLICT
    );

    // Ballots: the limit, one each, a project approved twice refused.
    let p = |i: usize| ids[i].to_string();
    let r = pf(
        &mut res,
        &format!("{base}/ballot"),
        &[("project", &p(0)), ("project", &p(1)), ("project", &p(2))],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = pf(
        &mut res,
        &format!("{base}/ballot"),
        &[("project", &p(0)), ("project", &p(0))],
    )
    .await;
    assert!(r.has("只能赞成一次"));
    let r = pf(&mut res, &format!("{base}/ballot"), &[("project", &p(3))]).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an infeasible project is not on the ballot"
    );
    let r = pf(
        &mut res,
        &format!("{base}/ballot"),
        &[("project", &p(0)), ("project", &p(1))],
    )
    .await;
    assert!(r.has("你的选票已记录"), "{}", r.body);
    let again = pf(&mut res, &format!("{base}/ballot"), &[("project", &p(2))]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let mut n1 = new_resident(&s, &mut staff, 0, "toupiao1").await;
    pf(&mut n1, &format!("{base}/ballot"), &[("project", &p(2))]).await;
    let mut n2 = new_resident(&s, &mut staff, 0, "toupiao2").await;
    pf(
        &mut n2,
        &format!("{base}/ballot"),
        &[("project", &p(2)), ("project", &p(1))],
    )
    .await;

    let r = pf(&mut staff, &format!("{base}/phase"), &[]).await;
    assert!(r.has("结果") && r.has("每位支持者出"), "{}", r.body);
    // MES with 3 voters and 30,000 yuan: P2 (8,000) and P3 (15,000) by the
    // rule; the export recounts to the same with pb-tally.
    let funded: Vec<String> = {
        let c = s.sql();
        let mut st = c
            .prepare(
                "SELECT code FROM round_projects WHERE round_id = ?1 AND funded = 1 ORDER BY id",
            )
            .unwrap();
        st.query_map([rid], |r| r.get(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    let pb = s.client().get(&format!("{base}/round.pb")).await;
    assert!(pb.has("PROJECTS") && pb.has("vote_type;approval"));
    // Voters are numbered in the order of what they approved, not of casting.
    let lines: Vec<&str> = pb
        .body
        .split("VOTES")
        .nth(1)
        .unwrap()
        .lines()
        .skip(2)
        .filter_map(|l| l.split_once(';').map(|(_, v)| v))
        .collect();
    assert!(!lines.is_empty());
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("round.pb");
    std::fs::write(&file, &pb.body).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .arg("pb-tally")
        .arg(&file)
        .args(["--rule", "mes"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["selected"], serde_json::json!(funded));
    assert!(!funded.is_empty());

    // Milestones with spending linked to a published disclosure.
    let fid: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM round_projects WHERE round_id = ?1 AND funded = 1 ORDER BY id LIMIT 1",
            [rid],
            |r| r.get(0),
        )
        .unwrap();
    let r = pf(
        &mut staff,
        &format!("{base}/projects/{fid}/milestones"),
        &[
            ("title", "采购"),
            ("due", "2027-01-10"),
            ("spent", "3000"),
            ("disclosure", "999999"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = pf(
        &mut staff,
        &format!("{base}/projects/{fid}/milestones"),
        &[
            ("title", "采购"),
            ("due", "2027-01-10"),
            ("spent", "3000"),
            ("done", "1"),
        ],
    )
    .await;
    assert!(r.has("3000.00") && r.has("进度已记录"), "{}", r.body);
    let api = s.client().get("/api/v1/c/wutong/rounds").await;
    assert!(api.has("梧桐苑金点子") && api.has("ballots_sha256"));

    // Tampering with a ballot is caught by verify.
    s.tamper("DELETE FROM round_approvals WHERE (ballot_id, project_id) = (SELECT ballot_id, project_id FROM round_approvals LIMIT 1)", []);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db"])
        .arg(s.db_path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    s.stop().await;
}

#[tokio::test]
async fn the_list_comes_in_pages_and_keeps_drafts_private() {
    let s = Server::start().await;
    let db = s.sql();
    // 45 more open proposals in wutong, and one draft by the committee's account.
    db.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 45)
         INSERT INTO proposals (community_id, author_id, title, body, category, place, place_label, status, needed, created_at, published_at)
         SELECT p.community_id, p.author_id, '批量提案 ' || printf('%02d', i), p.body, p.category, p.place, p.place_label, 'open', 10, p.created_at, p.created_at
         FROM n, (SELECT * FROM proposals WHERE title = '2栋单元门禁维修') p;
         INSERT INTO proposals (community_id, author_id, title, body, category, place, place_label, status, created_at)
         SELECT community_id, (SELECT id FROM accounts WHERE login = 'juwei'), '委员会的草稿', body, category, place, place_label, 'draft', created_at
         FROM proposals WHERE title = '2栋单元门禁维修';",
    )
    .unwrap();
    let visible: i64 = db
        .query_row(
            "SELECT count(*) FROM proposals p JOIN communities c ON c.id = p.community_id
             WHERE c.slug = 'wutong' AND p.status != 'draft'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut anon = s.client();
    let first = anon.get("/c/wutong/proposals").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body.matches("批量提案").count(), 30, "30 per page");
    assert!(first.body.contains("批量提案 45") && !first.body.contains("批量提案 15"));
    assert!(
        first.body.contains(&format!("共 {visible} 条")),
        "the total is shown"
    );
    assert!(
        first
            .body
            .contains("/c/wutong/proposals?status=&amp;page=1")
    );
    assert!(!first.body.contains("上一页"));
    let second = anon.get("/c/wutong/proposals?page=1").await;
    assert!(second.body.contains("批量提案 15") && second.body.contains("上一页"));
    assert!(
        !second.body.contains("批量提案 16"),
        "no overlap with page one"
    );
    let open = anon.get("/c/wutong/proposals?status=open&page=1").await;
    assert!(
        open.body.contains("status=open&amp;page=0"),
        "the filter is kept"
    );
    // Nobody but its author sees a draft, on any page.
    for page in 0..3 {
        let p = anon.get(&format!("/c/wutong/proposals?page={page}")).await;
        assert!(!p.body.contains("委员会的草稿"));
    }
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    assert!(
        com.get("/c/wutong/proposals")
            .await
            .body
            .contains("委员会的草稿"),
        "the author sees their own draft"
    );
    // A page past the end is empty, not an error.
    let far = anon.get("/c/wutong/proposals?page=99").await;
    assert_eq!(far.status, StatusCode::OK);
    let absurd = anon
        .get("/c/wutong/proposals?page=18446744073709551615")
        .await;
    assert_eq!(absurd.status, StatusCode::OK, "no overflow");
    assert!(far.body.contains("这一页没有提案") && far.body.contains("上一页"));
    s.stop().await;
}

#[tokio::test]
async fn a_proposal_referred_to_a_vote_links_to_the_vote() {
    let s = Server::start().await;
    let pid: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM proposals WHERE title = '增设电动车充电桩'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get(&format!("/c/wutong/proposals/{pid}")).await;
    let r = com
        .post(
            &format!("/c/wutong/proposals/{pid}/decide"),
            &[
                ("decision", "vote"),
                ("reason", "涉及公共车棚改造，交全体业主表决。"),
            ],
        )
        .await;
    let form_url = r.location.clone().expect("redirect to the vote form");
    assert!(form_url.contains(&format!("proposal={pid}")), "{form_url}");
    let form = com.get(&form_url).await;
    assert!(
        form.body
            .contains(&format!("name=\"proposal\" value=\"{pid}\""))
    );
    assert!(
        form.body.contains("增设电动车充电桩"),
        "the title is prefilled"
    );
    let fields = |proposal: &str| {
        vec![
            ("title", "是否在车棚增设电动车充电桩".to_string()),
            ("scope", "community".to_string()),
            ("rule", "civil_code_278_ordinary".to_string()),
            ("opens", "2026-01-01".to_string()),
            ("closes", "2099-01-01".to_string()),
            ("proposal", proposal.to_string()),
        ]
    };
    let r = post_vote(&mut com, fields(&pid.to_string())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let vote_path = r.location.unwrap();
    let vid = id_after(&vote_path, "/votes/");
    let linked: Option<i64> = s
        .sql()
        .query_row("SELECT vote_id FROM proposals WHERE id = ?1", [pid], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(linked, Some(vid));
    // The proposal page links to the vote and shows the step.
    let page = s.client().get(&format!("/c/wutong/proposals/{pid}")).await;
    assert!(
        page.body.contains(&format!("/c/wutong/votes/{vid}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("表决草稿已建立"));
    // A second vote for the same proposal is refused, and nothing is saved.
    let votes_before: i64 = s
        .sql()
        .query_row("SELECT count(*) FROM votes", [], |r| r.get(0))
        .unwrap();
    let r = post_vote(&mut com, fields(&pid.to_string())).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("已有表决"));
    let votes_after: i64 = s
        .sql()
        .query_row("SELECT count(*) FROM votes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(votes_after, votes_before, "one transaction: no orphan vote");
    // A proposal that was never referred to a vote cannot be linked either.
    let open: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM proposals WHERE title = '2栋单元门禁维修'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let r = post_vote(&mut com, fields(&open.to_string())).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = post_vote(&mut com, fields("abc")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
}

async fn post_vote(c: &mut Client, f: Vec<(&'static str, String)>) -> Resp {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post("/c/wutong/votes", &pairs).await
}

#[tokio::test]
async fn a_pabulib_file_is_imported_as_a_finished_round() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/rounds").await;
    let rounds = || -> i64 {
        s.sql()
            .query_row("SELECT count(*) FROM rounds", [], |r| r.get(0))
            .unwrap()
    };
    let before = rounds();
    // A malformed file is refused with its line, and nothing is written.
    let bad = "META\nkey;value\nbudget;1000\nPROJECTS\nproject_id;cost\n1;500\nVOTES\nvoter_id;vote\nv1;1,9\n";
    let r = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes")],
            Some(("file", "bad.pb", bad.as_bytes().to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("第 9 行") && !r.has("line 9"), "{}", r.body);
    assert_eq!(rounds(), before);
    // A resident may not import.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get("/c/wutong/rounds").await;
    let file = std::fs::read("data/pabulib/Poland_Gdansk_2020_Przymorze_Male.pb").unwrap();
    let r = res
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes")],
            Some(("file", "g.pb", file.clone())),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The real file: MES funds what pabutools 1.2.3 funds (6, 3, 2).
    let r = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes")],
            Some(("file", "g.pb", file)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let progress = r.location.unwrap();
    assert!(progress.contains("/rounds/imports/"), "{progress}");
    let id = imported_round(&mut com, &progress).await;
    let path = format!("/c/wutong/rounds/{id}");
    let funded: Vec<String> = {
        let db = s.sql();
        let mut st = db
            .prepare(
                "SELECT code FROM round_projects WHERE round_id = ?1 AND funded = 1 ORDER BY id",
            )
            .unwrap();
        st.query_map([id], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut sorted = funded.clone();
    sorted.sort();
    assert_eq!(sorted, ["2", "3", "6"], "MES as pabutools computes it");
    let page = com.get(&path).await;
    assert!(
        page.has("id=\"h-results\"") && page.has("<svg"),
        "{}",
        page.body
    );
    // The export recounts to the same outcome, and the ledger checks out.
    let pb = s
        .client()
        .get(&format!("/c/wutong/rounds/{id}/round.pb"))
        .await;
    assert_eq!(pb.status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("round.pb");
    std::fs::write(&out_file, &pb.body).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["pb-tally", "--rule", "mes"])
        .arg(&out_file)
        .output()
        .unwrap();
    let tally: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<String> = serde_json::from_value(tally["selected"].clone()).unwrap();
    got.sort();
    assert_eq!(got, sorted);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db"])
        .arg(s.db_path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    s.stop().await;
}

/// A large .pb file: 10 projects, `n` voters approving a few each.
fn big_pb(n: usize) -> String {
    let mut s = String::from(
        "META\nkey;value\ndescription;大文件\ncountry;China\nunit;test\nnum_projects;10\nbudget;100000\nvote_type;approval\nrule;equalshares/add1\nPROJECTS\nproject_id;cost;name\n",
    );
    for p in 1..=10 {
        s.push_str(&format!("{p};{};项目{p}\n", 10_000 + p * 1_000));
    }
    s.push_str("VOTES\nvoter_id;vote\n");
    for v in 0..n {
        let a = 1 + v % 10;
        let b = 1 + (v * 7 + 3) % 10;
        let c = 1 + (v * 3 + 1) % 10;
        let mut set = vec![a, b, c];
        set.sort();
        set.dedup();
        let list: Vec<String> = set.iter().map(|x| x.to_string()).collect();
        s.push_str(&format!("v{v};{}\n", list.join(",")));
    }
    s
}

/// A 100,000-voter import is written in short transactions: a resident's
/// comment sent while it writes is answered before the import finishes; the
/// round stays hidden until it is complete; the same form sent twice is one
/// import.
#[tokio::test]
async fn a_large_import_lets_other_writes_through_and_is_not_duplicated() {
    // Small chunks, so that the import writes for a while on any machine.
    let s = Server::start_with(|c| c.import_chunk = 200).await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/rounds").await;
    let key = "test-import-key-1";
    let file = big_pb(100_000).into_bytes();
    let r = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes"), ("key", key)],
            Some(("file", "big.pb", file.clone())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let progress = r.location.unwrap();
    // The same form again (a retry): the same import, not a second round.
    let again = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes"), ("key", key)],
            Some(("file", "big.pb", file)),
        )
        .await;
    assert_eq!(again.location.as_deref(), Some(progress.as_str()));
    let job: i64 = id_after(&progress, "/rounds/imports/");
    let state = |s: &Server| -> (String, i64, i64, Option<i64>) {
        s.sql()
            .query_row(
                "SELECT state, written, voters, round_id FROM round_imports WHERE id = ?1",
                [job],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
    };
    // Wait until it writes, then comment as a resident.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let pid: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM proposals WHERE status = 'open' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    res.get(&format!("/c/wutong/proposals/{pid}")).await;
    let mut tries = 0;
    while state(&s).0 == "counting" {
        tries += 1;
        assert!(tries < 6000, "still counting");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (st, _, voters, round) = state(&s);
    assert_eq!((st.as_str(), voters), ("writing", 100_000));
    let round = round.unwrap();
    let hidden = com.get(&format!("/c/wutong/rounds/{round}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "hidden while written");
    let r = res
        .post(
            &format!("/c/wutong/proposals/{pid}/comments"),
            &[("body", "导入时也能留言")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = imported_round(&mut com, &progress).await;
    assert_eq!(id, round);
    // The comment was committed while the import was being written, before
    // its last transaction (audit rows are numbered in commit order).
    let (comment_at, import_at): (i64, i64) = s
        .sql()
        .query_row(
            "SELECT (SELECT max(id) FROM audit_log WHERE action = 'proposal.comment'),
                    (SELECT max(id) FROM audit_log WHERE action = 'round.import')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        comment_at < import_at,
        "the comment did not wait for the import"
    );
    let (voters_stored, rounds_named): (i64, i64) = s
        .sql()
        .query_row(
            "SELECT (SELECT count(*) FROM round_ballots WHERE round_id = ?1),
                    (SELECT count(*) FROM rounds WHERE title LIKE '大文件%')",
            [round],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((voters_stored, rounds_named), (100_000, 1));
    let page = com.get(&format!("/c/wutong/rounds/{round}")).await;
    assert!(page.has("id=\"h-results\""));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db"])
        .arg(s.db_path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    s.stop().await;
}

/// One .pb import per community may wait or run: a second one from the same
/// community is refused (409) with a link to the first one's progress, while
/// another community's import is taken; once the first is done, the
/// community may import again. (The order across communities is tested on
/// the queue itself, in `web::import_queue`.)
#[tokio::test]
async fn one_pb_import_per_community_at_a_time() {
    let s = Server::start_with(|c| c.import_chunk = 200).await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/rounds").await;
    let first = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes"), ("key", "first-import")],
            Some(("file", "big.pb", big_pb(100_000).into_bytes())),
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let progress = first.location.unwrap();
    // While it runs (100,000 ballots written 200 at a time), a second file.
    let second = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes"), ("key", "second-import")],
            Some(("file", "small.pb", big_pb(50).into_bytes())),
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert!(
        second.has("big.pb")
            && second.has("一个社区一次只导入一个文件")
            && !second.has("one file at a time"),
        "{}",
        second.body
    );
    assert!(
        second.has(&format!("href=\"{progress}\"")),
        "links to the running import: {}",
        second.body
    );
    let refused: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM round_imports WHERE key = 'second-import'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refused, 0, "nothing recorded for the refused file");
    // Another community is not held back by this one.
    let mut village = s.client();
    village
        .login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1)
        .await;
    village.get("/c/xingfu/rounds").await;
    let other = village
        .post_multipart(
            "/c/xingfu/rounds/import",
            &[("rule", "mes"), ("key", "village-import")],
            Some(("file", "village.pb", big_pb(50).into_bytes())),
        )
        .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "{}", other.body);
    imported_round(&mut village, &other.location.unwrap()).await;
    // Done: the community may import again.
    imported_round(&mut com, &progress).await;
    let again = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes"), ("key", "second-import")],
            Some(("file", "small.pb", big_pb(50).into_bytes())),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    imported_round(&mut com, &again.location.unwrap()).await;
    s.stop().await;
}

/// What needs residents is on the board: the newest proposals open for
/// co-signing with their counts, the open round with its phase, and where
/// disclosures will be when there are none yet; a few of each, in the
/// page's language.
#[tokio::test]
async fn the_board_shows_open_proposals_and_rounds() {
    let s = Server::start().await;
    let mut anon = s.client();
    let b = anon.get("/c/wutong").await;
    assert_eq!(b.status, StatusCode::OK);
    let sec = |b: &Resp, id: &str| -> String {
        let at = b.body.find(&format!("aria-labelledby=\"h-{id}\"")).unwrap();
        let rest = &b.body[at..];
        rest[..rest.find("</section>").unwrap()].to_string()
    };
    let p = sec(&b, "proposals");
    assert!(!p.contains("还没有提案"), "{p}");
    assert!(
        p.contains("2栋单元门禁维修") && p.contains("附议 <strong>4</strong> / 10"),
        "{p}"
    );
    assert!(p.contains("正在征集附议：<strong>1</strong>"), "{p}");
    assert!(
        p.contains("href=\"/c/wutong/proposals\"") && p.contains("全部提案（9条）"),
        "{p}"
    );
    // Only proposals open for co-signing, not those further on.
    assert!(!p.contains("禁止广场舞") && !p.contains("小区门口增设快递柜"));
    let round: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM rounds WHERE title = '2027 年春季金点子'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        p.contains("2027 年春季金点子")
            && p.contains(&format!("href=\"/c/wutong/rounds/{round}\""))
    );
    assert!(
        p.contains(">投票<") && p.contains("去投票") && p.contains("本阶段截止"),
        "{p}"
    );
    assert!(
        !p.contains("2026 年梧桐苑公益创投"),
        "a round with its results is not open"
    );
    // 梧桐苑 has disclosed nothing yet: the board says where they will be.
    let d = sec(&b, "disclosures");
    assert!(
        d.contains("还没有公开事项") && d.contains("href=\"/c/wutong/disclosures\""),
        "{d}"
    );
    assert!(d.contains("查看居务公开栏目"), "{d}");

    // Five open: the three newest are shown, and the count of all five.
    s.sql()
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4)
             INSERT INTO proposals (community_id, author_id, title, body, category, place, place_label, status, needed, cosigns, created_at)
             SELECT p.community_id, p.author_id, '新提案 ' || i, p.body, p.category, p.place, p.place_label, 'open', 10, i, p.created_at
             FROM n, (SELECT * FROM proposals WHERE title = '2栋单元门禁维修') p;",
        )
        .unwrap();
    let b = anon.get("/c/wutong").await;
    let p = sec(&b, "proposals");
    assert!(p.contains("正在征集附议：<strong>5</strong>"), "{p}");
    assert!(p.contains("新提案 4") && p.contains("新提案 3") && p.contains("新提案 2"));
    assert!(
        !p.contains("新提案 1") && !p.contains("2栋单元门禁维修"),
        "{p}"
    );
    assert!(p.contains("全部提案（13条）"), "{p}");

    // In English, in English only.
    anon.post("/prefs", &[("lang", "en"), ("next", "/")]).await;
    let b = anon.get("/c/wutong").await;
    let p = sec(&b, "proposals");
    assert!(
        p.contains("Open for co-signing: <strong>5</strong>") && p.contains("Vote now"),
        "{p}"
    );
    assert!(
        !p.contains("征集附议") && !p.contains("投票<") && !p.contains("安全"),
        "{p}"
    );
    assert!(sec(&b, "disclosures").contains("See the disclosure categories"));

    // The village has neither: each part says so.
    let mut anon = s.client();
    let b = anon.get("/c/xingfu").await;
    let p = sec(&b, "proposals");
    assert!(
        p.contains("还没有提案") && p.contains("目前没有进行中的创投轮次"),
        "{p}"
    );
    assert!(p.contains("href=\"/c/xingfu/proposals/new\""));
    // Its visitors are told whose code to use: the village's own committee.
    assert!(
        b.has("村民请用村委会发的激活码") && !b.has("居委会"),
        "{}",
        b.body
    );
    s.stop().await;
}

/// The text of a page's "now" and "next" lines (`#step-now`, `#step-next`).
fn step_of(page: &Resp) -> String {
    let i = page
        .body
        .find("id=\"step-now\"")
        .unwrap_or_else(|| panic!("no step on the page: {}", page.body));
    let end = page.body[i..].find("</section>").unwrap_or(0);
    page.body[i..i + end].to_string()
}

#[tokio::test]
async fn a_proposal_page_says_who_acts_next() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let mut author = s.client();
    author.login(RESIDENT.0, RESIDENT.1).await;
    author.get("/c/wutong/proposals/new").await;
    let r = pm(
        &mut author,
        "/c/wutong/proposals",
        &[
            ("title", "小区门口加一个快递柜"),
            ("body", "快递总是堆在门岗。"),
            ("category", "facilities"),
            ("place", "community"),
        ],
        None,
    )
    .await;
    let pid = id_after(r.location.as_deref().unwrap_or_default(), "/proposals/");
    let base = format!("/c/wutong/proposals/{pid}");
    // A draft: the author publishes it, and the button is theirs.
    let step = step_of(&author.get(&base).await);
    assert!(
        step.contains("草稿") && step.contains("提案人") && step.contains("href=\"#f-publish\""),
        "{step}"
    );
    let r = pf(&mut author, &format!("{base}/publish"), &[]).await;
    // Open: residents co-sign; a neighbour gets the button, the author not.
    let step = step_of(&r);
    assert!(
        step.contains("征集附议") && step.contains("居民") && !step.contains("#h-cosign"),
        "{step}"
    );
    let mut n1 = new_resident(&s, &mut staff, 0, "kuaidi1").await;
    let step = step_of(&n1.get(&base).await);
    assert!(step.contains("href=\"#h-cosign\""), "{step}");
    // Picked up: the compound's committee (居委会) reviews, its button on its page.
    pf(&mut staff, &format!("{base}/pickup"), &[]).await;
    let step = step_of(&staff.get(&base).await);
    assert!(
        step.contains("待审议")
            && step.contains("<strong>居委会</strong>")
            && step.contains("href=\"#h-triage\""),
        "{step}"
    );
    let step = step_of(&author.get(&base).await);
    assert!(
        step.contains("居委会") && !step.contains("#h-triage"),
        "{step}"
    );
    // The list names the compound's committee alone.
    let list = author.get("/c/wutong/proposals").await;
    assert!(list.has("居委会必须审议") && !list.has("居委会/村委会"));
}

/// A wutong proposal of the demo in `status`.
fn proposal_in(s: &Server, status: &str) -> i64 {
    s.sql()
        .query_row(
            "SELECT p.id FROM proposals p JOIN communities c ON c.id = p.community_id
             WHERE c.slug = 'wutong' AND p.status = ?1 ORDER BY p.id LIMIT 1",
            [status],
            |r| r.get(0),
        )
        .unwrap()
}

fn status_of(s: &Server, id: i64) -> String {
    s.sql()
        .query_row("SELECT status FROM proposals WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

fn audits(s: &Server, action: &str) -> i64 {
    s.sql()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
}

/// A refused form on the member's own page: 422, their header, the error
/// beside a field, not the bare error page.
fn refused_here(r: &Resp) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.has("/logout") && r.has(r#"href="/account""#),
        "{}",
        r.body
    );
    assert!(r.has(r#"class="field-error""#), "{}", r.body);
    assert!(!r.has("无法完成"), "{}", r.body);
}

#[tokio::test]
async fn a_refused_decision_comes_back_as_typed_beside_its_field() {
    let s = Server::start().await;
    let id = proposal_in(&s, "review");
    let decisions = audits(&s, "proposal.decide");
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = format!("/c/wutong/proposals/{id}");
    staff.get(&page).await;
    let decide = format!("{page}/decide");
    // A dispatch without the assignee's name.
    let r = staff
        .post(
            &decide,
            &[
                ("decision", "dispatch"),
                ("assignee_kind", "volunteer"),
                ("assignee_name", ""),
                ("reason", "请尽快处理"),
            ],
        )
        .await;
    refused_here(&r);
    assert!(r.has(r#"id="decide""#), "{}", r.body);
    assert!(r.has(r#"id="f-assignee_name-err""#), "{}", r.body);
    assert!(r.has("请写负责人或团队名称"), "{}", r.body);
    assert!(
        r.has(r#"name="decision" value="dispatch" checked"#),
        "{}",
        r.body
    );
    assert!(r.has(r#"value="volunteer" selected"#), "{}", r.body);
    assert!(r.has("请尽快处理</textarea>"), "{}", r.body);
    // A login nobody has: found in the transaction, shown beside its field.
    let r = staff
        .post(
            &decide,
            &[
                ("decision", "dispatch"),
                ("assignee_kind", "volunteer"),
                ("assignee_name", "李志愿"),
                ("assignee_login", "no-such-login"),
            ],
        )
        .await;
    refused_here(&r);
    assert!(r.has(r#"id="f-assignee_login-err""#), "{}", r.body);
    assert!(r.has("没有登录名为“no-such-login”的账户"), "{}", r.body);
    assert!(r.has(r#"value="李志愿""#), "{}", r.body);
    // A decline needs its public reason.
    let r = staff.post(&decide, &[("decision", "decline")]).await;
    refused_here(&r);
    assert!(r.has(r#"id="f-reason-err""#) && r.has("不予采纳必须写明公开理由"));
    assert_eq!(status_of(&s, id), "review", "nothing was decided");
    assert_eq!(audits(&s, "proposal.decide"), decisions);
}

#[tokio::test]
async fn a_refused_hand_back_or_rating_comes_back_as_typed() {
    let s = Server::start().await;
    let id = proposal_in(&s, "dispatched");
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = format!("/c/wutong/proposals/{id}");
    staff.get(&page).await;
    let r = staff
        .post(
            &format!("{page}/assignment"),
            &[("answer", "hand_back"), ("note", "  ")],
        )
        .await;
    refused_here(&r);
    assert!(r.has(r#"id="assignment""#) && r.has(r#"id="f-note-err""#));
    assert!(r.has("退回时请说明原因"), "{}", r.body);
    assert_eq!(status_of(&s, id), "dispatched");
    // A progress report needs its text (its photos are kept: refused_more).
    let id = proposal_in(&s, "in_progress");
    let page = format!("/c/wutong/proposals/{id}");
    staff.get(&page).await;
    let r = staff
        .post_multipart(
            &format!("{page}/progress"),
            &[("note", ""), ("complete", "1")],
            None,
        )
        .await;
    refused_here(&r);
    assert!(r.has(r#"id="progress""#) && r.has(r#"id="f-note-err""#));
    assert!(r.has(r#"id="f-report-photos""#), "{}", r.body);
    assert_eq!(status_of(&s, id), "in_progress");
}

/// A village's proposal and round pages name its own committee (村委会),
/// never a compound's (居委会).
#[tokio::test]
async fn a_villages_pages_name_its_own_committee() {
    let s = Server::start().await;
    let open = proposal_in(&s, "open");
    s.sql()
        .execute(
            "UPDATE communities SET kind = 'village' WHERE slug = 'wutong'",
            [],
        )
        .unwrap();
    let mut anon = s.client();
    let page = anon.get(&format!("/c/wutong/proposals/{open}")).await;
    assert!(page.has("附议满后交村委会审议"), "{}", page.body);
    let rounds = anon.get("/c/wutong/rounds").await;
    assert!(rounds.has("村委会评审可行性和费用"), "{}", rounds.body);
    for p in [&page, &rounds] {
        assert!(!p.has("居委会"), "{}", p.body);
    }
}
