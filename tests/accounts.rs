//! Accounts over HTTP: activation with a one-time code, login, logout,
//! password change, wrong password, expired and reused codes, lockout,
//! committee-initiated reset.

mod common;
use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn activation_login_logout_and_password_change() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let (rid, name) = resident_without_account(&s, "wutong", 0);
    let code = issue_code(&mut staff, "wutong", rid).await;

    // The slip's QR code leads to the activation page with the code filled in.
    let mut r = s.client();
    let page = r.get(&format!("/activate?code={code}")).await;
    assert!(page.has(&code));

    // Mismatched passwords: refused, nothing created.
    let bad = r
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "zhang01"),
                ("password", "longpassword"),
                ("password2", "other-password"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("两次输入的密码不一样") && bad.has("the two passwords differ"));

    // Activation logs the resident in and lands on the board.
    let ok = r
        .post(
            "/activate",
            &[
                ("code", &code.to_lowercase()),
                ("login", "zhang01"),
                ("password", "first-password"),
                ("password2", "first-password"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/c/wutong"));
    let board = r.get("/c/wutong").await;
    assert!(
        board.has("您的住址"),
        "the board greets the resident with their home"
    );
    let acct = r.get("/account").await;
    assert!(acct.has(&name) && acct.has("zhang01"));

    // A reused code is refused with a clear message.
    let mut other = s.client();
    let reused = other
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "someone"),
                ("password", "another-pass"),
                ("password2", "another-pass"),
            ],
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reused.has("已经用过"), "{}", reused.body);

    // Logout ends the session.
    let out = r.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let acct = r.get("/account").await;
    assert_eq!(acct.status, StatusCode::SEE_OTHER);
    assert!(acct.location.unwrap().starts_with("/login?next="));

    // Wrong password: 401 and a message; right one: in.
    let wrong = r
        .post(
            "/login",
            &[("login", "zhang01"), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.has("登录名或密码不正确") && wrong.has("Wrong login name or password"));
    let unknown = r
        .post(
            "/login",
            &[("login", "nobody-here"), ("password", "whatever123")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    r.login("ZHANG01", "first-password").await; // login names ignore case

    // Password change: the current password must be right.
    let refused = r
        .post(
            "/account/password",
            &[
                ("current", "wrong-current"),
                ("password", "second-password"),
                ("password2", "second-password"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.has("当前密码不正确"));
    let changed = r
        .post(
            "/account/password",
            &[
                ("current", "first-password"),
                ("password", "second-password"),
                ("password2", "second-password"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    r.post("/logout", &[]).await;
    let old = r
        .post(
            "/login",
            &[("login", "zhang01"), ("password", "first-password")],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    r.login("zhang01", "second-password").await;

    // Every step is in the audit log.
    let log = staff.get("/c/wutong/audit").await;
    assert!(log.has("auth.activate") && log.has("codes.issue"));
    s.stop().await;
}

#[tokio::test]
async fn expired_and_replaced_codes_are_refused() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let (rid, _) = resident_without_account(&s, "wutong", 1);
    let first = issue_code(&mut staff, "wutong", rid).await;
    let second = issue_code(&mut staff, "wutong", rid).await;
    let mut r = s.client();
    let replaced = r
        .post(
            "/activate",
            &[
                ("code", &first),
                ("login", "li-fang"),
                ("password", "longpassword"),
                ("password2", "longpassword"),
            ],
        )
        .await;
    assert_eq!(replaced.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(replaced.has("已作废"), "{}", replaced.body);

    // Time passes: the second code expires.
    s.sql()
        .execute("UPDATE activation_codes SET expires_at = strftime('%s','now') - 1 WHERE resident_id = ?1", [rid])
        .unwrap();
    let expired = r
        .post(
            "/activate",
            &[
                ("code", &second),
                ("login", "li-fang"),
                ("password", "longpassword"),
                ("password2", "longpassword"),
            ],
        )
        .await;
    assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(expired.has("已过期") && expired.has("expired"));
    let n: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM accounts WHERE login = 'li-fang'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "no account was created");

    // A malformed code is told apart from a wrong one.
    let short = r
        .post(
            "/activate",
            &[
                ("code", "ABC"),
                ("login", "li-fang"),
                ("password", "longpassword"),
                ("password2", "longpassword"),
            ],
        )
        .await;
    assert!(short.has("8 位"));
    s.stop().await;
}

#[tokio::test]
async fn committee_reset_and_account_lockout() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    // The demo resident forgot their password: the committee prints a new code.
    let rid: i64 = s
        .sql()
        .query_row(
            "SELECT resident_id FROM accounts WHERE login = 'resident'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut phone = s.client();
    phone.login(RESIDENT.0, RESIDENT.1).await;
    let code = issue_code(&mut staff, "wutong", rid).await;
    let mut r = s.client();
    let ok = r
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "resident"),
                ("password", "brand-new-pass"),
                ("password2", "brand-new-pass"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // The old session elsewhere is logged out; the old password no longer works.
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER);
    let old = r
        .post("/login", &[("login", "resident"), ("password", RESIDENT.1)])
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert!(staff.get("/c/wutong/audit").await.has("auth.reset"));

    // Five wrong passwords lock the account, even for the right one.
    for _ in 0..5 {
        let w = r
            .post("/login", &[("login", "juwei"), ("password", "guess-guess")])
            .await;
        assert_eq!(w.status, StatusCode::UNAUTHORIZED);
    }
    let locked = r
        .post("/login", &[("login", "juwei"), ("password", COMMITTEE.1)])
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.has("暂时锁定"), "{}", locked.body);
    s.stop().await;
}

#[tokio::test]
async fn login_is_rate_limited_per_address() {
    let s = Server::start_with(|c| {
        c.login_burst = 3;
        c.login_refill_secs = 600;
    })
    .await;
    let mut r = s.client();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            r.post(
                "/login",
                &[("login", "x-nobody"), ("password", "whatever123")],
            )
            .await,
        );
    }
    assert!(
        statuses[..3]
            .iter()
            .all(|x| x.status == StatusCode::UNAUTHORIZED)
    );
    let last = statuses.last().unwrap();
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS, "{}", last.body);
    assert!(last.has("尝试太频繁") && last.has("Too many attempts"));
    s.stop().await;
}

#[tokio::test]
async fn operator_creates_a_community_and_staff_who_must_change_password() {
    let s = Server::start().await;
    let mut op = s.client();
    op.login(OPERATOR.0, OPERATOR.1).await;
    let bad = op
        .post(
            "/ops/communities",
            &[("name", ""), ("slug", "Bad Slug"), ("kind", "village")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("网址名"));
    let ok = op
        .post(
            "/ops/communities",
            &[
                ("name", "青山村"),
                ("slug", "qingshan"),
                ("kind", "village"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let dup = op
        .post(
            "/ops/communities",
            &[
                ("name", "青山村"),
                ("slug", "qingshan"),
                ("kind", "village"),
            ],
        )
        .await;
    assert!(dup.has("已被使用"));
    let staff = op
        .post(
            "/ops/staff",
            &[
                ("community", "qingshan"),
                ("role", "committee"),
                ("login", "qs-wang"),
                ("display_name", "王会计"),
            ],
        )
        .await;
    let i = staff
        .body
        .find("临时密码：")
        .expect("temporary password shown")
        + "临时密码：".len();
    let temp: String = staff.body[i..].chars().take(14).collect();
    let mut w = s.client();
    let first = w
        .post("/login", &[("login", "qs-wang"), ("password", &temp)])
        .await;
    assert_eq!(first.location.as_deref(), Some("/account#password"));
    // Until the password is changed, other pages send them back.
    assert_eq!(
        w.get("/c/qingshan/roll").await.location.as_deref(),
        Some("/account#password")
    );
    let ch = w
        .post(
            "/account/password",
            &[
                ("current", &temp),
                ("password", "my-own-password"),
                ("password2", "my-own-password"),
            ],
        )
        .await;
    assert_eq!(ch.status, StatusCode::SEE_OTHER);
    assert_eq!(w.get("/c/qingshan/roll").await.status, StatusCode::OK);
    s.stop().await;
}
