//! Opening a vote (its electorate frozen and in the ledger) and closing it
//! by hand (counted, published and in the ledger).

use super::step;
use crate::domain::Msg;
use crate::error::Error;
use crate::store::{now, vote_files, votes};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::extract::{Path, State};
use axum::response::Response;

pub async fn open(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.open",
        "opened",
        |tx, vote| {
            let e = votes::open(tx, vote)?;
            Ok(format!("ledger #{} {}", e.seq, e.hash))
        },
    )
    .await
}
pub async fn close(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(&st, &com.ctx, &com.community, id, "vote.close", "closed", move |tx, vote| {
        if now() < vote.closes_at {
            let (n, voted) = vote_files::participation(tx, id)?;
            if voted < n {
                return Err(Error::Conflict(Msg::new(
                    format!("还没到截止时间，且还有 {} 位选民没有投票，不能提前结束", n - voted),
                    format!(
                        "the vote has not reached its closing time and {} voters have not voted; it cannot close early",
                        n - voted
                    ),
                )));
            }
        }
        let (t, e) = votes::close(tx, vote)?;
        Ok(format!("{} · ledger #{}", t.verdict, e.seq))
    })
    .await
}
