//! The Method of Equal Shares with cost utilities and the add-one
//! completion, as pabutools 1.2.3 computes it.

use super::election::Election;
use super::run::{Course, run};
use super::{Instance, Q};
use num_bigint::BigInt;
use num_traits::Zero;

/// One funded project in an MES run: its supporters split the cost equally,
/// except those whose share ran short, who pay all they have left.
#[derive(Debug, Clone, PartialEq)]
pub struct MesStep {
    pub project: usize,
    /// What each supporter who could afford it paid.
    pub price: Q,
    pub paid_in_full: usize,
    /// Supporters who paid all they had left (less than `price`).
    pub paid_rest: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MesOutcome {
    /// In the order MES chose them (zero-cost projects first).
    pub selected: Vec<usize>,
    pub steps: Vec<MesStep>,
    /// Each voter's share in the run that gave the outcome.
    pub share: Q,
    /// Whole currency units added to the starting share (budget ÷ voters).
    pub added: BigInt,
    /// MES runs computed on the way.
    pub runs: usize,
}

/// `equalshares/add1` with cost utilities.
pub fn mes(inst: &Instance) -> MesOutcome {
    mes_within(inst, None).unwrap_or_else(|| unreachable!("no deadline, no giving up"))
}

/// A course's projects in the order MES funded them, free ones first.
pub(super) fn funded(e: &Election, c: &Course) -> Vec<usize> {
    let mut selected = e.free.clone();
    selected.extend(c.trace.steps.iter().map(|s| s.project));
    selected
}

/// The outcome of the run at `added` units, with its exact prices.
fn outcome(e: &Election, mut c: Course, added: u64, runs: usize) -> MesOutcome {
    let k = c.trace.steps.len();
    let scale = Q::from_integer(e.scale.clone());
    let prices = c.exact.prices(e, &c.trace, k);
    let steps = c
        .trace
        .steps
        .iter()
        .zip(prices)
        .map(|(s, price)| MesStep {
            project: s.project,
            price: price / &scale,
            paid_in_full: s.full as usize,
            paid_rest: s.poor.iter().map(|&i| e.weight[i as usize] as usize).sum(),
        })
        .collect();
    MesOutcome {
        selected: funded(e, &c),
        steps,
        share: &c.exact.share / &scale,
        added: BigInt::from(added),
        runs,
    }
}

/// As [`mes`], but gives up (None) once `deadline` has passed between two
/// runs: a web request must answer before its timeout.
pub fn mes_within(inst: &Instance, deadline: Option<std::time::Instant>) -> Option<MesOutcome> {
    let n = inst.ballots.len();
    if n == 0 {
        return Some(MesOutcome {
            selected: vec![],
            steps: vec![],
            share: Q::zero(),
            added: BigInt::zero(),
            runs: 0,
        });
    }
    let e = Election::new(inst);
    let mut prev: Option<(Course, u64)> = None;
    let mut added: u64 = 0;
    let mut runs = 0;
    // How far ahead each run looks: four times as far while the outcome
    // holds that far, else twice as far as it held (but at least half).
    let mut horizon = 64.0;
    loop {
        let course = run(&e, e.share(added), Some(horizon));
        runs += 1;
        let (feasible, exhaustive) = e.feasible_exhaustive(&funded(&e, &course));
        if !feasible {
            return Some(match prev {
                Some((c, a)) => outcome(&e, c, a, runs),
                // Unreachable: the first run spends at most the budget.
                None => MesOutcome {
                    selected: e.free.clone(),
                    steps: vec![],
                    share: &inst.budget / Q::from_integer(BigInt::from(n)),
                    added: BigInt::zero(),
                    runs,
                },
            });
        }
        // Beyond 2^52 units: the same outcome for more units than
        // pabutools could ever add one by one.
        if exhaustive || course.next >= 4.5e15 {
            return Some(outcome(&e, course, added, runs));
        }
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return None;
        }
        // The first whole unit at or past the change, and at least one more.
        let jump = (course.next.ceil() as u64).max(1);
        horizon = if course.next >= horizon {
            horizon * 4.0
        } else {
            (2.0 * course.next).max(horizon / 2.0)
        }
        .max(2.0);
        prev = Some((course, added));
        added = added.saturating_add(jump);
    }
}
