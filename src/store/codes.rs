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

/// Issues a fresh code for each resident, revoking their earlier unused
/// codes. `created_ip` is the issuing committee member's address, kept so
/// the supervisors can compare it with the address that uses the code.
pub fn issue(
    tx: &Transaction,
    community_id: i64,
    resident_ids: &[i64],
    created_by: i64,
    created_ip: &str,
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
           account_id, reason, created_ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
                reason,
                created_ip
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

pub fn find(conn: &Connection, code: &ActivationCode) -> Result<Option<CodeRow>, Error> {
    Ok(conn
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

/// The code was used, from `ip`.
pub fn mark_used(tx: &Transaction, id: i64, ip: &str) -> Result<(), Error> {
    tx.execute(
        "UPDATE activation_codes SET used_at = ?2, used_ip = ?3 WHERE id = ?1",
        params![id, super::now(), ip],
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

/// A first activation (a code for a resident without an account, used),
/// for the supervisors' desk.
#[derive(Debug, Clone)]
pub struct Activation {
    pub resident_name: String,
    /// The account it created (None if it has since gone).
    pub account_login: Option<String>,
    pub by_name: String,
    pub by_login: String,
    pub issued_at: i64,
    pub used_at: i64,
    /// The issuing committee member's address when issuing, and the
    /// address that used the code (None for rows from before M012 that the
    /// audit log could not place).
    pub issued_ip: Option<String>,
    pub used_ip: Option<String>,
}

/// A community's latest first activations, newest first.
pub fn recent_activations(
    conn: &Connection,
    community_id: i64,
    limit: i64,
) -> Result<Vec<Activation>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.name, a.login, b.display_name, b.login, k.created_at, k.used_at, k.created_ip, k.used_ip
         FROM activation_codes k JOIN residents r ON r.id = k.resident_id
         LEFT JOIN accounts a ON a.resident_id = k.resident_id
         LEFT JOIN accounts b ON b.id = k.created_by
         WHERE k.community_id = ?1 AND k.account_id IS NULL AND k.used_at IS NOT NULL
         ORDER BY k.used_at DESC, k.id DESC LIMIT ?2",
    )?;
    let v = stmt
        .query_map(params![community_id, limit], |r| {
            Ok(Activation {
                resident_name: r.get(0)?,
                account_login: r.get(1)?,
                by_name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                by_login: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                issued_at: r.get(4)?,
                used_at: r.get(5)?,
                issued_ip: r.get(6)?,
                used_ip: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Every address from which a committee member of the community did
/// anything, as the audit log has them. (An `auth.reset` row is the issuer's
/// act but carries the address of whoever used the code: left out.)
pub fn committee_addresses(conn: &Connection, community_id: i64) -> Result<Vec<String>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT l.ip FROM audit_log l
         WHERE l.community_id = ?1 AND l.action != 'auth.reset' AND l.account_id IN
           (SELECT m.account_id FROM memberships m WHERE m.community_id = ?1 AND m.role = 'committee')",
    )?;
    let v = stmt
        .query_map([community_id], |r| r.get(0))?
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

/// The name, community and community slug of the resident a code is for.
pub fn resident_of(conn: &Connection, resident_id: i64) -> Result<(String, i64, String), Error> {
    Ok(conn
        .prepare_cached(
            "SELECT r.name, r.community_id, c.slug FROM residents r JOIN communities c ON c.id = r.community_id
             WHERE r.id = ?1",
        )?
        .query_row([resident_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}
