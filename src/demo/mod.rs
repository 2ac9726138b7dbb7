//! The demo: a fictional village (幸福村) and residential compound (梧桐苑),
//! seeded once into an empty database through the same import path a
//! committee uses, plus one login per role.

use crate::domain::roll::{ParsedRoll, parse_table};
use crate::error::Error;
use crate::password;
use crate::sheet;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::audit::{self, Actor};
use crate::store::communities::{self, Contact, Kind};
use crate::store::{Db, roll};
use rusqlite::Transaction;

mod deliberations;
mod disclosures;
mod proposals;
mod rounds;
mod votes;

const VILLAGE_CSV: &[u8] = include_bytes!("../../data/demo/village.csv");
const COMPOUND_CSV: &[u8] = include_bytes!("../../data/demo/compound.csv");

/// (role shown, login, password, where it lands)
pub const LOGINS: &[(&str, &str, &str, &str)] = &[
    (
        "居民 resident (梧桐苑 3-2-501)",
        "resident",
        "demo-resident-2026",
        "/c/wutong",
    ),
    (
        "居委会 committee (梧桐苑)",
        "juwei",
        "demo-committee-2026",
        "/c/wutong",
    ),
    (
        "监督委员会 supervisor (梧桐苑)",
        "jiandu",
        "demo-supervisor-2026",
        "/c/wutong",
    ),
    (
        "村委会 committee (幸福村)",
        "cunwei",
        "demo-committee-2026",
        "/c/xingfu",
    ),
    (
        "村务监督委员会 supervisor (幸福村)",
        "cunjian",
        "demo-supervisor-2026",
        "/c/xingfu",
    ),
    ("运维 operator", "operator", "demo-operator-2026", "/ops"),
];

/// (resident linked, display name, community role, operator?)
type Plan<'a> = (Option<i64>, &'a str, Option<(i64, Role)>, bool);

/// Seeds the demo unless the database already has a community. Returns
/// whether it seeded.
pub async fn seed_if_empty(db: &Db, hasher: &password::Hasher) -> Result<bool, Error> {
    let n: i64 = db
        .read(|c| Ok(c.query_row("SELECT count(*) FROM communities", [], |r| r.get(0))?))
        .await?;
    if n > 0 {
        return Ok(false);
    }
    let village = demo_roll(VILLAGE_CSV, "village")?;
    let compound = demo_roll(COMPOUND_CSV, "compound")?;
    let mut hashes = Vec::new();
    for (_, _, pw, _) in LOGINS {
        hashes.push(hasher.hash(pw.to_string()).await?);
    }
    db.write(move |tx| {
        let (v, c) = seed_communities(tx, &village, &compound)?;
        let ids = seed_logins(tx, v, c, &hashes)?;
        votes::seed(tx, v, c)?;
        disclosures::seed(tx, v)?;
        deliberations::seed(tx, v)?;
        proposals::seed(tx, c, ids[0], ids[1])?;
        crate::store::notices::skip_seeded_history(tx)?;
        Ok(())
    })
    .await?;
    Ok(true)
}

fn demo_roll(csv: &[u8], which: &str) -> Result<ParsedRoll, Error> {
    parse_table(&sheet::read(csv).map_err(Error::Invalid)?.table)
        .map_err(|e| Error::Internal(format!("demo {which} roll is invalid: {e:?}")))
}

/// The village and the compound with their contacts and rolls: (village, compound).
fn seed_communities(
    tx: &Transaction,
    village: &ParsedRoll,
    compound: &ParsedRoll,
) -> Result<(i64, i64), Error> {
    let actor = Actor::system("demo");
    let v = communities::create(tx, "xingfu", "幸福村", Kind::Village)?;
    communities::set_contact(
        tx,
        v,
        &Contact {
            name: "村委会 王主任".into(),
            phone: "0510-82345678".into(),
            address: "幸福村村民委员会（村部一楼）".into(),
            hours: "周一至周五 8:30–17:00".into(),
        },
    )?;
    let c = communities::create(tx, "wutong", "梧桐苑社区", Kind::Compound)?;
    communities::set_contact(
        tx,
        c,
        &Contact {
            name: "居委会 李书记".into(),
            phone: "0510-83456789".into(),
            address: "梧桐苑 2 栋旁社区服务中心".into(),
            hours: "周一至周六 9:00–17:30".into(),
        },
    )?;
    roll::apply(tx, v, village, false)?;
    roll::apply(tx, c, compound, false)?;
    audit::record(
        tx,
        &actor,
        Some(v),
        "roll.import",
        "demo village.csv",
        "demo seed",
    )?;
    audit::record(
        tx,
        &actor,
        Some(c),
        "roll.import",
        "demo compound.csv",
        "demo seed",
    )?;
    Ok((v, c))
}

/// One account per entry of [`LOGINS`], with its membership; their ids in that order.
fn seed_logins(tx: &Transaction, v: i64, c: i64, hashes: &[String]) -> Result<Vec<i64>, Error> {
    let actor = Actor::system("demo");
    // The demo resident: the first owner registered in 3-2-501.
    let (rid, rname): (i64, String) = tx.query_row(
        "SELECT r.id, r.name FROM residents r JOIN households h ON h.id = r.household_id
             WHERE r.community_id = ?1 AND h.code = '3-2-501' AND r.owner_id IS NOT NULL ORDER BY r.key LIMIT 1",
        [c],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let plan: [Plan; 6] = [
        (Some(rid), &rname, Some((c, Role::Resident)), false),
        (None, "李书记", Some((c, Role::Committee)), false),
        (None, "周监督", Some((c, Role::Supervisor)), false),
        (None, "王主任", Some((v, Role::Committee)), false),
        (None, "赵监委", Some((v, Role::Supervisor)), false),
        (None, "运维", None, true),
    ];
    let mut ids = Vec::new();
    for (((_, login, _, _), hash), (resident, name, role, op)) in
        LOGINS.iter().zip(hashes).zip(plan)
    {
        let id = accounts::create(
            tx,
            &NewAccount {
                login,
                display_name: name,
                password_hash: hash,
                resident_id: resident,
                is_operator: op,
                must_change_password: false,
            },
        )?;
        ids.push(id);
        if let Some((com, role)) = role {
            accounts::add_membership(tx, id, com, role)?;
            audit::record(tx, &actor, Some(com), "staff.create", login, role.as_str())?;
        }
    }
    Ok(ids)
}
