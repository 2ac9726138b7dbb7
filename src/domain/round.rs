//! Micro-venture rounds (公益创投/金点子大赛): phases, cost limits, approval
//! ballots, and the election the outcome rules read. Money is in fen.

use super::Msg;
use super::cost_share::yuan;
use super::pb_rules::{Instance, Q};
use num_bigint::BigInt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Collect,
    Review,
    Vote,
    Results,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Collect => "collect",
            Phase::Review => "review",
            Phase::Vote => "vote",
            Phase::Results => "results",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        [Phase::Collect, Phase::Review, Phase::Vote, Phase::Results]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Phase::Collect => ("征集项目", "collecting ideas"),
            Phase::Review => ("评审", "review"),
            Phase::Vote => ("投票", "voting"),
            Phase::Results => ("结果公布", "results"),
        }
    }

    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Collect => Some(Phase::Review),
            Phase::Review => Some(Phase::Vote),
            Phase::Vote => Some(Phase::Results),
            Phase::Results => None,
        }
    }
}

/// A project's cost must lie in the round's range and within its budget.
pub fn check_cost(cost: i64, min: i64, max: i64, budget: i64) -> Result<(), Msg> {
    if cost < min || cost > max {
        return Err(Msg::new(
            format!(
                "费用 {} 元不在本轮范围 {}–{} 元内",
                yuan(cost),
                yuan(min),
                yuan(max)
            ),
            format!(
                "the cost {} yuan is outside this round's range {}–{} yuan",
                yuan(cost),
                yuan(min),
                yuan(max)
            ),
        ));
    }
    if cost > budget {
        return Err(Msg::new(
            format!("费用 {} 元超过本轮总预算 {} 元", yuan(cost), yuan(budget)),
            format!(
                "the cost {} yuan exceeds the round's budget of {} yuan",
                yuan(cost),
                yuan(budget)
            ),
        ));
    }
    Ok(())
}

/// The projects a voter approves: each at most once, each open for voting,
/// and no more than the round allows. Nothing approved is allowed (a voter
/// may take part and approve nothing).
pub fn check_ballot(chosen: &[i64], open: &[i64], max: Option<u32>) -> Result<Vec<i64>, Msg> {
    let mut out: Vec<i64> = Vec::new();
    for &p in chosen {
        if !open.contains(&p) {
            return Err(Msg::new(
                "所选项目不在本轮投票名单中",
                "a chosen project is not on this round's ballot",
            ));
        }
        if out.contains(&p) {
            return Err(Msg::new(
                "同一项目只能赞成一次",
                "a project can be approved only once",
            ));
        }
        out.push(p);
    }
    if let Some(m) = max
        && out.len() > m as usize
    {
        return Err(Msg::new(
            format!("最多可赞成 {m} 个项目，你选了 {} 个", out.len()),
            format!(
                "you may approve at most {m} projects; you chose {}",
                out.len()
            ),
        ));
    }
    out.sort_unstable();
    Ok(out)
}

/// Fen as an exact number of yuan: the rules count whole yuan as the unit
/// MES adds to every share.
pub fn fen_to_yuan(fen: i64) -> Q {
    Q::new(BigInt::from(fen), BigInt::from(100))
}

/// The election: `projects` are (code, cost in fen), `ballots` index them.
pub fn instance(budget: i64, projects: &[(String, i64)], ballots: Vec<Vec<usize>>) -> Instance {
    Instance {
        budget: fen_to_yuan(budget),
        ids: projects.iter().map(|p| p.0.clone()).collect(),
        costs: projects.iter().map(|p| fen_to_yuan(p.1)).collect(),
        ballots,
    }
}

/// A rational number of yuan shown to the fen, rounded half up
/// ("12.35"); exact values stay exact in the open data.
pub fn show_yuan(q: &Q) -> String {
    let fen = (q * Q::from_integer(BigInt::from(100)))
        .round()
        .to_integer();
    let fen: i64 = fen.try_into().unwrap_or(i64::MAX);
    yuan(fen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pb_rules::{Rule, greedy_selected};

    /// An imported file is counted before it is stored (outside the write
    /// transaction); the count is used only if the stored election, rebuilt
    /// from fen, is the file's own instance. It is, for real files.
    #[test]
    fn an_imported_file_rebuilds_to_its_own_instance() {
        for text in [
            include_str!("../../data/pabulib/Poland_Gdansk_2020_Przymorze_Male.pb"),
            include_str!("../../data/pabulib/Netherlands_Assen_2024.pb"),
        ] {
            let pb = crate::domain::pabulib::parse(text).unwrap();
            let i = &pb.instance;
            let fen = |q: &Q| -> i64 {
                (q * Q::from_integer(BigInt::from(100)))
                    .to_integer()
                    .try_into()
                    .unwrap()
            };
            let projects: Vec<(String, i64)> = i
                .ids
                .iter()
                .zip(&i.costs)
                .map(|(id, c)| (id.clone(), fen(c)))
                .collect();
            assert_eq!(instance(fen(&i.budget), &projects, i.ballots.clone()), *i);
        }
    }

    #[test]
    fn costs_must_be_in_range() {
        assert!(check_cost(500_000, 500_000, 1_500_000, 3_000_000).is_ok());
        let e = check_cost(400_000, 500_000, 1_500_000, 3_000_000).unwrap_err();
        assert!(e.zh.contains("5000.00"), "{}", e.zh);
        assert!(check_cost(1_500_001, 500_000, 1_500_000, 3_000_000).is_err());
        assert!(check_cost(1_000_000, 0, 2_000_000, 900_000).is_err());
    }

    #[test]
    fn ballots_refuse_doubles_strangers_and_too_many() {
        assert_eq!(check_ballot(&[3, 1], &[1, 2, 3], None), Ok(vec![1, 3]));
        assert!(
            check_ballot(&[1, 1], &[1, 2], None)
                .unwrap_err()
                .en
                .contains("once")
        );
        assert!(check_ballot(&[9], &[1, 2], None).is_err());
        assert!(
            check_ballot(&[1, 2], &[1, 2], Some(1))
                .unwrap_err()
                .zh
                .contains("最多")
        );
        assert_eq!(check_ballot(&[], &[1], Some(1)), Ok(vec![]));
    }

    #[test]
    fn a_round_in_fen_is_decided_in_yuan() {
        let projects = vec![("P1".to_string(), 1_000_050), ("P2".to_string(), 900_000)];
        let i = instance(1_500_000, &projects, vec![vec![0], vec![0, 1], vec![1]]);
        // Tie on approvals (2 each): P1 first by id, then P2 no longer fits.
        assert_eq!(greedy_selected(&i), vec![0]);
        assert_eq!(Rule::Mes.select(&i).len(), 1);
        assert_eq!(show_yuan(&fen_to_yuan(1_000_050)), "10000.50");
        assert_eq!(
            show_yuan(&(fen_to_yuan(100) / Q::from_integer(BigInt::from(3)))),
            "0.33"
        );
    }
}
