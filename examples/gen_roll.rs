//! Writes a synthetic roll for benchmarks: `gen_roll OUT.xlsx ROWS` (two
//! residents per dwelling, buildings of 2 units × 18 floors × 4 rooms), or
//! `gen_roll OUT.csv|OUT.xlsx --dwellings N` (one to three residents per
//! dwelling, see `teahouse::store::roll::synthetic`).

use teahouse::domain::roll::Field;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .expect("usage: gen_roll OUT.xlsx ROWS | gen_roll OUT.csv --dwellings N");
    let second = args.next();
    if second.as_deref() == Some("--dwellings") {
        let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_080);
        let t = teahouse::store::roll::synthetic::roll(n, "B");
        let bytes = if out.ends_with(".csv") {
            teahouse::sheet::write_csv(&t)
        } else {
            teahouse::sheet::write_xlsx("名册", &t).expect("xlsx")
        };
        std::fs::write(&out, bytes).expect("write");
        eprintln!("{out}: {n} dwellings, {} residents", t.len() - 1);
        return;
    }
    let rows: usize = second.and_then(|n| n.parse().ok()).unwrap_or(10_000);
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
