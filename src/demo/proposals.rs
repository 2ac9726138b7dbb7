//! The demo compound's proposals in every state (one dispatched, completed
//! and rated), a finished micro-venture round with its results, and a round
//! open for voting. Neighbours who co-sign and vote have accounts that
//! cannot log in.

use crate::domain::pb_rules::Rule;
use crate::domain::proposal::Status;
use crate::domain::round::Phase;
use crate::error::Error;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::deliberations::{self, NewDeliberation};
use crate::store::now;
use crate::store::proposals::{self as store, NewProposal};
use crate::store::rounds::{self, NewProject, NewRound};
use rusqlite::Transaction;

/// (title, body, category, status)
const PROPOSALS: [(&str, &str, &str, Status); 10] = [
    (
        "3栋楼道灯不亮",
        "3栋1至6层楼道灯坏了一半，晚上老人上下楼看不清。",
        "facilities",
        Status::Completed,
    ),
    (
        "增设电动车充电桩",
        "电动车在楼道充电有火灾隐患，希望在车棚装充电桩。",
        "safety",
        Status::Review,
    ),
    (
        "2栋单元门禁维修",
        "2栋2单元门禁坏了两个月，外人随意进出。",
        "safety",
        Status::Open,
    ),
    (
        "小区门口增设快递柜",
        "快递堆在门卫室，常常拿错。",
        "facilities",
        Status::Draft,
    ),
    (
        "中心花园改成口袋公园",
        "花园里杂草多，想改成有座椅的小公园。",
        "environment",
        Status::Scheduled,
    ),
    (
        "楼顶防水用维修资金",
        "顶楼漏水，申请动用专项维修资金。",
        "facilities",
        Status::Voting,
    ),
    (
        "垃圾房异味处理",
        "夏天垃圾房味道很大，希望每天冲洗。",
        "environment",
        Status::Dispatched,
    ),
    (
        "老年人助餐点",
        "希望在社区服务中心开助餐点。",
        "elderly",
        Status::InProgress,
    ),
    (
        "禁止广场舞",
        "晚上广场舞太吵。",
        "culture",
        Status::Declined,
    ),
    (
        "小区养猫登记",
        "想统一登记流浪猫。",
        "other",
        Status::Withdrawn,
    ),
];

pub fn seed(
    tx: &Transaction,
    c: i64,
    resident_account: i64,
    committee_account: i64,
) -> Result<(), Error> {
    // Neighbours: residents of the compound with accounts that cannot log in.
    let mut st = tx.prepare(
        "SELECT r.id, r.name FROM residents r WHERE r.community_id = ?1 AND r.is_adult = 1
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.resident_id = r.id) ORDER BY r.id LIMIT 40",
    )?;
    let people: Vec<(i64, String)> = st
        .query_map([c], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    drop(st);
    let mut neighbours = Vec::new();
    for (i, (rid, name)) in people.iter().enumerate() {
        let id = accounts::create(
            tx,
            &NewAccount {
                login: &format!("demo-neighbour-{i}"),
                display_name: name,
                password_hash: "!demo account: cannot log in",
                resident_id: Some(*rid),
                is_operator: false,
                must_change_password: false,
            },
        )?;
        accounts::add_membership(tx, id, c, Role::Resident)?;
        neighbours.push(id);
    }
    let meeting = deliberations::create(
        tx,
        c,
        &NewDeliberation {
            title: "中心花园怎么改".into(),
            place: "community".into(),
            venue: "中心花园凉亭".into(),
            starts_at: now() + 9 * 86_400,
            ends_at: now() + 9 * 86_400 + 5400,
            host: "李书记".into(),
        },
        committee_account,
    )?;
    for (k, (title, body, category, status)) in PROPOSALS.iter().enumerate() {
        let author = if k % 3 == 0 {
            resident_account
        } else {
            neighbours[k]
        };
        let id = store::create(
            tx,
            c,
            author,
            &NewProposal {
                title: title.to_string(),
                body: body.to_string(),
                category: category.to_string(),
                place: "community".into(),
            },
        )?;
        if *status == Status::Draft {
            continue;
        }
        let p = store::get(tx, c, id)?;
        store::publish(tx, &p, 10)?;
        let signers = match status {
            Status::Open => 4,
            Status::Withdrawn => 1,
            _ => 10,
        };
        for n in neighbours.iter().skip(12).take(signers) {
            let p = store::get(tx, c, id)?;
            store::cosign(tx, &p, *n)?;
        }
        if *status == Status::Open {
            // Neighbours talk it over.
            let p = store::get(tx, c, id)?;
            let first =
                store::comment(tx, &p, None, neighbours[12], "我家也遇到过，支持尽快解决。")?;
            store::comment(
                tx,
                &p,
                Some(first),
                neighbours[13],
                "同意，可以先问问物业的报价。",
            )?;
        }
        let p = store::get(tx, c, id)?;
        match status {
            Status::Withdrawn => {
                store::set_status(tx, id, Status::Withdrawn)?;
                store::event(tx, id, "withdrawn", "", Some(author))?;
            }
            Status::Declined => {
                store::decide(
                    tx,
                    &p,
                    Status::Declined,
                    "广场舞属正常文体活动；已与舞队商定 21:00 前结束、音量降低，不予禁止。",
                    committee_account,
                )?;
            }
            Status::Scheduled => {
                let d = deliberations::get(tx, c, meeting)?;
                deliberations::add_item(tx, &d, title, body, None, Some(id))?;
                store::link_meeting(tx, id, meeting)?;
                store::decide(
                    tx,
                    &p,
                    Status::Scheduled,
                    "排入 中心花园怎么改 议事会",
                    committee_account,
                )?;
            }
            Status::Voting => {
                store::decide(
                    tx,
                    &p,
                    Status::Voting,
                    "动用维修资金须业主表决（民法典第二百七十八条）",
                    committee_account,
                )?;
            }
            Status::Dispatched | Status::InProgress | Status::Completed => {
                let (kind, name) = match status {
                    Status::Dispatched => ("grid_worker", "王网格"),
                    Status::InProgress => ("organization", "乐龄社工服务社"),
                    _ => ("volunteer", "志愿者小刘"),
                };
                store::dispatch(tx, id, kind, name, None)?;
                store::decide(tx, &p, Status::Dispatched, name, committee_account)?;
                if *status != Status::Dispatched {
                    store::set_status(tx, id, Status::InProgress)?;
                    store::event(tx, id, "accepted", "", Some(committee_account))?;
                    store::event(
                        tx,
                        id,
                        "progress",
                        "已完成现场查看，备齐材料。",
                        Some(committee_account),
                    )?;
                }
                if *status == Status::Completed {
                    let p = store::get(tx, c, id)?;
                    // A photo with the completion report.
                    let photo = crate::domain::upload::Upload::parse("楼道灯.png", tiny_png())
                        .map_err(Error::Invalid)?;
                    crate::store::attachments::add(
                        tx,
                        c,
                        &format!("proposal-report:{id}"),
                        &photo,
                        committee_account,
                    )?;
                    store::complete(
                        tx,
                        &p,
                        "3栋1至6层楼道灯已全部更换为声控 LED 灯。",
                        committee_account,
                    )?;
                    for (i, n) in neighbours.iter().skip(12).take(6).enumerate() {
                        store::rate(
                            tx,
                            id,
                            *n,
                            [95, 88, 90, 72, 100, 85][i],
                            if i == 3 {
                                "五楼那盏还有点暗"
                            } else {
                                ""
                            },
                        )?;
                    }
                }
            }
            _ => {}
        }
    }
    seed_rounds(tx, c, committee_account, &neighbours)
}

fn seed_rounds(tx: &Transaction, c: i64, committee: i64, neighbours: &[i64]) -> Result<(), Error> {
    let finished = NewRound {
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
    let rid = rounds::create(tx, c, &finished, committee)?;
    let ideas: [(&str, &str, i64); 6] = [
        ("楼道图书角", "3栋读书会", 1_200_000),
        ("老年智能手机课堂", "乐龄社工服务社", 800_000),
        ("儿童四点半课堂", "大学生志愿者", 1_500_000),
        ("屋顶菜园", "5栋楼组", 900_000),
        ("垃圾分类积分兑换", "绿色家园协会", 600_000),
        ("宠物友好角", "养宠居民群", 700_000),
    ];
    let r = rounds::get(tx, c, rid)?;
    for (t, team, cost) in ideas {
        rounds::submit(
            tx,
            &r,
            &NewProject {
                title: t.into(),
                description: String::new(),
                team: team.into(),
                cost,
            },
            None,
        )?;
    }
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
        let r = rounds::get(tx, c, rid)?;
        rounds::add_milestone(
            tx,
            &r,
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
            &r,
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
        rounds::set_progress(tx, &r, pid, "in_progress")?;
    }
    let open = NewRound {
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
    let rid = rounds::create(tx, c, &open, committee)?;
    let r = rounds::get(tx, c, rid)?;
    for (t, team, cost) in [
        ("单元门口防滑垫", "2栋楼组", 300_000),
        ("社区合唱团", "夕阳红合唱队", 800_000),
        ("共享工具箱", "志愿者服务队", 500_000),
    ] {
        rounds::submit(
            tx,
            &r,
            &NewProject {
                title: t.into(),
                description: String::new(),
                team: team.into(),
                cost,
            },
            None,
        )?;
    }
    rounds::set_phase(tx, &r, Phase::Review)?;
    let r = rounds::get(tx, c, rid)?;
    for p in rounds::projects(tx, rid)? {
        rounds::review(tx, &r, p.id, true, "", p.cost, "")?;
    }
    rounds::set_phase(tx, &r, Phase::Vote)?;
    Ok(())
}

/// A 1×1 PNG, for the demo's photo.
fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}
