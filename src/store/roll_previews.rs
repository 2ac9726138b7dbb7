//! Checked roll files waiting for the committee's confirmation: the parsed
//! roll and what applying it would do, for a day.

use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// How long a preview may be confirmed.
pub const TTL: i64 = 24 * 3600;

pub struct NewPreview<'a> {
    pub community_id: i64,
    pub account_id: i64,
    pub filename: &'a str,
    pub file_sha256: &'a str,
    pub payload: &'a str,
    pub summary: &'a str,
}

/// Stores a preview; previews past their day are dropped (each holds a
/// parsed roll and can never be confirmed). Returns its id.
pub fn insert(tx: &Transaction, p: &NewPreview) -> Result<i64, Error> {
    let now = super::now();
    tx.execute(
        "DELETE FROM roll_imports WHERE community_id = ?1 AND applied_at IS NULL AND created_at < ?2",
        params![p.community_id, now - TTL],
    )?;
    tx.execute(
        "INSERT INTO roll_imports (community_id, account_id, filename, file_sha256, payload, summary, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![p.community_id, p.account_id, p.filename, p.file_sha256, p.payload, p.summary, now],
    )?;
    Ok(tx.last_insert_rowid())
}

pub struct Preview {
    pub filename: String,
    pub payload: String,
    pub created_at: i64,
    pub applied_at: Option<i64>,
}

pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Option<Preview>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT filename, payload, created_at, applied_at FROM roll_imports
             WHERE id = ?1 AND community_id = ?2",
        )?
        .query_row(params![id, community_id], |r| {
            Ok(Preview {
                filename: r.get(0)?,
                payload: r.get(1)?,
                created_at: r.get(2)?,
                applied_at: r.get(3)?,
            })
        })
        .optional()?)
}

pub fn mark_applied(tx: &Transaction, id: i64, summary: &str) -> Result<(), Error> {
    tx.execute(
        "UPDATE roll_imports SET applied_at = ?2, summary = ?3 WHERE id = ?1",
        params![id, super::now(), summary],
    )?;
    Ok(())
}
