//! Random sequences of publishing steps verify; any single edit of a
//! published row afterwards does not.

use super::verify::verify_community;
use crate::store::proposals::{self, NewProposal};
use proptest::prelude::*;
use rusqlite::Connection;

#[derive(Debug, Clone)]
enum Step {
    Draft(u8),
    Publish(u8),
    Comment(u8, u8),
    Cosign(u8, u8),
    Decline(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..4).prop_map(Step::Draft),
        (0u8..4).prop_map(Step::Publish),
        (0u8..4, 0u8..3).prop_map(|(p, a)| Step::Comment(p, a)),
        (0u8..4, 0u8..3).prop_map(|(p, a)| Step::Cosign(p, a)),
        (0u8..4).prop_map(Step::Decline),
    ]
}

fn fresh() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Connection::open(dir.path().join("t.sqlite3")).unwrap();
    crate::store::migrations::run(&mut c).unwrap();
    super::install(&c).unwrap();
    c.execute_batch(
        "INSERT INTO communities (slug, name, kind, created_at) VALUES ('t', '测试', 'compound', 0);
         INSERT INTO accounts (login, display_name, password_hash, created_at) VALUES ('a', '甲', 'x', 0), ('b', '乙', 'x', 0), ('c', '丙', 'x', 0);",
    )
    .unwrap();
    (dir, c)
}

/// One step in its own transaction, as the writer runs it: refused steps
/// (a co-signature twice, a comment on a draft) leave nothing.
fn apply(c: &mut Connection, s: &Step) {
    let tx = c.transaction().unwrap();
    let nth = |tx: &rusqlite::Transaction, i: u8| -> Option<proposals::Proposal> {
        let id: i64 = tx
            .query_row(
                "SELECT id FROM proposals ORDER BY id LIMIT 1 OFFSET ?1",
                [i],
                |r| r.get(0),
            )
            .ok()?;
        proposals::get(tx, 1, id).ok()
    };
    let r: Result<(), crate::error::Error> = (|| {
        match *s {
            Step::Draft(i) => {
                proposals::create(
                    &tx,
                    1,
                    1,
                    &NewProposal {
                        title: format!("提案 {i}"),
                        body: "楼道灯不亮".into(),
                        category: "safety".into(),
                        place: "community".into(),
                    },
                )?;
            }
            Step::Publish(i) => {
                if let Some(p) = nth(&tx, i).filter(|p| p.published_at.is_none()) {
                    proposals::publish(&tx, &p, 2)?;
                }
            }
            Step::Comment(i, a) => {
                if let Some(p) = nth(&tx, i).filter(|p| p.published_at.is_some()) {
                    proposals::comment(&tx, &p, None, a as i64 + 1, "同意")?;
                }
            }
            Step::Cosign(i, a) => {
                if let Some(p) = nth(&tx, i).filter(|p| p.published_at.is_some()) {
                    proposals::cosign(&tx, &p, a as i64 + 1)?;
                }
            }
            Step::Decline(i) => {
                if let Some(p) = nth(&tx, i).filter(|p| p.published_at.is_some()) {
                    proposals::decide(
                        &tx,
                        &p,
                        crate::domain::proposal::Status::Declined,
                        "不予受理",
                        1,
                    )?;
                }
            }
        }
        super::flush(&tx)?;
        Ok(())
    })();
    match r {
        Ok(()) => tx.commit().unwrap(),
        Err(_) => tx.rollback().unwrap(),
    }
}

fn problems(c: &Connection) -> usize {
    verify_community(c, 1, "t".into()).unwrap().problems
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn publishing_verifies_and_any_edit_of_a_published_row_is_caught(
        steps in proptest::collection::vec(step(), 1..30),
        pick in any::<prop::sample::Index>(),
        col in any::<prop::sample::Index>(),
    ) {
        let (_dir, mut c) = fresh();
        for s in &steps {
            apply(&mut c, s);
        }
        prop_assert_eq!(problems(&c), 0);
        // Every published row of the proposal tables, and one of them edited.
        let mut rows = Vec::new();
        for t in super::tables::TABLES.iter().filter(|t| t.name.starts_with("proposal")) {
            for (k, _) in super::docs_of(&c, t, 1).unwrap() {
                rows.push((t, k));
            }
        }
        prop_assume!(!rows.is_empty());
        let (t, k) = &rows[pick.index(rows.len())];
        let cols: Vec<String> = c
            .prepare(&format!("SELECT name FROM pragma_table_info('{}')", t.name))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect();
        let column = &cols[col.index(cols.len())];
        let key: serde_json::Value = serde_json::from_str(k).unwrap();
        let at: Vec<String> = t.key.iter().enumerate().map(|(i, k)| format!("{k} = ?{}", i + 1)).collect();
        let tx = c.transaction().unwrap();
        for name in tx
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'frozen_*'")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|x| x.unwrap())
            .collect::<Vec<_>>()
        {
            tx.execute_batch(&format!("DROP TRIGGER \"{name}\";")).unwrap();
        }
        let edited = [
            format!("{column} || 'x'"),
            format!("{column} + 1000003"),
            "'declined'".to_string(),
            "'open'".to_string(),
            "1".to_string(),
        ]
        .iter()
        .any(|e| {
            tx.execute(
                &format!(
                    "UPDATE {} SET {column} = {e} WHERE {} AND ({e}) IS NOT {column}",
                    t.name,
                    at.join(" AND ")
                ),
                rusqlite::params_from_iter(super::key_params(&key)),
            )
            .map(|n| n == 1)
            .unwrap_or(false)
        });
        prop_assume!(edited);
        prop_assert!(problems(&tx) > 0, "{}.{} edited, unnoticed", t.name, column);
    }
}

/// A published proposal with 2,400 comments: a ledger long enough to be
/// walked in parts (`verify::split`).
fn long_ledger() -> (tempfile::TempDir, Connection) {
    let (dir, mut c) = fresh();
    apply(&mut c, &Step::Draft(0));
    apply(&mut c, &Step::Publish(0));
    let tx = c.transaction().unwrap();
    let p = proposals::get(&tx, 1, 1).unwrap();
    for i in 0..2_400 {
        proposals::comment(&tx, &p, None, 1 + i % 3, &format!("第 {i} 条意见")).unwrap();
        super::flush(&tx).unwrap();
    }
    tx.commit().unwrap();
    (dir, c)
}

/// A ledger long enough to be walked in two parts on two connections
/// (`verify::split`) verifies as one: an edit on either side of the split,
/// of a row anchored on both sides, or of an entry itself, is caught.
#[test]
fn a_ledger_walked_in_two_parts_is_checked_as_one() {
    let (_dir, mut c) = long_ledger();
    // Anchored before the split, and again after it.
    apply(&mut c, &Step::Decline(0));
    assert!(
        super::verify::splits(&c, 1).unwrap(),
        "long enough to split"
    );
    let r = verify_community(&c, 1, "t".into()).unwrap();
    assert_eq!((r.problems, r.entries), (0, 2_402), "{:?}", r.all);
    for name in c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name GLOB 'frozen_*' OR name GLOB 'ledger_*')")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect::<Vec<_>>()
    {
        c.execute_batch(&format!("DROP TRIGGER \"{name}\";")).unwrap();
    }
    let seq_of = |c: &Connection, comment: i64| -> i64 {
        c.query_row(
            "SELECT seq FROM ledger WHERE payload LIKE '%\"key\":[' || ?1 || '],\"table\":\"proposal_comments\"%'",
            [comment],
            |r| r.get(0),
        )
        .unwrap()
    };
    // One edit before the split, one after, then the row on both sides.
    let edits = [
        (
            "UPDATE proposal_comments SET body = body || '改' WHERE id = 10",
            seq_of(&c, 10),
        ),
        (
            "UPDATE proposal_comments SET body = body || '改' WHERE id = 2300",
            seq_of(&c, 2300),
        ),
        (
            "UPDATE proposals SET title = '改过的标题' WHERE id = 1",
            2_402,
        ),
    ];
    for (n, (edit, seq)) in edits.iter().enumerate() {
        c.execute_batch(edit).unwrap();
        let r = verify_community(&c, 1, "t".into()).unwrap();
        assert_eq!(r.problems, n + 1, "{edit}: {:?}", r.all);
        assert!(
            r.all.iter().any(|b| b.seq == *seq),
            "{edit} names entry {seq}: {:?}",
            r.all
        );
        // Whichever side walks which part, the check finds the same.
        for k in 0..=2 {
            let (n, apart) = super::verify::split::walked_apart(&c, 1, "t", k)
                .unwrap()
                .expect("the parts meet");
            assert_eq!(n, 2_402, "{edit}, {k} parts here");
            assert_eq!(
                apart.iter().map(|b| (b.seq, &b.en)).collect::<Vec<_>>(),
                r.all.iter().map(|b| (b.seq, &b.en)).collect::<Vec<_>>(),
                "{edit}, {k} parts here"
            );
        }
    }
    // An entry after the split, altered: the chain breaks there.
    c.execute(
        "UPDATE ledger SET payload = replace(payload, '意见', '意思') WHERE seq = 2000",
        [],
    )
    .unwrap();
    let r = verify_community(&c, 1, "t".into()).unwrap();
    assert_eq!(r.broken.map(|b| b.seq), Some(2_000), "{:?}", r.all);
}

/// An entry numbered outside the chain (0 here; a repeated number once the
/// table is rebuilt without its UNIQUE constraint) is reported, not skipped.
#[test]
fn an_entry_outside_the_chain_is_reported() {
    let (_dir, mut c) = fresh();
    apply(&mut c, &Step::Draft(0));
    apply(&mut c, &Step::Publish(0));
    assert_eq!(problems(&c), 0);
    c.execute_batch(
        "INSERT INTO ledger (community_id, seq, at, kind, subject, payload, prev, hash)
         SELECT community_id, 0, at, 'vote.opened', 'vote:1', '{\"rows\":[],\"v\":2}', prev, hash
         FROM ledger WHERE community_id = 1 AND seq = 1;",
    )
    .unwrap();
    let r = verify_community(&c, 1, "t".into()).unwrap();
    let b = r.broken.expect("reported");
    assert_eq!(b.seq, 0);
    assert!(b.en.contains("outside the chain"), "{}", b.en);
}

/// A number given twice (the table rebuilt without its UNIQUE constraint),
/// the copy at the end of the table: whichever side walks the last part,
/// the chain breaks there and the check says so.
#[test]
fn a_number_given_twice_in_a_later_part_is_reported() {
    let (_dir, c) = long_ledger();
    assert!(super::verify::splits(&c, 1).unwrap());
    let sql: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'ledger'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let renamed = sql.replace("CREATE TABLE ledger", "CREATE TABLE ledger_bare");
    let bare = renamed.replace(",\n    UNIQUE (community_id, seq)", "");
    assert_ne!(bare, renamed, "{sql}");
    c.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON; {bare};
         INSERT INTO ledger_bare SELECT * FROM ledger; DROP TABLE ledger;
         ALTER TABLE ledger_bare RENAME TO ledger;
         CREATE INDEX ledger_seq_again ON ledger(community_id, seq);
         INSERT INTO ledger (community_id, seq, at, kind, subject, payload, prev, hash)
         SELECT community_id, seq, at, kind, subject, payload, prev, hash
         FROM ledger WHERE community_id = 1 AND seq = 5;"
    ))
    .unwrap();
    for k in 0..=2 {
        // The parts do not meet cleanly: the check walks everything again.
        assert!(
            super::verify::split::walked_apart(&c, 1, "t", k)
                .unwrap()
                .is_none(),
            "{k} parts here"
        );
    }
    let r = verify_community(&c, 1, "t".into()).unwrap();
    let b = r.broken.expect("the repeated entry is reported");
    assert_eq!(b.seq, 5, "{}", b.en);
}
