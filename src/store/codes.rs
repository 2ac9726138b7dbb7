//! One-time activation codes. Only a hash is stored; the code itself exists on
//! the printed slip and nowhere else.

use crate::domain::code::{ActivationCode, LEN};
use crate::error::Error;
use rand::RngCore;
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

pub fn hash(code: &ActivationCode) -> Vec<u8> {
    Sha256::digest(code.as_str().as_bytes()).to_vec()
}

/// Issues a fresh code for each resident, revoking their earlier unused codes.
pub fn issue(
    tx: &Transaction,
    community_id: i64,
    resident_ids: &[i64],
    created_by: i64,
    expires_at: i64,
) -> Result<Vec<(i64, ActivationCode)>, Error> {
    let now = super::now();
    let mut out = Vec::with_capacity(resident_ids.len());
    let mut revoke = tx.prepare_cached(
        "UPDATE activation_codes SET revoked_at = ?2
         WHERE resident_id = ?1 AND used_at IS NULL AND revoked_at IS NULL",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO activation_codes (community_id, resident_id, code_hash, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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
                expires_at
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
}

pub fn find(tx: &Transaction, code: &ActivationCode) -> Result<Option<CodeRow>, Error> {
    Ok(tx
        .prepare_cached(
            "SELECT id, community_id, resident_id, expires_at, used_at, revoked_at
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

/// Test and demo helper: make a code expire now.
pub fn expire(tx: &Transaction, code: &ActivationCode) -> Result<(), Error> {
    tx.execute(
        "UPDATE activation_codes SET expires_at = ?2 WHERE code_hash = ?1",
        params![hash(code), super::now() - 1],
    )?;
    Ok(())
}
