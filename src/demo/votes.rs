//! The demo's three votes: an elevator retrofit in 3栋2单元 that passed (now
//! in its publicity period), one in 1栋1单元 that failed for lack of
//! participation, and an open villagers' meeting vote with online and paper ballots.

use crate::domain::vote::{Choice, RuleId};
use crate::error::Error;
use crate::store::audit::{self, Actor};
use crate::store::votes::{self, NewVote, Scope, ScopeKind, Vote};
use rusqlite::Transaction;

const DAY: i64 = 24 * 3600;

pub(super) fn seed(tx: &Transaction, village: i64, compound: i64) -> Result<(), Error> {
    let now = crate::store::now();
    let jw = committee(tx, compound)?;
    let v = elevator_passed(tx, compound, jw, now)?;
    publicity(tx, &v, jw)?;
    elevator_failed(tx, compound, jw, now)?;
    village_road(tx, village, now)
}

fn unit(tx: &Transaction, compound: i64, b: &str, u: &str) -> Result<i64, Error> {
    Ok(tx.query_row(
        "SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id
             WHERE b.community_id = ?1 AND b.number = ?2 AND u.number = ?3",
        rusqlite::params![compound, b, u],
        |r| r.get(0),
    )?)
}

fn committee(tx: &Transaction, community: i64) -> Result<i64, Error> {
    Ok(tx.query_row(
        "SELECT account_id FROM memberships WHERE community_id = ?1 AND role = 'committee' LIMIT 1",
        [community],
        |r| r.get(0),
    )?)
}

/// The votes the demo shows closed are closed early, once their ballots
/// are in: a vote's closing time is frozen once it opens.
fn elevator(title: &str, unit_id: i64, now: i64) -> NewVote {
    NewVote {
        title: title.into(),
        explanation: "方案：在单元北侧加装一部电梯，平层入户。总造价约 62 万元，申请政府补贴 20 万元，其余按楼层分摊（一楼不分摊）。\n已召开 4 次协商会，听取了一楼住户的意见。".into(),
        scope: Scope { kind: ScopeKind::Unit, id: Some(unit_id) },
        rule: RuleId::CivilCode278Special,
        custom: None,
        secret: false,
        opens_at: now - 20 * DAY,
        closes_at: now + DAY,
        publicity_days: 15,
        options: None,
        kind: votes::VoteKind::Elevator,
    }
}

/// Creates the vote and opens it; the vote as it is once open.
fn opened(tx: &Transaction, community: i64, new: &NewVote, by: i64) -> Result<Vote, Error> {
    let id = votes::create(tx, community, new, by)?;
    let v = votes::get(tx, community, id)?;
    votes::open(tx, &v)?;
    votes::get(tx, v.community_id, v.id)
}

/// Closes the vote as it stands now.
fn close(tx: &Transaction, community: i64, id: i64) -> Result<Vote, Error> {
    let v = votes::get(tx, community, id)?;
    votes::close(tx, &v)?;
    Ok(v)
}

/// Passed: almost every owner takes part, most agree; a third on paper.
fn elevator_passed(tx: &Transaction, compound: i64, jw: i64, now: i64) -> Result<Vote, Error> {
    let new = elevator("3栋2单元加装电梯", unit(tx, compound, "3", "2")?, now);
    let v = opened(tx, compound, &new, jw)?;
    let id = v.id;
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
    close(tx, compound, id)?;
    audit::record(
        tx,
        &Actor::system("demo"),
        Some(compound),
        "vote.close",
        &format!("vote:{id}"),
        "demo",
    )?;
    votes::get(tx, compound, id)
}

/// In its publicity period, with one objection answered, the cost plan set
/// and the ground-floor dwelling's consent recorded.
fn publicity(tx: &Transaction, v: &Vote, jw: i64) -> Result<(), Error> {
    let (rid, rname): (i64, String) = tx.query_row(
        "SELECT id, display_name FROM accounts WHERE login = 'resident'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let o = crate::store::objections::lodge(
        tx,
        v,
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
        v,
        42_000_000,
        "1:0, 2:0.4, 3:0.6, 4:0.8, 5:1, 6:1.2, 7:1.4",
    )?;
    crate::store::elevator::set_affected(
        tx,
        v,
        "3-2-101",
        Some(true),
        "书面同意书已签（井道占用北侧小院 2.1 ㎡）",
        jw,
    )?;
    crate::store::objections::answer(
        tx,
        v,
        oid,
        jw,
        "已请设计单位出具采光测算：北侧 101、102 室冬至日有效日照减少不超过 20 分钟，附图已张贴在单元门口公告栏。电梯井外墙改用浅色材料。",
    )?;
    Ok(())
}

/// Failed for lack of participation: six paper ballots.
fn elevator_failed(tx: &Transaction, compound: i64, jw: i64, now: i64) -> Result<(), Error> {
    let new = elevator("1栋1单元加装电梯", unit(tx, compound, "1", "1")?, now);
    let v = opened(tx, compound, &new, jw)?;
    let few: Vec<String> = tx
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter LIMIT 6")?
        .query_map([v.id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for voter in &few {
        votes::cast(tx, &v, voter, "paper", "agree", None, Some(jw))?;
    }
    close(tx, compound, v.id)?;
    Ok(())
}

/// Open: a villagers' meeting on the village road, half its ballots on paper.
fn village_road(tx: &Transaction, village: i64, now: i64) -> Result<(), Error> {
    let cw = committee(tx, village)?;
    let new = NewVote {
        title: "村东道路硬化及路灯安装方案".into(),
        explanation: "村东主路 1.2 公里硬化，加装 40 盏太阳能路灯。预算 48 万元，村集体出资 18 万元，其余申请上级补助。".into(),
        scope: Scope { kind: ScopeKind::Community, id: None },
        rule: RuleId::VillagersMeeting,
        custom: None,
        secret: false,
        opens_at: now - 2 * DAY,
        closes_at: now + 12 * DAY,
        publicity_days: 7,
        options: None,
        kind: votes::VoteKind::General,
    };
    let v = opened(tx, village, &new, cw)?;
    let some: Vec<(String, i64)> = tx
        .prepare("SELECT voter, resident_id FROM vote_members WHERE vote_id = ?1 ORDER BY voter LIMIT 140")?
        .query_map([v.id], |r| Ok((r.get(0)?, r.get(1)?)))?
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
