//! Notice channels against a local receiver (an axum server on 127.0.0.1:0
//! standing in for Alibaba Cloud SMS, the WeCom robot API and a webhook): the
//! committee sets each channel on its settings page (the secret never shown
//! back) and sends a test message, which the receiver gets signed as each
//! provider documents; a resident's notice settings; the no-login
//! unsubscribe link (GET asks, POST unsubscribes).

use crate::common::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode as AxStatus, Uri};
use axum::response::IntoResponse;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Got>>>;

struct Receiver {
    base: String,
    log: Log,
}

impl Receiver {
    fn taken(&self) -> Vec<Got> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

/// Answers as each provider does when all is well; `/broken` fails with 500.
async fn receive(
    State(log): State<Log>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let path = uri.path().to_string();
    log.lock().unwrap().push(Got {
        method,
        path: path.clone(),
        query: uri.query().unwrap_or("").to_string(),
        headers,
        body: body.to_vec(),
    });
    match path.as_str() {
        "/sms" => axum::Json(serde_json::json!({
            "Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r-1"
        }))
        .into_response(),
        "/wecom" => axum::Json(serde_json::json!({"errcode": 0, "errmsg": "ok"})).into_response(),
        "/broken" => (AxStatus::INTERNAL_SERVER_ERROR, "down").into_response(),
        _ => "ok".into_response(),
    }
}

async fn receiver() -> Receiver {
    let log: Log = Arc::default();
    let app = axum::Router::new()
        .fallback(receive)
        .with_state(log.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    Receiver { base, log }
}

/// RFC 3986 percent-encoding, as Alibaba Cloud's signing rules say (written
/// here again rather than taken from the code under test).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn dec(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("a %XX escape"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 parameters")
}

/// The query's parameters, decoded and sorted by name.
fn params(query: &str) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("name=value");
            (dec(k), dec(v))
        })
        .collect();
    p.sort();
    p
}

fn param<'a>(p: &'a [(String, String)], name: &str) -> &'a str {
    p.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {p:?}"))
}

/// The signature Alibaba Cloud would compute for this request under `secret`:
/// Base64(HMAC-SHA1(secret + "&", "GET&%2F&" + enc(sorted canonical query))).
fn aliyun_signature(p: &[(String, String)], secret: &str) -> String {
    let canonical = p
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("GET&{}&{}", enc("/"), enc(&canonical));
    let mut mac =
        <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn hmac_sha256_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

const SMS_SECRET: &str = "sms-secret-7Qw9";
const ROBOT_KEY: &str = "robot-key-5Zx1";
const HOOK_SECRET: &str = "hook-secret-3Kp8";

async fn committee(s: &Server) -> Client {
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    c
}

/// The settings page, checked to hold none of the secrets.
async fn settings_page(c: &mut Client) -> Resp {
    let r = c.get("/c/wutong/notify-settings").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for secret in [SMS_SECRET, ROBOT_KEY, HOOK_SECRET] {
        assert!(!r.has(secret), "a secret is shown back on the page");
    }
    r
}

#[tokio::test]
async fn sms_is_signed_as_alibaba_cloud_documents_with_the_template_and_its_parameters() {
    let rx = receiver().await;
    let s = Server::start().await;
    let mut c = committee(&s).await;
    settings_page(&mut c).await;

    // A missing field is named, Chinese first.
    let r = c
        .post(
            "/c/wutong/notify-settings/sms",
            &[("enabled", "on"), ("access_key_id", "LTAI5tTest")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("必填"), "{}", r.body);

    let endpoint = format!("{}/sms", rx.base);
    let form = |secret: &'static str| {
        vec![
            ("enabled", "on"),
            ("access_key_id", "LTAI5tTest"),
            ("sign_name", "梧桐社区"),
            ("template_code", "SMS_465000001"),
            ("endpoint", endpoint.as_str()),
            ("secret", secret),
        ]
    };
    let r = c
        .post("/c/wutong/notify-settings/sms", &form(SMS_SECRET))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Saved again with the secret left empty: the stored one is kept.
    let r = c.post("/c/wutong/notify-settings/sms", &form("")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = settings_page(&mut c).await;
    assert!(page.has("LTAI5tTest") && page.has("SMS_465000001"));
    assert!(page.has("已保存密钥（不显示）"), "{}", page.body);

    // A phone that is not a mainland mobile number is refused before sending.
    let r = c
        .post("/c/wutong/notify-settings/sms/test", &[("to", "010-12345")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("手机号"), "{}", r.body);
    assert!(rx.taken().is_empty(), "nothing goes out for a bad number");

    let r = c
        .post(
            "/c/wutong/notify-settings/sms/test",
            &[("to", "13800138000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("测试消息已发出 138****8000"), "{}", r.body);
    assert!(!r.has("13800138000"), "the phone is masked on the page");

    let got = rx.taken();
    assert_eq!(got.len(), 1, "{got:?}");
    let g = &got[0];
    assert_eq!((g.method.as_str(), g.path.as_str()), ("GET", "/sms"));
    let p = params(&g.query);
    assert_eq!(
        param(&p, "Signature"),
        aliyun_signature(&p, SMS_SECRET),
        "the signature is the one the provider computes under the stored secret"
    );
    assert_ne!(param(&p, "Signature"), aliyun_signature(&p, "another"));
    for (k, v) in [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("RegionId", "cn-hangzhou"),
        ("AccessKeyId", "LTAI5tTest"),
        ("PhoneNumbers", "13800138000"),
        ("SignName", "梧桐社区"),
        ("TemplateCode", "SMS_465000001"),
    ] {
        assert_eq!(param(&p, k), v, "{k}");
    }
    let ts = param(&p, "Timestamp");
    assert!(
        ts.len() == 20 && ts.ends_with('Z') && &ts[10..11] == "T",
        "UTC yyyy-MM-ddTHH:mm:ssZ, got {ts}"
    );
    assert!(param(&p, "SignatureNonce").len() >= 16);
    assert!(param(&p, "OutId").starts_with("th-wutong-"));
    let tp: serde_json::Value = serde_json::from_str(param(&p, "TemplateParam")).unwrap();
    let title = tp["title"].as_str().unwrap();
    assert!(
        title.starts_with("议事茶馆测试消息") && title.chars().count() <= 35,
        "{tp}"
    );
    assert_eq!(tp["path"], "/c/wutong", "{tp}");
    assert_eq!(
        tp.as_object().unwrap().len(),
        2,
        "only the template's variables: {tp}"
    );
    assert!(!g.query.contains(SMS_SECRET), "the secret never travels");

    // The test is audited, the secret is not.
    let r = c.get("/c/wutong/audit").await;
    assert!(
        r.has("notify.test") || r.has("notify.channel"),
        "{}",
        r.body
    );
    assert!(!r.has(SMS_SECRET));
    s.stop().await;
}

#[tokio::test]
async fn the_wecom_robot_and_the_webhook_receive_the_test_message() {
    let rx = receiver().await;
    let s = Server::start().await;
    let mut c = committee(&s).await;

    // A test before the channel is set says so.
    let r = c.post("/c/wutong/notify-settings/wecom/test", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("还没有设置"), "{}", r.body);

    let wecom = format!("{}/wecom", rx.base);
    let r = c
        .post(
            "/c/wutong/notify-settings/wecom",
            &[
                ("enabled", "on"),
                ("endpoint", &wecom),
                ("secret", ROBOT_KEY),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.post("/c/wutong/notify-settings/wecom/test", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = rx.taken();
    assert_eq!(got.len(), 1, "{got:?}");
    let g = &got[0];
    assert_eq!((g.method.as_str(), g.path.as_str()), ("POST", "/wecom"));
    assert_eq!(
        params(&g.query),
        [("key".to_string(), ROBOT_KEY.to_string())]
    );
    let card: serde_json::Value = serde_json::from_slice(&g.body).unwrap();
    assert_eq!(card["msgtype"], "news");
    let a = &card["news"]["articles"][0];
    assert!(a["title"].as_str().unwrap().contains("测试消息"), "{card}");
    assert_eq!(a["url"], format!("{}/c/wutong", s.base));

    // The webhook: a bad address is named; then the signed POST.
    let r = c
        .post(
            "/c/wutong/notify-settings/webhook",
            &[("endpoint", "ftp://x"), ("secret", HOOK_SECRET)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("https://"), "{}", r.body);
    assert!(
        !r.has(HOOK_SECRET),
        "a refused form does not echo the secret"
    );
    let hook = format!("{}/hook", rx.base);
    let r = c
        .post(
            "/c/wutong/notify-settings/webhook",
            &[
                ("enabled", "on"),
                ("endpoint", &hook),
                ("secret", HOOK_SECRET),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.post("/c/wutong/notify-settings/webhook/test", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = rx.taken();
    assert_eq!(got.len(), 1, "{got:?}");
    let g = &got[0];
    assert_eq!((g.method.as_str(), g.path.as_str()), ("POST", "/hook"));
    let sig = g.headers["x-teahouse-signature"].to_str().unwrap();
    assert_eq!(
        sig,
        format!("sha256={}", hmac_sha256_hex(HOOK_SECRET, &g.body))
    );
    let body: serde_json::Value = serde_json::from_slice(&g.body).unwrap();
    assert_eq!(body["format"], "teahouse.notice/1");
    assert_eq!(body["community"], "wutong");
    assert_eq!(g.headers["idempotency-key"].to_str().unwrap(), body["key"]);
    assert!(!String::from_utf8_lossy(&g.body).contains(HOOK_SECRET));

    // A receiver that fails: the page says what it answered.
    let broken = format!("{}/broken", rx.base);
    c.post(
        "/c/wutong/notify-settings/webhook",
        &[("enabled", "on"), ("endpoint", &broken), ("secret", "")],
    )
    .await;
    let r = c.post("/c/wutong/notify-settings/webhook/test", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("HTTP 500"), "{}", r.body);
    // Kept across the save with an empty secret: still signed with it.
    let g = rx.taken().pop().unwrap();
    assert_eq!(
        g.headers["x-teahouse-signature"].to_str().unwrap(),
        format!("sha256={}", hmac_sha256_hex(HOOK_SECRET, &g.body))
    );

    // Switched off: no test goes out.
    c.post(
        "/c/wutong/notify-settings/webhook",
        &[("endpoint", &hook), ("secret", "")],
    )
    .await;
    let r = c.post("/c/wutong/notify-settings/webhook/test", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("已关闭"), "{}", r.body);
    assert!(rx.taken().is_empty());
    settings_page(&mut c).await;

    // A resident may not see or change the channels.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    assert_eq!(
        res.get("/c/wutong/notify-settings").await.status,
        StatusCode::FORBIDDEN
    );
    s.stop().await;
}

/// The demo resident's roll entry: (id, e-mail, phone).
fn demo_resident(s: &Server) -> (i64, String, String) {
    s.sql()
        .query_row(
            "SELECT r.id, r.email, r.phone FROM accounts a JOIN residents r ON r.id = a.resident_id
             WHERE a.login = ?1",
            [RESIDENT.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

#[tokio::test]
async fn a_resident_chooses_their_notices_and_unsubscribes_without_logging_in() {
    let s = Server::start().await;
    let (rid, email, phone) = demo_resident(&s);
    assert!(
        !email.is_empty() && !phone.is_empty(),
        "the demo resident has both an e-mail address and a phone on the roll"
    );
    let mut c = s.client();
    c.login(RESIDENT.0, RESIDENT.1).await;
    let r = c.get("/c/wutong/notify-prefs").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.has(&phone), "the phone is masked");
    assert!(
        r.has(&format!("{}****{}", &phone[..3], &phone[7..])),
        "{}",
        r.body
    );
    assert!(!r.has(&email), "the e-mail address is masked");
    let at = email.find('@').unwrap();
    assert!(
        r.has(&format!("{}***{}", &email[..1], &email[at..])),
        "{}",
        r.body
    );

    // A limit out of range is refused, naming it.
    let r = c
        .post(
            "/c/wutong/notify-prefs",
            &[("email", "on"), ("daily_limit", "99")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("每日上限") && r.has("99"), "{}", r.body);

    let r = c
        .post(
            "/c/wutong/notify-prefs",
            &[
                ("email", "on"),
                ("sms", "on"),
                ("digest", "on"),
                ("daily_limit", "5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (e, m, d, limit, token): (bool, bool, bool, i64, String) = s
        .sql()
        .query_row(
            "SELECT email, sms, digest, daily_limit, unsubscribe_token FROM notify_prefs WHERE resident_id = ?1",
            [rid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!((e, m, d, limit), (true, true, true, 5));
    let r = c.get("/c/wutong/notify-prefs?saved=1").await;
    assert!(r.has(r#"value="5""#), "{}", r.body);

    // The link in a message, opened by anyone (a mail scanner too): GET asks.
    let mut anon = s.client();
    let link = format!("/unsubscribe/{token}");
    let r = anon.get(&link).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.has("确认退订") && r.has(&format!(r#"action="{link}""#)),
        "{}",
        r.body
    );
    let unsubscribed = |s: &Server| -> bool {
        s.sql()
            .query_row(
                "SELECT unsubscribed_at IS NOT NULL FROM notify_prefs WHERE resident_id = ?1",
                [rid],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(!unsubscribed(&s), "opening the link changes nothing");
    let r = anon.post(&link, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("已退订"), "{}", r.body);
    assert!(unsubscribed(&s));
    // Twice is fine; an unknown or malformed token is not found.
    assert_eq!(anon.post(&link, &[]).await.status, StatusCode::OK);
    let other = "/unsubscribe/ffffffffffffffffffffffffffffffff";
    assert_eq!(anon.get(other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(anon.post(other, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        anon.get("/unsubscribe/..%2F..%2Fetc").await.status,
        StatusCode::NOT_FOUND
    );

    // The resident's page says so; saving again subscribes again.
    let r = c.get("/c/wutong/notify-prefs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has("你已退订短信和邮件通知"), "{}", r.body);
    let r = c
        .post(
            "/c/wutong/notify-prefs",
            &[("email", "on"), ("daily_limit", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!unsubscribed(&s));
    s.stop().await;
}

#[tokio::test]
async fn a_poster_prints_one_of_the_communitys_own_pages() {
    let s = Server::start().await;
    let mut c = s.client();
    let r = c.get("/c/wutong/poster?path=/c/wutong/votes").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has(&format!("{}/c/wutong/votes", s.base)), "{}", r.body);
    assert!(r.has("<svg"), "a QR code");
    assert!(r.has(r#"property="og:title""#), "a share card");
    let r = c.get("/c/wutong/poster?path=https://evil.example/").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("/c/wutong"), "{}", r.body);
    s.stop().await;
}

/// The detail of a retried e-mail attempt in `community` that `pick` accepts, once there is one.
async fn retried(s: &Server, community: &str, pick: impl Fn(&str) -> bool) -> String {
    for _ in 0..100 {
        let details: Vec<String> = s
            .sql()
            .prepare(
                "SELECT a.detail FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
                 JOIN communities c ON c.id = d.community_id
                 WHERE c.slug = ?1 AND d.channel = 'email' AND a.outcome = 'retry'",
            )
            .unwrap()
            .query_map([community], |r| r.get(0))
            .unwrap()
            .map(|d| d.unwrap())
            .collect();
        if let Some(d) = details.into_iter().find(|d| pick(d)) {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let all: Vec<String> = s
        .sql()
        .prepare("SELECT d.state || ' ' || a.outcome || ' ' || a.detail FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|d| d.unwrap())
        .collect();
    panic!("no e-mail delivery of {community} was retried as expected: {all:?}");
}

#[tokio::test]
async fn the_worker_sends_through_the_channel_the_committee_set() {
    // No operator mail server: a community's e-mail goes only through its own.
    let s = Server::start_with(|c| c.notify_poll_ms = 100).await;
    // The village's open vote and meeting: waiting while it has no channel.
    retried(&s, "xingfu", |d| d.contains("没有设置")).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://notice:pw-9Rk2@{}", closed.local_addr().unwrap());
    drop(closed);
    let mut c = s.client();
    c.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let r = c
        .post(
            "/c/xingfu/notify-settings/email",
            &[
                ("enabled", "on"),
                ("from", "幸福村村委会 <notice@xingfu.example.org>"),
                ("secret", &url),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get("/c/xingfu/notify-settings").await;
    assert!(page.has("已保存密钥") && !page.has("pw-9Rk2"));
    // The back-off of the tries made before the save, over at once.
    s.sql()
        .execute(
            "UPDATE deliveries SET due_at = 0 WHERE state = 'queued'",
            [],
        )
        .unwrap();
    // Now tried on the village's own mail server (closed here: retried).
    let d = retried(&s, "xingfu", |d| !d.contains("没有设置")).await;
    assert!(d.contains("连接失败"), "{d}");
    assert!(!d.contains("pw-9Rk2"), "the password is not recorded: {d}");
    s.stop().await;
}

/// An `Etc/GMT±N` zone whose clock shows `hour` (or near it) now: the
/// community's zone decides quiet hours, so a test chooses day or night.
fn zone_showing(hour: i64) -> String {
    let utc = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 3600)
        % 24;
    let mut off = (hour - utc).rem_euclid(24);
    if off > 14 {
        off -= 24;
    }
    // Etc/GMT-5 is five hours ahead of UTC (the sign is POSIX's).
    match off {
        0 => "Etc/GMT".into(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

/// The village's SMS and WeCom robot set on its settings page, against `rx`.
async fn village_sms_and_robot(c: &mut Client, rx: &Receiver) {
    let sms = format!("{}/sms", rx.base);
    let r = c
        .post(
            "/c/xingfu/notify-settings/sms",
            &[
                ("enabled", "on"),
                ("access_key_id", "LTAI5tVillage"),
                ("sign_name", "幸福村"),
                ("template_code", "SMS_465000002"),
                ("endpoint", sms.as_str()),
                ("secret", SMS_SECRET),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let wecom = format!("{}/wecom", rx.base);
    let r = c
        .post(
            "/c/xingfu/notify-settings/wecom",
            &[
                ("enabled", "on"),
                ("endpoint", &wecom),
                ("secret", ROBOT_KEY),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// Drafts and opens a village-wide vote; its id.
async fn open_village_vote(c: &mut Client, title: &str) -> i64 {
    c.get("/c/xingfu/votes/new").await;
    let r = c
        .post(
            "/c/xingfu/votes",
            &[
                ("title", title),
                ("scope", "community"),
                ("rule", "villagers_meeting"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r.location.unwrap().rsplit('/').next().unwrap().to_string();
    let r = c
        .post(&format!("/c/xingfu/votes/{id}/open"), &[("confirm", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id.parse().unwrap()
}

/// `(resident, channel, state)` of every delivery of the notice of `vote`'s opening.
fn opening_deliveries(s: &Server, vote: i64) -> Vec<(i64, String, String)> {
    s.sql()
        .prepare(
            "SELECT d.resident_id, d.channel, d.state FROM deliveries d JOIN notices n ON n.id = d.notice_id
             WHERE n.kind = 'vote_opened' AND n.subject = 'vote:' || ?1 ORDER BY d.id",
        )
        .unwrap()
        .query_map([vote], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opened_vote_goes_by_sms_to_each_adult_with_a_phone_and_once_to_the_group_chat() {
    let rx = receiver().await;
    let s = Server::start_with(|c| c.notify_poll_ms = 100).await;
    // Midday in the village's zone: no quiet hours in the way.
    let noon = zone_showing(12);
    s.sql()
        .execute(
            "UPDATE communities SET tz = ?1 WHERE slug = 'xingfu'",
            [&noon],
        )
        .unwrap();
    let mut c = s.client();
    c.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    village_sms_and_robot(&mut c, &rx).await;
    // Two adults with a phone chose otherwise: one turned SMS off, one
    // unsubscribed through a message's link.
    let adults: Vec<(i64, String)> = s
        .sql()
        .prepare(
            "SELECT r.id, r.phone FROM residents r JOIN communities c ON c.id = r.community_id
             WHERE c.slug = 'xingfu' AND r.active = 1 AND r.is_adult = 1 AND r.phone != '' ORDER BY r.id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert!(adults.len() > 10, "{}", adults.len());
    let (off, gone) = (adults[0].0, adults[1].0);
    s.sql()
        .execute(
            "INSERT INTO notify_prefs (resident_id, email, sms, digest, daily_limit, unsubscribed_at,
                 unsubscribe_token, updated_at)
             VALUES (?1, 1, 0, 0, 3, NULL, 'tok-off', 0), (?2, 1, 1, 0, 3, 1, 'tok-gone', 0)
             ON CONFLICT (resident_id) DO UPDATE SET sms = excluded.sms, unsubscribed_at = excluded.unsubscribed_at",
            [off, gone],
        )
        .unwrap();
    rx.taken();

    let vote = open_village_vote(&mut c, "村口路灯改造").await;
    let queued = opening_deliveries(&s, vote);
    let sms: Vec<i64> = queued
        .iter()
        .filter(|d| d.1 == "sms")
        .map(|d| d.0)
        .collect();
    let members: std::collections::HashSet<i64> = s
        .sql()
        .prepare("SELECT resident_id FROM vote_members WHERE vote_id = ?1")
        .unwrap()
        .query_map([vote], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    let adults: Vec<(i64, String)> = adults
        .into_iter()
        .filter(|a| members.contains(&a.0))
        .collect();
    assert!(adults[..2].iter().all(|a| a.0 == off || a.0 == gone) && adults.len() > 10);
    let expected: Vec<i64> = adults[2..].iter().map(|a| a.0).collect();
    assert_eq!(
        sms, expected,
        "one SMS per adult with a phone who takes them"
    );
    assert!(
        !queued.iter().any(|d| d.0 == gone),
        "nothing personal for the unsubscribed"
    );
    let posts: Vec<(String, i64)> = s
        .sql()
        .prepare(
            "SELECT g.channel, g.notice_id FROM group_posts g JOIN notices n ON n.id = g.notice_id
             WHERE n.subject = 'vote:' || ?1",
        )
        .unwrap()
        .query_map([vote], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(posts.len(), 1, "one robot post for the notice: {posts:?}");
    assert_eq!(posts[0].0, "wecom");

    // The worker sends them (polled; the bound only stops a hang).
    let mut got: Vec<Got> = Vec::new();
    for _ in 0..300 {
        got.extend(rx.taken());
        let sent = opening_deliveries(&s, vote)
            .iter()
            .filter(|d| d.1 == "sms" && d.2 == "sent")
            .count();
        let robot = got.iter().filter(|g| g.path == "/wecom").count();
        if sent == expected.len() && robot >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // What arrived between the last look and the count that ended the wait.
    got.extend(rx.taken());
    let texts: Vec<&Got> = got.iter().filter(|g| g.path == "/sms").collect();
    assert_eq!(texts.len(), expected.len(), "one request per SMS delivery");
    let mut phones = Vec::new();
    for g in &texts {
        let p = params(&g.query);
        assert_eq!(param(&p, "Signature"), aliyun_signature(&p, SMS_SECRET));
        assert_eq!(param(&p, "TemplateCode"), "SMS_465000002");
        let tp: serde_json::Value = serde_json::from_str(param(&p, "TemplateParam")).unwrap();
        assert_eq!(tp["path"], format!("/c/xingfu/votes/{vote}"), "{tp}");
        phones.push(param(&p, "PhoneNumbers").to_string());
    }
    phones.sort();
    let mut want: Vec<String> = adults[2..].iter().map(|a| a.1.clone()).collect();
    want.sort();
    assert_eq!(
        phones, want,
        "each phone once, none of the two who chose otherwise"
    );
    let robot: Vec<&Got> = got.iter().filter(|g| g.path == "/wecom").collect();
    assert_eq!(robot.len(), 1, "one group post, not one per household");
    let card: serde_json::Value = serde_json::from_slice(&robot[0].body).unwrap();
    assert_eq!(
        card["news"]["articles"][0]["url"],
        format!("{}/c/xingfu/votes/{vote}", s.base)
    );
    // The post reaches no household on the record; the SMS do.
    let (post_state, reached_by_group): (String, i64) = s
        .sql()
        .query_row(
            "SELECT g.state, (SELECT count(*) FROM notice_households h WHERE h.notice_id = g.notice_id
                 AND h.reached_by IN ('wecom', 'webhook'))
             FROM group_posts g JOIN notices n ON n.id = g.notice_id WHERE n.subject = 'vote:' || ?1",
            [vote],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((post_state.as_str(), reached_by_group), ("sent", 0));
    // The notice's record page lists the post with its outcome and time.
    let (notice, sent_at): (i64, i64) = s
        .sql()
        .query_row(
            "SELECT g.notice_id, g.sent_at FROM group_posts g JOIN notices n ON n.id = g.notice_id
             WHERE n.subject = 'vote:' || ?1",
            [vote],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let r = c.get(&format!("/c/xingfu/notices/{notice}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let at = jiff::Timestamp::from_second(sent_at)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get(&noon).unwrap())
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let posts = r
        .body
        .split("id=\"posts\"")
        .nth(1)
        .expect("a group posts section");
    let posts = posts.split("</table>").next().unwrap();
    assert!(
        posts.contains("企业微信群")
            && posts.contains("已送达")
            && posts.contains(&format!("{at} 发出")),
        "{posts}"
    );
    assert!(
        !posts.contains("WeCom") && !posts.contains("sent "),
        "the reader's language only: {posts}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_waits_out_the_quiet_hours_without_counting_an_attempt() {
    let rx = receiver().await;
    let s = Server::start_with(|c| c.notify_poll_ms = 100).await;
    // 02:00 in the village's zone: inside 21:00–08:00.
    let night = zone_showing(2);
    s.sql()
        .execute(
            "UPDATE communities SET tz = ?1 WHERE slug = 'xingfu'",
            [&night],
        )
        .unwrap();
    let mut c = s.client();
    c.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    village_sms_and_robot(&mut c, &rx).await;
    rx.taken();
    let vote = open_village_vote(&mut c, "夜间开启的表决").await;
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    // Every SMS put back to the morning (polled until the worker looked at them).
    let waiting = |s: &Server| -> (i64, i64, i64, i64) {
        s.sql()
            .query_row(
                "SELECT count(*), coalesce(sum(d.due_at > ?2 + 3600), 0), coalesce(sum(d.attempts), 0),
                        (SELECT count(*) FROM delivery_attempts a WHERE a.delivery_id IN
                           (SELECT id FROM deliveries WHERE notice_id = n.id AND channel = 'sms'))
                 FROM deliveries d JOIN notices n ON n.id = d.notice_id
                 WHERE n.kind = 'vote_opened' AND n.subject = 'vote:' || ?1 AND d.channel = 'sms'",
                rusqlite::params![vote, now()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
    };
    let mut got = Vec::new();
    let mut w = waiting(&s);
    for _ in 0..300 {
        got.extend(rx.taken());
        w = waiting(&s);
        if w.0 > 0 && w.1 == w.0 && got.iter().any(|g: &Got| g.path == "/wecom") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (total, postponed, attempts, rows) = w;
    assert!(total > 10, "SMS deliveries queued: {total}");
    assert_eq!(postponed, total, "each one waits for the morning");
    assert_eq!((attempts, rows), (0, 0), "waiting is not an attempt");
    assert!(
        !got.iter().any(|g| g.path == "/sms"),
        "no SMS goes out in quiet hours"
    );
    assert!(
        got.iter().any(|g| g.path == "/wecom"),
        "the group chat is not held back"
    );
    let (due, why): (i64, String) = s
        .sql()
        .query_row(
            "SELECT min(due_at), max(last_error) FROM deliveries WHERE channel = 'sms' AND state = 'queued'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // 08:00 local is six hours after 02:00 (within the hour the zone was picked in).
    assert!(
        due - now() > 4 * 3600 && due - now() <= 7 * 3600,
        "{}",
        due - now()
    );
    assert!(
        why.contains("免打扰") && why.contains("quiet hours"),
        "{why}"
    );

    // Morning comes (the zone moved to midday and the wait let go): they go.
    let noon = zone_showing(12);
    s.sql()
        .execute(
            "UPDATE communities SET tz = ?1 WHERE slug = 'xingfu'",
            [&noon],
        )
        .unwrap();
    s.sql()
        .execute(
            "UPDATE deliveries SET due_at = 0 WHERE channel = 'sms' AND state = 'queued'",
            [],
        )
        .unwrap();
    let mut sent = 0;
    for _ in 0..300 {
        got.extend(rx.taken());
        sent = got.iter().filter(|g| g.path == "/sms").count() as i64;
        if sent >= total {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(sent, total);
    let first: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM deliveries WHERE channel = 'sms' AND state = 'sent' AND attempts = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(first, total, "sent at the first attempt");
    s.stop().await;
}
