//! Tally sheets: the committee's paper ballots for many voters at once,
//! each entered through the same rule as one paper ballot ([`cast`]), all
//! or none; and sheets kept aside until a second committee member checks
//! them (`tally_sheets`, `tally_sheet_rows`: never published, deleted once
//! applied or discarded).

use super::{Vote, cast};
use crate::domain::Msg;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// One row of a sheet with a ballot on it: its number on the sheet (from
/// 1), the voter and the canonical ballot text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetEntry {
    pub row: usize,
    pub voter: String,
    pub choice: String,
}

/// A row the ballot rule refused: its number on the sheet and why.
#[derive(Debug, Clone)]
pub struct Refused {
    pub row: usize,
    pub msg: Msg,
}

fn refusal(row: usize, e: Error) -> Result<Refused, Error> {
    let msg = match e {
        Error::Forbidden => Msg::new("这位选民不在名单中", "that voter is not in the electorate"),
        Error::Invalid(m) | Error::Conflict(m) => m,
        other => return Err(other),
    };
    Ok(Refused { row, msg })
}

/// Casts each entry as a paper ballot entered by `entered_by`, inside a
/// savepoint: the first refused row undoes every other and is returned.
/// With `keep` false the ballots are undone even when all pass (a check
/// that the sheet would be accepted now).
fn run(
    tx: &Transaction,
    vote: &Vote,
    entries: &[SheetEntry],
    entered_by: i64,
    keep: bool,
) -> Result<Result<usize, Refused>, Error> {
    tx.execute_batch("SAVEPOINT tally_sheet")?;
    let mut has_ballot =
        tx.prepare_cached("SELECT 1 FROM ballots WHERE vote_id = ?1 AND voter = ?2 LIMIT 1")?;
    for e in entries {
        // The sheet is for voters who have not voted: a ballot entered since
        // it was printed or kept (online, or on paper) is never replaced by it.
        if has_ballot.exists(params![vote.id, e.voter])? {
            tx.execute_batch("ROLLBACK TO tally_sheet; RELEASE tally_sheet")?;
            return Ok(Err(Refused {
                row: e.row,
                msg: Msg::new(
                    "这位选民已有选票（网上或纸质）：计票单只记尚未投票的选民；更正纸质选票请在表决页单独录入",
                    "this voter already has a ballot (online or on paper): the sheet is only for voters who have not voted; correct a paper ballot on the vote page",
                ),
            }));
        }
        if let Err(err) = cast(
            tx,
            vote,
            &e.voter,
            "paper",
            &e.choice,
            None,
            Some(entered_by),
        ) {
            tx.execute_batch("ROLLBACK TO tally_sheet; RELEASE tally_sheet")?;
            return Ok(Err(refusal(e.row, err)?));
        }
    }
    if keep {
        tx.execute_batch("RELEASE tally_sheet")?;
    } else {
        tx.execute_batch("ROLLBACK TO tally_sheet; RELEASE tally_sheet")?;
    }
    Ok(Ok(entries.len()))
}

/// Enters a sheet's ballots, all or none: how many, or the refused row.
pub fn enter(
    tx: &Transaction,
    vote: &Vote,
    entries: &[SheetEntry],
    entered_by: i64,
) -> Result<Result<usize, Refused>, Error> {
    run(tx, vote, entries, entered_by, true)
}

/// A sheet kept for a second committee member's check.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub entered_by: i64,
    pub entered_by_name: String,
    pub entries: Vec<SheetEntry>,
}

/// Keeps a sheet aside for a second check, once the same rules would
/// accept it now (or returns the refused row, keeping nothing).
pub fn keep_for_check(
    tx: &Transaction,
    vote: &Vote,
    entries: &[SheetEntry],
    entered_by: i64,
) -> Result<Result<i64, Refused>, Error> {
    if let Err(r) = run(tx, vote, entries, entered_by, false)? {
        return Ok(Err(r));
    }
    tx.execute(
        "INSERT INTO tally_sheets (vote_id, entered_by) VALUES (?1, ?2)",
        params![vote.id, entered_by],
    )?;
    let id = tx.last_insert_rowid();
    let mut ins = tx.prepare_cached(
        "INSERT INTO tally_sheet_rows (sheet_id, row, voter, choice) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for e in entries {
        ins.execute(params![id, e.row as i64, e.voter, e.choice])?;
    }
    Ok(Ok(id))
}

/// The sheets of a vote waiting for their check, oldest first.
pub fn pending(conn: &Connection, vote_id: i64) -> Result<Vec<Pending>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT s.id, s.entered_by, coalesce(a.display_name, '-') FROM tally_sheets s
         LEFT JOIN accounts a ON a.id = s.entered_by WHERE s.vote_id = ?1 ORDER BY s.id",
    )?;
    let heads = st
        .query_map([vote_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<(i64, i64, String)>, _>>()?;
    heads
        .into_iter()
        .map(|(id, entered_by, entered_by_name)| {
            Ok(Pending {
                id,
                entered_by,
                entered_by_name,
                entries: rows(conn, id)?,
            })
        })
        .collect()
}

fn rows(conn: &Connection, sheet: i64) -> Result<Vec<SheetEntry>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT row, voter, choice FROM tally_sheet_rows WHERE sheet_id = ?1 ORDER BY row",
    )?;
    let v = st
        .query_map([sheet], |r| {
            Ok(SheetEntry {
                row: r.get::<_, i64>(0)? as usize,
                voter: r.get(1)?,
                choice: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

fn pending_one(tx: &Transaction, vote_id: i64, sheet: i64) -> Result<Pending, Error> {
    let (entered_by, name): (i64, String) = tx
        .prepare_cached(
            "SELECT s.entered_by, coalesce(a.display_name, '-') FROM tally_sheets s
             LEFT JOIN accounts a ON a.id = s.entered_by WHERE s.id = ?1 AND s.vote_id = ?2",
        )?
        .query_row(params![sheet, vote_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(Error::NotFound)?;
    Ok(Pending {
        id: sheet,
        entered_by,
        entered_by_name: name,
        entries: rows(tx, sheet)?,
    })
}

fn forget(tx: &Transaction, sheet: i64) -> Result<(), Error> {
    tx.execute("DELETE FROM tally_sheet_rows WHERE sheet_id = ?1", [sheet])?;
    tx.execute("DELETE FROM tally_sheets WHERE id = ?1", [sheet])?;
    Ok(())
}

/// A second committee member confirms a kept sheet: its ballots are
/// entered (as entered by the first), all or none, and the sheet is gone.
/// The one who entered it cannot be its check.
pub fn confirm(
    tx: &Transaction,
    vote: &Vote,
    sheet: i64,
    checker: i64,
) -> Result<Result<Pending, Refused>, Error> {
    let p = pending_one(tx, vote.id, sheet)?;
    if p.entered_by == checker {
        return Err(Error::Conflict(Msg::new(
            "核对须由另一位委员完成：录入这张计票单的人不能自己核对",
            "the check must be done by another committee member: whoever entered the sheet cannot check it",
        )));
    }
    if let Err(r) = enter(tx, vote, &p.entries, p.entered_by)? {
        return Ok(Err(r));
    }
    forget(tx, sheet)?;
    Ok(Ok(p))
}

/// Drops a kept sheet without entering anything; how many rows it had.
pub fn discard(tx: &Transaction, vote_id: i64, sheet: i64) -> Result<usize, Error> {
    let p = pending_one(tx, vote_id, sheet)?;
    forget(tx, sheet)?;
    Ok(p.entries.len())
}
