//! A vote's downloadable count: `export.json` and `tally.xlsx`. An open
//! vote publishes every ballot. A secret vote publishes nothing while open;
//! once closed, everyone gets the totals and the sorted receipts, and only
//! the supervision committee gets the per-voter recount file (pseudonyms,
//! the day only, no receipts), whose SHA-256 is in the ledger.

use super::super::checked;
use crate::domain::vote_export::VoteExport;
use crate::domain::vote_totals::VoteTotals;
use crate::error::Error;
use crate::store::accounts::Role;
use crate::store::vote_files::{self, Form};
use crate::store::votes::{self, Status, Vote};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    full: Option<String>,
}

fn is_supervisor(v: &Visitor) -> bool {
    let cid = v.community.id;
    v.ctx
        .0
        .account
        .as_ref()
        .is_some_and(|a| a.has_role(cid, Role::Supervisor))
}

/// What a reader may download of a vote.
enum File {
    /// Every ballot (an open vote), or a secret vote's per-voter file.
    PerVoter(Vec<u8>, Box<VoteExport>),
    /// A closed secret vote, for everyone.
    Totals(Box<VoteTotals>),
}

async fn file_for(st: &AppState, v: &Visitor, id: i64, full: bool) -> Result<(Vote, File), Error> {
    let supervisor = is_supervisor(v);
    if full && !supervisor {
        return Err(Error::Forbidden);
    }
    let cid = v.community.id;
    st.db
        .read(move |c| {
            let vote = votes::get(c, cid, id)?;
            if vote.status == Status::Draft {
                return Err(Error::NotFound);
            }
            if vote.secret && vote.status == Status::Open {
                return Err(vote_files::sealed());
            }
            let file = if vote.secret && !full {
                File::Totals(Box::new(vote_files::totals(c, &vote)?))
            } else {
                File::PerVoter(
                    vote_files::export_bytes(c, &vote)?,
                    Box::new(vote_files::export(c, &vote, Form::Recount)?),
                )
            };
            Ok((vote, file))
        })
        .await
}

fn attachment(content_type: &str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The count as `teahouse.vote/1` (or, for a closed secret vote without
/// `?full=1`, `teahouse.vote-totals/1`).
pub async fn export(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, Error> {
    let full = checked(&q.full);
    let (_, file) = file_for(&st, &v, id, full).await?;
    let json = "application/json; charset=utf-8";
    Ok(match file {
        File::PerVoter(bytes, _) => attachment(json, format!("vote-{id}.json"), bytes),
        File::Totals(t) => {
            let body = serde_json::to_vec_pretty(&t).map_err(|e| Error::Internal(e.to_string()))?;
            attachment(json, format!("vote-{id}-totals.json"), body)
        }
    })
}

fn totals_rows(vote: &Vote, table: &mut Vec<Vec<String>>) {
    let Some(r) = &vote.result else { return };
    table.push(vec!["结果 verdict".into(), r.verdict.clone()]);
    for (k, f) in [
        ("应参加 electorate", &r.total),
        ("参加 took part", &r.participating),
        ("同意 agree", &r.agree),
        ("不同意 disagree", &r.disagree),
        ("弃权 abstain", &r.abstain),
    ] {
        table.push(vec![
            k.into(),
            f.heads.to_string(),
            f.area.clone().unwrap_or_default(),
        ]);
    }
    for o in &r.options {
        table.push(vec![
            format!("{} {}", o.id, o.label),
            o.chosen.heads.to_string(),
            o.chosen.area.clone().unwrap_or_default(),
            if o.adopted { "采纳 adopted" } else { "" }.into(),
        ]);
    }
}

/// Each voter's place in dwelling order and name, for an open vote; none
/// for a secret vote, whose rows stay in pseudonym order (dwelling order
/// would place each pseudonym).
async fn voter_labels(
    st: &AppState,
    vote: &Vote,
    id: i64,
) -> Result<HashMap<String, (usize, String)>, Error> {
    if vote.secret {
        return Ok(HashMap::new());
    }
    Ok(st
        .db
        .read(move |c| votes::frozen_electorate(c, id))
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, e)| (e.voter, (i, e.label)))
        .collect())
}

/// One row per voter, then the totals.
fn per_voter_rows(
    vote: &Vote,
    export: &VoteExport,
    labels: &HashMap<String, (usize, String)>,
    table: &mut Vec<Vec<String>>,
) {
    let mut electorate: Vec<_> = export.electorate.iter().collect();
    electorate.sort_by_key(|e| labels.get(&e.voter).map(|(i, _)| *i));
    let ballots: HashMap<&str, _> = export
        .ballots
        .iter()
        .map(|b| (b.voter.as_str(), b))
        .collect();
    table.push(
        [
            "选民 voter",
            "姓名 name",
            "房屋 dwellings",
            "面积 area",
            "户 household",
            "选择 choice",
            "方式 channel",
            "时间 cast at",
            "回执 receipt",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    for e in electorate {
        let b = ballots.get(e.voter.as_str());
        table.push(vec![
            e.voter.clone(),
            labels
                .get(&e.voter)
                .map(|(_, l)| l.clone())
                .unwrap_or_default(),
            e.dwellings.join("、"),
            e.area.clone().unwrap_or_default(),
            e.household.clone().unwrap_or_default(),
            b.map(|b| vote.words(&b.choice)).unwrap_or_default(),
            b.map(|b| b.channel.clone()).unwrap_or_default(),
            b.map(|b| b.cast_at.clone()).unwrap_or_default(),
            b.map(|b| b.receipt.clone()).unwrap_or_default(),
        ]);
    }
    table.push(Vec::new());
    totals_rows(vote, table);
}

/// A closed secret vote for everyone: the totals, the per-voter file's
/// hash and the receipts counted.
fn secret_rows(vote: &Vote, t: &VoteTotals, table: &mut Vec<Vec<String>>) {
    table.push(vec!["表决 vote".into(), vote.title.clone()]);
    table.push(vec![
        "无记名 secret".into(),
        "只公布合计与回执码 totals and receipts only".into(),
    ]);
    table.push(Vec::new());
    totals_rows(vote, table);
    table.push(Vec::new());
    table.push(vec![
        "逐票文件 SHA-256 per-voter file".into(),
        t.export_sha256.clone(),
    ]);
    table.push(vec!["计入的回执码 receipts counted".into()]);
    for r in &t.receipts {
        table.push(vec![r.clone()]);
    }
}

/// The tally sheet as XLSX, with the same privacy as `export.json`: one row
/// per voter (names only for an open vote), or the totals and receipts.
pub async fn tally_xlsx(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    // A supervisor gets the per-voter sheet of a secret vote; others its totals.
    let full = is_supervisor(&v);
    let (vote, file) = file_for(&st, &v, id, full).await?;
    let mut table: Vec<Vec<String>> = Vec::new();
    match file {
        File::PerVoter(_, export) => {
            let labels = voter_labels(&st, &vote, id).await?;
            per_voter_rows(&vote, &export, &labels, &mut table);
        }
        File::Totals(t) => secret_rows(&vote, &t, &mut table),
    }
    let bytes = tokio::task::spawn_blocking(move || crate::sheet::write_xlsx("计票表", &table))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(Error::Invalid)?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("vote-{id}-tally.xlsx"),
        bytes,
    ))
}
