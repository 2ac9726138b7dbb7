//! A vote's advance notice (表决预告) in the record: whether one went out,
//! when and how far it reached; how many households a list of residents
//! makes; and what the vote's `vote.opened` entry stated about its notice.

use super::notices_record::{VoteReach, reach_by_place, split_msg};
use crate::domain::Msg;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, params};

/// The vote's advance notice with its reach now, if one went out.
pub fn advance(
    conn: &Connection,
    community_id: i64,
    vote_id: i64,
) -> Result<Option<VoteReach>, Error> {
    let first: Option<(i64, i64)> = conn
        .query_row(
            "SELECT id, created_at FROM notices WHERE community_id = ?1 AND subject = ?2
               AND kind = 'vote_advance' ORDER BY id LIMIT 1",
            params![community_id, format!("vote:{vote_id}")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((notice_id, notified_at)) = first else {
        return Ok(None);
    };
    let places = reach_by_place(conn, notice_id)?;
    Ok(Some(VoteReach {
        notice_id,
        notified_at,
        households: places.iter().map(|p| p.households).sum(),
        reached: places.iter().map(|p| p.reached).sum(),
        places,
    }))
}

/// The households the active residents `ids` live in.
pub fn households_of(conn: &Connection, ids: &[i64]) -> Result<i64, Error> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    Ok(conn.query_row(
        "SELECT count(DISTINCT household_id) FROM residents
         WHERE active = 1 AND id IN (SELECT value FROM json_each(?1))",
        [json],
        |r| r.get(0),
    )?)
}

/// What a `vote.opened` entry states of the notice before the opening
/// (`payload.notice`).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedNotice {
    pub notified_at: Option<i64>,
    pub households: i64,
    pub reached: i64,
    /// The owners' warning, as the entry recorded it.
    pub warning: Option<Msg>,
}

/// The notice facts of the vote's opening entry, if it has one with them.
pub fn opened_notice(
    conn: &Connection,
    community_id: i64,
    vote_id: i64,
) -> Result<Option<OpenedNotice>, Error> {
    let payload: Option<String> = conn
        .query_row(
            "SELECT payload FROM ledger WHERE community_id = ?1 AND subject = ?2
               AND kind = 'vote.opened' ORDER BY seq LIMIT 1",
            params![community_id, format!("vote:{vote_id}")],
            |r| r.get(0),
        )
        .optional()?;
    let Some(p) = payload.and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok()) else {
        return Ok(None);
    };
    let Some(n) = p.get("notice").filter(|n| n.is_object()) else {
        return Ok(None);
    };
    let int = |k: &str| n.get(k).and_then(|v| v.as_i64());
    Ok(Some(OpenedNotice {
        notified_at: int("notified_at"),
        households: int("households").unwrap_or(0),
        reached: int("reached").unwrap_or(0),
        warning: n.get("warning").and_then(|w| w.as_str()).map(split_msg),
    }))
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    fn notices_sql(c: &Connection) -> String {
        c.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'notices'",
            [],
            |r| r.get(0),
        )
        .unwrap_or_default()
    }

    /// The migration that lets `notices.kind` be `vote_advance` rebuilds
    /// the table: a database upgraded through it keeps every notice with
    /// its id, and the households and deliveries that point at them.
    #[test]
    fn upgrading_keeps_each_notice_with_its_households_and_deliveries() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "foreign_keys", "ON").unwrap();
        let m = crate::store::migrations::migrations();
        let mut v = 1;
        m.to_version(&mut c, v).unwrap();
        while !notices_sql(&c).contains("vote_opened") {
            v += 1;
            m.to_version(&mut c, v).unwrap();
        }
        c.execute_batch(
            "INSERT INTO communities (id, slug, name, kind, created_at) VALUES (1, 'x', 'X', 'village', 0);
             INSERT INTO zones (id, community_id, name) VALUES (1, 1, '一组');
             INSERT INTO households (id, community_id, zone_id, code) VALUES (1, 1, 1, 'H1'), (2, 1, 1, 'H2');
             INSERT INTO notices (id, community_id, kind, subject, title_zh, title_en, body_zh, body_en, path, created_at)
                 VALUES (7, 1, 'vote_opened', 'vote:3', '标题', 'title', '正文', 'body', '/c/x/votes/3', 100);
             INSERT INTO notice_households (notice_id, household_id, receipt, reached_at, reached_by)
                 VALUES (7, 1, 'r1', 150, 'paper'), (7, 2, 'r2', NULL, NULL);
             INSERT INTO deliveries (notice_id, community_id, household_id, channel, due_at)
                 VALUES (7, 1, 1, 'email', 100), (7, 1, 2, 'email', 100);",
        )
        .unwrap();
        let advance = "INSERT INTO notices (community_id, kind, subject, title_zh, title_en, body_zh, body_en, path, created_at)
            VALUES (1, 'vote_advance', 'vote:3', 'a', 'a', 'b', 'b', '/', 0)";
        while !notices_sql(&c).contains("vote_advance") {
            assert!(
                c.execute(advance, []).is_err(),
                "refused before its migration"
            );
            v += 1;
            m.to_version(&mut c, v).unwrap();
        }
        let kept: (i64, i64, i64) = c
            .query_row(
                "SELECT (SELECT count(*) FROM notices WHERE id = 7 AND kind = 'vote_opened' AND created_at = 100),
                        (SELECT count(*) FROM notice_households WHERE notice_id = 7),
                        (SELECT count(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.id = 7)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(kept, (1, 2, 2));
        let broken: i64 = c
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(broken, 0);
        c.execute(advance, []).unwrap();
        let idx: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'notices_subject'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(idx, 1, "the subject index is made again");
        // The rest of the migrations still run.
        m.to_latest(&mut c).unwrap();
    }
}
