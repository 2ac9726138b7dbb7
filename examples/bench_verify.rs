//! `teahouse verify` on a ledger of N entries (default 100,000) next to the
//! baseline of reading every entry and taking its SHA-256, in one run:
//! `cargo run --release --example bench_verify [N]`. Each entry anchors one
//! comment on a published proposal, as a busy community writes them.

use sha2::Digest;
use std::time::Instant;
use teahouse::store;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = None;
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("at least one run"))
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    // BENCH_VERIFY_DB=PATH keeps the generated database there (for profiling).
    let path = std::env::var_os("BENCH_VERIFY_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("ledger.sqlite3"));
    // A database kept from an earlier run with as many entries is reused.
    let kept = rusqlite::Connection::open(&path)
        .and_then(|c| c.query_row("SELECT count(*) FROM ledger", [], |r| r.get::<_, i64>(0)))
        .is_ok_and(|k| k == n as i64);
    if !kept {
        generate(&path, n).await;
    }
    measure(&path);
}

async fn generate(path: &std::path::Path, n: usize) {
    let db = store::open(path, 1).expect("open");
    let t = Instant::now();
    db.write(|tx| {
        tx.execute_batch(
            "INSERT INTO communities (slug, name, kind, created_at) VALUES ('bench', '基准社区', 'compound', 0);
             INSERT INTO accounts (login, display_name, password_hash, created_at) VALUES ('a', '居民', 'x', 0);
             INSERT INTO proposals (community_id, author_id, title, body, category, place, place_label, status, created_at, published_at)
             VALUES (1, 1, '楼道灯', '3栋楼道灯不亮', 'safety', 'community', '全社区', 'open', 0, 0);",
        )?;
        Ok(())
    })
    .await
    .expect("seed");
    let mut left = n.saturating_sub(1);
    while left > 0 {
        let k = left.min(5_000);
        left -= k;
        db.write(move |tx| {
            let p = store::proposals::get(tx, 1, 1)?;
            for i in 0..k {
                store::proposals::comment(
                    tx,
                    &p,
                    None,
                    1,
                    &format!("第 {i} 条意见：同意尽快修好。"),
                )?;
                store::anchor::flush(tx)?;
            }
            Ok(())
        })
        .await
        .expect("comments");
    }
    drop(db);
    eprintln!("{n} entries written in {:.1} s", t.elapsed().as_secs_f64());
}

fn measure(path: &std::path::Path) {
    // BENCH_VERIFY_ONLY=N runs only `verify`, N times (for a profiler).
    if let Some(k) = std::env::var("BENCH_VERIFY_ONLY")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        let (t, ok) = best(k, || teahouse::cli::verify_db(path).expect("verify").1);
        assert!(ok, "the generated ledger verifies");
        println!("teahouse verify (full), best of {k}: {t:.3} s");
        return;
    }
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("read");
    // Mapped, as `verify` reads it.
    conn.pragma_update(None, "mmap_size", teahouse::store::anchor::verify::MMAP)
        .expect("mmap");
    let (base, count) = best(3, || {
        let mut st = conn
            .prepare("SELECT community_id, seq, at, kind, subject, payload, prev, hash FROM ledger ORDER BY id")
            .expect("prepare");
        let mut rows = st.query([]).expect("query");
        let mut count = 0usize;
        // Every field of every entry read, and hashed.
        while let Some(r) = rows.next().expect("row") {
            let mut h = sha2::Sha256::new();
            for i in 0..8 {
                match r.get_ref(i).expect("field") {
                    rusqlite::types::ValueRef::Integer(n) => h.update(n.to_le_bytes()),
                    rusqlite::types::ValueRef::Text(t) => h.update(t),
                    _ => {}
                }
            }
            std::hint::black_box(h.finalize());
            count += 1;
        }
        count
    });
    let (full, ok) = best(3, || teahouse::cli::verify_db(path).expect("verify").1);
    assert!(ok, "the generated ledger verifies");
    println!("entries                      {count}");
    println!("read + SHA-256 every entry   {base:.3} s");
    println!(
        "teahouse verify (full)       {full:.3} s   {:.2}x the baseline",
        full / base
    );
}
