//! The demo: a fictional village (幸福村) and residential compound (梧桐苑),
//! seeded once into an empty database through the same import path a
//! committee uses, plus one login per role.

use crate::domain::roll::parse_table;
use crate::error::Error;
use crate::password;
use crate::sheet;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::audit::{self, Actor};
use crate::store::communities::{self, Contact, Kind};
use crate::store::{Db, roll};

mod deliberations;
mod disclosures;
mod proposals;

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
    let village = parse_table(&sheet::read(VILLAGE_CSV).map_err(Error::Invalid)?.table)
        .map_err(|e| Error::Internal(format!("demo village roll is invalid: {e:?}")))?;
    let compound = parse_table(&sheet::read(COMPOUND_CSV).map_err(Error::Invalid)?.table)
        .map_err(|e| Error::Internal(format!("demo compound roll is invalid: {e:?}")))?;
    let mut hashes = Vec::new();
    for (_, _, pw, _) in LOGINS {
        hashes.push(hasher.hash(pw.to_string()).await?);
    }
    db.write(move |tx| {
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
        roll::apply(tx, v, &village, false)?;
        roll::apply(tx, c, &compound, false)?;
        audit::record(tx, &actor, Some(v), "roll.import", "demo village.csv", "demo seed")?;
        audit::record(tx, &actor, Some(c), "roll.import", "demo compound.csv", "demo seed")?;
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
        for (((_, login, _, _), hash), (resident, name, role, op)) in LOGINS.iter().zip(&hashes).zip(plan) {
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
        demo_votes(tx, v, c)?;
        disclosures::seed(tx, v)?;
        deliberations::seed(tx, v)?;
        proposals::seed(tx, c, ids[0], ids[1])?;
        crate::store::notices::skip_seeded_history(tx)?;
        Ok(())
    })
    .await?;
    Ok(true)
}

/// Three votes: an elevator retrofit in 3栋2单元 that passed, one in 1栋1单元
/// that failed for lack of participation, and an open villagers' meeting vote
/// with online and paper ballots.
fn demo_votes(tx: &rusqlite::Transaction, village: i64, compound: i64) -> Result<(), Error> {
    use crate::domain::vote::{Choice, RuleId};
    use crate::store::votes::{self, NewVote, Scope, ScopeKind};
    let now = crate::store::now();
    let day = 24 * 3600;
    let unit = |b: &str, u: &str| -> Result<i64, Error> {
        Ok(tx.query_row(
            "SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id
             WHERE b.community_id = ?1 AND b.number = ?2 AND u.number = ?3",
            rusqlite::params![compound, b, u],
            |r| r.get(0),
        )?)
    };
    let committee = |community: i64| -> Result<i64, Error> {
        Ok(tx.query_row(
            "SELECT account_id FROM memberships WHERE community_id = ?1 AND role = 'committee' LIMIT 1",
            [community],
            |r| r.get(0),
        )?)
    };
    // The votes the demo shows closed are closed early, once their ballots
    // are in: a vote's closing time is frozen once it opens.
    let elevator = |title: &str, unit_id: i64, closes_at: i64| {
        NewVote {
        title: title.into(),
        explanation: "方案：在单元北侧加装一部电梯，平层入户。总造价约 62 万元，申请政府补贴 20 万元，其余按楼层分摊（一楼不分摊）。\n已召开 4 次协商会，听取了一楼住户的意见。".into(),
        scope: Scope { kind: ScopeKind::Unit, id: Some(unit_id) },
        rule: RuleId::CivilCode278Special,
        custom: None,
        secret: false,
        opens_at: now - 20 * day,
        closes_at,
        publicity_days: 15,
        options: None,
        kind: votes::VoteKind::Elevator,
    }
    };
    let system = Actor::system("demo");
    // Passed: almost every owner takes part, most agree.
    let jw = committee(compound)?;
    let id = votes::create(
        tx,
        compound,
        &elevator("3栋2单元加装电梯", unit("3", "2")?, now + day),
        jw,
    )?;
    let v = votes::get(tx, compound, id)?;
    votes::open(tx, &v)?;
    let v = votes::get(tx, v.community_id, v.id)?;
    let voters: Vec<(String, Option<i64>)> = tx
        .prepare("SELECT e.voter, (SELECT min(resident_id) FROM vote_members m WHERE m.vote_id = e.vote_id AND m.voter = e.voter)
                  FROM vote_electorate e WHERE e.vote_id = ?1 ORDER BY e.voter")?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (i, (voter, member)) in voters.iter().enumerate() {
        let choice = match i % 9 {
            7 => Choice::Disagree,
            8 => Choice::Abstain,
            _ => Choice::Agree,
        };
        if i % 4 == 0 || member.is_none() {
            votes::cast(tx, &v, voter, "paper", choice.as_str(), None, Some(jw))?;
        } else {
            votes::cast(tx, &v, voter, "online", choice.as_str(), *member, None)?;
        }
    }
    let v = votes::get(tx, compound, id)?;
    votes::close(tx, &v)?;
    audit::record(
        tx,
        &system,
        Some(compound),
        "vote.close",
        &format!("vote:{id}"),
        "demo",
    )?;
    // In its publicity period, with one objection answered.
    let (rid, rname): (i64, String) = tx.query_row(
        "SELECT id, display_name FROM accounts WHERE login = 'resident'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let v = votes::get(tx, compound, id)?;
    let o = crate::store::objections::lodge(
        tx,
        &v,
        rid,
        &rname,
        "一楼住户的采光问题在方案里没有写清楚，希望公示期内把北侧窗户的遮挡情况说明一下。",
    )?;
    let oid: i64 = crate::store::anchor::rows_of(&o)
        .iter()
        .find(|(t, _, _)| *t == "vote_objections")
        .and_then(|(_, k, _)| k.get(0).and_then(|v| v.as_i64()))
        .unwrap_or_default();
    crate::store::elevator::set_plan(
        tx,
        &v,
        42_000_000,
        "1:0, 2:0.4, 3:0.6, 4:0.8, 5:1, 6:1.2, 7:1.4",
    )?;
    crate::store::elevator::set_affected(
        tx,
        &v,
        "3-2-101",
        Some(true),
        "书面同意书已签（井道占用北侧小院 2.1 ㎡）",
        jw,
    )?;
    crate::store::objections::answer(
        tx,
        &v,
        oid,
        jw,
        "已请设计单位出具采光测算：北侧 101、102 室冬至日有效日照减少不超过 20 分钟，附图已张贴在单元门口公告栏。电梯井外墙改用浅色材料。",
    )?;

    // Failed for lack of participation.
    let id = votes::create(
        tx,
        compound,
        &elevator("1栋1单元加装电梯", unit("1", "1")?, now + day),
        jw,
    )?;
    let v = votes::get(tx, compound, id)?;
    votes::open(tx, &v)?;
    let v = votes::get(tx, v.community_id, v.id)?;
    let few: Vec<String> = tx
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter LIMIT 6")?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for voter in &few {
        votes::cast(tx, &v, voter, "paper", "agree", None, Some(jw))?;
    }
    let v = votes::get(tx, compound, id)?;
    votes::close(tx, &v)?;

    // Open: a villagers' meeting on the village road.
    let cw = committee(village)?;
    let id = votes::create(
        tx,
        village,
        &NewVote {
            title: "村东道路硬化及路灯安装方案".into(),
            explanation: "村东主路 1.2 公里硬化，加装 40 盏太阳能路灯。预算 48 万元，村集体出资 18 万元，其余申请上级补助。".into(),
            scope: Scope { kind: ScopeKind::Community, id: None },
            rule: RuleId::VillagersMeeting,
            custom: None,
            secret: false,
            opens_at: now - 2 * day,
            closes_at: now + 12 * day,
            publicity_days: 7,
            options: None,
            kind: votes::VoteKind::General,
        },
        cw,
    )?;
    let v = votes::get(tx, village, id)?;
    votes::open(tx, &v)?;
    let v = votes::get(tx, v.community_id, v.id)?;
    let some: Vec<(String, i64)> = tx
        .prepare("SELECT voter, resident_id FROM vote_members WHERE vote_id = ?1 ORDER BY voter LIMIT 140")?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (i, (voter, rid)) in some.iter().enumerate() {
        let choice = if i % 6 == 5 {
            Choice::Disagree
        } else {
            Choice::Agree
        };
        if i % 2 == 0 {
            votes::cast(tx, &v, voter, "paper", choice.as_str(), None, Some(cw))?;
        } else {
            votes::cast(tx, &v, voter, "online", choice.as_str(), Some(*rid), None)?;
        }
    }
    Ok(())
}
