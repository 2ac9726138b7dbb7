//! Micro-venture rounds in SQLite: the round, its project ideas and their
//! review, approval ballots, the published result, and funded projects'
//! milestones and spending.

use super::{deliberations::place_label, now};
use crate::domain::Msg;
use crate::domain::ledger::{Broken, Entry, sha256_hex};
use crate::domain::pb_rules::{self, Instance, Rule};
use crate::domain::round::{self, Phase};
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Round {
    pub id: i64,
    pub community_id: i64,
    pub title: String,
    pub description: String,
    pub budget: i64,
    pub min_cost: i64,
    pub max_cost: i64,
    pub place: String,
    pub place_label: String,
    pub rule: Rule,
    pub max_approvals: Option<u32>,
    pub collect_until: String,
    pub review_until: String,
    pub vote_until: String,
    pub phase: Phase,
    pub imported: bool,
    pub result: Option<Value>,
    pub created_at: i64,
}

const COLS: &str =
    "id, community_id, title, description, budget, min_cost, max_cost, place, place_label, rule,
    max_approvals, collect_until, review_until, vote_until, phase, imported, result, created_at";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Round> {
    let rule: String = r.get(9)?;
    let phase: String = r.get(14)?;
    let result: Option<String> = r.get(16)?;
    Ok(Round {
        id: r.get(0)?,
        community_id: r.get(1)?,
        title: r.get(2)?,
        description: r.get(3)?,
        budget: r.get(4)?,
        min_cost: r.get(5)?,
        max_cost: r.get(6)?,
        place: r.get(7)?,
        place_label: r.get(8)?,
        rule: Rule::parse(&rule).unwrap_or(Rule::Greedy),
        max_approvals: r.get(10)?,
        collect_until: r.get(11)?,
        review_until: r.get(12)?,
        vote_until: r.get(13)?,
        phase: Phase::parse(&phase).unwrap_or(Phase::Collect),
        imported: r.get(15)?,
        result: result.and_then(|s| serde_json::from_str(&s).ok()),
        created_at: r.get(17)?,
    })
}

/// A round, unless it is an import still being written (`imported = 2`).
pub fn get(conn: &Connection, community_id: i64, id: i64) -> Result<Round, Error> {
    conn.query_row(
        &format!("SELECT {COLS} FROM rounds WHERE id = ?1 AND community_id = ?2 AND imported != 2"),
        params![id, community_id],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound)
}

/// A round, staged or not.
fn get_any(conn: &Connection, community_id: i64, id: i64) -> Result<Round, Error> {
    conn.query_row(
        &format!("SELECT {COLS} FROM rounds WHERE id = ?1 AND community_id = ?2"),
        params![id, community_id],
        from_row,
    )
    .optional()?
    .ok_or(Error::NotFound)
}

pub fn list(conn: &Connection, community_id: i64) -> Result<Vec<Round>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM rounds WHERE community_id = ?1 AND imported != 2 ORDER BY id DESC"
    ))?;
    let rows = st.query_map([community_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone)]
pub struct NewRound {
    pub title: String,
    pub description: String,
    pub budget: i64,
    pub min_cost: i64,
    pub max_cost: i64,
    pub place: String,
    pub rule: Rule,
    pub max_approvals: Option<u32>,
    pub collect_until: String,
    pub review_until: String,
    pub vote_until: String,
}

pub fn create(tx: &Transaction, community_id: i64, n: &NewRound, by: i64) -> Result<i64, Error> {
    let label = place_label(tx, community_id, &n.place)?;
    tx.execute(
        "INSERT INTO rounds (community_id, title, description, budget, min_cost, max_cost, place, place_label, rule,
             max_approvals, collect_until, review_until, vote_until, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            community_id,
            n.title,
            n.description,
            n.budget,
            n.min_cost,
            n.max_cost,
            n.place,
            label,
            n.rule.as_str(),
            n.max_approvals,
            n.collect_until,
            n.review_until,
            n.vote_until,
            by,
            now()
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The rule and the approval limit, fixed once voting opens.
pub fn set_rule(tx: &Transaction, r: &Round, rule: Rule, max: Option<u32>) -> Result<(), Error> {
    if r.phase >= Phase::Vote {
        return Err(Error::Conflict(Msg::new(
            "投票开始后不能再改计票规则",
            "the rule cannot change once voting has opened",
        )));
    }
    tx.execute(
        "UPDATE rounds SET rule = ?2, max_approvals = ?3 WHERE id = ?1",
        params![r.id, rule.as_str(), max],
    )?;
    Ok(())
}

/// The newest rounds not yet at their results (at most `limit`), for the board.
pub fn open(conn: &Connection, community_id: i64, limit: usize) -> Result<Vec<Round>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM rounds WHERE community_id = ?1 AND imported != 2 AND phase != 'results'
         ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![community_id, limit as i64], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub team: String,
    pub proposed_cost: i64,
    pub cost: i64,
    pub cost_reason: String,
    pub review: String,
    pub review_reason: String,
    pub submitter: Option<String>,
    pub funded: bool,
    pub progress: String,
    pub approvals: i64,
}

pub fn projects(conn: &Connection, round: i64) -> Result<Vec<Project>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT p.id, p.code, p.title, p.description, p.team, p.proposed_cost, p.cost, p.cost_reason, p.review,
                p.review_reason, a.display_name, p.funded, p.progress,
                (SELECT count(*) FROM round_approvals x WHERE x.project_id = p.id)
         FROM round_projects p LEFT JOIN accounts a ON a.id = p.submitted_by
         WHERE p.round_id = ?1 ORDER BY p.id",
    )?;
    let rows = st.query_map([round], |r| {
        Ok(Project {
            id: r.get(0)?,
            code: r.get(1)?,
            title: r.get(2)?,
            description: r.get(3)?,
            team: r.get(4)?,
            proposed_cost: r.get(5)?,
            cost: r.get(6)?,
            cost_reason: r.get(7)?,
            review: r.get(8)?,
            review_reason: r.get(9)?,
            submitter: r.get(10)?,
            funded: r.get(11)?,
            progress: r.get(12)?,
            approvals: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct NewProject {
    pub title: String,
    pub description: String,
    pub team: String,
    pub cost: i64,
}

pub fn submit(tx: &Transaction, r: &Round, n: &NewProject, by: Option<i64>) -> Result<i64, Error> {
    if r.phase != Phase::Collect {
        return Err(Error::Conflict(Msg::new(
            "本轮已停止征集项目",
            "this round is no longer collecting ideas",
        )));
    }
    round::check_cost(n.cost, r.min_cost, r.max_cost, r.budget).map_err(Error::Invalid)?;
    let k: i64 = tx.query_row(
        "SELECT count(*) FROM round_projects WHERE round_id = ?1",
        [r.id],
        |x| x.get(0),
    )?;
    tx.execute(
        "INSERT INTO round_projects (round_id, code, title, description, team, proposed_cost, cost, submitted_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)",
        params![r.id, format!("P{}", k + 1), n.title, n.description, n.team, n.cost, by, now()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The committee's review: feasible or not (with a reason when not), and
/// the cost, adjusted only with a reason.
pub fn review(
    tx: &Transaction,
    r: &Round,
    project: i64,
    feasible: bool,
    reason: &str,
    cost: i64,
    cost_reason: &str,
) -> Result<(), Error> {
    if r.phase > Phase::Review {
        return Err(Error::Conflict(Msg::new(
            "投票开始后不能再评审",
            "projects cannot be reviewed once voting has opened",
        )));
    }
    let proposed: i64 = tx
        .query_row(
            "SELECT proposed_cost FROM round_projects WHERE id = ?1 AND round_id = ?2",
            params![project, r.id],
            |x| x.get(0),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    if !feasible && reason.trim().is_empty() {
        return Err(Error::Invalid(Msg::new(
            "认定不可行时须写明理由",
            "say why the project is not feasible",
        )));
    }
    if cost != proposed && cost_reason.trim().is_empty() {
        return Err(Error::Invalid(Msg::new(
            "调整费用时须写明理由",
            "say why the cost is adjusted",
        )));
    }
    if feasible {
        round::check_cost(cost, r.min_cost, r.max_cost, r.budget).map_err(Error::Invalid)?;
    }
    tx.execute(
        "UPDATE round_projects SET review = ?2, review_reason = ?3, cost = ?4, cost_reason = ?5 WHERE id = ?1",
        params![
            project,
            if feasible { "feasible" } else { "infeasible" },
            reason.trim(),
            cost,
            cost_reason.trim()
        ],
    )?;
    Ok(())
}

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

pub fn set_phase(tx: &Transaction, r: &Round, to: Phase) -> Result<Option<Entry>, Error> {
    if r.phase.next() != Some(to) {
        return Err(Error::Conflict(Msg::new(
            "本轮不能转入该阶段",
            "the round cannot move to that phase",
        )));
    }
    if to == Phase::Vote {
        let ps = projects(tx, r.id)?;
        if ps.iter().any(|p| p.review == "pending") {
            return Err(Error::Invalid(Msg::new(
                "还有项目未评审，请先评审每个项目",
                "some projects are not reviewed yet; review every project first",
            )));
        }
        if !ps.iter().any(|p| p.review == "feasible") {
            return Err(Error::Invalid(Msg::new(
                "没有可行的项目，无法开始投票",
                "no project is feasible, so voting cannot open",
            )));
        }
    }
    tx.execute(
        "UPDATE rounds SET phase = ?2 WHERE id = ?1",
        params![r.id, to.as_str()],
    )?;
    match to {
        Phase::Vote => Ok(Some(super::anchor::publish(
            tx,
            r.community_id,
            "round.vote_opened",
            &crate::domain::Subject::Round(r.id).to_string(),
        )?)),
        Phase::Results => publish_results(tx, r, None).map(Some),
        _ => Ok(None),
    }
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
fn publish_results(tx: &Transaction, r: &Round, pre: Option<Counted>) -> Result<Entry, Error> {
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
fn store_results(
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
    super::anchor::publish(
        tx,
        r.community_id,
        "round.results",
        &crate::domain::Subject::Round(r.id).to_string(),
    )
}

/// The key a resident's ballot is stored under (imported ballots keep the
/// file's voter ids as "pb:ID").
pub fn voter_key(account: i64) -> String {
    format!("account:{account}")
}

pub fn has_voted(conn: &Connection, round: i64, voter: &str) -> Result<bool, Error> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM round_ballots WHERE round_id = ?1 AND voter = ?2",
            params![round, voter],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The projects a voter's own ballot approved, by id (none if no ballot).
pub fn my_approvals(conn: &Connection, round: i64, voter: &str) -> Result<Vec<i64>, Error> {
    let mut st = conn.prepare(
        "SELECT x.project_id FROM round_ballots b JOIN round_approvals x ON x.ballot_id = b.id
         WHERE b.round_id = ?1 AND b.voter = ?2 ORDER BY x.project_id",
    )?;
    let ids = st
        .query_map(params![round, voter], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// One approval ballot per voter; a second is refused.
pub fn cast(tx: &Transaction, r: &Round, voter: &str, approved: &[i64]) -> Result<(), Error> {
    if r.phase != Phase::Vote {
        return Err(Error::Conflict(Msg::new(
            "本轮现在不在投票阶段",
            "this round is not open for voting",
        )));
    }
    let done = tx.execute(
        "INSERT OR IGNORE INTO round_ballots (round_id, voter, cast_at) VALUES (?1, ?2, ?3)",
        params![r.id, voter, now()],
    )?;
    if done == 0 {
        return Err(Error::Conflict(Msg::new(
            "你已在本轮投过票，每人只能投一次",
            "you have already voted in this round; one ballot each",
        )));
    }
    let ballot = tx.last_insert_rowid();
    for p in approved {
        tx.execute(
            "INSERT INTO round_approvals (ballot_id, project_id) VALUES (?1, ?2)",
            params![ballot, p],
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub due: String,
    pub spent: i64,
    pub disclosure_id: Option<i64>,
    pub done_at: Option<i64>,
    pub note: String,
}

pub fn milestones(conn: &Connection, round: i64) -> Result<Vec<Milestone>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT m.id, m.project_id, m.title, m.due, m.spent, m.disclosure_id, m.done_at, m.note
         FROM round_milestones m JOIN round_projects p ON p.id = m.project_id
         WHERE p.round_id = ?1 ORDER BY m.due, m.id",
    )?;
    let rows = st.query_map([round], |r| {
        Ok(Milestone {
            id: r.get(0)?,
            project_id: r.get(1)?,
            title: r.get(2)?,
            due: r.get(3)?,
            spent: r.get(4)?,
            disclosure_id: r.get(5)?,
            done_at: r.get(6)?,
            note: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct NewMilestone {
    pub title: String,
    pub due: String,
    pub spent: i64,
    pub disclosure_id: Option<i64>,
    pub note: String,
    pub done: bool,
}

/// A milestone of a funded project; spending can cite a published disclosure.
pub fn add_milestone(
    tx: &Transaction,
    r: &Round,
    project: i64,
    m: &NewMilestone,
) -> Result<(), Error> {
    let funded: Option<bool> = tx
        .query_row(
            "SELECT funded FROM round_projects WHERE id = ?1 AND round_id = ?2",
            params![project, r.id],
            |x| x.get(0),
        )
        .optional()?;
    match funded {
        None => return Err(Error::NotFound),
        Some(false) => {
            return Err(Error::Conflict(Msg::new(
                "只有获得资助的项目才有进度",
                "only funded projects have milestones",
            )));
        }
        Some(true) => {}
    }
    if let Some(d) = m.disclosure_id {
        let ok: i64 = tx.query_row(
            "SELECT count(*) FROM disclosures WHERE id = ?1 AND community_id = ?2 AND published_rev IS NOT NULL",
            params![d, r.community_id],
            |x| x.get(0),
        )?;
        if ok == 0 {
            return Err(Error::Invalid(Msg::new(
                format!("公开编号 {d} 不存在或尚未公开"),
                format!("disclosure {d} does not exist or is not published"),
            )));
        }
    }
    tx.execute(
        "INSERT INTO round_milestones (project_id, title, due, spent, disclosure_id, note, done_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            project,
            m.title,
            m.due,
            m.spent,
            m.disclosure_id,
            m.note,
            m.done.then(now),
            now()
        ],
    )?;
    Ok(())
}

pub fn set_progress(
    tx: &Transaction,
    r: &Round,
    project: i64,
    progress: &str,
) -> Result<(), Error> {
    let n = tx.execute(
        "UPDATE round_projects SET progress = ?3 WHERE id = ?1 AND round_id = ?2 AND funded = 1",
        params![project, r.id, progress],
    )?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// A Pabulib file as a finished round: its projects (all feasible), its
/// ballots (voters keep the file's ids) and the result under `rule`.
/// Stages an imported round: the round (hidden while `imported = 2`) and its
/// projects. Returns the round and its projects' ids in file order. The
/// ballots follow in chunks ([`stage_ballots`]), then [`finish_import`].
pub fn stage_import(
    tx: &Transaction,
    community_id: i64,
    pb: &crate::domain::pabulib::PbFile,
    rule: Rule,
    by: i64,
) -> Result<(i64, Vec<i64>), Error> {
    use num_bigint::BigInt;
    use num_traits::ToPrimitive;
    let fen = |q: &crate::domain::pb_rules::Q| -> Result<i64, Error> {
        let f = q * crate::domain::pb_rules::Q::from_integer(BigInt::from(100));
        if !f.is_integer() {
            return Err(Error::Invalid(Msg::new(
                "金额最多两位小数",
                "amounts may have at most two decimals",
            )));
        }
        f.to_integer()
            .to_i64()
            .ok_or_else(|| Error::Invalid(Msg::new("金额过大", "an amount is too large")))
    };
    let inst = &pb.instance;
    let budget = fen(&inst.budget)?;
    if budget <= 0 {
        return Err(Error::Invalid(Msg::new(
            "预算须大于零",
            "the budget must be above zero",
        )));
    }
    let costs: Vec<i64> = inst.costs.iter().map(&fen).collect::<Result<_, _>>()?;
    let title = pb
        .meta("description")
        .map(str::to_string)
        .unwrap_or_else(|| "Pabulib".into());
    let n = NewRound {
        title: format!("{title}（导入 imported）"),
        description: pb
            .meta
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
        budget,
        min_cost: 0,
        max_cost: costs.iter().copied().max().unwrap_or(0).max(0),
        place: "community".into(),
        rule,
        max_approvals: None,
        collect_until: pb.meta("date_begin").unwrap_or("").to_string(),
        review_until: pb.meta("date_begin").unwrap_or("").to_string(),
        vote_until: pb.meta("date_end").unwrap_or("").to_string(),
    };
    let id = create(tx, community_id, &n, by)?;
    tx.execute(
        "UPDATE rounds SET imported = 2, phase = 'vote' WHERE id = ?1",
        [id],
    )?;
    let mut ids = Vec::new();
    for (p, cost) in costs.iter().enumerate() {
        let name = pb.project_field(p, "name").unwrap_or("").to_string();
        tx.execute(
            "INSERT INTO round_projects (round_id, code, title, proposed_cost, cost, review, created_at)
             VALUES (?1, ?2, ?3, ?4, ?4, 'feasible', ?5)",
            params![id, inst.ids[p], if name.is_empty() { inst.ids[p].clone() } else { name }, cost, now()],
        )?;
        ids.push(tx.last_insert_rowid());
    }
    Ok((id, ids))
}

/// Writes one chunk of an imported round's ballots.
pub fn stage_ballots(
    tx: &Transaction,
    round: i64,
    project_ids: &[i64],
    voters: &[String],
    ballots: &[Vec<usize>],
) -> Result<(), Error> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO round_ballots (round_id, voter, cast_at) VALUES (?1, ?2, ?3)",
    )?;
    let mut app =
        tx.prepare_cached("INSERT INTO round_approvals (ballot_id, project_id) VALUES (?1, ?2)")?;
    let at = now();
    for (v, ballot) in voters.iter().zip(ballots) {
        ins.execute(params![round, format!("pb:{v}"), at])?;
        let b = tx.last_insert_rowid();
        for &p in ballot {
            let pid = project_ids.get(p).ok_or_else(|| {
                Error::Invalid(Msg::new(
                    "选票里的项目不存在",
                    "a ballot names a project that does not exist",
                ))
            })?;
            app.execute(params![b, pid])?;
        }
    }
    Ok(())
}

/// A staged round read back off the writer (on a reader connection): the
/// election exactly as stored, checked against the count made for it.
pub struct Verified {
    open: Vec<Project>,
    voters: Vec<String>,
    counted: Counted,
}

/// Reads a staged round back and checks the count was made for exactly the
/// ballots stored; the heavy read stays off the writer.
pub fn verify_staged(
    conn: &Connection,
    community_id: i64,
    round: i64,
    counted: Counted,
) -> Result<Verified, Error> {
    let r = get_any(conn, community_id, round)?;
    let (open, inst, voters) = election(conn, &r)?;
    if inst != counted.inst {
        return Err(Error::Internal(format!(
            "round {round}: the ballots stored differ from the ballots counted"
        )));
    }
    Ok(Verified {
        open,
        voters,
        counted,
    })
}

/// Shows a staged round with its result: a short transaction.
pub fn finish_import(
    tx: &Transaction,
    community_id: i64,
    round: i64,
    v: Verified,
) -> Result<Entry, Error> {
    tx.execute(
        "UPDATE rounds SET phase = 'results', imported = 1 WHERE id = ?1 AND imported = 2",
        [round],
    )?;
    let r = get(tx, community_id, round)?;
    store_results(tx, &r, &v.open, &v.voters, v.counted)
}

/// Removes part of a staged round that will not be shown (a failed or
/// interrupted import); true while there is more to remove.
pub fn unstage_some(tx: &Transaction, round: i64) -> Result<bool, Error> {
    let n = tx.execute(
        "DELETE FROM round_approvals WHERE ballot_id IN
           (SELECT id FROM round_ballots WHERE round_id = ?1 LIMIT 2000)",
        [round],
    )?;
    let m = tx.execute(
        "DELETE FROM round_ballots WHERE id IN (SELECT id FROM round_ballots WHERE round_id = ?1 LIMIT 2000)",
        [round],
    )?;
    if n + m > 0 {
        return Ok(true);
    }
    tx.execute("DELETE FROM round_projects WHERE round_id = ?1", [round])?;
    tx.execute("DELETE FROM rounds WHERE id = ?1 AND imported = 2", [round])?;
    Ok(false)
}

/// Checks a round's published result against its ballots and the rule.
pub fn check_entry(
    conn: &Connection,
    community_id: i64,
    e: &Entry,
) -> Result<Option<Broken>, Error> {
    if e.kind != "round.results" {
        return Ok(None);
    }
    let id = e.payload["round"].as_i64().unwrap_or(-1);
    let broken = |zh: &str, en: &str| {
        Ok(Some(Broken {
            seq: e.seq,
            zh: format!("第 {} 条记录：公益创投第 {id} 轮{zh}", e.seq),
            en: format!("entry {}: round {id} {en}", e.seq),
        }))
    };
    let Ok(r) = get(conn, community_id, id) else {
        return broken("不见了", "is gone");
    };
    let (_, inst, voters) = election(conn, &r)?;
    if e.payload["ballots_sha256"].as_str() != Some(ballots_digest(&inst, &voters).as_str()) {
        return broken("的选票被改动过", "ballots were altered");
    }
    let rule = Rule::parse(e.payload["rule"].as_str().unwrap_or("")).unwrap_or(r.rule);
    let selected: Vec<String> = rule
        .select(&inst)
        .iter()
        .map(|&p| inst.ids[p].clone())
        .collect();
    if e.payload["selected"] != json!(selected) {
        return broken(
            "的结果与重新计票不一致",
            "result differs from a recount of its ballots",
        );
    }
    Ok(None)
}
