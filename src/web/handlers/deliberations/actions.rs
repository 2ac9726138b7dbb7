//! Follow-up actions: the list and closing one with a report and photos; a
//! refused close comes back as typed, beside its field, its photos kept.

use super::{ShowQuery, overdue};
use crate::domain::deliberation::ActionStatus;
use crate::error::Error;
use crate::store::deliberations::{self as store};
use crate::store::{attachments, audit};
use crate::web::AppState;
use crate::web::ctx::{Committee, Visitor};
use crate::web::handlers::refused::{files, keep, required};
use crate::web::handlers::{invalid, see_other, today};
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use teahouse_views::Msg;
use teahouse_views::forms::Errors;
use teahouse_views::pages::deliberations as view;
use teahouse_views::refused::Refused;

pub async fn actions(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Error> {
    let notice = (q.done.as_deref() == Some("closed")).then(|| {
        Msg::new(
            "已办结并记入公开记录。",
            "Closed and recorded in the ledger.",
        )
    });
    Ok(actions_page(&st, &v, notice, None).await?.into_response())
}

/// The actions, with a close form refused (`refused`) as typed.
async fn actions_page(
    st: &AppState,
    v: &Visitor,
    notice: Option<Msg>,
    refused: Option<Refused<i64>>,
) -> Result<maud::Markup, Error> {
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
    Ok(view::actions_page(
        &v.ctx.chrome(Some(&v.community)),
        &v.community.slug,
        &lines,
        notice.as_ref(),
        &refused,
    ))
}

/// Closes an action: a short report (required) and optional photos. A
/// refused one comes back open on the list, as typed, its photos kept.
pub async fn close_action(
    State(st): State<AppState>,
    com: Committee,
    Path((_, action)): Path<(String, i64)>,
    mp: Multipart,
) -> Result<Response, Error> {
    let p = crate::web::handlers::files::read(mp).await?;
    let mut e = Errors::none();
    let report = required(&mut e, "report", &p.field("report"), 1000);
    let photos = files(&mut e, &p, "file");
    let (cid, by) = (com.community.id, com.account.id);
    if !e.is_empty() {
        let typed = HashMap::from([("report".to_string(), p.field("report"))]);
        let mut r = Refused::new(action, typed, e);
        r.kept = keep(&st, cid, by, photos).await?;
        let v = Visitor {
            ctx: com.ctx.clone(),
            community: com.community.clone(),
        };
        return Ok(invalid(actions_page(&st, &v, None, Some(r)).await?));
    }
    let actor = com.ctx.actor();
    st.db
        .write(move |tx| {
            let e = store::close_action(tx, cid, action, &report, by)?;
            let owner = crate::domain::Subject::Action(action).to_string();
            attachments::claim(tx, cid, by, &photos.kept, &owner)?;
            for f in &photos.new {
                attachments::add(tx, cid, &owner, f, by)?;
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "action.close",
                &owner,
                &format!("ledger #{}", e.seq),
            )
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/actions?done=closed#action-{action}",
        com.community.slug
    )))
}
