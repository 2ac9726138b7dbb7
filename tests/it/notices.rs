//! Notices by e-mail against a real SMTP server (Python's aiosmtpd, started
//! by the test on 127.0.0.1): the demo's open vote and coming meeting reach
//! every demo resident with an e-mail address, each message with
//! List-Unsubscribe and its link, and the record marks their households
//! reached.

use crate::common::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod advance;
mod share_cards;

struct Smtp {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Smtp {
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

/// aiosmtpd writing every message it accepts into a maildir.
async fn smtp() -> Smtp {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // scripts/test installs aiosmtpd into target/pyvenv; else the system's.
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyvenv/bin/python");
    let python = if venv.exists() {
        venv
    } else {
        "python3".into()
    };
    let mut child = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir.path().join("mail"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Smtp { child, port, dir };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start");
}

/// Every message in the maildir, as text.
fn mails(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(rd) = std::fs::read_dir(dir.join("mail").join(sub)) {
            for e in rd.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                out.push(decoded(&text));
            }
        }
    }
    out
}

/// The message with its body decoded (lettre sends a Chinese body as
/// base64, or quoted-printable whose soft line breaks are joined here).
fn decoded(text: &str) -> String {
    use base64::Engine;
    let text = text.replace("\r\n", "\n");
    let Some((head, body)) = text.split_once("\n\n") else {
        return text;
    };
    let cte = head.to_ascii_lowercase();
    let body = if cte.contains("content-transfer-encoding: base64") {
        let raw: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        body.replace("=\n", "")
    };
    format!("{head}\n\n{body}")
}

/// The body only.
fn body_of(mail: &str) -> &str {
    mail.split_once("\n\n").map(|(_, b)| b).unwrap_or("")
}

fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

/// Deliveries of the demo's notices in the database: (queued or sending, sent).
fn counts(s: &Server) -> (i64, i64) {
    s.sql()
        .query_row(
            "SELECT sum(state IN ('queued', 'sending')), sum(state = 'sent') FROM deliveries",
            [],
            |r| {
                Ok((
                    r.get::<_, Option<i64>>(0)?.unwrap_or(0),
                    r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                ))
            },
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_notices_reach_residents_with_email_through_smtp() {
    let mail = smtp().await;
    let port = mail.port;
    let s = Server::start_with(|c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.notify_poll_ms = 100;
    })
    .await;
    // What the demo queued: the open vote and the coming meeting, each for
    // the adults with an address among those it concerns.
    let expected: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id
             WHERE n.kind IN ('vote_opened', 'meeting_planned') AND d.state != 'skipped'
               AND n.subject IN (SELECT 'vote:' || id FROM votes WHERE status = 'open'
                                 UNION SELECT 'deliberation:' || id FROM deliberations WHERE status = 'planned')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        expected > 10,
        "the demo queues e-mails for its open vote and meeting ({expected})"
    );
    // Within a minute of start (polled, not timed: the bound only stops a hang).
    let mut got = Vec::new();
    for _ in 0..600 {
        got = mails(mail.dir.path());
        if got.len() as i64 >= expected && counts(&s).0 == 0 && got.len() as i64 == counts(&s).1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (waiting, sent) = counts(&s);
    assert_eq!(waiting, 0);
    assert!(
        sent >= expected,
        "the open vote's and the meeting's deliveries all went out"
    );
    assert_eq!(got.len() as i64, sent, "one message per delivery");
    let mut ids = std::collections::HashSet::new();
    for m in &got {
        let unsub = header(m, "List-Unsubscribe").expect("List-Unsubscribe header");
        let link = unsub.trim_matches(['<', '>']);
        assert!(
            link.starts_with(&format!("{}/unsubscribe/", s.base)),
            "{unsub}"
        );
        assert!(
            body_of(m).contains(link),
            "the unsubscribe link is in the body too"
        );
        assert!(
            body_of(m).contains(&format!("{}/c/xingfu/", s.base))
                || m.contains(&format!("{}/c/wutong/", s.base))
        );
        let to = header(m, "To").unwrap();
        assert!(
            to.ends_with(".example.org") || to.ends_with(".example.org>"),
            "{to}"
        );
        assert!(
            ids.insert(header(m, "Message-ID").unwrap().to_string()),
            "no message twice"
        );
    }
    // The record: each household an e-mail went to is reached by e-mail,
    // with one sent attempt per delivery.
    let c = s.sql();
    let unreached: i64 = c
        .query_row(
            "SELECT count(*) FROM deliveries d JOIN notice_households h
               ON h.notice_id = d.notice_id AND h.household_id = d.household_id
             WHERE d.state = 'sent' AND (h.reached_at IS NULL OR h.reached_by IS NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unreached, 0);
    let attempts: i64 = c
        .query_row(
            "SELECT count(*) FROM delivery_attempts WHERE outcome = 'sent'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(attempts, sent);
    // Notices of votes that already closed in the demo are not sent late.
    let late: i64 = c
        .query_row(
            "SELECT count(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id
             WHERE n.kind = 'vote_opened' AND d.state = 'sent'
               AND n.subject IN (SELECT 'vote:' || id FROM votes WHERE status = 'closed')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(late, 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_mail_server_is_retried_with_back_off_not_lost() {
    let port = free_port(); // nothing listens here
    let s = Server::start_with(|c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.notify_poll_ms = 100;
    })
    .await;
    let mut retried = 0;
    for _ in 0..300 {
        retried = s
            .sql()
            .query_row(
                "SELECT count(*) FROM delivery_attempts WHERE outcome = 'retry'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap();
        if retried > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        retried > 0,
        "a failed connection is recorded as an attempt to retry"
    );
    let (waiting, sent) = counts(&s);
    assert_eq!(sent, 0);
    assert!(waiting > 0, "deliveries wait for their next attempt");
    let (due, err): (i64, String) = s
        .sql()
        .query_row(
            "SELECT due_at - strftime('%s', 'now'), last_error FROM deliveries
             WHERE state = 'queued' AND attempts = 1 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        due > 0 && due <= 30,
        "next attempt after the first back-off ({due} s)"
    );
    assert!(
        err.contains("邮件服务器") && err.contains("mail server"),
        "{err}"
    );
    s.stop().await;
}

/// The open vote's opening notice in the demo village: (notice id, vote id).
fn open_vote_notice(s: &Server) -> (i64, i64) {
    s.sql()
        .query_row(
            "SELECT n.id, v.id FROM notices n JOIN votes v ON n.subject = 'vote:' || v.id
             JOIN communities c ON c.id = n.community_id
             WHERE c.slug = 'xingfu' AND v.status = 'open' AND n.kind = 'vote_opened'
             ORDER BY n.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_list_prints_receipts_and_a_scan_marks_the_household_reached() {
    let s = Server::start().await;
    let (notice, vote) = open_vote_notice(&s);
    // A building of the notice with households not yet reached.
    let (building, label, household, token): (i64, String, String, String) = s
        .sql()
        .query_row(
            "SELECT z.id, z.name, h.code, nh.receipt FROM notice_households nh
             JOIN households h ON h.id = nh.household_id JOIN zones z ON z.id = h.zone_id
             WHERE nh.notice_id = ?1 AND nh.reached_at IS NULL AND h.dwelling_id IS NULL
             ORDER BY z.id, h.code LIMIT 1",
            [notice],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let mut com = s.client();
    com.login("cunwei", "demo-committee-2026").await;
    let r = com.get("/c/xingfu/notices").await;
    assert_eq!(r.status, 200);
    assert!(r.has(&format!("/c/xingfu/notices/{notice}")));
    let list = format!("/c/xingfu/notices/{notice}/paper?place=zone:{building}");
    let r = com.get(&list).await;
    assert_eq!(r.status, 200);
    let receipt_url = format!("{}/c/xingfu/receipts/{token}", s.base);
    assert!(r.has("送达回执") && r.has(&household) && r.has(&receipt_url));
    assert!(
        r.has("<svg") && r.has("class=\"qr\""),
        "each receipt has a QR code"
    );
    let slips = r.body.matches("slip receipt").count();
    let in_building: i64 = s
        .sql()
        .query_row(
            "SELECT count(*) FROM notice_households nh JOIN households h ON h.id = nh.household_id
             WHERE nh.notice_id = ?1 AND h.zone_id = ?2 AND h.dwelling_id IS NULL",
            [notice, building],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        slips as i64, in_building,
        "one receipt per household of the building"
    );
    assert!(!r.has("@example.org"), "no address on paper");
    // A resident may not open a receipt; the grid worker's phone may.
    let mut res = s.client();
    res.login("resident", "demo-resident-2026").await;
    let path = format!("/c/xingfu/receipts/{token}");
    assert_eq!(res.get(&path).await.status, 403);
    let r = com.get(&path).await;
    assert_eq!(r.status, 200);
    assert!(r.has(&household) && r.has(&format!("action=\"{path}\"")));
    let r = com.post(&path, &[]).await;
    assert_eq!(r.status, 303);
    let reached = |s: &Server| -> (Option<i64>, Option<String>, Option<i64>) {
        s.sql()
            .query_row(
                "SELECT reached_at, reached_by, recorded_by FROM notice_households WHERE receipt = ?1",
                [&token],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    };
    let first = reached(&s);
    let cunwei: i64 = s
        .sql()
        .query_row("SELECT id FROM accounts WHERE login = 'cunwei'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(first.1.as_deref(), Some("paper"));
    assert_eq!(first.2, Some(cunwei), "who recorded it");
    // Scanning twice changes nothing.
    assert_eq!(com.post(&path, &[]).await.status, 303);
    assert_eq!(reached(&s), first);
    assert!(com.get(&path).await.has("✓") || com.get(&path).await.has("已送达"));
    // The not-yet-reached list no longer has it; ticking another household
    // on the list records it too.
    let r = com.get(&format!("{list}&unreached=1")).await;
    assert!(!r.has(&format!(">{household}<")));
    let other: Option<i64> = s
        .sql()
        .query_row(
            "SELECT nh.household_id FROM notice_households nh JOIN households h ON h.id = nh.household_id
             WHERE nh.notice_id = ?1 AND h.zone_id = ?2 AND h.dwelling_id IS NULL
               AND nh.reached_at IS NULL LIMIT 1",
            [notice, building],
            |r| r.get(0),
        )
        .ok();
    if let Some(h) = other {
        let r = com
            .post(
                &format!("/c/xingfu/notices/{notice}/paper/{h}?place=zone:{building}&unreached=1"),
                &[],
            )
            .await;
        assert_eq!(r.status, 303);
        let by: String = s
            .sql()
            .query_row(
                "SELECT reached_by FROM notice_households WHERE notice_id = ?1 AND household_id = ?2",
                [notice, h],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(by, "paper");
    }
    // The vote page: reach per building for everyone, the record's links
    // for the committee.
    let r = com.get(&format!("/c/xingfu/votes/{vote}")).await;
    assert!(r.has("id=\"reach\"") && r.has(&format!(">{label}<")));
    assert!(r.has(&format!(
        "/c/xingfu/notices/{notice}/paper?unreached=1&amp;place=zone:{building}"
    )));
    let anon = s.client().get(&format!("/c/xingfu/votes/{vote}")).await;
    assert!(anon.has("id=\"reach\"") && !anon.has(&format!("/c/xingfu/notices/{notice}")));
    // The record page shows the paper reach in its building's row.
    let r = com.get(&format!("/c/xingfu/notices/{notice}")).await;
    assert_eq!(r.status, 200);
    assert!(r.has(&label));

    // A resend names its notice: a delivery of another notice is refused
    // from this notice's page and left as it was.
    let (delivery, of): (i64, i64) = s
        .sql()
        .query_row(
            "SELECT d.id, d.notice_id FROM deliveries d JOIN communities c ON c.id = d.community_id
             WHERE c.slug = 'xingfu' AND d.state IN ('failed', 'skipped') AND d.notice_id != ?1
             ORDER BY d.id LIMIT 1",
            [notice],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the demo's history leaves deliveries not sent");
    let state = |s: &Server| -> String {
        s.sql()
            .query_row(
                "SELECT state FROM deliveries WHERE id = ?1",
                [delivery],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = state(&s);
    let r = com
        .post(
            &format!("/c/xingfu/notices/{notice}/deliveries/{delivery}/resend"),
            &[],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert_eq!(state(&s), before);
    let r = com
        .post(
            &format!("/c/xingfu/notices/{of}/deliveries/{delivery}/resend"),
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_ne!(state(&s), before, "queued again");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_opening_the_vote_page_is_reached_online_once() {
    let s = Server::start().await;
    // A notice of the resident's household not yet reached, and its page.
    let (notice, page): (i64, String) = s
        .sql()
        .query_row(
            "SELECT n.id, n.path FROM notices n JOIN notice_households nh ON nh.notice_id = n.id
             JOIN residents r ON r.household_id = nh.household_id
             JOIN accounts a ON a.resident_id = r.id
             WHERE a.login = 'resident' AND nh.reached_at IS NULL ORDER BY n.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let state = |s: &Server| -> Option<(Option<i64>, Option<String>)> {
        s.sql()
            .query_row(
                "SELECT nh.reached_at, nh.reached_by FROM notice_households nh
                 JOIN residents r ON r.household_id = nh.household_id
                 JOIN accounts a ON a.resident_id = r.id
                 WHERE a.login = 'resident' AND nh.notice_id = ?1",
                [notice],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok()
    };
    let Some((before, _)) = state(&s) else {
        panic!("the demo resident's household is in the open vote's notice");
    };
    assert!(before.is_none());
    let mut res = s.client();
    res.login("resident", "demo-resident-2026").await;
    assert_eq!(res.get(&page).await.status, 200);
    let mut got = None;
    for _ in 0..100 {
        got = state(&s).and_then(|(at, by)| at.zip(by));
        if got.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (at, by) = got.expect("reached online after the page view");
    assert_eq!(by, "web");
    assert_eq!(res.get(&page).await.status, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        state(&s).unwrap().0,
        Some(at),
        "a second look writes nothing"
    );
    s.stop().await;
}

/// aiosmtpd that stores each message and then waits before it answers, so
/// a message is in the mailbox while the server still waits to record it.
async fn slow_smtp() -> Smtp {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("slow_mailbox.py"),
        "import asyncio\nfrom aiosmtpd.handlers import Mailbox\n\n\
         class Slow(Mailbox):\n    async def handle_DATA(self, server, session, envelope):\n        \
         answer = await super().handle_DATA(server, session, envelope)\n        \
         await asyncio.sleep(0.4)\n        return answer\n",
    )
    .unwrap();
    let port = free_port();
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyvenv/bin/python");
    let python = if venv.exists() {
        venv
    } else {
        "python3".into()
    };
    let mut child = Command::new(python)
        .env("PYTHONPATH", dir.path())
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "slow_mailbox.Slow"])
        .arg(dir.path().join("mail"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Smtp { child, port, dir };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start");
}

/// The server as a child process (so it can be killed), mailing through `smtp`.
fn serve(db: &Path, port: u16, smtp: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--smtp-url")
        .arg(format!("smtp://127.0.0.1:{smtp}"))
        .arg("--db")
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The delivery key in a Message-ID (`<th-wutong-7@host>` → `th-wutong-7`).
fn key_of(mail: &str) -> String {
    let id = header(mail, "Message-ID").expect("Message-ID");
    id.trim_matches(['<', '>'])
        .split('@')
        .next()
        .unwrap()
        .to_string()
}

/// Restart safety. SMTP cannot be exactly-once: a message the mail server
/// accepted just before the process was killed, whose acceptance was never
/// recorded, is sent again after the restart. What the outbox promises, and
/// this test checks, is that nothing is lost (every delivery ends sent),
/// that a message sent again carries the same Message-ID as before (so a
/// mail system can drop the copy), and that the record holds one sent
/// delivery per resident and notice and reaches each household once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_mail_and_resends_under_the_same_message_id() {
    let mail = slow_smtp().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.sqlite3");
    let port = free_port();
    let mut child = serve(&db, port, mail.port);
    // Killed as soon as the first message is in the mailbox: it and the
    // rest of its round are still waiting for the mail server's answer.
    for _ in 0..600 {
        if !mails(mail.dir.path()).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before: Vec<String> = mails(mail.dir.path()).iter().map(|m| key_of(m)).collect();
    assert!(!before.is_empty(), "a message went out before the kill");
    let c = rusqlite::Connection::open(&db).unwrap();
    let in_flight: Vec<i64> = c
        .prepare("SELECT id FROM deliveries WHERE state = 'sending'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert!(
        !in_flight.is_empty(),
        "deliveries were in flight at the kill"
    );
    drop(c);

    let mut child = serve(&db, port, mail.port);
    let c = rusqlite::Connection::open(&db).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    let left = |c: &rusqlite::Connection| -> i64 {
        c.query_row(
            "SELECT count(*) FROM deliveries WHERE state IN ('queued', 'sending')",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    for _ in 0..1200 {
        if left(&c) == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left(&c), 0, "every delivery ended");
    let after: Vec<String> = mails(mail.dir.path()).iter().map(|m| key_of(m)).collect();
    let _ = child.kill();
    let _ = child.wait();

    let sent: Vec<(i64, String)> = c
        .prepare(
            "SELECT d.id, cm.slug FROM deliveries d JOIN communities cm ON cm.id = d.community_id
             WHERE d.state = 'sent'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    let keys: std::collections::HashSet<String> = sent
        .iter()
        .map(|(id, slug)| format!("th-{slug}-{id}"))
        .collect();
    let distinct: std::collections::HashSet<String> = after.iter().cloned().collect();
    assert_eq!(
        distinct, keys,
        "one Message-ID per sent delivery, nothing lost"
    );
    for k in &before {
        assert!(
            keys.contains(k),
            "{k} sent before the kill is recorded sent"
        );
    }
    // Copies: only of deliveries in flight at the kill, under their own ID.
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    for k in &after {
        *seen.entry(k).or_default() += 1;
    }
    for (k, n) in &seen {
        if *n > 1 {
            let id: i64 = k.rsplit('-').next().unwrap().parse().unwrap();
            assert!(
                in_flight.contains(&id),
                "{k} sent {n} times but was not in flight"
            );
            assert_eq!(*n, 2, "{k}");
        }
    }
    let twice: i64 = c
        .query_row(
            "SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE state = 'sent'
               GROUP BY notice_id, resident_id, channel HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(twice, 0, "one sent delivery per resident and notice");
    let unreached: i64 = c
        .query_row(
            "SELECT count(*) FROM deliveries d JOIN notice_households h
               ON h.notice_id = d.notice_id AND h.household_id = d.household_id
             WHERE d.state = 'sent' AND h.reached_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unreached, 0, "each household of a sent delivery is reached");
    let interrupted: i64 = c
        .query_row(
            "SELECT count(*) FROM delivery_attempts WHERE outcome = 'interrupted'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        interrupted as usize,
        in_flight.len(),
        "the record says what the kill cut short"
    );
}
