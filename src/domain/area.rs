//! Exclusive floor area, kept exactly as hundredths of a square metre.

use super::Msg;
use std::fmt;

/// An area in hundredths of a m² (0.01 m²). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Area(i64);

impl Area {
    pub const fn from_centi(c: i64) -> Self {
        Area(c)
    }
    pub const fn centi(self) -> i64 {
        self.0
    }

    /// Parses "85", "85.5", "85.50", "85.5㎡", " 1,085.25 m²". Refuses more than two
    /// decimals, negatives, zero and anything that is not a number.
    pub fn parse(input: &str) -> Result<Area, Msg> {
        let s: String = input
            .trim()
            .trim_end_matches("平方米")
            .trim_end_matches("平米")
            .trim_end_matches('㎡')
            .trim_end_matches("m²")
            .trim_end_matches("m2")
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let bad = || {
            Msg::new(
                format!("面积“{}”不是有效数字（例如 85.50）", input.trim()),
                format!(
                    "area \"{}\" is not a valid number (e.g. 85.50)",
                    input.trim()
                ),
            )
        };
        if s.is_empty() {
            return Err(Msg::new("面积为空", "area is empty"));
        }
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s.as_str(), ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 {
            return Err(Msg::new(
                format!("面积“{}”超过两位小数", input.trim()),
                format!("area \"{}\" has more than two decimals", input.trim()),
            ));
        }
        if whole.len() > 9 {
            return Err(bad());
        }
        let w: i64 = whole.parse().map_err(|_| bad())?;
        let f: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let c = w * 100 + f;
        if c == 0 {
            return Err(Msg::new("面积不能为零", "area cannot be zero"));
        }
        Ok(Area(c))
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_plain_and_decorated() {
        assert_eq!(Area::parse("85").unwrap().centi(), 8500);
        assert_eq!(Area::parse("85.5").unwrap().centi(), 8550);
        assert_eq!(Area::parse(" 85.05 ").unwrap().centi(), 8505);
        assert_eq!(Area::parse("1,085.25㎡").unwrap().centi(), 108525);
        assert_eq!(Area::parse("92.3 平方米").unwrap().centi(), 9230);
        assert_eq!(Area::parse("0.01").unwrap().centi(), 1);
    }

    #[test]
    fn refuses_bad_input() {
        assert!(Area::parse("85.555").unwrap_err().zh.contains("两位小数"));
        assert!(Area::parse("-3").is_err());
        assert!(Area::parse("abc").is_err());
        assert!(Area::parse("").is_err());
        assert!(Area::parse("0").is_err());
        assert!(Area::parse("1e3").is_err());
        assert!(Area::parse(".5").is_err());
    }

    #[test]
    fn displays_two_decimals() {
        assert_eq!(Area::from_centi(17840).to_string(), "178.40");
        assert_eq!(Area::from_centi(5).to_string(), "0.05");
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(c in 1i64..10_000_000_000) {
            prop_assert_eq!(Area::parse(&Area::from_centi(c).to_string()).unwrap().centi(), c);
        }
    }
}
