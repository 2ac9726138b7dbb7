//! Operations: health, metrics, a consistent backup while the server runs,
//! and the demo seeding only once.

mod common;
use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn backup_while_serving_and_demo_seeds_once() {
    let s = Server::start().await;
    let mut c = s.client();
    assert_eq!(c.get("/healthz").await.body, "ok");
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    // Writes keep coming while the backup is taken.
    let writer = {
        let mut c2 = s.client();
        c2.login(COMMITTEE.0, COMMITTEE.1).await;
        c2.get("/c/wutong/settings").await;
        tokio::spawn(async move {
            for i in 0..20 {
                let r = c2
                    .post(
                        "/c/wutong/settings",
                        &[
                            ("name", &format!("值班员{i}")),
                            ("phone", ""),
                            ("address", ""),
                            ("hours", ""),
                        ],
                    )
                    .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER);
            }
        })
    };
    let out = s.dir.path().join("backup.sqlite3");
    let (db, out2) = (s.db_path(), out.clone());
    tokio::task::spawn_blocking(move || teahouse::cli::backup(&db, &out2))
        .await
        .unwrap()
        .unwrap();
    writer.await.unwrap();
    let b = rusqlite::Connection::open(&out).unwrap();
    let ok: String = b
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let n: i64 = b
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap();
    assert!(n > 1000, "the backup holds the roll");
    // A second backup to the same file is refused rather than overwriting.
    assert!(teahouse::cli::backup(&s.db_path(), &out).is_err());

    // Restarting with --demo on the same database does not seed twice.
    let path = s.db_path();
    let running = s.running.as_ref().unwrap();
    let db = running.db.clone();
    assert!(
        !teahouse::demo::seed_if_empty(&db, &running.hasher)
            .await
            .unwrap()
    );
    let communities: i64 = rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM communities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(communities, 2);
    // The demo's votes and ledger verify.
    let (lines, ok) = teahouse::cli::verify_db(&s.db_path()).unwrap();
    assert!(ok, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("wutong: 16 entries")),
        "{lines:?}"
    );
    s.stop().await;
}
