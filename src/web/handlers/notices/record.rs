//! The outbox and one notice's record: reach per building, every delivery
//! with its attempts (addresses masked), and the committee's resend.

use crate::domain::Msg;
use crate::error::Error;
use crate::notify::outbox::DeliveryState;
use crate::store::{audit, notices, notices_record as rec};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::{fmt_time, see_other};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::pages::notices::PlaceLine;
use teahouse_views::pages::notices::record::{
    self as view, AttemptLine, DeliveryLine, NoticeLine, NoticeRecord, PostLine,
};

/// Notices listed on the outbox page.
const OUTBOX_ROWS: usize = 200;

pub async fn outbox(State(st): State<AppState>, com: Committee) -> Result<Response, Error> {
    let id = com.community.id;
    let rows = st.db.read(move |c| rec::list(c, id, OUTBOX_ROWS)).await?;
    let tz = &com.community.tz;
    let lines: Vec<NoticeLine> = rows
        .iter()
        .map(|r| NoticeLine {
            id: r.id,
            when: fmt_time(r.created_at, tz),
            kind: r.kind.label().clone(),
            title: r.title.clone(),
            households: r.households,
            reached: r.reached,
            waiting: r.waiting,
            sent: r.sent,
            failed: r.failed,
            skipped: r.skipped,
        })
        .collect();
    let c = com.ctx.chrome(Some(&com.community));
    Ok(view::outbox(&c, &com.community.slug, &lines).into_response())
}

/// The places of a notice as the views show them.
pub fn place_lines(places: &[rec::PlaceReach]) -> Vec<PlaceLine> {
    places
        .iter()
        .map(|p| PlaceLine {
            place: p.place.code(),
            label: p.label.clone(),
            households: p.households,
            reached: p.reached,
            by_paper: p.by_paper,
            by_web: p.by_web,
        })
        .collect()
}

fn attempt_word(outcome: &str) -> Msg {
    match outcome {
        "sending" => Msg::new("发送中", "sending"),
        "sent" => Msg::new("已发送", "sent"),
        "retry" => Msg::new("暂时失败，稍后重试", "temporary failure, to be retried"),
        "interrupted" => Msg::new("服务器中途停止", "server stopped while sending"),
        "skipped" => Msg::new("未发送", "not sent"),
        _ => Msg::new("失败", "failed"),
    }
}

fn delivery_line(d: &rec::DeliveryRow, tz: &str) -> DeliveryLine {
    DeliveryLine {
        id: d.id,
        household: d.household_code.clone(),
        channel: d.channel.label().clone(),
        to: d.to_masked.clone(),
        state: d.state.label().clone(),
        failed: d.state == DeliveryState::Failed,
        can_resend: matches!(d.state, DeliveryState::Failed | DeliveryState::Skipped),
        error: d.error.clone(),
        attempts: d
            .attempts
            .iter()
            .map(|a| AttemptLine {
                n: a.n,
                when: fmt_time(a.at, tz),
                outcome: attempt_word(&a.outcome),
                detail: (!a.detail.zh.is_empty()
                    && !matches!(a.outcome.as_str(), "sent" | "sending"))
                .then(|| a.detail.clone()),
            })
            .collect(),
    }
}

fn post_line(g: &rec::GroupPostRow, tz: &str) -> PostLine {
    let when = match (g.state, g.sent_at) {
        (DeliveryState::Sent, Some(at)) => {
            let t = fmt_time(at, tz);
            Msg::new(format!("{t} 发出"), format!("sent {t}"))
        }
        (DeliveryState::Queued | DeliveryState::Sending, _) => {
            let t = fmt_time(g.due_at, tz);
            Msg::new(format!("{t} 起发送"), format!("due {t}"))
        }
        _ => {
            let t = fmt_time(g.due_at, tz);
            Msg::new(format!("最后一次：{t}"), format!("last due {t}"))
        }
    };
    PostLine {
        channel: g.channel.label().clone(),
        state: g.state.label().clone(),
        failed: g.state == DeliveryState::Failed,
        when: when.clone(),
        attempts: g.attempts,
        error: g.error.clone(),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    resent: Option<i64>,
}

pub async fn notice(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<Flash>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let (n, places, ds, gs) = st
        .db
        .read(move |c| {
            let n = rec::notice(c, cid, id)?.ok_or(Error::NotFound)?;
            Ok((
                n,
                rec::reach_by_place(c, id)?,
                rec::deliveries(c, id)?,
                rec::group_posts(c, id)?,
            ))
        })
        .await?;
    let tz = &com.community.tz;
    let v = NoticeRecord {
        slug: com.community.slug.clone(),
        id,
        when: fmt_time(n.created_at, tz),
        kind: n.kind.label().clone(),
        title: n.title.clone(),
        body: n.body.clone(),
        path: n.path.clone(),
        households: n.households,
        reached: n.reached,
        places: place_lines(&places),
        deliveries: ds.iter().map(|d| delivery_line(d, tz)).collect(),
        posts: gs.iter().map(|g| post_line(g, tz)).collect(),
        flash: q.resent.map(|d| {
            teahouse_views::Msg::new(
                format!("第 {d} 条送达已重新排队。"),
                format!("Delivery {d} is queued again."),
            )
        }),
    };
    Ok(view::notice(&com.ctx.chrome(Some(&com.community)), &v).into_response())
}

pub async fn resend(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, delivery)): Path<(String, i64, i64)>,
) -> Result<Response, Error> {
    let (cid, actor) = (com.community.id, com.ctx.actor());
    st.db
        .write(move |tx| {
            rec::notice(tx, cid, id)?.ok_or(Error::NotFound)?;
            notices::resend(tx, cid, id, delivery)?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "notice.resend",
                &format!("delivery:{delivery}"),
                &format!("notice {id}"),
            )
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/notices/{id}?resent={delivery}",
        com.community.slug
    )))
}
