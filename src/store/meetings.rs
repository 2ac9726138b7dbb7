//! What the meeting pages read beyond one deliberation record: the series
//! at a glance, follow-up counts, attendance, finding residents by name.

use crate::domain::deliberation::Minutes;
use crate::error::Error;
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// The published minutes of a community's meetings ending after
/// `ending_after`, by meeting.
pub fn published_minutes(
    c: &Connection,
    community_id: i64,
    ending_after: i64,
) -> Result<HashMap<i64, Minutes>, Error> {
    let mut st = c.prepare_cached(
        "SELECT m.deliberation_id, m.body FROM minutes_revisions m JOIN deliberations d ON d.id = m.deliberation_id
         WHERE d.community_id = ?1 AND m.rev = d.published_rev AND d.ends_at >= ?2",
    )?;
    let rows = st.query_map(params![community_id, ending_after], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, body) = row?;
        out.insert(id, serde_json::from_str(&body).unwrap_or_default());
    }
    Ok(out)
}

/// How many items are on each meeting's agenda, by meeting.
pub fn agenda_counts(c: &Connection, community_id: i64) -> Result<HashMap<i64, usize>, Error> {
    let mut st = c.prepare_cached(
        "SELECT a.deliberation_id, count(*) FROM agenda_items a JOIN deliberations d ON d.id = a.deliberation_id
         WHERE d.community_id = ?1 AND a.state = 'agenda' GROUP BY a.deliberation_id",
    )?;
    let rows = st.query_map([community_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, n) = row?;
        out.insert(id, usize::try_from(n).unwrap_or(0));
    }
    Ok(out)
}

/// Open follow-up actions, and how many of them are past their due day.
pub fn action_counts(
    c: &Connection,
    community_id: i64,
    today: &str,
) -> Result<(usize, usize), Error> {
    let (open, overdue): (i64, i64) = c.query_row(
        "SELECT count(*), count(*) FILTER (WHERE due < ?2) FROM actions
         WHERE community_id = ?1 AND status = 'open'",
        params![community_id, today],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((
        usize::try_from(open).unwrap_or(0),
        usize::try_from(overdue).unwrap_or(0),
    ))
}

/// Active residents whose roll key or name is `who` (several: ambiguous).
pub fn residents_named(c: &Connection, community_id: i64, who: &str) -> Result<Vec<i64>, Error> {
    let v = c
        .prepare_cached(
            "SELECT id FROM residents WHERE community_id = ?1 AND active = 1 AND (key = ?2 OR name = ?2)",
        )?
        .query_map(params![community_id, who], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Was this resident checked in at the meeting?
pub fn attended(c: &Connection, deliberation: i64, resident: i64) -> Result<bool, Error> {
    Ok(c.prepare_cached(
        "SELECT 1 FROM attendance WHERE deliberation_id = ?1 AND resident_id = ?2",
    )?
    .exists(params![deliberation, resident])?)
}

/// The photos of every follow-up action, by owner (`action:ID`).
pub fn action_photos(
    c: &Connection,
    community_id: i64,
) -> Result<HashMap<String, Vec<(i64, String)>>, Error> {
    let mut q = c.prepare_cached(
        "SELECT owner, id, name FROM attachments WHERE community_id = ?1 AND owner LIKE 'action:%' ORDER BY id",
    )?;
    let mut photos: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for r in q.query_map([community_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
    })? {
        let (owner, id, name) = r?;
        photos.entry(owner).or_default().push((id, name));
    }
    Ok(photos)
}
