//! Outcome rules for micro-venture rounds (公益创投) on approval ballots:
//! `greedy` by approval count, and the Method of Equal Shares with cost
//! utilities and the add-one completion (`equalshares/add1`).
//!
//! pabutools 1.2.3 is the reference: `greedy_utilitarian_welfare(...,
//! sat_class=Cost_Sat)` and `method_of_equal_shares(..., sat_class=Cost_Sat,
//! voter_budget_increment=1)`, ties broken by project id in lexicographic
//! order. Every outcome is the exact one: MES compares amounts in floating
//! point with a proven bound on the rounding error ([`run`]) and settles any
//! comparison that bound cannot decide, ties included, in exact rationals
//! ([`exact`]); every amount it reports (prices, payments) is exact.
//!
//! pabutools completes MES by raising every voter's share one currency unit
//! at a time and rerunning. Here one run also reports a lower bound on the
//! share at which its course could first change (within one course every
//! budget is an affine function of the share), and the completion jumps
//! straight to the first whole unit at or past it ([`mes`]). The outcome is
//! the one the unit-by-unit loop reaches.

mod election;
mod exact;
mod greedy;
mod mes;
mod payments;
mod price;
mod run;
#[cfg(test)]
mod tests;

use num_rational::BigRational;
use num_traits::Zero;

pub use greedy::{GreedyStep, greedy, greedy_selected};
pub use mes::{MesOutcome, MesStep, mes, mes_within};
pub use payments::mes_payments;

pub type Q = BigRational;

/// An approval election: what both rules read.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub budget: Q,
    /// Project ids, in file order.
    pub ids: Vec<String>,
    pub costs: Vec<Q>,
    /// Approved project indices per voter, sorted and without repeats.
    pub ballots: Vec<Vec<usize>>,
}

impl Instance {
    pub fn approvals(&self) -> Vec<usize> {
        let mut n = vec![0; self.ids.len()];
        for b in &self.ballots {
            for &p in b {
                n[p] += 1;
            }
        }
        n
    }

    pub fn total(&self, selected: &[usize]) -> Q {
        selected
            .iter()
            .fold(Q::zero(), |acc, &p| acc + &self.costs[p])
    }

    /// Selected projects in file order.
    pub fn in_file_order(&self, selected: &[usize]) -> Vec<usize> {
        let mut v = selected.to_vec();
        v.sort_unstable();
        v
    }
}

/// The rule a round is decided by, chosen before voting opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Greedy,
    Mes,
}

impl Rule {
    pub fn parse(s: &str) -> Option<Rule> {
        match s.trim() {
            "greedy" => Some(Rule::Greedy),
            "mes" | "equalshares" | "equalshares/add1" => Some(Rule::Mes),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Greedy => "greedy",
            Rule::Mes => "mes",
        }
    }

    /// The funded projects, in file (index) order.
    pub fn select(self, inst: &Instance) -> Vec<usize> {
        let sel = match self {
            Rule::Greedy => greedy_selected(inst),
            Rule::Mes => mes(inst).selected,
        };
        inst.in_file_order(&sel)
    }
}
