//! A round's committee forms refused (#16 item 3): the review, a milestone,
//! the rule and the next-phase button come back on the round's page as the
//! same form, as typed, with the reason beside the field, in the member's
//! own header; nothing is written.

use crate::common::*;
use reqwest::StatusCode;

fn one(s: &Server, sql: &str, id: i64) -> i64 {
    s.sql().query_row(sql, [id], |r| r.get(0)).unwrap()
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

/// The member's own header, not the bare error page.
fn own_page(r: &Resp) {
    refused_own_page(r);
    assert!(r.has(r#"class="field-error""#), "{}", r.body);
}

/// A new round collecting ideas, with one idea (12,000 yuan) in it: the
/// round's page and the project's id.
async fn round_with_an_idea(s: &Server, staff: &mut Client) -> (String, i64) {
    staff.get("/c/wutong/rounds").await;
    let r = staff
        .post(
            "/c/wutong/rounds",
            &[
                ("title", "楼道金点子"),
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
    let page = r.location.expect("the new round's page");
    let page = page.split('?').next().unwrap().to_string();
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    res.get(&page).await;
    let r = res
        .post(
            &format!("{page}/projects"),
            &[("title", "楼道书屋"), ("cost", "12000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rid: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let pid = one(
        s,
        "SELECT max(id) FROM round_projects WHERE round_id = ?1",
        rid,
    );
    (page, pid)
}

#[tokio::test]
async fn a_refused_review_comes_back_as_typed_beside_its_field() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let (page, pid) = round_with_an_idea(&s, &mut staff).await;
    let reviews = audits(&s, "round.review");
    staff.get(&page).await;
    let review = format!("{page}/projects/{pid}/review");
    // A changed cost without its reason.
    let r = staff
        .post(&review, &[("verdict", "feasible"), ("cost", "8000")])
        .await;
    own_page(&r);
    assert!(r.has(&format!(r#"action="{review}""#)), "{}", r.body);
    assert!(r.has("调整费用时须写明理由"), "{}", r.body);
    assert!(r.has(r#"id="f-cost_reason-err""#), "{}", r.body);
    assert!(r.has(r#"value="8000""#), "{}", r.body);
    // Not feasible without a reason, and an amount that is not one.
    let r = staff
        .post(&review, &[("verdict", "infeasible"), ("cost", "八千")])
        .await;
    own_page(&r);
    assert!(r.has("认定不可行时须写明理由"), "{}", r.body);
    assert!(r.has("“八千”不是金额"), "{}", r.body);
    assert!(r.has(r#"value="八千""#), "{}", r.body);
    assert!(
        r.has(r#"name="verdict" value="infeasible" checked"#),
        "{}",
        r.body
    );
    // Nothing was written.
    let sql = "SELECT count(*) FROM round_projects WHERE id = ?1 AND review = 'pending' AND cost = 1200000";
    assert_eq!(one(&s, sql, pid), 1);
    assert_eq!(audits(&s, "round.review"), reviews);
    // The same review with its reason is taken.
    let r = staff
        .post(
            &review,
            &[
                ("verdict", "feasible"),
                ("cost", "8000"),
                ("cost_reason", "报价更低"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(audits(&s, "round.review"), reviews + 1);
}

#[tokio::test]
async fn a_refused_rule_or_phase_comes_back_with_the_reason() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let (page, _) = round_with_an_idea(&s, &mut staff).await;
    let rid: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let (rules, phases) = (audits(&s, "round.rule"), audits(&s, "round.phase"));
    staff.get(&page).await;
    let r = staff
        .post(
            &format!("{page}/settings"),
            &[("rule", "mes"), ("max_approvals", "0")],
        )
        .await;
    own_page(&r);
    assert!(r.has("每人最多赞成数应为正整数或留空"), "{}", r.body);
    assert!(r.has(r#"id="f-max_approvals-err""#), "{}", r.body);
    assert!(r.has(r#"value="0""#), "{}", r.body);
    assert!(r.has(r#"name="rule" value="mes" checked"#), "{}", r.body);
    let sql =
        "SELECT count(*) FROM rounds WHERE id = ?1 AND rule = 'greedy' AND max_approvals IS NULL";
    assert_eq!(one(&s, sql, rid), 1);
    assert_eq!(audits(&s, "round.rule"), rules);
    // Ideas close; voting cannot open while the idea awaits review.
    let r = staff.post(&format!("{page}/phase"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = staff.post(&format!("{page}/phase"), &[]).await;
    own_page(&r);
    assert!(r.has("还有项目未评审"), "{}", r.body);
    assert!(r.has(r#"id="phase""#), "{}", r.body);
    let sql = "SELECT count(*) FROM rounds WHERE id = ?1 AND phase = 'review'";
    assert_eq!(one(&s, sql, rid), 1);
    assert_eq!(audits(&s, "round.phase"), phases + 1);
}

/// The demo's finished round and its funded project.
fn funded_project(s: &Server) -> (i64, i64) {
    s.sql()
        .query_row(
            "SELECT r.id, p.id FROM rounds r JOIN round_projects p ON p.round_id = r.id
             WHERE r.phase = 'results' AND p.funded = 1 ORDER BY p.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[tokio::test]
async fn a_refused_milestone_comes_back_open_as_typed() {
    let s = Server::start().await;
    let (rid, pid) = funded_project(&s);
    let before = one(
        &s,
        "SELECT count(*) FROM round_milestones WHERE project_id = ?1",
        pid,
    );
    let milestones = audits(&s, "round.milestone");
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = format!("/c/wutong/rounds/{rid}");
    staff.get(&page).await;
    let path = format!("{page}/projects/{pid}/milestones");
    let r = staff
        .post(
            &path,
            &[
                ("title", "验收"),
                ("due", "下个月"),
                ("spent", "12x"),
                ("note", "等物业"),
                ("done", "1"),
            ],
        )
        .await;
    own_page(&r);
    assert!(r.has(&format!(r#"action="{path}""#)), "{}", r.body);
    assert!(
        r.has("请填写期限日期") && r.has("“12x”不是金额"),
        "{}",
        r.body
    );
    for typed in [r#"value="验收""#, r#"value="12x""#, r#"value="等物业""#] {
        assert!(r.has(typed), "{typed} stays: {}", r.body);
    }
    assert!(r.has("<details open"), "{}", r.body);
    // A disclosure that is not published is refused beside its field.
    let r = staff
        .post(
            &path,
            &[
                ("title", "验收"),
                ("due", "2027-01-10"),
                ("disclosure", "#99999"),
            ],
        )
        .await;
    own_page(&r);
    assert!(r.has("公开编号 99999 不存在或尚未公开"), "{}", r.body);
    assert!(r.has(r#"id="f-disclosure-err""#), "{}", r.body);
    assert!(r.has(r##"value="#99999""##), "{}", r.body);
    let after = one(
        &s,
        "SELECT count(*) FROM round_milestones WHERE project_id = ?1",
        pid,
    );
    assert_eq!(after, before, "nothing was written");
    assert_eq!(audits(&s, "round.milestone"), milestones);
}
