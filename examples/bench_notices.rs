//! Queueing a notice for 10,000 households in one transaction
//! (`store::notices::queue`: the households with their receipt tokens, an
//! e-mail and an SMS delivery per adult, the group post), against a plain
//! INSERT of the same number of rows per table in the same run.
//! `cargo run --release --example bench_notices`

use std::time::Instant;

use rusqlite::{Connection, params};
use teahouse::domain::Msg;
use teahouse::notify::outbox::NoticeKind;
use teahouse::store::notices::{self, NewNotice, Recipients};

const HOUSEHOLDS: i64 = 10_000;

fn setup(path: &std::path::Path) -> Connection {
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
    for kind in ["sms", "wecom"] {
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

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = setup(&dir.path().join("bench.sqlite3"));
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
}
