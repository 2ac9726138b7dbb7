//! Greedy by approval count (utilitarian welfare with cost utilities).

use super::{Instance, Q};

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
