//! Follow-up actions: the list and closing one with a report and photos.

use super::{ShowQuery, overdue};
use crate::domain::deliberation::ActionStatus;
use crate::error::Error;
use crate::store::deliberations::{self as store};
use crate::store::{attachments, audit};
use crate::web::AppState;
use crate::web::ctx::{Committee, Visitor};
use crate::web::handlers::{see_other, today};
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::Msg;
use teahouse_views::pages::deliberations as view;

pub async fn actions(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (list, photos) = st
        .db
        .read(move |c| {
            let photos = crate::store::meetings::action_photos(c, cid)?;
            Ok((store::actions(c, cid, None)?, photos))
        })
        .await?;
    let t = today(&v.community.tz).to_string();
    let lines: Vec<view::ActionLine> = list
        .iter()
        .map(|a| view::ActionLine {
            id: a.id,
            meeting_id: a.deliberation_id,
            meeting: a.meeting.clone(),
            title: a.title.clone(),
            owner: a.owner.clone(),
            due: a.due.clone(),
            done: a.status == ActionStatus::Done,
            overdue: overdue(a, &t),
            report: a.report.clone(),
            photos: photos
                .get(&crate::domain::Subject::Action(a.id).to_string())
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let notice = (q.done.as_deref() == Some("closed")).then(|| {
        Msg::new(
            "已办结并记入公开记录。",
            "Closed and recorded in the ledger.",
        )
    });
    Ok(view::actions_page(
        &v.ctx.chrome(Some(&v.community)),
        &v.community.slug,
        &lines,
        notice.as_ref(),
    )
    .into_response())
}

/// Closes an action: a short report (required) and an optional photo.
pub async fn close_action(
    State(st): State<AppState>,
    com: Committee,
    Path((_, action)): Path<(String, i64)>,
    mp: Multipart,
) -> Result<Response, Error> {
    let p = crate::web::handlers::files::read(mp).await?;
    let report = p.field("report");
    let photos = p.uploads("file")?;
    let cid = com.community.id;
    let by = com.account.id;
    let actor = com.ctx.actor();
    st.db
        .write(move |tx| {
            let e = store::close_action(tx, cid, action, &report, by)?;
            for f in &photos {
                attachments::add(
                    tx,
                    cid,
                    &crate::domain::Subject::Action(action).to_string(),
                    f,
                    by,
                )?;
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "action.close",
                &crate::domain::Subject::Action(action).to_string(),
                &format!("ledger #{}", e.seq),
            )
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/actions?done=closed#action-{action}",
        com.community.slug
    )))
}
