//! Background imports of Pabulib files: one row per import, which the
//! committee follows on a progress page. The round it writes stays hidden
//! until its last transaction, so a failed or interrupted import leaves
//! nothing visible (and is then removed in short transactions).

use crate::domain::Msg;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Counting,
    Writing,
    Done,
    Failed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Counting => "counting",
            State::Writing => "writing",
            State::Done => "done",
            State::Failed => "failed",
        }
    }
    fn parse(s: &str) -> State {
        match s {
            "counting" => State::Counting,
            "writing" => State::Writing,
            "done" => State::Done,
            _ => State::Failed,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Import {
    pub id: i64,
    pub community_id: i64,
    pub state: State,
    pub file_name: String,
    pub rule: String,
    pub voters: i64,
    pub written: i64,
    pub round_id: Option<i64>,
    pub message: Option<Msg>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const COLS: &str = "id, community_id, state, file_name, rule, voters, written, round_id, message_zh, message_en, created_at, finished_at";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Import> {
    let state: String = r.get(2)?;
    let (zh, en): (String, String) = (r.get(8)?, r.get(9)?);
    Ok(Import {
        id: r.get(0)?,
        community_id: r.get(1)?,
        state: State::parse(&state),
        file_name: r.get(3)?,
        rule: r.get(4)?,
        voters: r.get(5)?,
        written: r.get(6)?,
        round_id: r.get(7)?,
        message: (!zh.is_empty()).then(|| Msg::new(zh, en)),
        created_at: r.get(10)?,
        finished_at: r.get(11)?,
    })
}

pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Import, Error> {
    conn.prepare_cached(&format!(
        "SELECT {COLS} FROM round_imports WHERE id = ?1 AND community_id = ?2"
    ))?
    .query_row(params![id, community_id], from_row)
    .optional()?
    .ok_or(Error::NotFound)
}

/// The refusal when a form's key comes back with another file or rule.
pub fn key_reused() -> Error {
    Error::Conflict(Msg::new(
        "这个导入表单已经用来导入过另一个文件。请回到公益创投页面重新打开导入表单。",
        "This import form was already used for another file. Go back to the rounds page and open the import form again.",
    ))
}

/// The import made from this form's key, if any: (id, file SHA-256, rule).
pub fn by_key(
    conn: &Connection,
    community_id: i64,
    key: &str,
) -> Result<Option<(i64, String, String)>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT id, file_sha256, rule FROM round_imports WHERE community_id = ?1 AND key = ?2",
        )?
        .query_row(params![community_id, key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// What is being imported, from which form.
pub struct NewImport<'a> {
    pub key: &'a str,
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub rule: &'a str,
    pub voters: i64,
    pub by: i64,
}

/// The import for this form's key, or a new one. `Err(id)`: the key was
/// used already for the same file and rule (a retry), and that import is
/// the answer; the same key with another file is refused.
pub fn begin(
    tx: &Transaction,
    community_id: i64,
    n: &NewImport,
) -> Result<Result<i64, i64>, Error> {
    let existing = by_key(tx, community_id, n.key)?;
    if let Some((id, sha, rule)) = existing {
        if sha != n.file_sha256 || rule != n.rule {
            return Err(key_reused());
        }
        return Ok(Err(id));
    }
    tx.execute(
        "INSERT INTO round_imports (community_id, key, state, file_name, file_sha256, rule, voters, created_by, created_at)
         VALUES (?1, ?2, 'counting', ?3, ?4, ?5, ?6, ?7, ?8)",
        params![community_id, n.key, n.file_name, n.file_sha256, n.rule, n.voters, n.by, super::now()],
    )?;
    Ok(Ok(tx.last_insert_rowid()))
}

pub fn writing(tx: &Transaction, id: i64, round: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE round_imports SET state = 'writing', round_id = ?2 WHERE id = ?1",
        params![id, round],
    )?;
    Ok(())
}

pub fn progress(tx: &Transaction, id: i64, written: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE round_imports SET written = ?2 WHERE id = ?1",
        params![id, written],
    )?;
    Ok(())
}

pub fn done(tx: &Transaction, id: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE round_imports SET state = 'done', finished_at = ?2 WHERE id = ?1",
        params![id, super::now()],
    )?;
    Ok(())
}

/// Marks an import failed with what to tell the committee; returns the
/// staged round to remove, if any.
pub fn failed(tx: &Transaction, id: i64, m: &Msg) -> Result<Option<i64>, Error> {
    let round: Option<i64> = tx
        .query_row(
            "SELECT round_id FROM round_imports WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    tx.execute(
        "UPDATE round_imports SET state = 'failed', round_id = NULL, message_zh = ?2, message_en = ?3,
           finished_at = ?4 WHERE id = ?1",
        params![id, m.zh, m.en, super::now()],
    )?;
    Ok(round)
}

/// At start-up: imports a previous run left unfinished are failed (their
/// staged rounds are returned for removal). Nothing of them was visible.
pub fn fail_unfinished(tx: &Transaction) -> Result<Vec<i64>, Error> {
    let ids: Vec<i64> = tx
        .prepare("SELECT id FROM round_imports WHERE state IN ('counting', 'writing')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let m = Msg::new(
        "服务器在导入过程中重启，导入没有完成，什么也没有保存。请重新导入。",
        "The server restarted during the import; it did not finish and nothing was saved. Please import again.",
    );
    let mut rounds = Vec::new();
    for id in ids {
        rounds.extend(failed(tx, id, &m)?);
    }
    // Staged rounds whose import row is gone or failed earlier.
    let orphans: Vec<i64> = tx
        .prepare("SELECT id FROM rounds WHERE imported = 2")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for r in orphans {
        if !rounds.contains(&r) {
            rounds.push(r);
        }
    }
    Ok(rounds)
}
