//! A planned import written into staging tables a chunk at a time (each
//! chunk its own short transaction, invisible to everyone), then swapped into
//! the roll by one short transaction that first checks the roll did not
//! change since the plan was made. Staged rows are removed afterwards, again
//! in chunks; a stage left by a crash is removed at start-up.
//!
//! New rows get their ids only in the swap: the n-th new row of a table gets
//! that table's `max(id) + 1 + n`, and a reference stored as `-(n + 1)`
//! (see [`Ref::code`]) resolves to it.

use super::plan::{Plan, Ref};
use crate::domain::Msg;
use crate::error::Error;
use rusqlite::{Connection, Transaction, params};

/// The staging tables, children after parents.
const TABLES: [&str; 8] = [
    "roll_stage_zones",
    "roll_stage_buildings",
    "roll_stage_units",
    "roll_stage_owners",
    "roll_stage_dwellings",
    "roll_stage_households",
    "roll_stage_residents",
    "roll_stage_moved_out",
];

/// Opens a stage for a plan; returns its id.
pub fn begin(tx: &Transaction, community_id: i64, import_id: Option<i64>) -> Result<i64, Error> {
    tx.execute(
        "INSERT INTO roll_stages (community_id, import_id, created_at) VALUES (?1, ?2, ?3)",
        params![community_id, import_id, crate::store::now()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Row counts per staging table, in [`TABLES`] order.
fn counts(p: &Plan) -> [usize; 8] {
    [
        p.zones.len(),
        p.buildings.len() + p.buildings_moved.len(),
        p.units.len(),
        p.owners.len(),
        p.dwellings.len(),
        p.households.len(),
        p.residents.len(),
        p.moved_out.len(),
    ]
}

fn opt(r: Option<Ref>) -> Option<i64> {
    r.map(Ref::code)
}

/// Writes the plan's rows `from..to` (counted over all tables in order).
pub fn write_range(
    tx: &Transaction,
    stage: i64,
    p: &Plan,
    from: usize,
    to: usize,
) -> Result<(), Error> {
    let mut start = 0;
    for (t, n) in counts(p).into_iter().enumerate() {
        let (lo, hi) = (from.max(start), to.min(start + n));
        for i in lo..hi {
            write_row(tx, stage, p, t, i - start)?;
        }
        start += n;
    }
    Ok(())
}

// Long: one arm per staging table, each a row of the plan and its INSERT.
fn write_row(tx: &Transaction, stage: i64, p: &Plan, table: usize, i: usize) -> Result<(), Error> {
    let seq = i as i64;
    match table {
        0 => {
            let Some(name) = p.zones.get(i) else {
                return Ok(());
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_zones (stage, seq, name) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![stage, seq, name])?;
        }
        1 => {
            let (id, number, zone) = match p.buildings.get(i) {
                Some(b) => (None, Some(b.number.as_str()), b.zone),
                None => match p.buildings_moved.get(i - p.buildings.len()) {
                    Some((id, zone)) => (Some(*id), None, *zone),
                    None => return Ok(()),
                },
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_buildings (stage, seq, id, number, zone_ref) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![stage, seq, id, number, zone.code()])?;
        }
        2 => {
            let Some(u) = p.units.get(i) else {
                return Ok(());
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_units (stage, seq, building_ref, number) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![stage, seq, u.building.code(), u.number])?;
        }
        3 => {
            let Some(key) = p.owners.get(i) else {
                return Ok(());
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_owners (stage, seq, key) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![stage, seq, key])?;
        }
        4 => {
            let Some(d) = p.dwellings.get(i) else {
                return Ok(());
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_dwellings (stage, seq, id, unit_ref, number, floor, area_centi, owner_ref)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                stage,
                seq,
                d.id,
                d.unit.code(),
                d.number,
                d.floor,
                d.area_centi,
                d.owner.code()
            ])?;
        }
        5 => {
            let Some(h) = p.households.get(i) else {
                return Ok(());
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_households (stage, seq, id, code, zone_ref, dwelling_ref)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                stage,
                seq,
                h.id,
                h.code,
                h.zone.code(),
                opt(h.dwelling)
            ])?;
        }
        6 => {
            let Some(r) = p.residents.get(i) else {
                return Ok(());
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_residents (stage, seq, id, key, household_ref, name, phone, is_adult,
                   owner_ref, is_representative, email) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                stage,
                seq,
                r.id,
                r.key,
                r.household.code(),
                r.name,
                r.phone,
                r.adult,
                opt(r.owner),
                r.representative,
                r.email
            ])?;
        }
        _ => {
            let Some(id) = p.moved_out.get(i) else {
                return Ok(());
            };
            tx.prepare_cached(
                "INSERT INTO roll_stage_moved_out (stage, seq, resident_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![stage, seq, id])?;
        }
    }
    Ok(())
}

/// What the swap needs to know of a plan.
#[derive(Debug, Clone, Copy)]
pub struct Staged {
    pub stage: i64,
    pub community_id: i64,
    pub version: i64,
    counts: [usize; 8],
}

impl Staged {
    pub fn of(stage: i64, p: &Plan) -> Staged {
        Staged {
            stage,
            community_id: p.community_id,
            version: p.version,
            counts: counts(p),
        }
    }
}

/// The refusal when the roll changed after the plan was made.
pub fn changed_meanwhile() -> Error {
    Error::Conflict(Msg::new(
        "导入期间名册有了改动（例如有人新增或修改了居民），这次导入没有写入任何内容。请再次确认导入，会按最新的名册重新比对。",
        "The roll changed while this import was being written (someone added or edited a resident, say), so nothing was imported. Confirm again to compare the file with the roll as it is now.",
    ))
}

/// `col` resolved: a stored id as it is, a new row's code to its new id.
fn resolve(col: &str, base: i64) -> String {
    format!("CASE WHEN {col} < 0 THEN {base} - 1 - {col} ELSE {col} END")
}

fn next_id(tx: &Transaction, table: &str) -> Result<i64, Error> {
    Ok(tx.query_row(
        &format!("SELECT ifnull(max(id), 0) + 1 FROM {table}"),
        [],
        |r| r.get(0),
    )?)
}

/// Swaps a complete stage into the roll: refused (nothing written) if the
/// roll changed since the plan or the stage is not complete. Call in the
/// transaction that also records the import.
pub fn swap(tx: &Transaction, s: &Staged) -> Result<(), Error> {
    check_stage(tx, s)?;
    let (c, st) = (s.community_id, s.stage);
    let (z, u, o) = swap_places(tx, c, st)?;
    let h = swap_homes(tx, c, st, z, u, o)?;
    swap_residents(tx, c, st, h, o)?;
    super::bump_version(tx, c)?;
    Ok(())
}

/// Refuses a stage made against another version of the roll, or not complete.
fn check_stage(tx: &Transaction, s: &Staged) -> Result<(), Error> {
    if super::version(tx, s.community_id)? != s.version {
        return Err(changed_meanwhile());
    }
    for (t, want) in TABLES.iter().zip(s.counts) {
        let n: i64 = tx.query_row(
            &format!("SELECT count(*) FROM {t} WHERE stage = ?1"),
            [s.stage],
            |r| r.get(0),
        )?;
        if n != want as i64 {
            return Err(Error::Internal(format!(
                "roll import stage {}: {t} has {n} rows, {want} expected",
                s.stage
            )));
        }
    }
    Ok(())
}

/// Zones, buildings (new or moved), units and owners; the first new id of
/// the zones, units and owners, which later rows refer to.
fn swap_places(tx: &Transaction, c: i64, st: i64) -> Result<(i64, i64, i64), Error> {
    let z = next_id(tx, "zones")?;
    tx.execute(
        "INSERT INTO zones (id, community_id, name)
         SELECT ?3 + seq, ?1, name FROM roll_stage_zones WHERE stage = ?2",
        params![c, st, z],
    )?;
    let b = next_id(tx, "buildings")?;
    tx.execute(
        &format!(
            "UPDATE buildings SET zone_id = {} FROM roll_stage_buildings s
             WHERE s.stage = ?1 AND s.id IS NOT NULL AND buildings.id = s.id",
            resolve("s.zone_ref", z)
        ),
        [st],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO buildings (id, community_id, zone_id, number)
             SELECT ?3 + seq, ?1, {}, number FROM roll_stage_buildings WHERE stage = ?2 AND id IS NULL",
            resolve("zone_ref", z)
        ),
        params![c, st, b],
    )?;
    let u = next_id(tx, "units")?;
    tx.execute(
        &format!(
            "INSERT INTO units (id, building_id, number)
             SELECT ?2 + seq, {}, number FROM roll_stage_units WHERE stage = ?1",
            resolve("building_ref", b)
        ),
        params![st, u],
    )?;
    let o = next_id(tx, "owners")?;
    tx.execute(
        "INSERT INTO owners (id, community_id, key)
         SELECT ?3 + seq, ?1, key FROM roll_stage_owners WHERE stage = ?2",
        params![c, st, o],
    )?;
    Ok((z, u, o))
}

/// Dwellings and households, new or changed; the first new household id.
fn swap_homes(tx: &Transaction, c: i64, st: i64, z: i64, u: i64, o: i64) -> Result<i64, Error> {
    let d = next_id(tx, "dwellings")?;
    tx.execute(
        &format!(
            "UPDATE dwellings SET floor = s.floor, area_centi = s.area_centi, owner_id = {}
             FROM roll_stage_dwellings s WHERE s.stage = ?1 AND s.id IS NOT NULL AND dwellings.id = s.id",
            resolve("s.owner_ref", o)
        ),
        [st],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO dwellings (id, community_id, unit_id, number, floor, area_centi, owner_id)
             SELECT ?3 + seq, ?1, {}, number, floor, area_centi, {}
             FROM roll_stage_dwellings WHERE stage = ?2 AND id IS NULL",
            resolve("unit_ref", u),
            resolve("owner_ref", o)
        ),
        params![c, st, d],
    )?;
    let h = next_id(tx, "households")?;
    tx.execute(
        &format!(
            "UPDATE households SET zone_id = {}, dwelling_id = {}
             FROM roll_stage_households s WHERE s.stage = ?1 AND s.id IS NOT NULL AND households.id = s.id",
            resolve("s.zone_ref", z),
            resolve("s.dwelling_ref", d)
        ),
        [st],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO households (id, community_id, zone_id, code, dwelling_id)
             SELECT ?3 + seq, ?1, {}, code, {} FROM roll_stage_households WHERE stage = ?2 AND id IS NULL",
            resolve("zone_ref", z),
            resolve("dwelling_ref", d)
        ),
        params![c, st, h],
    )?;
    Ok(h)
}

/// Residents, new or changed, and those moved out.
fn swap_residents(tx: &Transaction, c: i64, st: i64, h: i64, o: i64) -> Result<(), Error> {
    let r = next_id(tx, "residents")?;
    tx.execute(
        &format!(
            "UPDATE residents SET household_id = {}, name = s.name, phone = s.phone, email = s.email, is_adult = s.is_adult,
               owner_id = {}, is_representative = s.is_representative, active = 1
             FROM roll_stage_residents s WHERE s.stage = ?1 AND s.id IS NOT NULL AND residents.id = s.id",
            resolve("s.household_ref", h),
            resolve("s.owner_ref", o)
        ),
        [st],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO residents (id, community_id, key, household_id, name, phone, is_adult, owner_id,
               is_representative, email)
             SELECT ?3 + seq, ?1, key, {}, name, phone, is_adult, {}, is_representative, email
             FROM roll_stage_residents WHERE stage = ?2 AND id IS NULL",
            resolve("household_ref", h),
            resolve("owner_ref", o)
        ),
        params![c, st, r],
    )?;
    tx.execute(
        "UPDATE residents SET active = 0 WHERE id IN (SELECT resident_id FROM roll_stage_moved_out WHERE stage = ?1)",
        [st],
    )?;
    Ok(())
}

/// Removes up to `limit` staged rows of a stage, and the stage once it is
/// empty. Returns true while rows remain.
pub fn clear_some(tx: &Transaction, stage: i64, limit: usize) -> Result<bool, Error> {
    let mut left = limit as i64;
    for t in TABLES {
        if left <= 0 {
            return Ok(true);
        }
        let n = tx.execute(
            &format!(
                "DELETE FROM {t} WHERE stage = ?1 AND seq IN (SELECT seq FROM {t} WHERE stage = ?1 LIMIT ?2)"
            ),
            params![stage, left],
        )?;
        left -= n as i64;
    }
    if left <= 0 {
        return Ok(true);
    }
    tx.execute("DELETE FROM roll_stages WHERE id = ?1", [stage])?;
    Ok(false)
}

/// Every stage in the database (at start-up all are left over).
pub fn stages(conn: &Connection) -> Result<Vec<i64>, Error> {
    let v = conn
        .prepare("SELECT id FROM roll_stages ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(v)
}
