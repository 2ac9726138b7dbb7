//! The board's list, the supervisor's queue of unanswered threads and
//! whether a revision is public.

use super::*;
use crate::domain::disclosure::{Category, Period};
use crate::error::Error;
use rusqlite::{Connection, params};

/// One line of the board or of the supervisor's queue.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: i64,
    pub category: Category,
    pub period: Period,
    pub status: Status,
    pub title: String,
    pub rev: i64,
    pub published_at: Option<i64>,
    pub open_threads: i64,
}

pub struct Filter {
    pub category: Option<Category>,
    pub year: Option<i16>,
    pub q: String,
    /// Staff see drafts and reviews too.
    pub staff: bool,
}

/// The board: public sees each disclosure's published revision; staff also
/// see work in progress (with its working title).
pub fn list(conn: &Connection, community_id: i64, f: &Filter) -> Result<Vec<Line>, Error> {
    let like = format!("%{}%", f.q.trim().replace(['%', '_'], ""));
    // Without a search the revision's title and times come from the index
    // that holds them (M025): the table's rows sit after its 500-row
    // tables, whose overflow pages SQLite would otherwise walk for each.
    let (revisions, search) = if like == "%%" {
        (
            "disclosure_revisions r INDEXED BY disclosure_revisions_list",
            "?5 = '%%'",
        )
    } else {
        (
            "disclosure_revisions r",
            "(r.title LIKE ?5 OR r.explanation LIKE ?5 OR r.rows LIKE ?5)",
        )
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT d.id, d.category, d.period, d.status, r.title, r.rev, r.published_at,
                (SELECT count(*) FROM disclosure_threads t WHERE t.disclosure_id = d.id AND t.answer IS NULL)
         FROM disclosures d
         JOIN {revisions} ON r.disclosure_id = d.id
           AND r.rev = CASE WHEN ?2 THEN (SELECT max(rev) FROM disclosure_revisions x WHERE x.disclosure_id = d.id) ELSE d.published_rev END
         WHERE d.community_id = ?1
           AND (?3 IS NULL OR d.category = ?3)
           AND (?4 IS NULL OR substr(d.period, 1, 4) = ?4)
           AND {search}
         ORDER BY coalesce(r.published_at, r.created_at) DESC, d.id DESC"
    ))?;
    let v = st
        .query_map(
            params![
                community_id,
                f.staff,
                f.category.map(|c| c.as_str()),
                f.year.map(|y| y.to_string()),
                like
            ],
            |r| {
                let cat: String = r.get(1)?;
                let period: String = r.get(2)?;
                let status: String = r.get(3)?;
                Ok(Line {
                    id: r.get(0)?,
                    category: Category::parse(&cat).unwrap_or(Category::General),
                    period: Period::parse(&period).unwrap_or(Period::Year(2000)),
                    status: Status::parse(&status),
                    title: r.get(4)?,
                    rev: r.get(5)?,
                    published_at: r.get(6)?,
                    open_threads: r.get(7)?,
                })
            },
        )?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Unanswered queries and questions, oldest first: (disclosure, title, thread).
pub fn unanswered(
    conn: &Connection,
    community_id: i64,
) -> Result<Vec<(i64, String, Thread)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT d.id, r.title, t.id, t.kind, t.rev, t.row, t.text, t.author, t.asked_at
         FROM disclosure_threads t JOIN disclosures d ON d.id = t.disclosure_id
         JOIN disclosure_revisions r ON r.disclosure_id = d.id AND r.rev = t.rev
         WHERE d.community_id = ?1 AND t.answer IS NULL ORDER BY t.asked_at",
    )?;
    let v = st
        .query_map([community_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Thread {
                    id: r.get(2)?,
                    kind: crate::store::deliberations::code_at(r, 3)?,
                    rev: r.get(4)?,
                    row: r.get(5)?,
                    text: r.get(6)?,
                    author: r.get(7)?,
                    asked_at: r.get(8)?,
                    answer: None,
                    answered_at: None,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Is this revision public? (For attachments.)
pub fn revision_published(
    conn: &Connection,
    community_id: i64,
    id: i64,
    rev: i64,
) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM disclosure_revisions r JOIN disclosures d ON d.id = r.disclosure_id
             WHERE d.community_id = ?1 AND d.id = ?2 AND r.rev = ?3 AND r.published_at IS NOT NULL",
        )?
        .exists(params![community_id, id, rev])?)
}
