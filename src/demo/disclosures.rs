//! The demo village's disclosures: a year of monthly accounts (one month
//! missed, so it shows as overdue; one queried and answered before sign-off;
//! one corrected after publication), a welfare list and a project, all
//! through the same workflow the committee and supervisors use.

use crate::domain::disclosure::{Cadence, Category, Period, due_period, show_money};
use crate::error::Error;
use crate::store::disclosures::{self as store, NewDisclosure};
use rusqlite::Transaction;

fn account(tx: &Transaction, community: i64, role: &str) -> Result<(i64, String), Error> {
    Ok(tx.query_row(
        "SELECT a.id, a.display_name FROM memberships m JOIN accounts a ON a.id = m.account_id
         WHERE m.community_id = ?1 AND m.role = ?2 LIMIT 1",
        rusqlite::params![community, role],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// One month's accounts, carrying the balance forward. Deterministic.
fn month_rows(p: Period, opening: i64, i: usize) -> (Vec<Vec<String>>, i64) {
    let Period::Month(y, m) = p else {
        return (Vec::new(), opening);
    };
    let d = |day: u8| format!("{y}-{m:02}-{day:02}");
    let items: [(&str, i64, i64, &str); 5] = [
        (
            "土地承包租金",
            1_200_000 + (i as i64 % 3) * 50_000,
            0,
            "李*",
        ),
        ("镇财政转移支付（村级运转经费）", 800_000, 0, "李*"),
        ("村道路灯电费", 0, 41_250 + i as i64 * 1_310, "王*"),
        ("保洁员工资", 0, 360_000, "王*"),
        (
            "村民议事会茶水、打印",
            0,
            18_600 + (i as i64 % 4) * 2_500,
            "陈*",
        ),
    ];
    let mut rows = vec![vec![
        d(1),
        "上月结余".into(),
        String::new(),
        String::new(),
        show_money(opening),
        String::new(),
        String::new(),
    ]];
    let mut bal = opening;
    for (k, (item, inc, sp, who)) in items.iter().enumerate() {
        bal += inc - sp;
        rows.push(vec![
            d(3 + 5 * k as u8),
            item.to_string(),
            if *inc > 0 {
                show_money(*inc)
            } else {
                String::new()
            },
            if *sp > 0 {
                show_money(*sp)
            } else {
                String::new()
            },
            show_money(bal),
            who.to_string(),
            format!("记-{:02}{:02}", m, k + 1),
        ]);
    }
    (rows, bal)
}

/// The people the disclosures are kept and signed by.
struct Who {
    village: i64,
    /// The committee member who writes them.
    cw: i64,
    /// The supervisor who signs them.
    sv: i64,
    sv_name: String,
}

pub fn seed(tx: &Transaction, village: i64) -> Result<(), Error> {
    let (cw, _) = account(tx, village, "committee")?;
    let (sv, sv_name) = account(tx, village, "supervisor")?;
    let w = Who {
        village,
        cw,
        sv,
        sv_name,
    };
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    let Some(Period::Month(dy, dm)) = due_period(Cadence::Monthly, today) else {
        return Ok(());
    };
    let mut balance = 5_632_080;
    for (i, p) in twelve_months(dy, dm).iter().enumerate() {
        let (rows, closing) = month_rows(*p, balance, i);
        balance = closing;
        // Four months ago the accounts were never posted: the board shows it.
        if i != 7 {
            month(tx, &w, i, *p, rows)?;
        }
    }
    let quarter = due_period(Cadence::Quarterly, today).unwrap_or(Period::Quarter(dy, 1));
    welfare(tx, &w, quarter)?;
    project(tx, &w, today)
}

/// Twelve months ending with (y, m), oldest first.
fn twelve_months(y: i16, m: u8) -> Vec<Period> {
    let mut months = Vec::new();
    let (mut y, mut m) = (y, m);
    for _ in 0..12 {
        months.push(Period::Month(y, m));
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    months.reverse();
    months
}

/// The i-th month's accounts, submitted, signed and published; the sixth
/// queried and answered first, the fourth corrected after.
fn month(
    tx: &Transaction,
    w: &Who,
    i: usize,
    p: Period,
    mut rows: Vec<Vec<String>>,
) -> Result<(), Error> {
    let (cw, sv, sv_name) = (w.cw, w.sv, w.sv_name.as_str());
    let right_voucher = rows[3][6].clone();
    if i == 3 {
        // Published with a wrong voucher number, corrected below.
        rows[3][6] = format!("{right_voucher}0");
    }
    let (z, _) = p.words();
    let id = store::create(
        tx,
        w.village,
        &NewDisclosure {
            category: Category::Finance,
            period: p,
            title: format!("{z}村级财务收支"),
            explanation: "按月公开村级财务收支明细，凭证可到村部查阅。".into(),
            rows,
        },
        cw,
    )?;
    let get = |tx: &Transaction| store::get(tx, w.village, id);
    store::submit(tx, &get(tx)?)?;
    if i == 5 {
        query_answered(tx, w, id)?;
    }
    store::sign(tx, &get(tx)?, sv, sv_name, &seen(tx, &get(tx)?)?)?;
    store::publish(tx, &get(tx)?)?;
    if i == 3 {
        let reason = format!("第 4 行凭证号录错（应为{right_voucher}），已按原始凭证更正。");
        store::correct(tx, &get(tx)?, &reason, cw)?;
        let work = store::working(tx, id)?.ok_or(Error::NotFound)?;
        let mut rows = work.rows.clone();
        rows[3][6] = right_voucher;
        store::edit(tx, &get(tx)?, &work.title, &work.explanation, &rows)?;
        store::submit(tx, &get(tx)?)?;
        store::sign(tx, &get(tx)?, sv, sv_name, &seen(tx, &get(tx)?)?)?;
        store::publish(tx, &get(tx)?)?;
    }
    Ok(())
}

/// The supervisor queries a row, the committee answers, the supervisor
/// accepts the answer and the month is submitted again.
fn query_answered(tx: &Transaction, w: &Who, id: i64) -> Result<(), Error> {
    let get = |tx: &Transaction| store::get(tx, w.village, id);
    store::query(
        tx,
        &get(tx)?,
        w.sv,
        &w.sv_name,
        Some(4),
        "路灯电费比上月高，请附电费单。",
        &seen(tx, &get(tx)?)?,
    )?;
    let thread: i64 = tx.query_row(
        "SELECT id FROM disclosure_threads WHERE disclosure_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    store::answer(
        tx,
        &get(tx)?,
        thread,
        "本月新增 6 盏路灯；电费单已放在村部公开栏，可随时查阅。",
        w.cw,
    )?;
    store::accept(tx, &get(tx)?, thread, w.sv, &w.sv_name)?;
    store::submit(tx, &get(tx)?)?;
    Ok(())
}

/// The welfare list for the quarter due, names masked.
fn welfare(tx: &Transaction, w: &Who, quarter: Period) -> Result<(), Error> {
    let people = [
        ("张*明", 3, "低保", "2340.00", "因病致贫"),
        ("李*", 1, "特困供养", "3300.00", "无劳动能力、无赡养人"),
        ("王*芳", 4, "低保", "3120.00", "家庭成员重度残疾"),
        ("赵*", 2, "临时救助", "1500.00", "房屋火灾"),
        ("陈*华", 1, "高龄补贴", "300.00", "90 周岁以上"),
        ("刘*", 2, "低保", "1560.00", "因学致贫"),
    ];
    let (qz, _) = quarter.words();
    let id = store::create(
        tx,
        w.village,
        &NewDisclosure {
            category: Category::Welfare,
            period: quarter,
            title: format!("{qz}低保、特困及补贴发放名单"),
            explanation: "经村民代表评议、镇民政办审核。如有异议请在公开期内向村务监督委员会反映。"
                .into(),
            rows: people
                .iter()
                .map(|(n, s, k, a, r)| {
                    vec![
                        n.to_string(),
                        s.to_string(),
                        k.to_string(),
                        a.to_string(),
                        r.to_string(),
                    ]
                })
                .collect(),
        },
        w.cw,
    )?;
    publish_signed(tx, w.village, id, w.sv, &w.sv_name)
}

/// A project, disclosed as it happened (twenty days ago).
fn project(tx: &Transaction, w: &Who, today: jiff::civil::Date) -> Result<(), Error> {
    let day = today
        .checked_sub(jiff::Span::new().days(20))
        .unwrap_or(today);
    let id = store::create(
        tx,
        w.village,
        &NewDisclosure {
            category: Category::Project,
            period: Period::Day(day.year(), day.month() as u8, day.day() as u8),
            title: "三组村道硬化工程进度公开".into(),
            explanation: "经村民代表会议表决通过（公开记录可查），公开招标确定施工单位。".into(),
            rows: vec![vec![
                "三组村道硬化（1.2 公里）".into(),
                "某某建设有限公司".into(),
                "386000.00".into(),
                "115800.00".into(),
                "路基完成，路面施工中".into(),
                "未验收".into(),
                "首付 30%".into(),
            ]],
        },
        w.cw,
    )?;
    publish_signed(tx, w.village, id, w.sv, &w.sv_name)
}

/// What the demo supervisor "sees": the working revision as it is.
fn seen(tx: &Transaction, d: &store::Disclosure) -> Result<store::Seen, Error> {
    let w = store::working(tx, d.id)?.ok_or(Error::NotFound)?;
    store::seen_now(tx, d, &w)
}

fn publish_signed(
    tx: &Transaction,
    village: i64,
    id: i64,
    sv: i64,
    name: &str,
) -> Result<(), Error> {
    store::submit(tx, &store::get(tx, village, id)?)?;
    let d = store::get(tx, village, id)?;
    store::sign(tx, &d, sv, name, &seen(tx, &d)?)?;
    store::publish(tx, &store::get(tx, village, id)?)?;
    Ok(())
}
