//! Refusals made before a handler runs or around it (a body over its limit,
//! a form that does not parse, a wrong method, too many login attempts) are
//! answered in the reader's language only, inside the reader's own header.
//! (A timeout and a panic: the unit tests of `web::refusal`.)

use crate::common::*;
use reqwest::StatusCode;

/// A client that has chosen `lang` ("zh" or "en") on the site.
async fn reader(s: &Server, lang: &str) -> Client {
    let mut c = s.client();
    let r = c.post("/prefs", &[("lang", lang), ("next", "/")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c
}

/// The page says `zh` to a Chinese reader and `en` to an English one, never both.
fn in_one_language(r: &Resp, lang: &str, zh: &str, en: &str) {
    let (want, other) = if lang == "en" { (en, zh) } else { (zh, en) };
    assert!(
        r.has(want) && !r.has(other),
        "{lang}: {want:?} and not {other:?}:\n{}",
        r.body
    );
}

#[tokio::test]
async fn a_form_that_does_not_parse_answers_in_the_readers_language_and_header() {
    let s = Server::start().await;
    for lang in ["zh", "en"] {
        let mut c = reader(&s, lang).await;
        c.login(RESIDENT.0, RESIDENT.1).await;
        c.get("/c/wutong/proposals/1").await;
        // No `body`: axum's Form refuses it before the handler.
        let r = c.post("/c/wutong/proposals/1/comments", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        in_one_language(&r, lang, "表单内容无法读取", "The form could not be read");
        in_one_language(&r, lang, "无法完成", "Could not be done");
        assert!(
            r.has("action=\"/logout\""),
            "the resident's header: {}",
            r.body
        );
        assert!(!r.has("Failed to deserialize"), "{}", r.body);
    }
    s.stop().await;
}

#[tokio::test]
async fn a_wrong_method_answers_in_the_readers_language() {
    let s = Server::start().await;
    for lang in ["zh", "en"] {
        let mut c = reader(&s, lang).await;
        let r = c.post("/c/wutong", &[]).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
        in_one_language(
            &r,
            lang,
            "这个地址不接受这种请求",
            "This address does not take this kind of request",
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn a_body_too_large_answers_in_the_readers_language() {
    let s = Server::start().await;
    let (zh, en) = ("提交的内容太大", "What you sent is too large");
    for lang in ["zh", "en"] {
        // Over the route's form limit, logged in: axum's limit, in the header.
        let mut c = reader(&s, lang).await;
        c.login(RESIDENT.0, RESIDENT.1).await;
        c.get("/c/wutong/proposals/1").await;
        let big = "字".repeat(200_000);
        let r = c
            .post("/c/wutong/proposals/1/comments", &[("body", &big)])
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        in_one_language(&r, lang, zh, en);
        assert!(r.has("action=\"/logout\""), "{}", r.body);

        // Before logging in, over the small limit: refused by the middleware.
        let mut anon = reader(&s, lang).await;
        let r = anon.post("/login", &[("login", &"x".repeat(70_000))]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        in_one_language(&r, lang, zh, en);
    }
    s.stop().await;
}

#[tokio::test]
async fn a_body_over_the_servers_limit_answers_in_the_readers_language() {
    let s = Server::start().await;
    let addr = s.base.trim_start_matches("http://").to_string();
    for lang in ["zh", "en"] {
        // Declared 50 MB: refused from the header, before anything is read.
        let head = format!(
            "POST /c/wutong/roll/import HTTP/1.1\r\nHost: {addr}\r\nCookie: th_prefs={lang}.normal\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            50 * 1024 * 1024
        );
        let r = raw_answer(&addr, head.as_bytes()).await;
        assert!(r.starts_with("HTTP/1.1 413"), "{r}");
        let (want, other) = if lang == "en" {
            ("What you sent is too large", "提交的内容太大")
        } else {
            ("提交的内容太大", "What you sent is too large")
        };
        assert!(r.contains(want) && !r.contains(other), "{lang}: {r}");
    }
    s.stop().await;
}

/// Sends `bytes` and reads the answer until the server closes.
async fn raw_answer(addr: &str, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn too_many_login_attempts_answer_in_the_readers_language() {
    let s = Server::start_with(|c| {
        c.login_burst = 1;
        c.login_refill_secs = 3600;
    })
    .await;
    let (zh, en) = ("尝试太频繁", "Too many attempts from this address");
    let mut c = reader(&s, "en").await;
    c.post("/login", &[("login", "nobody"), ("password", "x")])
        .await;
    let r = c
        .post("/login", &[("login", "nobody"), ("password", "x")])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.headers.contains_key("retry-after"));
    in_one_language(&r, "en", zh, en);
    in_one_language(&r, "en", "请稍后再试", "Please wait");
    // The same address, a Chinese reader.
    let mut c = reader(&s, "zh").await;
    let r = c
        .post("/login", &[("login", "nobody"), ("password", "x")])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    in_one_language(&r, "zh", zh, en);
    s.stop().await;
}

#[tokio::test]
async fn a_missing_file_or_a_malformed_address_is_not_called_a_form() {
    let s = Server::start().await;
    for lang in ["zh", "en"] {
        let mut c = reader(&s, lang).await;
        // A static file that is not there: a plain-text 404 from its handler.
        let r = c.get("/static/nothing-here.css").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        in_one_language(&r, lang, "没有这个页面", "There is no such page");
        assert!(!r.has("表单") && !r.has("The form"), "{lang}: {}", r.body);
        // A number in the path that is not one: axum's Path refuses it (400).
        let r = c.get("/c/wutong/votes/abc").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        in_one_language(&r, lang, "地址有一部分格式不对", "Part of this address");
        assert!(!r.has("表单") && !r.has("The form"), "{lang}: {}", r.body);
    }
    s.stop().await;
}
