//! Accounts, their roles per community, and login bookkeeping.

use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Resident,
    Committee,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Committee => "committee",
            Role::Supervisor => "supervisor",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "resident" => Some(Role::Resident),
            "committee" => Some(Role::Committee),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub community_id: i64,
    pub slug: String,
    pub community_name: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub is_operator: bool,
    pub must_change_password: bool,
    pub resident_id: Option<i64>,
    pub memberships: Vec<Membership>,
}

impl Account {
    pub fn has_role(&self, community_id: i64, role: Role) -> bool {
        self.memberships
            .iter()
            .any(|m| m.community_id == community_id && m.role == role)
    }
    pub fn is_member(&self, community_id: i64) -> bool {
        self.memberships
            .iter()
            .any(|m| m.community_id == community_id)
    }
}

pub fn load(conn: &Connection, id: i64) -> Result<Option<Account>, Error> {
    let acc = conn
        .prepare_cached(
            "SELECT id, login, display_name, is_operator, must_change_password, resident_id
             FROM accounts WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Account {
                id: r.get(0)?,
                login: r.get(1)?,
                display_name: r.get(2)?,
                is_operator: r.get(3)?,
                must_change_password: r.get(4)?,
                resident_id: r.get(5)?,
                memberships: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut acc) = acc else { return Ok(None) };
    let mut stmt = conn.prepare_cached(
        "SELECT m.community_id, c.slug, c.name, m.role FROM memberships m
         JOIN communities c ON c.id = m.community_id WHERE m.account_id = ?1
         ORDER BY m.community_id, m.role",
    )?;
    acc.memberships = stmt
        .query_map([id], |r| {
            let role: String = r.get(3)?;
            Ok(Membership {
                community_id: r.get(0)?,
                slug: r.get(1)?,
                community_name: r.get(2)?,
                role: Role::parse(&role).unwrap_or(Role::Resident),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(acc))
}

pub struct LoginRecord {
    pub id: i64,
    pub password_hash: String,
    pub locked_until: i64,
}

pub fn for_login(conn: &Connection, login: &str) -> Result<Option<LoginRecord>, Error> {
    Ok(conn
        .prepare_cached("SELECT id, password_hash, locked_until FROM accounts WHERE login = ?1")?
        .query_row([login.trim()], |r| {
            Ok(LoginRecord {
                id: r.get(0)?,
                password_hash: r.get(1)?,
                locked_until: r.get(2)?,
            })
        })
        .optional()?)
}

pub fn password_hash(conn: &Connection, id: i64) -> Result<String, Error> {
    Ok(conn.query_row(
        "SELECT password_hash FROM accounts WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// After this many wrong passwords in a row an account is locked for a while.
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECONDS: i64 = 15 * 60;

/// Counts a wrong password; returns the lock end if this one locked the account.
pub fn record_failure(tx: &Transaction, id: i64) -> Result<Option<i64>, Error> {
    let failed: i64 = tx.query_row(
        "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins",
        [id],
        |r| r.get(0),
    )?;
    if failed >= MAX_FAILURES {
        let until = super::now() + LOCK_SECONDS;
        tx.execute(
            "UPDATE accounts SET failed_logins = 0, locked_until = ?2 WHERE id = ?1",
            params![id, until],
        )?;
        return Ok(Some(until));
    }
    Ok(None)
}

pub fn record_success(tx: &Transaction, id: i64) -> Result<(), Error> {
    tx.execute(
        "UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub struct NewAccount<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub resident_id: Option<i64>,
    pub is_operator: bool,
    pub must_change_password: bool,
}

pub fn create(tx: &Transaction, a: &NewAccount) -> Result<i64, Error> {
    tx.execute(
        "INSERT INTO accounts (login, display_name, password_hash, resident_id, is_operator,
           must_change_password, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            a.login.trim(),
            a.display_name,
            a.password_hash,
            a.resident_id,
            a.is_operator,
            a.must_change_password,
            super::now()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn login_taken(conn: &Connection, login: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM accounts WHERE login = ?1")?
        .exists([login.trim()])?)
}

pub fn set_password(tx: &Transaction, id: i64, hash: &str, must_change: bool) -> Result<(), Error> {
    tx.execute(
        "UPDATE accounts SET password_hash = ?2, must_change_password = ?3, failed_logins = 0,
         locked_until = 0 WHERE id = ?1",
        params![id, hash, must_change],
    )?;
    Ok(())
}

pub fn add_membership(
    tx: &Transaction,
    account_id: i64,
    community_id: i64,
    role: Role,
) -> Result<(), Error> {
    tx.execute(
        "INSERT OR IGNORE INTO memberships (account_id, community_id, role) VALUES (?1, ?2, ?3)",
        params![account_id, community_id, role.as_str()],
    )?;
    Ok(())
}

pub fn by_resident(conn: &Connection, resident_id: i64) -> Result<Option<(i64, String)>, Error> {
    Ok(conn
        .prepare_cached("SELECT id, login FROM accounts WHERE resident_id = ?1")?
        .query_row([resident_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

#[derive(Debug, Clone)]
pub struct StaffRow {
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub community_slug: String,
    pub community_name: String,
}

/// Committee and supervisor accounts across all communities, for the operator.
pub fn staff(conn: &Connection) -> Result<Vec<StaffRow>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.login, a.display_name, m.role, c.slug, c.name FROM memberships m
         JOIN accounts a ON a.id = m.account_id JOIN communities c ON c.id = m.community_id
         WHERE m.role IN ('committee', 'supervisor') ORDER BY c.id, m.role, a.login",
    )?;
    let v = stmt
        .query_map([], |r| {
            let role: String = r.get(3)?;
            Ok(StaffRow {
                account_id: r.get(0)?,
                login: r.get(1)?,
                display_name: r.get(2)?,
                role: Role::parse(&role).unwrap_or(Role::Committee),
                community_slug: r.get(4)?,
                community_name: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}
