//! One-time activation codes. Only a hash is stored; the code itself exists on
//! the printed slip and nowhere else.

use crate::domain::code::{ActivationCode, LEN};
use crate::error::Error;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

pub fn hash(code: &ActivationCode) -> Vec<u8> {
    Sha256::digest(code.as_str().as_bytes()).to_vec()
}

/// What a code is for: a first activation, or the reset of an existing
/// account's password, with the committee's stated reason.
#[derive(Debug, Clone, Copy)]
pub enum Purpose<'a> {
    Activate,
    Reset { account_id: i64, reason: &'a str },
}

/// Issues a fresh code for each resident, revoking their earlier unused codes.
pub fn issue(
    tx: &Transaction,
    community_id: i64,
    resident_ids: &[i64],
    created_by: i64,
    expires_at: i64,
    purpose: Purpose,
) -> Result<Vec<(i64, ActivationCode)>, Error> {
    let (account_id, reason) = match purpose {
        Purpose::Activate => (None, ""),
        Purpose::Reset { account_id, reason } => (Some(account_id), reason),
    };
    let now = super::now();
    let mut out = Vec::with_capacity(resident_ids.len());
    let mut revoke = tx.prepare_cached(
        "UPDATE activation_codes SET revoked_at = ?2
         WHERE resident_id = ?1 AND used_at IS NULL AND revoked_at IS NULL",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO activation_codes (community_id, resident_id, code_hash, created_by, created_at, expires_at,
           account_id, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for &rid in resident_ids {
        revoke.execute(params![rid, now])?;
        loop {
            let mut b = [0u8; LEN];
            rand::rng().fill_bytes(&mut b);
            let code = ActivationCode::from_random(b);
            match insert.execute(params![
                community_id,
                rid,
                hash(&code),
                created_by,
                now,
                expires_at,
                account_id,
                reason
            ]) {
                Ok(_) => {
                    out.push((rid, code));
                    break;
                }
                // A collision with an earlier code: draw again.
                Err(e) if super::is_constraint(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(out)
}

#[derive(Debug)]
pub struct CodeRow {
    pub id: i64,
    pub community_id: i64,
    pub resident_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    /// Set when the code was issued to reset this existing account.
    pub account_id: Option<i64>,
    pub reason: String,
}

pub fn find(tx: &Transaction, code: &ActivationCode) -> Result<Option<CodeRow>, Error> {
    Ok(tx
        .prepare_cached(
            "SELECT id, community_id, resident_id, expires_at, used_at, revoked_at, created_by,
               created_at, account_id, reason
             FROM activation_codes WHERE code_hash = ?1",
        )?
        .query_row([hash(code)], |r| {
            Ok(CodeRow {
                id: r.get(0)?,
                community_id: r.get(1)?,
                resident_id: r.get(2)?,
                expires_at: r.get(3)?,
                used_at: r.get(4)?,
                revoked_at: r.get(5)?,
                created_by: r.get(6)?,
                created_at: r.get(7)?,
                account_id: r.get(8)?,
                reason: r.get(9)?,
            })
        })
        .optional()?)
}

pub fn mark_used(tx: &Transaction, id: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE activation_codes SET used_at = ?2 WHERE id = ?1",
        params![id, super::now()],
    )?;
    Ok(())
}

/// A code issued to reset an existing account, for the supervisors' desk.
#[derive(Debug, Clone)]
pub struct Reissue {
    pub at: i64,
    pub by_name: String,
    pub by_login: String,
    pub account_login: String,
    pub resident_name: String,
    pub reason: String,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub expires_at: i64,
}

/// A community's latest codes issued for residents who already had an
/// account, newest first.
pub fn recent_reissues(
    conn: &Connection,
    community_id: i64,
    limit: i64,
) -> Result<Vec<Reissue>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.created_at, b.display_name, b.login, a.login, r.name, k.reason, k.used_at, k.revoked_at,
                k.expires_at
         FROM activation_codes k JOIN accounts a ON a.id = k.account_id
         JOIN residents r ON r.id = k.resident_id
         LEFT JOIN accounts b ON b.id = k.created_by
         WHERE k.community_id = ?1 AND k.account_id IS NOT NULL
         ORDER BY k.id DESC LIMIT ?2",
    )?;
    let v = stmt
        .query_map(params![community_id, limit], |r| {
            Ok(Reissue {
                at: r.get(0)?,
                by_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                by_login: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                account_login: r.get(3)?,
                resident_name: r.get(4)?,
                reason: r.get(5)?,
                used_at: r.get(6)?,
                revoked_at: r.get(7)?,
                expires_at: r.get(8)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Test and demo helper: make a code expire now.
pub fn expire(tx: &Transaction, code: &ActivationCode) -> Result<(), Error> {
    tx.execute(
        "UPDATE activation_codes SET expires_at = ?2 WHERE code_hash = ?1",
        params![hash(code), super::now() - 1],
    )?;
    Ok(())
}
