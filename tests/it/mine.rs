//! A resident's own record (#16 item 6): the account page lists what they
//! did and nothing of anyone else's; a closed vote keeps their receipt box
//! and marks their row in the published list; a draft is edited by its
//! author only, and only until it is published; a co-signature is withdrawn
//! while the proposal collects them, and the ledger still verifies.

use crate::common::*;
use reqwest::StatusCode;

/// The part of a page from a section's heading to the section's end.
fn section<'a>(body: &'a str, key: &str) -> &'a str {
    let at = body
        .find(&format!("id=\"h-my-{key}\""))
        .unwrap_or_else(|| panic!("no section {key}: {body}"));
    let end = body[at..].find("</section>").map_or(body.len(), |e| at + e);
    &body[at..end]
}

/// Drafts a proposal as `c` in wutong; its id.
async fn draft(c: &mut Client, title: &str) -> i64 {
    c.get("/c/wutong/proposals/new").await;
    let fields = [
        ("title", title),
        ("body", "说明写在这里。"),
        ("category", "facilities"),
        ("place", "community"),
    ];
    let r = c.post_multipart("/c/wutong/proposals", &fields, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location.unwrap();
    loc.split("/proposals/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn publish(c: &mut Client, id: i64) {
    let r = c
        .post(&format!("/c/wutong/proposals/{id}/publish"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn verify(s: &Server) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db"])
        .arg(s.db_path())
        .output()
        .unwrap()
}

/// The demo resident's own receipt in a vote.
fn receipt_of_resident(s: &Server, vote: &str) -> String {
    s.sql()
        .query_row(
            "SELECT b.receipt FROM ballots b JOIN vote_members m ON m.vote_id = b.vote_id AND m.voter = b.voter
             JOIN accounts a ON a.resident_id = m.resident_id WHERE a.login = ?1 AND b.vote_id = ?2",
            rusqlite::params![RESIDENT.0, vote],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn the_account_page_lists_my_own_actions_and_nobody_elses() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let mut me = s.client();
    me.login(RESIDENT.0, RESIDENT.1).await;
    let mut other = activated(&s, &mut staff, "wutong", 0, "linju-mine").await;

    let mine_a = draft(&mut me, "楼下长椅坏了").await;
    publish(&mut me, mine_a).await;
    draft(&mut me, "单元门禁常坏").await;
    let theirs = draft(&mut other, "自行车棚漏雨").await;
    publish(&mut other, theirs).await;
    draft(&mut other, "别人的私人草稿").await;
    me.get(&format!("/c/wutong/proposals/{theirs}")).await;
    let r = me
        .post(&format!("/c/wutong/proposals/{theirs}/cosign"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // A round ballot: what I approved, for my eyes.
    let (round, project, project_title): (i64, i64, String) = s
        .sql()
        .query_row(
            "SELECT r.id, p.id, p.title FROM rounds r JOIN round_projects p ON p.round_id = r.id
             WHERE r.phase = 'vote' AND p.review = 'feasible' ORDER BY p.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    me.get(&format!("/c/wutong/rounds/{round}")).await;
    let r = me
        .post(
            &format!("/c/wutong/rounds/{round}/ballot"),
            &[("project", &project.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let page = me.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    // Six proposals of mine (four from the demo): the latest five, and a link to all.
    let own = section(&page.body, "proposals");
    assert!(
        own.contains("楼下长椅坏了") && own.contains("单元门禁常坏"),
        "{own}"
    );
    assert!(own.contains("草稿") && own.contains("征集附议"), "{own}");
    assert!(own.contains("/account?all=proposals"), "{own}");
    assert!(!page.has("别人的私人草稿"), "another's draft is not listed");
    let signed = section(&page.body, "cosigns");
    assert!(
        signed.contains("自行车棚漏雨") && signed.contains("附议 1 / "),
        "{signed}"
    );
    // The closed demo vote: that I voted, and my receipt; never the choice.
    let receipt = receipt_of_resident(&s, "1");
    let votes = section(&page.body, "votes");
    assert!(
        votes.contains("3栋2单元加装电梯") && votes.contains(&receipt),
        "{votes}"
    );
    assert!(
        votes.contains("已投票") && !votes.contains("同意"),
        "{votes}"
    );
    let rounds = section(&page.body, "rounds");
    assert!(rounds.contains(&project_title), "{rounds}");
    assert!(section(&page.body, "questions").contains("你还没有对公开事项提过问题"));
    let all = me.get("/account?all=proposals").await;
    assert!(section(&all.body, "proposals").contains("3栋楼道灯不亮"));
    assert!(!section(&all.body, "proposals").contains("/account?all=proposals"));

    // The other resident sees their own, and none of mine.
    let theirs_page = other.get("/account").await;
    let own = section(&theirs_page.body, "proposals");
    assert!(
        own.contains("自行车棚漏雨") && own.contains("别人的私人草稿"),
        "{own}"
    );
    assert!(!theirs_page.has("楼下长椅坏了") && !theirs_page.has(&receipt));
    assert!(section(&theirs_page.body, "cosigns").contains("你还没有附议过提案"));
    assert!(section(&theirs_page.body, "rounds").contains("你还没有在公益创投中投过票"));
    assert!(!theirs_page.has(&project_title));
    // In English: one language, not both.
    me.post("/prefs", &[("lang", "en"), ("next", "/account")])
        .await;
    let en = me.get("/account").await;
    let own = section(&en.body, "proposals");
    assert!(
        own.contains("My proposals") && own.contains("proposed "),
        "{own}"
    );
    assert!(!en.has("我的提案") && !en.has(" 提出"), "{}", en.body);
    me.post("/prefs", &[("lang", "zh"), ("next", "/account")])
        .await;

    // A villager's question, then the committee's answer.
    let mut vc = s.client();
    vc.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let mut villager = activated(&s, &mut vc, "xingfu", 0, "cunmin-mine").await;
    let d: i64 = s
        .sql()
        .query_row(
            "SELECT d.id FROM disclosures d JOIN communities c ON c.id = d.community_id
             WHERE c.slug = 'xingfu' AND d.status = 'published' ORDER BY d.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let base = format!("/c/xingfu/disclosures/{d}");
    villager.get(&base).await;
    let r = villager
        .post(
            &format!("{base}/questions"),
            &[("text", "这笔钱什么时候到账？")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let asked = villager.get("/account").await;
    let q = section(&asked.body, "questions");
    assert!(
        q.contains("这笔钱什么时候到账") && q.contains("等待答复"),
        "{q}"
    );
    assert!(!me.get("/account").await.has("这笔钱什么时候到账"));
    let thread: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM disclosure_threads WHERE text = '这笔钱什么时候到账？'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    vc.get(&base).await;
    let r = vc
        .post(
            &format!("{base}/threads/{thread}/answer"),
            &[("text", "下月初到账。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let answered = villager.get("/account").await;
    let q = section(&answered.body, "questions");
    assert!(q.contains("下月初到账") && q.contains("已答复"), "{q}");
    s.stop().await;
}

#[tokio::test]
async fn a_closed_vote_keeps_my_receipt_and_marks_my_row() {
    let s = Server::start().await;
    let mut me = s.client();
    me.login(RESIDENT.0, RESIDENT.1).await;
    // The demo's closed open-ballot vote, which the resident took part in.
    let receipt = receipt_of_resident(&s, "1");
    let page = me.get("/c/wutong/votes/1").await;
    let at = page
        .body
        .find("id=\"h-my-ballot\"")
        .expect("the receipt box");
    let bx = &page.body[at..at + page.body[at..].find("</section>").unwrap()];
    assert!(bx.contains(&receipt) && bx.contains("核对方法"), "{bx}");
    // My row in the published list is marked, and only mine.
    let row = page
        .body
        .find("<tr class=\"mine\" id=\"my-ballot\">")
        .expect("my row");
    let row = &page.body[row..row + page.body[row..].find("</tr>").unwrap()];
    assert!(row.contains("你的选票") && row.contains(&receipt), "{row}");
    assert_eq!(page.body.matches("class=\"mine\"").count(), 1);
    // Nobody else sees a box or a mark.
    let anon = s.client().get("/c/wutong/votes/1").await;
    assert!(!anon.has("h-my-ballot") && !anon.has("你的选票") && anon.has(&receipt));

    // A secret vote: the receipt is marked in the list of receipts counted.
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    com.get("/c/wutong/votes/new").await;
    let form = [
        ("title", "楼道粉刷颜色"),
        ("scope", "community"),
        ("rule", "civil_code_278_ordinary"),
        ("secret", "1"),
        ("opens", "2026-01-01"),
        ("closes", "2099-01-01"),
    ];
    let r = com.post("/c/wutong/votes", &form).await;
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
    let base = format!("/c/wutong/votes/{id}");
    let r = com.post(&format!("{base}/open"), &[("confirm", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    me.get(&base).await;
    let r = me
        .post(&format!("{base}/ballot"), &[("choice", "disagree")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    s.travel(
        "UPDATE votes SET closes_at = strftime('%s','now') - 1 WHERE id = ?1",
        [&id],
    );
    let r = com.post(&format!("{base}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let receipt = receipt_of_resident(&s, &id);
    let page = me.get(&base).await;
    assert!(
        page.has("h-my-ballot") && page.has("计入的回执码"),
        "{}",
        page.body
    );
    let li = page
        .body
        .find("<li class=\"mine\" id=\"my-ballot\">")
        .expect("my receipt marked");
    let li = &page.body[li..li + page.body[li..].find("</li>").unwrap()];
    assert!(li.contains(&receipt) && li.contains("你的选票"), "{li}");
    // The account page lists it too, receipt and all.
    let acc = me.get("/account").await;
    assert!(section(&acc.body, "votes").contains(&receipt));
    let anon = s.client().get(&base).await;
    assert!(anon.has(&receipt) && !anon.has("你的选票") && !anon.has("您投的是"));
    s.stop().await;
}

#[tokio::test]
async fn a_draft_is_edited_by_its_author_until_published() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let mut me = s.client();
    me.login(RESIDENT.0, RESIDENT.1).await;
    let mut other = activated(&s, &mut staff, "wutong", 0, "linju-edit").await;
    let id = draft(&mut me, "路灯不亮").await;
    let edit = format!("/c/wutong/proposals/{id}/edit");

    // The form comes prefilled; the draft's page links to it.
    assert!(
        me.get(&format!("/c/wutong/proposals/{id}"))
            .await
            .has(&edit)
    );
    let form = me.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("value=\"路灯不亮\"") && form.has("说明写在这里。"));
    // Refused with the form back: what was typed, the error by its field.
    let bad = me
        .post(
            &edit,
            &[
                ("title", ""),
                ("body", "新的说明"),
                ("category", "facilities"),
                ("place", "community"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.has("请写标题") && bad.has("新的说明") && bad.has(&edit),
        "{}",
        bad.body
    );
    let bad = me
        .post(
            &edit,
            &[
                ("title", "x"),
                ("body", "y"),
                ("category", "no-such"),
                ("place", "community"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("请选择类别"));
    let title: String = s
        .sql()
        .query_row("SELECT title FROM proposals WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(title, "路灯不亮", "a refused edit changes nothing");
    let good = [
        ("title", "2栋路灯不亮"),
        ("body", "晚上 2 栋门口一片黑。"),
        ("category", "safety"),
        ("place", "community"),
    ];
    let r = me.post(&edit, &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = me.get(r.location.as_deref().unwrap()).await;
    assert!(page.has("草稿已修改") && page.has("2栋路灯不亮") && page.has("晚上 2 栋门口一片黑"));

    // Someone else: not there for them (a draft is the author's own).
    other.get("/c/wutong/proposals").await;
    assert_eq!(other.get(&edit).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&edit, &good).await.status, StatusCode::NOT_FOUND);
    staff.get("/c/wutong/proposals").await;
    assert_eq!(staff.post(&edit, &good).await.status, StatusCode::NOT_FOUND);

    // Once published, no longer.
    publish(&mut me, id).await;
    let r = me.get(&edit).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("不能再修改"), "{}", r.body);
    let changed = [
        ("title", "改过的标题"),
        ("body", "改过"),
        ("category", "safety"),
        ("place", "community"),
    ];
    assert_eq!(me.post(&edit, &changed).await.status, StatusCode::CONFLICT);
    assert_eq!(
        other.post(&edit, &changed).await.status,
        StatusCode::FORBIDDEN
    );
    let page = me.get(&format!("/c/wutong/proposals/{id}")).await;
    assert!(page.has("2栋路灯不亮") && !page.has("改过的标题") && !page.has(&edit));
    assert!(verify(&s).status.success());
    s.stop().await;
}

#[tokio::test]
async fn a_cosignature_is_withdrawn_while_open_and_the_ledger_verifies() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    staff.get("/c/wutong/proposals").await;
    let r = staff
        .post("/c/wutong/proposals/threshold", &[("threshold", "2")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut me = s.client();
    me.login(RESIDENT.0, RESIDENT.1).await;
    let mut n1 = activated(&s, &mut staff, "wutong", 0, "linju-w1").await;
    let mut n2 = activated(&s, &mut staff, "wutong", 1, "linju-w2").await;
    let id = draft(&mut me, "小区健身器材维修").await;
    publish(&mut me, id).await;
    let base = format!("/c/wutong/proposals/{id}");
    let withdraw = format!("{base}/cosign/withdraw");

    // Not co-signed yet: nothing to withdraw.
    n1.get(&base).await;
    let r = n1.post(&withdraw, &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("你没有附议这条提案"), "{}", r.body);
    n1.post(&format!("{base}/cosign"), &[]).await;
    let page = n1.get(&base).await;
    assert!(
        page.has("已附议 <strong>1</strong> / 2") && page.has(&withdraw),
        "{}",
        page.body
    );
    assert!(section(&n1.get("/account").await.body, "cosigns").contains("小区健身器材维修"));

    let r = n1.post(&withdraw, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = n1.get(r.location.as_deref().unwrap()).await;
    assert!(
        page.has("你的附议已撤回") && page.has("已附议 <strong>0</strong> / 2"),
        "{}",
        page.body
    );
    assert!(
        page.has(&format!("action=\"{base}/cosign\"")),
        "co-signing is offered again"
    );
    assert!(section(&n1.get("/account").await.body, "cosigns").contains("你还没有附议过提案"));
    assert_eq!(n1.post(&withdraw, &[]).await.status, StatusCode::CONFLICT);
    // The withdrawal is a ledger entry, and everything still verifies.
    let entries: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM ledger WHERE kind = 'proposal.cosign_withdrawn' AND subject = ?1",
            [format!("proposal:{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(entries, 1);
    let out = verify(&s);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let words = s.client().get("/c/wutong/ledger").await;
    assert!(
        words.has("居民撤回附议"),
        "the ledger names the step in words"
    );

    // Co-signed again, then a second neighbour reaches the threshold:
    // the signatures that took it to the committee stand.
    n1.post(&format!("{base}/cosign"), &[]).await;
    n2.get(&base).await;
    n2.post(&format!("{base}/cosign"), &[]).await;
    let page = n1.get(&base).await;
    assert!(
        page.has("已附议 <strong>2</strong> / 2") && !page.has(&withdraw),
        "{}",
        page.body
    );
    let r = n1.post(&withdraw, &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("已不在征集附议阶段"), "{}", r.body);
    let out = verify(&s);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A withdrawal written behind the server's back is caught.
    s.tamper(
        "UPDATE proposal_cosigns SET withdrawn_at = 1 WHERE proposal_id = ?1 AND withdrawn_at IS NULL",
        [id],
    );
    assert!(
        !verify(&s).status.success(),
        "verify catches a forged withdrawal"
    );
    s.stop().await;
}

/// A co-signature is not a toggle: after three withdrawals from one
/// proposal it cannot be given again (each change is a ledger entry).
#[tokio::test]
async fn a_cosignature_withdrawn_three_times_is_not_given_again() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let mut me = s.client();
    me.login(RESIDENT.0, RESIDENT.1).await;
    let mut n1 = activated(&s, &mut staff, "wutong", 0, "linju-t1").await;
    let id = draft(&mut me, "楼道自行车棚").await;
    publish(&mut me, id).await;
    let base = format!("/c/wutong/proposals/{id}");
    n1.get(&base).await;
    for _ in 0..3 {
        let r = n1.post(&format!("{base}/cosign"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = n1.post(&format!("{base}/cosign/withdraw"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = n1.post(&format!("{base}/cosign"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.has("三次撤回"), "{}", r.body);
    let entries: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM ledger WHERE subject = ?1 AND kind LIKE 'proposal.cosign%'",
            [format!("proposal:{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert!(entries <= 6, "bounded: {entries} entries");
}
