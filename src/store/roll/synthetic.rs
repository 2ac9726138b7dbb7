//! A synthetic compound roll for tests and benchmarks, in the import layout:
//! buildings (numbered from 101, clear of the demo's) of 2 units × 18
//! floors × 4 rooms in 7 grids, one to three residents per dwelling (2⅓ on
//! average: 10,080 dwellings hold 23,520).

use crate::domain::roll::Field;
use crate::sheet::Table;

/// Residents per dwelling, repeating.
const PER_DWELLING: [usize; 6] = [2, 3, 2, 1, 3, 3];

/// `dwellings` dwellings with their residents; resident ids are `prefix`
/// and a number, so two rolls with different prefixes do not collide.
pub fn roll(dwellings: usize, prefix: &str) -> Table {
    let mut t: Table = vec![Field::ALL.iter().map(|f| f.header().to_string()).collect()];
    let (mut d, mut n) = (0, 0);
    'outer: for b in 101.. {
        for u in 1..=2 {
            for floor in 1..=18 {
                for r in 1..=4 {
                    if d == dwellings {
                        break 'outer;
                    }
                    let people = PER_DWELLING[d % PER_DWELLING.len()];
                    d += 1;
                    for p in 0..people {
                        n += 1;
                        t.push(vec![
                            format!("{prefix}{n:06}"),
                            format!("居民{n}"),
                            format!("{}网格", b % 7 + 1),
                            b.to_string(),
                            u.to_string(),
                            format!("{floor}{r:02}"),
                            floor.to_string(),
                            format!("{}.{:02}", 70 + r * 9, (b + floor) % 100),
                            String::new(),
                            String::new(),
                            if p == 0 { "是" } else { "否" }.into(),
                            if p < 2 { "是" } else { "否" }.into(),
                            format!("138{n:08}"),
                            if p == 0 {
                                format!("{prefix}{n}@example.org").to_lowercase()
                            } else {
                                String::new()
                            },
                            "否".into(),
                        ]);
                    }
                }
            }
        }
    }
    t
}
