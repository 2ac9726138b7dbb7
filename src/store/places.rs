//! The places of a community as choices for a form: zones (villager groups
//! or grids), buildings, and units with their building.

use crate::error::Error;
use rusqlite::Connection;

/// Zones by name.
pub fn zones_by_name(conn: &Connection, community_id: i64) -> Result<Vec<(i64, String)>, Error> {
    let mut q =
        conn.prepare_cached("SELECT id, name FROM zones WHERE community_id = ?1 ORDER BY name")?;
    let v = q
        .query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Buildings by number (numerically where they are numbers).
pub fn buildings(conn: &Connection, community_id: i64) -> Result<Vec<(i64, String)>, Error> {
    let mut q = conn.prepare_cached(
        "SELECT id, number FROM buildings WHERE community_id = ?1 ORDER BY CAST(number AS INTEGER), number",
    )?;
    let v = q
        .query_map([community_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// A building and one of its units (none for a building without units).
pub struct BuildingUnit {
    pub building_id: i64,
    pub building: String,
    pub unit: Option<(i64, String)>,
}

/// Each building followed by its units, in order.
pub fn buildings_with_units(
    conn: &Connection,
    community_id: i64,
) -> Result<Vec<BuildingUnit>, Error> {
    let mut q = conn.prepare_cached(
        "SELECT b.id, b.number, u.id, u.number FROM buildings b LEFT JOIN units u ON u.building_id = b.id
         WHERE b.community_id = ?1 ORDER BY CAST(b.number AS INTEGER), b.number, CAST(u.number AS INTEGER)",
    )?;
    let v = q
        .query_map([community_id], |r| {
            let unit = match (r.get::<_, Option<i64>>(2)?, r.get::<_, Option<String>>(3)?) {
                (Some(id), Some(n)) => Some((id, n)),
                _ => None,
            };
            Ok(BuildingUnit {
                building_id: r.get(0)?,
                building: r.get(1)?,
                unit,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}
