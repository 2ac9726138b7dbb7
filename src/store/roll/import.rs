//! One roll import as one logical operation in short write transactions:
//! planned on a reader, staged a chunk per transaction (other people's
//! writes go in between), swapped in by one short transaction that checks
//! the roll did not change meanwhile, then the staged rows removed. Either the
//! swap commits, with the caller's own record of the import in the same
//! transaction, or nothing of the import is visible.

use super::Summary;
use super::plan::{self, Plan};
use super::staging::{self, Staged};
use crate::domain::roll::ParsedRoll;
use crate::error::Error;
use crate::store::{Db, roll_previews};
use rusqlite::Transaction;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to import, and where.
pub struct Import {
    pub community_id: i64,
    pub roll: Arc<ParsedRoll>,
    pub deactivate_missing: bool,
    /// The web preview being confirmed: its progress is kept there.
    pub preview: Option<i64>,
    /// Rows staged per transaction.
    pub chunk: usize,
}

/// What an import did, and what it cost the writer.
#[derive(Debug, Clone)]
pub struct Applied {
    pub summary: Summary,
    /// Write transactions it used (opening the stage, each chunk, the swap,
    /// the clean-up).
    pub writes: usize,
    /// The longest of them, from its start on the writer until the import
    /// heard back (so including its commit).
    pub longest: Duration,
}

/// Called after each staged chunk with the number of chunks written so far
/// (for tests: to write something in between, or to fail). An error stops
/// the import; nothing of it is visible.
pub type Between =
    Box<dyn FnMut(usize) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>> + Send>;

#[derive(Default)]
struct Cost {
    writes: usize,
    longest: Duration,
}

impl Cost {
    async fn write<T, F>(&mut self, db: &Db, what: &'static str, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T, Error> + Send + 'static,
    {
        let (v, started) = db
            .write(move |tx| {
                let started = Instant::now();
                Ok((f(tx)?, started))
            })
            .await?;
        let held = started.elapsed();
        self.writes += 1;
        self.longest = self.longest.max(held);
        tracing::debug!(
            what,
            held_ms = held.as_secs_f64() * 1000.0,
            "roll import write"
        );
        Ok(v)
    }
}

/// Plans on a read snapshot (the roll and its version together).
pub async fn plan_on_reader(
    db: &Db,
    community_id: i64,
    roll: Arc<ParsedRoll>,
    deactivate_missing: bool,
) -> Result<Plan, Error> {
    db.read(move |c| {
        let tx = c.unchecked_transaction()?;
        plan::plan(&tx, community_id, &roll, deactivate_missing)
    })
    .await
}

/// Runs an import. `finish` runs in the swap's transaction (mark the
/// preview applied, write the audit row): if it fails, nothing is imported.
pub async fn import<F>(
    db: &Db,
    job: Import,
    mut between: Option<Between>,
    finish: F,
) -> Result<Applied, Error>
where
    F: FnOnce(&Transaction, &Summary) -> Result<(), Error> + Send + 'static,
{
    let Import {
        community_id: cid,
        roll,
        deactivate_missing,
        preview,
        chunk,
    } = job;
    let chunk = chunk.max(1);
    let plan = Arc::new(plan_on_reader(db, cid, roll, deactivate_missing).await?);
    let total = plan.len();
    let mut cost = Cost::default();
    let stage = cost
        .write(db, "stage", move |tx| {
            let stage = staging::begin(tx, cid, preview)?;
            if let Some(id) = preview {
                roll_previews::progress(tx, id, 0, total)?;
            }
            Ok(stage)
        })
        .await?;
    let res = async {
        let (mut at, mut n) = (0, 0);
        while at < total {
            let end = (at + chunk).min(total);
            let p = plan.clone();
            cost.write(db, "chunk", move |tx| {
                staging::write_range(tx, stage, &p, at, end)?;
                if let Some(id) = preview {
                    roll_previews::progress(tx, id, end, total)?;
                }
                Ok(())
            })
            .await?;
            at = end;
            n += 1;
            if let Some(h) = between.as_mut() {
                h(n).await?;
            }
        }
        let staged = Staged::of(stage, &plan);
        let summary = plan.summary.clone();
        cost.write(db, "swap", move |tx| {
            staging::swap(tx, &staged)?;
            finish(tx, &summary)
        })
        .await
    }
    .await;
    // Staged rows are of no use any more, whatever happened.
    if let Err(e) = clear(db, stage, chunk, &mut cost).await {
        tracing::warn!(stage, error = %e, "could not remove a roll import's staged rows; they go at the next start");
    }
    res?;
    tracing::info!(
        community = cid,
        rows = total,
        writes = cost.writes,
        longest_ms = cost.longest.as_secs_f64() * 1000.0,
        "roll import written"
    );
    Ok(Applied {
        summary: plan.summary.clone(),
        writes: cost.writes,
        longest: cost.longest,
    })
}

async fn clear(db: &Db, stage: i64, chunk: usize, cost: &mut Cost) -> Result<(), Error> {
    // Deleting is cheaper than inserting: a few chunks' worth at a time.
    let limit = chunk.saturating_mul(4);
    while cost
        .write(db, "clear", move |tx| staging::clear_some(tx, stage, limit))
        .await?
    {}
    Ok(())
}

/// At start-up: imports a previous run left half-written are told so (their
/// previews can be confirmed again), and every staged row is removed.
pub async fn recover(db: &Db) -> Result<(), Error> {
    db.write(roll_previews::interrupted).await?;
    let stages = db.read(staging::stages).await?;
    let mut cost = Cost::default();
    for s in stages {
        clear(db, s, 2_000, &mut cost).await?;
    }
    Ok(())
}
