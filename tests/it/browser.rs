//! Browser tests in headless Chromium (Debian's chromium and chromium-driver),
//! driven with fantoccini. Every page visited is checked with axe-core (from
//! the npm registry): a serious or critical violation fails the test, in
//! normal and in large-text mode.

use crate::common::*;
use fantoccini::{Client as Browser, ClientBuilder, Locator, key::Key};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn start_browser(width: u32, height: u32) -> (Driver, Browser) {
    let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {driver_bin} ({e}): install Debian's chromium and chromium-driver (scripts/test does)")
        });
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver {
        child,
        port,
        _profile: profile,
    };
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-component-update",
                "--disable-sync", format!("--user-data-dir={}", driver._profile.path().display()),
                format!("--window-size={width},{height}")
            ]
        }
    }))
    .unwrap();
    let url = format!("http://127.0.0.1:{}", driver.port);
    let mut last = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(b) => {
                b.set_window_size(width, height).await.unwrap();
                return (driver, b);
            }
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not answer: {last:?}");
}

const AXE: &str = include_str!("../../node_modules/axe-core/axe.min.js");

/// Runs axe-core on the current page; fails on serious or critical violations.
pub(crate) async fn axe(b: &Browser, label: &str) {
    b.execute(&format!("{AXE}\n;window.__axe = axe; return true;"), vec![])
        .await
        .expect("inject axe");
    let res = b
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               window.__axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })
                 .then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))))
                 .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .expect("run axe");
    let v: Vec<String> = serde_json::from_value(res).unwrap_or_default();
    assert!(
        v.is_empty(),
        "accessibility violations on {label}:\n{}",
        v.join("\n")
    );
}

/// How far the page body reaches past the window's width, in CSS pixels
/// (0 when nothing scrolls sideways).
pub(crate) async fn overflow(b: &Browser) -> f64 {
    b.execute(
        "const d = document.documentElement; return d.scrollWidth - d.clientWidth;",
        vec![],
    )
    .await
    .unwrap()
    .as_f64()
    .unwrap()
}

pub(crate) async fn visit(b: &Browser, url: &str) {
    b.goto(url).await.unwrap();
    axe(b, url).await;
}

/// Types into the field with this id.
pub(crate) async fn fill(b: &Browser, id: &str, text: &str) {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks the element a CSS selector finds.
pub(crate) async fn click(b: &Browser, css: &str) {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Clicks a submit button and waits until the next page has replaced this one.
pub(crate) async fn submit_and_wait(b: &Browser, button: &str) {
    let old = b.find(Locator::Css("html")).await.unwrap();
    b.find(Locator::Css(button))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    b.wait().for_element(Locator::Css("main")).await.unwrap();
}

pub(crate) async fn body_text(b: &Browser) -> String {
    b.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_resident_activates_switches_language_and_text_size_and_sees_the_board() {
    let s = Server::start().await;
    let mut staff = s.client();
    staff.login(COMMITTEE.0, COMMITTEE.1).await;
    let (rid, _) = resident_without_account(&s, "wutong", 5);
    let code = issue_code(&mut staff, "wutong", rid).await;

    let (_driver, b) = start_browser(390, 844).await; // a phone
    visit(&b, &format!("{}/c/wutong", s.base)).await;
    // The QR code on the slip opens this page with the code filled in.
    visit(&b, &format!("{}/activate?code={code}", s.base)).await;
    fill(&b, "f-login", "wang-ayi").await;
    fill(&b, "f-password", "tea-house-pw").await;
    fill(&b, "f-password2", "tea-house-pw").await;
    click(&b, "main button[type=submit]").await;
    b.wait()
        .for_element(Locator::Id("h-proposals"))
        .await
        .unwrap();
    assert!(b.current_url().await.unwrap().path().ends_with("/c/wutong"));
    assert!(body_text(&b).await.contains("您的住址"));
    axe(&b, "board (zh)").await;

    // English.
    click(&b, "button[name=lang][value=en]").await;
    b.wait()
        .for_element(Locator::Css("button[name=lang][value=zh]"))
        .await
        .unwrap();
    let text = body_text(&b).await;
    assert!(
        text.contains("Your home") && text.contains("Log out"),
        "{text}"
    );
    axe(&b, "board (en)").await;

    // Large text, which persists across pages.
    click(&b, "button[name=size][value=large]").await;
    b.wait()
        .for_element(Locator::Css("html.large"))
        .await
        .unwrap();
    axe(&b, "board (en, large)").await;
    visit(&b, &format!("{}/account", s.base)).await;
    assert!(
        b.find(Locator::Css("html.large")).await.is_ok(),
        "large text persists"
    );
    let fs: String = b
        .execute(
            "return getComputedStyle(document.documentElement).fontSize",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(fs, "22px", "large mode enlarges the root font");

    // Log out, and back in using only the keyboard.
    click(&b, "form[action='/logout'] button").await;
    b.wait()
        .for_element(Locator::Css("a[href^='/login']"))
        .await
        .unwrap();
    visit(&b, &format!("{}/login", s.base)).await;
    let login = b.find(Locator::Id("f-login")).await.unwrap();
    login.click().await.unwrap();
    login.send_keys("wang-ayi").await.unwrap();
    login.send_keys(&Key::Tab.to_string()).await.unwrap();
    let active: String = b
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        active, "f-password",
        "Tab moves from login name to password"
    );
    let pw = b.find(Locator::Id("f-password")).await.unwrap();
    pw.send_keys("tea-house-pw").await.unwrap();
    pw.send_keys(&Key::Enter.to_string()).await.unwrap();
    b.wait()
        .for_element(Locator::Id("h-proposals"))
        .await
        .unwrap();
    axe(&b, "board after keyboard login").await;
    b.close().await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn committee_pages_pass_axe() {
    let s = Server::start().await;
    let (_driver, b) = start_browser(1280, 900).await;
    visit(&b, &format!("{}/login", s.base)).await;
    fill(&b, "f-login", COMMITTEE.0).await;
    fill(&b, "f-password", COMMITTEE.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait().for_element(Locator::Id("h-staff")).await.unwrap();
    axe(&b, "committee board").await;
    for p in [
        "roll",
        "roll?q=3-2",
        "roll/import",
        "roll/residents/new",
        "codes",
        "audit",
        "settings",
        "desk",
        "desk?verify=1",
        "disclosures",
        "disclosures/new",
        "votes/new",
    ] {
        visit(&b, &format!("{}/c/wutong/{p}", s.base)).await;
    }
    // htmx filters the roll in place (JavaScript on); the URL follows.
    visit(&b, &format!("{}/c/wutong/roll", s.base)).await;
    fill(&b, "f-q", "3-2-501").await;
    let mut found = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let url = b.current_url().await.unwrap();
        if url.query().unwrap_or("").contains("q=3-2-501") {
            found = true;
            break;
        }
    }
    assert!(found, "htmx updated the results and pushed the URL");
    let rows = b
        .find_all(Locator::Css("#roll-results tbody tr"))
        .await
        .unwrap();
    assert!(
        !rows.is_empty() && rows.len() < 10,
        "only 3-2-501's household is listed"
    );
    // A bad import shows its errors accessibly.
    visit(&b, &format!("{}/c/wutong/roll/import", s.base)).await;
    let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(f.path(), "编号,姓名,网格\nX1,,一网格\n").unwrap();
    fill(&b, "f-file", &f.path().display().to_string()).await;
    click(&b, "main form button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("table.errors"))
        .await
        .unwrap();
    axe(&b, "import errors").await;
    // A disclosure table with a bad balance shows its cell errors accessibly.
    visit(&b, &format!("{}/c/wutong/disclosures/new", s.base)).await;
    b.find(Locator::Id("f-table"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    fill(&b, "f-title", "测试").await;
    fill(
        &b,
        "f-table",
        "日期,摘要,收入,支出,余额
2031-01-01,结余,,,100
2031-01-02,收入,5,,200
",
    )
    .await;
    click(&b, "main form button.primary").await;
    b.wait()
        .for_element(Locator::Css(".error-summary table"))
        .await
        .unwrap();
    assert!(body_text(&b).await.contains("余额不符"));
    axe(&b, "disclosure table errors").await;
    // Printed slips.
    visit(&b, &format!("{}/c/wutong/codes", s.base)).await;
    click(&b, "main form button[type=submit]").await;
    b.wait().for_element(Locator::Css(".slip")).await.unwrap();
    axe(&b, "slips").await;
    b.close().await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_resident_casts_and_changes_a_ballot_on_a_phone_and_finds_the_receipt() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let unit: i64 = s
        .sql()
        .query_row(
            "SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id JOIN communities c ON c.id = b.community_id
             WHERE c.slug = 'wutong' AND b.number = '3' AND u.number = '2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    com.get("/c/wutong/votes/new").await;
    let r = com
        .post(
            "/c/wutong/votes",
            &[
                ("title", "3栋2单元楼道粉刷"),
                ("scope", &format!("unit:{unit}")),
                ("rule", "civil_code_278_ordinary"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    let path = r.location.unwrap();
    com.post(&format!("{path}/open"), &[("confirm", "1")]).await;

    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login?next={path}", s.base)).await;
    fill(&b, "f-login", RESIDENT.0).await;
    fill(&b, "f-password", RESIDENT.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait().for_element(Locator::Id("h-cast")).await.unwrap();
    axe(&b, "open vote").await;
    click(&b, "label[for=c-disagree]").await;
    submit_and_wait(&b, "#h-cast ~ form button[type=submit]").await;
    let receipt = b
        .find(Locator::Css(".receipt"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    axe(&b, "vote after casting").await;
    // Change of mind.
    click(&b, "label[for=c-agree]").await;
    submit_and_wait(&b, "#h-cast ~ form button[type=submit]").await;
    assert!(
        b.find(Locator::Css("#c-agree:checked")).await.is_ok(),
        "the new choice is shown"
    );
    assert_eq!(
        b.find(Locator::Css(".receipt"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        receipt
    );

    // The vote closes; the resident finds the receipt in the published list.
    let id = path.rsplit('/').next().unwrap().to_string();
    s.travel(
        "UPDATE votes SET closes_at = strftime('%s','now') - 1 WHERE id = ?1",
        [&id],
    );
    let r = com.post(&format!("{path}/close"), &[]).await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.body);
    visit(&b, &format!("{}{path}", s.base)).await;
    let row = b
        .find(Locator::XPath(&format!(
            "//table//tr[.//code[text()='{receipt}']]"
        )))
        .await
        .expect("the receipt is in the published ballot list");
    assert!(row.text().await.unwrap().contains("同意"));
    b.close().await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_supervisor_signs_off_on_a_phone_and_the_notice_prints() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let r = com
        .post_multipart(
            "/c/xingfu/disclosures",
            &[
                ("category", "general"),
                ("period", "2031-Q2"),
                ("title", "2031年第二季度村务"),
                (
                    "table",
                    "事项,内容,备注\n修缮祠堂,已完工,村民投工投劳\n清理河道,进行中,",
                ),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location.unwrap();
    let path = path.split('?').next().unwrap().to_string();
    com.post(&format!("{path}/submit"), &[]).await;

    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login?next=/c/xingfu/desk", s.base)).await;
    fill(&b, "f-login", VILLAGE_SUPERVISOR.0).await;
    fill(&b, "f-password", VILLAGE_SUPERVISOR.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait().for_element(Locator::Id("h-await")).await.unwrap();
    axe(&b, "oversight desk").await;
    b.find(Locator::LinkText("2031年第二季度村务"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("h-review")).await.unwrap();
    axe(&b, "disclosure under review").await;
    submit_and_wait(&b, "form[action$='/sign'] button[type=submit]").await;
    let text = body_text(&b).await;
    assert!(text.contains("您的签署已记录"), "{text}");
    assert!(text.contains("赵监委"), "the signature is shown");
    axe(&b, "disclosure after sign-off").await;

    let r = com.post(&format!("{path}/publish"), &[]).await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.body);
    visit(&b, &format!("{}{path}/notice", s.base)).await;
    assert!(
        b.find(Locator::Css("article.notice svg")).await.is_ok(),
        "QR code"
    );
    let hashes = b
        .find_all(Locator::Css("article.notice code.hash"))
        .await
        .unwrap();
    assert_eq!(hashes.len(), 2, "the entry's hash and the ledger head");
    let pdf = b
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 2000, "a real PDF");
    // The board with the demo's overdue month, and the committee's form.
    visit(&b, &format!("{}/c/xingfu/disclosures", s.base)).await;
    assert!(body_text(&b).await.contains("逾期未公开"));
    b.close().await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_resident_signs_in_to_a_meeting_from_a_phone() {
    let s = Server::start().await;
    let mut com = s.client();
    com.login(COMMITTEE.0, COMMITTEE.1).await;
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let today = jiff::Timestamp::now().to_zoned(zone).date().to_string();
    let r = com
        .post(
            "/c/wutong/deliberations",
            &[
                ("title", "楼道堆物清理"),
                ("place", "community"),
                ("venue", "3栋楼下凉亭"),
                ("date", &today),
                ("start", "00:00"),
                ("end", "23:59"),
                ("host", "李书记"),
            ],
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.location.unwrap().split('?').next().unwrap().to_string();
    let token: String = s
        .sql()
        .query_row(
            "SELECT checkin_token FROM deliberations WHERE id = ?1",
            [path.rsplit('/').next().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    // The host's page shows the QR code to put up at the venue.
    assert!(com.get(&path).await.has("签到二维码"));

    let (_driver, b) = start_browser(390, 844).await;
    // Scanning the code: log in first, then back to the meeting.
    b.goto(&format!("{}{path}?t={token}", s.base))
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("f-login")).await.unwrap();
    axe(&b, "login from the QR code").await;
    fill(&b, "f-login", RESIDENT.0).await;
    fill(&b, "f-password", RESIDENT.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait()
        .for_element(Locator::Id("h-attendance"))
        .await
        .unwrap();
    axe(&b, "meeting before sign-in").await;
    submit_and_wait(&b, "form[action$='/checkin'] button[type=submit]").await;
    let text = body_text(&b).await;
    assert!(text.contains("签到成功"), "{text}");
    axe(&b, "meeting after sign-in").await;
    let n: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM attendance WHERE how = 'qr' AND deliberation_id = ?1",
            [path.rsplit('/').next().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    visit(&b, &format!("{}/c/wutong/deliberations", s.base)).await;
    visit(&b, &format!("{}/c/wutong/actions", s.base)).await;
    b.close().await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_resident_cosigns_a_proposal_and_approves_projects_on_a_phone() {
    let s = Server::start().await;
    let id_of = |sql: &str| -> i64 { s.sql().query_row(sql, [], |r| r.get(0)).unwrap() };
    let gate = id_of("SELECT id FROM proposals WHERE title = '2栋单元门禁维修'");
    let open_round = id_of("SELECT id FROM rounds WHERE title = '2027 年春季金点子'");
    let done_round = id_of("SELECT id FROM rounds WHERE phase = 'results' ORDER BY id LIMIT 1");

    let (_driver, b) = start_browser(390, 844).await;
    visit(&b, &format!("{}/login?next=/c/wutong/proposals", s.base)).await;
    fill(&b, "f-login", RESIDENT.0).await;
    fill(&b, "f-password", RESIDENT.1).await;
    click(&b, "main button[type=submit]").await;
    b.wait()
        .for_element(Locator::Css("a[href='/c/wutong/proposals/new']"))
        .await
        .unwrap();
    axe(&b, "proposals list").await;
    assert!(body_text(&b).await.contains("2栋单元门禁维修"));

    // Starting a new proposal, the resident types a title; htmx shows the
    // similar one already open, and the resident follows it instead.
    visit(&b, &format!("{}/c/wutong/proposals/new", s.base)).await;
    fill(&b, "f-title", "2栋单元门禁坏了").await;
    let hit = b
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "#similar a[href='/c/wutong/proposals/{gate}']"
        )))
        .await
        .expect("the similar proposal is offered while typing");
    axe(&b, "new proposal with a similar hint").await;
    hit.click().await.unwrap();
    b.wait().for_element(Locator::Id("h-cosign")).await.unwrap();
    axe(&b, "open proposal").await;
    let before: i64 = id_of(&format!(
        "SELECT count(*) FROM proposal_cosigns WHERE proposal_id = {gate}"
    ));
    submit_and_wait(&b, "form[action$='/cosign'] button").await;
    let text = body_text(&b).await;
    assert!(text.contains("你已附议"), "{text}");
    assert!(
        b.find(Locator::Css("form[action$='/cosign']"))
            .await
            .is_err(),
        "no second co-sign button"
    );
    assert_eq!(
        id_of(&format!(
            "SELECT count(*) FROM proposal_cosigns WHERE proposal_id = {gate}"
        )),
        before + 1
    );
    axe(&b, "proposal after co-signing").await;

    // The round open for voting: at most two approvals.
    visit(&b, &format!("{}/c/wutong/rounds", s.base)).await;
    click(&b, &format!("a[href='/c/wutong/rounds/{open_round}']")).await;
    b.wait()
        .for_element(Locator::Id("h-projects"))
        .await
        .unwrap();
    axe(&b, "round in its vote phase").await;
    let ballots_before = id_of(&format!(
        "SELECT count(*) FROM round_ballots WHERE round_id = {open_round}"
    ));
    let boxes = b
        .find_all(Locator::Css("input[type=checkbox][name=project]"))
        .await
        .unwrap();
    assert_eq!(boxes.len(), 3, "three feasible projects on the ballot");
    // Three is one too many: the ballot is refused and nothing is stored.
    for checkbox in &boxes {
        let id = checkbox.attr("id").await.unwrap().unwrap();
        click(&b, &format!("label[for='{id}']")).await;
    }
    submit_and_wait(&b, "form[action$='/ballot'] button[type=submit]").await;
    let text = body_text(&b).await;
    assert!(text.contains("最多"), "the limit is named: {text}");
    axe(&b, "refused ballot").await;
    let ballots = format!("SELECT count(*) FROM round_ballots WHERE round_id = {open_round}");
    assert_eq!(id_of(&ballots), ballots_before, "nothing stored");
    // Two are fine.
    visit(&b, &format!("{}/c/wutong/rounds/{open_round}", s.base)).await;
    click(&b, "div.choice:nth-of-type(1) label").await;
    click(&b, "div.choice:nth-of-type(3) label").await;
    submit_and_wait(&b, "form[action$='/ballot'] button[type=submit]").await;
    let text = body_text(&b).await;
    assert!(text.contains("你已投票"), "{text}");
    assert!(
        b.find(Locator::Css("form[action$='/ballot']"))
            .await
            .is_err(),
        "one ballot each"
    );
    assert_eq!(id_of(&ballots), ballots_before + 1);
    assert_eq!(
        id_of(&format!(
            "SELECT count(*) FROM round_approvals a JOIN round_ballots b ON b.id = a.ballot_id
             WHERE b.round_id = {open_round} AND b.voter LIKE 'account:%'
             AND b.id = (SELECT max(id) FROM round_ballots WHERE round_id = {open_round})"
        )),
        2,
        "the two approvals are stored"
    );
    axe(&b, "round after voting").await;

    // A finished round explains its outcome with a chart.
    visit(&b, &format!("{}/c/wutong/rounds/{done_round}", s.base)).await;
    assert!(
        b.find(Locator::Css("#h-results ~ svg, #h-results ~ * svg"))
            .await
            .is_ok()
    );
    b.close().await.unwrap();
    s.stop().await;
}
