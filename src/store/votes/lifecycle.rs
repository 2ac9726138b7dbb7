//! Opening a vote (the electorate frozen, the opening in the ledger) and
//! closing it (the tally stored and published with the recount file's hash).

use super::{Status, Vote, compute_electorate, conflicts, get};
use crate::domain::Msg;
use crate::domain::ledger::{self, Entry};
use crate::domain::vote::{RuleId, Tally};
use crate::domain::vote_export::{self, VoteExport};
use crate::error::Error;
use crate::store::vote_files::{Form, export};
use rusqlite::{Connection, Transaction, params};
use serde_json::{Value, json};

fn pseudonym(salt: &str, voter: &str) -> String {
    format!(
        "p-{}",
        &ledger::sha256_hex(format!("{salt}:{voter}").as_bytes())[..10]
    )
}

/// Opens a draft: freezes the electorate and records the opening in the ledger.
pub fn open(tx: &Transaction, v: &Vote) -> Result<Entry, Error> {
    if v.status != Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "这项表决已经开始了",
            "this vote has already opened",
        )));
    }
    let electors = compute_electorate(tx, v.community_id, &v.scope, v.rule, v.custom.as_ref())?;
    if electors.is_empty() {
        return Err(Error::Invalid(Msg::new(
            "这个范围内没有符合条件的选民，无法开始表决",
            "nobody in this scope may vote under this rule; the vote cannot open",
        )));
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO vote_electorate (vote_id, voter, pseudonym, label, dwellings, area_centi, household)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut mem = tx.prepare_cached(
        "INSERT INTO vote_members (vote_id, resident_id, voter) VALUES (?1, ?2, ?3)",
    )?;
    for e in &electors {
        ins.execute(params![
            v.id,
            e.voter,
            pseudonym(&v.salt, &e.voter),
            e.label,
            serde_json::to_string(&e.dwellings).unwrap_or_default(),
            e.area_centi,
            e.household
        ])?;
        for m in &e.members {
            mem.execute(params![v.id, m, e.voter])?;
        }
    }
    let now = crate::store::now();
    tx.execute(
        "UPDATE votes SET status = 'open', opens_at = min(opens_at, ?2) WHERE id = ?1",
        params![v.id, now],
    )?;
    // The notice date and reach figures, and the owners' 15-day warning.
    let owners = matches!(
        v.rule,
        RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary
    );
    let facts =
        crate::store::notices_record::vote_opened_facts(tx, v.community_id, v.id, owners, now)?;
    crate::store::anchor::publish_with(
        tx,
        v.community_id,
        "vote.opened",
        &format!("vote:{}", v.id),
        facts,
    )
}

/// What a closing entry states beyond the rows it anchors: the SHA-256 of
/// the recount file as it is downloaded. Built here at closing, and again
/// by `verify` from the current rows.
pub fn closed_derived(conn: &Connection, v: &Vote) -> Result<Value, Error> {
    Ok(json!({"export_sha256": crate::store::vote_files::export_sha256(conn, v)?}))
}

pub(super) fn electorate_digest(e: &VoteExport) -> String {
    ledger::digest(&serde_json::to_value(&e.electorate).unwrap_or(Value::Null))
}

pub(super) fn ballots_digest(e: &VoteExport) -> String {
    ledger::digest(&serde_json::to_value(&e.ballots).unwrap_or(Value::Null))
}

/// Closes a vote: computes the result from the frozen electorate and the
/// ballots, stores it and records it (with a hash of the ballot list) in the ledger.
pub fn close(tx: &Transaction, v: &Vote) -> Result<(Tally, Entry), Error> {
    if v.status != Status::Open {
        return Err(Error::Conflict(Msg::new(
            "这项表决不在进行中",
            "this vote is not open",
        )));
    }
    let c = conflicts(tx, v.id)?;
    if !c.is_empty() {
        return Err(Error::Conflict(Msg::new(
            format!("有 {} 位选民同时有网上和纸质选票，请先处理冲突", c.len()),
            format!(
                "{} voters have both an online and a paper ballot; resolve these first",
                c.len()
            ),
        )));
    }
    let now = crate::store::now();
    tx.execute(
        "UPDATE votes SET status = 'closed', closed_at = ?2 WHERE id = ?1",
        params![v.id, now],
    )?;
    let v = get(tx, v.community_id, v.id)?;
    let export = export(tx, &v, Form::Ledger)?;
    let tally = vote_export::recount(&export).map_err(Error::Invalid)?;
    tx.execute(
        "UPDATE votes SET result = ?2 WHERE id = ?1",
        params![v.id, serde_json::to_string(&tally).unwrap_or_default()],
    )?;
    // The recount file as it will be downloaded, result included.
    let v = get(tx, v.community_id, v.id)?;
    let entry = crate::store::anchor::publish_with(
        tx,
        v.community_id,
        "vote.closed",
        &format!("vote:{}", v.id),
        closed_derived(tx, &v)?,
    )?;
    Ok((tally, entry))
}
