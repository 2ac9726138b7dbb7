//! The whole roll as a table in the import layout, so an export re-imports
//! without changes.

use super::yn;
use crate::domain::Area;
use crate::domain::roll::Field;
use crate::error::Error;
use crate::sheet::Table;
use rusqlite::Connection;

/// The whole roll as a table in the import layout, so an export re-imports
/// without changes. Vacant dwellings get a row without a person.
pub fn export_table(conn: &Connection, community_id: i64) -> Result<Table, Error> {
    let mut table: Table = vec![Field::ALL.iter().map(|f| f.header().to_string()).collect()];
    let mut st = conn.prepare(
        "SELECT r.key, r.name, z.name, b.number, u.number, d.number, d.floor, d.area_centi, h.code,
                o.key, r.owner_id IS NOT NULL, r.is_adult, r.phone, r.is_representative, r.email
         FROM residents r
         JOIN households h ON h.id = r.household_id
         JOIN zones z ON z.id = h.zone_id
         LEFT JOIN dwellings d ON d.id = h.dwelling_id
         LEFT JOIN units u ON u.id = d.unit_id
         LEFT JOIN buildings b ON b.id = u.building_id
         LEFT JOIN owners o ON o.id = d.owner_id
         WHERE r.community_id = ?1 AND r.active = 1
         ORDER BY z.id, b.number, u.number, d.floor, d.number, h.code, r.key",
    )?;
    let rows = st.query_map([community_id], |r| {
        let area: Option<i64> = r.get(7)?;
        let floor: Option<i64> = r.get(6)?;
        Ok(vec![
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            floor.map(|f| f.to_string()).unwrap_or_default(),
            area.map(|a| Area::from_centi(a).to_string())
                .unwrap_or_default(),
            r.get(8)?,
            r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            yn(r.get(10)?),
            yn(r.get(11)?),
            r.get(12)?,
            r.get(14)?,
            yn(r.get(13)?),
        ])
    })?;
    for row in rows {
        table.push(row?);
    }
    let mut st = conn.prepare(
        "SELECT z.name, b.number, u.number, d.number, d.floor, d.area_centi, o.key
         FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
         JOIN zones z ON z.id = b.zone_id LEFT JOIN owners o ON o.id = d.owner_id
         WHERE d.community_id = ?1 AND NOT EXISTS (
           SELECT 1 FROM households h JOIN residents r ON r.household_id = h.id
           WHERE h.dwelling_id = d.id AND r.active = 1)
         ORDER BY b.number, u.number, d.floor, d.number",
    )?;
    let rows = st.query_map([community_id], |r| {
        Ok(vec![
            String::new(),
            String::new(),
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, i64>(4)?.to_string(),
            Area::from_centi(r.get(5)?).to_string(),
            String::new(),
            r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])
    })?;
    for row in rows {
        table.push(row?);
    }
    Ok(table)
}
