//! Accounts over HTTP: activation with a one-time code, login, logout,
//! password change, wrong password, expired and reused codes, delays after
//! wrong passwords (never a lockout), committee-initiated reset with a
//! reason, CSRF tokens bound to the session, the trusted proxy.

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
async fn committee_reset_needs_a_reason_is_the_issuers_act_and_is_told() {
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
    let codes_for = |s: &Server| -> i64 {
        s.sql()
            .query_row(
                "SELECT count(*) FROM activation_codes WHERE resident_id = ?1",
                [rid],
                |r| r.get(0),
            )
            .unwrap()
    };
    let mut phone = s.client();
    phone.login(RESIDENT.0, RESIDENT.1).await;

    // Without a reason: refused on the resident's page, no code issued.
    let page = staff.get(&format!("/c/wutong/roll/residents/{rid}")).await;
    assert!(page.has("name=\"reason\""), "the form asks for a reason");
    let no_reason = staff
        .post(
            "/c/wutong/codes",
            &[
                ("resident", &rid.to_string()),
                ("days", "30"),
                ("reason", "  "),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.has("请写明原因") && no_reason.has("State the reason"));
    assert!(
        no_reason.has("f-reason-err"),
        "the error is on the reason field"
    );
    assert_eq!(codes_for(&s), 0);

    // Issuing by filter skips everyone who has an account.
    staff.get("/c/wutong/codes").await;
    let bulk = staff.post("/c/wutong/codes", &[("days", "30")]).await;
    assert_eq!(bulk.status, StatusCode::OK);
    assert_eq!(
        codes_for(&s),
        0,
        "the bulk sheet left the resident with an account out"
    );
    assert!(bulk.has("slip-code"));

    let reason = "本人来居委会说忘记了密码";
    let code = issue_reset_code(&mut staff, "wutong", rid, reason).await;

    // A reset code never renames the account.
    let mut r = s.client();
    let renamed = r
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "someone-else"),
                ("password", "brand-new-pass"),
                ("password2", "brand-new-pass"),
            ],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::CONFLICT);
    assert!(
        renamed.has("登录名不变") && renamed.has("resident"),
        "{}",
        renamed.body
    );
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

    // The reset is the act of the committee member who issued the code.
    let (actor, detail): (String, String) = s
        .sql()
        .query_row(
            "SELECT actor, detail FROM audit_log WHERE action = 'auth.reset'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(actor, COMMITTEE.0);
    assert!(
        detail.contains(reason) && detail.contains("used by: resident"),
        "{detail}"
    );
    let log = staff.get("/c/wutong/audit").await;
    assert!(log.has("auth.reset") && log.has("codes.reissue"));

    // The owner is told at the next login, until they say they have read it.
    let mut owner = s.client();
    let login = owner
        .post(
            "/login",
            &[("login", "resident"), ("password", "brand-new-pass")],
        )
        .await;
    assert_eq!(login.location.as_deref(), Some("/account#resets"));
    let acct = owner.get("/account").await;
    assert!(
        acct.has("您的密码已于")
            && acct.has("被 居委会/村委会 李书记 重置")
            && acct.has(&format!("（原因：{reason}）")),
        "{}",
        acct.body
    );
    assert!(acct.has("如果不是您本人要求的，请联系监督委员会"));
    assert!(
        acct.has("Your password was reset on") && acct.has("contact the supervision committee")
    );
    let seen = owner.post("/account/resets/seen", &[]).await;
    assert_eq!(seen.status, StatusCode::SEE_OTHER);
    assert!(!owner.get("/account").await.has("您的密码已于"));
    owner.post("/logout", &[]).await;
    let again = owner
        .post(
            "/login",
            &[("login", "resident"), ("password", "brand-new-pass")],
        )
        .await;
    assert_eq!(again.location.as_deref(), Some("/c/wutong"));

    // The supervisors see it on their desk, with who, when and why.
    let mut sup = s.client();
    sup.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let desk = sup.get("/c/wutong/desk").await;
    assert!(desk.has("密码重置和重发的激活码"));
    assert!(
        desk.has("李书记 (juwei)") && desk.has(reason) && desk.has("(resident)"),
        "{}",
        desk.body
    );
    assert!(desk.has("密码被重置") && desk.has("给已有账户的居民发激活码（已使用）"));
    let log = sup.get("/c/wutong/audit?action=auth.reset").await;
    assert!(log.has("auth.reset") && log.has(">juwei<"), "{}", log.body);
    s.stop().await;
}

/// Wrong passwords slow a login down; they never lock its owner out.
fn small_delays(c: &mut teahouse::Config) {
    c.trusted_proxy = Some("127.0.0.1".parse().unwrap());
    c.throttle = teahouse::web::throttle::Rule {
        free: 3,
        login_free: 5,
        base: std::time::Duration::from_millis(200),
        cap: std::time::Duration::from_secs(1),
        ..Default::default()
    };
}

fn retry_after(r: &Resp) -> u64 {
    r.headers
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn wrong_passwords_slow_down_and_the_right_one_works_after_the_wait() {
    let s = Server::start_with(small_delays).await;
    let mut a = client_via(&s.base, "10.0.0.66");
    // Guess until told to wait.
    let mut told = None;
    for _ in 0..10 {
        let w = a
            .post("/login", &[("login", "juwei"), ("password", "guess-guess")])
            .await;
        if w.status == StatusCode::TOO_MANY_REQUESTS {
            told = Some(w);
            break;
        }
        assert_eq!(w.status, StatusCode::UNAUTHORIZED);
    }
    let told = told.expect("wrong passwords were slowed down");
    assert!(told.has("尝试太频繁，请等") && told.has("秒再试") && told.has("please wait"));
    assert!(retry_after(&told) <= 1, "never longer than the cap");
    // Before the wait is up, even the right password is not looked at.
    let early = a
        .post("/login", &[("login", "juwei"), ("password", COMMITTEE.1)])
        .await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    // After it, the right password works.
    tokio::time::sleep(std::time::Duration::from_secs(retry_after(&early))).await;
    let ok = a
        .post("/login", &[("login", "juwei"), ("password", COMMITTEE.1)])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // Nothing of this is kept on the account.
    let (failed, locked): (i64, i64) = s
        .sql()
        .query_row(
            "SELECT failed_logins, locked_until FROM accounts WHERE login = 'juwei'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((failed, locked), (0, 0));
    s.stop().await;
}

#[tokio::test]
async fn an_outsider_hammering_a_login_keeps_the_owner_out_no_longer_than_the_cap() {
    let s = Server::start_with(small_delays).await;
    let base = s.base.clone();
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicUsize::new(0));
    let (stop2, failed2) = (stop.clone(), failed.clone());
    // An outsider from two addresses, as fast as it can, all along.
    let attacker = tokio::spawn(async move {
        let mut a = client_via(&base, "198.51.100.1");
        let mut b = client_via(&base, "198.51.100.2");
        let mut n = 0;
        while !stop2.load(Ordering::Relaxed) {
            for c in [&mut a, &mut b] {
                let r = c
                    .post(
                        "/login",
                        &[("login", "jiandu"), ("password", "wrong-guess")],
                    )
                    .await;
                match r.status {
                    StatusCode::UNAUTHORIZED => drop(failed2.fetch_add(1, Ordering::Relaxed)),
                    StatusCode::TOO_MANY_REQUESTS => {}
                    other => panic!("{other}"),
                }
                n += 1;
            }
        }
        n
    });
    // Let the outsider get the login's delay up to the cap, then come right
    // after one of its wrong guesses, when the login is shut for the longest.
    while failed.load(Ordering::Relaxed) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let seen = failed.load(Ordering::Relaxed);
    while failed.load(Ordering::Relaxed) == seen {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let mut owner = client_via(&s.base, "203.0.113.7");
    let first = owner
        .post("/login", &[("login", "jiandu"), ("password", SUPERVISOR.1)])
        .await;
    let landed = if first.status == StatusCode::TOO_MANY_REQUESTS {
        let wait = retry_after(&first);
        assert!(wait <= 1, "told to wait {wait} s, more than the cap");
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        owner
            .post("/login", &[("login", "jiandu"), ("password", SUPERVISOR.1)])
            .await
    } else {
        first
    };
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    stop.store(true, Ordering::Relaxed);
    let tries = attacker.await.unwrap();
    assert!(tries > 4, "the outsider kept trying ({tries})");
    s.stop().await;
}

#[tokio::test]
async fn unknown_and_known_logins_get_the_same_answer() {
    let s = Server::start().await;
    let mut c = s.client();
    c.get("/login").await;
    let known = c
        .post(
            "/login",
            &[("login", "juwei"), ("password", "not-the-password")],
        )
        .await;
    let unknown = c
        .post(
            "/login",
            &[("login", "nobody-at-all"), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(known.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, known.status);
    assert_eq!(
        known.body.replace("juwei", "LOGIN"),
        unknown.body.replace("nobody-at-all", "LOGIN"),
        "byte-identical apart from the login echoed back"
    );
    // Both leave the same trace in the log.
    let rows: Vec<(String, String)> = {
        let db = s.sql();
        let mut q = db
            .prepare(
                "SELECT actor, action FROM audit_log WHERE action LIKE 'auth.login%' ORDER BY id",
            )
            .unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        rows,
        [
            ("juwei".to_string(), "auth.login_failed".to_string()),
            ("nobody-at-all".to_string(), "auth.login_failed".to_string())
        ]
    );
    s.stop().await;
}

#[tokio::test]
async fn a_csrf_token_from_before_login_does_not_work_after_it() {
    let s = Server::start().await;
    let mut c = s.client();
    c.get("/login").await;
    let before = c.csrf.clone();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let settings = format!("{}/c/wutong/settings", s.base);
    let form = |tok: &str| {
        vec![
            ("_csrf".to_string(), tok.to_string()),
            ("name".to_string(), "居委会 李书记".to_string()),
            ("phone".to_string(), "0510-83456789".to_string()),
            ("address".to_string(), "服务中心".to_string()),
            ("hours".to_string(), "9-17".to_string()),
        ]
    };
    let r = c
        .http
        .post(&settings)
        .form(&form(&before))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("表单已过期"));
    // The session's own token, from any page now, works.
    c.get("/c/wutong/settings").await;
    let during = c.csrf.clone();
    assert_ne!(during, before);
    let r = c
        .http
        .post(&settings)
        .form(&form(&during))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Another session of the same account has a token of its own.
    let mut other = s.client();
    other.login(COMMITTEE.0, COMMITTEE.1).await;
    other.get("/c/wutong/settings").await;
    assert_ne!(other.csrf, during);
    let r = other
        .http
        .post(&settings)
        .form(&form(&during))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // After logout, neither the session's token nor the one from before login works.
    c.post("/logout", &[]).await;
    let prefs = format!("{}/prefs", s.base);
    for tok in [&during, &before] {
        let r = c
            .http
            .post(&prefs)
            .form(&[("_csrf", tok.as_str()), ("lang", "en"), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "token {tok}");
    }
    // Anonymous forms go on working with a fresh page.
    c.get("/login").await;
    let r = c.post("/prefs", &[("lang", "en"), ("next", "/")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    s.stop().await;
}

#[tokio::test]
async fn x_forwarded_for_is_honoured_only_from_the_trusted_proxy() {
    let last_login_ip = |s: &Server| -> String {
        s.sql()
            .query_row(
                "SELECT ip FROM audit_log WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    // No proxy configured: the header is ignored.
    let s = Server::start().await;
    client_via(&s.base, "203.0.113.9")
        .login(RESIDENT.0, RESIDENT.1)
        .await;
    assert_eq!(last_login_ip(&s), "127.0.0.1");
    s.stop().await;
    // A proxy elsewhere: a request straight from 127.0.0.1 is not from it.
    let s = Server::start_with(|c| c.trusted_proxy = Some("10.9.9.9".parse().unwrap())).await;
    client_via(&s.base, "203.0.113.9")
        .login(RESIDENT.0, RESIDENT.1)
        .await;
    assert_eq!(last_login_ip(&s), "127.0.0.1");
    s.stop().await;
    // From the trusted proxy: the last hop it wrote.
    let s = Server::start_with(|c| {
        c.trusted_proxy = Some("127.0.0.1".parse().unwrap());
        c.login_burst = 2;
        c.login_refill_secs = 600;
    })
    .await;
    client_via(&s.base, "198.51.100.4, 203.0.113.9")
        .login(RESIDENT.0, RESIDENT.1)
        .await;
    assert_eq!(last_login_ip(&s), "203.0.113.9");
    // The login rate limit counts per client behind the proxy, not per proxy.
    let mut a = client_via(&s.base, "203.0.113.20");
    for _ in 0..2 {
        let r = a
            .post(
                "/login",
                &[("login", "x-nobody"), ("password", "whatever123")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let limited = a
        .post(
            "/login",
            &[("login", "x-nobody"), ("password", "whatever123")],
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let mut b = client_via(&s.base, "203.0.113.21");
    let r = b
        .post(
            "/login",
            &[("login", "x-nobody"), ("password", "whatever123")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "another client has its own allowance"
    );
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
