//! A Pabulib file staged as a finished round: the round and projects, the
//! ballots in chunks, read back and checked, then shown or removed.

use super::{Counted, NewRound, Project, create, election, get, get_any, store_results};
use crate::domain::Msg;
use crate::domain::ledger::Entry;
use crate::domain::pb_rules::Rule;
use crate::error::Error;
use crate::store::now;
use rusqlite::{Connection, Transaction, params};

/// A Pabulib file as a finished round: its projects (all feasible), its
/// ballots (voters keep the file's ids) and the result under `rule`.
/// Stages an imported round: the round (hidden while `imported = 2`) and its
/// projects. Returns the round and its projects' ids in file order. The
/// ballots follow in chunks ([`stage_ballots`]), then [`finish_import`].
pub fn stage_import(
    tx: &Transaction,
    community_id: i64,
    pb: &crate::domain::pabulib::PbFile,
    rule: Rule,
    by: i64,
) -> Result<(i64, Vec<i64>), Error> {
    use num_bigint::BigInt;
    use num_traits::ToPrimitive;
    let fen = |q: &crate::domain::pb_rules::Q| -> Result<i64, Error> {
        let f = q * crate::domain::pb_rules::Q::from_integer(BigInt::from(100));
        if !f.is_integer() {
            return Err(Error::Invalid(Msg::new(
                "金额最多两位小数",
                "amounts may have at most two decimals",
            )));
        }
        f.to_integer()
            .to_i64()
            .ok_or_else(|| Error::Invalid(Msg::new("金额过大", "an amount is too large")))
    };
    let inst = &pb.instance;
    let budget = fen(&inst.budget)?;
    if budget <= 0 {
        return Err(Error::Invalid(Msg::new(
            "预算须大于零",
            "the budget must be above zero",
        )));
    }
    let costs: Vec<i64> = inst.costs.iter().map(&fen).collect::<Result<_, _>>()?;
    let title = pb
        .meta("description")
        .map(str::to_string)
        .unwrap_or_else(|| "Pabulib".into());
    let n = NewRound {
        title: format!("{title}（导入 imported）"),
        description: pb
            .meta
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
        budget,
        min_cost: 0,
        max_cost: costs.iter().copied().max().unwrap_or(0).max(0),
        place: "community".into(),
        rule,
        max_approvals: None,
        collect_until: pb.meta("date_begin").unwrap_or("").to_string(),
        review_until: pb.meta("date_begin").unwrap_or("").to_string(),
        vote_until: pb.meta("date_end").unwrap_or("").to_string(),
    };
    let id = create(tx, community_id, &n, by)?;
    tx.execute(
        "UPDATE rounds SET imported = 2, phase = 'vote' WHERE id = ?1",
        [id],
    )?;
    let mut ids = Vec::new();
    for (p, cost) in costs.iter().enumerate() {
        let name = pb.project_field(p, "name").unwrap_or("").to_string();
        tx.execute(
            "INSERT INTO round_projects (round_id, code, title, proposed_cost, cost, review, created_at)
             VALUES (?1, ?2, ?3, ?4, ?4, 'feasible', ?5)",
            params![id, inst.ids[p], if name.is_empty() { inst.ids[p].clone() } else { name }, cost, now()],
        )?;
        ids.push(tx.last_insert_rowid());
    }
    Ok((id, ids))
}

/// Writes one chunk of an imported round's ballots.
pub fn stage_ballots(
    tx: &Transaction,
    round: i64,
    project_ids: &[i64],
    voters: &[String],
    ballots: &[Vec<usize>],
) -> Result<(), Error> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO round_ballots (round_id, voter, cast_at) VALUES (?1, ?2, ?3)",
    )?;
    let mut app =
        tx.prepare_cached("INSERT INTO round_approvals (ballot_id, project_id) VALUES (?1, ?2)")?;
    let at = now();
    for (v, ballot) in voters.iter().zip(ballots) {
        ins.execute(params![round, format!("pb:{v}"), at])?;
        let b = tx.last_insert_rowid();
        for &p in ballot {
            let pid = project_ids.get(p).ok_or_else(|| {
                Error::Invalid(Msg::new(
                    "选票里的项目不存在",
                    "a ballot names a project that does not exist",
                ))
            })?;
            app.execute(params![b, pid])?;
        }
    }
    Ok(())
}

/// A staged round read back off the writer (on a reader connection): the
/// election exactly as stored, checked against the count made for it.
pub struct Verified {
    open: Vec<Project>,
    voters: Vec<String>,
    counted: Counted,
}

/// Reads a staged round back and checks the count was made for exactly the
/// ballots stored; the heavy read stays off the writer.
pub fn verify_staged(
    conn: &Connection,
    community_id: i64,
    round: i64,
    counted: Counted,
) -> Result<Verified, Error> {
    let r = get_any(conn, community_id, round)?;
    let (open, inst, voters) = election(conn, &r)?;
    if inst != counted.inst {
        return Err(Error::Internal(format!(
            "round {round}: the ballots stored differ from the ballots counted"
        )));
    }
    Ok(Verified {
        open,
        voters,
        counted,
    })
}

/// Shows a staged round with its result: a short transaction.
pub fn finish_import(
    tx: &Transaction,
    community_id: i64,
    round: i64,
    v: Verified,
) -> Result<Entry, Error> {
    tx.execute(
        "UPDATE rounds SET phase = 'results', imported = 1 WHERE id = ?1 AND imported = 2",
        [round],
    )?;
    let r = get(tx, community_id, round)?;
    store_results(tx, &r, &v.open, &v.voters, v.counted)
}

/// Removes part of a staged round that will not be shown (a failed or
/// interrupted import); true while there is more to remove.
pub fn unstage_some(tx: &Transaction, round: i64) -> Result<bool, Error> {
    let n = tx.execute(
        "DELETE FROM round_approvals WHERE ballot_id IN
           (SELECT id FROM round_ballots WHERE round_id = ?1 LIMIT 2000)",
        [round],
    )?;
    let m = tx.execute(
        "DELETE FROM round_ballots WHERE id IN (SELECT id FROM round_ballots WHERE round_id = ?1 LIMIT 2000)",
        [round],
    )?;
    if n + m > 0 {
        return Ok(true);
    }
    tx.execute("DELETE FROM round_projects WHERE round_id = ?1", [round])?;
    tx.execute("DELETE FROM rounds WHERE id = ?1 AND imported = 2", [round])?;
    Ok(false)
}
