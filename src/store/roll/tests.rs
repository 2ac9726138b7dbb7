//! A large import is written in many short transactions; other writes go in
//! between; a roll changed meanwhile, or a failure half-way, leaves nothing
//! of the import visible. Counted and ordered, never timed.

use super::{Import, import, synthetic};
use crate::domain::roll::{ParsedRoll, parse_table};
use crate::error::Error;
use crate::store::audit::{self, Actor};
use crate::store::communities::{self, Kind};
use crate::store::{self, Db};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const DWELLINGS: usize = 10_000;

fn parsed(dwellings: usize, prefix: &str) -> ParsedRoll {
    parse_table(&synthetic::roll(dwellings, prefix))
        .map_err(|e| e.len())
        .expect("a valid roll")
}

fn count(db_path: &std::path::Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db_path).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn job(cid: i64, roll: &Arc<ParsedRoll>) -> Import {
    Import {
        community_id: cid,
        roll: roll.clone(),
        deactivate_missing: false,
        preview: None,
        chunk: 2_000,
    }
}

/// ~6,000 rows to stage: six chunks.
fn small_chunks(cid: i64, roll: &Arc<ParsedRoll>) -> Import {
    Import {
        chunk: 1_000,
        ..job(cid, roll)
    }
}

fn audited(
    cid: i64,
) -> impl FnOnce(&rusqlite::Transaction, &super::Summary) -> Result<(), Error> + Send + 'static {
    move |tx, s| {
        audit::record(
            tx,
            &Actor::system("test"),
            Some(cid),
            "roll.import",
            "synthetic",
            &format!("{} rows", s.rows),
        )
    }
}

async fn setup() -> (tempfile::TempDir, Db, i64) {
    let dir = tempfile::tempdir().unwrap();
    let db = store::open(&dir.path().join("t.sqlite3"), 2).unwrap();
    let cid = db
        .write(|tx| communities::create(tx, "big", "大社区", Kind::Compound))
        .await
        .unwrap();
    (dir, db, cid)
}

/// A write that is not the roll's, recorded by its order.
async fn other_write(db: &Db, what: &str) -> i64 {
    let what = what.to_string();
    db.write(move |tx| {
        audit::record(tx, &Actor::system("test"), None, "other.write", &what, "")?;
        Ok(tx.last_insert_rowid())
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_large_import_is_written_in_short_transactions_with_other_writes_between() {
    let (dir, db, cid) = setup().await;
    let path = dir.path().join("t.sqlite3");
    let roll = Arc::new(parsed(DWELLINGS, "R"));
    let residents = roll.rows.len() as i64;
    assert!(residents > 23_000, "{residents} residents");

    // Between chunks: nothing of the import is visible yet, and another
    // write goes through (and is committed before the import's swap).
    let seen = Arc::new(Mutex::new(Vec::new()));
    let chunks = Arc::new(AtomicUsize::new(0));
    let between: super::import::Between = {
        let (db, path, seen, chunks) = (db.clone(), path.clone(), seen.clone(), chunks.clone());
        Box::new(move |n| {
            let (db, path, seen, chunks) = (db.clone(), path.clone(), seen.clone(), chunks.clone());
            Box::pin(async move {
                chunks.fetch_add(1, Ordering::SeqCst);
                let visible = count(&path, "SELECT count(*) FROM residents")
                    + count(&path, "SELECT count(*) FROM dwellings");
                let id = other_write(&db, &format!("between chunk {n}")).await;
                seen.lock().unwrap().push((visible, id));
                Ok(())
            })
        })
    };
    let done = import(&db, job(cid, &roll), Some(between), audited(cid))
        .await
        .unwrap();
    let s = &done.summary;
    assert_eq!(
        (s.dwellings_new, s.residents_new, s.residents_changed),
        (DWELLINGS, residents as usize, 0)
    );
    // 10,000 dwellings, 10,000 households and 23,520 residents (and their
    // owners, units and buildings) are ~50,000 rows: 2,000 a transaction.
    let n = chunks.load(Ordering::SeqCst);
    assert!(n >= 25, "{n} chunks");
    assert!(
        done.writes >= n + 2,
        "the stage, {n} chunks, the swap, the clean-up: {} writes",
        done.writes
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), n);
    assert!(
        seen.iter().all(|(visible, _)| *visible == 0),
        "nothing visible before the swap"
    );
    let import_audit = count(
        &path,
        "SELECT id FROM audit_log WHERE action = 'roll.import'",
    );
    assert!(
        seen.iter().all(|(_, id)| *id < import_audit),
        "every write between chunks committed before the import's last transaction"
    );
    assert_eq!(count(&path, "SELECT count(*) FROM residents"), residents);
    assert_eq!(
        count(&path, "SELECT count(*) FROM dwellings"),
        DWELLINGS as i64
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id
             JOIN dwellings d ON d.id = h.dwelling_id JOIN units u ON u.id = d.unit_id
             JOIN buildings b ON b.id = u.building_id JOIN zones z ON z.id = b.zone_id
             WHERE r.community_id = h.community_id AND z.id = h.zone_id"
        ),
        residents,
        "every new resident linked to its new household, dwelling, unit, building and zone"
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id
             JOIN dwellings d ON d.id = h.dwelling_id WHERE r.owner_id = d.owner_id"
        ),
        DWELLINGS as i64,
        "one owner per dwelling, of its dwelling's owning party"
    );
    assert_no_stage(&path);

    // The same file again changes nothing.
    let again = import(&db, job(cid, &roll), None, audited(cid))
        .await
        .unwrap();
    assert!(!again.summary.changes_anything());
    assert_eq!(again.summary.residents_unchanged, residents as usize);
    assert_no_stage(&path);
}

fn assert_no_stage(path: &std::path::Path) {
    for t in [
        "roll_stages",
        "roll_stage_zones",
        "roll_stage_buildings",
        "roll_stage_units",
        "roll_stage_owners",
        "roll_stage_dwellings",
        "roll_stage_households",
        "roll_stage_residents",
        "roll_stage_moved_out",
    ] {
        assert_eq!(
            count(path, &format!("SELECT count(*) FROM {t}")),
            0,
            "{t} empty"
        );
    }
}

/// A fingerprint of the whole roll, to show that nothing changed.
fn snapshot(path: &std::path::Path) -> String {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(
        "SELECT (SELECT count(*) FROM zones) || '/' || (SELECT count(*) FROM buildings) || '/' ||
                (SELECT count(*) FROM units) || '/' || (SELECT count(*) FROM owners) || '/' ||
                (SELECT count(*) FROM dwellings) || '/' || (SELECT count(*) FROM households) || '/' ||
                (SELECT group_concat(id || name || phone || is_adult || ifnull(owner_id, '') || household_id
                   || active, '|') FROM residents) || '/' ||
                (SELECT group_concat(id || floor || area_centi || ifnull(owner_id, ''), '|') FROM dwellings)",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// A second file: new dwellings, changed phones and areas, residents who
/// moved in; everyone else as before.
fn changed_roll() -> ParsedRoll {
    let mut t = synthetic::roll(DWELLINGS + 600, "R");
    for row in t.iter_mut().skip(1).step_by(7) {
        row[12] = "13900000000".into();
    }
    // Every row of some dwellings: an area is the dwelling's.
    for row in t.iter_mut().skip(1) {
        if row[3].parse::<usize>().is_ok_and(|b| b % 13 == 0) && row[6] == "5" {
            row[7] = "99.99".into();
        }
    }
    parse_table(&t).map_err(|e| e.len()).expect("a valid roll")
}

#[tokio::test]
async fn a_roll_changed_meanwhile_or_a_failure_half_way_leaves_nothing_visible() {
    let (dir, db, cid) = setup().await;
    let path = dir.path().join("t.sqlite3");
    let first = Arc::new(parsed(DWELLINGS, "R"));
    import(&db, job(cid, &first), None, audited(cid))
        .await
        .unwrap();
    let second = Arc::new(changed_roll());

    // Someone edits a resident while the second file is being staged.
    let rid = count(&path, "SELECT min(id) FROM residents");
    let edit: super::import::Between = {
        let db = db.clone();
        Box::new(move |n| {
            let db = db.clone();
            Box::pin(async move {
                if n == 3 {
                    db.write(move |tx| {
                        super::update_resident(
                            tx,
                            cid,
                            rid,
                            &super::ResidentEdit {
                                name: "改了名字".into(),
                                phone: String::new(),
                                adult: true,
                                owner: false,
                                representative: false,
                                active: true,
                            },
                        )
                        .map_err(crate::error::Error::from)
                    })
                    .await?;
                }
                Ok(())
            })
        })
    };
    let before = {
        // The edit itself is expected; the import's changes are not.
        let before = snapshot(&path);
        let r = import(&db, small_chunks(cid, &second), Some(edit), audited(cid)).await;
        let Err(Error::Conflict(m)) = r else {
            panic!("refused: {r:?}")
        };
        assert!(
            m.zh.contains("名册有了改动") && m.en.contains("roll changed"),
            "{m:?}"
        );
        before
    };
    let after = snapshot(&path);
    assert_ne!(before, after, "the edit was saved");
    assert_eq!(
        count(&path, "SELECT count(*) FROM dwellings"),
        DWELLINGS as i64,
        "none of the new dwellings"
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM residents WHERE phone = '13900000000'"
        ),
        0,
        "none of the new phone numbers"
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM audit_log WHERE action = 'roll.import'"
        ),
        1,
        "the refused import is not recorded as done"
    );
    assert_no_stage(&path);

    // A failure half-way (the server, the disk): nothing either.
    let fail: super::import::Between = Box::new(|n| {
        Box::pin(async move {
            if n == 4 {
                Err(Error::Internal("the disk is full".into()))
            } else {
                Ok(())
            }
        })
    });
    let r = import(&db, small_chunks(cid, &second), Some(fail), audited(cid)).await;
    assert!(matches!(r, Err(Error::Internal(_))), "{r:?}");
    assert_eq!(snapshot(&path), after, "nothing of the failed import");
    assert_no_stage(&path);

    // Confirmed again against the roll as it is now: it applies.
    let done = import(&db, job(cid, &second), None, audited(cid))
        .await
        .unwrap();
    let s = &done.summary;
    assert_eq!(s.dwellings_new, 600);
    assert!(
        s.residents_changed > 3_000 && s.dwellings_changed >= 40,
        "{} residents, {} dwellings changed",
        s.residents_changed,
        s.dwellings_changed
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM dwellings"),
        (DWELLINGS + 600) as i64
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM dwellings WHERE area_centi = 9999"
        ),
        s.dwellings_changed as i64
    );
    assert_no_stage(&path);
}

/// Residents missing from the file are marked as moved out only if asked,
/// and one who is back is on the roll again.
#[tokio::test]
async fn missing_residents_move_out_and_come_back() {
    let (dir, db, cid) = setup().await;
    let path = dir.path().join("t.sqlite3");
    let all = Arc::new(parsed(300, "M"));
    import(&db, job(cid, &all), None, audited(cid))
        .await
        .unwrap();
    let fewer = Arc::new(parsed(200, "M"));
    let kept = fewer.rows.len() as i64;
    let total = all.rows.len() as i64;
    let mut j = job(cid, &fewer);
    j.deactivate_missing = true;
    let s = import(&db, j, None, audited(cid)).await.unwrap().summary;
    assert_eq!(s.missing.len() as i64, total - kept);
    assert_eq!(
        count(&path, "SELECT count(*) FROM residents WHERE active = 1"),
        kept
    );
    let s = import(&db, job(cid, &all), None, audited(cid))
        .await
        .unwrap()
        .summary;
    assert_eq!(s.residents_changed as i64, total - kept, "back on the roll");
    assert!(
        s.changes
            .iter()
            .all(|c| c.fields.iter().any(|f| f.0 == "在册 active"))
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM residents WHERE active = 1"),
        total
    );
}
