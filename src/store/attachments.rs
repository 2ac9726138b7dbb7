//! Attachments of any record ("vote:12", "disclosure:3"…), stored in the
//! database so one file still holds everything. The ledger records each
//! file's SHA-256, so a swapped scan is detected by `teahouse verify`.

use crate::domain::Msg;
use crate::domain::ledger::sha256_hex;
use crate::domain::upload::{MAX_FILES, Upload};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: i64,
    pub owner: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: i64,
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        owner: r.get(1)?,
        name: r.get(2)?,
        mime: r.get(3)?,
        size: r.get(4)?,
        sha256: r.get(5)?,
        uploaded_at: r.get(6)?,
    })
}

const COLS: &str = "id, owner, name, mime, size, sha256, uploaded_at";

pub fn add(
    tx: &Transaction,
    community_id: i64,
    owner: &str,
    up: &Upload,
    by: i64,
) -> Result<i64, Error> {
    let n: i64 = tx.query_row(
        "SELECT count(*) FROM attachments WHERE community_id = ?1 AND owner = ?2",
        params![community_id, owner],
        |r| r.get(0),
    )?;
    if n as usize >= MAX_FILES {
        return Err(Error::Invalid(Msg::new(
            format!("每项最多 {MAX_FILES} 个附件"),
            format!("{MAX_FILES} attachments at most per item"),
        )));
    }
    tx.execute(
        "INSERT INTO attachments (community_id, owner, name, mime, size, sha256, data, uploaded_by, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            community_id,
            owner,
            up.name,
            up.mime,
            up.data.len() as i64,
            sha256_hex(&up.data),
            up.data,
            by,
            super::now()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn list(conn: &Connection, community_id: i64, owner: &str) -> Result<Vec<Attachment>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM attachments WHERE community_id = ?1 AND owner = ?2 ORDER BY id"
    ))?;
    let v = st
        .query_map(params![community_id, owner], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// One attachment with its bytes.
pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<(Attachment, Vec<u8>), Error> {
    conn.query_row(
        &format!("SELECT {COLS}, data FROM attachments WHERE community_id = ?1 AND id = ?2"),
        params![community_id, id],
        |r| Ok((from_row(r)?, r.get::<_, Vec<u8>>(7)?)),
    )
    .optional()?
    .ok_or(Error::NotFound)
}

pub fn remove(tx: &Transaction, community_id: i64, owner: &str, id: i64) -> Result<String, Error> {
    let name: String = tx
        .query_row(
            "DELETE FROM attachments WHERE community_id = ?1 AND owner = ?2 AND id = ?3 RETURNING name",
            params![community_id, owner, id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    Ok(name)
}

/// What the ledger records of a record's attachments: name, size, SHA-256 of
/// the stored bytes (recomputed, so a changed blob is caught).
pub fn digest_list(conn: &Connection, community_id: i64, owner: &str) -> Result<Value, Error> {
    let mut st = conn.prepare_cached(
        "SELECT name, data FROM attachments WHERE community_id = ?1 AND owner = ?2 ORDER BY id",
    )?;
    let v = st
        .query_map(params![community_id, owner], |r| {
            let name: String = r.get(0)?;
            let data: Vec<u8> = r.get(1)?;
            Ok(json!({"name": name, "size": data.len(), "sha256": sha256_hex(&data)}))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(v))
}

/// How long a refused form's files are kept for it to be sent again.
const STAGED_FOR: i64 = 2 * 24 * 3600;
/// How many bytes of files an account may have kept in a community.
const STAGED_BYTES: usize = 20 << 20;

/// The owner of files a refused form kept for `account` until it is sent again.
fn staged_owner(account: i64) -> String {
    format!("staged:{account}")
}

/// Keeps the files of a refused form (none of them public) so that it can
/// be sent again without choosing them again: `keep` (this account's files
/// kept before) and `new` (this request's). Any other file kept for this
/// account here is removed first, so an account keeps at most [`MAX_FILES`].
/// The kept files, in order.
pub fn stage(
    tx: &Transaction,
    community_id: i64,
    account: i64,
    keep: &[i64],
    new: &[Upload],
) -> Result<Vec<Attachment>, Error> {
    let owner = staged_owner(account);
    // Files kept for forms never sent again go after STAGED_FOR (anyone's,
    // in this community: the range is the index's `staged:` owners).
    tx.execute(
        "DELETE FROM attachments WHERE community_id = ?1
           AND owner >= 'staged:' AND owner < 'staged;' AND uploaded_at < ?2",
        params![community_id, super::now() - STAGED_FOR],
    )?;
    let keep = serde_json::to_string(keep).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "DELETE FROM attachments WHERE community_id = ?2 AND owner = ?1
           AND id NOT IN (SELECT value FROM json_each(?3))",
        params![owner, community_id, keep],
    )?;
    let kept = list(tx, community_id, &owner)?;
    let mut room = MAX_FILES.saturating_sub(kept.len());
    let mut bytes = STAGED_BYTES.saturating_sub(kept.iter().map(|a| a.size.max(0) as usize).sum());
    for up in new {
        // Within the count and bytes an account may keep; the rest is not
        // kept (the form says which files are kept, so none is lost unseen).
        if room == 0 || up.data.len() > bytes {
            continue;
        }
        add(tx, community_id, &owner, up, account)?;
        room -= 1;
        bytes -= up.data.len();
    }
    list(tx, community_id, &owner)
}

/// The files kept for `account` among `ids`, in order.
pub fn staged(
    conn: &Connection,
    community_id: i64,
    account: i64,
    ids: &[i64],
) -> Result<Vec<Attachment>, Error> {
    let mut v = list(conn, community_id, &staged_owner(account))?;
    v.retain(|a| ids.contains(&a.id));
    Ok(v)
}

/// Gives the files kept for `account` among `ids` to the record `owner`
/// (where they are anchored if it is public), within its [`MAX_FILES`];
/// the account's other kept files here (left unticked) are removed.
pub fn claim(
    tx: &Transaction,
    community_id: i64,
    account: i64,
    ids: &[i64],
    owner: &str,
) -> Result<usize, Error> {
    let mut n = 0;
    for a in staged(tx, community_id, account, ids)? {
        let there: i64 = tx.query_row(
            "SELECT count(*) FROM attachments WHERE community_id = ?1 AND owner = ?2",
            params![community_id, owner],
            |r| r.get(0),
        )?;
        if there as usize >= MAX_FILES {
            return Err(Error::Invalid(Msg::new(
                format!("每项最多 {MAX_FILES} 个附件"),
                format!("{MAX_FILES} attachments at most per item"),
            )));
        }
        tx.execute(
            "UPDATE attachments SET owner = ?2 WHERE id = ?1",
            params![a.id, owner],
        )?;
        n += 1;
    }
    tx.execute(
        "DELETE FROM attachments WHERE community_id = ?1 AND owner = ?2",
        params![community_id, staged_owner(account)],
    )?;
    Ok(n)
}
