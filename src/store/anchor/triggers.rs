//! The triggers made from [`super::tables`]: queueing what is published or
//! changed while published, and refusing in-place edits of what is frozen.
//! They are made again from the current schema every time the database is
//! opened, so a column added later is frozen too, and a trigger dropped
//! behind the server's back comes back.

use super::{Table, sql, tables};
use crate::error::Error;
use rusqlite::Connection;

fn columns(conn: &Connection, table: &str) -> Result<Vec<String>, Error> {
    let v = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(v)
}

fn queue(t: &Table, r: &str) -> String {
    format!(
        "INSERT OR IGNORE INTO anchor_queue (tbl, key) VALUES ('{}', {});",
        t.name,
        t.key_json(r)
    )
}

fn raise(what: &str) -> String {
    format!(
        "SELECT RAISE(ABORT, 'published: {what} cannot change in place; publish a correction instead');"
    )
}

/// Every trigger's SQL, in order.
pub fn statements(conn: &Connection) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for t in tables::TABLES {
        let name = t.name;
        let p_new = sql(t.published, "NEW");
        let p_old = sql(t.published, "OLD");
        out.push(format!(
            "CREATE TRIGGER anchor_{name}_insert AFTER INSERT ON {name} WHEN {p_new}
             BEGIN {} END",
            queue(t, "NEW")
        ));
        out.push(format!(
            "CREATE TRIGGER anchor_{name}_update AFTER UPDATE ON {name} WHEN {p_new}
             BEGIN {} END",
            queue(t, "NEW")
        ));
        let frozen: Vec<String> = columns(conn, name)?
            .into_iter()
            .filter(|c| !t.changing.contains(&c.as_str()))
            .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
            .collect();
        let changed = if frozen.is_empty() {
            "0".to_string()
        } else {
            frozen.join(" OR ")
        };
        out.push(format!(
            "CREATE TRIGGER frozen_{name}_update BEFORE UPDATE ON {name}
             WHEN {p_old} AND ({} OR {changed})
             BEGIN {} END",
            sql(t.sealed, "OLD"),
            raise(t.name)
        ));
        out.push(format!(
            "CREATE TRIGGER frozen_{name}_delete BEFORE DELETE ON {name} WHEN {p_old}
             BEGIN {} END",
            raise(t.name)
        ));
        if let Some((parent, fk)) = t.parent
            && let Some(pt) = super::table(parent)
        {
            out.push(format!(
                "CREATE TRIGGER anchor_{name}_with_{parent} AFTER UPDATE ON {parent}
                 WHEN NOT {} AND {}
                 BEGIN INSERT OR IGNORE INTO anchor_queue (tbl, key)
                   SELECT '{name}', {} FROM {name} AS c WHERE c.{fk} = NEW.id AND {}; END",
                sql(pt.published, "OLD"),
                sql(pt.published, "NEW"),
                t.key_json("c"),
                sql(t.published, "c"),
            ));
        }
    }
    for (owner, spelled) in tables::ATTACHMENT_OWNERS {
        let Some(pt) = super::table(owner) else {
            continue;
        };
        out.push(format!(
            "CREATE TRIGGER anchor_attachments_with_{owner} AFTER UPDATE ON {owner}
             WHEN NOT {} AND {}
             BEGIN INSERT OR IGNORE INTO anchor_queue (tbl, key)
               SELECT 'attachments', json_array(a.id) FROM attachments AS a WHERE a.owner = {spelled}; END",
            sql(pt.published, "OLD"),
            sql(pt.published, "NEW"),
        ));
    }
    for (name, sealed) in tables::HASHED {
        for (when, row) in [("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")] {
            let lower = when.to_lowercase();
            out.push(format!(
                "CREATE TRIGGER frozen_{name}_{lower} BEFORE {when} ON {name} WHEN {}
                 BEGIN {} END",
                sql(sealed, row),
                raise(name)
            ));
        }
    }
    Ok(out)
}

/// The guards the migrations made, made again if someone dropped them.
const KEPT: &str = r#"
CREATE TRIGGER IF NOT EXISTS ledger_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS disclosure_published_frozen BEFORE UPDATE ON disclosure_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a published disclosure revision cannot change'); END;
CREATE TRIGGER IF NOT EXISTS disclosure_published_kept BEFORE DELETE ON disclosure_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a published disclosure revision cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS minutes_published_frozen BEFORE UPDATE ON minutes_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'published minutes cannot change'); END;
CREATE TRIGGER IF NOT EXISTS minutes_published_kept BEFORE DELETE ON minutes_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'published minutes cannot be deleted'); END;
-- An elevator vote's shares are computed from floors: freeze the unit's
-- floors into its cost table as the vote opens (before the row becomes
-- published and frozen), so a later roll edit cannot move a published share.
CREATE TRIGGER IF NOT EXISTS vote_elevator_floors_at_opening BEFORE UPDATE OF status ON votes
WHEN OLD.status = 'draft' AND NEW.status != 'draft'
BEGIN
    -- No ORDER BY inside the aggregate: older SQLite (a supervisor's own
    -- sqlite3 or Python) could not read the schema. Readers sort by floor.
    UPDATE vote_elevator SET floors = (
        SELECT json_group_array(json(f)) FROM (
            SELECT json_array(b.number || '-' || u.number || '-' || d.number, d.floor) AS f
            FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
            WHERE d.unit_id = NEW.scope_id ORDER BY d.floor, d.number))
    WHERE vote_id = NEW.id AND NEW.scope_kind = 'unit';
END;
CREATE TRIGGER IF NOT EXISTS memberships_powers_apart_insert BEFORE INSERT ON memberships
WHEN (NEW.role = 'supervisor' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'committee'))
  OR (NEW.role = 'committee' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'supervisor'))
BEGIN
    SELECT RAISE(ABORT, 'separation of powers: committee and supervision committee at once (villagers committees law art. 32)');
END;
CREATE TRIGGER IF NOT EXISTS memberships_powers_apart_update BEFORE UPDATE ON memberships
WHEN (NEW.role = 'supervisor' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'committee'
          AND m.rowid != OLD.rowid))
  OR (NEW.role = 'committee' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'supervisor'
          AND m.rowid != OLD.rowid))
BEGIN
    SELECT RAISE(ABORT, 'separation of powers: committee and supervision committee at once (villagers committees law art. 32)');
END;
"#;

/// Drops and makes again every anchoring and freezing trigger, and makes
/// again any guard of the migrations that was dropped.
pub fn install(conn: &Connection) -> Result<(), Error> {
    conn.execute_batch(KEPT)?;
    let old: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'
               AND (name GLOB 'anchor_*' OR name GLOB 'frozen_*')",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in old {
        conn.execute_batch(&format!("DROP TRIGGER IF EXISTS \"{name}\";"))?;
    }
    for s in statements(conn)? {
        conn.execute_batch(&s)?;
    }
    Ok(())
}
