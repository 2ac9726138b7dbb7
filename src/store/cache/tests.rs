//! The caches on a real database file: when a write through the writer or
//! another connection's commit makes entries stale, kept pages and their
//! tokens, and the bounds on memory.

use super::*;

/// A database file with the watched tables, its writer connection and
/// caches watching it (the directory goes when dropped).
fn setup() -> (tempfile::TempDir, Connection, Caches) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE sessions (x); CREATE TABLE accounts (x);
         CREATE TABLE memberships (x); CREATE TABLE communities (x); CREATE TABLE other (x);
         CREATE TABLE dwellings (x); CREATE TABLE units (x); CREATE TABLE buildings (x);
         CREATE TABLE households (x); CREATE TABLE residents (x); CREATE TABLE zones (x);
         CREATE TABLE votes (id INTEGER PRIMARY KEY, status TEXT);
         CREATE TABLE ballots (vote_id, x); CREATE TABLE vote_electorate (vote_id, x);",
    )
    .unwrap();
    let c = Caches::new(Connection::open(&path).unwrap()).unwrap();
    c.watch(&conn).unwrap();
    (dir, conn, c)
}

/// One transaction of the writer: `sql`, committed, then its end seen.
fn write(conn: &Connection, c: &Caches, sql: &str) {
    conn.execute_batch(&format!("BEGIN IMMEDIATE; {sql}; COMMIT"))
        .unwrap();
    c.transaction_ended(conn);
}

#[test]
fn a_write_to_a_watched_table_makes_entries_stale_only_when_it_ends() {
    let (_dir, conn, c) = setup();
    let g = c.generation();
    let d = c.data();
    c.communities.put("a".into(), g, Arc::new(sample()));
    write(&conn, &c, "INSERT INTO other VALUES (1)");
    assert_eq!(c.generation(), g, "an unwatched table changes nothing");
    assert!(c.communities.get(&"a".into(), c.generation()).is_some());
    assert_eq!(c.data(), d + 1, "but what pages read is stale");
    conn.execute_batch(
        "BEGIN IMMEDIATE; UPDATE communities SET x = 2; INSERT INTO communities VALUES (1)",
    )
    .unwrap();
    assert_eq!(c.generation(), g, "not before the transaction ends");
    conn.execute_batch("COMMIT").unwrap();
    c.transaction_ended(&conn);
    assert_eq!(c.generation(), g + 1);
    assert!(c.communities.get(&"a".into(), c.generation()).is_none());
    write(&conn, &c, "INSERT INTO sessions VALUES (1)");
    assert_eq!(c.generation(), g + 2);
    write(&conn, &c, "DELETE FROM sessions");
    assert_eq!(c.generation(), g + 3);
    write(&conn, &c, "DELETE FROM sessions");
    assert_eq!(c.generation(), g + 3, "no row deleted, nothing changed");
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO accounts VALUES (1); ROLLBACK")
        .unwrap();
    c.transaction_ended(&conn);
    assert_eq!(c.generation(), g + 3, "rolled back, nothing changed");
}

#[test]
fn a_vote_list_is_stale_when_the_places_or_an_account_change() {
    let (_dir, conn, c) = setup();
    let r = c.roll();
    write(&conn, &c, "INSERT INTO other VALUES (1)");
    assert_eq!(c.roll(), r, "a ballot elsewhere leaves it good");
    write(&conn, &c, "INSERT INTO dwellings VALUES (1)");
    assert_eq!(c.roll(), r + 1, "a dwelling added");
    write(&conn, &c, "UPDATE households SET x = 2");
    assert_eq!(c.roll(), r + 1, "no row changed");
    write(&conn, &c, "UPDATE dwellings SET x = 2");
    assert_eq!(c.roll(), r + 2, "a dwelling moved");
    write(&conn, &c, "INSERT INTO accounts VALUES (1)");
    assert_eq!(c.roll(), r + 3, "an account renamed");
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO units VALUES (1); ROLLBACK")
        .unwrap();
    c.transaction_ended(&conn);
    assert_eq!(c.roll(), r + 3, "rolled back, nothing changed");
    let other = Connection::open(_dir.path().join("t.db")).unwrap();
    other.execute("INSERT INTO other VALUES (2)", []).unwrap();
    assert!(c.roll() > r + 3, "another connection committed");
}

#[test]
fn a_commit_by_another_connection_makes_everything_stale() {
    let (dir, conn, c) = setup();
    let other = Connection::open(dir.path().join("t.db")).unwrap();
    // Seen by the next look, with no write of the server's own.
    let (g, d) = (c.generation(), c.data());
    other.execute("INSERT INTO other VALUES (1)", []).unwrap();
    assert_eq!((c.generation(), c.data()), (g + 1, d + 1));
    assert_eq!((c.generation(), c.data()), (g + 1, d + 1), "once");
    // Committed just before a transaction of the writer, whose end
    // would otherwise take the watcher's new version for its own.
    other.execute("INSERT INTO other VALUES (2)", []).unwrap();
    write(&conn, &c, "INSERT INTO other VALUES (3)");
    assert_eq!(c.generation(), g + 2, "sessions stale too");
    // The writer's own commits leave sessions alone.
    write(&conn, &c, "INSERT INTO other VALUES (4)");
    assert_eq!(c.generation(), g + 2);
}

#[test]
fn a_transaction_that_changed_no_row_leaves_pages_good() {
    let (_dir, conn, c) = setup();
    write(&conn, &c, "INSERT INTO other VALUES (1)");
    let d = c.data();
    write(&conn, &c, "SELECT 1");
    write(&conn, &c, "UPDATE other SET x = 2 WHERE x = 99");
    assert_eq!(
        c.data(),
        d,
        "nothing written: a worker that found nothing to do"
    );
    write(&conn, &c, "UPDATE other SET x = 2 WHERE x = 1");
    assert_eq!(c.data(), d + 1, "one row changed");
    write(&conn, &c, "SELECT 1");
    assert_eq!(c.data(), d + 1);
}

#[test]
fn a_kept_page_gives_each_visitor_their_token_and_stays_in_budget() {
    let (_dir, _conn, c) = setup();
    let body = bytes::Bytes::from_static(b"<form>TOKENa</form><form>TOKENb</form>");
    let page = Rendered::cut(b"text/html".to_vec(), &body, "TOKEN");
    assert_eq!(page.with_token("XY"), b"<form>XYa</form><form>XYb</form>");
    let key = |i: usize| PageKey {
        path: format!("/c/a/{i}"),
        lang: 0,
        large: false,
        origin: String::new(),
    };
    let big = bytes::Bytes::from(vec![b'x'; RENDERED_BYTES / 16]);
    let d = c.data();
    for i in 0..40 {
        let p = Rendered::cut(Vec::new(), &big, "TOKEN");
        c.keep_rendered(key(i), d, Arc::new(p));
        let kept = c.rendered.lock().unwrap().bytes;
        assert!(kept <= RENDERED_BYTES, "{kept} bytes kept");
    }
    assert!(c.rendered(&key(39), d).is_some(), "the last one is kept");
    assert!(
        c.rendered(&key(39), d + 1).is_none(),
        "for its generation only"
    );
    let huge = bytes::Bytes::from(vec![b'x'; RENDERED_BYTES / 4]);
    c.keep_rendered(key(99), d, Arc::new(Rendered::cut(Vec::new(), &huge, "T")));
    assert!(c.rendered(&key(99), d).is_none(), "too long to keep");
}

#[test]
fn a_full_map_is_emptied_rather_than_grown() {
    let m: Memo<usize, usize> = Memo::new();
    for i in 0..CAP + 5 {
        m.put(i, 0, i);
    }
    assert!(m.len() <= CAP);
    assert_eq!(m.get(&(CAP + 4), 0), Some(CAP + 4));
    assert_eq!(m.get(&(CAP + 4), 1), None, "another generation");
}

fn sample() -> Community {
    Community {
        id: 1,
        slug: "a".into(),
        name: "a".into(),
        kind: super::super::communities::Kind::Compound,
        tz: "Asia/Shanghai".into(),
        contact_name: String::new(),
        contact_phone: String::new(),
        contact_address: String::new(),
        contact_hours: String::new(),
    }
}

#[test]
fn a_closed_votes_rows_and_the_register_have_their_own_counters() {
    let (_dir, conn, c) = setup();
    write(
        &conn,
        &c,
        "INSERT INTO votes VALUES (1, 'open'), (2, 'closed')",
    );
    let (r, g) = (c.roll(), c.register());
    write(&conn, &c, "INSERT INTO ballots VALUES (1, 'a')");
    assert_eq!(
        c.roll(),
        r,
        "a ballot of an open vote leaves the kept lists"
    );
    write(&conn, &c, "INSERT INTO ballots VALUES (2, 'a')");
    assert_eq!(c.roll(), r + 1, "a closed vote's ballot added");
    write(&conn, &c, "UPDATE vote_electorate SET x = 1");
    assert_eq!(c.roll(), r + 1, "no row changed");
    write(&conn, &c, "INSERT INTO vote_electorate VALUES (2, 'b')");
    write(&conn, &c, "DELETE FROM ballots WHERE vote_id = 2");
    assert_eq!(c.roll(), r + 3, "a closed vote's electorate and ballots");
    assert!(c.register() >= g + 3, "the register follows the roll");
    let g = c.register();
    write(&conn, &c, "INSERT INTO residents VALUES (1)");
    assert_eq!((c.roll(), c.register()), (r + 3, g + 1), "a resident");
    write(&conn, &c, "INSERT INTO zones VALUES (1)");
    assert_eq!(c.register(), g + 2, "a zone");
    write(&conn, &c, "INSERT INTO accounts VALUES (1)");
    assert_eq!(c.register(), g + 3, "an account (its login is listed)");
}

#[test]
fn a_memo_stays_within_its_bytes() {
    let m: Memo<usize, usize> = Memo::bounded(100, 1000, MAX_AGE);
    for i in 0..50 {
        m.put_sized(i, 0, i, 100);
        assert!(m.bytes() <= 1000, "{} bytes", m.bytes());
    }
    assert_eq!(m.get(&49, 0), Some(49), "the last one is kept");
    m.put_sized(7, 1, 7, 200);
    assert!(m.get(&48, 0).is_none(), "an older generation went first");
    assert_eq!(m.get(&7, 1), Some(7));
    m.put_sized(8, 1, 8, 251);
    assert!(m.get(&8, 1).is_none(), "over a quarter of the budget");
    m.remove(&7);
    assert_eq!(m.bytes(), 0);
}
