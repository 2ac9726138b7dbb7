//! Disclosures end to end over HTTP: draft → review → query → answer →
//! sign-off → publish → resident question → answer → correction; wrong roles
//! refused at each step; bad tables and files refused with nothing written;
//! tampering caught by `teahouse verify`.

use crate::common::*;
use reqwest::StatusCode;

const FINANCE: &str = "日期\t摘要\t收入\t支出\t余额\t经手人\t凭证号
2031-01-01\t上月结余\t\t\t10000.00\t\t
2031-01-05\t土地租金\t5000\t\t15000.00\t李会计\t记-01
2031-01-20\t路灯维修\t\t1200.50\t13799.50\t王*\t记-02";

fn id_of(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(args)
        .output()
        .unwrap()
}

/// The value of the first hidden field `name` on a page.
fn hidden(body: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let i = body.find(&pat).unwrap_or_else(|| panic!("no field {name}")) + pat.len();
    body[i..].split('"').next().unwrap().to_string()
}

/// What the review forms carry of the revision a page shows.
fn seen_on(page: &Resp) -> [(&'static str, String); 3] {
    ["rev", "hash", "files"].map(|n| (n, hidden(&page.body, n)))
}

/// Posts `fields` and what the review forms carry, as read from `page`.
async fn post_seen(c: &mut Client, path: &str, page: &Resp, fields: &[(&str, &str)]) -> Resp {
    let seen = seen_on(page);
    let mut f: Vec<(&str, &str)> = fields.to_vec();
    f.extend(seen.iter().map(|(k, v)| (*k, v.as_str())));
    c.post(path, &f).await
}

/// The supervisor looks at the disclosure and signs what they see.
async fn sign(c: &mut Client, base: &str) -> Resp {
    let page = c.get(base).await;
    post_seen(c, &format!("{base}/sign"), &page, &[]).await
}

/// The supervisor looks at the disclosure and queries it.
async fn query(c: &mut Client, base: &str, fields: &[(&str, &str)]) -> Resp {
    let page = c.get(base).await;
    post_seen(c, &format!("{base}/queries"), &page, fields).await
}

#[tokio::test]
async fn a_finance_disclosure_from_draft_to_correction() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let mut sup = s.client();
    sup.login(VILLAGE_SUPERVISOR.0, VILLAGE_SUPERVISOR.1).await;
    let mut other_sup = s.client();
    other_sup.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let (rid, _) = resident_without_account(&s, "xingfu", 0);
    let code = issue_code(&mut com, "xingfu", rid).await;
    let mut res = s.client();
    let r = res
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "villager1"),
                ("password", "villager-pass-1"),
                ("password2", "villager-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let before = scalar(&s, "SELECT count(*) FROM disclosures");
    let base_fields = |table: &'static str| {
        vec![
            ("category", "finance"),
            ("period", "2031-01"),
            ("title", "2031年1月财务收支"),
            ("explanation", "本月收支明细。"),
            ("table", table),
        ]
    };
    // A balance that does not add up is refused with its row; nothing is written.
    let bad = FINANCE.replace("13799.50\t王*", "13800.00\t王*");
    let r = com
        .post_multipart("/c/xingfu/disclosures", &base_fields(bad.leak()), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.has("余额不符") && r.has("E 余额") && r.has("<td>4</td>"),
        "{}",
        r.body
    );
    // An unmasked ID number in a welfare list is refused; a masked one is fine.
    let welfare =
        |reason: &str| format!("姓名,家庭人口,类别,金额,理由\n张小明,3,低保,780,{reason}\n");
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "welfare"),
                ("period", "2031-Q1"),
                ("title", "低保名单"),
                ("table", welfare("身份证330102199001011234").leak()),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("看起来是身份证号"));
    assert_eq!(scalar(&s, "SELECT count(*) FROM disclosures"), before);
    // A GBK CSV imports (names masked on the way in).
    let text = welfare("3301**********1234 因病");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "welfare"),
                ("period", "2031-Q1"),
                ("title", "低保名单"),
            ],
            Some(("sheet", "低保.csv", gbk.to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let welfare_id = id_of(r.location.as_deref().unwrap());
    let page = com
        .get(&format!("/c/xingfu/disclosures/{welfare_id}"))
        .await;
    assert!(page.has("张*明") && !page.has("张小明"));

    // The finance draft.
    let r = com
        .post_multipart("/c/xingfu/disclosures", &base_fields(FINANCE), None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = id_of(r.location.as_deref().unwrap());
    let base = format!("/c/xingfu/disclosures/{id}");
    // Residents and the public do not see drafts.
    assert_eq!(res.get(&base).await.status, StatusCode::NOT_FOUND);
    // Attachments: a program and an oversized file are refused.
    let r = com
        .post_multipart(
            &format!("{base}/files"),
            &[],
            Some(("file", "virus.exe", b"MZ\x90\0".to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("virus.exe"));
    let mut big = b"%PDF-1.4".to_vec();
    big.resize(9 * 1024 * 1024, b' ');
    let r = com
        .post_multipart(
            &format!("{base}/files"),
            &[],
            Some(("file", "scan.pdf", big)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("太大"));
    let r = com
        .post_multipart(
            &format!("{base}/files"),
            &[],
            Some(("file", "凭证.pdf", b"%PDF-1.4 voucher".to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        scalar(
            &s,
            "SELECT count(*) FROM attachments WHERE owner LIKE 'disclosure:%'"
        ),
        1
    );

    // Wrong roles: a supervisor cannot submit, a committee cannot sign,
    // another community's supervisor cannot touch it.
    assert_eq!(
        sup.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // Nothing to sign before it is submitted.
    assert_eq!(
        sup.post(&format!("{base}/sign"), &[]).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        com.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        com.post(&format!("{base}/sign"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other_sup.post(&format!("{base}/sign"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // Not signed: cannot publish.
    assert_eq!(
        com.post(&format!("{base}/publish"), &[]).await.status,
        StatusCode::CONFLICT
    );
    // Under review it cannot be edited.
    let r = com
        .post_multipart(
            &format!("{base}/edit"),
            &[("title", "x"), ("table", FINANCE)],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The supervisor queries row 3; the committee answers and corrects it.
    let r = query(
        &mut sup,
        &base,
        &[("row", "3"), ("text", "路灯维修的发票在哪里？")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        sup.post(&format!("{base}/sign"), &[]).await.status,
        StatusCode::CONFLICT
    );
    let page = com.get(&base).await;
    assert!(page.has("路灯维修的发票在哪里") && page.has("被质询"));
    let thread: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM disclosure_threads WHERE kind = 'query' AND disclosure_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    // Resubmitting with the query unanswered is refused.
    assert_eq!(
        com.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        res.post(
            &format!("{base}/threads/{thread}/answer"),
            &[("text", "我来答")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = com
        .post(
            &format!("{base}/threads/{thread}/answer"),
            &[("text", "发票已补充为附件，凭证号改为记-03。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let corrected = FINANCE.replace("记-02", "记-03");
    let r = com
        .post_multipart(
            &format!("{base}/edit"),
            &[
                ("title", "2031年1月财务收支"),
                ("table", corrected.as_str()),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        com.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    // The supervisor signs from the desk's queue.
    let desk = sup.get("/c/xingfu/desk").await;
    assert!(desk.has("2031年1月财务收支") && desk.has("等待审核"));
    let page = sup.get(&base).await;
    assert_eq!(
        post_seen(&mut sup, &format!("{base}/sign"), &page, &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post_seen(&mut sup, &format!("{base}/sign"), &page, &[])
            .await
            .status,
        StatusCode::CONFLICT,
        "once"
    );
    assert_eq!(
        res.post(&format!("{base}/publish"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        com.post(&format!("{base}/publish"), &[]).await.status,
        StatusCode::SEE_OTHER
    );

    // Public now: the table, the sign-off, the answered query.
    let mut anon = s.client();
    let page = anon.get(&base).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.has("13799.50") && page.has("记-03") && page.has("发票已补充") && page.has("已公开")
    );
    assert!(
        anon.get("/c/xingfu/disclosures")
            .await
            .has("2031年1月财务收支")
    );
    let api = anon.get("/api/v1/c/xingfu/disclosures").await;
    let j: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert!(
        j["disclosures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["title"] == "2031年1月财务收支")
    );
    let csv = anon.get(&format!("{base}/table.csv")).await;
    assert!(csv.has("土地租金"));
    assert_eq!(
        anon.get(&format!("{base}/table.xlsx")).await.status,
        StatusCode::OK
    );
    let notice = anon.get(&format!("{base}/notice")).await;
    assert!(notice.has("svg") && notice.has("Ledger head") && notice.has("监督委员会审核签署"));

    // A published revision cannot be altered through any route.
    let r = com
        .post_multipart(
            &format!("{base}/edit"),
            &[("title", "x"), ("table", FINANCE)],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = com
        .post_multipart(
            &format!("{base}/files"),
            &[],
            Some(("file", "later.pdf", b"%PDF-1.4".to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        com.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::CONFLICT
    );
    assert!(
        s.sql()
            .execute(
                "UPDATE disclosure_revisions SET title = 'x' WHERE disclosure_id = ?1",
                [&id]
            )
            .is_err(),
        "the database refuses too"
    );

    // A resident asks; the committee answers in public.
    res.get(&base).await;
    let r = res
        .post(
            &format!("{base}/questions"),
            &[("text", "租金为什么比去年少？")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // In a village the message names the village committee.
    let done = res.get(r.location.as_deref().unwrap()).await;
    assert!(
        done.has("村委会将公开答复") && !done.has("居委会/村委会"),
        "{}",
        done.body
    );
    let q: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM disclosure_threads WHERE kind = 'question' AND disclosure_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    com.post(
        &format!("{base}/threads/{q}/answer"),
        &[("text", "去年多收了一季度。")],
    )
    .await;
    assert!(anon.get(&base).await.has("去年多收了一季度"));

    // A correction: a new revision with a reason; both visible, diff shown.
    assert_eq!(
        com.post(&format!("{base}/correct"), &[("reason", "")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = com
        .post(
            &format!("{base}/correct"),
            &[("reason", "路灯维修金额录错")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Meanwhile the public still sees revision 1.
    assert!(anon.get(&base).await.has("13799.50"));
    let fixed = corrected.replace("1200.50\t13799.50", "1200.00\t13800.00");
    let r = com
        .post_multipart(
            &format!("{base}/edit"),
            &[("title", "2031年1月财务收支"), ("table", fixed.as_str())],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    com.post(&format!("{base}/submit"), &[]).await;
    assert_eq!(sign(&mut sup, &base).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        com.post(&format!("{base}/publish"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = anon.get(&format!("{base}?diff=2")).await;
    assert!(
        page.has("路灯维修金额录错") && page.has("1200.50 → 1200.00") && page.has("第 2 版"),
        "{}",
        page.body
    );
    let kinds: Vec<String> = s
        .sql()
        .prepare("SELECT kind FROM ledger WHERE subject = ?1 ORDER BY seq")
        .unwrap()
        .query_map([format!("disclosure:{id}")], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "disclosure.submitted",
            "disclosure.queried",
            "disclosure.answered",
            "disclosure.submitted",
            "disclosure.signed",
            "disclosure.published",
            "disclosure.question",
            "disclosure.answered",
            "disclosure.correcting",
            "disclosure.submitted",
            "disclosure.signed",
            "disclosure.corrected"
        ]
    );

    // The desk verifies; tampering with a published cell is caught.
    assert!(sup.get("/c/xingfu/desk?verify=1").await.has("核验通过"));
    let db = s.db_path();
    assert!(
        cli(&["verify", "--db", db.to_str().unwrap()])
            .status
            .success()
    );
    s.tamper(
        "UPDATE disclosure_revisions SET rows = replace(rows, '5000.00', '500.00') WHERE disclosure_id = ?1 AND rev = 1",
        [&id],
    );
    let out = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("xingfu: BROKEN") && text.contains("altered"),
        "{text}"
    );
    assert!(sup.get("/c/xingfu/desk?verify=1").await.has("核验未通过"));
    s.stop().await;
}

/// A signature is on what the supervisor saw: if the committee changed the
/// content in between, the signature is refused and nothing is signed.
#[tokio::test]
async fn a_stale_signature_is_refused() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let mut sup = s.client();
    sup.login(VILLAGE_SUPERVISOR.0, VILLAGE_SUPERVISOR.1).await;
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "general"),
                ("period", "2024-Q2"),
                ("title", "2024年第二季度村务"),
                ("table", "事项,内容\n修桥,花费 8000 元"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = id_of(r.location.as_deref().unwrap());
    let base = format!("/c/xingfu/disclosures/{id}");
    com.post(&format!("{base}/submit"), &[]).await;
    let signoffs = |s: &Server| {
        scalar(
            s,
            &format!("SELECT count(*) FROM disclosure_signoffs WHERE disclosure_id = {id}"),
        )
    };

    // The supervisor opens the page in one tab and reads "8000".
    let seen = sup.get(&base).await;
    assert!(seen.has("花费 8000 元"));
    assert_eq!(hidden(&seen.body, "rev"), "1");
    // Meanwhile (another tab) a query sends it back; the committee answers,
    // changes the content and resubmits: still revision 1, other content.
    let r = query(&mut sup, &base, &[("text", "请写明承包方")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let thread: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM disclosure_threads WHERE disclosure_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    com.post(
        &format!("{base}/threads/{thread}/answer"),
        &[("text", "承包方已写入表格。")],
    )
    .await;
    let r = com
        .post_multipart(
            &format!("{base}/edit"),
            &[
                ("title", "2024年第二季度村务"),
                ("table", "事项,内容\n修桥,花费 18000 元（某某公司）"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        com.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::SEE_OTHER
    );

    // The first tab's "Sign off" is on the 8000 it showed: refused.
    let stale = post_seen(&mut sup, &format!("{base}/sign"), &seen, &[]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.has("公开内容在您查看后已改动，请重新查看后再签字")
            && !stale.has("The disclosure changed after you viewed it"),
        "{}",
        stale.body
    );
    assert_eq!(signoffs(&s), 0, "nothing signed");
    // A form without what was shown signs nothing either.
    assert_eq!(
        sup.post(&format!("{base}/sign"), &[]).await.status,
        StatusCode::CONFLICT
    );
    // A query from the stale page is refused the same way.
    let q = post_seen(
        &mut sup,
        &format!("{base}/queries"),
        &seen,
        &[("text", "再问")],
    )
    .await;
    assert_eq!(q.status, StatusCode::CONFLICT);
    assert!(q.has("请重新查看后再提出质询"), "{}", q.body);
    assert_eq!(signoffs(&s), 0);

    // Looking again and signing what is there now works.
    let fresh = sup.get(&base).await;
    assert!(fresh.has("18000"));
    assert_eq!(
        post_seen(&mut sup, &format!("{base}/sign"), &fresh, &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(signoffs(&s), 1);
    s.stop().await;
}

/// A file swapped while the disclosure was back with the committee changes
/// what a supervisor signs, even with the same table.
#[tokio::test]
async fn a_signature_covers_the_attachments_shown() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let mut sup = s.client();
    sup.login(VILLAGE_SUPERVISOR.0, VILLAGE_SUPERVISOR.1).await;
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "general"),
                ("period", "2024-Q3"),
                ("title", "2024年第三季度村务"),
                ("table", "事项,内容\n修路,已完工"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = id_of(r.location.as_deref().unwrap());
    let base = format!("/c/xingfu/disclosures/{id}");
    com.post_multipart(
        &format!("{base}/files"),
        &[],
        Some(("file", "验收单.pdf", b"%PDF-1.4 first".to_vec())),
    )
    .await;
    com.post(&format!("{base}/submit"), &[]).await;
    let seen = sup.get(&base).await;
    query(&mut sup, &base, &[("text", "验收单看不清")]).await;
    let thread: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM disclosure_threads WHERE disclosure_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    com.post(
        &format!("{base}/threads/{thread}/answer"),
        &[("text", "已换成清楚的扫描件。")],
    )
    .await;
    let r = com
        .post_multipart(
            &format!("{base}/files"),
            &[],
            Some(("file", "验收单2.pdf", b"%PDF-1.4 second".to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        com.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let stale = post_seen(&mut sup, &format!("{base}/sign"), &seen, &[]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(sign(&mut sup, &base).await.status, StatusCode::SEE_OTHER);
    s.stop().await;
}

#[tokio::test]
async fn overdue_months_are_flagged_for_everyone() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let mut sup = s.client();
    sup.login(VILLAGE_SUPERVISOR.0, VILLAGE_SUPERVISOR.1).await;
    // Publish general affairs for a quarter two years ago; everything since is overdue.
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "general"),
                ("period", "2024-Q1"),
                ("title", "2024年第一季度村务"),
                ("table", "事项,内容\n修桥,已完工"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let base = format!(
        "/c/xingfu/disclosures/{}",
        id_of(r.location.as_deref().unwrap())
    );
    com.post(&format!("{base}/submit"), &[]).await;
    assert_eq!(sign(&mut sup, &base).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        com.post(&format!("{base}/publish"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let mut anon = s.client();
    let board = anon.get("/c/xingfu/disclosures").await;
    assert!(
        board.has("逾期未公开") && board.has("2024年第2季度"),
        "{}",
        board.body
    );
    // A period that does not fit the cadence is refused.
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "general"),
                ("period", "2024-05"),
                ("title", "x"),
                ("table", "事项,内容\na,b"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("按“每季度”公开"));
    // The same quarter twice is refused: correct the existing one instead.
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "general"),
                ("period", "2024-Q1"),
                ("title", "x"),
                ("table", "事项,内容\na,b"),
            ],
            None,
        )
        .await;
    assert!(r.has("这一期已有公开"));
    s.stop().await;
}

/// The text of the page's "now" and "next" lines (`#step-now`, `#step-next`).
fn step_of(page: &Resp) -> String {
    let i = page
        .body
        .find("id=\"step-now\"")
        .unwrap_or_else(|| panic!("no step on the page: {}", page.body));
    let j = page.body[i..].find("</p>").unwrap_or(0);
    let k = page.body[i + j + 4..].find("</p>").unwrap_or(0);
    page.body[i..i + j + 4 + k].to_string()
}

fn ledger_kinds(s: &Server, id: &str) -> Vec<String> {
    let conn = s.sql();
    let mut st = conn
        .prepare("SELECT kind FROM ledger WHERE subject = ?1 ORDER BY seq")
        .unwrap();
    st.query_map([format!("disclosure:{id}")], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn each_step_says_who_acts_next_and_the_supervisor_judges_answers() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let mut sup = s.client();
    sup.login(VILLAGE_SUPERVISOR.0, VILLAGE_SUPERVISOR.1).await;
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "finance"),
                ("period", "2031-02"),
                ("title", "2031年2月财务收支"),
                ("table", FINANCE),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = id_of(r.location.as_deref().unwrap());
    let base = format!("/c/xingfu/disclosures/{id}");

    // Draft: the village committee (村委会, not 居委会) submits.
    let page = com.get(&base).await;
    let step = step_of(&page);
    assert!(step.contains("草稿") && step.contains("村委会"), "{step}");
    assert!(page.has(&format!("action=\"{base}/submit\"")));
    assert!(page.has("村委会操作") && !page.has("居委会/村委会操作"));
    com.post(&format!("{base}/submit"), &[]).await;

    // Submitted: the supervision committee signs or queries.
    let page = sup.get(&base).await;
    let step = step_of(&page);
    assert!(
        step.contains("待监督委员会审核") && step.contains("监督委员会"),
        "{step}"
    );
    assert!(page.has(&format!("action=\"{base}/sign\"")));
    let r = query(&mut sup, &base, &[("text", "土地租金的合同在哪里？")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Queried: the committee answers.
    let page = com.get(&base).await;
    assert!(step_of(&page).contains("被质询，待答复"));
    assert!(page.has("去答复质询"));
    let thread = |n: usize| -> i64 {
        s.sql()
            .query_row(
                "SELECT id FROM disclosure_threads WHERE disclosure_id = ?1 ORDER BY id LIMIT 1 OFFSET ?2",
                rusqlite::params![id, n as i64],
                |r| r.get(0),
            )
            .unwrap()
    };
    let first = thread(0);
    com.post(
        &format!("{base}/threads/{first}/answer"),
        &[("text", "合同见村委会档案室。")],
    )
    .await;

    // Answered: no longer "被质询，待答复"; the committee resubmits.
    let page = com.get(&base).await;
    let step = step_of(&page);
    assert!(
        !step.contains("被质询，待答复") && step.contains("待重新提交") && step.contains("村委会"),
        "{step}"
    );
    assert!(page.has("重新提交监督委员会审核"));
    // The supervisor may accept the answer or query it again; the committee not.
    assert!(!page.has(&format!("{first}/accept")));
    let page = sup.get(&base).await;
    assert!(page.has(&format!("action=\"{base}/threads/{first}/accept\"")));
    assert!(page.has(&format!("action=\"{base}/threads/{first}/requery\"")));
    assert_eq!(
        com.post(&format!("{base}/threads/{first}/accept"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Not enough: queried again, back with the committee.
    let r = sup
        .post(
            &format!("{base}/threads/{first}/requery"),
            &[("text", "请把合同扫描件附上。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(step_of(&com.get(&base).await).contains("被质询，待答复"));
    assert_eq!(
        com.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::CONFLICT,
        "the new query waits for its answer"
    );
    // A verdict is given once.
    assert_eq!(
        sup.post(&format!("{base}/threads/{first}/accept"), &[])
            .await
            .status,
        StatusCode::CONFLICT
    );
    let second = thread(1);
    com.post(
        &format!("{base}/threads/{second}/answer"),
        &[("text", "扫描件已上传为附件。")],
    )
    .await;
    let r = sup
        .post(&format!("{base}/threads/{second}/accept"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(sup.get(&base).await.has("监督委员会认可了这条答复"));
    com.post(&format!("{base}/submit"), &[]).await;

    // Signed: no longer "待监督委员会审核"; the committee publishes.
    sign(&mut sup, &base).await;
    let page = com.get(&base).await;
    let step = step_of(&page);
    assert!(
        !step.contains("待监督委员会审核") && step.contains("已签署") && step.contains("村委会"),
        "{step}"
    );
    assert!(page.has(&format!("action=\"{base}/publish\"")));
    com.post(&format!("{base}/publish"), &[]).await;
    assert!(step_of(&com.get(&base).await).contains("已公开"));

    // Each step a ledger entry, shown in words, and the chain verifies.
    let kinds = ledger_kinds(&s, &id);
    for k in [
        "disclosure.submitted",
        "disclosure.queried",
        "disclosure.answered",
        "disclosure.requeried",
        "disclosure.answer_accepted",
        "disclosure.signed",
        "disclosure.published",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    let page = com.get(&base).await;
    assert!(page.has("监督委员会签字") && !page.has("<code>disclosure.signed</code>"));
    let db = s.db_path();
    let out = cli(&["verify", "--db", db.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
