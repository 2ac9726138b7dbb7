//! Operations: health, metrics, a consistent backup while the server runs,
//! and the demo seeding only once.

mod common;
use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn backup_while_serving_and_demo_seeds_once() {
    let s = Server::start().await;
    let mut c = s.client();
    assert_eq!(c.get("/healthz").await.body, "ok");
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    // Writes keep coming while the backup is taken.
    let writer = {
        let mut c2 = s.client();
        c2.login(COMMITTEE.0, COMMITTEE.1).await;
        c2.get("/c/wutong/settings").await;
        tokio::spawn(async move {
            for i in 0..20 {
                let r = c2
                    .post(
                        "/c/wutong/settings",
                        &[
                            ("name", &format!("值班员{i}")),
                            ("phone", ""),
                            ("address", ""),
                            ("hours", ""),
                        ],
                    )
                    .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER);
            }
        })
    };
    let out = s.dir.path().join("backup.sqlite3");
    let (db, out2) = (s.db_path(), out.clone());
    tokio::task::spawn_blocking(move || teahouse::cli::backup(&db, &out2))
        .await
        .unwrap()
        .unwrap();
    writer.await.unwrap();
    let b = rusqlite::Connection::open(&out).unwrap();
    let ok: String = b
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let n: i64 = b
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap();
    assert!(n > 1000, "the backup holds the roll");
    // A second backup to the same file is refused rather than overwriting.
    assert!(teahouse::cli::backup(&s.db_path(), &out).is_err());

    // Restarting with --demo on the same database does not seed twice.
    let path = s.db_path();
    let running = s.running.as_ref().unwrap();
    let db = running.db.clone();
    assert!(
        !teahouse::demo::seed_if_empty(&db, &running.hasher)
            .await
            .unwrap()
    );
    let communities: i64 = rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM communities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(communities, 2);
    // The demo's votes and ledger verify.
    let (lines, ok) = teahouse::cli::verify_db(&s.db_path()).unwrap();
    assert!(ok, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("wutong: 16 entries")),
        "{lines:?}"
    );
    s.stop().await;
}

/// Sends raw bytes and returns what came back (the status line and body).
async fn raw(addr: &str, bytes: &[u8], read: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    if !read {
        return String::new();
    }
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn gauge(metrics: &str, name: &str) -> i64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1)
}

/// A client that sends its headers slowly, or nothing, is closed after the
/// header time limit instead of holding a connection for ever.
#[tokio::test]
async fn slow_headers_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Server::start_with(|c| c.header_timeout_secs = 1).await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut partial = tokio::net::TcpStream::connect(&addr).await.unwrap();
    partial
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    for s in [&mut partial, &mut silent] {
        let mut buf = Vec::new();
        let closed =
            tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "the server closed the connection");
    }
    assert_eq!(s.client().get("/healthz").await.status, StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn refusals_are_bilingual_and_metrics_are_the_operators() {
    let s = Server::start_with(|c| c.trusted_proxy = Some("127.0.0.1".parse().unwrap())).await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut c = s.client();
    // From this machine the metrics answer; from outside (through the
    // trusted proxy) only to the operator.
    assert_eq!(c.get("/metrics").await.status, StatusCode::OK);
    let outside = |c: &Client, path: &str| {
        c.http
            .get(format!("{}{path}", c.base))
            .header("x-forwarded-for", "203.0.113.7")
            .send()
    };
    assert_eq!(
        outside(&c, "/metrics").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let mut op = s.client();
    op.login(OPERATOR.0, OPERATOR.1).await;
    assert_eq!(
        outside(&op, "/metrics").await.unwrap().status(),
        StatusCode::OK
    );

    // A 50 MB upload is refused at once, in Chinese and English.
    let r = raw(
        &addr,
        format!(
            "POST /c/wutong/roll/import HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            50 * 1024 * 1024
        )
        .as_bytes(),
        true,
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 413"), "{r}");
    assert!(
        r.contains("提交的内容太大") && r.contains("too large"),
        "{r}"
    );

    // Before logging in, nobody may send more than a small form: refused
    // from its declared length, before it is read.
    let r = raw(
        &addr,
        format!(
            "POST /nonexistent HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: th_csrf={}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(64),
            1024 * 1024
        )
        .as_bytes(),
        true,
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 413"), "{r}");

    // A form too large for its route, and one that does not parse.
    c.login(RESIDENT.0, RESIDENT.1).await;
    c.get("/c/wutong/proposals/new").await;
    let big = "字".repeat(200_000);
    let r = c
        .post("/c/wutong/proposals/1/comments", &[("text", &big)])
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.has("提交的内容太大") && r.has("too large"), "{}", r.body);

    // Clients that go away mid-request leave no request counted in flight.
    for _ in 0..20 {
        raw(
            &addr,
            format!(
                "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nlogin=x"
            )
            .as_bytes(),
            false,
        )
        .await;
    }
    let mut flight = -1;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        flight = gauge(&c.get("/metrics").await.body, "teahouse_http_in_flight");
        if flight == 1 {
            break;
        }
    }
    assert_eq!(flight, 1, "only the metrics request itself");
    s.stop().await;
}

/// A raw CR or LF in an uploaded file's name: the form is refused whole
/// (before: the photo was dropped silently and the proposal saved).
#[tokio::test]
async fn a_broken_file_name_refuses_the_whole_form() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(RESIDENT.0, RESIDENT.1).await;
    c.get("/c/wutong/proposals/new").await;
    let count = || -> i64 {
        s.sql()
            .query_row("SELECT count(*) FROM proposals", [], |r| r.get(0))
            .unwrap()
    };
    let before = count();
    for name in ["a\r\nb.png", "a\nb.png", "a\rb.png"] {
        let mut body = Vec::new();
        for (k, v) in [
            ("_csrf", c.csrf.as_str()),
            ("title", "楼道灯"),
            ("body", "不亮"),
            ("category", "facilities"),
            ("place", "community"),
        ] {
            body.extend(
                format!("--b\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        body.extend(format!("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/svg+xml\r\n\r\n").as_bytes());
        // Text content: it would read as a text field and the photo vanish.
        body.extend(b"<svg xmlns='http://www.w3.org/2000/svg'/>\r\n--b--\r\n");
        let r = c
            .http
            .post(format!("{}/c/wutong/proposals", s.base))
            .header("content-type", "multipart/form-data; boundary=b")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_client_error(), "{name:?}: {status}: {text}");
        assert!(text.contains("上传") && text.contains("upload"), "{text}");
        assert_eq!(count(), before, "nothing saved");
    }
    assert_eq!(c.get("/healthz").await.status, StatusCode::OK);
    s.stop().await;
}
