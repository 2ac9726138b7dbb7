//! Who paid what in one MES run: the explanation of a result.

use super::election::Election;
use super::mes::funded;
use super::run::{NONE, run};
use super::{Instance, Q};
use num_traits::Zero;

/// What each voter paid for each project in one plain MES run at `share`
/// (no completion): the projects funded (free ones first, then in the
/// order funded) and `payments[voter]`, (project, amount) in that order,
/// one for every funded project the voter approved. Exact: a supporter
/// pays the step's exact price, or all it had left when that was less.
pub fn mes_payments(inst: &Instance, share: &Q) -> (Vec<usize>, Vec<Vec<(usize, Q)>>) {
    let n = inst.ballots.len();
    let e = Election::new(inst);
    let scale = Q::from_integer(e.scale.clone());
    let mut c = run(&e, share * &scale, None);
    let k = c.trace.steps.len();
    let prices: Vec<Q> = c
        .exact
        .prices(&e, &c.trace, k)
        .iter()
        .map(|q| q / &scale)
        .collect();
    let tr = &c.trace;
    let per_ballot: Vec<Vec<(usize, Q)>> = e
        .ballots
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut steps: Vec<u32> = b
                .iter()
                .map(|&p| tr.funded_at[p as usize])
                .filter(|&j| j != NONE)
                .collect();
            steps.sort_unstable();
            let mut left = share.clone();
            steps
                .into_iter()
                .map(|j| {
                    let z = tr.zeroed_at[i];
                    let pay = if z > j {
                        prices[j as usize].clone()
                    } else if z == j {
                        left.clone()
                    } else {
                        Q::zero()
                    };
                    left -= &pay;
                    (tr.steps[j as usize].project, pay)
                })
                .collect()
        })
        .collect();
    let payments = (0..n)
        .map(|v| per_ballot[e.ballot_of[v] as usize].clone())
        .collect();
    (funded(&e, &c), payments)
}
