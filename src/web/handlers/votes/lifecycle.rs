//! Opening a vote (its electorate frozen and in the ledger) and closing it
//! by hand (counted, published and in the ledger).

use super::step;
use crate::domain::Msg;
use crate::error::Error;
use crate::store::{now, vote_files, votes};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::confirm::{Confirmed, ask};
use crate::web::handlers::fmt_time;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::pages::confirm::{ConfirmView, confirm_page};

pub async fn open(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Confirmed>,
) -> Result<Response, Error> {
    if !f.yes() {
        return Ok(ask(&format!("/c/{}/votes/{id}/open", com.community.slug)));
    }
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
/// What opening the vote will do, and the button that does it.
pub async fn open_confirm(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let v = st.db.read(move |c| votes::get(c, cid, id)).await?;
    let tz = &com.community.tz;
    let base = format!("/c/{}/votes/{id}", com.community.slug);
    let cv = ConfirmView {
        title: com
            .ctx
            .chrome(None)
            .t("开放这次表决？", "Open this vote?")
            .into(),
        subject: v.title.clone(),
        consequences: vec![
            Msg::new(
                format!(
                    "选民名单按现在的名册冻结（范围：{}），之后名册的变动不影响这次表决。",
                    v.scope_label
                ),
                format!(
                    "The electorate is frozen from the roll as it is now (scope: {}); later changes to the roll do not affect this vote.",
                    v.scope_label
                ),
            ),
            Msg::new(
                "题目、说明、选项和计票规则不能再修改。",
                "The question, explanation, options and counting rule can no longer be changed.",
            ),
            Msg::new(
                format!(
                    "开放记入公开记录；投票到 {} 截止。",
                    fmt_time(v.closes_at, tz)
                ),
                format!(
                    "Opening goes into the public ledger; voting closes {}.",
                    fmt_time(v.closes_at, tz)
                ),
            ),
        ],
        action: format!("{base}/open"),
        hidden: vec![],
        button: Msg::new("确认开放表决", "Open the vote"),
        back: base,
    };
    let c = com.ctx.chrome(Some(&com.community));
    Ok(confirm_page(&c, &cv).into_response())
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
