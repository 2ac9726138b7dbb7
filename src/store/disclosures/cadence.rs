//! How often each category is disclosed, and which periods have been.

use crate::domain::disclosure::{Cadence, Category, Period};
use crate::error::Error;
use rusqlite::{Connection, Transaction, params};
use std::collections::HashMap;

/// The cadence of each category: the community's choice, else the default.
pub fn cadences(conn: &Connection, community_id: i64) -> Result<Vec<(Category, Cadence)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT category, cadence FROM disclosure_cadence WHERE community_id = ?1",
    )?;
    let set: HashMap<String, String> = st
        .query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Category::ALL
        .into_iter()
        .map(|c| {
            let cad = set
                .get(c.as_str())
                .and_then(|s| Cadence::parse(s))
                .unwrap_or(c.default_cadence());
            (c, cad)
        })
        .collect())
}

pub fn cadence_of(conn: &Connection, community_id: i64, c: Category) -> Result<Cadence, Error> {
    Ok(cadences(conn, community_id)?
        .into_iter()
        .find(|(k, _)| *k == c)
        .map(|(_, v)| v)
        .unwrap_or(c.default_cadence()))
}

pub fn set_cadence(
    tx: &Transaction,
    community_id: i64,
    c: Category,
    cad: Cadence,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO disclosure_cadence (community_id, category, cadence) VALUES (?1, ?2, ?3)
         ON CONFLICT (community_id, category) DO UPDATE SET cadence = excluded.cadence",
        params![community_id, c.as_str(), cad.as_str()],
    )?;
    Ok(())
}

/// Periods published per category (for the board's "last disclosed" and overdue).
pub fn published_periods(
    conn: &Connection,
    community_id: i64,
) -> Result<HashMap<Category, Vec<Period>>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT category, period FROM disclosures WHERE community_id = ?1 AND published_rev IS NOT NULL",
    )?;
    let mut out: HashMap<Category, Vec<Period>> = HashMap::new();
    let rows = st.query_map([community_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (c, p) = row?;
        if let (Some(c), Ok(p)) = (Category::parse(&c), Period::parse(&p)) {
            out.entry(c).or_default().push(p);
        }
    }
    Ok(out)
}
