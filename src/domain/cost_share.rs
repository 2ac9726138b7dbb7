//! Elevator retrofit cost sharing (加装电梯费用分摊): the committee sets a
//! coefficient per floor (the ground floor usually 0) and a total cost; each
//! dwelling pays total × its floor's coefficient ÷ the sum of all dwellings'
//! coefficients. Money is in fen (0.01 yuan), coefficients in thousandths;
//! rounding hands out the leftover fen by largest remainder, so the shares
//! always add up to the total exactly.

use super::Msg;
use std::collections::BTreeMap;

/// Parses a decimal with at most two places into hundredths ("620000.5" → 62000050).
pub fn parse_hundredths(input: &str) -> Option<i64> {
    let s: String = input
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (w, f) = s.split_once('.').unwrap_or((s.as_str(), ""));
    if w.is_empty()
        || w.len() > 12
        || !w.bytes().all(|b| b.is_ascii_digit())
        || f.len() > 2
        || !f.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = match f.len() {
        0 => 0,
        1 => f.parse::<i64>().ok()? * 10,
        _ => f.parse::<i64>().ok()?,
    };
    Some(w.parse::<i64>().ok()? * 100 + frac)
}

/// Yuan with two decimals, e.g. 12345.60.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// "1:0, 2:0.3, 3:0.6" (or one "floor=coefficient" per line) → floor → thousandths.
pub fn parse_coefficients(text: &str) -> Result<BTreeMap<i32, i64>, Msg> {
    let mut out = BTreeMap::new();
    for part in text
        .split([',', '，', '\n', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let bad = || {
            Msg::new(
                format!("“{part}”应写作 楼层:系数，例如 3:0.6"),
                format!("\"{part}\" should look like floor:coefficient, e.g. 3:0.6"),
            )
        };
        let (f, c) = part.split_once([':', '：', '=']).ok_or_else(bad)?;
        let floor: i32 = f
            .trim()
            .trim_end_matches('层')
            .trim()
            .parse()
            .map_err(|_| bad())?;
        let t = c.trim();
        let (w, fr) = t.split_once('.').unwrap_or((t, ""));
        if w.is_empty()
            || fr.len() > 3
            || !w.bytes().all(|b| b.is_ascii_digit())
            || !fr.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let thousandths = w.parse::<i64>().map_err(|_| bad())? * 1000
            + format!("{fr:0<3}").parse::<i64>().map_err(|_| bad())?;
        if thousandths > 100_000 {
            return Err(bad());
        }
        if out.insert(floor, thousandths).is_some() {
            return Err(Msg::new(
                format!("{floor} 层的系数写了两次"),
                format!("floor {floor} is given twice"),
            ));
        }
    }
    if out.is_empty() {
        return Err(Msg::new(
            "请填写各楼层的系数",
            "give a coefficient for each floor",
        ));
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub dwelling: String,
    pub floor: i32,
    pub coefficient: i64,
    pub fen: i64,
}

/// Each dwelling's share of `total_fen`. Every floor present needs a coefficient.
pub fn shares(
    total_fen: i64,
    dwellings: &[(String, i32)],
    coef: &BTreeMap<i32, i64>,
) -> Result<Vec<Share>, Msg> {
    let mut rows = Vec::with_capacity(dwellings.len());
    for (d, floor) in dwellings {
        let c = *coef.get(floor).ok_or_else(|| {
            Msg::new(
                format!("缺少 {floor} 层的系数"),
                format!("no coefficient for floor {floor}"),
            )
        })?;
        rows.push((d.clone(), *floor, c));
    }
    let sum: i128 = rows.iter().map(|r| r.2 as i128).sum();
    if sum == 0 {
        return Err(Msg::new(
            "所有系数都是 0，无法分摊",
            "every coefficient is 0: nothing to share by",
        ));
    }
    let total = total_fen as i128;
    let mut out: Vec<(Share, i128)> = rows
        .into_iter()
        .map(|(d, floor, c)| {
            let exact = total * c as i128;
            (
                Share {
                    dwelling: d,
                    floor,
                    coefficient: c,
                    fen: (exact / sum) as i64,
                },
                exact % sum,
            )
        })
        .collect();
    let given: i64 = out.iter().map(|(s, _)| s.fen).sum();
    let mut left = total_fen - given;
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|a, b| out[*b].1.cmp(&out[*a].1).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        out[i].0.fen += 1;
        left -= 1;
    }
    Ok(out.into_iter().map(|(s, _)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_money_and_coefficients() {
        assert_eq!(parse_hundredths("620,000.5"), Some(62_000_050));
        assert_eq!(parse_hundredths("1.234"), None);
        let c = parse_coefficients("1:0, 2:0.3；3：0.55\n4=1").unwrap();
        assert_eq!(c[&1], 0);
        assert_eq!(c[&3], 550);
        assert_eq!(c[&4], 1000);
        assert!(parse_coefficients("1:x").is_err());
        assert!(parse_coefficients("1:0, 1:0.5").is_err());
    }

    #[test]
    fn ground_floor_pays_nothing_and_shares_add_up() {
        let d: Vec<(String, i32)> = (1..=6)
            .flat_map(|f| [(format!("{f}01"), f), (format!("{f}02"), f)])
            .collect();
        let c = parse_coefficients("1:0,2:0.4,3:0.6,4:0.8,5:1,6:1.2").unwrap();
        let s = shares(62_000_000, &d, &c).unwrap();
        assert_eq!(s[0].fen, 0);
        assert_eq!(s.iter().map(|x| x.fen).sum::<i64>(), 62_000_000);
        assert!(s[10].fen > s[2].fen, "higher floors pay more");
    }

    #[test]
    fn a_floor_without_coefficient_is_named() {
        let d = vec![("101".to_string(), 1), ("701".to_string(), 7)];
        let c = parse_coefficients("1:0").unwrap();
        assert!(shares(100, &d, &c).unwrap_err().zh.contains("7 层"));
    }

    proptest! {
        #[test]
        fn shares_always_sum_to_the_total(total in 0i64..10_000_000_000, coefs in prop::collection::vec(0i64..3000, 1..30)) {
            let d: Vec<(String, i32)> = coefs.iter().enumerate().map(|(i, _)| (format!("d{i}"), i as i32 + 1)).collect();
            let c: BTreeMap<i32, i64> = coefs.iter().enumerate().map(|(i, c)| (i as i32 + 1, *c)).collect();
            if let Ok(s) = shares(total, &d, &c) {
                prop_assert_eq!(s.iter().map(|x| x.fen).sum::<i64>(), total);
                prop_assert!(s.iter().all(|x| x.fen >= 0));
                for x in &s { if x.coefficient == 0 { prop_assert_eq!(x.fen, 0); } }
            }
        }
    }
}
