//! Who may vote: the electorate a scope and rule give today, the one frozen
//! when a vote opened (listed in dwelling order), and a preview's totals.

use super::{Scope, ScopeKind};
use crate::domain::dwelling_order::{DwellingKey, sort_by_dwelling};
use crate::domain::vote::{self, CustomRule, RuleId, Voter};
use crate::error::Error;
use rusqlite::{Connection, params};
use std::collections::{BTreeMap, HashMap};

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

pub(super) fn uses_owners(rule: RuleId, custom: Option<&CustomRule>) -> bool {
    rule.needs_area() || custom.is_some_and(|c| c.quorum_area.is_some() || c.pass_area.is_some())
}

/// The electorate a scope and rule give today (frozen into the vote when it opens):
/// owners by dwelling for area rules; otherwise adults (or representatives);
/// in dwelling order.
pub fn compute_electorate(
    conn: &Connection,
    community_id: i64,
    scope: &Scope,
    rule: RuleId,
    custom: Option<&CustomRule>,
) -> Result<Vec<Elector>, Error> {
    let mut out = if uses_owners(rule, custom) {
        owner_electors(conn, community_id, scope)?
    } else {
        resident_electors(conn, community_id, scope, rule)?
    };
    in_dwelling_order(conn, community_id, scope, &mut out)?;
    Ok(out)
}

/// One elector per owner of a dwelling in the scope: its dwellings, their
/// area summed, and the owner's active residents (who may cast its ballot).
fn owner_electors(
    conn: &Connection,
    community_id: i64,
    scope: &Scope,
) -> Result<Vec<Elector>, Error> {
    let mut out = Vec::new();
    let mut members = conn.prepare_cached(
        "SELECT id, name FROM residents WHERE owner_id = ?1 AND active = 1 ORDER BY key",
    )?;
    for (oid, (key, dwellings, area)) in owned_dwellings(conn, community_id, scope)? {
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
    Ok(out)
}

/// Per owner (by id) of a dwelling in the scope: the owner's key, the
/// dwellings ("3-2-501") and their area summed.
#[allow(clippy::type_complexity)]
fn owned_dwellings(
    conn: &Connection,
    community_id: i64,
    scope: &Scope,
) -> Result<BTreeMap<i64, (String, Vec<String>, i64)>, Error> {
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
    Ok(by_owner)
}

/// One elector per active adult (or representative, for a representatives'
/// meeting) living in the scope, with their household.
fn resident_electors(
    conn: &Connection,
    community_id: i64,
    scope: &Scope,
    rule: RuleId,
) -> Result<Vec<Elector>, Error> {
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
    let mut out = Vec::new();
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
    Ok(out)
}

/// Where each dwelling ("3-2-501") and each household of a scope is, for
/// walking an electorate in dwelling order.
fn places(
    conn: &Connection,
    community_id: i64,
    scope: &Scope,
) -> Result<HashMap<String, DwellingKey>, Error> {
    let cond = match scope.kind {
        ScopeKind::Zone => "(b.zone_id = ?2 OR h.zone_id = ?2)",
        kind => scope_sql(kind),
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT b.number, u.number, d.number, d.floor, h.code
         FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         LEFT JOIN households h ON h.dwelling_id = d.id
         WHERE d.community_id = ?1 AND ({cond})"
    ))?;
    let mut out = HashMap::new();
    let rows = st.query_map(params![community_id, scope.id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    for row in rows {
        let (b, u, room, floor, household) = row?;
        let key = DwellingKey::new(&b, &u, floor, &room);
        if let Some(h) = household {
            out.insert(format!("h:{h}"), key.clone());
        }
        out.insert(format!("{b}-{u}-{room}"), key);
    }
    Ok(out)
}

/// Puts electors in dwelling order (building, unit, floor, room, as
/// numbers), by their first dwelling or their household's; a dwelling no
/// longer on the roll is placed by its label, floor unknown (0).
pub fn in_dwelling_order(
    conn: &Connection,
    community_id: i64,
    scope: &Scope,
    electors: &mut [Elector],
) -> Result<(), Error> {
    if electors.is_empty() {
        return Ok(());
    }
    let places = places(conn, community_id, scope)?;
    let place = |e: &Elector| -> Option<DwellingKey> {
        if let Some(d) = e.dwellings.first() {
            return places.get(d).cloned().or_else(|| {
                let l = crate::domain::dwelling::DwellingLabel::parse(d).ok()?;
                Some(DwellingKey::new(&l.building, &l.unit, 0, &l.room))
            });
        }
        places
            .get(&format!("h:{}", e.household.as_deref()?))
            .cloned()
    };
    sort_by_dwelling(electors, |e| {
        (place(e), e.household.clone(), e.label.clone())
    });
    Ok(())
}

/// The electorate as frozen when the vote opened, in dwelling order.
pub fn frozen_electorate(conn: &Connection, vote_id: i64) -> Result<Vec<Elector>, Error> {
    let mut v = frozen_by_voter(conn, vote_id)?;
    let (community_id, kind, id): (i64, String, Option<i64>) = conn
        .prepare_cached("SELECT community_id, scope_kind, scope_id FROM votes WHERE id = ?1")?
        .query_row([vote_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let scope = Scope {
        kind: ScopeKind::parse(&kind).unwrap_or(ScopeKind::Community),
        id,
    };
    in_dwelling_order(conn, community_id, &scope, &mut v)?;
    Ok(v)
}

/// The frozen electorate by voter id (the export's order).
fn frozen_by_voter(conn: &Connection, vote_id: i64) -> Result<Vec<Elector>, Error> {
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
