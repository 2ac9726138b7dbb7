//! Checked roll files waiting for the committee's confirmation: the parsed
//! roll and what applying it would do, for a day. A confirmed preview is
//! applied once ('applying' while it is written in the background, then
//! 'applied'); a failed or refused attempt returns it to 'preview' with what
//! to tell the committee, to be confirmed again.

use crate::domain::Msg;
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
        "DELETE FROM roll_imports WHERE community_id = ?1 AND applied_at IS NULL AND state = 'preview'
           AND created_at < ?2",
        params![p.community_id, now - TTL],
    )?;
    tx.execute(
        "INSERT INTO roll_imports (community_id, account_id, filename, file_sha256, payload, summary, created_at)
         VALUES (?1, ?2, ?3, ?4, '', ?5, ?6)",
        params![p.community_id, p.account_id, p.filename, p.file_sha256, p.summary, now],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO roll_import_payloads (import_id, payload) VALUES (?1, ?2)",
        params![id, p.payload],
    )?;
    Ok(id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Preview,
    Applying,
    Applied,
}

/// A preview as its pages show it (without the parsed roll).
pub struct Preview {
    pub filename: String,
    /// The preview's summary, or once applied what the import did (JSON).
    pub summary: String,
    pub created_at: i64,
    pub applied_at: Option<i64>,
    pub state: State,
    pub staged: i64,
    pub to_stage: i64,
    pub deactivate_missing: bool,
    /// Why the last attempt to apply it did not.
    pub message: Option<Msg>,
}

pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Option<Preview>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT filename, summary, created_at, applied_at, state, staged, to_stage, deactivate_missing,
               message_zh, message_en
             FROM roll_imports WHERE id = ?1 AND community_id = ?2",
        )?
        .query_row(params![id, community_id], |r| {
            let state: String = r.get(4)?;
            let (zh, en): (String, String) = (r.get(8)?, r.get(9)?);
            Ok(Preview {
                filename: r.get(0)?,
                summary: r.get(1)?,
                created_at: r.get(2)?,
                applied_at: r.get(3)?,
                state: match state.as_str() {
                    "applying" => State::Applying,
                    "applied" => State::Applied,
                    _ => State::Preview,
                },
                staged: r.get(5)?,
                to_stage: r.get(6)?,
                deactivate_missing: r.get(7)?,
                message: (!zh.is_empty()).then(|| Msg::new(zh, en)),
            })
        })
        .optional()?)
}

/// The parsed roll a preview holds (JSON).
pub fn payload(conn: &Connection, community_id: i64, id: i64) -> Result<Option<String>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT p.payload FROM roll_import_payloads p JOIN roll_imports i ON i.id = p.import_id
             WHERE i.id = ?1 AND i.community_id = ?2",
        )?
        .query_row(params![id, community_id], |r| r.get(0))
        .optional()?)
}

pub fn already_confirmed() -> Error {
    Error::Conflict(Msg::new(
        "这次导入已经确认过了。如需再次导入，请重新上传文件。",
        "This import was already confirmed. Upload the file again to re-import.",
    ))
}

/// What confirming found.
pub enum Claim {
    /// The preview is now being applied by this caller.
    Started,
    /// It was being applied already (a second click, a retry): follow that.
    Running,
}

/// Takes a preview for applying, once: refused if applied or expired.
pub fn claim(
    tx: &Transaction,
    community_id: i64,
    id: i64,
    deactivate_missing: bool,
) -> Result<Claim, Error> {
    let p = get(tx, community_id, id)?.ok_or(Error::NotFound)?;
    match p.state {
        State::Applied => return Err(already_confirmed()),
        State::Applying => return Ok(Claim::Running),
        State::Preview => {}
    }
    if p.applied_at.is_some() {
        return Err(already_confirmed());
    }
    if p.created_at + TTL < super::now() {
        return Err(Error::Conflict(Msg::new(
            "预览已超过一天，请重新上传文件检查。",
            "This preview is more than a day old; upload the file again.",
        )));
    }
    tx.execute(
        "UPDATE roll_imports SET state = 'applying', deactivate_missing = ?2, staged = 0, to_stage = 0,
           message_zh = '', message_en = '' WHERE id = ?1",
        params![id, deactivate_missing],
    )?;
    Ok(Claim::Started)
}

pub fn progress(tx: &Transaction, id: i64, staged: usize, total: usize) -> Result<(), Error> {
    tx.prepare_cached("UPDATE roll_imports SET staged = ?2, to_stage = ?3 WHERE id = ?1")?
        .execute(params![id, staged as i64, total as i64])?;
    Ok(())
}

/// In the import's last transaction: applied, with what it did.
pub fn mark_applied(tx: &Transaction, id: i64, summary: &str) -> Result<(), Error> {
    let n = tx.execute(
        "UPDATE roll_imports SET applied_at = ?2, summary = ?3, state = 'applied'
         WHERE id = ?1 AND state = 'applying'",
        params![id, super::now(), summary],
    )?;
    if n != 1 {
        return Err(already_confirmed());
    }
    Ok(())
}

/// After the import's last transaction: the parsed roll is of no more use
/// (and is personal data), so it goes, in a transaction of its own.
pub fn drop_payload(tx: &Transaction, id: i64) -> Result<(), Error> {
    tx.execute(
        "DELETE FROM roll_import_payloads WHERE import_id = ?1",
        [id],
    )?;
    Ok(())
}

/// The attempt did not apply: the preview can be confirmed again; `m` says why.
pub fn failed(tx: &Transaction, id: i64, m: &Msg) -> Result<(), Error> {
    tx.execute(
        "UPDATE roll_imports SET state = 'preview', message_zh = ?2, message_en = ?3
         WHERE id = ?1 AND state = 'applying'",
        params![id, m.zh, m.en],
    )?;
    Ok(())
}

/// At start-up: previews a previous run was applying did not apply.
pub fn interrupted(tx: &Transaction) -> Result<(), Error> {
    tx.execute(
        "UPDATE roll_imports SET state = 'preview',
           message_zh = '服务器在导入过程中重启，导入没有完成，什么也没有写入。请再次确认导入。',
           message_en = 'The server restarted during the import; it did not finish and nothing was written. Please confirm again.'
         WHERE state = 'applying'",
        [],
    )?;
    Ok(())
}
