//! Queueing a notice for 10,000 households in one transaction
//! (`store::notices::queue`: the households with their receipt tokens, an
//! e-mail and an SMS delivery per adult, the group post), against a plain
//! INSERT of the same number of rows per table in the same run.
//!
//! Then delivering such a notice's 10,000 e-mails through a local SMTP
//! server (aiosmtpd, started here, accepting and dropping every message):
//! the delivery worker (claim, residents' rules, send, record each attempt)
//! against raw lettre sends of the same messages to the same server, as
//! many at a time as the worker sends (`worker::BATCH`), without the outbox.
//! `cargo run --release --example bench_notices [smtp rounds, 1-3]`

use std::time::Instant;

use rusqlite::{Connection, params};
use teahouse::domain::Msg;
use teahouse::notify::channel::Outgoing;
use teahouse::notify::email::Email;
use teahouse::notify::outbox::NoticeKind;
use teahouse::notify::worker::{self, Setup, Worker};
use teahouse::store::Db;
use teahouse::store::notices::{self, NewNotice, Recipients};

const HOUSEHOLDS: i64 = 10_000;

fn setup(path: &std::path::Path, channels: &[&str]) -> Connection {
    let mut c = Connection::open(path).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.pragma_update(None, "synchronous", "FULL").unwrap();
    c.pragma_update(None, "foreign_keys", "ON").unwrap();
    teahouse::store::migrations::run(&mut c).unwrap();
    let tx = c.transaction().unwrap();
    tx.execute(
        "INSERT INTO communities (slug, name, kind, created_at) VALUES ('bench', '基准小区', 'compound', 0)",
        [],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO zones (community_id, name) VALUES (1, '一区')",
        [],
    )
    .unwrap();
    for h in 1..=HOUSEHOLDS {
        tx.execute(
            "INSERT INTO households (id, community_id, zone_id, code) VALUES (?1, 1, 1, ?2)",
            params![h, format!("H{h:05}")],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO residents (community_id, key, household_id, name, phone, email, is_adult)
             VALUES (1, ?1, ?2, '居民', ?3, ?4, 1)",
            params![
                format!("R{h:05}"),
                h,
                format!("139{h:08}"),
                format!("r{h}@bench.example.org")
            ],
        )
        .unwrap();
    }
    for kind in channels {
        tx.execute(
            "INSERT INTO notify_channels (community_id, kind, config_json, secret, enabled, updated_at)
             VALUES (1, ?1, '{}', 's', 1, 0)",
            [kind],
        )
        .unwrap();
    }
    tx.execute_batch(
        "CREATE TABLE plain_a (a INTEGER, b INTEGER, c TEXT);
         CREATE TABLE plain_b (a INTEGER, b INTEGER, c TEXT, d INTEGER);",
    )
    .unwrap();
    tx.commit().unwrap();
    c
}

fn queue(c: &mut Connection, i: usize) -> f64 {
    let t = Instant::now();
    let tx = c.transaction().unwrap();
    let n = NewNotice {
        kind: NoticeKind::MeetingPlanned,
        subject: format!("deliberation:{i}"),
        ledger_seq: None,
        title: Msg::new("议事会通知", "meeting planned"),
        body: Msg::new("请参加", "please come"),
        path: "/c/bench".into(),
        dedupe: String::new(),
    };
    notices::queue(&tx, 1, &n, &Recipients::Place("community".into()))
        .unwrap()
        .unwrap();
    tx.commit().unwrap();
    t.elapsed().as_secs_f64() * 1000.0
}

/// The same rows as a queue writes (households, e-mail, SMS), as plain INSERTs.
fn plain(c: &mut Connection) -> f64 {
    let t = Instant::now();
    let tx = c.transaction().unwrap();
    {
        let mut a = tx
            .prepare("INSERT INTO plain_a (a, b, c) VALUES (?1, ?2, ?3)")
            .unwrap();
        let mut b = tx
            .prepare("INSERT INTO plain_b (a, b, c, d) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        for h in 1..=HOUSEHOLDS {
            a.execute(params![1, h, "0123456789abcdef01234567"])
                .unwrap();
            b.execute(params![1, h, "email", 0]).unwrap();
            b.execute(params![1, h, "sms", 0]).unwrap();
        }
    }
    tx.commit().unwrap();
    t.elapsed().as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let mut c = setup(&dir.path().join("bench.sqlite3"), &["sms", "wecom"]);
    let rows: i64 = 3 * HOUSEHOLDS;
    println!("notice for {HOUSEHOLDS} households ({rows} rows + 1 group post), 5 runs each:");
    for i in 0..5 {
        let p = plain(&mut c);
        let q = queue(&mut c, i);
        println!(
            "  plain INSERT {p:8.1} ms   queue {q:8.1} ms   ratio {:.2}x",
            q / p
        );
    }
    let d: i64 = c
        .query_row("SELECT count(*) FROM deliveries", [], |r| r.get(0))
        .unwrap();
    let g: i64 = c
        .query_row("SELECT count(*) FROM group_posts", [], |r| r.get(0))
        .unwrap();
    println!("deliveries {d}, group posts {g}");
    drop(c);
    let path = dir.path().join("smtp.sqlite3");
    drop(setup(&path, &[]));
    smtp_rounds(&path, rounds.clamp(1, 3)).await;
}

/// aiosmtpd on 127.0.0.1, accepting every message and keeping none.
struct Smtp {
    child: std::process::Child,
    url: String,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_server() -> Smtp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // scripts/test installs aiosmtpd into target/pyvenv; else the system's.
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyvenv/bin/python");
    let python = if venv.exists() {
        venv
    } else {
        "python3".into()
    };
    let mut child = std::process::Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Sink"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Smtp {
                child,
                url: format!("smtp://127.0.0.1:{port}"),
            };
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start");
}

/// A notice to every household, of a kind that stays current (a vote's
/// opening is skipped once the vote is over; this bench has no vote rows).
fn smtp_notice(i: usize) -> NewNotice {
    NewNotice {
        kind: NoticeKind::DisclosurePublished,
        subject: format!("disclosure:{i}"),
        ledger_seq: None,
        title: Msg::new("公开事项：2026年11月", "Disclosure: 2026-11"),
        body: Msg::new(
            "新的公开事项（财务，2026年11月）已发布。",
            "A new disclosure (finances, 2026-11) is published.",
        ),
        path: format!("/c/bench/disclosures/{i}"),
        dedupe: String::new(),
    }
}

/// The messages the worker sends for `smtp_notice(i)`, built by the same
/// e-mail channel, to send without the outbox.
fn raw_messages(mail: &Email, i: usize) -> Vec<lettre::Message> {
    let n = smtp_notice(i);
    (1..=HOUSEHOLDS)
        .map(|h| {
            let base = "http://bench.example.org";
            let out = Outgoing {
                delivery_id: h,
                community_slug: "bench".into(),
                to: format!("r{h}@bench.example.org"),
                title: n.title.zh.clone(),
                body: format!("{}\n\n{}\n{}", n.body.zh, n.title.en, n.body.en),
                link: format!("{base}{}", n.path),
                unsubscribe: format!("{base}/unsubscribe/{:024x}", h),
                template: None,
                idempotency_key: format!("raw-{i}-{h}"),
            };
            mail.message(&out).unwrap()
        })
        .collect()
}

/// Raw lettre: the messages sent `BATCH` at a time; seconds and how many sent.
async fn raw_sends(url: &str, messages: Vec<lettre::Message>) -> (f64, usize) {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let t = Instant::now();
    let transport = std::sync::Arc::new(
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .unwrap()
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build(),
    );
    let mut sent = 0;
    let mut it = messages.into_iter().peekable();
    while it.peek().is_some() {
        let mut set = tokio::task::JoinSet::new();
        for m in it.by_ref().take(worker::BATCH) {
            let tr = transport.clone();
            set.spawn(async move { tr.send(m).await.is_ok() });
        }
        while let Some(ok) = set.join_next().await {
            sent += ok.unwrap() as usize;
        }
    }
    (t.elapsed().as_secs_f64(), sent)
}

/// The worker: the notice queued, then rounds until nothing is due; seconds
/// (from the first claim) and how many of its deliveries were sent.
async fn outbox_sends(db: &Db, w: &Worker, i: usize) -> (f64, usize) {
    let id = db
        .write(move |tx| {
            notices::queue(
                tx,
                1,
                &smtp_notice(i),
                &Recipients::Place("community".into()),
            )
        })
        .await
        .unwrap()
        .unwrap();
    let t = Instant::now();
    while w.tick().await.unwrap() > 0 {}
    let secs = t.elapsed().as_secs_f64();
    let sent: i64 = db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT count(*) FROM deliveries WHERE notice_id = ?1 AND state = 'sent'",
                [id],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    (secs, sent as usize)
}

/// Each round: raw lettre, then the worker, on the same server; messages/s.
/// At most 3 rounds: a resident takes 3 messages a day by default.
async fn smtp_rounds(path: &std::path::Path, rounds: usize) {
    let server = smtp_server();
    let db = teahouse::store::open(path, 2).unwrap();
    let w = Worker::new(Setup {
        db: db.clone(),
        base_url: "http://bench.example.org".into(),
        smtp_url: Some(server.url.clone()),
        poll: std::time::Duration::from_millis(10),
    })
    .unwrap();
    let mail = Email::new(&server.url, "议事茶馆 Teahouse <notices@bench.example.org>").unwrap();
    println!(
        "{HOUSEHOLDS} e-mails through aiosmtpd on 127.0.0.1 ({} at a time), {rounds} rounds:",
        worker::BATCH
    );
    for i in 0..rounds {
        let (rs, rn) = raw_sends(&server.url, raw_messages(&mail, i)).await;
        let (os, on) = outbox_sends(&db, &w, i).await;
        let (r, o) = (rn as f64 / rs, on as f64 / os);
        println!(
            "  raw lettre {rn} in {rs:6.2} s = {r:7.0}/s   outbox worker {on} in {os:6.2} s = {o:7.0}/s   outbox/raw time {:.2}x",
            r / o
        );
    }
    drop(server);
}
