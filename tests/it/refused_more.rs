//! Refused forms that used to land on the error page or lose what was
//! chosen (#16 item 3): a round's .pb import, the co-signing threshold,
//! closing a follow-up action, the minutes' per-item errors and a progress
//! report with photos. Each comes back (422) as the same form, as typed,
//! with the error beside its field and tied to it, in the user's own
//! header; nothing is written, and photos chosen are kept, not lost.

use crate::common::*;
use reqwest::StatusCode;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nphoto";

#[tokio::test]
async fn a_bad_pb_file_comes_back_as_the_import_form_naming_its_line() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/rounds").await;
    let rounds = || scalar(&s, "SELECT count(*) FROM rounds");
    let before = rounds();
    // A cost that is not a number, on line 6.
    let bad = "META\nkey;value\nbudget;1000\nPROJECTS\nproject_id;cost\n1;5x0\nVOTES\nvoter_id;vote\nv1;1\n";
    let r = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "greedy")],
            Some(("file", "预算.pb", bad.as_bytes().to_vec())),
        )
        .await;
    refused_own_page(&r);
    assert!(r.has(r#"id="import""#), "{}", r.body);
    tied(&r, "f-pb");
    assert!(r.has("第 6 行") && r.has("“5x0”"), "{}", r.body);
    assert!(!r.has("line 6"), "one language: {}", r.body);
    // The rule as chosen, and the file named, to be chosen again.
    assert!(
        r.has(r#"id="f-pb-rule-greedy" type="radio" name="rule" value="greedy" checked"#),
        "{}",
        r.body
    );
    assert!(r.has("“预算.pb”没有导入"), "{}", r.body);
    // Not UTF-8 on line 2; no file at all.
    let latin = b"META\nkey;value\xe9\n".to_vec();
    let r = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes")],
            Some(("file", "x.pb", latin)),
        )
        .await;
    refused_own_page(&r);
    assert!(r.has("第 2 行：文件不是 UTF-8 文本"), "{}", r.body);
    let r = com
        .post_multipart("/c/wutong/rounds/import", &[("rule", "mes")], None)
        .await;
    refused_own_page(&r);
    tied(&r, "f-pb");
    assert!(r.has("请选择一个 .pb 文件"), "{}", r.body);
    assert_eq!(rounds(), before, "nothing was imported");
    assert_eq!(scalar(&s, "SELECT count(*) FROM round_imports"), 0);
    // In English, the same form says it in English only.
    com.post("/prefs", &[("lang", "en"), ("next", "/c/wutong/rounds")])
        .await;
    com.get("/c/wutong/rounds").await;
    let r = com
        .post_multipart(
            "/c/wutong/rounds/import",
            &[("rule", "mes")],
            Some(("file", "b.pb", bad.as_bytes().to_vec())),
        )
        .await;
    refused_own_page(&r);
    assert!(
        r.has("line 6: project 1") && !r.has("第 6 行"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_refused_threshold_comes_back_as_typed_beside_its_field() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/proposals").await;
    let saved = "SELECT proposal_threshold FROM communities WHERE slug = 'wutong'";
    let before: String = s.sql().query_row(saved, [], |r| r.get(0)).unwrap();
    let r = com
        .post("/c/wutong/proposals/threshold", &[("threshold", "十个人")])
        .await;
    refused_own_page(&r);
    assert!(r.has(r#"id="threshold""#), "{}", r.body);
    tied(&r, "f-threshold");
    assert!(r.has(r#"value="十个人""#), "{}", r.body);
    assert!(r.has("附议门槛“十个人”应为人数"), "{}", r.body);
    let after: String = s.sql().query_row(saved, [], |r| r.get(0)).unwrap();
    assert_eq!(after, before, "nothing was saved");
    // A good one is saved and shown.
    let r = com
        .post("/c/wutong/proposals/threshold", &[("threshold", "12")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = com.get("/c/wutong/proposals").await;
    assert!(list.has(r#"value="12""#), "{}", list.body);
}

/// An open follow-up action of the village (xingfu).
fn open_action(s: &Server) -> i64 {
    scalar(
        s,
        "SELECT a.id FROM actions a JOIN communities c ON c.id = a.community_id
         WHERE c.slug = 'xingfu' AND a.status = 'open' ORDER BY a.id LIMIT 1",
    )
}

#[tokio::test]
async fn closing_an_action_without_its_report_keeps_the_photo() {
    let s = Server::start().await;
    let action = open_action(&s);
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    com.get("/c/xingfu/actions").await;
    let close = format!("/c/xingfu/actions/{action}/close");
    let r = com
        .post_multipart(
            &close,
            &[("report", "  ")],
            Some(("file", "灯.png", PNG.to_vec())),
        )
        .await;
    refused_own_page(&r);
    let field = format!("f-report-{action}");
    tied(&r, &field);
    assert!(r.has("请填写（最多 1000 字）"), "{}", r.body);
    assert!(
        r.has("<details open"),
        "the refused form is open: {}",
        r.body
    );
    // The photo is kept, ticked beside the photo field.
    let kept = scalar(
        &s,
        "SELECT max(id) FROM attachments WHERE owner GLOB 'staged:*'",
    );
    assert!(
        r.has(&format!(r#"name="keep_{kept}" value="1" checked"#)) && r.has("灯.png"),
        "{}",
        r.body
    );
    assert!(r.has("你上次选的文件已保留"), "{}", r.body);
    let done = format!("SELECT count(*) FROM actions WHERE id = {action} AND status = 'done'");
    assert_eq!(scalar(&s, &done), 0, "not closed");
    // Sent again with the report and the kept photo, nothing chosen anew.
    let keep = format!("keep_{kept}");
    let r = com
        .post_multipart(&close, &[("report", "换好了"), (&keep, "1")], None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(scalar(&s, &done), 1);
    let owner: String = s
        .sql()
        .query_row("SELECT owner FROM attachments WHERE id = ?1", [kept], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(owner, format!("action:{action}"));
    let list = com.get("/c/xingfu/actions").await;
    assert!(
        list.has(&format!("/c/xingfu/files/{kept}")),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn each_minutes_error_is_tied_to_its_field() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let (id, item) = {
        let c = s.sql();
        c.query_row(
            "SELECT d.id, i.id FROM deliberations d JOIN communities c ON c.id = d.community_id
             JOIN agenda_items i ON i.deliberation_id = d.id
             WHERE c.slug = 'xingfu' AND i.state = 'agenda'
             ORDER BY d.id LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )
        .unwrap()
    };
    let base = format!("/c/xingfu/deliberations/{id}");
    com.get(&base).await;
    let (outcome, actions) = (format!("outcome_{item}"), format!("actions_{item}"));
    let r = com
        .post(
            &format!("{base}/minutes"),
            &[(&outcome, "maybe"), (&actions, "换灯")],
        )
        .await;
    refused_own_page(&r);
    tied(&r, &format!("f-outcome-{item}"));
    tied(&r, &format!("f-actions-{item}"));
    assert!(
        r.has("不认识的结果") && r.has("换灯</textarea>"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_refused_progress_report_keeps_its_photos() {
    let s = Server::start().await;
    let id = scalar(
        &s,
        "SELECT p.id FROM proposals p JOIN communities c ON c.id = p.community_id
         WHERE c.slug = 'wutong' AND p.status = 'in_progress' ORDER BY p.id LIMIT 1",
    );
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = format!("/c/wutong/proposals/{id}");
    staff.get(&page).await;
    let progress = format!("{page}/progress");
    let r = staff
        .post_multipart(
            &progress,
            &[("note", ""), ("complete", "1")],
            Some(("file", "完工.png", PNG.to_vec())),
        )
        .await;
    refused_own_page(&r);
    assert!(r.has(r#"id="progress""#), "{}", r.body);
    tied(&r, "f-note");
    let kept = scalar(
        &s,
        "SELECT max(id) FROM attachments WHERE owner GLOB 'staged:*'",
    );
    assert!(
        r.has(&format!(r#"name="keep_{kept}" value="1" checked"#)) && r.has("完工.png"),
        "{}",
        r.body
    );
    // The box described by the kept files' note; the complete box still ticked.
    assert!(r.has("f-report-photos-kept"), "{}", r.body);
    assert!(r.has(r#"name="complete" value="1" checked"#), "{}", r.body);
    // A file that cannot be taken is named beside the photo field, and the
    // kept one stays kept.
    let keep = format!("keep_{kept}");
    let r = staff
        .post_multipart(
            &progress,
            &[("note", "完工"), ("complete", "1"), (&keep, "1")],
            Some(("file", "virus.exe", b"MZ".to_vec())),
        )
        .await;
    refused_own_page(&r);
    tied(&r, "f-report-photos");
    assert!(r.has(&format!(r#"name="keep_{kept}""#)), "{}", r.body);
    let status = format!("SELECT status = 'in_progress' FROM proposals WHERE id = {id}");
    assert_eq!(scalar(&s, &status), 1, "nothing was reported");
    // Sent with the kept photo: it goes with the completion report.
    let r = staff
        .post_multipart(
            &progress,
            &[("note", "完工"), ("complete", "1"), (&keep, "1")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let owner = format!(
        "SELECT count(*) FROM attachments WHERE id = {kept} AND owner = 'proposal-report:{id}'"
    );
    assert_eq!(scalar(&s, &owner), 1);
    let staged = "SELECT count(*) FROM attachments WHERE owner GLOB 'staged:*'";
    assert_eq!(scalar(&s, staged), 0, "nothing is left kept");
    // The photo, public now, is checked by verify like one sent with the report.
    let db = s.db_path();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    // Its row is anchored with the step that made it public.
    let entry = "SELECT count(*) FROM ledger
         WHERE payload LIKE '%\"attachments\"%' AND payload LIKE '%完工.png%'";
    assert_eq!(scalar(&s, entry), 1, "anchored: {said}");
}

#[tokio::test]
async fn a_refused_new_proposal_keeps_its_photos_beside_the_photo_field() {
    let s = Server::start().await;
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get("/c/wutong/proposals/new").await;
    let drafts = "SELECT count(*) FROM proposals WHERE status = 'draft'";
    let before = scalar(&s, drafts);
    // No title: the form again, the body as typed, the photo kept.
    let r = res
        .post_multipart(
            "/c/wutong/proposals",
            &[
                ("title", ""),
                ("body", "楼下的灯坏了"),
                ("category", "environment"),
                ("place", "community"),
            ],
            Some(("file", "灯.png", PNG.to_vec())),
        )
        .await;
    refused_own_page(&r);
    tied(&r, "f-title");
    assert!(r.has("楼下的灯坏了</textarea>"), "{}", r.body);
    let kept = scalar(
        &s,
        "SELECT max(id) FROM attachments WHERE owner GLOB 'staged:*'",
    );
    assert!(
        r.has(&format!(r#"name="keep_{kept}" value="1" checked"#)),
        "{}",
        r.body
    );
    // A file of the wrong kind is named beside the photo field, not the
    // title; the kept one, ticked, stays kept.
    let keep = format!("keep_{kept}");
    let r = res
        .post_multipart(
            "/c/wutong/proposals",
            &[
                ("title", "修灯"),
                ("body", "楼下的灯坏了"),
                ("category", "environment"),
                ("place", "community"),
                (&keep, "1"),
            ],
            Some(("file", "a.exe", b"MZ".to_vec())),
        )
        .await;
    refused_own_page(&r);
    tied(&r, "f-photos");
    assert!(!r.has(r#"id="f-title-err""#), "{}", r.body);
    assert!(
        r.has(&format!(r#"name="{keep}" value="1" checked"#)),
        "{}",
        r.body
    );
    assert_eq!(scalar(&s, drafts), before, "nothing was saved");
    // Sent again with the kept photo: it is the draft's.
    let r = res
        .post_multipart(
            "/c/wutong/proposals",
            &[
                ("title", "修灯"),
                ("body", "楼下的灯坏了"),
                ("category", "environment"),
                ("place", "community"),
                (&keep, "1"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let owner: String = s
        .sql()
        .query_row("SELECT owner FROM attachments WHERE id = ?1", [kept], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(owner.starts_with("proposal:"), "{owner}");
}

#[tokio::test]
async fn kept_files_are_the_keepers_own() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let id = scalar(
        &s,
        "SELECT p.id FROM proposals p JOIN communities c ON c.id = p.community_id
         WHERE c.slug = 'wutong' AND p.status = 'in_progress' ORDER BY p.id LIMIT 1",
    );
    let page = format!("/c/wutong/proposals/{id}");
    staff.get(&page).await;
    let r = staff
        .post_multipart(
            &format!("{page}/progress"),
            &[("note", "")],
            Some(("file", "a.png", PNG.to_vec())),
        )
        .await;
    refused_own_page(&r);
    let kept = scalar(
        &s,
        "SELECT max(id) FROM attachments WHERE owner GLOB 'staged:*'",
    );
    // Someone else cannot see it, nor send it with their own form.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let f = res.get(&format!("/c/wutong/files/{kept}")).await;
    assert_eq!(f.status, StatusCode::NOT_FOUND);
    res.get("/c/wutong/proposals/new").await;
    let keep = format!("keep_{kept}");
    let r = res
        .post_multipart(
            "/c/wutong/proposals",
            &[
                ("title", "别人的照片"),
                ("body", "试试"),
                ("category", "environment"),
                ("place", "community"),
                (&keep, "1"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let owner: String = s
        .sql()
        .query_row("SELECT owner FROM attachments WHERE id = ?1", [kept], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(owner.starts_with("staged:"), "still the keeper's: {owner}");
}

#[tokio::test]
async fn an_empty_comment_or_reply_comes_back_beside_its_textarea() {
    let s = Server::start().await;
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let page = "/c/wutong/proposals/1";
    let post = "/c/wutong/proposals/1/comments";
    res.get(page).await;
    let comments = || scalar(&s, "SELECT count(*) FROM proposal_comments");
    let before = comments();
    // Whitespace only: the comment form again, as typed, its error tied to it.
    let r = res.post(post, &[("body", "  \n ")]).await;
    refused_own_page(&r);
    assert!(r.has(r#"id="comment""#), "{}", r.body);
    tied(&r, "f-body");
    assert!(r.has("请写下留言内容（最多 2000 字）"), "{}", r.body);
    assert!(!r.has("write your comment"), "one language: {}", r.body);
    assert_eq!(comments(), before, "nothing was written");
    // Over the limit: typed text kept in the textarea.
    let long = "长".repeat(2001);
    let r = res.post(post, &[("body", &long)]).await;
    refused_own_page(&r);
    tied(&r, "f-body");
    assert!(r.has(&format!("{long}</textarea>")), "{}", r.body);
    assert_eq!(comments(), before, "nothing was written");

    // A comment to reply to; its reply form is folded away.
    let r = res.post(post, &[("body", "路灯坏了三盏")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cid = scalar(&s, "SELECT max(id) FROM proposal_comments");
    let shown = res.get(page).await;
    let closed = format!(r#"<details><summary>回复</summary><form class="stack" id="reply-{cid}""#);
    assert!(shown.has(&closed), "{}", shown.body);
    // An empty reply: open under its parent, with its error; the top form clean.
    let before = comments();
    let r = res
        .post(post, &[("body", " "), ("parent", &cid.to_string())])
        .await;
    refused_own_page(&r);
    let open =
        format!(r#"<details open><summary>回复</summary><form class="stack" id="reply-{cid}""#);
    let at = r.body.find(&open).unwrap_or_else(|| panic!("{}", r.body));
    let parent = r.body.find(&format!(r#"id="comment-{cid}""#)).unwrap();
    assert!(parent < at, "the reply is under its parent");
    tied(&r, &format!("f-reply-{cid}"));
    assert!(r.body[at..].contains("请写下留言内容"), "{}", r.body);
    assert!(!r.has(r#"id="f-body-err""#), "{}", r.body);
    assert_eq!(comments(), before, "nothing was written");

    // In English, English only.
    res.post("/prefs", &[("lang", "en"), ("next", page)]).await;
    res.get(page).await;
    let r = res
        .post(post, &[("body", ""), ("parent", &cid.to_string())])
        .await;
    refused_own_page(&r);
    assert!(
        r.has("write your comment (2000 characters at most)"),
        "{}",
        r.body
    );
    assert!(!r.has("请写下留言内容"), "{}", r.body);
    assert_eq!(comments(), before, "nothing was written");
}

/// A resident's kept photo is theirs alone until sent: the committee and
/// the supervisors do not see what a resident has not sent.
#[tokio::test]
async fn a_residents_kept_photo_is_not_shown_to_the_committee() {
    let s = Server::start().await;
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get("/c/wutong/proposals/new").await;
    let r = res
        .post_multipart(
            "/c/wutong/proposals",
            &[
                ("title", ""),
                ("body", "楼道里很暗"),
                ("category", "environment"),
                ("place", "community"),
            ],
            Some(("file", "a.png", PNG.to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let kept = scalar(
        &s,
        "SELECT max(id) FROM attachments WHERE owner GLOB 'staged:*'",
    );
    assert!(kept > 0, "the photo is kept for the resident");
    assert_eq!(
        res.get(&format!("/c/wutong/files/{kept}")).await.status,
        StatusCode::OK,
        "its keeper sees it"
    );
    for (login, password) in [COMMITTEE, SUPERVISOR] {
        let mut staff = s.client();
        staff.login(login, password).await;
        let f = staff.get(&format!("/c/wutong/files/{kept}")).await;
        assert_eq!(f.status, StatusCode::NOT_FOUND, "{login}");
    }
    // Kept files of a form never sent again go after two days, whoever's:
    // the next refused form in the community lets them go.
    s.sql()
        .execute(
            "UPDATE attachments SET uploaded_at = uploaded_at - 3 * 86400 WHERE id = ?1",
            [kept],
        )
        .unwrap();
    let mut other = s.client();
    other.login(COMMITTEE.0, COMMITTEE.1).await;
    other.get("/c/wutong/proposals/new").await;
    let r = other
        .post_multipart(
            "/c/wutong/proposals",
            &[
                ("title", ""),
                ("body", "再试"),
                ("category", "environment"),
                ("place", "community"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let left = scalar(
        &s,
        &format!("SELECT count(*) FROM attachments WHERE id = {kept}"),
    );
    assert_eq!(left, 0, "an old kept file is let go");
}
