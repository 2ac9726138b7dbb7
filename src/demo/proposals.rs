//! The demo compound's proposals in every state (one dispatched, completed
//! and rated), then its micro-venture rounds (`super::rounds`). Neighbours
//! who co-sign and vote have accounts that cannot log in.

use crate::domain::proposal::Status;
use crate::error::Error;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::deliberations::{self, NewDeliberation};
use crate::store::now;
use crate::store::proposals::{self as store, NewProposal};
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
    let neighbours = neighbours(tx, c)?;
    let s = Seed {
        tx,
        c,
        resident: resident_account,
        committee: committee_account,
        neighbours: &neighbours,
        meeting: garden_meeting(tx, c, committee_account)?,
    };
    for (k, (title, body, category, status)) in PROPOSALS.iter().enumerate() {
        s.proposal(k, title, body, category, *status)?;
    }
    super::rounds::seed(tx, c, committee_account, &neighbours)
}

/// Neighbours: residents of the compound with accounts that cannot log in.
fn neighbours(tx: &Transaction, c: i64) -> Result<Vec<i64>, Error> {
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
    Ok(neighbours)
}

/// The meeting the garden proposal is scheduled for.
fn garden_meeting(tx: &Transaction, c: i64, committee: i64) -> Result<i64, Error> {
    deliberations::create(
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
        committee,
    )
}

/// What every proposal is seeded with.
struct Seed<'a> {
    tx: &'a Transaction<'a>,
    c: i64,
    resident: i64,
    committee: i64,
    neighbours: &'a [i64],
    meeting: i64,
}

impl Seed<'_> {
    /// The k-th proposal, written, published, co-signed and taken to `status`.
    fn proposal(
        &self,
        k: usize,
        title: &str,
        body: &str,
        category: &str,
        status: Status,
    ) -> Result<(), Error> {
        let (tx, c) = (self.tx, self.c);
        let author = if k.is_multiple_of(3) {
            self.resident
        } else {
            self.neighbours[k]
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
        if status == Status::Draft {
            return Ok(());
        }
        let p = store::get(tx, c, id)?;
        store::publish(tx, &p, 10)?;
        let signers = match status {
            Status::Open => 4,
            Status::Withdrawn => 1,
            _ => 10,
        };
        for n in self.neighbours.iter().skip(12).take(signers) {
            let p = store::get(tx, c, id)?;
            store::cosign(tx, &p, *n)?;
        }
        if status == Status::Open {
            self.discuss(id)?;
        }
        self.decide(id, author, title, body, status)
    }

    /// Neighbours talk it over.
    fn discuss(&self, id: i64) -> Result<(), Error> {
        let p = store::get(self.tx, self.c, id)?;
        let n = self.neighbours;
        let first = store::comment(self.tx, &p, None, n[12], "我家也遇到过，支持尽快解决。")?;
        store::comment(
            self.tx,
            &p,
            Some(first),
            n[13],
            "同意，可以先问问物业的报价。",
        )?;
        Ok(())
    }

    /// The committee's decision (or the author's withdrawal) that brings it to `status`.
    fn decide(
        &self,
        id: i64,
        author: i64,
        title: &str,
        body: &str,
        status: Status,
    ) -> Result<(), Error> {
        let (tx, c, committee) = (self.tx, self.c, self.committee);
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
                    committee,
                )?;
            }
            Status::Scheduled => {
                let d = deliberations::get(tx, c, self.meeting)?;
                deliberations::add_item(tx, &d, title, body, None, Some(id))?;
                store::link_meeting(tx, id, self.meeting)?;
                store::decide(
                    tx,
                    &p,
                    Status::Scheduled,
                    "排入 中心花园怎么改 议事会",
                    committee,
                )?;
            }
            Status::Voting => {
                store::decide(
                    tx,
                    &p,
                    Status::Voting,
                    "动用维修资金须业主表决（民法典第二百七十八条）",
                    committee,
                )?;
            }
            Status::Dispatched | Status::InProgress | Status::Completed => {
                self.dispatch(id, &p, status)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Dispatched to someone; accepted and under way unless just dispatched;
    /// completed and rated if `status` says so.
    fn dispatch(&self, id: i64, p: &store::Proposal, status: Status) -> Result<(), Error> {
        let (tx, committee) = (self.tx, self.committee);
        let (kind, name) = match status {
            Status::Dispatched => ("grid_worker", "王网格"),
            Status::InProgress => ("organization", "乐龄社工服务社"),
            _ => ("volunteer", "志愿者小刘"),
        };
        store::dispatch(tx, id, kind, name, None)?;
        store::decide(tx, p, Status::Dispatched, name, committee)?;
        if status != Status::Dispatched {
            store::set_status(tx, id, Status::InProgress)?;
            store::event(tx, id, "accepted", "", Some(committee))?;
            store::event(
                tx,
                id,
                "progress",
                "已完成现场查看，备齐材料。",
                Some(committee),
            )?;
        }
        if status == Status::Completed {
            self.complete(id)?;
        }
        Ok(())
    }

    /// The completion report with a photo, and six neighbours' ratings.
    fn complete(&self, id: i64) -> Result<(), Error> {
        let (tx, c, committee) = (self.tx, self.c, self.committee);
        let p = store::get(tx, c, id)?;
        let photo = crate::domain::upload::Upload::parse("楼道灯.png", tiny_png())
            .map_err(Error::Invalid)?;
        crate::store::attachments::add(tx, c, &format!("proposal-report:{id}"), &photo, committee)?;
        store::complete(
            tx,
            &p,
            "3栋1至6层楼道灯已全部更换为声控 LED 灯。",
            committee,
        )?;
        for (i, n) in self.neighbours.iter().skip(12).take(6).enumerate() {
            let note = if i == 3 {
                "五楼那盏还有点暗"
            } else {
                ""
            };
            store::rate(tx, id, *n, [95, 88, 90, 72, 100, 85][i], note)?;
        }
        Ok(())
    }
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
