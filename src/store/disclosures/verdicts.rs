//! The supervisor's verdict on an answered query: accepted, or queried
//! again (a new query on the same revision and row, which the committee
//! must answer before the disclosure can be resubmitted).

use super::*;
use crate::domain::Subject;
pub use crate::domain::disclosure::Verdict;
use crate::domain::ledger::Entry;

/// One verdict on a thread's answer.
#[derive(Debug, Clone)]
pub struct VerdictLine {
    pub thread_id: i64,
    pub verdict: Verdict,
    pub name: String,
    pub at: i64,
}

/// Every verdict on a disclosure's threads, oldest first.
pub fn verdicts(conn: &Connection, id: i64) -> Result<Vec<VerdictLine>, Error> {
    conn.prepare_cached(
        "SELECT thread_id, verdict, name, at FROM disclosure_verdicts WHERE disclosure_id = ?1 ORDER BY id",
    )?
    .query_map(params![id], |r| {
        let v: String = r.get(1)?;
        Ok(VerdictLine {
            thread_id: r.get(0)?,
            verdict: v.parse().unwrap_or(Verdict::Requeried),
            name: r.get(2)?,
            at: r.get(3)?,
        })
    })?
    .collect::<Result<_, _>>()
    .map_err(Into::into)
}

/// The answered query a verdict is on: a query of the working revision,
/// answered, with no verdict yet, while the disclosure is back with the
/// committee (queried) or under review again.
fn answered_query(
    tx: &Transaction,
    d: &Disclosure,
    thread: i64,
) -> Result<(i64, Option<i64>), Error> {
    let none = || {
        wrong_state(
            "没有这条待认可的答复",
            "there is no such answer awaiting a verdict",
        )
    };
    if !matches!(d.status, Status::Queried | Status::Review) {
        return Err(none());
    }
    let w = working(tx, d.id)?.ok_or_else(none)?;
    let found: Option<(i64, Option<i64>)> = tx
        .query_row(
            "SELECT t.rev, t.row FROM disclosure_threads t
             WHERE t.id = ?1 AND t.disclosure_id = ?2 AND t.kind = 'query' AND t.answer IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM disclosure_verdicts v WHERE v.thread_id = t.id)",
            params![thread, d.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        Some((rev, row)) if rev == w.rev => Ok((rev, row)),
        _ => Err(none()),
    }
}

fn record(
    tx: &Transaction,
    d: &Disclosure,
    thread: i64,
    verdict: Verdict,
    account: i64,
    name: &str,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO disclosure_verdicts (thread_id, disclosure_id, verdict, account_id, name, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            thread,
            d.id,
            verdict.as_str(),
            account,
            name,
            crate::store::now()
        ],
    )?;
    Ok(())
}

/// A supervisor accepts the committee's answer to a query.
pub fn accept(
    tx: &Transaction,
    d: &Disclosure,
    thread: i64,
    account: i64,
    name: &str,
) -> Result<Entry, Error> {
    answered_query(tx, d, thread)?;
    record(tx, d, thread, Verdict::Accepted, account, name)?;
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.answer_accepted",
        &Subject::Disclosure(d.id).to_string(),
    )
}

/// A supervisor finds an answer not enough and queries again: a new query
/// on the same revision and row; the disclosure goes back to the committee.
pub fn requery(
    tx: &Transaction,
    d: &Disclosure,
    thread: i64,
    account: i64,
    name: &str,
    text: &str,
) -> Result<Entry, Error> {
    let text = text_ok(text)?;
    let (rev, row) = answered_query(tx, d, thread)?;
    record(tx, d, thread, Verdict::Requeried, account, name)?;
    tx.execute(
        "INSERT INTO disclosure_threads (disclosure_id, kind, rev, row, text, author, asked_by, asked_at)
         VALUES (?1, 'query', ?2, ?3, ?4, ?5, ?6, ?7)",
        params![d.id, rev, row, text, name, account, crate::store::now()],
    )?;
    if d.status == Status::Review {
        set_status(tx, d.id, Status::Queried)?;
    }
    crate::store::anchor::publish(
        tx,
        d.community_id,
        "disclosure.requeried",
        &Subject::Disclosure(d.id).to_string(),
    )
}
