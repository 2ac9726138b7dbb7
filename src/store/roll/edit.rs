//! Single entries edited in the UI: one resident updated or added. Each
//! counts as a change of the roll (see [`super::bump_version`]).

use super::yn;
use crate::domain::Msg;
use crate::domain::dwelling::DwellingLabel;
use crate::domain::roll::Field;
use crate::error::Error;
use rusqlite::{OptionalExtension, Transaction, params};

/// What a single-entry edit may change.
#[derive(Debug, Clone)]
pub struct ResidentEdit {
    pub name: String,
    pub phone: String,
    pub adult: bool,
    pub owner: bool,
    pub representative: bool,
    pub active: bool,
}

/// Why an edit was not made: a refusal about one of the form's inputs
/// (tagged where it is found, so the form puts it beside that input), or
/// the database's own error.
#[derive(Debug)]
pub enum EditError {
    Refused(Field, Msg),
    Db(Error),
}

impl From<Error> for EditError {
    fn from(e: Error) -> Self {
        EditError::Db(e)
    }
}

impl From<rusqlite::Error> for EditError {
    fn from(e: rusqlite::Error) -> Self {
        EditError::Db(e.into())
    }
}

impl From<EditError> for Error {
    fn from(e: EditError) -> Self {
        match e {
            EditError::Refused(_, m) => Error::Invalid(m),
            EditError::Db(e) => e,
        }
    }
}

/// Updates one resident; returns what changed, for the audit log. An owner
/// must live in a registered dwelling: they join its owning party.
pub fn update_resident(
    tx: &Transaction,
    community_id: i64,
    resident_id: i64,
    e: &ResidentEdit,
) -> Result<Vec<(String, String, String)>, EditError> {
    let (old_name, old_phone, old_adult, old_owner, old_rep, old_active, dwelling_owner): (
        String,
        String,
        bool,
        Option<i64>,
        bool,
        bool,
        Option<i64>,
    ) = tx
        .query_row(
            "SELECT r.name, r.phone, r.is_adult, r.owner_id, r.is_representative, r.active, d.owner_id
             FROM residents r JOIN households h ON h.id = r.household_id
             LEFT JOIN dwellings d ON d.id = h.dwelling_id
             WHERE r.id = ?1 AND r.community_id = ?2",
            params![resident_id, community_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    let owner_id = if e.owner {
        Some(dwelling_owner.ok_or_else(|| {
            EditError::Refused(
                Field::Owner,
                Msg::new(
                    "此居民没有登记房屋，不能设为业主",
                    "this resident has no registered dwelling, so cannot be an owner",
                ),
            )
        })?)
    } else {
        None
    };
    let mut changed = Vec::new();
    let mut diff = |f: &str, a: String, b: String| {
        if a != b {
            changed.push((f.to_string(), a, b));
        }
    };
    diff("姓名 name", old_name, e.name.clone());
    diff("电话 phone", old_phone, e.phone.clone());
    diff("成年 adult", yn(old_adult), yn(e.adult));
    diff(
        "业主 owner",
        yn(old_owner.is_some()),
        yn(owner_id.is_some()),
    );
    diff("村民代表 representative", yn(old_rep), yn(e.representative));
    diff("在册 active", yn(old_active), yn(e.active));
    tx.execute(
        "UPDATE residents SET name = ?2, phone = ?3, is_adult = ?4, owner_id = ?5, is_representative = ?6,
           active = ?7 WHERE id = ?1",
        params![resident_id, e.name, e.phone, e.adult, owner_id, e.representative, e.active],
    )?;
    if !changed.is_empty() {
        super::bump_version(tx, community_id)?;
    }
    Ok(changed)
}

/// Adds one resident to a household, named by its 户号 or by a dwelling
/// (3-2-501); a dwelling without a household gets one.
pub fn add_resident(
    tx: &Transaction,
    community_id: i64,
    key: &str,
    household: &str,
    e: &ResidentEdit,
) -> Result<i64, EditError> {
    let found: Option<(i64, Option<i64>)> = tx
        .query_row(
            "SELECT h.id, d.owner_id FROM households h LEFT JOIN dwellings d ON d.id = h.dwelling_id
             WHERE h.community_id = ?1 AND h.code = ?2",
            params![community_id, household.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (household_id, dwelling_owner) = match found {
        Some(x) => x,
        None => {
            let not_found = || {
                EditError::Refused(
                    Field::Household,
                    Msg::new(
                        format!("找不到户号或房屋“{}”", household.trim()),
                        format!("no household or dwelling \"{}\"", household.trim()),
                    ),
                )
            };
            let label = DwellingLabel::parse(household).map_err(|_| not_found())?;
            let (did, zone_id, owner): (i64, i64, Option<i64>) = tx
                .query_row(
                    "SELECT d.id, b.zone_id, d.owner_id FROM dwellings d JOIN units u ON u.id = d.unit_id
                     JOIN buildings b ON b.id = u.building_id
                     WHERE d.community_id = ?1 AND b.number = ?2 AND u.number = ?3 AND d.number = ?4",
                    params![community_id, label.building, label.unit, label.room],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(not_found)?;
            tx.execute(
                "INSERT INTO households (community_id, zone_id, code, dwelling_id) VALUES (?1, ?2, ?3, ?4)",
                params![community_id, zone_id, label.to_string(), did],
            )?;
            (tx.last_insert_rowid(), owner)
        }
    };
    let owner_id = if e.owner {
        Some(dwelling_owner.ok_or_else(|| {
            EditError::Refused(
                Field::Owner,
                Msg::new(
                    "这一户没有登记房屋，不能设为业主",
                    "this household has no registered dwelling, so nobody in it can be an owner",
                ),
            )
        })?)
    } else {
        None
    };
    tx.execute(
        "INSERT INTO residents (community_id, key, household_id, name, phone, is_adult, owner_id, is_representative)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![community_id, key.trim(), household_id, e.name, e.phone, e.adult, owner_id, e.representative],
    )
    .map_err(|err| {
        if crate::store::is_constraint(&err) {
            EditError::Refused(
                Field::Key,
                Msg::new(
                    format!("编号“{}”已被使用", key.trim()),
                    format!("id \"{}\" is already used", key.trim()),
                ),
            )
        } else {
            err.into()
        }
    })?;
    let id = tx.last_insert_rowid();
    super::bump_version(tx, community_id)?;
    Ok(id)
}
