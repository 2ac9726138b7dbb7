//! Outcome rules for micro-venture rounds (公益创投) on approval ballots:
//! `greedy` by approval count, and the Method of Equal Shares with cost
//! utilities and the add-one completion (`equalshares/add1`).
//!
//! pabutools 1.2.3 is the reference: `greedy_utilitarian_welfare(...,
//! sat_class=Cost_Sat)` and `method_of_equal_shares(..., sat_class=Cost_Sat,
//! voter_budget_increment=1)`, ties broken by project id in lexicographic
//! order. Everything is exact (big rationals), never floats.
//!
//! pabutools completes MES by raising every voter's share one currency unit
//! at a time and rerunning. Here one run also reports the smallest share at
//! which any comparison it made would come out differently (every budget is
//! an affine function of the share while the run's structure stays the
//! same), and the completion jumps straight to the first whole unit at or
//! past that point. The outcome is the one the unit-by-unit loop reaches.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;
use std::collections::HashMap;

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

/// One project's turn in the greedy order.
#[derive(Debug, Clone, PartialEq)]
pub struct GreedyStep {
    pub project: usize,
    pub approvals: usize,
    pub funded: bool,
    /// Budget left after this project was funded or skipped.
    pub left: Q,
}

/// Projects by approval count (ties: id), each funded if it still fits.
pub fn greedy(inst: &Instance) -> Vec<GreedyStep> {
    let approvals = inst.approvals();
    let mut order: Vec<usize> = (0..inst.ids.len()).collect();
    order.sort_by(|&a, &b| {
        approvals[b]
            .cmp(&approvals[a])
            .then_with(|| inst.ids[a].cmp(&inst.ids[b]))
    });
    let mut left = inst.budget.clone();
    order
        .into_iter()
        .map(|p| {
            let funded = inst.costs[p] <= left;
            if funded {
                left -= &inst.costs[p];
            }
            GreedyStep {
                project: p,
                approvals: approvals[p],
                funded,
                left: left.clone(),
            }
        })
        .collect()
}

pub fn greedy_selected(inst: &Instance) -> Vec<usize> {
    greedy(inst)
        .into_iter()
        .filter(|s| s.funded)
        .map(|s| s.project)
        .collect()
}

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
    mes_within(inst, None).expect("no deadline")
}

/// As [`mes`], but gives up (None) once `deadline` has passed between two
/// runs: a web request must answer before its timeout.
pub fn mes_within(inst: &Instance, deadline: Option<std::time::Instant>) -> Option<MesOutcome> {
    let n = inst.ballots.len();
    let empty = |share: Q| MesOutcome {
        selected: vec![],
        steps: vec![],
        share,
        added: BigInt::zero(),
        runs: 0,
    };
    if n == 0 {
        return Some(empty(Q::zero()));
    }
    let engine = Engine::new(inst);
    let b0 = &inst.budget / Q::from_integer(BigInt::from(n));
    let mut prev = MesOutcome {
        selected: engine.free.clone(),
        ..empty(b0.clone())
    };
    let mut added = BigInt::zero();
    let mut runs = 0;
    loop {
        let (steps, next) = engine.run(&added);
        runs += 1;
        let mut selected = engine.free.clone();
        selected.extend(steps.iter().map(|s| s.project));
        let cost = inst.total(&selected);
        let outcome = MesOutcome {
            selected,
            steps,
            share: &b0 + Q::from_integer(added.clone()),
            added: added.clone(),
            runs,
        };
        if cost > inst.budget {
            return Some(MesOutcome { runs, ..prev });
        }
        if engine.exhaustive(&outcome.selected, &cost) {
            return Some(outcome);
        }
        let Some(next) = next else {
            // Nothing this run compared would ever come out differently:
            // a larger share gives the same outcome forever.
            return Some(outcome);
        };
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return None;
        }
        prev = outcome;
        // The first whole unit at or past the change, and at least one more.
        let jump = Q::new(next.0, next.1).ceil().to_integer();
        added += if jump > BigInt::one() {
            jump
        } else {
            BigInt::one()
        };
    }
}

/// How far (in currency units added to every share) until a comparison
/// changes sign: `a / b`, with `b > 0`.
type Delta = (BigInt, BigInt);

/// Keeps the nearest change: `slack` now, growing by `rate` per unit added.
fn note(next: &mut Option<Delta>, slack: BigInt, rate: BigInt) {
    if rate.is_zero() {
        return;
    }
    if !slack.is_zero() && slack.is_positive() == rate.is_positive() {
        return;
    }
    let d = if rate.is_positive() {
        (-slack, rate)
    } else {
        (slack, -rate)
    };
    if next.as_ref().is_none_or(|n| &d.0 * &n.1 < &n.0 * &d.1) {
        *next = Some(d);
    }
}

struct Engine<'a> {
    inst: &'a Instance,
    /// Voters with the same ballot are alike to MES: each distinct ballot
    /// is counted once, with how many cast it.
    ballots: Vec<&'a [usize]>,
    weight: Vec<u32>,
    /// Per project, the distinct ballots approving it.
    supporters: Vec<Vec<u32>>,
    /// Per project, how many voters approve it.
    backers: Vec<u32>,
    /// Positive cost and at least one supporter: what MES considers.
    considered: Vec<usize>,
    /// Zero cost and at least one supporter: funded before anything else.
    free: Vec<usize>,
    /// Money is counted in 1/scale of a unit so that every amount is whole.
    scale: BigInt,
    costs: Vec<BigInt>,
    budget: BigInt,
}

/// How many voters of each class approve one project: a short list of
/// (class, count) with a dense index by class, so moving voters between
/// classes needs no hashing.
#[derive(Clone, Default)]
struct Holdings {
    list: Vec<(u32, u32)>,
    /// `pos[class]` is the class's place in `list` plus one; 0 if absent.
    pos: Vec<u32>,
}

impl Holdings {
    fn add(&mut self, class: u32, count: u32) {
        let k = class as usize;
        if self.pos.len() <= k {
            self.pos.resize(k + 1, 0);
        }
        match self.pos[k] {
            0 => {
                self.list.push((class, count));
                self.pos[k] = self.list.len() as u32;
            }
            i => self.list[i as usize - 1].1 += count,
        }
    }

    fn take(&mut self, class: u32, count: u32) {
        let k = class as usize;
        let i = match self.pos.get(k) {
            Some(&i) if i > 0 => i as usize - 1,
            _ => return,
        };
        self.list[i].1 -= count;
        if self.list[i].1 == 0 {
            self.pos[k] = 0;
            self.list.swap_remove(i);
            if let Some(&(moved, _)) = self.list.get(i) {
                self.pos[moved as usize] = i as u32 + 1;
            }
        }
    }
}

/// A project's price in one step: each supporter who can pays
/// `num / (left · den)`, which grows by `rate / (left · den)` per unit added.
struct Offer {
    project: usize,
    num: BigInt,
    rate: BigInt,
    left: u64,
    poor: Vec<u32>,
}

impl<'a> Engine<'a> {
    fn new(inst: &'a Instance) -> Self {
        let mut index: HashMap<&[usize], u32> = HashMap::new();
        let mut ballots: Vec<&[usize]> = Vec::new();
        let mut weight: Vec<u32> = Vec::new();
        for b in &inst.ballots {
            let i = *index.entry(b.as_slice()).or_insert_with(|| {
                ballots.push(b.as_slice());
                weight.push(0);
                (ballots.len() - 1) as u32
            });
            weight[i as usize] += 1;
        }
        let mut supporters = vec![Vec::new(); inst.ids.len()];
        let mut backers = vec![0u32; inst.ids.len()];
        for (i, b) in ballots.iter().enumerate() {
            for &p in b.iter() {
                supporters[p].push(i as u32);
                backers[p] += weight[i];
            }
        }
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
        let scale = inst
            .costs
            .iter()
            .chain(std::iter::once(&inst.budget))
            .fold(BigInt::one(), |acc, c| {
                num_integer::Integer::lcm(&acc, c.denom())
            });
        let whole = |q: &Q| (q * Q::from_integer(scale.clone())).to_integer();
        Engine {
            costs: inst.costs.iter().map(whole).collect(),
            budget: whole(&inst.budget),
            scale,
            inst,
            ballots,
            weight,
            supporters,
            backers,
            considered,
            free,
        }
    }

    fn exhaustive(&self, selected: &[usize], cost: &Q) -> bool {
        self.considered
            .iter()
            .all(|p| selected.contains(p) || cost + &self.inst.costs[*p] > self.inst.budget)
    }

    /// One MES run with every voter starting at budget ÷ voters + `added`.
    /// Returns the funded projects and how much more would change the run.
    ///
    /// Every amount is an integer over one common denominator `den`, which
    /// grows by the number of payers each time a project is funded; beside
    /// each amount runs its rate of change per unit added to the shares.
    fn run(&self, added: &BigInt) -> (Vec<MesStep>, Option<Delta>) {
        let inst = self.inst;
        let n = inst.ballots.len();
        let n_big = BigInt::from(n);
        let mut den = n_big.clone();
        // Voters with the same budget history share a class; class 0 holds
        // those with nothing left, who are left out of every count.
        let mut val: Vec<BigInt> =
            vec![BigInt::zero(), &self.budget + added * &self.scale * &n_big];
        let mut rate: Vec<BigInt> = vec![BigInt::zero(), &self.scale * &n_big];
        let mut pop: Vec<u64> = vec![0, n as u64];
        // Per distinct ballot.
        let mut class_of: Vec<u32> = vec![1; self.ballots.len()];
        let mut counts: Vec<Holdings> = vec![Holdings::default(); inst.ids.len()];
        let mut alive = vec![false; inst.ids.len()];
        for &p in &self.considered {
            counts[p].add(1, self.backers[p]);
            alive[p] = true;
        }
        let mut rank: Vec<u32> = vec![0; 2];
        let mut next: Option<Delta> = None;
        let mut steps = Vec::new();
        loop {
            let mut live: Vec<u32> = (1..val.len() as u32)
                .filter(|&k| pop[k as usize] > 0)
                .collect();
            live.sort_by(|&a, &b| val[a as usize].cmp(&val[b as usize]));
            rank.resize(val.len(), 0);
            for (i, &k) in live.iter().enumerate() {
                rank[k as usize] = i as u32;
            }
            let mut offers: Vec<Offer> = Vec::new();
            for &p in &self.considered {
                if !alive[p] {
                    continue;
                }
                let mut held: Vec<(u32, u32)> = counts[p].list.clone();
                held.sort_unstable_by_key(|&(k, _)| rank[k as usize]);
                let cost = &self.costs[p] * &den;
                let mut avail = BigInt::zero();
                let mut avail_rate = BigInt::zero();
                for &(k, c) in &held {
                    avail += &val[k as usize] * c;
                    avail_rate += &rate[k as usize] * c;
                }
                let slack = &avail - &cost;
                let short = slack.is_negative();
                note(&mut next, slack, avail_rate);
                if short {
                    alive[p] = false;
                    continue;
                }
                let mut left: u64 = held.iter().map(|&(_, c)| u64::from(c)).sum();
                let mut paid = BigInt::zero();
                let mut paid_rate = BigInt::zero();
                let mut poor = Vec::new();
                let mut offer = None;
                for &(k, c) in &held {
                    let num = &cost - &paid;
                    if num <= &val[k as usize] * left {
                        offer = Some(Offer {
                            project: p,
                            num,
                            rate: -&paid_rate,
                            left,
                            poor: std::mem::take(&mut poor),
                        });
                        break;
                    }
                    paid += &val[k as usize] * c;
                    paid_rate += &rate[k as usize] * c;
                    left -= u64::from(c);
                    poor.push(k);
                }
                let Some(offer) = offer else {
                    // Unreachable: the supporters hold at least the cost.
                    alive[p] = false;
                    continue;
                };
                for &(k, _) in &held {
                    let k = k as usize;
                    note(
                        &mut next,
                        &val[k] * offer.left - &offer.num,
                        &rate[k] * offer.left - &offer.rate,
                    );
                }
                offers.push(offer);
            }
            // Lowest price per unit of cost (ρ); ties by project id.
            let per_cost = |o: &Offer| &self.costs[o.project] * o.left;
            let Some(best_i) = (0..offers.len()).min_by(|&a, &b| {
                let (oa, ob) = (&offers[a], &offers[b]);
                (&oa.num * per_cost(ob))
                    .cmp(&(&ob.num * per_cost(oa)))
                    .then_with(|| inst.ids[oa.project].cmp(&inst.ids[ob.project]))
            }) else {
                break;
            };
            let best = offers.swap_remove(best_i);
            let lb = per_cost(&best);
            for o in &offers {
                let lo = per_cost(o);
                note(
                    &mut next,
                    &o.num * &lb - &best.num * &lo,
                    &o.rate * &lb - &best.rate * &lo,
                );
            }
            let s = best.project;
            alive[s] = false;
            // Every amount moves to the new denominator den · left.
            let r = best.left;
            for &k in &live {
                val[k as usize] *= r;
                rate[k as usize] *= r;
            }
            den *= r;
            let mut poor = vec![false; val.len()];
            for &k in &best.poor {
                poor[k as usize] = true;
            }
            let mut moved: Vec<u32> = vec![u32::MAX; val.len()];
            let (mut paid_in_full, mut paid_rest) = (0, 0);
            for &(k, c) in &counts[s].list {
                let new = if poor[k as usize] {
                    paid_rest += c as usize;
                    0
                } else {
                    paid_in_full += c as usize;
                    val.push(&val[k as usize] - &best.num);
                    rate.push(&rate[k as usize] - &best.rate);
                    pop.push(0);
                    (val.len() - 1) as u32
                };
                moved[k as usize] = new;
            }
            for &i in &self.supporters[s] {
                let i = i as usize;
                let old = class_of[i];
                let new = moved[old as usize];
                if new == u32::MAX {
                    continue; // already had nothing left
                }
                let w = self.weight[i];
                class_of[i] = new;
                pop[old as usize] -= u64::from(w);
                pop[new as usize] += u64::from(w);
                for &p in self.ballots[i] {
                    if alive[p] {
                        counts[p].take(old, w);
                        if new != 0 {
                            counts[p].add(new, w);
                        }
                    }
                }
            }
            steps.push(MesStep {
                project: s,
                price: Q::new(best.num, &den * &self.scale),
                paid_in_full,
                paid_rest,
            });
        }
        (steps, next)
    }
}

/// What each voter paid for each project in one plain MES run at `share`
/// (no completion): `payments[voter]` lists (project, amount). Written
/// straight from the definition, voter by voter; used to explain a result
/// and to check the fast run.
pub fn mes_payments(inst: &Instance, share: &Q) -> (Vec<usize>, Vec<Vec<(usize, Q)>>) {
    let n = inst.ballots.len();
    let mut budget = vec![share.clone(); n];
    let mut payments = vec![Vec::new(); n];
    let mut supporters = vec![Vec::new(); inst.ids.len()];
    for (i, b) in inst.ballots.iter().enumerate() {
        for &p in b {
            supporters[p].push(i);
        }
    }
    let mut selected: Vec<usize> = (0..inst.ids.len())
        .filter(|&p| !supporters[p].is_empty() && inst.costs[p].is_zero())
        .collect();
    let mut open: Vec<usize> = (0..inst.ids.len())
        .filter(|&p| !supporters[p].is_empty() && inst.costs[p].is_positive())
        .collect();
    loop {
        let mut best: Option<(Q, usize, Q)> = None;
        open.retain(|&p| {
            let total: Q = supporters[p].iter().fold(Q::zero(), |a, &i| a + &budget[i]);
            total >= inst.costs[p]
        });
        for &p in &open {
            let q = water_level(&supporters[p], &budget, &inst.costs[p]);
            let rho = &q / &inst.costs[p];
            let better = match &best {
                None => true,
                Some((r, bp, _)) => match rho.cmp(r) {
                    Ordering::Less => true,
                    Ordering::Equal => inst.ids[p] < inst.ids[*bp],
                    Ordering::Greater => false,
                },
            };
            if better {
                best = Some((rho, p, q));
            }
        }
        let Some((_, p, q)) = best else { break };
        for &i in &supporters[p] {
            let pay = if budget[i] < q {
                budget[i].clone()
            } else {
                q.clone()
            };
            budget[i] -= &pay;
            payments[i].push((p, pay));
        }
        selected.push(p);
        open.retain(|&x| x != p);
    }
    (selected, payments)
}

/// The least price q with Σ min(budget, q) over supporters = cost.
fn water_level(supporters: &[usize], budget: &[Q], cost: &Q) -> Q {
    let mut held: Vec<&Q> = supporters.iter().map(|&i| &budget[i]).collect();
    held.sort();
    let mut paid = Q::zero();
    let mut left = held.len();
    for b in held {
        let q = (cost - &paid) / Q::from_integer(BigInt::from(left));
        if q <= *b {
            return q;
        }
        paid += b;
        left -= 1;
    }
    unreachable!("water_level is called only when the supporters can afford the cost")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(n: i64) -> Q {
        Q::from_integer(BigInt::from(n))
    }

    fn inst(budget: i64, costs: &[i64], ballots: &[&[usize]]) -> Instance {
        Instance {
            budget: q(budget),
            ids: (1..=costs.len()).map(|i| i.to_string()).collect(),
            costs: costs.iter().map(|&c| q(c)).collect(),
            ballots: ballots.iter().map(|b| b.to_vec()).collect(),
        }
    }

    /// MES completion exactly as pabutools runs it: one unit at a time.
    fn mes_unit_by_unit(inst: &Instance) -> Vec<usize> {
        let n = inst.ballots.len();
        if n == 0 {
            return vec![];
        }
        let b0 = &inst.budget / q(n as i64);
        let engine = Engine::new(inst);
        let mut prev = engine.free.clone();
        let mut t = 0i64;
        loop {
            let (sel, _) = mes_payments(inst, &(&b0 + q(t)));
            let cost = inst.total(&sel);
            if cost > inst.budget {
                return prev;
            }
            if engine.exhaustive(&sel, &cost) {
                return sel;
            }
            prev = sel;
            t += 1;
        }
    }

    #[test]
    fn greedy_skips_what_no_longer_fits_and_tries_the_next() {
        // approvals: p1=3, p2=2, p3=1; p2 does not fit after p1.
        let i = inst(10, &[6, 5, 4], &[&[0, 1], &[0, 1], &[0, 2]]);
        let steps = greedy(&i);
        assert_eq!(
            steps
                .iter()
                .map(|s| (s.project, s.funded))
                .collect::<Vec<_>>(),
            vec![(0, true), (1, false), (2, true)]
        );
        assert_eq!(steps[2].left, q(0));
    }

    #[test]
    fn greedy_breaks_ties_by_id_as_text() {
        // "10" < "9" as text: the tie goes to project "10".
        let mut i = inst(5, &[5, 5], &[&[0, 1]]);
        i.ids = vec!["9".into(), "10".into()];
        assert_eq!(greedy_selected(&i), vec![1]);
    }

    #[test]
    fn mes_shares_costs_equally_among_supporters() {
        // Two groups of 2 voters; budget 40 → share 10 each.
        // A (cost 20) by voters 0,1; B (cost 20) by 2,3; C (cost 30) by 0..3.
        let i = inst(40, &[20, 20, 30], &[&[0, 2], &[0, 2], &[1, 2], &[1, 2]]);
        let out = mes(&i);
        // C costs 7.5 per voter at ρ = 1/4; A and B cost 10 each (ρ = 1/2).
        // C first leaves 2.5 each: A and B can no longer be paid, and the
        // outcome {C} is not exhaustive; the completion raises shares until
        // it is.
        let sel = i.in_file_order(&out.selected);
        assert_eq!(sel, mes_unit_by_unit(&i));
        assert!(i.total(&out.selected) <= i.budget);
    }

    #[test]
    fn mes_gives_up_past_its_deadline_only_when_more_runs_are_needed() {
        let past = Some(std::time::Instant::now());
        // Needs the completion (several runs): gives up.
        let i = inst(
            104,
            &[60, 20, 46, 22],
            &[&[1, 2, 3], &[1], &[0, 1, 3], &[3]],
        );
        assert!(mes(&i).runs > 1);
        assert_eq!(mes_within(&i, past), None);
        assert_eq!(mes_within(&i, None), Some(mes(&i)));
        // Exhaustive after the first run: answers anyway.
        let j = inst(100, &[30, 40], &[&[0], &[1], &[0, 1]]);
        assert_eq!(mes(&j).runs, 1);
        assert_eq!(mes_within(&j, past), Some(mes(&j)));
    }

    #[test]
    fn mes_payments_add_up() {
        let i = inst(
            100,
            &[30, 40, 50, 20],
            &[&[0, 1], &[0], &[1, 2], &[2, 3], &[0, 3]],
        );
        let share = q(20);
        let (sel, pay) = mes_payments(&i, &share);
        for p in &sel {
            let total: Q = pay
                .iter()
                .flat_map(|v| v.iter())
                .filter(|(x, _)| x == p)
                .fold(q(0), |a, (_, m)| a + m);
            assert_eq!(total, i.costs[*p]);
        }
        for v in &pay {
            assert!(v.iter().fold(q(0), |a, (_, m)| a + m) <= share);
        }
    }

    #[test]
    fn no_voters_no_projects() {
        let i = inst(100, &[10], &[]);
        assert!(mes(&i).selected.is_empty());
        assert_eq!(greedy_selected(&i), vec![0]);
    }

    #[test]
    fn zero_cost_projects_with_support_come_first() {
        let i = inst(10, &[0, 10, 0], &[&[0, 1], &[1]]);
        let out = mes(&i);
        assert_eq!(out.selected[0], 0);
        assert!(!out.selected.contains(&2), "no supporter, not considered");
    }

    fn arb_instance() -> impl Strategy<Value = Instance> {
        (1usize..7, 1usize..9).prop_flat_map(|(np, nv)| {
            (
                1i64..120,
                proptest::collection::vec(0i64..60, np),
                proptest::collection::vec(proptest::collection::btree_set(0..np, 0..=np), nv),
            )
                .prop_map(move |(budget, costs, ballots)| Instance {
                    budget: q(budget),
                    ids: (0..np).map(|i| format!("{}", (i * 7) % 11)).collect(),
                    costs: costs.into_iter().map(q).collect(),
                    ballots: ballots
                        .into_iter()
                        .map(|s| s.into_iter().collect())
                        .collect(),
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn budget_is_never_exceeded(i in arb_instance()) {
            prop_assert!(i.total(&greedy_selected(&i)) <= i.budget);
            prop_assert!(i.total(&mes(&i).selected) <= i.budget);
        }

        #[test]
        fn greedy_is_exhaustive(i in arb_instance()) {
            let sel = greedy_selected(&i);
            let left = &i.budget - i.total(&sel);
            for p in 0..i.ids.len() {
                prop_assert!(sel.contains(&p) || i.costs[p] > left);
            }
        }

        #[test]
        fn mes_completion_matches_the_unit_by_unit_loop(i in arb_instance()) {
            let fast = mes(&i);
            prop_assert_eq!(i.in_file_order(&fast.selected), i.in_file_order(&mes_unit_by_unit(&i)));
        }

        #[test]
        fn mes_run_pays_exactly_and_within_shares(i in arb_instance()) {
            // The defining payment property of the final run: each funded
            // project is paid in full by its supporters, each pays the same
            // price or all they had left, and no one pays beyond the share.
            let out = mes(&i);
            let (sel, pay) = mes_payments(&i, &out.share);
            let free = out.selected.iter().filter(|&&p| i.costs[p].is_zero()).count();
            prop_assert_eq!(&sel[free..], &out.selected[free..]);
            for step in &out.steps {
                let mut total = q(0);
                for (v, ballot) in pay.iter().enumerate() {
                    let paid: Vec<&Q> = ballot.iter().filter(|(x, _)| *x == step.project).map(|(_, m)| m).collect();
                    if i.ballots[v].contains(&step.project) {
                        prop_assert_eq!(paid.len(), 1);
                        prop_assert!(*paid[0] <= step.price);
                        total += paid[0];
                    } else {
                        prop_assert!(paid.is_empty());
                    }
                }
                prop_assert_eq!(&total, &i.costs[step.project]);
            }
            for v in &pay {
                prop_assert!(v.iter().fold(q(0), |a, (_, m)| a + m) <= out.share);
            }
        }
    }
}
