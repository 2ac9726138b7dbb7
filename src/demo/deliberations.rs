//! The demo village's mobile teahouse: a dozen meetings over the past year
//! moving between the villager groups, with published minutes (one amended),
//! follow-up actions (some done, some open, some overdue), one topic referred
//! to a vote, and one meeting coming up.

use crate::domain::deliberation::{ActionSpec, ItemMinutes, Minutes, Outcome, View};
use crate::error::Error;
use crate::store::deliberations::{self as store, NewDeliberation};
use rusqlite::Transaction;

const TOPICS: [(&str, &str, Outcome); 12] = [
    ("主路路灯不亮", "换灯并加装两盏", Outcome::Consensus),
    (
        "垃圾分类投放点位置",
        "投放点移到村口空地",
        Outcome::Resolution,
    ),
    ("沟渠清淤", "汛期前组织清淤", Outcome::Consensus),
    (
        "村口停车收费",
        "收费方案须全体村民表决",
        Outcome::ReferredToVote,
    ),
    (
        "邻里宅基地边界纠纷",
        "转村调解委员会",
        Outcome::ReferredToMediation,
    ),
    ("老年食堂开放时间", "改为 11:00–13:00", Outcome::Consensus),
    (
        "文化礼堂使用安排",
        "每周三晚广场舞，周六电影",
        Outcome::Resolution,
    ),
    ("小广场健身器材", "先收集意见，下次再议", Outcome::Deferred),
    ("自来水管网改造", "分两期实施", Outcome::Resolution),
    ("河道垂钓管理", "设立禁钓区标识", Outcome::Consensus),
    (
        "农田灌溉用电",
        "统一报装，费用按亩分摊",
        Outcome::Resolution,
    ),
    ("村道限速", "设置减速带两处", Outcome::Consensus),
];

pub fn seed(tx: &Transaction, village: i64) -> Result<(), Error> {
    let (cw, host): (i64, String) = tx.query_row(
        "SELECT a.id, a.display_name FROM memberships m JOIN accounts a ON a.id = m.account_id
         WHERE m.community_id = ?1 AND m.role = 'committee' LIMIT 1",
        [village],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let zones: Vec<i64> = tx
        .prepare("SELECT id FROM zones WHERE community_id = ?1 ORDER BY id")?
        .query_map([village], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if zones.is_empty() {
        return Ok(());
    }
    let s = Village {
        tx,
        village,
        cw,
        host,
        zones,
        now: crate::store::now(),
    };
    for (i, topic) in TOPICS.iter().enumerate() {
        s.meeting(i, topic)?;
    }
    s.next_meeting()
}

const DAY: i64 = 24 * 3600;

/// What every meeting is seeded with.
struct Village<'a> {
    tx: &'a Transaction<'a>,
    village: i64,
    /// The committee member who keeps the minutes.
    cw: i64,
    host: String,
    zones: Vec<i64>,
    now: i64,
}

impl Village<'_> {
    /// The i-th month's meeting in a group's courtyard, 19:00 to 21:00, with
    /// its attendance, published minutes and follow-ups.
    fn meeting(
        &self,
        i: usize,
        &(topic, decision, outcome): &(&str, &str, Outcome),
    ) -> Result<(), Error> {
        let (tx, village, now) = (self.tx, self.village, self.now);
        let starts = now - (360 - 30 * i as i64) * DAY - (now % DAY) + 11 * 3600;
        let z = self.zones[i % self.zones.len()];
        let id = store::create(
            tx,
            village,
            &NewDeliberation {
                title: format!("流动茶馆：{topic}"),
                place: format!("zone:{z}"),
                venue: format!("{}号院子", 3 + i),
                starts_at: starts,
                ends_at: starts + 2 * 3600,
                host: self.host.clone(),
            },
            self.cw,
        )?;
        let d = store::get(tx, village, id)?;
        let item = store::add_item(tx, &d, topic, "", None, None)?;
        self.attend(&d, i, z)?;
        // Follow-ups: early ones done, recent ones open, two overdue.
        let due = starts + (20 + 10 * (i as i64 % 3)) * DAY;
        let minutes = self.minutes(i, item, topic, decision, outcome, due);
        store::save_minutes(tx, &d, &minutes, None, self.cw)?;
        let d = store::get(tx, village, id)?;
        store::publish(tx, &d)?;
        if i == 0 {
            self.confirm(id)?;
        }
        if i == 2 {
            self.amend(id, &minutes)?;
        }
        if i < 8 && due < now {
            self.close_action(id, i)?;
        }
        Ok(())
    }

    /// Some of the group's adults, signed in by QR code or by the host; a guest now and then.
    fn attend(&self, d: &store::Deliberation, i: usize, z: i64) -> Result<(), Error> {
        let tx = self.tx;
        let people: Vec<i64> = tx
            .prepare(
                "SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id
                 WHERE h.zone_id = ?1 AND r.is_adult = 1 ORDER BY r.id LIMIT ?2",
            )?
            .query_map(rusqlite::params![z, 8 + (i as i64 * 5) % 11], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for p in people {
            store::attend(tx, d, p, if p % 2 == 0 { "qr" } else { "host" })?;
        }
        if i % 4 == 1 {
            store::add_guest(tx, d, "镇农业服务中心 刘工", "技术指导")?;
        }
        Ok(())
    }

    /// The minutes: two views, the decision, and an action where one was decided.
    fn minutes(
        &self,
        i: usize,
        item: i64,
        topic: &str,
        decision: &str,
        outcome: Outcome,
        due: i64,
    ) -> Minutes {
        let actions = match outcome {
            Outcome::Consensus | Outcome::Resolution => vec![ActionSpec {
                title: decision.to_string(),
                owner: if i.is_multiple_of(2) {
                    "村委会 王主任".into()
                } else {
                    format!("{}组组长", i % self.zones.len() + 1)
                },
                due: shanghai_date(due),
            }],
            _ => Vec::new(),
        };
        Minutes {
            summary: format!("到会村民围绕“{topic}”充分讨论。"),
            items: vec![ItemMinutes {
                item,
                title: topic.to_string(),
                outcome: Some(outcome),
                views: vec![
                    View {
                        who: Some("张大爷".into()),
                        text: "这事拖了很久，希望尽快办。".into(),
                    },
                    View {
                        who: None,
                        text: "费用要公开。".into(),
                    },
                ],
                notes: decision.to_string(),
                actions,
            }],
        }
    }

    /// The published minutes confirmed (by a resident with an account,
    /// else by the committee member who kept them).
    fn confirm(&self, id: i64) -> Result<(), Error> {
        let resident: Option<i64> = self
            .tx
            .query_row(
                "SELECT a.id FROM memberships m JOIN accounts a ON a.id = m.account_id
                     WHERE m.community_id = ?1 AND m.role = 'resident' ORDER BY a.id LIMIT 1",
                [self.village],
                |r| r.get(0),
            )
            .ok();
        let d = store::get(self.tx, self.village, id)?;
        store::confirm(self.tx, &d, 1, resident.unwrap_or(self.cw))?;
        Ok(())
    }

    /// Amended: a speaker asked to be recorded by name.
    fn amend(&self, id: i64, minutes: &Minutes) -> Result<(), Error> {
        let (tx, village) = (self.tx, self.village);
        let mut m = minutes.clone();
        m.items[0].views.push(View {
            who: Some("李阿姨".into()),
            text: "清淤时注意别堵了灌溉口。".into(),
        });
        let d = store::get(tx, village, id)?;
        store::save_minutes(
            tx,
            &d,
            &m,
            Some("补记李阿姨的发言（本人同意署名）"),
            self.cw,
        )?;
        store::publish(tx, &store::get(tx, village, id)?)?;
        Ok(())
    }

    /// The meeting's action done, unless it is the sixth meeting's (left overdue).
    fn close_action(&self, id: i64, i: usize) -> Result<(), Error> {
        let aid: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM actions WHERE deliberation_id = ?1",
                [id],
                |r| r.get(0),
            )
            .ok();
        if let Some(aid) = aid.filter(|_| i != 5) {
            store::close_action(
                self.tx,
                self.village,
                aid,
                "已办结，村民代表验收。",
                self.cw,
            )?;
        }
        Ok(())
    }

    /// The next meeting, with a resident's suggestion waiting.
    fn next_meeting(&self) -> Result<(), Error> {
        let (tx, village, now) = (self.tx, self.village, self.now);
        let next = now + 5 * DAY - (now % DAY) + 11 * 3600;
        let id = store::create(
            tx,
            village,
            &NewDeliberation {
                title: "流动茶馆：冬季防火和取暖安全".into(),
                place: format!("zone:{}", self.zones[0]),
                venue: "村文化礼堂门口".into(),
                starts_at: next,
                ends_at: next + 2 * 3600,
                host: self.host.clone(),
            },
            self.cw,
        )?;
        let d = store::get(tx, village, id)?;
        store::add_item(tx, &d, "冬季防火巡查安排", "", None, None)?;
        store::add_item(tx, &d, "独居老人取暖检查", "", Some((self.cw, "张*")), None)?;
        Ok(())
    }
}

/// A timestamp's date in China.
fn shanghai_date(ts: i64) -> String {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_zoned(zone).date().to_string())
        .unwrap_or_default()
}
