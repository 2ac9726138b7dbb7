use super::election::Election;
use super::run::run;
use super::*;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use proptest::prelude::*;
use std::cmp::Ordering;

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

/// One plain MES run at `share`, written straight from the definition,
/// voter by voter, in exact rationals: the funded projects and what each
/// voter paid. The reference for the fast run and for [`mes_payments`].
fn by_definition(inst: &Instance, share: &Q) -> (Vec<usize>, Vec<Vec<(usize, Q)>>) {
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
            let total: Q = supporters[p].iter().fold(q(0), |a, &i| a + &budget[i]);
            total >= inst.costs[p]
        });
        for &p in &open {
            let price = water_level(&supporters[p], &budget, &inst.costs[p]);
            let rho = &price / &inst.costs[p];
            let better = match &best {
                None => true,
                Some((r, bp, _)) => match rho.cmp(r) {
                    Ordering::Less => true,
                    Ordering::Equal => inst.ids[p] < inst.ids[*bp],
                    Ordering::Greater => false,
                },
            };
            if better {
                best = Some((rho, p, price));
            }
        }
        let Some((_, p, price)) = best else { break };
        for &i in &supporters[p] {
            let pay = if budget[i] < price {
                budget[i].clone()
            } else {
                price.clone()
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
    let mut paid = q(0);
    let mut left = held.len() as i64;
    for b in held {
        let price = (cost - &paid) / q(left);
        if price <= *b {
            return price;
        }
        paid += b;
        left -= 1;
    }
    unreachable!("called only when the supporters can afford the cost")
}

/// MES completion exactly as pabutools runs it: one unit at a time, each
/// run from the definition.
fn mes_unit_by_unit(inst: &Instance) -> Vec<usize> {
    let n = inst.ballots.len();
    if n == 0 {
        return vec![];
    }
    let b0 = &inst.budget / q(n as i64);
    let e = Election::new(inst);
    let mut prev = e.free.clone();
    let mut t = 0i64;
    loop {
        let (sel, _) = by_definition(inst, &(&b0 + q(t)));
        let (feasible, exhaustive) = e.feasible_exhaustive(&sel);
        if !feasible {
            return prev;
        }
        if exhaustive {
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
    assert_eq!((sel.clone(), pay.clone()), by_definition(&i, &share));
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

/// Two projects whose prices are exactly equal although their supporters
/// differ and some pay all they have left: the floats cannot tell them
/// apart, the exact comparison finds the tie and the id breaks it.
#[test]
fn an_exact_tie_with_poor_payers_goes_to_the_smaller_id() {
    // 12 voters with 10 each. X (2) by 1,7,8,9 and Y (2) by 4,10,11,12
    // go first at ρ = 1/4, leaving voters 1 and 4 with 9.5. A (29.4) by
    // 1,2,3 and B (29.4) by 4,5,6: voter 1 (4) pays 9.5, the others 9.95.
    let mut i = Instance {
        budget: q(120),
        ids: vec!["X".into(), "Y".into(), "B".into(), "A".into()],
        costs: vec![q(2), q(2), q(294) / q(10), q(294) / q(10)],
        ballots: vec![],
    };
    let who: [&[usize]; 4] = [&[1, 7, 8, 9], &[4, 10, 11, 12], &[4, 5, 6], &[1, 2, 3]];
    for v in 1..=12 {
        let b = (0..4).filter(|&p| who[p].contains(&v)).collect();
        i.ballots.push(b);
    }
    let e = Election::new(&i);
    let course = run(&e, e.share(0), Some(64.0));
    assert!(course.exact_decisions > 0);
    let order: Vec<usize> = course.trace.steps.iter().map(|s| s.project).collect();
    assert_eq!(order, vec![0, 1, 3, 2], "A (3) before B (2) on the tie");
    let share = q(10);
    assert_eq!(mes_payments(&i, &share), by_definition(&i, &share));
    assert_eq!(
        i.in_file_order(&mes(&i).selected),
        i.in_file_order(&mes_unit_by_unit(&i))
    );
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

/// Larger elections, with amounts in hundredths (a common unit other than
/// 1), costs drawn from few values (ties in ρ are common) and voters
/// repeating ballots.
fn arb_election() -> impl Strategy<Value = Instance> {
    (2usize..12, 4usize..40, 1i64..6).prop_flat_map(|(np, nv, kinds)| {
        (
            100i64..60_000,
            proptest::collection::vec(1i64..=kinds, np),
            proptest::collection::vec(0i64..4, np),
            proptest::collection::vec(proptest::collection::btree_set(0..np, 1..=np.min(4)), 1..6),
            proptest::collection::vec(0usize..6, nv),
        )
            .prop_map(move |(budget, kind, zero, pool, pick)| Instance {
                budget: q(budget) / q(100),
                ids: (0..np).map(|i| format!("p{}", (i * 5) % 13)).collect(),
                costs: kind
                    .iter()
                    .zip(&zero)
                    .map(|(&k, &z)| if z == 0 { q(0) } else { q(k * 1_750) / q(100) })
                    .collect(),
                ballots: pick
                    .iter()
                    .map(|&j| pool[j % pool.len()].iter().copied().collect())
                    .collect(),
            })
    })
}

/// Checks a plain run at `share` against the definition: the same
/// projects in the same order, the same exact payments.
fn same_as_definition(i: &Instance, share: &Q) -> Result<(), TestCaseError> {
    let fast = mes_payments(i, share);
    let slow = by_definition(i, share);
    prop_assert_eq!(fast, slow);
    Ok(())
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
        prop_assert_eq!((&sel, &pay), (&by_definition(&i, &out.share).0, &by_definition(&i, &out.share).1));
        let free = out.selected.iter().filter(|&&p| i.costs[p].is_zero()).count();
        prop_assert_eq!(&sel[free..], &out.selected[free..]);
        for step in &out.steps {
            let mut total = q(0);
            let (mut full, mut rest) = (0, 0);
            for (v, ballot) in pay.iter().enumerate() {
                let paid: Vec<&Q> = ballot.iter().filter(|(x, _)| *x == step.project).map(|(_, m)| m).collect();
                if i.ballots[v].contains(&step.project) {
                    prop_assert_eq!(paid.len(), 1);
                    prop_assert!(*paid[0] <= step.price);
                    if *paid[0] == step.price { full += 1 } else if paid[0].is_positive() { rest += 1 }
                    total += paid[0];
                } else {
                    prop_assert!(paid.is_empty());
                }
            }
            prop_assert_eq!(&total, &i.costs[step.project]);
            prop_assert_eq!(full, step.paid_in_full);
            prop_assert!(rest <= step.paid_rest);
        }
        for v in &pay {
            prop_assert!(v.iter().fold(q(0), |a, (_, m)| a + m) <= out.share);
        }
    }

    #[test]
    fn a_plain_run_is_the_definition(i in arb_instance(), extra in 0i64..40, third in 0i64..3) {
        let n = i.ballots.len() as i64;
        let share = &i.budget / q(n) + q(extra) + q(third) / q(3);
        same_as_definition(&i, &share)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// The bound a run gives on how far its outcome holds is a bound: at
    /// every share short of it (whole units and halves), the definition
    /// funds the same projects in the same order.
    #[test]
    fn the_outcome_holds_as_far_as_the_run_says(i in arb_election(), horizon in 1u32..300, cents in 0i64..100) {
        let e = Election::new(&i);
        let n = i.ballots.len() as i64;
        let share = &i.budget / q(n) + q(cents) / q(100);
        let course = run(&e, &share * Q::from_integer(e.scale.clone()), Some(f64::from(horizon)));
        let mut order = e.free.clone();
        order.extend(course.trace.steps.iter().map(|s| s.project));
        prop_assert!(course.next <= f64::from(horizon));
        let mut x = q(1) / q(2);
        while x < Q::from_integer(60.into()) && x.to_f64().is_some_and(|f| f < course.next) {
            let (sel, _) = by_definition(&i, &(&share + &x));
            prop_assert_eq!(&sel, &order, "at {} units past the run", x);
            x += q(1) / q(2);
        }
    }

    #[test]
    fn larger_elections_match_the_definition_and_the_loop(i in arb_election(), extra in 0i64..300) {
        let n = i.ballots.len() as i64;
        same_as_definition(&i, &(&i.budget / q(n) + q(extra) / q(7)))?;
        let fast = mes(&i);
        prop_assert_eq!(i.in_file_order(&fast.selected), i.in_file_order(&mes_unit_by_unit(&i)));
        same_as_definition(&i, &fast.share)?;
    }
}

/// The proptest case shrunk by hand: p1 out of reach for 0.75 units brings
/// the bound under one unit first, so bounds stop being kept; then p2,
/// whose 15 poor payers make its price fall fast, overtakes p10 within a
/// quarter unit. The run must not claim the outcome holds that far.
#[test]
fn a_run_that_stops_keeping_bounds_claims_none() {
    let mut i = inst(0, &[], &[]);
    i.budget = q(15933) / q(100);
    i.ids = ["p0", "p5", "p10", "p2", "p7", "p12", "p4"]
        .map(String::from)
        .to_vec();
    let half = |n: i64| q(n) / q(2);
    i.costs = vec![q(0), half(105), half(35), q(35), q(0), q(0), half(105)];
    let groups: [(&[usize], usize); 5] = [
        (&[3, 6], 15),
        (&[2], 12),
        (&[1], 8),
        (&[6], 2),
        (&[1, 3], 1),
    ];
    for (b, k) in groups {
        i.ballots.extend(std::iter::repeat_n(b.to_vec(), k));
    }
    let e = Election::new(&i);
    let share = &i.budget / q(38) + q(89) / q(100);
    let course = run(&e, &share * Q::from_integer(e.scale.clone()), Some(236.0));
    let mut order = e.free.clone();
    order.extend(course.trace.steps.iter().map(|s| s.project));
    assert_eq!(order, by_definition(&i, &share).0);
    assert_eq!(&order[order.len() - 2..], &[2, 3], "p10 before p2");
    let later = by_definition(&i, &(&share + q(1) / q(4))).0;
    assert_eq!(&later[later.len() - 2..], &[3, 2], "p2 before p10");
    assert!(course.next <= 0.25, "claims {} units", course.next);
}
