//! Accounts, their roles per community, and login bookkeeping.

use crate::domain::Msg;
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
}

pub fn for_login(conn: &Connection, login: &str) -> Result<Option<LoginRecord>, Error> {
    Ok(conn
        .prepare_cached("SELECT id, password_hash FROM accounts WHERE login = ?1")?
        .query_row([login.trim()], |r| {
            Ok(LoginRecord {
                id: r.get(0)?,
                password_hash: r.get(1)?,
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
    // A device that logged in with the old password is no longer known.
    super::sessions::forget_devices(tx, id)?;
    Ok(())
}

/// The words for a refused overlap of powers (村民委员会组织法 art. 32).
pub fn powers_apart(adding: Role) -> Msg {
    match adding {
        Role::Supervisor => Msg::new(
            "这个账户已是该社区居委会/村委会成员，不能同时担任监督委员会成员（村民委员会组织法第三十二条）",
            "This account is already on this community's committee, so it cannot also sit on its supervision committee (Organic Law of Villagers Committees, art. 32)",
        ),
        _ => Msg::new(
            "这个账户已是该社区监督委员会成员，不能同时担任居委会/村委会成员（村民委员会组织法第三十二条）",
            "This account already sits on this community's supervision committee, so it cannot also be on its committee (Organic Law of Villagers Committees, art. 32)",
        ),
    }
}

/// The role that may never be held together with `role` in one community.
fn incompatible(role: Role) -> Option<Role> {
    match role {
        Role::Committee => Some(Role::Supervisor),
        Role::Supervisor => Some(Role::Committee),
        Role::Resident => None,
    }
}

/// Gives an account a role in a community (nothing if it has it already).
/// Refuses, with `Error::Conflict`, a committee member on the supervision
/// committee of the same community or the other way round; the database
/// refuses it too (trigger in M011).
pub fn add_membership(
    tx: &Transaction,
    account_id: i64,
    community_id: i64,
    role: Role,
) -> Result<(), Error> {
    if let Some(other) = incompatible(role) {
        let clash = tx
            .prepare_cached(
                "SELECT 1 FROM memberships WHERE account_id = ?1 AND community_id = ?2 AND role = ?3",
            )?
            .exists(params![account_id, community_id, other.as_str()])?;
        if clash {
            return Err(Error::Conflict(powers_apart(role)));
        }
    }
    match tx.execute(
        "INSERT OR IGNORE INTO memberships (account_id, community_id, role) VALUES (?1, ?2, ?3)",
        params![account_id, community_id, role.as_str()],
    ) {
        Ok(_) => Ok(()),
        Err(e) if super::is_constraint(&e) => Err(Error::Conflict(powers_apart(role))),
        Err(e) => Err(e.into()),
    }
}

impl Account {
    /// Committee or supervisor anywhere, or the operator: an account that
    /// only the operator may reset, never an activation code.
    pub fn holds_office(&self) -> bool {
        self.is_operator
            || self
                .memberships
                .iter()
                .any(|m| matches!(m.role, Role::Committee | Role::Supervisor))
    }
}

/// Who caused a password reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetBy {
    /// The committee, by issuing an activation code that was then used; of
    /// a village or not (None where the community is not known).
    Committee { village: Option<bool> },
    /// The operator, on the operator's page.
    Operator,
}

impl ResetBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ResetBy::Committee { .. } => "committee",
            ResetBy::Operator => "operator",
        }
    }
    /// Who reset, in words: the committee named by its community's kind
    /// (村委会 in a village, 居委会 in a compound), or the operator.
    pub fn words(self) -> (&'static str, &'static str) {
        let w = match self {
            ResetBy::Committee { village } => teahouse_words::roles::committee(village),
            ResetBy::Operator => teahouse_words::roles::OPERATOR,
        };
        (w.zh, w.en)
    }
}

pub struct NewReset<'a> {
    pub account_id: i64,
    pub community_id: Option<i64>,
    pub by_account_id: Option<i64>,
    pub by: ResetBy,
    pub reason: &'a str,
    pub code_id: Option<i64>,
    /// The address the reset came from (who used the code, or the operator).
    pub used_ip: &'a str,
}

/// Records a password reset as the act of whoever caused it.
pub fn record_reset(tx: &Transaction, r: &NewReset) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO password_resets (account_id, community_id, by_account_id, by_role, reason, code_id, at, used_ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            r.account_id,
            r.community_id,
            r.by_account_id,
            r.by.as_str(),
            r.reason,
            r.code_id,
            super::now(),
            r.used_ip
        ],
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Reset {
    pub id: i64,
    pub at: i64,
    pub by: ResetBy,
    /// The display name and login of whoever caused it.
    pub by_name: String,
    pub by_login: String,
    pub reason: String,
    /// The account that was reset.
    pub account_login: String,
    pub account_name: String,
    pub tz: String,
    /// Where the reset came from (who used the code, or the operator), and
    /// for a reset by code, where the committee member issued it from.
    pub used_ip: Option<String>,
    pub issued_ip: Option<String>,
    /// The owner's acknowledgement: when, from which kind of session
    /// (`None` for one recorded before sessions had kinds), from where.
    pub seen: Option<Seen>,
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub at: i64,
    pub kind: Option<super::sessions::Kind>,
    pub ip: Option<String>,
}

fn reset_from(r: &rusqlite::Row) -> rusqlite::Result<Reset> {
    let by: String = r.get(2)?;
    Ok(Reset {
        id: r.get(0)?,
        at: r.get(1)?,
        by: if by == "operator" {
            ResetBy::Operator
        } else {
            ResetBy::Committee {
                village: r.get::<_, Option<String>>(14)?.map(|k| k == "village"),
            }
        },
        by_name: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        by_login: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        reason: r.get(5)?,
        account_login: r.get(6)?,
        account_name: r.get(7)?,
        tz: r
            .get::<_, Option<String>>(8)?
            .unwrap_or_else(|| "Asia/Shanghai".into()),
        used_ip: r.get(9)?,
        issued_ip: r.get(10)?,
        seen: match r.get::<_, Option<i64>>(11)? {
            Some(at) => Some(Seen {
                at,
                kind: r
                    .get::<_, Option<String>>(12)?
                    .map(|k| super::sessions::Kind::parse(&k)),
                ip: r.get(13)?,
            }),
            None => None,
        },
    })
}

const RESET_COLUMNS: &str =
    "p.id, p.at, p.by_role, b.display_name, b.login, p.reason, a.login, a.display_name, c.tz,
     p.used_ip, k.created_ip, p.seen_at, p.seen_kind, p.seen_ip, c.kind
     FROM password_resets p JOIN accounts a ON a.id = p.account_id
     LEFT JOIN accounts b ON b.id = p.by_account_id
     LEFT JOIN communities c ON c.id = p.community_id
     LEFT JOIN activation_codes k ON k.id = p.code_id";

/// Resets of this account its owner has not yet acknowledged, oldest first.
pub fn unseen_resets(conn: &Connection, account_id: i64) -> Result<Vec<Reset>, Error> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RESET_COLUMNS} WHERE p.account_id = ?1 AND p.seen_at IS NULL ORDER BY p.id"
    ))?;
    let v = stmt
        .query_map([account_id], reset_from)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Every reset of this account, newest first: the history its owner always
/// sees, acknowledged or not.
pub fn resets_of(conn: &Connection, account_id: i64) -> Result<Vec<Reset>, Error> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RESET_COLUMNS} WHERE p.account_id = ?1 ORDER BY p.id DESC"
    ))?;
    let v = stmt
        .query_map([account_id], reset_from)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// The owner has read the notice of these resets, in a session of `kind`
/// from `ip` (the caller refuses sessions opened by a code).
pub fn mark_resets_seen(
    tx: &Transaction,
    account_id: i64,
    kind: super::sessions::Kind,
    ip: &str,
) -> Result<usize, Error> {
    Ok(tx.execute(
        "UPDATE password_resets SET seen_at = ?2, seen_kind = ?3, seen_ip = ?4
         WHERE account_id = ?1 AND seen_at IS NULL",
        params![account_id, super::now(), kind.as_str(), ip],
    )?)
}

/// A community's latest password resets, newest first, for the supervisors.
pub fn recent_resets(
    conn: &Connection,
    community_id: i64,
    limit: i64,
) -> Result<Vec<Reset>, Error> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RESET_COLUMNS} WHERE p.community_id = ?1 ORDER BY p.id DESC LIMIT ?2"
    ))?;
    let v = stmt
        .query_map(params![community_id, limit], reset_from)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "foreign_keys", "ON").unwrap();
        crate::store::migrations::run(&mut c).unwrap();
        c.execute(
            "INSERT INTO communities (slug, name, kind, created_at) VALUES ('c', 'C', 'village', 0)",
            [],
        )
        .unwrap();
        c
    }

    fn account(tx: &Transaction, login: &str) -> i64 {
        create(
            tx,
            &NewAccount {
                login,
                display_name: login,
                password_hash: "x",
                resident_id: None,
                is_operator: false,
                must_change_password: false,
            },
        )
        .unwrap()
    }

    #[test]
    fn committee_and_supervisor_stay_apart() {
        let mut c = db();
        let tx = c.transaction().unwrap();
        let a = account(&tx, "aaa");
        add_membership(&tx, a, 1, Role::Committee).unwrap();
        add_membership(&tx, a, 1, Role::Committee).unwrap(); // again: nothing
        add_membership(&tx, a, 1, Role::Resident).unwrap();
        match add_membership(&tx, a, 1, Role::Supervisor) {
            Err(Error::Conflict(m)) => assert!(m.zh.contains("第三十二条")),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let b = account(&tx, "bbb");
        add_membership(&tx, b, 1, Role::Supervisor).unwrap();
        assert!(matches!(
            add_membership(&tx, b, 1, Role::Committee),
            Err(Error::Conflict(_))
        ));
        let n: i64 = tx
            .query_row("SELECT count(*) FROM memberships", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3, "nothing written for the refused ones");
    }

    #[test]
    fn the_database_refuses_the_overlap_by_itself() {
        let mut c = db();
        let tx = c.transaction().unwrap();
        let a = account(&tx, "aaa");
        tx.execute(
            "INSERT INTO memberships (account_id, community_id, role) VALUES (?1, 1, 'supervisor')",
            [a],
        )
        .unwrap();
        for sql in [
            "INSERT INTO memberships (account_id, community_id, role) VALUES (?1, 1, 'committee')",
            "INSERT OR IGNORE INTO memberships (account_id, community_id, role) VALUES (?1, 1, 'committee')",
            "INSERT OR REPLACE INTO memberships (account_id, community_id, role) VALUES (?1, 1, 'committee')",
        ] {
            let e = tx.execute(sql, [a]).unwrap_err();
            assert!(crate::store::is_constraint(&e), "{sql}: {e}");
        }
        tx.execute(
            "INSERT INTO memberships (account_id, community_id, role) VALUES (?1, 1, 'resident')",
            [a],
        )
        .unwrap();
        let e = tx
            .execute(
                "UPDATE memberships SET role = 'committee' WHERE account_id = ?1 AND role = 'resident'",
                [a],
            )
            .unwrap_err();
        assert!(crate::store::is_constraint(&e), "{e}");
    }

    #[test]
    fn resets_are_told_once_acknowledged() {
        let mut c = db();
        let tx = c.transaction().unwrap();
        let a = account(&tx, "owner");
        let b = account(&tx, "clerk");
        record_reset(
            &tx,
            &NewReset {
                account_id: a,
                community_id: Some(1),
                by_account_id: Some(b),
                by: ResetBy::Committee { village: None },
                reason: "forgot it",
                code_id: None,
                used_ip: "192.0.2.1",
            },
        )
        .unwrap();
        let u = unseen_resets(&tx, a).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(
            (u[0].by_login.as_str(), u[0].reason.as_str()),
            ("clerk", "forgot it")
        );
        assert_eq!(recent_resets(&tx, 1, 10).unwrap()[0].account_login, "owner");
        assert_eq!(
            mark_resets_seen(&tx, a, crate::store::sessions::Kind::Login, "192.0.2.9").unwrap(),
            1
        );
        assert!(unseen_resets(&tx, a).unwrap().is_empty());
        let h = resets_of(&tx, a).unwrap();
        assert_eq!(h.len(), 1, "the history keeps it");
        let seen = h[0].seen.as_ref().expect("acknowledged");
        assert_eq!(seen.kind, Some(crate::store::sessions::Kind::Login));
        assert_eq!(seen.ip.as_deref(), Some("192.0.2.9"));
        assert_eq!(h[0].used_ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(
            recent_resets(&tx, 1, 10).unwrap().len(),
            1,
            "still listed for the supervisors"
        );
    }
}
