//! A dwelling's place in its building: building, unit and room number.

use super::Msg;
use std::fmt;

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct DwellingLabel {
    pub building: String,
    pub unit: String,
    pub room: String,
}

fn clean_part(s: &str, suffixes: &[&str]) -> String {
    let mut t = s.trim().to_string();
    for suf in suffixes {
        if let Some(x) = t.strip_suffix(suf) {
            t = x.trim().to_string();
        }
    }
    t
}

fn valid_part(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 12 && s.chars().all(|c| c.is_alphanumeric() || c == '-')
}

impl DwellingLabel {
    /// Builds a label from the three spreadsheet cells (楼栋, 单元, 房号),
    /// accepting the usual decorations: "3栋" / "3号楼", "2单元", "501室".
    pub fn from_parts(building: &str, unit: &str, room: &str) -> Result<Self, Msg> {
        let b = clean_part(building, &["号楼", "栋", "幢", "座"]);
        let u = clean_part(unit, &["单元"]);
        let r = clean_part(room, &["室", "号"]);
        if !valid_part(&b) {
            return Err(Msg::new(
                format!("楼栋“{}”无效", building.trim()),
                format!("building \"{}\" is not valid", building.trim()),
            ));
        }
        if !valid_part(&u) {
            return Err(Msg::new(
                format!("单元“{}”无效", unit.trim()),
                format!("unit \"{}\" is not valid", unit.trim()),
            ));
        }
        if !valid_part(&r) || r.contains('-') {
            return Err(Msg::new(
                format!("房号“{}”无效", room.trim()),
                format!("room \"{}\" is not valid", room.trim()),
            ));
        }
        Ok(DwellingLabel {
            building: b,
            unit: u,
            room: r,
        })
    }

    /// Parses "3-2-501" or "3栋2单元501(室)".
    pub fn parse(s: &str) -> Result<Self, Msg> {
        let t = s.trim();
        let parts: Vec<&str> = t.split('-').collect();
        if parts.len() == 3 {
            return Self::from_parts(parts[0], parts[1], parts[2]);
        }
        let bad = || {
            Msg::new(
                format!("房屋“{t}”应写作 3-2-501 或 3栋2单元501"),
                format!("dwelling \"{t}\" should look like 3-2-501 or 3栋2单元501"),
            )
        };
        let (b, rest) = t
            .split_once("栋")
            .or_else(|| t.split_once("号楼"))
            .ok_or_else(bad)?;
        let (u, r) = rest.split_once("单元").ok_or_else(bad)?;
        Self::from_parts(b, u, r)
    }

    /// Chinese form, as printed on notices: 3栋2单元501.
    pub fn zh(&self) -> String {
        format!("{}栋{}单元{}", self.building, self.unit, self.room)
    }
}

impl fmt::Display for DwellingLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.building, self.unit, self.room)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_notations() {
        let a = DwellingLabel::parse("3-2-501").unwrap();
        let b = DwellingLabel::parse("3栋2单元501").unwrap();
        let c = DwellingLabel::parse("3号楼2单元501室").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.to_string(), "3-2-501");
        assert_eq!(a.zh(), "3栋2单元501");
    }

    #[test]
    fn from_cells_strips_decorations() {
        let d = DwellingLabel::from_parts("12栋", "1单元", "1102室").unwrap();
        assert_eq!(d.to_string(), "12-1-1102");
    }

    #[test]
    fn refuses_garbage() {
        assert!(DwellingLabel::parse("501").is_err());
        assert!(DwellingLabel::from_parts("", "1", "101").is_err());
        assert!(DwellingLabel::from_parts("1", "1", "1 01").is_err());
    }
}
