//! Accounts over HTTP: activation with a one-time code, login, logout,
//! password change, wrong password, expired and reused codes, delays after
//! wrong passwords (never a lockout), committee-initiated reset with a
//! reason, CSRF tokens bound to the session, the trusted proxy.

use crate::common::*;
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
    assert!(bad.has("两次输入的密码不一样") && !bad.has("the two passwords differ"));

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
    assert!(wrong.has("登录名或密码不正确") && !wrong.has("Wrong login name or password"));
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
    assert!(expired.has("已过期") && !expired.has("This code has expired"));
    // The message names the community's own committee: 居委会 here, and
    // 村委会 once the same community is a village.
    assert!(expired.has("请联系居委会重新领取"), "{}", expired.body);
    s.sql()
        .execute(
            "UPDATE communities SET kind = 'village' WHERE slug = 'wutong'",
            [],
        )
        .unwrap();
    let in_a_village = r
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
    assert!(
        in_a_village.has("请联系村委会重新领取"),
        "{}",
        in_a_village.body
    );
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
    assert!(no_reason.has("请写明原因") && !no_reason.has("State the reason"));
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
            // Named as its community's kind names it: a compound's 居委会.
            && acct.has("被 居委会 李书记 重置")
            && acct.has(&format!("（原因：{reason}）")),
        "{}",
        acct.body
    );
    assert!(acct.has("如果不是您本人要求的，请联系监督委员会"));
    assert!(
        !acct.has("Your password was reset on") && !acct.has("contact the supervision committee")
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
    assert!(told.has("尝试太频繁，请等") && told.has("秒再试") && !told.has("please wait"));
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
async fn an_outsider_hammering_a_login_does_not_delay_its_owner_on_a_known_device() {
    let s = Server::start_with(small_delays).await;
    // The owner logged in on this phone before: it carries the login's mark.
    let mut owner = client_via(&s.base, "203.0.113.7");
    owner.login(SUPERVISOR.0, SUPERVISOR.1).await;
    owner.post("/logout", &[]).await;
    let base = s.base.clone();
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicUsize::new(0));
    let (stop2, failed2) = (stop.clone(), failed.clone());
    // An outsider from a new network for every guess, as fast as it can.
    let attacker = tokio::spawn(async move {
        let mut n = 0u32;
        while !stop2.load(Ordering::Relaxed) {
            n += 1;
            let mut c = client_via(&base, &format!("2001:db8:{n:x}::1"));
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
        }
        n
    });
    // Let the outsider use up the login's free failures, so that anyone
    // without the mark now waits for the login's next check.
    while failed.load(Ordering::Relaxed) < 6 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut stranger = client_via(&s.base, "192.0.2.99");
    let shut = stranger
        .post("/login", &[("login", "jiandu"), ("password", SUPERVISOR.1)])
        .await;
    assert_eq!(shut.status, StatusCode::TOO_MANY_REQUESTS, "{}", shut.body);
    // The owner's phone gets in at once, every time.
    for _ in 0..3 {
        let r = owner
            .post("/login", &[("login", "jiandu"), ("password", SUPERVISOR.1)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        owner.post("/logout", &[]).await;
    }
    stop.store(true, Ordering::Relaxed);
    let tries = attacker.await.unwrap();
    let guesses = failed.load(Ordering::Relaxed);
    assert!(tries > 20, "the outsider kept trying ({tries})");
    assert!(guesses <= 10, "{guesses} of {tries} guesses were checked");
    s.stop().await;
}

#[tokio::test]
async fn rotating_addresses_does_not_get_around_the_login_cap() {
    let s = Server::start_with(small_delays).await;
    let statuses = |v: &[StatusCode]| {
        (
            v.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(),
            v.iter()
                .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
                .count(),
        )
    };
    // How many openings a wait doubling from 200 ms to 1 s has in `took`
    // seconds: after 0.2, 0.4, 0.8, 1, 1 … s. The bounds below count them
    // from the time the test measured (which holds the server's), so a slow
    // machine gets the openings it earned and a fast one none extra.
    let openings = |took: f64| {
        let (mut n, mut at, mut interval) = (0, 0.0, 0.2);
        while at + interval <= took {
            at += interval;
            n += 1;
            interval = f64::min(interval * 2.0, 1.0);
        }
        n
    };
    // 40 addresses of one IPv6 /64 are one network: its free failures, then waits.
    let mut seen = Vec::new();
    let t0 = std::time::Instant::now();
    for round in 0..2 {
        for n in 1..=40 {
            let mut c = client_via(&s.base, &format!("2001:db8:1:2::{n:x}"));
            let r = c
                .post(
                    "/login",
                    &[("login", "x-target-a"), ("password", "guess-guess")],
                )
                .await;
            seen.push(r.status);
        }
        if round == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    }
    let (checked, waited) = statuses(&seen);
    let took = t0.elapsed().as_secs_f64();
    // The network's 3 free failures, then one check per opening of its own
    // wait (5 in all when the rounds take 0.6 s or less).
    assert!(
        checked <= 3 + openings(took),
        "{checked} guesses checked from one /64 in {took:.1} s"
    );
    assert_eq!(checked + waited, 80, "only 401 or 429: {seen:?}");
    // 80 networks, three times over a second: the login's free failures,
    // then one check per interval (200 ms, 400 ms, 800 ms).
    let mut seen = Vec::new();
    let t0 = std::time::Instant::now();
    for round in 0..3 {
        for n in 1..=80 {
            let mut c = client_via(&s.base, &format!("2001:db8:{n:x}::{round}"));
            let r = c
                .post(
                    "/login",
                    &[("login", "x-target-b"), ("password", "guess-guess")],
                )
                .await;
            seen.push(r.status);
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let (checked, waited) = statuses(&seen);
    let took = t0.elapsed().as_secs_f64();
    // The login's 5 free failures, then one check per opening.
    assert!(
        checked <= 5 + openings(took) + 1,
        "{checked} guesses checked from 80 networks in {took:.1} s"
    );
    assert_eq!(checked + waited, 240, "only 401 or 429: {seen:?}");
    s.stop().await;

    // The rate limit counts a /64 as one client too.
    let s = Server::start_with(|c| {
        c.trusted_proxy = Some("127.0.0.1".parse().unwrap());
        c.login_burst = 2;
        c.login_refill_secs = 600;
    })
    .await;
    for (n, want) in [
        (1, StatusCode::UNAUTHORIZED),
        (2, StatusCode::UNAUTHORIZED),
        (3, StatusCode::TOO_MANY_REQUESTS),
    ] {
        let mut c = client_via(&s.base, &format!("2001:db8:9:9::{n}"));
        let r = c
            .post(
                "/login",
                &[
                    ("login", &format!("x-nobody-{n}")),
                    ("password", "whatever123"),
                ],
            )
            .await;
        assert_eq!(r.status, want, "address {n}");
        if want == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.has("尝试太频繁，请等一分钟再试"), "{}", r.body);
            assert_eq!(retry_after(&r), 60, "the limit's own wait");
        }
    }
    let mut other = client_via(&s.base, "2001:db8:9:a::1");
    let r = other
        .post(
            "/login",
            &[("login", "x-nobody-9"), ("password", "whatever123")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "another /64 is another client"
    );
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
    assert!(last.has("尝试太频繁") && !last.has("Too many attempts"));
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

/// The demo resident's roll entry.
fn resident_id(s: &Server) -> i64 {
    s.sql()
        .query_row(
            "SELECT resident_id FROM accounts WHERE login = 'resident'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn whoever_used_a_reset_code_cannot_dismiss_the_owners_notice() {
    let s = Server::start_with(|c| c.trusted_proxy = Some("127.0.0.1".parse().unwrap())).await;
    let rid = resident_id(&s);
    let mut clerk = client_via(&s.base, "198.51.100.10");
    clerk.login(COMMITTEE.0, COMMITTEE.1).await;
    let reason = "本人电话说忘了密码";
    let code = issue_reset_code(&mut clerk, "wutong", rid, reason).await;
    // The committee member uses the slip themselves.
    let used = clerk
        .post(
            "/activate",
            &[
                ("code", &code),
                ("login", "resident"),
                ("password", "taken-over-1"),
                ("password2", "taken-over-1"),
            ],
        )
        .await;
    assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.body);
    // From the session the code opened, the notice cannot be acknowledged.
    let page = clerk.get("/account").await;
    assert!(page.has("您的密码已于") && page.has(reason));
    assert!(!page.has("action=\"/account/resets/seen\""), "no button");
    assert!(page.has("用新密码重新登录后再确认"));
    let seen = clerk.post("/account/resets/seen", &[]).await;
    assert_eq!(seen.status, StatusCode::CONFLICT, "{}", seen.body);
    assert!(seen.has("用激活码进入的") && !seen.has("opened with an activation code"));
    let unseen = |s: &Server| -> i64 {
        s.sql()
            .query_row(
                "SELECT count(*) FROM password_resets WHERE seen_at IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(unseen(&s), 1, "still unacknowledged");
    // The history is there whatever happens.
    assert!(
        page.has("密码重置记录")
            && page.has("李书记 (juwei)")
            && page.has(r#"<td><span lang="zh-CN">居委会</span></td>"#)
    );

    // It knows the new password, so it logs in with it and acknowledges:
    // that works, but the supervisors see from where.
    clerk.post("/logout", &[]).await;
    clerk.login("resident", "taken-over-1").await;
    clerk.get("/account").await;
    let seen = clerk.post("/account/resets/seen", &[]).await;
    assert_eq!(seen.status, StatusCode::SEE_OTHER);
    assert_eq!(unseen(&s), 0);
    // The banner is gone; the history stays, with the acknowledgement.
    let page = clerk.get("/account").await;
    assert!(!page.has("您的密码已于"));
    assert!(
        page.has("密码重置记录") && page.has(reason) && page.has("李书记 (juwei)"),
        "{}",
        page.body
    );
    let mut sup = s.client();
    sup.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let desk = sup.get("/c/wutong/desk").await;
    assert!(
        desk.has("已确认") && desk.has("用密码登录的会话，地址 198.51.100.10"),
        "{}",
        desk.body
    );
    assert!(desk.has("确认通知的地址与重置时的地址相同"));
    assert!(desk.has("使用地址与发码的居委会成员发码时的地址相同"));
    s.stop().await;
}

#[tokio::test]
async fn first_activations_are_on_the_desk_and_the_committees_own_are_flagged() {
    let s = Server::start_with(|c| c.trusted_proxy = Some("127.0.0.1".parse().unwrap())).await;
    let mut clerk = client_via(&s.base, "198.51.100.10");
    clerk.login(COMMITTEE.0, COMMITTEE.1).await;
    let (honest, honest_name) = resident_without_account(&s, "wutong", 0);
    let (ghost, ghost_name) = resident_without_account(&s, "wutong", 1);
    let honest_code = issue_code(&mut clerk, "wutong", honest).await;
    let ghost_code = issue_code(&mut clerk, "wutong", ghost).await;
    // One resident activates at home.
    let mut home = client_via(&s.base, "203.0.113.50");
    let r = home
        .post(
            "/activate",
            &[
                ("code", &honest_code),
                ("login", "honest-one"),
                ("password", "honest-pass-1"),
                ("password2", "honest-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The committee member activates the other one from the same desk
    // (another address of the office's IPv6 /64 would count the same).
    let mut desk_pc = client_via(&s.base, "198.51.100.10");
    let r = desk_pc
        .post(
            "/activate",
            &[
                ("code", &ghost_code),
                ("login", "ghost-one"),
                ("password", "ghost-pass-1"),
                ("password2", "ghost-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let mut sup = s.client();
    sup.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let desk = sup.get("/c/wutong/desk").await;
    assert!(desk.has("首次激活"), "{}", desk.body);
    let row = |name: &str| -> String {
        let i = desk
            .body
            .find(name)
            .unwrap_or_else(|| panic!("{name} listed"));
        let end = desk.body[i..].find("</tr>").unwrap() + i;
        desk.body[i..end].to_string()
    };
    let h = row(&format!("{honest_name} (honest-one)"));
    assert!(
        h.contains("李书记 (juwei)") && h.contains("203.0.113.50"),
        "{h}"
    );
    assert!(!h.contains("⚠"), "{h}");
    let g = row(&format!("{ghost_name} (ghost-one)"));
    assert!(
        g.contains("李书记 (juwei)") && g.contains("198.51.100.10"),
        "{g}"
    );
    assert!(
        g.contains("使用地址与发码的居委会成员发码时的地址相同"),
        "{g}"
    );
    s.stop().await;
}

/// Clients that each post one wrong login at once, to keep the password
/// hashing threads busy for a while; the handle ends when all are answered.
async fn flood(base: &str, n: usize) -> tokio::task::JoinHandle<()> {
    let mut clients = Vec::with_capacity(n);
    for _ in 0..n {
        let mut c = client_for(base);
        c.prime().await;
        clients.push(c);
    }
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            tokio::spawn(async move {
                c.post(
                    "/login",
                    &[
                        ("login", &format!("flood-{i}")),
                        ("password", "flood-flood"),
                    ],
                )
                .await;
            })
        })
        .collect();
    let h = tokio::spawn(async move {
        for t in tasks {
            t.await.unwrap();
        }
    });
    // Let them reach the hashing threads first.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    h
}

const WHILE_QUEUED: std::time::Duration = std::time::Duration::from_millis(200);

#[tokio::test]
async fn a_login_with_a_password_reset_meanwhile_gets_no_session() {
    let s = Server::start().await;
    let reset_hash = teahouse::password::hash_blocking("reset-meanwhile").unwrap();
    let busy = flood(&s.base, 120).await;
    let mut owner = s.client();
    owner.prime().await;
    let login = tokio::spawn(async move {
        owner
            .post("/login", &[("login", "resident"), ("password", RESIDENT.1)])
            .await
    });
    tokio::time::sleep(WHILE_QUEUED).await;
    assert!(
        !login.is_finished(),
        "the login waits for the hashing threads"
    );
    // The password is reset while the old one is being checked.
    s.sql()
        .execute(
            "UPDATE accounts SET password_hash = ?1 WHERE login = 'resident'",
            [&reset_hash],
        )
        .unwrap();
    let r = login.await.unwrap();
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.has("登录名或密码不正确"));
    let sessions: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.login = 'resident'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sessions, 0);
    busy.await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_password_change_after_a_reset_meanwhile_changes_nothing() {
    let s = Server::start().await;
    let hash_now = |s: &Server| -> String {
        s.sql()
            .query_row(
                "SELECT password_hash FROM accounts WHERE login = 'resident'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let mut owner = s.client();
    owner.login(RESIDENT.0, RESIDENT.1).await;
    owner.get("/account").await;
    let change = |mut owner: Client, current: &'static str| {
        tokio::spawn(async move {
            let r = owner
                .post(
                    "/account/password",
                    &[
                        ("current", current),
                        ("password", "my-new-pass-1"),
                        ("password2", "my-new-pass-1"),
                    ],
                )
                .await;
            (owner, r)
        })
    };

    // The password is reset (by someone else) while the change is queued.
    let reset_hash = teahouse::password::hash_blocking("reset-meanwhile").unwrap();
    let busy = flood(&s.base, 120).await;
    let pending = change(owner, RESIDENT.1);
    tokio::time::sleep(WHILE_QUEUED).await;
    assert!(
        !pending.is_finished(),
        "the change waits for the hashing threads"
    );
    s.sql()
        .execute(
            "UPDATE accounts SET password_hash = ?1 WHERE login = 'resident'",
            [&reset_hash],
        )
        .unwrap();
    let (owner, r) = pending.await.unwrap();
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.has("新密码没有保存") && !r.has("the new password was not saved"),
        "{}",
        r.body
    );
    assert_eq!(hash_now(&s), reset_hash, "the reset stands");
    busy.await.unwrap();

    // The session ends (as a reset ends them all) while the change is queued.
    let busy = flood(&s.base, 120).await;
    let pending = change(owner, "reset-meanwhile");
    tokio::time::sleep(WHILE_QUEUED).await;
    assert!(
        !pending.is_finished(),
        "the change waits for the hashing threads"
    );
    s.sql()
        .execute(
            "DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE login = 'resident')",
            [],
        )
        .unwrap();
    let (_, r) = pending.await.unwrap();
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(hash_now(&s), reset_hash);
    busy.await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_made_up_code_costs_no_password_hashing() {
    let s = Server::start().await;
    let mut c = s.client();
    c.prime().await;
    let busy = flood(&s.base, 120).await;
    let t = std::time::Instant::now();
    let r = c
        .post(
            "/activate",
            &[
                ("code", "ABCD-2345"),
                ("login", "someone-new"),
                ("password", "a-long-password"),
                ("password2", "a-long-password"),
            ],
        )
        .await;
    let took = t.elapsed();
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("激活码不正确"));
    // Ordering, not a stopwatch: the answer came while the queue of hashes
    // was still being worked through.
    assert!(
        !busy.is_finished(),
        "answered in {took:?}, not behind the queue of hashes"
    );
    busy.await.unwrap();
    s.stop().await;
}

/// How long a wrong password for `login` takes to be refused.
async fn timed(c: &mut Client, login: &str) -> std::time::Duration {
    let t = std::time::Instant::now();
    let r = c
        .post(
            "/login",
            &[("login", login), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    t.elapsed()
}

#[tokio::test]
async fn a_stored_hash_that_is_not_argon2_answers_as_slowly_as_any_other() {
    let s = Server::start_with(|c| {
        c.throttle = teahouse::web::throttle::Rule {
            free: 1000,
            login_free: 1000,
            ..Default::default()
        };
    })
    .await;
    s.sql()
        .execute(
            "UPDATE accounts SET password_hash = 'md5$0123456789abcdef' WHERE login = 'resident'",
            [],
        )
        .unwrap();
    let mut c = s.client();
    c.prime().await;
    let (mut odd, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..9 {
        odd.push(timed(&mut c, "resident").await);
        unknown.push(timed(&mut c, "nobody-at-all").await);
    }
    odd.sort();
    unknown.sort();
    let (o, u) = (odd[4], unknown[4]);
    // Argon2 takes tens of milliseconds, a refusal without it about one:
    // a wide margin so a noisy machine does not decide.
    assert!(
        o * 4 > u,
        "a wrong password took {o:?} there, {u:?} for an unknown login"
    );
    s.stop().await;
}
