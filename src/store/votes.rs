//! Votes in SQLite: drafts, the electorate frozen when a vote opens, ballots
//! (online and paper, one per voter and channel), closing with the tally, the
//! `teahouse.vote/1` export, and the ledger checks for `teahouse verify`.

pub use super::elevator::VoteKind;
pub use super::vote_files::{Form, export};
use crate::domain::Msg;
use crate::domain::code::ActivationCode;
use crate::domain::ledger::{self, Broken, Entry};
use crate::domain::vote::{self, Choice, CustomRule, RuleId, Tally, Voter};
use crate::domain::vote_export::{self, VoteExport};
use crate::error::Error;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Community,
    Zone,
    Building,
    Unit,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Community => "community",
            ScopeKind::Zone => "zone",
            ScopeKind::Building => "building",
            ScopeKind::Unit => "unit",
        }
    }
    pub fn parse(s: &str) -> Option<ScopeKind> {
        match s {
            "community" => Some(ScopeKind::Community),
            "zone" => Some(ScopeKind::Zone),
            "building" => Some(ScopeKind::Building),
            "unit" => Some(ScopeKind::Unit),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    pub id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Open,
    Closed,
}

impl Status {
    fn parse(s: &str) -> Status {
        match s {
            "open" => Status::Open,
            "closed" => Status::Closed,
            _ => Status::Draft,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Vote {
    pub id: i64,
    pub community_id: i64,
    pub title: String,
    pub explanation: String,
    pub scope: Scope,
    pub scope_label: String,
    pub rule: RuleId,
    pub custom: Option<CustomRule>,
    pub secret: bool,
    pub opens_at: i64,
    pub closes_at: i64,
    pub publicity_days: i64,
    pub status: Status,
    pub salt: String,
    pub result: Option<Tally>,
    pub closed_at: Option<i64>,
    pub final_at: Option<i64>,
    /// Single- or multiple-choice votes; None: agree/disagree/abstain.
    pub options: Option<vote::Options>,
    /// General, or an elevator retrofit (cost table, affected owners).
    pub kind: VoteKind,
}

impl Vote {
    /// The canonical ballot text for what a voter chose on a form.
    pub fn pick(&self, chosen: &[&str]) -> Result<String, Msg> {
        match &self.options {
            Some(o) => o.pick(chosen),
            None => match chosen {
                [c] => Choice::parse(c)
                    .map(|c| c.as_str().to_string())
                    .ok_or_else(|| {
                        Msg::new(
                            "请选择同意、不同意或弃权",
                            "choose agree, disagree or abstain",
                        )
                    }),
                _ => Err(Msg::new(
                    "请选择同意、不同意或弃权",
                    "choose agree, disagree or abstain",
                )),
            },
        }
    }

    /// What a ballot text means, in words.
    pub fn words(&self, choice: &str) -> String {
        match &self.options {
            Some(o) => o.words(choice),
            None => match Choice::parse(choice) {
                Some(c) => format!("{} {}", c.zh(), c.as_str()),
                None => choice.to_string(),
            },
        }
    }
}

const COLS: &str =
    "id, community_id, title, explanation, scope_kind, scope_id, scope_label, rule, custom, secret,
    opens_at, closes_at, publicity_days, status, salt, result, closed_at, final_at, options, kind";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Vote> {
    let kind: String = r.get(4)?;
    let rule: String = r.get(7)?;
    let custom: Option<String> = r.get(8)?;
    let status: String = r.get(13)?;
    let result: Option<String> = r.get(15)?;
    Ok(Vote {
        id: r.get(0)?,
        community_id: r.get(1)?,
        title: r.get(2)?,
        explanation: r.get(3)?,
        scope: Scope {
            kind: ScopeKind::parse(&kind).unwrap_or(ScopeKind::Community),
            id: r.get(5)?,
        },
        scope_label: r.get(6)?,
        rule: RuleId::parse(&rule).unwrap_or(RuleId::SimpleMajority),
        custom: custom.and_then(|c| serde_json::from_str(&c).ok()),
        secret: r.get(9)?,
        opens_at: r.get(10)?,
        closes_at: r.get(11)?,
        publicity_days: r.get(12)?,
        status: Status::parse(&status),
        salt: r.get(14)?,
        result: result.and_then(|x| serde_json::from_str(&x).ok()),
        closed_at: r.get(16)?,
        final_at: r.get(17)?,
        options: r
            .get::<_, Option<String>>(18)?
            .and_then(|o| serde_json::from_str(&o).ok()),
        kind: VoteKind::parse(&r.get::<_, String>(19)?).unwrap_or_default(),
    })
}

pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Vote, Error> {
    // `teahouse verify` reads a database as it is, perhaps from before M016
    // gave votes their kind: such a vote is general.
    let has_kind = conn
        .prepare_cached("SELECT 1 FROM pragma_table_info('votes') WHERE name = 'kind'")?
        .exists([])?;
    let cols = if has_kind {
        COLS.to_string()
    } else {
        COLS.replace(", kind", ", 'general'")
    };
    conn.prepare_cached(&format!(
        "SELECT {cols} FROM votes WHERE community_id = ?1 AND id = ?2"
    ))?
    .query_row(params![community_id, id], from_row)
    .optional()?
    .ok_or(Error::NotFound)
}

pub fn list(
    conn: &Connection,
    community_id: i64,
    include_drafts: bool,
) -> Result<Vec<Vote>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM votes WHERE community_id = ?1 AND (?2 OR status != 'draft')
         ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, closes_at DESC, id DESC"
    ))?;
    let v = st
        .query_map(params![community_id, include_drafts], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

pub struct NewVote {
    pub title: String,
    pub explanation: String,
    pub scope: Scope,
    pub rule: RuleId,
    pub custom: Option<CustomRule>,
    pub secret: bool,
    pub opens_at: i64,
    pub closes_at: i64,
    pub publicity_days: i64,
    pub options: Option<vote::Options>,
    pub kind: VoteKind,
}

/// The human name of a scope, e.g. "3栋2单元", checking it belongs to the community.
pub fn scope_label(conn: &Connection, community_id: i64, scope: &Scope) -> Result<String, Error> {
    let missing = || {
        Error::Invalid(Msg::new(
            "所选范围不存在",
            "the chosen scope does not exist",
        ))
    };
    let id = scope.id;
    let label: Option<String> = match scope.kind {
        ScopeKind::Community => {
            return Ok(conn.query_row("SELECT name FROM communities WHERE id = ?1", [community_id], |r| r.get(0))?);
        }
        ScopeKind::Zone => conn
            .query_row("SELECT name FROM zones WHERE id = ?1 AND community_id = ?2", params![id, community_id], |r| r.get(0))
            .optional()?,
        ScopeKind::Building => conn
            .query_row(
                "SELECT number || '栋' FROM buildings WHERE id = ?1 AND community_id = ?2",
                params![id, community_id],
                |r| r.get(0),
            )
            .optional()?,
        ScopeKind::Unit => conn
            .query_row(
                "SELECT b.number || '栋' || u.number || '单元' FROM units u JOIN buildings b ON b.id = u.building_id
                 WHERE u.id = ?1 AND b.community_id = ?2",
                params![id, community_id],
                |r| r.get(0),
            )
            .optional()?,
    };
    label.ok_or_else(missing)
}

pub fn create(
    tx: &Transaction,
    community_id: i64,
    v: &NewVote,
    created_by: i64,
) -> Result<i64, Error> {
    let label = scope_label(tx, community_id, &v.scope)?;
    super::elevator::kind_fits(v.kind, v.scope.kind, uses_owners(v.rule, v.custom.as_ref()))
        .map_err(Error::Invalid)?;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    tx.execute(
        "INSERT INTO votes (community_id, title, explanation, scope_kind, scope_id, scope_label, rule, custom, secret,
           opens_at, closes_at, publicity_days, salt, created_by, created_at, options, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            community_id,
            v.title,
            v.explanation,
            v.scope.kind.as_str(),
            v.scope.id,
            label,
            v.rule.as_str(),
            v.custom.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default()),
            v.secret,
            v.opens_at,
            v.closes_at,
            v.publicity_days,
            hex::encode(salt),
            created_by,
            super::now(),
            v.options.as_ref().map(|o| serde_json::to_string(o).unwrap_or_default()),
            v.kind.as_str(),
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// One member of an electorate, with the residents who may cast its ballot.
#[derive(Debug, Clone)]
pub struct Elector {
    pub voter: String,
    pub label: String,
    pub dwellings: Vec<String>,
    pub area_centi: Option<i64>,
    pub household: Option<String>,
    pub members: Vec<i64>,
}

fn scope_sql(kind: ScopeKind) -> &'static str {
    match kind {
        ScopeKind::Community => "1 = 1 OR ?2 IS NULL",
        ScopeKind::Zone => "b.zone_id = ?2",
        ScopeKind::Building => "b.id = ?2",
        ScopeKind::Unit => "u.id = ?2",
    }
}

fn uses_owners(rule: RuleId, custom: Option<&CustomRule>) -> bool {
    rule.needs_area() || custom.is_some_and(|c| c.quorum_area.is_some() || c.pass_area.is_some())
}

/// The electorate a scope and rule give today (frozen into the vote when it opens):
/// owners by dwelling for area rules; otherwise adults (or representatives).
pub fn compute_electorate(
    conn: &Connection,
    community_id: i64,
    scope: &Scope,
    rule: RuleId,
    custom: Option<&CustomRule>,
) -> Result<Vec<Elector>, Error> {
    let mut out = Vec::new();
    if uses_owners(rule, custom) {
        let sql = format!(
            "SELECT d.owner_id, o.key, b.number || '-' || u.number || '-' || d.number, d.area_centi
             FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
             JOIN owners o ON o.id = d.owner_id
             WHERE d.community_id = ?1 AND ({})
             ORDER BY d.owner_id, b.number, u.number, d.floor, d.number",
            scope_sql(scope.kind)
        );
        let mut by_owner: BTreeMap<i64, (String, Vec<String>, i64)> = BTreeMap::new();
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params![community_id, scope.id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (oid, key, label, area) = row?;
            let e = by_owner.entry(oid).or_insert((key, Vec::new(), 0));
            e.1.push(label);
            e.2 += area;
        }
        let mut members = conn.prepare_cached(
            "SELECT id, name FROM residents WHERE owner_id = ?1 AND active = 1 ORDER BY key",
        )?;
        for (oid, (key, dwellings, area)) in by_owner {
            let people: Vec<(i64, String)> = members
                .query_map([oid], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let label = if people.is_empty() {
                format!("（无人在册的产权人 {key}）")
            } else {
                people
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            };
            out.push(Elector {
                voter: format!("o-{oid}"),
                label,
                dwellings,
                area_centi: Some(area),
                household: None,
                members: people.into_iter().map(|(id, _)| id).collect(),
            });
        }
    } else {
        let who = if rule == RuleId::RepresentativesMeeting {
            "r.is_representative = 1"
        } else {
            "r.is_adult = 1"
        };
        let scope_cond = match scope.kind {
            ScopeKind::Community => "1 = 1 OR ?2 IS NULL",
            ScopeKind::Zone => "h.zone_id = ?2",
            ScopeKind::Building => "b.id = ?2",
            ScopeKind::Unit => "u.id = ?2",
        };
        let sql = format!(
            "SELECT r.id, r.name, h.code FROM residents r JOIN households h ON h.id = r.household_id
             LEFT JOIN dwellings d ON d.id = h.dwelling_id LEFT JOIN units u ON u.id = d.unit_id
             LEFT JOIN buildings b ON b.id = u.building_id
             WHERE r.community_id = ?1 AND r.active = 1 AND {who} AND ({scope_cond}) ORDER BY h.code, r.key"
        );
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params![community_id, scope.id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (rid, name, hh) = row?;
            out.push(Elector {
                voter: format!("r-{rid}"),
                label: name,
                dwellings: Vec::new(),
                area_centi: None,
                household: Some(hh),
                members: vec![rid],
            });
        }
    }
    Ok(out)
}

/// The electorate as frozen when the vote opened.
pub fn frozen_electorate(conn: &Connection, vote_id: i64) -> Result<Vec<Elector>, Error> {
    let mut s = conn.prepare_cached(
        "SELECT voter, label, dwellings, area_centi, household FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter",
    )?;
    let v = s
        .query_map([vote_id], |r| {
            let d: String = r.get(2)?;
            Ok(Elector {
                voter: r.get(0)?,
                label: r.get(1)?,
                dwellings: serde_json::from_str(&d).unwrap_or_default(),
                area_centi: r.get(3)?,
                household: r.get(4)?,
                members: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

fn pseudonym(salt: &str, voter: &str) -> String {
    format!(
        "p-{}",
        &ledger::sha256_hex(format!("{salt}:{voter}").as_bytes())[..10]
    )
}

/// Opens a draft: freezes the electorate and records the opening in the ledger.
pub fn open(tx: &Transaction, v: &Vote) -> Result<Entry, Error> {
    if v.status != Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "这项表决已经开始了",
            "this vote has already opened",
        )));
    }
    let electors = compute_electorate(tx, v.community_id, &v.scope, v.rule, v.custom.as_ref())?;
    if electors.is_empty() {
        return Err(Error::Invalid(Msg::new(
            "这个范围内没有符合条件的选民，无法开始表决",
            "nobody in this scope may vote under this rule; the vote cannot open",
        )));
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO vote_electorate (vote_id, voter, pseudonym, label, dwellings, area_centi, household)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut mem = tx.prepare_cached(
        "INSERT INTO vote_members (vote_id, resident_id, voter) VALUES (?1, ?2, ?3)",
    )?;
    for e in &electors {
        ins.execute(params![
            v.id,
            e.voter,
            pseudonym(&v.salt, &e.voter),
            e.label,
            serde_json::to_string(&e.dwellings).unwrap_or_default(),
            e.area_centi,
            e.household
        ])?;
        for m in &e.members {
            mem.execute(params![v.id, m, e.voter])?;
        }
    }
    let now = super::now();
    tx.execute(
        "UPDATE votes SET status = 'open', opens_at = min(opens_at, ?2) WHERE id = ?1",
        params![v.id, now],
    )?;
    // The notice date and reach figures, and the owners' 15-day warning.
    let owners = matches!(v.rule, RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary);
    let facts = super::notices_record::vote_opened_facts(tx, v.community_id, v.id, owners, now)?;
    super::anchor::publish_with(tx, v.community_id, "vote.opened", &format!("vote:{}", v.id), facts)
}

/// What a closing entry states beyond the rows it anchors: the SHA-256 of
/// the recount file as it is downloaded. Built here at closing, and again
/// by `verify` from the current rows.
pub fn closed_derived(conn: &Connection, v: &Vote) -> Result<Value, Error> {
    Ok(json!({"export_sha256": super::vote_files::export_sha256(conn, v)?}))
}

fn electorate_digest(e: &VoteExport) -> String {
    ledger::digest(&serde_json::to_value(&e.electorate).unwrap_or(Value::Null))
}

fn ballots_digest(e: &VoteExport) -> String {
    ledger::digest(&serde_json::to_value(&e.ballots).unwrap_or(Value::Null))
}

/// The voter a resident casts for in this vote, if any.
pub fn voter_for(
    conn: &Connection,
    vote_id: i64,
    resident_id: i64,
) -> Result<Option<String>, Error> {
    Ok(conn
        .prepare_cached("SELECT voter FROM vote_members WHERE vote_id = ?1 AND resident_id = ?2")?
        .query_row(params![vote_id, resident_id], |r| r.get(0))
        .optional()?)
}

#[derive(Debug, Clone)]
pub struct Ballot {
    pub voter: String,
    pub channel: String,
    /// Canonical text: agree/disagree/abstain, or option letters like "A+C".
    pub choice: String,
    pub cast_at: i64,
    pub receipt: String,
    pub cast_by: Option<String>,
    pub entered_by: Option<String>,
}

pub fn ballots(conn: &Connection, vote_id: i64) -> Result<Vec<Ballot>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT b.voter, CASE WHEN b.by_proxy IS NULL THEN b.channel ELSE 'proxy' END, b.choice, b.cast_at, b.receipt,
                r.name, a.display_name
         FROM ballots b LEFT JOIN residents r ON r.id = b.cast_by_resident LEFT JOIN accounts a ON a.id = b.entered_by
         WHERE b.vote_id = ?1 ORDER BY b.voter, b.channel",
    )?;
    let v = st
        .query_map([vote_id], |r| {
            Ok(Ballot {
                voter: r.get(0)?,
                channel: r.get(1)?,
                choice: r.get(2)?,
                cast_at: r.get(3)?,
                receipt: r.get(4)?,
                cast_by: r.get(5)?,
                entered_by: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

fn new_receipt() -> String {
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut b);
    ActivationCode::from_random(b).display()
}

/// Records a ballot; a voter may change it until the vote closes (the receipt
/// stays the same). Returns the receipt.
pub fn cast(
    tx: &Transaction,
    v: &Vote,
    voter: &str,
    channel: &str,
    choice: &str,
    cast_by_resident: Option<i64>,
    entered_by: Option<i64>,
) -> Result<String, Error> {
    upsert_ballot(
        tx,
        v,
        voter,
        channel,
        choice,
        cast_by_resident,
        entered_by,
        None,
    )
}

/// Writes a ballot; `by_proxy` names the proxy casting for the voter.
#[allow(clippy::too_many_arguments)]
pub(crate) fn upsert_ballot(
    tx: &Transaction,
    v: &Vote,
    voter: &str,
    channel: &str,
    choice: &str,
    cast_by_resident: Option<i64>,
    entered_by: Option<i64>,
    by_proxy: Option<i64>,
) -> Result<String, Error> {
    let valid = match &v.options {
        Some(o) => o.decode(choice).is_some(),
        None => Choice::parse(choice).is_some(),
    };
    if !valid {
        return Err(Error::Invalid(Msg::new(
            format!("选票内容“{choice}”无效"),
            format!("\"{choice}\" is not a valid choice in this vote"),
        )));
    }
    let now = super::now();
    if v.status == Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "表决还没有开始，不能投票",
            "this vote has not opened yet",
        )));
    }
    if v.status == Status::Closed || now >= v.closes_at {
        return Err(Error::Conflict(Msg::new(
            "表决已结束，不能再投票或改票",
            "voting has closed",
        )));
    }
    // A secret ballot keeps no finer time than its day, even here.
    let cast_at = if v.secret {
        let tz: String = tx
            .prepare_cached("SELECT tz FROM communities WHERE id = ?1")?
            .query_row([v.community_id], |r| r.get(0))?;
        super::vote_files::day_floor(now, &tz)
    } else {
        now
    };
    let in_electorate: bool = tx
        .prepare_cached("SELECT 1 FROM vote_electorate WHERE vote_id = ?1 AND voter = ?2")?
        .exists(params![v.id, voter])?;
    if !in_electorate {
        return Err(Error::Forbidden);
    }
    let existing: Option<String> = tx
        .query_row(
            "SELECT receipt FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel = ?3",
            params![v.id, voter, channel],
            |r| r.get(0),
        )
        .optional()?;
    let receipt = existing.unwrap_or_else(new_receipt);
    tx.execute(
        "INSERT INTO ballots (vote_id, voter, channel, choice, cast_by_resident, entered_by, cast_at, receipt, by_proxy)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (vote_id, voter, channel) DO UPDATE SET choice = excluded.choice,
           cast_by_resident = excluded.cast_by_resident, entered_by = excluded.entered_by, cast_at = excluded.cast_at,
           by_proxy = excluded.by_proxy",
        params![v.id, voter, channel, choice, cast_by_resident, entered_by, cast_at, receipt, by_proxy],
    )?;
    Ok(receipt)
}

/// Voters with both an online and a paper ballot: the committee must choose.
pub fn conflicts(conn: &Connection, vote_id: i64) -> Result<Vec<String>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT voter FROM ballots WHERE vote_id = ?1 GROUP BY voter HAVING count(*) > 1 ORDER BY voter",
    )?;
    let v = st
        .query_map([vote_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(v)
}

/// The conflicts, each with whether its online ballot is the voter's own
/// (then only the paper ballot can be set aside).
pub fn conflicts_detail(conn: &Connection, vote_id: i64) -> Result<Vec<(String, bool)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT voter, max(channel = 'online' AND by_proxy IS NULL) FROM ballots WHERE vote_id = ?1
         GROUP BY voter HAVING count(*) > 1 ORDER BY voter",
    )?;
    let v = st
        .query_map([vote_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Paper ballots by who entered them: (name, count), most first.
pub fn paper_by(conn: &Connection, vote_id: i64) -> Result<Vec<(String, i64)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT coalesce(a.display_name, '-'), count(*) FROM ballots b LEFT JOIN accounts a ON a.id = b.entered_by
         WHERE b.vote_id = ?1 AND b.channel = 'paper' GROUP BY b.entered_by ORDER BY count(*) DESC, 1",
    )?;
    let v = st
        .query_map([vote_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Keeps one channel's ballot for a conflicting voter and removes the other.
/// A voter's own online ballot is never removed for a paper one the
/// committee entered (it would let the committee vote for them); only a
/// proxy's online ballot gives way to the principal's paper ballot.
pub fn resolve(tx: &Transaction, vote_id: i64, voter: &str, keep: &str) -> Result<(), Error> {
    let own_online: bool = tx
        .prepare_cached(
            "SELECT 1 FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel = 'online' AND by_proxy IS NULL",
        )?
        .exists(params![vote_id, voter])?;
    if keep == "paper" && own_online {
        return Err(Error::Conflict(Msg::new(
            "网上选票是选民本人投的，以本人为准：只能作废这张纸质选票。选民可以在截止前自己改票。",
            "the online ballot was cast by the voter themselves and counts: only the paper ballot can be set aside. The voter may change their own ballot until the vote closes.",
        )));
    }
    let n = tx.execute(
        "DELETE FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel != ?3
           AND EXISTS (SELECT 1 FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND channel = ?3)",
        params![vote_id, voter, keep],
    )?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Closes a vote: computes the result from the frozen electorate and the
/// ballots, stores it and records it (with a hash of the ballot list) in the ledger.
pub fn close(tx: &Transaction, v: &Vote) -> Result<(Tally, Entry), Error> {
    if v.status != Status::Open {
        return Err(Error::Conflict(Msg::new(
            "这项表决不在进行中",
            "this vote is not open",
        )));
    }
    let c = conflicts(tx, v.id)?;
    if !c.is_empty() {
        return Err(Error::Conflict(Msg::new(
            format!("有 {} 位选民同时有网上和纸质选票，请先处理冲突", c.len()),
            format!(
                "{} voters have both an online and a paper ballot; resolve these first",
                c.len()
            ),
        )));
    }
    let now = super::now();
    tx.execute(
        "UPDATE votes SET status = 'closed', closed_at = ?2 WHERE id = ?1",
        params![v.id, now],
    )?;
    let v = get(tx, v.community_id, v.id)?;
    let export = export(tx, &v, Form::Ledger)?;
    let tally = vote_export::recount(&export).map_err(Error::Invalid)?;
    tx.execute(
        "UPDATE votes SET result = ?2 WHERE id = ?1",
        params![v.id, serde_json::to_string(&tally).unwrap_or_default()],
    )?;
    // The recount file as it will be downloaded, result included.
    let v = get(tx, v.community_id, v.id)?;
    let entry = super::anchor::publish_with(
        tx,
        v.community_id,
        "vote.closed",
        &format!("vote:{}", v.id),
        closed_derived(tx, &v)?,
    )?;
    Ok((tally, entry))
}

/// The tally for a preview before opening: the electorate's size and totals.
pub fn preview_totals(electors: &[Elector]) -> (usize, Option<i64>, usize) {
    let area = electors.iter().map(|e| e.area_centi).sum::<Option<i64>>();
    let voters: Vec<Voter> = electors
        .iter()
        .map(|e| Voter {
            id: e.voter.clone(),
            area_centi: e.area_centi,
            household: e.household.clone(),
        })
        .collect();
    (electors.len(), area, vote::household_count(&voters))
}

/// Does a ledger entry still match the records it speaks for?
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    let Some(id) = e
        .subject
        .strip_prefix("vote:")
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return Ok(None);
    };
    let broken = |zh: String, en: String| Ok(Some(Broken { seq: e.seq, zh, en }));
    let v = match get(conn, community_id, id) {
        Ok(v) => v,
        Err(Error::NotFound) => {
            return broken(
                format!("第 {} 条记录所说的表决 {id} 不见了", e.seq),
                format!("entry {}: vote {id} is gone", e.seq),
            );
        }
        Err(err) => return Err(err),
    };
    // Objections, answers and finals are checked by `objections::check_entry`.
    if !matches!(e.kind.as_str(), "vote.opened" | "vote.closed") {
        return Ok(None);
    }
    let export = export(conn, &v, Form::Ledger)?;
    match e.kind.as_str() {
        "vote.opened"
            if e.payload["electorate_hash"].as_str()
                != Some(electorate_digest(&export).as_str()) =>
        {
            return broken(
                format!(
                    "第 {} 条记录：表决“{}”的选民名单在开始后被改动过",
                    e.seq, v.title
                ),
                format!(
                    "entry {}: the electorate of vote \"{}\" changed after it opened",
                    e.seq, v.title
                ),
            );
        }
        "vote.opened"
            if e.payload["options"] != serde_json::to_value(&v.options).unwrap_or(Value::Null) =>
        {
            return broken(
                format!(
                    "第 {} 条记录：表决“{}”的选项在开始后被改动过",
                    e.seq, v.title
                ),
                format!(
                    "entry {}: the options of vote \"{}\" changed after it opened",
                    e.seq, v.title
                ),
            );
        }
        "vote.opened"
            if e.payload.get("attachments").is_some_and(|a| {
                super::attachments::digest_list(conn, community_id, &e.subject)
                    .map(|now| &now != a)
                    .unwrap_or(true)
            }) =>
        {
            return broken(
                format!(
                    "第 {} 条记录：表决“{}”的附件在开始后被改动过",
                    e.seq, v.title
                ),
                format!(
                    "entry {}: the attachments of vote \"{}\" changed after it opened",
                    e.seq, v.title
                ),
            );
        }
        "vote.closed" => {
            if e.payload["ballots_hash"].as_str() != Some(ballots_digest(&export).as_str()) {
                return broken(
                    format!(
                        "第 {} 条记录：表决“{}”的选票在结束后被改动过",
                        e.seq, v.title
                    ),
                    format!(
                        "entry {}: the ballots of vote \"{}\" changed after it closed",
                        e.seq, v.title
                    ),
                );
            }
            if let Some(h) = e.payload.get("export_sha256").and_then(Value::as_str)
                && super::vote_files::export_sha256(conn, &v)? != h
            {
                return broken(
                    format!(
                        "第 {} 条记录：表决“{}”的计票文件与结束时记录的哈希不符",
                        e.seq, v.title
                    ),
                    format!(
                        "entry {}: the count file of vote \"{}\" differs from the hash recorded at closing",
                        e.seq, v.title
                    ),
                );
            }
            let published = serde_json::to_value(&v.result).unwrap_or(Value::Null);
            if published != e.payload["result"] {
                return broken(
                    format!("第 {} 条记录：表决“{}”公布的结果与记录不符", e.seq, v.title),
                    format!(
                        "entry {}: the published result of vote \"{}\" differs from the ledger",
                        e.seq, v.title
                    ),
                );
            }
            let recount = vote_export::recount(&export).map_err(Error::Invalid)?;
            if serde_json::to_value(&recount).unwrap_or(Value::Null) != e.payload["result"] {
                return broken(
                    format!("第 {} 条记录：重新计票的结果与记录不符", e.seq),
                    format!(
                        "entry {}: a recount differs from the recorded result",
                        e.seq
                    ),
                );
            }
        }
        _ => {}
    }
    Ok(None)
}
