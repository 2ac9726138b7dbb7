//! The authorization matrix: every route in the router × every kind of
//! visitor → the expected outcome. A route this test does not know fails it,
//! so new routes must be added here with their access rule.

use crate::common::*;
use reqwest::StatusCode;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in account.
    Signed,
    /// The global operator.
    Operator,
    /// The community's committee.
    Committee,
    /// The community's committee or supervision committee.
    Overseer,
    /// Any role in the community (resident, committee, supervisor).
    Member,
    /// The community's supervision committee.
    Supervisor,
}

fn expected() -> HashMap<(&'static str, &'static str), Access> {
    use Access::*;
    HashMap::from([
        (("GET", "/"), Public),
        (("GET", "/healthz"), Public),
        (("GET", "/metrics"), Public),
        (("GET", "/static/{file}"), Public),
        (("GET", "/login"), Public),
        (("POST", "/login"), Public),
        (("POST", "/logout"), Public),
        (("GET", "/activate"), Public),
        (("POST", "/activate"), Public),
        (("POST", "/prefs"), Public),
        (("GET", "/account"), Signed),
        (("POST", "/account/password"), Signed),
        (("POST", "/account/resets/seen"), Signed),
        (("GET", "/ops"), Operator),
        (("POST", "/ops/communities"), Operator),
        (("POST", "/ops/staff"), Operator),
        (("GET", "/c/{community}"), Public),
        (("GET", "/c/{community}/settings"), Committee),
        (("POST", "/c/{community}/settings"), Committee),
        (("GET", "/c/{community}/roll"), Committee),
        (("GET", "/c/{community}/roll/export.xlsx"), Committee),
        (("GET", "/c/{community}/roll/export.csv"), Committee),
        (("GET", "/c/{community}/roll/residents/new"), Committee),
        (("POST", "/c/{community}/roll/residents"), Committee),
        (
            ("GET", "/c/{community}/roll/residents/{resident}"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/roll/residents/{resident}"),
            Committee,
        ),
        (("GET", "/c/{community}/roll/import"), Committee),
        (("POST", "/c/{community}/roll/import"), Committee),
        (
            ("POST", "/c/{community}/roll/import/{import}/confirm"),
            Committee,
        ),
        (("GET", "/c/{community}/roll/import/{import}"), Committee),
        (("GET", "/c/{community}/codes"), Committee),
        (("POST", "/c/{community}/codes"), Committee),
        (("GET", "/c/{community}/audit"), Overseer),
        (("GET", "/c/{community}/votes"), Public),
        (("GET", "/c/{community}/votes/new"), Committee),
        (("POST", "/c/{community}/votes"), Committee),
        (("GET", "/c/{community}/votes/{vote}"), Public),
        (("POST", "/c/{community}/votes/{vote}/open"), Committee),
        (
            ("GET", "/c/{community}/votes/{vote}/open/confirm"),
            Committee,
        ),
        (("POST", "/c/{community}/votes/{vote}/ballot"), Member),
        (("POST", "/c/{community}/votes/{vote}/paper"), Committee),
        (
            ("GET", "/c/{community}/votes/{vote}/tally-sheet"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/votes/{vote}/tally-sheet"),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/votes/{vote}/tally-sheet/{sheet}/confirm",
            ),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/votes/{vote}/tally-sheet/{sheet}/discard",
            ),
            Committee,
        ),
        (("POST", "/c/{community}/votes/{vote}/files"), Committee),
        (
            ("POST", "/c/{community}/votes/{vote}/files/{file}/delete"),
            Committee,
        ),
        (("GET", "/c/{community}/files/{file}"), Public),
        (("GET", "/c/{community}/desk"), Overseer),
        (("GET", "/c/{community}/deliberations"), Public),
        (("POST", "/c/{community}/deliberations"), Committee),
        (("GET", "/c/{community}/deliberations.ics"), Public),
        (
            ("GET", "/c/{community}/deliberations/{deliberation}"),
            Public,
        ),
        (
            ("POST", "/c/{community}/deliberations/{deliberation}/items"),
            Member,
        ),
        (
            (
                "POST",
                "/c/{community}/deliberations/{deliberation}/items/{item}/decide",
            ),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/deliberations/{deliberation}/checkin",
            ),
            Member,
        ),
        (
            (
                "POST",
                "/c/{community}/deliberations/{deliberation}/attendance",
            ),
            Committee,
        ),
        (
            ("POST", "/c/{community}/deliberations/{deliberation}/guests"),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/deliberations/{deliberation}/minutes",
            ),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/deliberations/{deliberation}/publish",
            ),
            Committee,
        ),
        (
            (
                "GET",
                "/c/{community}/deliberations/{deliberation}/publish/confirm",
            ),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/deliberations/{deliberation}/confirm",
            ),
            Member,
        ),
        (
            ("GET", "/c/{community}/deliberations/{deliberation}/notice"),
            Public,
        ),
        (("GET", "/c/{community}/actions"), Public),
        (("POST", "/c/{community}/actions/{action}/close"), Committee),
        (("GET", "/api/v1/c/{community}/deliberations"), Public),
        (("GET", "/c/{community}/disclosures"), Public),
        (("POST", "/c/{community}/disclosures"), Committee),
        (("GET", "/c/{community}/disclosures/new"), Committee),
        (("POST", "/c/{community}/disclosures/cadence"), Committee),
        (("GET", "/c/{community}/disclosures/{disclosure}"), Public),
        (
            ("GET", "/c/{community}/disclosures/{disclosure}/edit"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/edit"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/submit"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/sign"),
            Supervisor,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/queries"),
            Supervisor,
        ),
        (
            (
                "POST",
                "/c/{community}/disclosures/{disclosure}/threads/{thread}/answer",
            ),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/disclosures/{disclosure}/threads/{thread}/accept",
            ),
            Supervisor,
        ),
        (
            (
                "POST",
                "/c/{community}/disclosures/{disclosure}/threads/{thread}/requery",
            ),
            Supervisor,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/publish"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/correct"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/questions"),
            Member,
        ),
        (
            ("POST", "/c/{community}/disclosures/{disclosure}/files"),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/disclosures/{disclosure}/files/{file}/delete",
            ),
            Committee,
        ),
        (
            ("GET", "/c/{community}/disclosures/{disclosure}/notice"),
            Public,
        ),
        (
            ("GET", "/c/{community}/disclosures/{disclosure}/table.csv"),
            Public,
        ),
        (
            ("GET", "/c/{community}/disclosures/{disclosure}/table.xlsx"),
            Public,
        ),
        (("GET", "/api/v1/c/{community}/disclosures"), Public),
        (("POST", "/c/{community}/votes/{vote}/resolve"), Committee),
        (("POST", "/c/{community}/votes/{vote}/close"), Committee),
        (("GET", "/c/{community}/votes/{vote}/export.json"), Public),
        (("POST", "/c/{community}/votes/{vote}/objections"), Member),
        (
            (
                "POST",
                "/c/{community}/votes/{vote}/objections/{objection}/answer",
            ),
            Committee,
        ),
        (("POST", "/c/{community}/votes/{vote}/final"), Committee),
        (("GET", "/c/{community}/ledger"), Public),
        (("POST", "/c/{community}/votes/{vote}/proxies"), Committee),
        (("POST", "/c/{community}/votes/{vote}/proxy-ballot"), Member),
        (("POST", "/c/{community}/votes/{vote}/elevator"), Committee),
        (("POST", "/c/{community}/votes/{vote}/affected"), Committee),
        (("GET", "/c/{community}/votes/{vote}/notice"), Public),
        (("GET", "/c/{community}/votes/{vote}/tally.xlsx"), Public),
        (("GET", "/api/v1/c/{community}/ledger.jsonl"), Public),
        (("GET", "/c/{community}/proposals"), Public),
        (("GET", "/c/{community}/proposals/new"), Member),
        (("GET", "/c/{community}/proposals/similar"), Public),
        (("GET", "/c/{community}/proposals/ratings"), Overseer),
        (("POST", "/c/{community}/proposals/threshold"), Committee),
        (("POST", "/c/{community}/proposals"), Member),
        (("GET", "/c/{community}/proposals/{proposal}"), Public),
        (
            ("POST", "/c/{community}/proposals/{proposal}/publish"),
            Member,
        ),
        (
            ("POST", "/c/{community}/proposals/{proposal}/withdraw"),
            Member,
        ),
        (
            ("POST", "/c/{community}/proposals/{proposal}/cosign"),
            Member,
        ),
        (
            (
                "POST",
                "/c/{community}/proposals/{proposal}/cosign/withdraw",
            ),
            Member,
        ),
        (("GET", "/c/{community}/proposals/{proposal}/edit"), Member),
        (("POST", "/c/{community}/proposals/{proposal}/edit"), Member),
        (
            ("POST", "/c/{community}/proposals/{proposal}/comments"),
            Member,
        ),
        (
            ("POST", "/c/{community}/proposals/{proposal}/pickup"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/proposals/{proposal}/decide"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/proposals/{proposal}/assignment"),
            Member,
        ),
        (
            ("POST", "/c/{community}/proposals/{proposal}/progress"),
            Member,
        ),
        (("POST", "/c/{community}/proposals/{proposal}/rate"), Member),
        (("GET", "/api/v1/c/{community}/proposals"), Public),
        (("GET", "/c/{community}/rounds"), Public),
        (("POST", "/c/{community}/rounds"), Committee),
        (("POST", "/c/{community}/rounds/import"), Committee),
        (("GET", "/c/{community}/rounds/imports/{import}"), Committee),
        (("GET", "/c/{community}/rounds/{round}"), Public),
        (("GET", "/c/{community}/rounds/{round}/round.pb"), Public),
        (("POST", "/c/{community}/rounds/{round}/projects"), Member),
        (
            (
                "POST",
                "/c/{community}/rounds/{round}/projects/{project}/review",
            ),
            Committee,
        ),
        (
            (
                "POST",
                "/c/{community}/rounds/{round}/projects/{project}/milestones",
            ),
            Committee,
        ),
        (
            ("POST", "/c/{community}/rounds/{round}/settings"),
            Committee,
        ),
        (("POST", "/c/{community}/rounds/{round}/phase"), Committee),
        (("POST", "/c/{community}/rounds/{round}/ballot"), Member),
        (("GET", "/api/v1/c/{community}/rounds"), Public),
        (("GET", "/c/{community}/notify-settings"), Committee),
        (("POST", "/c/{community}/notify-settings/{kind}"), Committee),
        (
            ("POST", "/c/{community}/notify-settings/{kind}/test"),
            Committee,
        ),
        (("GET", "/c/{community}/notify-prefs"), Member),
        (("POST", "/c/{community}/notify-prefs"), Member),
        (("GET", "/unsubscribe/{token}"), Public),
        (("POST", "/unsubscribe/{token}"), Public),
        (("GET", "/c/{community}/poster"), Public),
        (("GET", "/c/{community}/notices"), Committee),
        (("GET", "/c/{community}/notices/{notice}"), Committee),
        (
            (
                "POST",
                "/c/{community}/notices/{notice}/deliveries/{delivery}/resend",
            ),
            Committee,
        ),
        (("GET", "/c/{community}/notices/{notice}/paper"), Committee),
        (
            ("POST", "/c/{community}/notices/{notice}/paper/{household}"),
            Committee,
        ),
        (
            ("GET", "/c/{community}/votes/{vote}/advance-notice/confirm"),
            Committee,
        ),
        (
            ("POST", "/c/{community}/votes/{vote}/advance-notice"),
            Committee,
        ),
        (("GET", "/c/{community}/receipts/{token}"), Committee),
        (("POST", "/c/{community}/receipts/{token}"), Committee),
    ])
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Resident,
    OtherCommunityResident,
    Committee,
    Supervisor,
    Operator,
}

fn allowed(access: Access, who: Who) -> bool {
    match access {
        Access::Public => true,
        Access::Signed => who != Who::Anonymous,
        Access::Operator => who == Who::Operator,
        Access::Committee => who == Who::Committee,
        Access::Overseer => matches!(who, Who::Committee | Who::Supervisor),
        Access::Member => matches!(who, Who::Resident | Who::Committee | Who::Supervisor),
        Access::Supervisor => who == Who::Supervisor,
    }
}

#[tokio::test]
async fn every_route_with_every_role() {
    let s = Server::start().await;
    let table = expected();
    let mut routes = teahouse::web::routes::list();
    for (m, p) in &routes {
        assert!(
            table.contains_key(&(m.as_str(), *p)),
            "route {m} {p} is not in the authorization matrix: add it with its access rule"
        );
    }
    assert_eq!(
        routes.len(),
        table.len(),
        "the matrix lists routes the router no longer has"
    );
    // Logging out ends the session: walk it last.
    routes.sort_by_key(|(_, p)| *p == "/logout");

    let resident_id: i64 = s
        .sql()
        .query_row(
            "SELECT r.id FROM residents r JOIN communities c ON c.id = r.community_id WHERE c.slug = 'wutong' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // A resident of the village, with an account, to knock on the compound's doors.
    let mut vc = s.client();
    vc.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let (vid, _) = resident_without_account(&s, "xingfu", 0);
    let code = issue_code(&mut vc, "xingfu", vid).await;

    for who in [
        Who::Anonymous,
        Who::Resident,
        Who::OtherCommunityResident,
        Who::Committee,
        Who::Supervisor,
        Who::Operator,
    ] {
        let mut c = s.client();
        match who {
            Who::Anonymous => {}
            Who::Resident => drop(c.login(RESIDENT.0, RESIDENT.1).await),
            Who::OtherCommunityResident => {
                let r = c
                    .post(
                        "/activate",
                        &[
                            ("code", &code),
                            ("login", "villager"),
                            ("password", "villager-pass"),
                            ("password2", "villager-pass"),
                        ],
                    )
                    .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            }
            Who::Committee => drop(c.login(COMMITTEE.0, COMMITTEE.1).await),
            Who::Supervisor => drop(c.login(SUPERVISOR.0, SUPERVISOR.1).await),
            Who::Operator => drop(c.login(OPERATOR.0, OPERATOR.1).await),
        }
        for (method, pattern) in &routes {
            let access = table[&(method.as_str(), *pattern)];
            let path = pattern
                .replace("{community}", "wutong")
                .replace("{resident}", &resident_id.to_string())
                .replace("{import}", "999999")
                .replace("{vote}", "999999")
                .replace("{objection}", "999999")
                .replace("{disclosure}", "999999")
                .replace("{thread}", "999999")
                .replace("{deliberation}", "999999")
                .replace("{item}", "999999")
                .replace("{action}", "999999")
                .replace("{proposal}", "999999")
                .replace("{round}", "999999")
                .replace("{project}", "999999")
                .replace("{notice}", "999999")
                .replace("{delivery}", "999999")
                .replace("{household}", "999999")
                .replace("{kind}", "webhook")
                .replace("{token}", "0123456789abcdef0123456789abcdef")
                .replace("{file}", "nothing-here.css");
            let r = if method == "GET" {
                c.get(&path).await
            } else {
                c.post(&path, &[]).await
            };
            let st = r.status;
            assert!(
                st.as_u16() < 500,
                "{who:?} {method} {path} → {st}: {}",
                r.body
            );
            if allowed(access, who) {
                if access != Access::Public {
                    assert!(
                        st != StatusCode::FORBIDDEN
                            && st != StatusCode::UNAUTHORIZED
                            && r.location
                                .as_deref()
                                .is_none_or(|l| !l.starts_with("/login")),
                        "{who:?} should be let through {method} {path}, got {st}"
                    );
                } else {
                    assert_ne!(st, StatusCode::FORBIDDEN, "{who:?} {method} {path}");
                }
            } else if who == Who::Anonymous {
                if method == "GET" {
                    assert_eq!(st, StatusCode::SEE_OTHER, "{method} {path}");
                    assert!(
                        r.location
                            .as_deref()
                            .unwrap_or("")
                            .starts_with("/login?next="),
                        "{method} {path}"
                    );
                } else {
                    assert_eq!(st, StatusCode::UNAUTHORIZED, "anonymous {method} {path}");
                }
            } else {
                assert_eq!(st, StatusCode::FORBIDDEN, "{who:?} {method} {path}");
            }
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn a_committee_of_one_community_cannot_touch_another() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    assert_eq!(c.get("/c/wutong/roll").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.get("/c/wutong/roll/export.csv").await.status,
        StatusCode::FORBIDDEN
    );
    // A resident id from the other community is simply not found in this one.
    let other: i64 = s
        .sql()
        .query_row(
            "SELECT r.id FROM residents r JOIN communities c ON c.id = r.community_id WHERE c.slug = 'wutong' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        c.get(&format!("/c/xingfu/roll/residents/{other}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = c
        .post(
            "/c/xingfu/codes",
            &[("resident", &other.to_string()), ("days", "30")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn cross_site_and_tokenless_posts_are_refused() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let url = format!("{}/c/wutong/settings", s.base);
    // Cross-origin form post (a browser sends Origin and Sec-Fetch-Site).
    let tok = c.csrf.clone();
    let r = c
        .http
        .post(&url)
        .header("Origin", "http://evil.example")
        .form(&[("_csrf", tok.as_str()), ("name", "hacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("其他网站"));
    let r = c
        .http
        .post(&url)
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("_csrf", tok.as_str()), ("name", "hacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Same origin but without the token, or with a wrong one.
    let r = c
        .http
        .post(&url)
        .form(&[("name", "hacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("表单已过期"));
    let wrong = "0".repeat(64);
    let r = c
        .http
        .post(&url)
        .form(&[("_csrf", wrong.as_str()), ("name", "hacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Nothing was written.
    let name: String = s
        .sql()
        .query_row(
            "SELECT contact_name FROM communities WHERE slug = 'wutong'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_ne!(name, "hacked");
    // The same post from our own page goes through.
    c.get("/c/wutong/settings").await;
    let ok = c
        .post(
            "/c/wutong/settings",
            &[
                ("name", "居委会 李书记"),
                ("phone", "0510-83456789"),
                ("address", "服务中心"),
                ("hours", "9-17"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    s.stop().await;
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let s = Server::start().await;
    let mut c = s.client();
    let r = c.get("/c/wutong").await;
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
    assert!(!r.body.contains("style=\""), "no inline style attributes");
    assert!(!r.body.contains("<script>"), "no inline script");
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    // The htmx asset is served at its hashed path and cached for good.
    let i = r.body.find("/static/htmx-").unwrap();
    let path: String = r.body[i..].chars().take_while(|c| *c != '"').collect();
    let js = c.get(&path).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(js.body.contains("htmx"));
    let m = c.get("/metrics").await;
    assert!(m.has("teahouse_http_requests_total") && m.has("teahouse_db_readers"));
    s.stop().await;
}

/// Adds a role to an existing login from the operator's page.
async fn add_role(
    op: &mut Client,
    community: &str,
    role: &str,
    login: &str,
    extra: &[(&str, &str)],
) -> Resp {
    op.get("/ops").await;
    let mut form = vec![
        ("community", community),
        ("role", role),
        ("login", login),
        ("display_name", "某某"),
    ];
    form.extend_from_slice(extra);
    op.post("/ops/staff", &form).await
}

#[tokio::test]
async fn nobody_is_on_the_committee_and_the_supervision_committee_at_once() {
    let s = Server::start().await;
    let mut op = s.client();
    op.login(OPERATOR.0, OPERATOR.1).await;
    let memberships = scalar(&s, "SELECT count(*) FROM memberships");
    let audit = scalar(&s, "SELECT count(*) FROM audit_log");
    for (role, login) in [("supervisor", COMMITTEE.0), ("committee", SUPERVISOR.0)] {
        let r = add_role(&mut op, "wutong", role, login, &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{role} {login}");
        assert!(r.has("第三十二条") && !r.has("art. 32"), "{}", r.body);
        assert!(r.has("f-role-err"), "the error is on the role field");
    }
    // Even with a reset ticked, nothing is written: no role, no reset.
    let r = add_role(
        &mut op,
        "wutong",
        "supervisor",
        COMMITTEE.0,
        &[("reset_password", "1"), ("reason", "试试")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(scalar(&s, "SELECT count(*) FROM memberships"), memberships);
    assert_eq!(
        scalar(&s, "SELECT count(*) FROM audit_log"),
        audit,
        "nothing logged: nothing done"
    );
    assert_eq!(scalar(&s, "SELECT count(*) FROM password_resets"), 0);
    // The committee member's password still works, and they are still no supervisor.
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    assert_eq!(c.get("/c/wutong/desk").await.status, StatusCode::OK);
    // In another community the same person may supervise.
    let ok = add_role(&mut op, "xingfu", "supervisor", COMMITTEE.0, &[]).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // The operator holds no community role.
    let r = add_role(&mut op, "wutong", "committee", OPERATOR.0, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("运维账户"));
    s.stop().await;
}

#[tokio::test]
async fn adding_a_role_never_resets_a_password_unless_the_operator_says_so() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    // A resident activates their account, then the operator makes them a supervisor.
    let (rid, _) = resident_without_account(&s, "wutong", 0);
    let code = issue_code(&mut com, "wutong", rid).await;
    let mut li = s.client();
    let r = li
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "sup-li"),
                ("password", "li-own-password"),
                ("password2", "li-own-password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // While still a plain resident, the committee prints a reset code for them…
    let early_code = issue_reset_code(&mut com, "wutong", rid, "本人说忘记了密码").await;
    let mut op = s.client();
    op.login(OPERATOR.0, OPERATOR.1).await;
    let added = add_role(&mut op, "wutong", "supervisor", "sup-li", &[]).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert!(
        added.has("密码没有改动") && !added.has("临时密码："),
        "{}",
        added.body
    );
    // The resident's own password still works, and their session too.
    assert_eq!(li.get("/c/wutong/desk").await.status, StatusCode::OK);
    let mut again = s.client();
    again.login("sup-li", "li-own-password").await;

    // …which can no longer reset a supervisor's account.
    let mut someone = s.client();
    let refused = someone
        .post(
            "/activate",
            &[
                ("code", &early_code),
                ("login", "sup-li"),
                ("password", "taken-over-pass"),
                ("password2", "taken-over-pass"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.has("只能由运维重置") && !refused.has("Only the operator"),
        "{}",
        refused.body
    );
    assert_eq!(scalar(&s, "SELECT count(*) FROM password_resets"), 0);
    assert_eq!(
        scalar(
            &s,
            "SELECT count(*) FROM activation_codes WHERE used_at IS NOT NULL AND reason != ''"
        ),
        0,
        "the code was not used up"
    );
    let mut check = s.client();
    check.login("sup-li", "li-own-password").await;
    assert_eq!(
        someone.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "nobody was logged in"
    );
    // Nor will the committee print a new one.
    com.get(&format!("/c/wutong/roll/residents/{rid}")).await;
    let r = com
        .post(
            "/c/wutong/codes",
            &[
                ("resident", &rid.to_string()),
                ("days", "30"),
                ("reason", "再试一次"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("激活码不能重设它的密码"));

    // The operator resets only when asked to, with a reason, as the operator's act.
    let no_reason = add_role(
        &mut op,
        "wutong",
        "supervisor",
        "sup-li",
        &[("reset_password", "1")],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.has("请写明原因"));
    let reset = add_role(
        &mut op,
        "wutong",
        "supervisor",
        "sup-li",
        &[("reset_password", "1"), ("reason", "本人电话申请")],
    )
    .await;
    assert_eq!(reset.status, StatusCode::OK);
    let i = reset
        .body
        .find("临时密码：")
        .expect("temporary password shown")
        + "临时密码：".len();
    let temp: String = reset.body[i..].chars().take(14).collect();
    assert_eq!(
        check.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "sessions ended"
    );
    let mut w = s.client();
    let first = w
        .post("/login", &[("login", "sup-li"), ("password", &temp)])
        .await;
    assert_eq!(first.location.as_deref(), Some("/account#password"));
    let acct = w.get("/account").await;
    assert!(
        acct.has("被 运维") && acct.has("本人电话申请"),
        "{}",
        acct.body
    );
    let actor: String = s
        .sql()
        .query_row(
            "SELECT actor FROM audit_log WHERE action = 'auth.reset'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(actor, OPERATOR.0);
    let mut sup = s.client();
    sup.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let desk = sup.get("/c/wutong/desk").await;
    assert!(
        desk.has("密码被重置（运维）") && desk.has("本人电话申请"),
        "{}",
        desk.body
    );
    s.stop().await;
}

#[tokio::test]
async fn an_activation_code_never_resets_a_staff_account() {
    let s = Server::start().await;
    // A committee member who lives in the compound: their resident entry is
    // linked to their staff account (as when a resident is made staff).
    let rid: i64 = s
        .sql()
        .query_row(
            "SELECT r.id FROM residents r JOIN communities c ON c.id = r.community_id
             WHERE c.slug = 'wutong' AND r.is_adult = 1
               AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.resident_id = r.id) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    s.sql()
        .execute(
            "UPDATE accounts SET resident_id = ?1 WHERE login = ?2",
            rusqlite::params![rid, SUPERVISOR.0],
        )
        .unwrap();
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let page = com.get(&format!("/c/wutong/roll/residents/{rid}")).await;
    assert!(page.has("激活码不能重设它的密码") && !page.has("name=\"reason\""));
    let r = com
        .post(
            "/c/wutong/codes",
            &[
                ("resident", &rid.to_string()),
                ("days", "30"),
                ("reason", "忘记密码"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        scalar(
            &s,
            &format!("SELECT count(*) FROM activation_codes WHERE resident_id = {rid}")
        ),
        0
    );
    // A code made some other way (an old one, or straight in the database) is refused at use.
    let code = issue_code_for_test(&s, rid);
    let mut c = s.client();
    let refused = c
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", SUPERVISOR.0),
                ("password", "taken-over-pass"),
                ("password2", "taken-over-pass"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.has("只能由运维重置"));
    // The supervisor still logs in with their own password.
    s.client().login(SUPERVISOR.0, SUPERVISOR.1).await;
    assert_eq!(scalar(&s, "SELECT count(*) FROM password_resets"), 0);
    s.stop().await;
}

/// Puts a code straight into the database, as if issued for a reset of
/// whatever account the resident has, and returns it.
fn issue_code_for_test(s: &Server, rid: i64) -> String {
    use sha2::{Digest, Sha256};
    let code = "TEST2345";
    let db = s.sql();
    let (cid, acct): (i64, Option<i64>) = db
        .query_row(
            "SELECT r.community_id, (SELECT id FROM accounts WHERE resident_id = r.id) FROM residents r WHERE r.id = ?1",
            [rid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    db.execute(
        "INSERT INTO activation_codes (community_id, resident_id, code_hash, created_by, created_at, expires_at, account_id, reason)
         VALUES (?1, ?2, ?3, NULL, strftime('%s','now'), strftime('%s','now') + 3600, ?4, 'test')",
        rusqlite::params![cid, rid, Sha256::digest(code.as_bytes()).to_vec(), acct],
    )
    .unwrap();
    code.to_string()
}

/// The operator's staff list names each community's own committee: 居委会
/// for a compound, 村委会 for a village, never both glued together.
#[tokio::test]
async fn the_staff_list_names_each_communitys_own_committee() {
    let s = Server::start().await;
    let mut op = s.client();
    op.login(OPERATOR.0, OPERATOR.1).await;
    let page = op.get("/ops").await;
    let line = |login: &str| -> String {
        let at = page
            .body
            .find(&format!(">{login}<"))
            .unwrap_or_else(|| panic!("{login} listed"));
        let end = page.body[at..]
            .find("</tr>")
            .map(|e| at + e)
            .unwrap_or(page.body.len());
        page.body[at..end].to_string()
    };
    assert!(
        line(COMMITTEE.0).contains("居委会"),
        "{}",
        line(COMMITTEE.0)
    );
    assert!(
        line(VILLAGE_COMMITTEE.0).contains("村委会"),
        "{}",
        line(VILLAGE_COMMITTEE.0)
    );
    assert!(!line(COMMITTEE.0).contains("村委会"));
    assert!(!line(VILLAGE_COMMITTEE.0).contains("居委会"));
}
