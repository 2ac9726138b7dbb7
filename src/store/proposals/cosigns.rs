//! Co-signatures (附议): one per account and proposal, withdrawn while the
//! proposal still collects them and given again if the resident changes
//! their mind. A co-signature is a published row: its withdrawal is a
//! change of that row, anchored by its own ledger entry.

use super::{Proposal, event, set_status};
use crate::domain::Msg;
use crate::domain::proposal::Status;
use crate::error::Error;
use crate::store::now;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// One co-signature; a second from the same account is refused, one given
/// again after a withdrawal counts again. Returns whether this one reached
/// the threshold.
pub fn cosign(tx: &Transaction, p: &Proposal, account: i64) -> Result<bool, Error> {
    if withdrawals(tx, p, account)? >= MAX_WITHDRAWALS {
        return Err(Error::Conflict(Msg::new(
            "你已三次撤回对这条提案的附议，不能再次附议",
            "you have withdrawn your co-signature of this proposal three times; it cannot be given again",
        )));
    }
    let done = tx.execute(
        "INSERT OR IGNORE INTO proposal_cosigns (proposal_id, account_id, created_at) VALUES (?1, ?2, ?3)",
        params![p.id, account, now()],
    )? + tx.execute(
        "UPDATE proposal_cosigns SET withdrawn_at = NULL
         WHERE proposal_id = ?1 AND account_id = ?2 AND withdrawn_at IS NOT NULL",
        params![p.id, account],
    )?;
    if done == 0 {
        return Err(Error::Conflict(Msg::new(
            "你已附议过这条提案",
            "you have already co-signed this proposal",
        )));
    }
    tx.execute(
        "UPDATE proposals SET cosigns = cosigns + 1 WHERE id = ?1",
        [p.id],
    )?;
    let reached = p.status == Status::Open && p.cosigns + 1 >= p.needed;
    if reached {
        set_status(tx, p.id, Status::Review)?;
        event(tx, p.id, "threshold", &format!("{}", p.cosigns + 1), None)?;
    }
    Ok(reached)
}

/// How often one account may take its co-signature back from one
/// proposal: each change is a ledger entry, and the ledger is not a toggle.
const MAX_WITHDRAWALS: i64 = 3;

/// The account's withdrawals from this proposal, as the ledger holds them.
fn withdrawals(tx: &Transaction, p: &Proposal, account: i64) -> Result<i64, Error> {
    let key = format!(
        "%\"key\":[{},{account}],\"table\":\"proposal_cosigns\"%",
        p.id
    );
    Ok(tx
        .prepare_cached(
            "SELECT count(*) FROM ledger WHERE community_id = ?1 AND subject = ?2
               AND kind = 'proposal.cosign_withdrawn' AND payload LIKE ?3",
        )?
        .query_row(
            params![
                p.community_id,
                crate::domain::Subject::Proposal(p.id).to_string(),
                key
            ],
            |r| r.get(0),
        )?)
}

/// Withdraws the account's co-signature, only while the proposal is open
/// for co-signing (once the threshold is reached it is with the committee,
/// and the signatures that took it there stand). The entry names the step.
pub fn withdraw(tx: &Transaction, p: &Proposal, account: i64) -> Result<(), Error> {
    if p.status != Status::Open {
        return Err(Error::Conflict(Msg::new(
            "这条提案已不在征集附议阶段，附议不能再撤回",
            "this proposal no longer collects co-signatures; a co-signature can no longer be withdrawn",
        )));
    }
    let done = tx.execute(
        "UPDATE proposal_cosigns SET withdrawn_at = ?3
         WHERE proposal_id = ?1 AND account_id = ?2 AND withdrawn_at IS NULL",
        params![p.id, account, now()],
    )?;
    if done == 0 {
        return Err(Error::Conflict(Msg::new(
            "你没有附议这条提案，或已经撤回",
            "you have not co-signed this proposal, or have already withdrawn",
        )));
    }
    tx.execute(
        "UPDATE proposals SET cosigns = cosigns - 1 WHERE id = ?1 AND cosigns > 0",
        [p.id],
    )?;
    crate::store::anchor::publish(
        tx,
        p.community_id,
        "proposal.cosign_withdrawn",
        &crate::domain::Subject::Proposal(p.id).to_string(),
    )?;
    Ok(())
}

/// Whether the account's co-signature stands (given and not withdrawn).
pub fn has_cosigned(conn: &Connection, proposal: i64, account: i64) -> Result<bool, Error> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM proposal_cosigns WHERE proposal_id = ?1 AND account_id = ?2 AND withdrawn_at IS NULL",
            params![proposal, account],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
