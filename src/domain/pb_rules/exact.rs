//! Exact amounts of one MES run, computed only when asked for: when the
//! floating-point bound cannot decide a comparison, and for the prices and
//! payments a result reports.
//!
//! A run's record ([`Trace`]) says, for every step, which project was
//! funded, which supporters paid all they had left, and how many voters
//! paid the full price; every other supporter still holding money paid the
//! price. So a voter's budget before step `k` is the share minus the prices
//! of the steps before `k` at which it paid in full (or nothing, once it
//! has paid its rest), and the price of step `j` is
//! `(cost − what its poor supporters had) / (voters paying in full)`.
//! Sums of budgets are taken as `W · share − Σ_j n_j · price_j` with whole
//! counts `n_j`, so an exact sum costs one rational operation per step.

use super::Q;
use super::election::Election;
use super::run::{NONE, Trace};
use num_bigint::BigInt;
use num_traits::Zero;

pub(super) struct Exact {
    /// Every voter's share at the start of the run, in the common unit.
    pub share: Q,
    /// Exact prices of the first steps, in the common unit.
    prices: Vec<Q>,
    counts: Vec<u64>,
}

/// A project's exact price before some step: the price, the supporters who
/// pay all they have left (less than the price), and how many voters pay
/// the price in full.
#[derive(Clone)]
pub(super) struct Priced {
    pub price: Q,
    pub poor: Vec<u32>,
    pub full: u64,
}

fn whole(n: u64) -> Q {
    Q::from_integer(BigInt::from(n))
}

impl Exact {
    pub fn new(share: Q) -> Self {
        Exact {
            share,
            prices: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// The exact prices of steps `0..k`.
    pub fn prices(&mut self, e: &Election, tr: &Trace, k: usize) -> &[Q] {
        self.ensure(e, tr, k);
        &self.prices[..k]
    }

    fn ensure(&mut self, e: &Election, tr: &Trace, k: usize) {
        while self.prices.len() < k {
            let j = self.prices.len();
            let step = &tr.steps[j];
            let poor = self.sum_known(e, tr, j, &step.poor);
            let price = (Q::from_integer(e.costs[step.project].clone()) - poor) / whole(step.full);
            self.prices.push(price);
        }
    }

    /// Σ multiplicity × budget before step `k` of distinct ballots `list`;
    /// the prices of the steps before `k` must be known.
    fn sum_known(&mut self, e: &Election, tr: &Trace, k: usize, list: &[u32]) -> Q {
        let counts = &mut self.counts;
        counts.clear();
        counts.resize(k, 0);
        let mut holders = 0u64;
        for &i in list {
            let i = i as usize;
            if (tr.zeroed_at[i] as usize) < k {
                continue; // paid its rest before step k: holds nothing
            }
            let w = u64::from(e.weight[i]);
            holders += w;
            for &p in &e.ballots[i] {
                let j = tr.funded_at[p as usize];
                if j != NONE && (j as usize) < k {
                    counts[j as usize] += w;
                }
            }
        }
        let mut sum = &self.share * whole(holders);
        for (price, &n) in self.prices.iter().zip(counts.iter()) {
            if n > 0 {
                sum -= price * whole(n);
            }
        }
        sum
    }

    /// Σ multiplicity × budget before step `k` of distinct ballots `list`.
    pub fn sum(&mut self, e: &Election, tr: &Trace, k: usize, list: &[u32]) -> Q {
        self.ensure(e, tr, k);
        self.sum_known(e, tr, k, list)
    }

    /// Project `p`'s price before step `k`, from exact budgets; None if its
    /// supporters cannot pay for it.
    pub fn water_level(&mut self, e: &Election, tr: &Trace, k: usize, p: usize) -> Option<Priced> {
        self.ensure(e, tr, k);
        let mut held: Vec<(Q, u32)> = Vec::new();
        for &i in &e.supporters[p] {
            if (tr.zeroed_at[i as usize] as usize) < k {
                continue;
            }
            held.push((
                self.sum_known(e, tr, k, &[i]) / whole(u64::from(e.weight[i as usize])),
                i,
            ));
        }
        held.sort();
        let cost = Q::from_integer(e.costs[p].clone());
        let mut paid = Q::zero();
        let mut left: u64 = held
            .iter()
            .map(|&(_, i)| u64::from(e.weight[i as usize]))
            .sum();
        let mut poor = Vec::new();
        for (b, i) in held {
            let w = u64::from(e.weight[i as usize]);
            // As pabutools: a supporter who holds the price pays it.
            if &cost - &paid <= &b * whole(left) {
                return Some(Priced {
                    price: (cost - paid) / whole(left),
                    poor,
                    full: left,
                });
            }
            paid += b * whole(w);
            left -= w;
            poor.push(i);
        }
        None
    }
}
