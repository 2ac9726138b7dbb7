//! The large community for `scripts/bench`: `gen_large DB` seeds the demo
//! into a fresh database, then grows 梧桐苑 to 10,000 more dwellings (about
//! 23,500 residents) with five years of records — monthly finance
//! disclosures of 500 rows, weekly teahouse meetings with minutes, votes
//! (closed ones with their ballots), 2,000 proposals — written through the
//! store functions and the writer, so every published row is in the ledger
//! as the site would have put it there. Prints what it wrote and how long
//! each part took.

use std::path::PathBuf;
use std::time::Instant;
use teahouse::domain::disclosure::{Category, Period, show_money};
use teahouse::domain::vote::{Choice, RuleId};
use teahouse::error::Error;
use teahouse::store::{self, Db};

const DAY: i64 = 86_400;
const YEARS: i64 = 5;

/// The ids the records are written under.
#[derive(Clone, Copy)]
struct Who {
    community: i64,
    committee: i64,
    supervisor: i64,
    resident: i64,
    zone: i64,
}

fn one(tx: &rusqlite::Transaction, sql: &str, p: impl rusqlite::Params) -> Result<i64, Error> {
    Ok(tx.query_row(sql, p, |r| r.get(0))?)
}

async fn who(db: &Db) -> Result<Who, Error> {
    db.write(|tx| {
        let community = one(tx, "SELECT id FROM communities WHERE slug = 'wutong'", [])?;
        let login = |l: &str| one(tx, "SELECT id FROM accounts WHERE login = ?1", [l]);
        Ok(Who {
            community,
            committee: login("juwei")?,
            supervisor: login("jiandu")?,
            resident: login("resident")?,
            zone: one(
                tx,
                "SELECT id FROM zones WHERE community_id = ?1 ORDER BY id LIMIT 1",
                [community],
            )?,
        })
    })
    .await
}

async fn roll(db: &Db, w: Who, dwellings: usize) -> Result<(), Error> {
    let table = store::roll::synthetic::roll(dwellings, "G");
    let parsed = teahouse::domain::roll::parse_table(&table)
        .map_err(|e| Error::Internal(format!("synthetic roll: {e:?}")))?;
    db.write(move |tx| {
        store::roll::apply(tx, w.community, &parsed, false)?;
        Ok(())
    })
    .await
}

fn finance_rows(month: usize) -> Vec<Vec<String>> {
    let mut bal = 1_000_000;
    (0..500)
        .map(|i| {
            let (inc, sp) = if i % 3 == 0 { (25_000, 0) } else { (0, 3_750) };
            bal += inc - sp;
            let money = |v: i64| if v > 0 { show_money(v) } else { String::new() };
            vec![
                format!("第 {} 日", i % 28 + 1),
                format!("第 {month}-{i} 笔：物业维修与保洁"),
                money(inc),
                money(sp),
                show_money(bal),
                "李*".into(),
                format!("记-{month:02}-{i:04}"),
            ]
        })
        .collect()
}

/// One published finance disclosure a month, each a 500-row table.
async fn disclosures(db: &Db, w: Who, first_year: i16) -> Result<usize, Error> {
    use store::disclosures::{self as d, NewDisclosure};
    let months = (YEARS * 12) as usize;
    for m in 0..months {
        db.write(move |tx| {
            let (y, mo) = (first_year + (m / 12) as i16, (m % 12) as u8 + 1);
            let nd = NewDisclosure {
                category: Category::Finance,
                period: Period::Month(y, mo),
                title: format!("{y} 年 {mo} 月物业专项维修资金收支"),
                explanation: "每月公开：收入、支出与结余。".into(),
                rows: finance_rows(m),
            };
            let id = d::create(tx, w.community, &nd, w.committee)?;
            d::submit(tx, &d::get(tx, w.community, id)?)?;
            let dis = d::get(tx, w.community, id)?;
            let wk =
                d::working(tx, id)?.ok_or_else(|| Error::Internal("no working revision".into()))?;
            let seen = d::seen_now(tx, &dis, &wk)?;
            d::sign(tx, &dis, w.supervisor, "核对无误", &seen)?;
            d::publish(tx, &d::get(tx, w.community, id)?)?;
            Ok(())
        })
        .await?;
    }
    Ok(months)
}

/// A teahouse meeting every week, with its minutes published.
async fn meetings(db: &Db, w: Who, start: i64) -> Result<usize, Error> {
    use teahouse::domain::deliberation::{ActionSpec, ItemMinutes, Minutes, Outcome};
    use teahouse::store::deliberations::{self as d, NewDeliberation};
    let weeks = (YEARS * 52) as usize;
    for chunk in (0..weeks).collect::<Vec<_>>().chunks(26) {
        let chunk = chunk.to_vec();
        db.write(move |tx| {
            for i in chunk {
                let starts = start + i as i64 * 7 * DAY;
                let nd = NewDeliberation {
                    title: format!("第 {} 期楼道茶馆", i + 1),
                    place: format!("zone:{}", w.zone),
                    venue: "社区服务中心".into(),
                    starts_at: starts,
                    ends_at: starts + 7200,
                    host: "李书记".into(),
                };
                let id = d::create(tx, w.community, &nd, w.committee)?;
                let m = d::get(tx, w.community, id)?;
                let item = d::add_item(tx, &m, "停车与绿化", "", None, None)?;
                let minutes = Minutes {
                    summary: "居民讨论了停车位和绿化带的安排。".into(),
                    items: vec![ItemMinutes {
                        item,
                        title: "停车与绿化".into(),
                        outcome: Some(Outcome::Consensus),
                        views: vec![],
                        notes: String::new(),
                        actions: (0..3)
                            .map(|k| ActionSpec {
                                title: format!("跟进事项 {k}"),
                                owner: "物业".into(),
                                due: "2030-01-01".into(),
                            })
                            .collect(),
                    }],
                };
                d::save_minutes(tx, &m, &minutes, None, w.committee)?;
                d::publish(tx, &d::get(tx, w.community, id)?)?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(weeks)
}

/// 2,000 published proposals, the newest half co-signed by the demo resident.
async fn proposals(db: &Db, w: Who, n: usize) -> Result<usize, Error> {
    use store::proposals::{self as p, NewProposal};
    for chunk in (0..n).collect::<Vec<_>>().chunks(250) {
        let chunk = chunk.to_vec();
        db.write(move |tx| {
            for i in chunk {
                let np = NewProposal {
                    title: format!("第 {i} 条提案：楼道扶手加装"),
                    body: "老人上下楼需要扶手。".repeat(10),
                    category: "facilities".into(),
                    place: "community".into(),
                };
                let id = p::create(tx, w.community, w.committee, &np)?;
                p::publish(tx, &p::get(tx, w.community, id)?, 10)?;
                if i >= n / 2 {
                    p::cosign(tx, &p::get(tx, w.community, id)?, w.resident)?;
                }
            }
            Ok(())
        })
        .await?;
    }
    Ok(n)
}

/// Votes over five years: every quarter one across the whole compound
/// (about 10,000 owners, two thirds of them voting) and two in a building;
/// all closed with their ballots, the last one left open.
async fn votes(db: &Db, w: Who, start: i64) -> Result<(usize, usize), Error> {
    use store::votes::{self as v, NewVote, Scope, ScopeKind, VoteKind};
    let buildings: Vec<i64> = db
        .read(move |c| {
            let mut s =
                c.prepare("SELECT id FROM buildings WHERE community_id = ?1 ORDER BY id")?;
            let ids = s.query_map([w.community], |r| r.get(0))?;
            Ok(ids.collect::<Result<Vec<i64>, _>>()?)
        })
        .await?;
    let quarters = (YEARS * 4) as usize;
    let (mut made, mut ballots) = (0, 0);
    for q in 0..quarters {
        for k in 0..3 {
            let (scope, rule) = match k {
                0 => (
                    Scope {
                        kind: ScopeKind::Community,
                        id: None,
                    },
                    RuleId::CivilCode278Ordinary,
                ),
                _ => {
                    let b = buildings[(q * 2 + k) % buildings.len()];
                    (
                        Scope {
                            kind: ScopeKind::Building,
                            id: Some(b),
                        },
                        RuleId::CivilCode278Ordinary,
                    )
                }
            };
            let opens = start + q as i64 * 91 * DAY + k as i64 * DAY;
            let last = q + 1 == quarters && k == 0;
            let nv = NewVote {
                title: format!("第 {} 季度业主表决 {}", q + 1, k + 1),
                explanation: "按《民法典》第二百七十八条表决。".into(),
                scope,
                rule,
                custom: None,
                secret: false,
                opens_at: opens,
                closes_at: if last {
                    store::now() + 30 * DAY
                } else {
                    store::now() + DAY
                },
                publicity_days: 7,
                options: None,
                kind: VoteKind::General,
            };
            ballots += db
                .write(move |tx| {
                    let id = v::create(tx, w.community, &nv, w.committee)?;
                    v::open(tx, &v::get(tx, w.community, id)?)?;
                    let vote = v::get(tx, w.community, id)?;
                    let voters: Vec<String> = tx
                        .prepare(
                            "SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter",
                        )?
                        .query_map([id], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    let mut n = 0;
                    for (i, voter) in voters.iter().enumerate().filter(|(i, _)| i % 3 != 2) {
                        let choice = match i % 7 {
                            5 => Choice::Disagree,
                            6 => Choice::Abstain,
                            _ => Choice::Agree,
                        };
                        v::cast(
                            tx,
                            &vote,
                            voter,
                            "paper",
                            choice.as_str(),
                            None,
                            Some(w.committee),
                        )?;
                        n += 1;
                    }
                    if !last {
                        v::close(tx, &v::get(tx, w.community, id)?)?;
                    }
                    Ok(n)
                })
                .await?;
            made += 1;
        }
    }
    Ok((made, ballots))
}

async fn generate(path: PathBuf) -> Result<(), Error> {
    if path.exists() {
        return Err(Error::Internal(format!(
            "{} exists; give a fresh path",
            path.display()
        )));
    }
    let db = store::open(&path, 2)?;
    let hasher = teahouse::password::Hasher::start();
    let t = Instant::now();
    teahouse::demo::seed_if_empty(&db, &hasher).await?;
    eprintln!("demo seeded in {:.1} s", t.elapsed().as_secs_f64());
    let w = who(&db).await?;
    let t = Instant::now();
    roll(&db, w, 10_000).await?;
    eprintln!(
        "roll of 10,000 more dwellings in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let start = store::now() - YEARS * 365 * DAY;
    let t = Instant::now();
    let (n, b) = votes(&db, w, start).await?;
    eprintln!(
        "{n} votes, {b} ballots in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let n = disclosures(&db, w, 2021).await?;
    eprintln!(
        "{n} disclosures of 500 rows in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let n = meetings(&db, w, start).await?;
    eprintln!(
        "{n} meetings with minutes in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let n = proposals(&db, w, 2_000).await?;
    eprintln!("{n} proposals in {:.1} s", t.elapsed().as_secs_f64());
    // Everything into the database file itself, so that a copy of the one
    // file is the whole community.
    drop(db);
    let c = rusqlite::Connection::open(&path)?;
    c.busy_timeout(std::time::Duration::from_secs(30))?;
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: gen_large DB   (a fresh database path)");
        std::process::exit(2);
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(generate(PathBuf::from(path))) {
        eprintln!("gen_large: {e}");
        std::process::exit(1);
    }
}
