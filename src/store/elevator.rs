//! Elevator retrofit extras for a vote scoped to one unit: the cost-sharing
//! plan by floor, and the affected dwellings whose owners must consent.

use super::votes::{ScopeKind, Status, Vote};
use crate::domain::Msg;
use crate::domain::cost_share::{self, Share};
use crate::domain::dwelling::DwellingLabel;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::BTreeMap;

/// What a vote is about, as the committee chose it when drafting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VoteKind {
    /// Any decision: no cost-sharing plan, no affected owners.
    #[default]
    General,
    /// An elevator retrofit of one unit (owners' vote).
    Elevator,
}

impl VoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VoteKind::General => "general",
            VoteKind::Elevator => "elevator",
        }
    }
    pub fn parse(s: &str) -> Option<VoteKind> {
        match s {
            "general" => Some(VoteKind::General),
            "elevator" => Some(VoteKind::Elevator),
            _ => None,
        }
    }
}

/// Why a kind does not fit a vote's scope and rule, if it does not: an
/// elevator retrofit is an owners' vote on one unit.
pub fn kind_fits(kind: VoteKind, scope: ScopeKind, owners_rule: bool) -> Result<(), Msg> {
    if kind != VoteKind::Elevator {
        return Ok(());
    }
    if scope != ScopeKind::Unit {
        return Err(Msg::new(
            "加装电梯表决只能按单元进行：请把范围选为某一单元，或把类型选为“一般事项”",
            "an elevator retrofit is voted on by one unit: choose a unit as the scope, or choose the kind “general matter”",
        ));
    }
    if !owners_rule {
        return Err(Msg::new(
            "加装电梯须由业主表决：请选择按专有面积和人数计算的业主表决规则（如《民法典》第二百七十八条）",
            "an elevator retrofit is an owners' vote: choose an owners' rule counting floor area and owners (e.g. Civil Code art. 278)",
        ));
    }
    Ok(())
}

/// Only elevator retrofits (owners' votes on one unit) carry a retrofit plan.
pub fn applies(v: &Vote) -> bool {
    v.kind == VoteKind::Elevator && v.scope.kind == ScopeKind::Unit
}

/// The unit's dwellings with their floors, in building order.
pub fn unit_dwellings(conn: &Connection, v: &Vote) -> Result<Vec<(String, i32)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT b.number || '-' || u.number || '-' || d.number, d.floor FROM dwellings d
         JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE d.unit_id = ?1 ORDER BY d.floor, d.number",
    )?;
    let rows = st
        .query_map([v.scope.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The floors the shares are computed from: the roll's while the vote is
/// a draft, and from its opening the floors frozen into `vote_elevator.floors`
/// (by the trigger `vote_elevator_floors_at_opening`), so a later edit of
/// the roll cannot change a published share and the ledger anchors them.
/// A vote opened before floors were frozen (NULL) falls back to the roll.
fn plan_dwellings(
    conn: &Connection,
    v: &Vote,
    frozen: Option<&str>,
) -> Result<Vec<(String, i32)>, Error> {
    if v.status != Status::Draft
        && let Some(text) = frozen
    {
        let mut dwellings: Vec<(String, i32)> = serde_json::from_str(text).map_err(|e| {
            Error::Internal(format!(
                "vote {}: frozen floors are not readable: {e}",
                v.id
            ))
        })?;
        // In the roll's order: by floor, then dwelling.
        dwellings.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        return Ok(dwellings);
    }
    unit_dwellings(conn, v)
}

/// The unit's dwellings and floors as frozen at opening (JSON text).
fn floors_json(dwellings: &[(String, i32)]) -> String {
    serde_json::to_string(dwellings).unwrap_or_else(|_| "[]".to_string())
}

pub struct Plan {
    pub total_fen: i64,
    pub coefficients: BTreeMap<i32, i64>,
    pub coefficients_text: String,
    pub shares: Result<Vec<Share>, Msg>,
}

pub fn plan(conn: &Connection, v: &Vote) -> Result<Option<Plan>, Error> {
    let row: Option<(i64, String, Option<String>)> = conn
        .query_row(
            "SELECT total_fen, coefficients, floors FROM vote_elevator WHERE vote_id = ?1",
            [v.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((total, text, frozen)) = row else {
        return Ok(None);
    };
    let coefficients = cost_share::parse_coefficients(&text).unwrap_or_default();
    let dwellings = plan_dwellings(conn, v, frozen.as_deref())?;
    Ok(Some(Plan {
        total_fen: total,
        shares: cost_share::shares(total, &dwellings, &coefficients),
        coefficients,
        coefficients_text: text,
    }))
}

pub fn set_plan(
    tx: &Transaction,
    v: &Vote,
    total_fen: i64,
    coefficients: &str,
) -> Result<(), Error> {
    if !applies(v) {
        return Err(Error::Invalid(Msg::new(
            "分摊表只用于加装电梯表决",
            "a cost-sharing plan is only for an elevator retrofit vote",
        )));
    }
    let coef = cost_share::parse_coefficients(coefficients).map_err(Error::Invalid)?;
    let dwellings = unit_dwellings(tx, v)?;
    cost_share::shares(total_fen, &dwellings, &coef).map_err(Error::Invalid)?;
    // A plan set after opening is frozen with the floors of that moment.
    let floors = (v.status != Status::Draft).then(|| floors_json(&dwellings));
    tx.execute(
        "INSERT INTO vote_elevator (vote_id, total_fen, coefficients, floors) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (vote_id) DO UPDATE SET total_fen = excluded.total_fen, coefficients = excluded.coefficients,
           floors = excluded.floors",
        params![v.id, total_fen, coefficients.trim(), floors],
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Affected {
    pub dwelling: String,
    pub consent: Option<bool>,
    pub note: String,
}

pub fn affected(conn: &Connection, vote_id: i64) -> Result<Vec<Affected>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT dwelling, consent, note FROM vote_affected WHERE vote_id = ?1 ORDER BY dwelling",
    )?;
    let v = st
        .query_map([vote_id], |r| {
            Ok(Affected {
                dwelling: r.get(0)?,
                consent: r.get(1)?,
                note: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Records an affected dwelling and its owner's answer (None: not yet given).
pub fn set_affected(
    tx: &Transaction,
    v: &Vote,
    dwelling: &str,
    consent: Option<bool>,
    note: &str,
    by: i64,
) -> Result<String, Error> {
    if !applies(v) {
        return Err(Error::Invalid(Msg::new(
            "受影响业主只用于加装电梯表决",
            "affected owners are only for an elevator retrofit vote",
        )));
    }
    let label = DwellingLabel::parse(dwelling)
        .map_err(Error::Invalid)?
        .to_string();
    if !unit_dwellings(tx, v)?.iter().any(|(d, _)| *d == label) {
        return Err(Error::Invalid(Msg::new(
            format!("{label} 不在这个单元"),
            format!("{label} is not in this unit"),
        )));
    }
    tx.execute(
        "INSERT INTO vote_affected (vote_id, dwelling, consent, note, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (vote_id, dwelling) DO UPDATE SET consent = excluded.consent, note = excluded.note,
           recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        params![v.id, label, consent, note.trim(), by, super::now()],
    )?;
    Ok(label)
}

/// The retrofit may go ahead: the vote passed and every affected owner consented.
pub fn may_proceed(v: &Vote, affected: &[Affected]) -> Option<bool> {
    let r = v.result.as_ref()?;
    Some(r.verdict == "passed" && affected.iter().all(|a| a.consent == Some(true)))
}
