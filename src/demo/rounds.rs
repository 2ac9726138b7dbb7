//! The demo compound's micro-venture rounds: one finished, with its results
//! and the funded project's milestones, and one open for voting.

use crate::domain::pb_rules::Rule;
use crate::domain::round::Phase;
use crate::error::Error;
use crate::store::rounds::{self, NewProject, NewRound, Round};
use rusqlite::Transaction;

pub(super) fn seed(
    tx: &Transaction,
    c: i64,
    committee: i64,
    neighbours: &[i64],
) -> Result<(), Error> {
    finished(tx, c, committee, neighbours)?;
    open(tx, c, committee)
}

/// Submits projects (title, team, cost) to the round.
fn submit_all(tx: &Transaction, r: &Round, projects: &[(&str, &str, i64)]) -> Result<(), Error> {
    for &(t, team, cost) in projects {
        rounds::submit(
            tx,
            r,
            &NewProject {
                title: t.into(),
                description: String::new(),
                team: team.into(),
                cost,
            },
            None,
        )?;
    }
    Ok(())
}

/// Run through review and a vote to its results, with milestones on what it funded.
fn finished(tx: &Transaction, c: i64, committee: i64, neighbours: &[i64]) -> Result<(), Error> {
    let new = NewRound {
        title: "2026 年梧桐苑公益创投 · 金点子".into(),
        description: "社区公益金 3 万元，征集居民和社会组织的小项目，每个 5,000–15,000 元。".into(),
        budget: 3_000_000,
        min_cost: 500_000,
        max_cost: 1_500_000,
        place: "community".into(),
        rule: Rule::Mes,
        max_approvals: None,
        collect_until: "2026-05-31".into(),
        review_until: "2026-06-15".into(),
        vote_until: "2026-06-30".into(),
    };
    let rid = rounds::create(tx, c, &new, committee)?;
    let r = rounds::get(tx, c, rid)?;
    submit_all(
        tx,
        &r,
        &[
            ("楼道图书角", "3栋读书会", 1_200_000),
            ("老年智能手机课堂", "乐龄社工服务社", 800_000),
            ("儿童四点半课堂", "大学生志愿者", 1_500_000),
            ("屋顶菜园", "5栋楼组", 900_000),
            ("垃圾分类积分兑换", "绿色家园协会", 600_000),
            ("宠物友好角", "养宠居民群", 700_000),
        ],
    )?;
    rounds::set_phase(tx, &r, Phase::Review)?;
    let ps = rounds::projects(tx, rid)?;
    let r = rounds::get(tx, c, rid)?;
    for (i, p) in ps.iter().enumerate() {
        match i {
            3 => rounds::review(tx, &r, p.id, true, "", 750_000, "改用现成花箱，费用降低")?,
            5 => rounds::review(
                tx,
                &r,
                p.id,
                false,
                "物业合同约定公共绿地不得圈用",
                p.cost,
                "",
            )?,
            _ => rounds::review(tx, &r, p.id, true, "", p.cost, "")?,
        }
    }
    rounds::set_phase(tx, &r, Phase::Vote)?;
    let r = rounds::get(tx, c, rid)?;
    // Two camps with different tastes, so the two rules fund different sets.
    for (k, n) in neighbours.iter().enumerate() {
        let pick: &[usize] = match k % 5 {
            0 | 1 => &[0, 2],
            2 => &[0, 2, 4],
            3 => &[1, 3],
            _ => &[1, 4],
        };
        let ids: Vec<i64> = pick.iter().map(|&i| ps[i].id).collect();
        rounds::cast(tx, &r, &rounds::voter_key(*n), &ids)?;
    }
    rounds::set_phase(tx, &r, Phase::Results)?;
    let funded = rounds::projects(tx, rid)?
        .into_iter()
        .find(|p| p.funded)
        .map(|p| p.id);
    if let Some(pid) = funded {
        milestones(tx, &rounds::get(tx, c, rid)?, pid)?;
    }
    Ok(())
}

/// The funded project's two milestones, the first done; the project under way.
fn milestones(tx: &Transaction, r: &Round, pid: i64) -> Result<(), Error> {
    rounds::add_milestone(
        tx,
        r,
        pid,
        &rounds::NewMilestone {
            title: "采购与布置".into(),
            due: "2026-08-31".into(),
            spent: 450_000,
            disclosure_id: None,
            note: "书架两组、图书 300 册".into(),
            done: true,
        },
    )?;
    rounds::add_milestone(
        tx,
        r,
        pid,
        &rounds::NewMilestone {
            title: "开放运营半年".into(),
            due: "2027-02-28".into(),
            spent: 0,
            disclosure_id: None,
            note: String::new(),
            done: false,
        },
    )?;
    rounds::set_progress(tx, r, pid, "in_progress")?;
    Ok(())
}

/// Open for voting, every project accepted as proposed.
fn open(tx: &Transaction, c: i64, committee: i64) -> Result<(), Error> {
    let new = NewRound {
        title: "2027 年春季金点子".into(),
        description: "社区公益金 2 万元，投票进行中。".into(),
        budget: 2_000_000,
        min_cost: 300_000,
        max_cost: 1_000_000,
        place: "community".into(),
        rule: Rule::Greedy,
        max_approvals: Some(2),
        collect_until: "2026-11-01".into(),
        review_until: "2026-11-15".into(),
        vote_until: "2026-12-15".into(),
    };
    let rid = rounds::create(tx, c, &new, committee)?;
    let r = rounds::get(tx, c, rid)?;
    submit_all(
        tx,
        &r,
        &[
            ("单元门口防滑垫", "2栋楼组", 300_000),
            ("社区合唱团", "夕阳红合唱队", 800_000),
            ("共享工具箱", "志愿者服务队", 500_000),
        ],
    )?;
    rounds::set_phase(tx, &r, Phase::Review)?;
    let r = rounds::get(tx, c, rid)?;
    for p in rounds::projects(tx, rid)? {
        rounds::review(tx, &r, p.id, true, "", p.cost, "")?;
    }
    rounds::set_phase(tx, &r, Phase::Vote)?;
    Ok(())
}
