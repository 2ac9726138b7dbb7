//! One MES run in floating point, exact in every decision.
//!
//! Every amount is kept as a float with a bound on its distance from the
//! exact value. Each rounding is charged `U·|result|` with `U` = 2⁻⁵⁰
//! (eight times the binary64 unit roundoff), a sum of `m` terms
//! `(m + 2)·U·Σ|term|` (the classical bound is `(m − 1)·2⁻⁵³·Σ|term|`), and
//! errors of operands add up. A comparison whose floats differ by more than
//! the summed bounds is decided; any other one is decided exactly
//! ([`super::exact`]). Ties between projects that no arithmetic can tell
//! apart (same supporters and cost, or nobody short of the price on either
//! side) are recognised without it.
//!
//! Projects are examined lazily: a price only rises as budgets fall, so a
//! price computed earlier is a lower bound, and a project is re-priced only
//! when some supporter paid since and its old price could still beat the
//! best one found.
//!
//! # How far the outcome holds
//!
//! Asked to look `horizon` units ahead, a run also reports `next`: for every
//! share up to `horizon` and short of `next` units above its own, MES funds
//! the same projects in the same order; `next` is 0 when that may fail
//! within one unit (the completion then adds one unit anyway). Along one
//! order of funding, every budget is a non-decreasing function of the share (by induction: a price,
//! the least `q` with `Σ min(budget, q) ≥ cost`, falls as budgets rise, and
//! what is left, `max(budget − q, 0)`, rises). So the funded project's ρ
//! can only fall, a funded project stays affordable, and what remains to be
//! checked is that no project passed over or dropped gets cheaper than the
//! funded one. For that each voter carries a bound on how fast its budget
//! can grow over the horizon: whoever added units each unit; after paying a
//! price `q`, whatever `q` can fall by per unit, which is at most
//! `Σ_poor weight × growth / full payers` (from `Σ min(b, q) = cost`:
//! raising the poor supporters' budgets by `h` lowers `q` by at most
//! `Σ h / full payers`). A voter who paid all it had holds nothing until
//! the shares have risen by its shortfall over its growth; if that is
//! beyond the horizon it holds nothing throughout.
//!
//! The funded project's ρ also falls at least at a sure rate: a voter
//! holding money pays the full price at every step, at every larger share,
//! and every price only falls, so its budget grows at least as fast as the
//! share; a poor payer who stays short of the price over the whole horizon
//! therefore lowers it by at least its weight × that growth / full payers.

use super::Q;
use super::election::{Election, U, to_f64};
use super::exact::{Exact, Priced};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// "Not yet": the step index of a project never funded, of a ballot whose
/// holder never paid its rest.
pub(super) const NONE: u32 = u32::MAX;

pub(super) struct Step {
    pub project: usize,
    /// Voters who paid the price in full.
    pub full: u64,
    /// Distinct ballots whose voters paid all they had left.
    pub poor: Vec<u32>,
}

/// What a run did, enough to recompute every amount exactly.
pub(super) struct Trace {
    pub steps: Vec<Step>,
    /// Per project, the step that funded it.
    pub funded_at: Vec<u32>,
    /// Per distinct ballot, the step at which it paid its rest.
    pub zeroed_at: Vec<u32>,
}

pub(super) struct Course {
    pub trace: Trace,
    pub exact: Exact,
    /// Units that can be added to every share, short of which (and within
    /// the horizon) the outcome is the same; 0 when not asked or when the
    /// outcome may change within one unit.
    pub next: f64,
    /// Comparisons the floats could not decide (the tests look).
    #[cfg_attr(not(test), allow(dead_code))]
    pub exact_decisions: u32,
}

/// A project's price in floats: per unit of cost (ρ) and per supporter.
#[derive(Clone, Default)]
pub(super) struct Entry {
    pub rho: f64,
    pub erho: f64,
    /// How fast ρ can fall per unit added to the shares, at most.
    pub speed: f64,
    pub q: f64,
    pub eq: f64,
    /// How fast the price per supporter can fall, at most.
    pub fall: f64,
    /// How fast ρ falls, at least, over the horizon.
    pub sure: f64,
    /// How fast the price per supporter falls, at least.
    pub sure_q: f64,
    /// Nobody short of the price: ρ is exactly 1 / `full`.
    pub nopoor: bool,
    pub full: u64,
    /// Set when the floats could not tell who is short of the price.
    pub exact: Option<Box<Priced>>,
}

/// A distinct ballot's state in a run, what pricing reads (32 bytes): its
/// budget, the error bound, a bound on its growth per unit added, its
/// multiplicity, and whether it still holds money.
#[derive(Clone, Copy)]
pub(super) struct Bal {
    pub b: f64,
    pub eb: f64,
    pub grow: f64,
    pub w: u32,
    pub held: bool,
}

/// The rest of a ballot's state: a lower bound on its growth per unit (0
/// once it paid its rest), and a lower bound on how far short of the price
/// it was then.
#[derive(Clone, Copy, Default)]
pub(super) struct Cold {
    pub low: f64,
    pub short: f64,
}

#[derive(Clone, Copy)]
pub(super) struct Sup {
    pub b: f64,
    pub eb: f64,
    pub w: f64,
    pub i: u32,
}

/// A heap key: a lower bound on the project's ρ, then the tie-break.
#[derive(Clone, Copy, PartialEq)]
struct Key {
    lo: f64,
    rank: u32,
    p: u32,
}

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        self.lo
            .total_cmp(&o.lo)
            .then(self.rank.cmp(&o.rank))
            .then(self.p.cmp(&o.p))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

pub(super) struct Run<'a> {
    pub e: &'a Election,
    pub trace: Trace,
    pub exact: Exact,
    pub bal: Vec<Bal>,
    pub cold: Vec<Cold>,
    /// Per project, its supporters still holding money (those who paid
    /// their rest are dropped on sight): `held[at[p]..at[p] + len[p]]`,
    /// copied from the election when the project is first priced in full.
    pub held: Vec<u32>,
    pub at: Vec<usize>,
    pub len: Vec<u32>,
    pub copied: Vec<bool>,
    /// Per project, Σ weight × growth over the supporters dropped.
    pub gone_grow: Vec<f64>,
    pub share: (f64, f64),
    alive: Vec<bool>,
    dirty: Vec<bool>,
    /// Some supporter has paid: budgets are no longer all the share.
    pub touched: Vec<bool>,
    ent: Vec<Entry>,
    heap: BinaryHeap<Reverse<Key>>,
    /// The supporters last priced, those short of the price first.
    pub buf: Vec<Sup>,
    pub npoor: usize,
    /// The horizon, when bounding how far the outcome holds.
    pub horizon: Option<f64>,
    pub next: f64,
    pub exact_decisions: u32,
}

/// One MES run with every voter's share `share` (in the common unit);
/// with a horizon, also bounds how far the outcome holds as shares grow.
pub(super) fn run(e: &Election, share: Q, horizon: Option<f64>) -> Course {
    let nb = e.ballots.len();
    let np = e.costs.len();
    let (s, es) = to_f64(&share);
    let (rate, erate) = to_f64(&Q::from_integer(e.scale.clone()));
    let mut run = Run {
        e,
        trace: Trace {
            steps: Vec::new(),
            funded_at: vec![NONE; np],
            zeroed_at: vec![NONE; nb],
        },
        exact: Exact::new(share),
        bal: e
            .weight
            .iter()
            .map(|&w| Bal {
                b: s,
                eb: es,
                grow: rate + erate,
                w,
                held: true,
            })
            .collect(),
        cold: vec![
            Cold {
                low: (rate - erate) * (1.0 - 4.0 * U),
                short: 0.0,
            };
            nb
        ],
        held: vec![0; e.offsets.last().copied().unwrap_or(0)],
        at: e.offsets.clone(),
        len: e.supporters.iter().map(|l| l.len() as u32).collect(),
        copied: vec![false; np],
        gone_grow: vec![0.0; np],
        share: (s, es),
        alive: vec![false; np],
        dirty: vec![true; np],
        touched: vec![false; np],
        ent: vec![Entry::default(); np],
        heap: BinaryHeap::with_capacity(e.considered.len()),
        buf: Vec::new(),
        npoor: 0,
        horizon,
        next: horizon.unwrap_or(0.0),
        exact_decisions: 0,
    };
    for &p in &e.considered {
        run.alive[p] = true;
        run.heap.push(Reverse(Key {
            lo: f64::NEG_INFINITY,
            rank: e.rank[p],
            p: p as u32,
        }));
    }
    while let Some(best) = run.best() {
        if run.noting() {
            run.note_passed_over(best);
        }
        run.fund(best);
    }
    // Once at most one unit, bounds stopped being kept (see `noting`): what
    // was noted so far need not be a bound, only "within one unit" is sure.
    let next = if run.next > 1.0 { run.next } else { 0.0 };
    Course {
        trace: run.trace,
        exact: run.exact,
        next,
        exact_decisions: run.exact_decisions,
    }
}

impl Run<'_> {
    /// Whether bounds are still worth keeping: the completion moves at
    /// least one unit anyway.
    pub fn noting(&self) -> bool {
        self.horizon.is_some() && self.next > 1.0
    }

    /// Keeps the nearest possible change: a comparison now at least
    /// `slack` from flipping, closing at most `speed` per unit added.
    pub fn note(&mut self, slack: f64, speed: f64) {
        if speed <= 0.0 {
            return;
        }
        let d = if slack > 0.0 {
            slack / speed * (1.0 - 8.0 * U)
        } else {
            0.0
        };
        if d < self.next {
            self.next = d;
        }
    }

    /// What a voter's budget can grow by per unit, on average from now
    /// over any part of the horizon: `max(0, grow·Δ − short)` is convex in
    /// Δ, so on [0, horizon] it lies below its chord, of slope
    /// `grow − short / horizon`.
    pub fn growth(&self, i: usize) -> f64 {
        let (g, short) = (self.bal[i].grow, self.cold[i].short);
        match self.horizon {
            Some(h) if short > 0.0 => (g - short / h * (1.0 - 4.0 * U)).max(0.0),
            _ => g,
        }
    }

    fn key(&self, p: usize) -> Key {
        let en = &self.ent[p];
        Key {
            lo: en.rho - en.erho,
            rank: self.e.rank[p],
            p: p as u32,
        }
    }

    /// The project funded next: least ρ, ties by id.
    fn best(&mut self) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut passed = Vec::new();
        while let Some(&Reverse(top)) = self.heap.peek() {
            if let Some(b) = best {
                let en = &self.ent[b];
                if top.lo > en.rho + en.erho {
                    break;
                }
            }
            self.heap.pop();
            let p = top.p as usize;
            if !self.alive[p] {
                continue;
            }
            if self.dirty[p] {
                match self.evaluate(p, false) {
                    Some(en) => {
                        self.ent[p] = en;
                        self.dirty[p] = false;
                    }
                    None => {
                        self.alive[p] = false;
                        continue;
                    }
                }
            }
            match best {
                Some(b) if !self.better(p, b) => passed.push(p),
                Some(b) => {
                    passed.push(b);
                    best = Some(p);
                }
                None => best = Some(p),
            }
        }
        for p in passed {
            let k = self.key(p);
            self.heap.push(Reverse(k));
        }
        best
    }

    /// Whether `a` goes before `b`: smaller ρ, or the same and a smaller id.
    fn better(&mut self, a: usize, b: usize) -> bool {
        let e = self.e;
        let tie = e.rank[a] < e.rank[b];
        let (x, y) = (&self.ent[a], &self.ent[b]);
        let d = x.rho - y.rho;
        let err = x.erho + y.erho + U * (x.rho.abs() + y.rho.abs());
        if d < -err {
            return true;
        }
        if d > err {
            return false;
        }
        if e.twin[a] == e.twin[b] {
            return tie;
        }
        if x.nopoor && y.nopoor {
            // ρ = 1 / (voters paying): more payers, lower ρ.
            return match x.full.cmp(&y.full) {
                Ordering::Equal => tie,
                o => o == Ordering::Greater,
            };
        }
        self.exact_decisions += 1;
        let (ra, rb) = (self.exact_rho(a), self.exact_rho(b));
        match ra.cmp(&rb) {
            Ordering::Equal => tie,
            o => o == Ordering::Less,
        }
    }

    /// Project `p`'s exact ρ now (its entry is fresh).
    fn exact_rho(&mut self, p: usize) -> Q {
        let e = self.e;
        let cost = Q::from_integer(e.costs[p].clone());
        if let Some(x) = &self.ent[p].exact {
            return &x.price / cost;
        }
        // Who is short of the price was decided in floats; recover it.
        let full = self.ent[p].full;
        let _ = self.evaluate(p, true);
        let poor: Vec<u32> = self.buf[..self.npoor].iter().map(|s| s.i).collect();
        let k = self.trace.steps.len();
        let held = self.exact.sum(e, &self.trace, k, &poor);
        (cost.clone() - held) / Q::from_integer(full.into()) / cost
    }

    /// Notes how soon a project passed over could get cheaper than `best`,
    /// whose ρ falls at least at its sure rate.
    fn note_passed_over(&mut self, best: usize) {
        let e = self.e;
        let hi = self.ent[best].rho + self.ent[best].erho;
        let sure = self.ent[best].sure;
        for &p in &e.considered {
            if !self.alive[p] || p == best || e.twin[p] == e.twin[best] {
                continue;
            }
            let x = &self.ent[p];
            let slack = (x.rho - x.erho - hi) * (1.0 - 4.0 * U);
            let speed = (x.speed - sure) * (1.0 + 4.0 * U);
            self.note(slack, speed);
            if !self.noting() {
                return;
            }
        }
    }

    /// Funds `p` at its fresh price: the poor pay what they have, the rest
    /// the price.
    fn fund(&mut self, p: usize) {
        let e = self.e;
        let en = std::mem::take(&mut self.ent[p]);
        let k = self.trace.steps.len() as u32;
        let mut poor = Vec::new();
        let mut exact_poor = en.exact.as_ref().map(|x| x.poor.clone());
        if let Some(list) = exact_poor.as_mut() {
            list.sort_unstable();
        }
        let list: &[u32] = if self.copied[p] {
            &self.held[self.at[p]..self.at[p] + self.len[p] as usize]
        } else {
            &e.supporters[p]
        };
        for &i in list {
            let x = self.bal[i as usize];
            if !x.held {
                continue;
            }
            let is_poor = match &exact_poor {
                Some(l) => l.binary_search(&i).is_ok(),
                None => x.b < en.q,
            };
            let grow = (self.growth(i as usize) + en.fall) * (1.0 + 4.0 * U);
            let y = &mut self.bal[i as usize];
            let z = &mut self.cold[i as usize];
            if is_poor {
                poor.push(i);
                self.trace.zeroed_at[i as usize] = k;
                z.short = ((en.q - en.eq) - (x.b + x.eb)).max(0.0) * (1.0 - 4.0 * U);
                z.low = 0.0;
                y.b = 0.0;
                y.eb = 0.0;
                y.held = false;
            } else {
                let b = x.b - en.q;
                z.low = (z.low + en.sure_q) * (1.0 - 4.0 * U);
                y.b = b;
                y.eb = x.eb + en.eq + U * b.abs();
            }
            y.grow = grow;
        }
        self.trace.steps.push(Step {
            project: p,
            full: en.full,
            poor,
        });
        self.trace.funded_at[p] = k;
        self.alive[p] = false;
        for &x in &e.neighbours[p] {
            self.dirty[x as usize] = true;
            self.touched[x as usize] = true;
        }
    }
}
