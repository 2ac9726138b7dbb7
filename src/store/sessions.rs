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

/// How a session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// By logging in with the password.
    Login,
    /// By using an activation code (a first activation, or a reset by code):
    /// whoever held the slip, not necessarily the account's owner.
    Code,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::Code => "code",
        }
    }
    pub fn parse(s: &str) -> Kind {
        if s == "code" { Kind::Code } else { Kind::Login }
    }
}

/// Creates a session (with its own CSRF token) and returns the token for the cookie.
pub fn create(tx: &Transaction, account_id: i64, kind: Kind) -> Result<String, Error> {
    let token = random_token();
    let now = super::now();
    tx.execute(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at, csrf, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![hash(&token), account_id, now, now + TTL_SECONDS, random_token(), kind.as_str()],
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
    pub kind: Kind,
    /// Unix seconds; the session is not live from then on.
    pub expires_at: i64,
}

/// The live session for a cookie's token, if any.
pub fn live(conn: &Connection, token: &str) -> Result<Option<Live>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT account_id, csrf, kind, expires_at FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
        )?
        .query_row(params![hash(token), super::now()], |r| {
            Ok(Live {
                account_id: r.get(0)?,
                csrf: r.get(1)?,
                kind: Kind::parse(&r.get::<_, String>(2)?),
                expires_at: r.get(3)?,
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

/// How long a device's mark lasts after its last password login.
pub const MARK_TTL_SECONDS: i64 = 365 * 24 * 3600;

/// Whether the device mark `token` (the cookie of a browser that has logged
/// in with a password before) belongs to the account named `login`.
pub fn mark_known(conn: &Connection, token: &str, login: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM login_marks m JOIN accounts a ON a.id = m.account_id
             WHERE m.token_hash = ?1 AND a.login = ?2 AND m.expires_at > ?3",
        )?
        .exists(params![hash(token), login.trim(), super::now()])?)
}

/// Marks this device as one that has logged in to `account_id` with its
/// password: the token of its mark cookie if it has one, else a new one.
/// Returns the token for the cookie.
pub fn mark_device(
    tx: &Transaction,
    account_id: i64,
    existing: Option<&str>,
) -> Result<String, Error> {
    let token = existing
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .unwrap_or_else(random_token);
    let now = super::now();
    tx.execute(
        "INSERT INTO login_marks (token_hash, account_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (token_hash, account_id) DO UPDATE SET expires_at = excluded.expires_at",
        params![hash(&token), account_id, now, now + MARK_TTL_SECONDS],
    )?;
    tx.execute(
        "DELETE FROM login_marks WHERE account_id = ?1 AND expires_at < ?2",
        params![account_id, now],
    )?;
    Ok(token)
}

/// Forgets every device that has logged in to the account (its password changed).
pub fn forget_devices(tx: &Transaction, account_id: i64) -> Result<(), Error> {
    tx.execute(
        "DELETE FROM login_marks WHERE account_id = ?1",
        [account_id],
    )?;
    Ok(())
}
