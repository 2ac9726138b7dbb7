//! The roll's list: a page is read in place order straight from an index
//! (no sort in the query plan, whatever the filter), whole numbers order by
//! value, the order follows a changed floor, pages (each read from the key
//! before it) add up to the count, and
//! the building filter keeps to its building. Counted and ordered, never
//! timed.

use super::list::{ListFilter, keys_sql, page_sql};
use super::{PAGE, apply, buildings, list, select_ids, synthetic};
use crate::domain::roll::parse_table;
use crate::sheet::Table;
use crate::store::communities::{self, Kind};
use crate::store::{self, Db};
use rusqlite::types::Value;

async fn seeded(table: Table) -> (tempfile::TempDir, Db, i64) {
    let dir = tempfile::tempdir().unwrap();
    let db = store::open(&dir.path().join("t.sqlite3"), 2).unwrap();
    let cid = db
        .write(move |tx| {
            let cid = communities::create(tx, "big", "大社区", Kind::Compound)?;
            let roll = parse_table(&table)
                .map_err(|e| e.len())
                .expect("a valid roll");
            apply(tx, cid, &roll, false)?;
            Ok(cid)
        })
        .await
        .unwrap();
    (dir, db, cid)
}

fn plan(conn: &rusqlite::Connection, sql: &str) -> String {
    let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let n = st.parameter_count();
    let rows = st
        .query_map(rusqlite::params_from_iter(vec![Value::Null; n]), |r| {
            r.get::<_, String>(3)
        })
        .unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
}

/// Every filter's page comes from an index in order, the first page and a
/// page after a key alike (the later one by a range on that index), and so
/// do the keys its page index is read from.
#[tokio::test]
async fn every_filter_reads_a_page_in_index_order() {
    let (_dir, db, _) = seeded(synthetic::roll(40, "P")).await;
    let some = Some(1);
    let filters = [
        (ListFilter::default(), "households_roll"),
        (
            ListFilter {
                zone_id: some,
                ..Default::default()
            },
            "households_zone_roll",
        ),
        (
            ListFilter {
                building_id: some,
                ..Default::default()
            },
            "households_building_roll",
        ),
        (
            ListFilter {
                building_id: some,
                zone_id: some,
                ..Default::default()
            },
            "households_building_roll",
        ),
        (
            ListFilter {
                include_inactive: true,
                ..Default::default()
            },
            "households_roll",
        ),
        (
            ListFilter {
                without_account: true,
                ..Default::default()
            },
            "households_roll",
        ),
        (
            ListFilter {
                q: Some("1".into()),
                ..Default::default()
            },
            "households_roll",
        ),
    ];
    db.read(move |c| {
        for (f, index) in &filters {
            // The first page, a page after a key, and every key (the page index).
            for sql in [page_sql(f, false), page_sql(f, true), keys_sql(f)] {
                let p = plan(c, &sql);
                assert!(!p.contains("TEMP B-TREE"), "{f:?} sorts:\n{p}");
                assert!(p.contains(index), "{f:?} does not use {index}:\n{p}");
                assert!(p.contains("residents_by_household"), "{f:?}:\n{p}");
            }
        }
        // A page after a key starts by a range on the driving index, the
        // way page 1 starts at its beginning: it skips no rows.
        let p = plan(c, &page_sql(&ListFilter::default(), true));
        assert!(
            p.contains("households_roll (community_id=? AND roll_order>?)"),
            "{p}"
        );
        Ok(())
    })
    .await
    .unwrap();
}

/// A roll of two buildings, "10" and "2", each with rooms 501 (floor 5)
/// and 1201 (floor 12), one resident each; resident keys in file order.
fn numbered() -> Table {
    let mut t = synthetic::roll(4, "N");
    t.truncate(1);
    for (i, (b, room, floor)) in [
        ("10", "1201", "12"),
        ("10", "501", "5"),
        ("2", "1201", "12"),
        ("2", "501", "5"),
    ]
    .iter()
    .enumerate()
    {
        let mut row = synthetic::roll(1, "N")[1].clone();
        row[0] = format!("N{i}");
        (row[3], row[5], row[6]) = (b.to_string(), room.to_string(), floor.to_string());
        t.push(row);
    }
    t
}

async fn places(db: &Db, cid: i64) -> Vec<String> {
    db.read(move |c| list(c, cid, &ListFilter::default()))
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|l| l.place)
        .collect()
}

#[tokio::test]
async fn whole_numbers_order_by_value_and_a_changed_floor_moves_its_dwelling() {
    let (_dir, db, cid) = seeded(numbered()).await;
    assert_eq!(
        places(&db, cid).await,
        ["2-1-501", "2-1-1201", "10-1-501", "10-1-1201"]
    );
    let names: Vec<String> = db
        .read(move |c| buildings(c, cid))
        .await
        .unwrap()
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(names, ["2", "10"]);
    // 2-1-501 is on floor 20 after all: it follows 2-1-1201.
    let mut t = numbered();
    t[4][6] = "20".into();
    db.write(move |tx| {
        let roll = parse_table(&t).map_err(|e| e.len()).expect("a valid roll");
        apply(tx, cid, &roll, false).map(|_| ())
    })
    .await
    .unwrap();
    assert_eq!(
        places(&db, cid).await,
        ["2-1-1201", "2-1-501", "10-1-501", "10-1-1201"]
    );
}

#[tokio::test]
async fn pages_add_up_to_the_count_and_a_building_keeps_to_itself() {
    // 150 dwellings: building 101 holds 144 of them, 102 the other 6; 350
    // residents, seven pages.
    let (_dir, db, cid) = seeded(synthetic::roll(150, "P")).await;
    let (all, total) = db
        .read(move |c| {
            let mut all = Vec::new();
            let mut f = ListFilter::default();
            let total = loop {
                let (page, total) = list(c, cid, &f)?;
                if page.is_empty() {
                    break total;
                }
                assert!(page.len() <= PAGE);
                all.extend(page);
                f.page += 1;
            };
            Ok((all, total))
        })
        .await
        .unwrap();
    assert_eq!(total, 350);
    assert_eq!(all.len(), 350);
    let mut keys: Vec<&str> = all.iter().map(|l| l.key.as_str()).collect();
    keys.dedup();
    assert_eq!(keys.len(), 350, "a resident on two pages");
    // Place order: building, unit, floor, room; the synthetic keys follow it.
    assert!(
        all.windows(2).all(|w| w[0].key < w[1].key),
        "not in place order"
    );
    // Printing codes for everyone takes the same residents in one pass.
    let ids = db
        .read(move |c| select_ids(c, cid, &ListFilter::default()))
        .await
        .unwrap();
    assert_eq!(ids, all.iter().map(|l| l.id).collect::<Vec<_>>());
    let b102 = db
        .read(move |c| {
            Ok(buildings(c, cid)?
                .into_iter()
                .find(|(_, n)| n == "102")
                .unwrap()
                .0)
        })
        .await
        .unwrap();
    let (lines, n) = db
        .read(move |c| {
            let f = ListFilter {
                building_id: Some(b102),
                ..Default::default()
            };
            list(c, cid, &f)
        })
        .await
        .unwrap();
    assert_eq!(n as usize, lines.len());
    assert_eq!(
        n,
        all.iter().filter(|l| l.place.starts_with("102-")).count() as i64
    );
    assert!(n > 0 && lines.iter().all(|l| l.place.starts_with("102-")));
}
