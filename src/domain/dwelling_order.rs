//! The order people walk a roll in: building, unit, floor, room, each part
//! compared as a number where it is one ("2" before "10"), not as text.

use std::cmp::Ordering;

/// One run of a name: digits (compared by value) or anything else (as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Number(u64, usize),
    Text(String),
}

impl Ord for Part {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            // "2" < "10"; "01" after "1" so equal values stay apart.
            (Part::Number(a, la), Part::Number(b, lb)) => a.cmp(b).then(la.cmp(lb)),
            (Part::Number(..), Part::Text(_)) => Ordering::Less,
            (Part::Text(_), Part::Number(..)) => Ordering::Greater,
            (Part::Text(a), Part::Text(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Part {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A name split into runs of digits and of other characters: "12栋" is
/// [12, "栋"]. A run of digits too long for a u64 stays text.
pub fn natural(s: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut digits = false;
    let flush = |run: &mut String, digits: bool, out: &mut Vec<Part>| {
        if run.is_empty() {
            return;
        }
        let part = match run.parse::<u64>() {
            Ok(n) if digits => Part::Number(n, run.len()),
            _ => Part::Text(run.clone()),
        };
        out.push(part);
        run.clear();
    };
    for ch in s.trim().chars() {
        let d = ch.is_ascii_digit();
        if d != digits {
            flush(&mut run, digits, &mut out);
            digits = d;
        }
        run.push(ch);
    }
    flush(&mut run, digits, &mut out);
    out
}

/// Where a dwelling is, for sorting: building, unit, floor, room.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DwellingKey {
    pub building: Vec<Part>,
    pub unit: Vec<Part>,
    pub floor: i64,
    pub room: Vec<Part>,
}

impl DwellingKey {
    pub fn new(building: &str, unit: &str, floor: i64, room: &str) -> DwellingKey {
        DwellingKey {
            building: natural(building),
            unit: natural(unit),
            floor,
            room: natural(room),
        }
    }
}

/// Sorts voters by their first dwelling (those without one after), then
/// their household's code, then the name shown.
pub fn sort_by_dwelling<T>(
    items: &mut [T],
    key: impl Fn(&T) -> (Option<DwellingKey>, Option<String>, String),
) {
    items.sort_by_cached_key(|t| {
        let (d, h, l) = key(t);
        let none = d.is_none();
        (none, d, h.as_deref().map(natural).unwrap_or_default(), l)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_as_numbers() {
        let mut v = vec!["10", "2", "1", "02"];
        v.sort_by_key(|s| natural(s));
        assert_eq!(v, ["1", "2", "02", "10"]);
        assert!(natural("12栋") > natural("3栋"));
        assert!(natural("A2") < natural("A10"));
        assert!(natural("2") < natural("A"));
    }

    #[test]
    fn huge_digit_runs_stay_text() {
        assert_eq!(
            natural("99999999999999999999999"),
            vec![Part::Text("99999999999999999999999".into())]
        );
    }

    #[test]
    fn dwellings_go_building_unit_floor_room() {
        let mut v = [
            DwellingKey::new("10", "1", 1, "101"),
            DwellingKey::new("2", "2", 1, "101"),
            DwellingKey::new("2", "1", 12, "1201"),
            DwellingKey::new("2", "1", 2, "202"),
            DwellingKey::new("2", "1", 2, "201"),
        ];
        v.sort();
        assert_eq!(v[0], DwellingKey::new("2", "1", 2, "201"));
        assert_eq!(v[1], DwellingKey::new("2", "1", 2, "202"));
        assert_eq!(v[2], DwellingKey::new("2", "1", 12, "1201"));
        assert_eq!(v[3], DwellingKey::new("2", "2", 1, "101"));
        assert_eq!(v[4], DwellingKey::new("10", "1", 1, "101"));
    }

    #[test]
    fn voters_without_a_dwelling_come_last_by_household() {
        let mut v = vec![
            (None, Some("1-010".to_string()), "b".to_string()),
            (None, Some("1-002".to_string()), "a".to_string()),
            (
                Some(DwellingKey::new("9", "1", 1, "101")),
                None,
                "z".to_string(),
            ),
        ];
        sort_by_dwelling(&mut v, |t| t.clone());
        assert_eq!(v[0].2, "z");
        assert_eq!(v[1].2, "a");
        assert_eq!(v[2].2, "b");
    }
}
