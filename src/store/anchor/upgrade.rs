//! The migration that starts row documents: the queue the triggers fill,
//! and, for a database that already holds published records, one entry per
//! community and table anchoring them as they stand at the upgrade
//! (`ledger.upgraded`). Earlier entries are left exactly as they were and
//! keep being checked as before; nothing in the ledger is rewritten.

use super::{tables, verify};
use crate::error::Error;
use rusqlite::Transaction;
use rusqlite_migration::{HookError, M};
use serde_json::{Value, json};

const SQL: &str = r#"
CREATE TABLE anchor_queue (
    n INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    key TEXT NOT NULL,
    UNIQUE (tbl, key)
);
"#;

/// At most this many rows in one upgrade entry.
const CHUNK: usize = 500;

fn backfill(tx: &Transaction) -> Result<(), Error> {
    let communities: Vec<i64> = tx
        .prepare("SELECT id FROM communities ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for cid in communities {
        for t in tables::TABLES {
            // A table a later migration creates holds nothing yet: its rows
            // are anchored as they are written.
            let exists = tx
                .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
                .exists([t.name])?;
            if !exists {
                continue;
            }
            let docs = verify::current_docs(tx, t, cid)?;
            for chunk in docs.chunks(CHUNK) {
                let rows: Vec<Value> = chunk
                    .iter()
                    .map(|(k, d)| {
                        let key: Value = serde_json::from_str(k).unwrap_or(Value::Null);
                        json!({"table": t.name, "key": key, "doc": d})
                    })
                    .collect();
                crate::store::ledger::append(
                    tx,
                    cid,
                    "ledger.upgraded",
                    &format!("table:{}", t.name),
                    json!({"v": super::VERSION, "rows": rows}),
                )?;
            }
        }
    }
    Ok(())
}

/// The migration, with its hook.
pub fn migration() -> M<'static> {
    M::up_with_hook(SQL, |tx: &Transaction| {
        backfill(tx).map_err(|e| HookError::Hook(e.to_string()))
    })
}
