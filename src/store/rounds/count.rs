//! Counting a round: the election the rules read, both rules' outcomes, and
//! the result stored and appended to the ledger.

use super::{Project, Round, projects};
use crate::domain::ledger::{Entry, sha256_hex};
use crate::domain::pb_rules::{self, Instance, Rule};
use crate::domain::round;
use crate::error::Error;
use rusqlite::{Connection, Transaction, params};
use serde_json::json;

/// The election the rules read: feasible projects and the ballots.
pub fn election(
    conn: &Connection,
    r: &Round,
) -> Result<(Vec<Project>, Instance, Vec<String>), Error> {
    let open: Vec<Project> = projects(conn, r.id)?
        .into_iter()
        .filter(|p| p.review == "feasible")
        .collect();
    let mut st = conn.prepare_cached(
        "SELECT b.voter, x.project_id FROM round_ballots b LEFT JOIN round_approvals x ON x.ballot_id = b.id
         WHERE b.round_id = ?1 ORDER BY b.id, x.project_id",
    )?;
    let mut voters: Vec<String> = Vec::new();
    let mut ballots: Vec<Vec<usize>> = Vec::new();
    for row in st.query_map([r.id], |x| {
        Ok((x.get::<_, String>(0)?, x.get::<_, Option<i64>>(1)?))
    })? {
        let (voter, project) = row?;
        if voters.last() != Some(&voter) {
            voters.push(voter);
            ballots.push(Vec::new());
        }
        if let Some(p) = project.and_then(|id| open.iter().position(|o| o.id == id))
            && let Some(b) = ballots.last_mut()
        {
            b.push(p);
        }
    }
    for b in &mut ballots {
        b.sort_unstable();
    }
    let list: Vec<(String, i64)> = open.iter().map(|p| (p.code.clone(), p.cost)).collect();
    let inst = round::instance(r.budget, &list, ballots);
    Ok((open, inst, voters))
}

/// SHA-256 of the ballots, one line per voter in casting order:
/// "voter:P1,P3". Published with the result so a recount can be checked.
pub fn ballots_digest(inst: &Instance, voters: &[String]) -> String {
    let mut text = String::new();
    for (v, b) in voters.iter().zip(&inst.ballots) {
        let codes: Vec<&str> = b.iter().map(|&p| inst.ids[p].as_str()).collect();
        text.push_str(&format!("{v}:{}\n", codes.join(",")));
    }
    sha256_hex(text.as_bytes())
}

/// Both rules' outcomes for one election. The chosen rule decides; the
/// other is shown for comparison, and the steps explain the result.
pub struct Counted {
    /// The instance counted, so a precomputed count is used only for the
    /// very election it was computed for.
    pub inst: Instance,
    pub greedy: Vec<pb_rules::GreedyStep>,
    pub mes: pb_rules::MesOutcome,
}

/// Counts an election under both rules. MES on a large imported file can
/// take seconds: call this outside a write transaction where possible.
pub fn count(inst: Instance) -> Counted {
    count_within(inst, None).expect("no deadline")
}

/// As [`count`], but None once `deadline` has passed (MES gives up).
pub fn count_within(inst: Instance, deadline: Option<std::time::Instant>) -> Option<Counted> {
    let greedy = pb_rules::greedy(&inst);
    let mes = pb_rules::mes_within(&inst, deadline)?;
    Some(Counted { inst, greedy, mes })
}

/// Marks the funded projects, stores the result and appends it to the
/// ledger. `pre` is a count made before the transaction; it is used only if
/// it counted exactly the ballots now stored.
pub(super) fn publish_results(
    tx: &Transaction,
    r: &Round,
    pre: Option<Counted>,
) -> Result<Entry, Error> {
    let (open, inst, voters) = election(tx, r)?;
    let counted = match pre {
        Some(c) if c.inst == inst => c,
        Some(_) => {
            tracing::warn!(
                round = r.id,
                "precount was for other ballots; counting again"
            );
            count(inst)
        }
        None => count(inst),
    };
    store_results(tx, r, &open, &voters, counted)
}

/// Marks the funded projects, stores the result and appends it to the
/// ledger, from a count of exactly these ballots.
pub(super) fn store_results(
    tx: &Transaction,
    r: &Round,
    open: &[Project],
    voters: &[String],
    counted: Counted,
) -> Result<Entry, Error> {
    let Counted { inst, greedy, mes } = counted;
    let greedy_selected: Vec<usize> = greedy
        .iter()
        .filter(|s| s.funded)
        .map(|s| s.project)
        .collect();
    let mes_selected = inst.in_file_order(&mes.selected);
    let selected = match r.rule {
        Rule::Greedy => inst.in_file_order(&greedy_selected),
        Rule::Mes => mes_selected.clone(),
    };
    for &p in &selected {
        tx.execute(
            "UPDATE round_projects SET funded = 1 WHERE id = ?1",
            [open[p].id],
        )?;
    }
    let codes =
        |sel: &[usize]| -> Vec<String> { sel.iter().map(|&p| inst.ids[p].clone()).collect() };
    let result = json!({
        "rule": r.rule.as_str(),
        "selected": codes(&selected),
        "greedy": codes(&inst.in_file_order(&greedy_selected)),
        "mes": codes(&mes_selected),
        "voters": voters.len(),
        "ballots_sha256": ballots_digest(&inst, voters),
        "greedy_steps": greedy.iter().map(|s| json!({
            "code": inst.ids[s.project], "approvals": s.approvals,
            "funded": s.funded, "left": round::show_yuan(&s.left),
        })).collect::<Vec<_>>(),
        "mes_share": round::show_yuan(&mes.share),
        "mes_added": mes.added.to_string(),
        "mes_steps": mes.steps.iter().map(|s| json!({
            "code": inst.ids[s.project], "price": round::show_yuan(&s.price),
            "price_exact": crate::domain::pabulib::show_decimal(&s.price),
            "paid_in_full": s.paid_in_full, "paid_rest": s.paid_rest,
        })).collect::<Vec<_>>(),
    });
    tx.execute(
        "UPDATE rounds SET result = ?2 WHERE id = ?1",
        params![r.id, result.to_string()],
    )?;
    crate::store::anchor::publish(
        tx,
        r.community_id,
        "round.results",
        &crate::domain::Subject::Round(r.id).to_string(),
    )
}
