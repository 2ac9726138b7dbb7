//! Server-side sessions. The cookie holds a random token; SQLite holds only
//! its SHA-256, so a copy of the database logs nobody in. Each session has
//! its own CSRF token, made with it: a form from before a login does not
//! work after it.

use crate::error::Error;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

pub const TTL_SECONDS: i64 = 30 * 24 * 3600;

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates a session (with its own CSRF token) and returns the token for the cookie.
pub fn create(tx: &Transaction, account_id: i64) -> Result<String, Error> {
    let token = random_token();
    let now = super::now();
    tx.execute(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at, csrf) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash(&token), account_id, now, now + TTL_SECONDS, random_token()],
    )?;
    // Housekeeping: drop this account's expired sessions.
    tx.execute(
        "DELETE FROM sessions WHERE account_id = ?1 AND expires_at < ?2",
        params![account_id, now],
    )?;
    Ok(token)
}

pub struct Live {
    pub account_id: i64,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
}

/// The live session for a cookie's token, if any.
pub fn live(conn: &Connection, token: &str) -> Result<Option<Live>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT account_id, csrf FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
        )?
        .query_row(params![hash(token), super::now()], |r| {
            Ok(Live {
                account_id: r.get(0)?,
                csrf: r.get(1)?,
            })
        })
        .optional()?)
}

pub fn delete(tx: &Transaction, token: &str) -> Result<(), Error> {
    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [hash(token)])?;
    Ok(())
}

/// Logs an account out everywhere (after a password reset), except `keep`.
pub fn delete_all_for(tx: &Transaction, account_id: i64, keep: Option<&str>) -> Result<(), Error> {
    let keep = keep.map(hash).unwrap_or_default();
    tx.execute(
        "DELETE FROM sessions WHERE account_id = ?1 AND token_hash != ?2",
        params![account_id, keep],
    )?;
    Ok(())
}
