//! Writes a synthetic roll workbook for benchmarks: `gen_roll OUT.xlsx ROWS`.
//! Two residents per dwelling, buildings of 2 units × 18 floors × 4 rooms.

use teahouse::domain::roll::Field;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: gen_roll OUT.xlsx ROWS");
    let rows: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let mut t = vec![
        Field::ALL
            .iter()
            .map(|f| f.header().to_string())
            .collect::<Vec<_>>(),
    ];
    let mut n = 0;
    'outer: for b in 100.. {
        for u in 1..=2 {
            for floor in 1..=18 {
                for r in 1..=4 {
                    for p in 0..2 {
                        if n == rows {
                            break 'outer;
                        }
                        n += 1;
                        t.push(vec![
                            format!("B{n:06}"),
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
                            "是".into(),
                            format!("138{n:08}"),
                            "否".into(),
                        ]);
                    }
                }
            }
        }
    }
    let bytes = teahouse::sheet::write_xlsx("名册", &t).expect("xlsx");
    std::fs::write(&out, bytes).expect("write");
    eprintln!("{out}: {rows} rows");
}
