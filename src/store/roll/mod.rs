//! The roll in SQLite: places, dwellings, households and residents.
//!
//! An import is applied by keys (resident 编号, dwelling 楼栋-单元-房号,
//! household 户号), so the same file twice changes nothing and a changed row
//! updates in place. It is planned on a read snapshot ([`plan`]), staged in
//! short transactions and swapped in by one short transaction that checks
//! the roll's version first ([`staging`], driven by [`import`]), so that a
//! large roll never holds the writer for long and a failed or refused import
//! leaves nothing visible. Every write to the roll bumps its version.

pub mod edit;
pub mod export;
pub mod import;
pub mod list;
#[cfg(test)]
mod list_tests;
pub mod plan;
pub mod staging;
pub mod synthetic;
#[cfg(test)]
mod tests;

pub use edit::{EditError, ResidentEdit, add_resident, update_resident};
pub use export::export_table;
pub use import::{Applied, Import, import, recover};
pub use list::{
    ListFilter, PAGE, ResidentLine, buildings, line, lines_by_ids, list, resident_home, select_ids,
    zones,
};

use crate::domain::roll::ParsedRoll;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Change {
    pub key: String,
    pub name: String,
    /// (field, old, new)
    pub fields: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub rows: usize,
    pub zones_new: usize,
    pub dwellings_new: usize,
    pub dwellings_changed: usize,
    pub households_new: usize,
    pub residents_new: usize,
    pub residents_changed: usize,
    pub residents_unchanged: usize,
    /// Active residents in the database that the file does not list.
    pub missing: Vec<(String, String)>,
    pub missing_deactivated: bool,
    /// The first changes, to show in the preview.
    pub changes: Vec<Change>,
}

impl Summary {
    pub fn changes_anything(&self) -> bool {
        self.zones_new
            + self.dwellings_new
            + self.dwellings_changed
            + self.households_new
            + self.residents_new
            + self.residents_changed
            > 0
            || (self.missing_deactivated && !self.missing.is_empty())
    }
}

const SHOW_CHANGES: usize = 100;

fn yn(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// The roll's version for a community: any write to its roll raises it, so
/// an import planned on an older version is refused at its swap.
pub fn version(conn: &Connection, community_id: i64) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached("SELECT version FROM roll_versions WHERE community_id = ?1")?
        .query_row([community_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Records that a community's roll changed. Every write to the roll calls it.
pub fn bump_version(tx: &Transaction, community_id: i64) -> Result<(), Error> {
    tx.prepare_cached(
        "INSERT INTO roll_versions (community_id, version) VALUES (?1, 1)
         ON CONFLICT (community_id) DO UPDATE SET version = version + 1",
    )?
    .execute(params![community_id])?;
    Ok(())
}

/// Applies a parsed roll inside the caller's transaction, all at once (the
/// demo seed, into an empty database nobody uses yet). Imports while the
/// server runs use [`import`], which writes in short transactions.
pub fn apply(
    tx: &Transaction,
    community_id: i64,
    roll: &ParsedRoll,
    deactivate_missing: bool,
) -> Result<Summary, Error> {
    let p = plan::plan(tx, community_id, roll, deactivate_missing)?;
    let stage = staging::begin(tx, community_id, None)?;
    staging::write_range(tx, stage, &p, 0, p.len())?;
    staging::swap(tx, &staging::Staged::of(stage, &p))?;
    while staging::clear_some(tx, stage, usize::MAX >> 2)? {}
    Ok(p.summary)
}
