//! The desks over HTTP: the committee's lists what waits on it (proposals
//! to review, residents' questions, objections, overdue follow-up actions,
//! votes about to close), each with its count, its first five oldest first
//! with links, and a sentence when empty; the supervisors' lists the answers
//! waiting for their verdict, the overdue actions and what the committee
//! still owes; a resident has no desk.

use crate::common::*;
use reqwest::StatusCode;

/// The HTML of the desk section whose heading has id `h-{id}`, up to the next section.
fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"h-{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &body[start..];
    let end = rest[1..].find("<section").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// What a village desk should find, written as the web would have left it,
/// with the times moved (a vote about to close, actions past their dates).
fn setup(s: &Server) {
    let c = s.sql();
    let now = teahouse::store::now();
    c.execute(
        "INSERT INTO proposals (community_id, author_id, title, body, category, place, place_label,
           status, needed, cosigns, created_at, published_at)
         VALUES (1, 7, '修缮村口石桥', '石桥栏杆松动，雨天危险。', 'safety', 'community', '全村',
           'review', 3, 3, ?1, ?1)",
        [now - 86400],
    )
    .unwrap();
    for i in 1..=7i64 {
        c.execute(
            "INSERT INTO disclosure_threads (disclosure_id, kind, rev, text, author, asked_by, asked_at)
             VALUES (1, 'question', 1, ?1, '村民' || ?2, 7, ?3)",
            rusqlite::params![format!("问题 {i}"), i, now - 1000 + i],
        )
        .unwrap();
    }
    c.execute(
        "INSERT INTO vote_objections (vote_id, account_id, author, text, created_at)
         VALUES (3, 7, '王*', '有人代签了选票。', ?1)",
        [now - 500],
    )
    .unwrap();
    // A queried disclosure whose query the committee has answered.
    c.execute_batch(&format!(
        "INSERT INTO disclosures (id, community_id, category, period, status, created_at)
           VALUES (99, 1, 'finance', '2031-03', 'queried', {now});
         INSERT INTO disclosure_revisions (disclosure_id, rev, title, rows, created_at)
           VALUES (99, 1, '三月财务收支', '[]', {now});
         INSERT INTO disclosure_threads (disclosure_id, kind, rev, text, author, asked_by, asked_at,
           answer, answered_by, answered_at)
           VALUES (99, 'query', 1, '第二行金额不对', '监督员', 5, {now}, '已更正为 1200 元', 4, {now});"
    ))
    .unwrap();
    drop(c);
    s.travel(
        "UPDATE actions SET due = '2099-01-01' WHERE status = 'open'",
        [],
    );
    s.travel("UPDATE actions SET due = '2020-03-01' WHERE id = 4", []);
    s.travel("UPDATE actions SET due = '2020-02-01' WHERE id = 6", []);
    s.travel("UPDATE votes SET closes_at = ?1 WHERE id = 3", [now + 3600]);
}

#[tokio::test]
async fn each_desk_lists_what_waits_with_counts_links_and_empty_states() {
    let s = Server::start().await;
    setup(&s);

    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let page = com.get("/c/xingfu/desk").await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    assert!(page.has("<h1>工作台</h1>"), "{b}");
    assert!(!page.has("Proposals to review"), "one language at a time");

    let p = section(b, "w-proposals");
    assert!(p.contains("(1)") && p.contains("修缮村口石桥"), "{p}");
    assert!(p.contains("href=\"/c/xingfu/proposals/"), "{p}");

    // Seven questions: the count, the five oldest, and how many more.
    let q = section(b, "w-questions");
    assert!(q.contains("(7)"), "{q}");
    assert_eq!(
        q.matches("href=\"/c/xingfu/disclosures/1#h-threads\"")
            .count(),
        5,
        "{q}"
    );
    let (first, fifth) = (q.find("问题 1").unwrap(), q.find("问题 5").unwrap());
    assert!(first < fifth, "oldest first");
    assert!(!q.contains("问题 6") && !q.contains("问题 7"), "{q}");
    assert!(q.contains("另有 2 项未列出"), "{q}");

    let o = section(b, "w-objections");
    assert!(
        o.contains("(1)") && o.contains("href=\"/c/xingfu/votes/3#h-objections\""),
        "{o}"
    );
    assert!(o.contains("有人代签了选票"), "{o}");

    let a = section(b, "w-actions");
    assert!(a.contains("(2)"), "{a}");
    let (older, newer) = (a.find("2020-02-01").unwrap(), a.find("2020-03-01").unwrap());
    assert!(older < newer, "the longest overdue first: {a}");
    assert!(!a.contains("2099-01-01"), "{a}");

    let v = section(b, "w-votes");
    assert!(
        v.contains("(1)") && v.contains("href=\"/c/xingfu/votes/3\""),
        "{v}"
    );

    // Nothing queried by the supervisors is unanswered: said in words.
    let none = section(b, "w-queries");
    assert!(
        none.contains("(0)") && none.contains("没有待答复的质询。"),
        "{none}"
    );
    // The supervisors' own list is not the committee's.
    assert!(!page.has("h-w-verdicts"));

    let mut sup = s.client();
    sup.login(VILLAGE_SUPERVISOR.0, VILLAGE_SUPERVISOR.1).await;
    let page = sup.get("/c/xingfu/desk").await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    assert!(page.has("<h1>监督台</h1>"), "{b}");
    let w = section(b, "w-verdicts");
    assert!(
        w.contains("(1)") && w.contains("href=\"/c/xingfu/disclosures/99#h-threads\""),
        "{w}"
    );
    assert!(w.contains("已更正为 1200 元"), "{w}");
    assert!(section(b, "w-actions").contains("(2)"));
    // What the committee still owes, named as a village names it.
    assert!(section(b, "w-owed").contains("等待村委会答复"), "{b}");
    assert!(section(b, "w-questions").contains("(7)"));
    assert!(!page.has("h-w-proposals"));

    // Once answered, a question leaves the list.
    s.sql()
        .execute(
            "UPDATE disclosure_threads SET answer = '已答复', answered_by = 4, answered_at = 1
             WHERE text = '问题 1'",
            [],
        )
        .unwrap();
    let page = com.get("/c/xingfu/desk").await;
    let q = section(&page.body, "w-questions");
    assert!(
        q.contains("(6)") && !q.contains("问题 1<") && q.contains("问题 6"),
        "{q}"
    );

    // In English, English only.
    com.post("/prefs", &[("lang", "en"), ("next", "/c/xingfu/desk")])
        .await;
    let page = com.get("/c/xingfu/desk").await;
    assert!(
        page.has("Proposals to review") && !page.has("待审议的提案"),
        "{}",
        page.body
    );

    // A resident has no desk.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let page = res.get("/c/wutong/desk").await;
    assert_ne!(page.status, StatusCode::OK);
}
