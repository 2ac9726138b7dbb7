//! The tally sheet (纸质选票计票单): the committee enters the paper ballots
//! of the voters who have not voted in one go — all rows or none, each
//! through the rule of a single paper ballot, with the same audit rows —
//! or keeps the sheet until a second committee member checks it.

use super::super::{invalid, see_other};
use crate::domain::{Msg, Subject};
use crate::error::Error;
use crate::store::audit::{self, Actor};
use crate::store::votes::tally_sheet::{self as sheet, Pending, Refused, SheetEntry};
use crate::store::votes::{self, Elector, Status, Vote};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use teahouse_views::forms::Errors;
use teahouse_views::pages::votes as view;

/// What the committee filled in: the sheet's voters in order, each one's
/// ticks, and whether a second member checks it first.
#[derive(Default)]
struct Posted {
    voters: Vec<String>,
    chosen: HashMap<String, Vec<String>>,
    check: bool,
}

impl Posted {
    fn from_pairs(pairs: Vec<(String, String)>) -> Posted {
        let mut p = Posted::default();
        for (k, v) in pairs {
            if k == "voter" {
                p.voters.push(v);
            } else if k == "check" {
                p.check = v == "1";
            } else if let Some(voter) = k.strip_prefix("c-")
                && !v.is_empty()
            {
                p.chosen.entry(voter.to_string()).or_default().push(v);
            }
        }
        p
    }

    /// The rows with a ballot, as canonical ballots, or each refused row.
    fn entries(&self, vote: &Vote) -> Result<Vec<SheetEntry>, Vec<(usize, Msg)>> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        for (i, voter) in self.voters.iter().enumerate() {
            let row = i + 1;
            if let Some(first) = seen.insert(voter, row) {
                bad.push((
                    row,
                    Msg::new(
                        format!("与第 {first} 行是同一位选民"),
                        format!("the same voter as row {first}"),
                    ),
                ));
                continue;
            }
            let Some(chosen) = self.chosen.get(voter) else {
                continue;
            };
            let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
            match vote.pick(&chosen) {
                Ok(choice) => ok.push(SheetEntry {
                    row,
                    voter: voter.clone(),
                    choice,
                }),
                Err(m) => bad.push((row, m)),
            }
        }
        if bad.is_empty() { Ok(ok) } else { Err(bad) }
    }
}

/// A row's refusal, naming the row.
fn row_msg(row: usize, m: &Msg) -> Msg {
    Msg::new(
        format!("第 {row} 行：{}", m.zh),
        format!("Row {row}: {}", m.en),
    )
}

/// Everything the sheet shows, read at once.
struct SheetData {
    vote: Vote,
    electorate: Vec<Elector>,
    voted: HashSet<String>,
    pending: Vec<Pending>,
}

async fn read(st: &AppState, cid: i64, id: i64) -> Result<SheetData, Error> {
    st.db
        .read(move |c| {
            let vote = votes::get(c, cid, id)?;
            if vote.status == Status::Draft {
                return Err(Error::NotFound);
            }
            Ok(SheetData {
                electorate: votes::frozen_electorate(c, id)?,
                voted: votes::ballots(c, id)?
                    .into_iter()
                    .map(|b| b.voter)
                    .collect(),
                pending: sheet::pending(c, id)?,
                vote,
            })
        })
        .await
}

/// Row errors by row number, and one pending sheet's refusal.
#[derive(Default)]
struct Refusals {
    rows: HashMap<usize, Msg>,
    sheet: Option<(i64, Msg)>,
    top: Errors,
}

/// Who each voter is on the sheet: their name and dwellings.
fn who_is(d: &SheetData) -> impl Fn(&str) -> (String, String) + '_ {
    let by_voter: HashMap<&str, &Elector> =
        d.electorate.iter().map(|e| (e.voter.as_str(), e)).collect();
    move |voter| match by_voter.get(voter) {
        Some(e) => (e.label.clone(), e.dwellings.join("、")),
        None => (voter.to_string(), String::new()),
    }
}

/// The sheet's rows: what was posted, or every voter who has not voted
/// and is not on a sheet waiting for its check, in dwelling order.
fn sheet_rows(d: &SheetData, posted: Option<&Posted>, refused: &Refusals) -> Vec<view::SheetRow> {
    let on_hold: HashSet<&str> = d
        .pending
        .iter()
        .flat_map(|p| p.entries.iter().map(|e| e.voter.as_str()))
        .collect();
    let voters: Vec<&str> = match posted {
        Some(p) => p.voters.iter().map(String::as_str).collect(),
        None => d
            .electorate
            .iter()
            .map(|e| e.voter.as_str())
            .filter(|v| !d.voted.contains(*v) && !on_hold.contains(v))
            .collect(),
    };
    let who = who_is(d);
    voters
        .iter()
        .enumerate()
        .map(|(i, voter)| {
            let (who, dwellings) = who(voter);
            view::SheetRow {
                n: i + 1,
                voter: voter.to_string(),
                who,
                dwellings,
                chosen: posted
                    .and_then(|p| p.chosen.get(*voter).cloned())
                    .unwrap_or_default(),
                error: refused.rows.get(&(i + 1)).cloned(),
            }
        })
        .collect()
}

/// The sheets waiting for their check, each with its refusal if it has one.
fn pending_views(com: &Committee, d: &SheetData, refused: &Refusals) -> Vec<view::PendingSheet> {
    let who = who_is(d);
    d.pending
        .iter()
        .map(|p| view::PendingSheet {
            id: p.id,
            entered_by: p.entered_by_name.clone(),
            mine: p.entered_by == com.account.id,
            rows: p
                .entries
                .iter()
                .map(|e| {
                    let (who, dw) = who(&e.voter);
                    (e.row, who, dw, e.choice.clone())
                })
                .collect(),
            error: refused
                .sheet
                .as_ref()
                .filter(|(id, _)| *id == p.id)
                .map(|(_, m)| m.clone()),
        })
        .collect()
}

fn sheet_view(
    com: &Committee,
    d: &SheetData,
    posted: Option<&Posted>,
    refused: Refusals,
    notice: Option<Msg>,
) -> view::TallySheetView {
    let v = &d.vote;
    view::TallySheetView {
        vote_id: v.id,
        title: v.title.clone(),
        scope: v.scope_label.clone(),
        open: v.status == Status::Open && crate::store::now() < v.closes_at,
        options: v
            .options
            .as_ref()
            .map(|o| o.ids().into_iter().zip(o.labels.iter().cloned()).collect())
            .unwrap_or_default(),
        max_choices: v.options.as_ref().map_or(0, |o| o.max),
        rows: sheet_rows(d, posted, &refused),
        check: posted.is_some_and(|p| p.check),
        secret: v.secret,
        pending: pending_views(com, d, &refused),
        errors: refused.top,
        notice,
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
    n: Option<usize>,
}

fn done_words(q: &DoneQuery) -> Option<Msg> {
    let n = q.n.unwrap_or(0);
    Some(match q.done.as_deref()? {
        "entered" => Msg::new(
            format!("已录入 {n} 张纸质选票。"),
            format!("{n} paper ballots were entered."),
        ),
        "kept" => Msg::new(
            format!("计票单（{n} 张选票）已保存，待另一位委员核对后计入。"),
            format!("The sheet ({n} ballots) is kept until another committee member checks it."),
        ),
        "discarded" => Msg::new(
            "计票单已作废，没有计入任何选票。",
            "The sheet was discarded; nothing was counted.",
        ),
        _ => return None,
    })
}

pub async fn show(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, Error> {
    let d = read(&st, com.community.id, id).await?;
    let v = sheet_view(&com, &d, None, Refusals::default(), done_words(&q));
    let chrome = com.ctx.chrome(Some(&com.community));
    Ok(view::tally_sheet_page(&chrome, &com.community.slug, &v).into_response())
}

/// The audit rows of entered ballots: one per ballot, as a single paper
/// ballot gets (a secret vote's names nobody), and one for the sheet.
fn audit_ballots(
    tx: &rusqlite::Transaction,
    actor: &Actor,
    vote: &Vote,
    entries: &[SheetEntry],
    sheet_detail: &str,
) -> Result<(), Error> {
    let target = Subject::Vote(vote.id).to_string();
    for e in entries {
        let detail = if vote.secret {
            "paper"
        } else {
            e.voter.as_str()
        };
        audit::record(
            tx,
            actor,
            Some(vote.community_id),
            "vote.paper",
            &target,
            detail,
        )?;
    }
    audit::record(
        tx,
        actor,
        Some(vote.community_id),
        "vote.tally_sheet",
        &target,
        sheet_detail,
    )
}

/// How a write of a sheet ended.
enum Outcome {
    Entered(usize),
    Kept(usize),
    Refused(Refused),
}

impl Refusals {
    /// Refused rows, each named beside its row and in the summary.
    fn of_rows(rows: impl IntoIterator<Item = (usize, Msg)>) -> Refusals {
        let mut r = Refusals::default();
        for (row, m) in rows {
            let b = row_msg(row, &m);
            r.top.add(&format!("row-{row}"), b.clone());
            r.rows.insert(row, b);
        }
        r
    }

    fn whole(field: &str, m: Msg) -> Refusals {
        let mut r = Refusals::default();
        r.top.add(field, m);
        r
    }
}

/// The sheet's ballots, or why it is refused before anything is written.
fn checked_entries(d: &SheetData, posted: &Posted) -> Result<Vec<SheetEntry>, Box<Refusals>> {
    let entries = posted
        .entries(&d.vote)
        .map_err(|bad| Box::new(Refusals::of_rows(bad)))?;
    if entries.is_empty() {
        return Err(Box::new(Refusals::whole(
            "",
            Msg::new(
                "计票单上没有勾选任何选票",
                "no ballot is ticked on the sheet",
            ),
        )));
    }
    if posted.check && d.vote.secret {
        return Err(Box::new(Refusals::whole(
            "check",
            Msg::new(
                "无记名表决的计票单不交第二人核对：核对会让第二个人看到谁投了什么",
                "a secret vote's sheet has no second check: it would show a second person whose ballot is whose",
            ),
        )));
    }
    Ok(entries)
}

/// Inside the write transaction: the sheet entered (or kept for its
/// check) with its audit rows, or the refused row with nothing written.
fn write_sheet(
    tx: &rusqlite::Transaction,
    actor: &Actor,
    (cid, id): (i64, i64),
    entries: &[SheetEntry],
    account: i64,
    check: bool,
) -> Result<Outcome, Error> {
    let vote = votes::get(tx, cid, id)?;
    let n = entries.len();
    if check {
        return Ok(match sheet::keep_for_check(tx, &vote, entries, account)? {
            Ok(sheet) => {
                let detail = format!("sheet #{sheet}: {n} paper ballots kept for a second check");
                let target = Subject::Vote(id).to_string();
                audit::record(
                    tx,
                    actor,
                    Some(cid),
                    "vote.tally_sheet_kept",
                    &target,
                    &detail,
                )?;
                Outcome::Kept(n)
            }
            Err(r) => Outcome::Refused(r),
        });
    }
    Ok(match sheet::enter(tx, &vote, entries, account)? {
        Ok(n) => {
            audit_ballots(tx, actor, &vote, entries, &format!("{n} paper ballots"))?;
            Outcome::Entered(n)
        }
        Err(r) => Outcome::Refused(r),
    })
}

pub async fn save(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let posted = Posted::from_pairs(f);
    let cid = com.community.id;
    let d = read(&st, cid, id).await?;
    let entries = match checked_entries(&d, &posted) {
        Ok(e) => e,
        Err(r) => return Ok(refused_page(&com, &d, &posted, *r)),
    };
    let (actor, account, check) = (com.ctx.actor(), com.account.id, posted.check);
    let outcome = st
        .db
        .write(move |tx| write_sheet(tx, &actor, (cid, id), &entries, account, check))
        .await?;
    let base = format!("/c/{}/votes/{id}/tally-sheet", com.community.slug);
    match outcome {
        Outcome::Entered(n) => Ok(see_other(&format!("{base}?done=entered&n={n}"))),
        Outcome::Kept(n) => Ok(see_other(&format!("{base}?done=kept&n={n}"))),
        Outcome::Refused(r) => {
            let d = read(&st, cid, id).await?;
            let rf = Refusals::of_rows([(r.row, r.msg)]);
            Ok(refused_page(&com, &d, &posted, rf))
        }
    }
}

/// The same sheet again, with what was entered and each refusal beside its row.
fn refused_page(com: &Committee, d: &SheetData, posted: &Posted, r: Refusals) -> Response {
    let v = sheet_view(com, d, Some(posted), r, None);
    let chrome = com.ctx.chrome(Some(&com.community));
    invalid(view::tally_sheet_page(&chrome, &com.community.slug, &v))
}

/// A second committee member confirms a kept sheet: its ballots count.
pub async fn confirm(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, sheet_id)): Path<(String, i64, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let (actor, checker) = (com.ctx.actor(), com.account.id);
    let outcome = st
        .db
        .write(move |tx| {
            let vote = votes::get(tx, cid, id)?;
            Ok(match sheet::confirm(tx, &vote, sheet_id, checker)? {
                Ok(p) => {
                    let detail = format!(
                        "sheet #{sheet_id}: {} paper ballots entered by account {}, checked",
                        p.entries.len(),
                        p.entered_by
                    );
                    audit_ballots(tx, &actor, &vote, &p.entries, &detail)?;
                    Ok(p.entries.len())
                }
                Err(r) => Err(r),
            })
        })
        .await?;
    let slug = &com.community.slug;
    match outcome {
        Ok(n) => Ok(see_other(&format!(
            "/c/{slug}/votes/{id}/tally-sheet?done=entered&n={n}"
        ))),
        Err(r) => {
            let d = read(&st, cid, id).await?;
            let rf = Refusals {
                sheet: Some((sheet_id, row_msg(r.row, &r.msg))),
                ..Default::default()
            };
            let v = sheet_view(&com, &d, None, rf, None);
            let chrome = com.ctx.chrome(Some(&com.community));
            Ok(invalid(view::tally_sheet_page(&chrome, slug, &v)))
        }
    }
}

/// Drops a kept sheet; nothing of it counts.
pub async fn discard(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, sheet_id)): Path<(String, i64, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    super::super::apply_step(
        &st,
        com.ctx.actor(),
        cid,
        Subject::Vote(id),
        "vote.tally_sheet_discarded",
        votes::get,
        move |tx, _| {
            let n = sheet::discard(tx, id, sheet_id)?;
            let detail = format!("sheet #{sheet_id}: {n} paper ballots discarded unentered");
            Ok(("discarded".to_string(), detail))
        },
    )
    .await?;
    Ok(see_other(&format!(
        "/c/{}/votes/{id}/tally-sheet?done=discarded",
        com.community.slug
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_keeps_its_rows_in_order_and_skips_empty_choices() {
        let p = Posted::from_pairs(vec![
            ("voter".into(), "o-2".into()),
            ("c-o-2".into(), "".into()),
            ("voter".into(), "o-1".into()),
            ("c-o-1".into(), "agree".into()),
            ("check".into(), "1".into()),
        ]);
        assert_eq!(p.voters, ["o-2", "o-1"]);
        assert!(!p.chosen.contains_key("o-2"));
        assert_eq!(p.chosen["o-1"], ["agree"]);
        assert!(p.check);
    }
}
