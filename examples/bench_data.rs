//! Data for benchmarks, written straight into a database:
//! `bench_data disclosure DB` adds a published 500-row finance disclosure to
//! the demo village and prints its id; `bench_data ledger DB N` makes a fresh
//! database whose village ledger has N entries (a published disclosure and
//! N−3 residents' questions on it), for timing `teahouse verify`;
//! `bench_data proposals DB N` adds N published, co-signed proposals to the
//! demo compound.

use rusqlite::Connection;
use teahouse::domain::disclosure::{Category, Period, show_money};
use teahouse::store::disclosures::{self as store, NewDisclosure};
use teahouse::store::{accounts, communities, migrations};

fn rows(n: usize) -> Vec<Vec<String>> {
    let mut bal = 1_000_000;
    (0..n)
        .map(|i| {
            let (inc, sp) = if i % 3 == 0 { (25_000, 0) } else { (0, 3_750) };
            bal += inc - sp;
            vec![
                format!("2035-01-{:02}", i % 28 + 1),
                format!("第 {i} 笔"),
                if inc > 0 {
                    show_money(inc)
                } else {
                    String::new()
                },
                if sp > 0 {
                    show_money(sp)
                } else {
                    String::new()
                },
                show_money(bal),
                "李*".into(),
                format!("记-{i:04}"),
            ]
        })
        .collect()
}

fn publish(tx: &rusqlite::Transaction, cid: i64, n: usize, who: (i64, i64)) -> i64 {
    let id = store::create(
        tx,
        cid,
        &NewDisclosure {
            category: Category::Finance,
            period: Period::Month(2035, 1),
            title: format!("{n} 行的财务公开"),
            explanation: "benchmark".into(),
            rows: rows(n),
        },
        who.0,
    )
    .unwrap();
    store::submit(tx, &store::get(tx, cid, id).unwrap()).unwrap();
    let d = store::get(tx, cid, id).unwrap();
    let w = store::working(tx, id).unwrap().unwrap();
    let seen = store::seen_now(tx, &d, &w).unwrap();
    store::sign(tx, &d, who.1, "bench", &seen).unwrap();
    store::publish(tx, &store::get(tx, cid, id).unwrap()).unwrap();
    id
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["disclosure", db] => {
            let mut c = Connection::open(db).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            let tx = c.transaction().unwrap();
            let cid: i64 = tx
                .query_row(
                    "SELECT id FROM communities WHERE slug = 'xingfu'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let who = |role: &str| -> i64 {
                tx.query_row(
                    "SELECT account_id FROM memberships WHERE community_id = ?1 AND role = ?2",
                    rusqlite::params![cid, role],
                    |r| r.get(0),
                )
                .unwrap()
            };
            let ids = (who("committee"), who("supervisor"));
            let id = publish(&tx, cid, 500, ids);
            tx.commit().unwrap();
            println!("{id}");
        }
        ["meetings", db] => {
            use teahouse::domain::deliberation::{ActionSpec, ItemMinutes, Minutes, Outcome};
            use teahouse::store::deliberations::{self as d, NewDeliberation};
            let mut c = Connection::open(db).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            let tx = c.transaction().unwrap();
            let cid: i64 = tx
                .query_row(
                    "SELECT id FROM communities WHERE slug = 'xingfu'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let zone: i64 = tx
                .query_row(
                    "SELECT id FROM zones WHERE community_id = ?1 LIMIT 1",
                    [cid],
                    |r| r.get(0),
                )
                .unwrap();
            let who: i64 = tx
                .query_row("SELECT account_id FROM memberships WHERE community_id = ?1 AND role = 'committee'", [cid], |r| r.get(0))
                .unwrap();
            let now = teahouse::store::now();
            for i in 0..200i64 {
                let starts = now - (i + 1) * 86_400;
                let id = d::create(
                    &tx,
                    cid,
                    &NewDeliberation {
                        title: format!("bench meeting {i}"),
                        place: format!("zone:{zone}"),
                        venue: String::new(),
                        starts_at: starts,
                        ends_at: starts + 7200,
                        host: "bench".into(),
                    },
                    who,
                )
                .unwrap();
                let m = d::get(&tx, cid, id).unwrap();
                let item = d::add_item(&tx, &m, "topic", "", None, None).unwrap();
                let minutes = Minutes {
                    summary: "bench".into(),
                    items: vec![ItemMinutes {
                        item,
                        title: "topic".into(),
                        outcome: Some(Outcome::Consensus),
                        views: vec![],
                        notes: String::new(),
                        actions: (0..10)
                            .map(|k| ActionSpec {
                                title: format!("action {k}"),
                                owner: "bench".into(),
                                due: "2030-01-01".into(),
                            })
                            .collect(),
                    }],
                };
                d::save_minutes(&tx, &m, &minutes, None, who).unwrap();
                d::publish(&tx, &d::get(&tx, cid, id).unwrap()).unwrap();
            }
            tx.commit().unwrap();
        }
        ["ledger", db, n] => {
            let n: usize = n.parse().unwrap();
            let mut c = Connection::open(db).unwrap();
            migrations::run(&mut c).unwrap();
            let tx = c.transaction().unwrap();
            let cid =
                communities::create(&tx, "bench", "bench", communities::Kind::Village).unwrap();
            let acc = |login: &str, role| {
                let id = accounts::create(
                    &tx,
                    &accounts::NewAccount {
                        login,
                        display_name: login,
                        password_hash: "-",
                        resident_id: None,
                        is_operator: false,
                        must_change_password: false,
                    },
                )
                .unwrap();
                accounts::add_membership(&tx, id, cid, role).unwrap();
                id
            };
            let ids = (
                acc("c", accounts::Role::Committee),
                acc("s", accounts::Role::Supervisor),
            );
            let r = acc("r", accounts::Role::Resident);
            let id = publish(&tx, cid, 50, ids);
            let d = store::get(&tx, cid, id).unwrap();
            for i in 0..n.saturating_sub(3) {
                store::ask(&tx, &d, r, "张*", &format!("第 {i} 个问题")).unwrap();
            }
            tx.commit().unwrap();
        }
        ["proposals", db, n] => {
            // N published proposals in the demo compound, each co-signed by
            // the demo resident, through the same store calls as the site.
            use teahouse::store::proposals::{self as p, NewProposal};
            let n: usize = n.parse().expect("N");
            let mut c = Connection::open(db).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            let tx = c.transaction().unwrap();
            let cid: i64 = tx
                .query_row(
                    "SELECT id FROM communities WHERE slug = 'wutong'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let login = |l: &str| -> i64 {
                tx.query_row("SELECT id FROM accounts WHERE login = ?1", [l], |r| {
                    r.get(0)
                })
                .unwrap()
            };
            let (author, neighbour) = (login("juwei"), login("resident"));
            for i in 0..n {
                let id = p::create(
                    &tx,
                    cid,
                    author,
                    &NewProposal {
                        title: format!("第 {i} 条提案：楼道扶手加装"),
                        body: "老人上下楼需要扶手。".repeat(10),
                        category: "facilities".into(),
                        place: "community".into(),
                    },
                )
                .unwrap();
                let prop = p::get(&tx, cid, id).unwrap();
                p::publish(&tx, &prop, 10).unwrap();
                p::cosign(&tx, &p::get(&tx, cid, id).unwrap(), neighbour).unwrap();
            }
            tx.commit().unwrap();
        }
        _ => {
            eprintln!(
                "usage: bench_data disclosure DB | bench_data meetings DB | bench_data ledger DB N | bench_data proposals DB N"
            );
            std::process::exit(2);
        }
    }
}
