//! What every MES run reads, prepared once per instance: distinct ballots
//! with their multiplicity, supporters per project, amounts as whole
//! numbers of a common unit (exact, and as floats with their conversion
//! error), and the facts that let ties be recognised without arithmetic.

use super::{Instance, Q};
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive};
use std::collections::HashMap;

/// The unit roundoff used in every error bound: 2⁻⁵⁰, eight times that of
/// IEEE 754 binary64 (2⁻⁵³), so that the rounding of the bounds themselves
/// (a relative 2⁻⁵³ per operation, over far fewer than a million
/// operations) is covered several times over.
pub(super) const U: f64 = f64::EPSILON * 4.0;

/// `x` as a float and a bound on the conversion error.
pub(super) fn to_f64(x: &Q) -> (f64, f64) {
    let f = x.to_f64().unwrap_or(f64::INFINITY);
    (f, f.abs() * U)
}

pub(super) struct Election {
    pub voters: usize,
    /// Voters with the same ballot are alike to MES: each distinct ballot
    /// is counted once, with how many cast it.
    pub ballots: Vec<Vec<u32>>,
    pub weight: Vec<u32>,
    /// The distinct ballot each voter cast.
    pub ballot_of: Vec<u32>,
    /// Per project, the distinct ballots approving it.
    pub supporters: Vec<Vec<u32>>,
    /// Per project, how many voters approve it.
    pub backers: Vec<u64>,
    /// Where each project's supporters would start in one flat list (and
    /// its total length last).
    pub offsets: Vec<usize>,
    /// Positive cost and at least one supporter: what MES considers.
    pub considered: Vec<usize>,
    /// Zero cost and at least one supporter: funded before anything else.
    pub free: Vec<usize>,
    /// Money is counted in 1/scale of a unit so that every amount is whole.
    pub scale: BigInt,
    pub costs: Vec<BigInt>,
    pub budget: BigInt,
    pub cost_f: Vec<f64>,
    pub cost_e: Vec<f64>,
    /// Place of each project's id in lexicographic order (the tie-break).
    pub rank: Vec<u32>,
    /// Projects with the same supporters and the same cost share a twin
    /// number: their prices are equal at every step of every run.
    pub twin: Vec<u32>,
    /// Per project, the projects sharing a supporter with it (itself too).
    pub neighbours: Vec<Vec<u32>>,
}

impl Election {
    pub fn new(inst: &Instance) -> Self {
        let np = inst.ids.len();
        let (ballots, weight, ballot_of) = distinct_ballots(inst);
        let supporters = supporters_of(np, &ballots);
        let backers = supporters
            .iter()
            .map(|list| list.iter().map(|&i| u64::from(weight[i as usize])).sum())
            .collect();
        let offsets = std::iter::once(0)
            .chain(supporters.iter().scan(0, |acc, l: &Vec<u32>| {
                *acc += l.len();
                Some(*acc)
            }))
            .collect();
        let (considered, free) = considered_and_free(inst, &supporters);
        let scale = common_scale(inst);
        let whole = |q: &Q| (q * Q::from_integer(scale.clone())).to_integer();
        let costs: Vec<BigInt> = inst.costs.iter().map(whole).collect();
        let (cost_f, cost_e) = costs.iter().map(cost_float).unzip();
        Election {
            voters: inst.ballots.len(),
            neighbours: neighbours(np, &ballots),
            budget: whole(&inst.budget),
            rank: ranks(inst),
            twin: twins(&supporters, &costs),
            ballots,
            weight,
            ballot_of,
            supporters,
            backers,
            offsets,
            considered,
            free,
            scale,
            costs,
            cost_f,
            cost_e,
        }
    }

    /// The share of every voter at `added` whole units past budget ÷ voters,
    /// in the common unit.
    pub fn share(&self, added: u64) -> Q {
        Q::new(self.budget.clone(), BigInt::from(self.voters))
            + Q::from_integer(&self.scale * BigInt::from(added))
    }

    /// Whether funding `selected` (free projects included) spends more than
    /// the budget, and whether it leaves room for no considered project.
    pub fn feasible_exhaustive(&self, selected: &[usize]) -> (bool, bool) {
        let mut cost = BigInt::from(0);
        let mut chosen = vec![false; self.costs.len()];
        for &p in selected {
            cost += &self.costs[p];
            chosen[p] = true;
        }
        let feasible = cost <= self.budget;
        let left = &self.budget - &cost;
        let exhaustive = self
            .considered
            .iter()
            .all(|&p| chosen[p] || self.costs[p] > left);
        (feasible, exhaustive)
    }
}

/// The distinct ballots, how many voters cast each, and which one each
/// voter cast.
fn distinct_ballots(inst: &Instance) -> (Vec<Vec<u32>>, Vec<u32>, Vec<u32>) {
    let mut index: HashMap<&[usize], u32> = HashMap::new();
    let mut ballots: Vec<Vec<u32>> = Vec::new();
    let mut weight: Vec<u32> = Vec::new();
    let mut ballot_of = Vec::with_capacity(inst.ballots.len());
    for b in &inst.ballots {
        let i = *index.entry(b.as_slice()).or_insert_with(|| {
            ballots.push(b.iter().map(|&p| p as u32).collect());
            weight.push(0);
            (ballots.len() - 1) as u32
        });
        weight[i as usize] += 1;
        ballot_of.push(i);
    }
    (ballots, weight, ballot_of)
}

/// Per project, the distinct ballots approving it.
fn supporters_of(np: usize, ballots: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut supporters = vec![Vec::new(); np];
    for (i, b) in ballots.iter().enumerate() {
        for &p in b {
            supporters[p as usize].push(i as u32);
        }
    }
    supporters
}

/// The supported projects, split into those with a positive cost (what
/// MES considers) and the free ones.
fn considered_and_free(inst: &Instance, supporters: &[Vec<u32>]) -> (Vec<usize>, Vec<usize>) {
    let mut considered = Vec::new();
    let mut free = Vec::new();
    for (p, list) in supporters.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        if inst.costs[p].is_positive() {
            considered.push(p);
        } else {
            free.push(p);
        }
    }
    (considered, free)
}

/// The least common denominator of every cost and the budget.
fn common_scale(inst: &Instance) -> BigInt {
    inst.costs
        .iter()
        .chain(std::iter::once(&inst.budget))
        .fold(BigInt::one(), |acc, c| {
            num_integer::Integer::lcm(&acc, c.denom())
        })
}

/// A whole cost as a float and its conversion error.
fn cost_float(c: &BigInt) -> (f64, f64) {
    let f = c.to_f64().unwrap_or(f64::INFINITY);
    // Whole numbers below 2^53 convert exactly.
    let e = if f < 9.0e15 { 0.0 } else { f * U };
    (f, e)
}

/// Place of each project's id in lexicographic order.
fn ranks(inst: &Instance) -> Vec<u32> {
    let np = inst.ids.len();
    let mut order: Vec<usize> = (0..np).collect();
    order.sort_by(|&a, &b| inst.ids[a].cmp(&inst.ids[b]));
    let mut rank = vec![0u32; np];
    for (r, &p) in order.iter().enumerate() {
        rank[p] = r as u32;
    }
    rank
}

/// One number per (supporters, cost) pair: projects alike in both share it.
fn twins(supporters: &[Vec<u32>], costs: &[BigInt]) -> Vec<u32> {
    let mut twins: HashMap<(&[u32], &BigInt), u32> = HashMap::new();
    (0..supporters.len())
        .map(|p| {
            let next = twins.len() as u32;
            *twins
                .entry((supporters[p].as_slice(), &costs[p]))
                .or_insert(next)
        })
        .collect()
}

/// Per project, the projects that share a ballot with it.
fn neighbours(np: usize, ballots: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let words = np.div_ceil(64);
    let mut rows = vec![0u64; np * words];
    let mut mask = vec![0u64; words];
    for b in ballots {
        for &p in b {
            mask[p as usize / 64] |= 1 << (p % 64);
        }
        for &p in b {
            let row = &mut rows[p as usize * words..(p as usize + 1) * words];
            for (r, m) in row.iter_mut().zip(&mask) {
                *r |= m;
            }
        }
        for &p in b {
            mask[p as usize / 64] = 0;
        }
    }
    (0..np)
        .map(|p| {
            let row = &rows[p * words..(p + 1) * words];
            (0..np as u32)
                .filter(|&x| row[x as usize / 64] >> (x % 64) & 1 == 1)
                .collect()
        })
        .collect()
}
