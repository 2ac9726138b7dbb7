//! Notices by e-mail against a real SMTP server (Python's aiosmtpd, started
//! by the test on 127.0.0.1): the demo's open vote and coming meeting reach
//! every demo resident with an e-mail address, each message with
//! List-Unsubscribe and its link, and the record marks their households
//! reached.

mod common;
use common::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
