//! Votes in SQLite: drafts, the electorate frozen when a vote opens, ballots
//! (online and paper, one per voter and channel), closing with the tally, the
//! `teahouse.vote/1` export, and the ledger checks for `teahouse verify`.

mod ballots;
mod electorate;
mod lifecycle;
pub mod listing;
pub mod tally_sheet;
mod verify;

pub use ballots::*;
pub use electorate::*;
pub use lifecycle::*;
pub use listing::Published;
pub use verify::*;

pub use super::elevator::VoteKind;
pub use super::vote_files::{Form, export};
use crate::domain::Msg;
use crate::domain::vote::{self, Choice, CustomRule, RuleId, Tally};
use crate::error::Error;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

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
    // gave votes their kind: such a vote is general. (Asking the schema
    // each time cost a statement prepared per call: it is asked only when
    // the statement cannot be prepared.)
    let sql = format!("SELECT {COLS} FROM votes WHERE community_id = ?1 AND id = ?2");
    let mut st = match conn.prepare_cached(&sql) {
        Ok(st) => st,
        Err(e) => {
            let has_kind = conn
                .prepare_cached("SELECT 1 FROM pragma_table_info('votes') WHERE name = 'kind'")?
                .exists([])?;
            if has_kind {
                return Err(e.into());
            }
            conn.prepare_cached(&sql.replace(", kind", ", 'general'"))?
        }
    };
    st.query_row(params![community_id, id], from_row)
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
