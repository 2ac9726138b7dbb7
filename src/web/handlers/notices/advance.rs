//! The committee sends a draft vote's advance notice (表决预告): a confirm
//! page saying whom it reaches and what the 15 days mean, then the post that
//! queues it (audited) and returns to the vote's page.

use crate::domain::vote::RuleId;
use crate::error::Error;
use crate::notify::{advance, outbox};
use crate::store::{audit, notices_advance as adv, now, votes};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::confirm::{Confirmed, ask};
use crate::web::handlers::{fmt_time, see_other};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::Msg;
use teahouse_views::pages::confirm::{ConfirmView, confirm_page};

fn base(slug: &str, id: i64) -> String {
    format!("/c/{slug}/votes/{id}")
}

/// What sending the advance notice will do, and the button that does it.
pub async fn confirm(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let (v, people, households) = st
        .db
        .read(move |c| {
            let v = votes::get(c, cid, id)?;
            let who = advance::recipients(c, &v)?;
            let h = adv::households_of(c, &who)?;
            Ok((v, who.len(), h))
        })
        .await?;
    let tz = &com.community.tz;
    let owners = matches!(
        v.rule,
        RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary
    );
    let mut consequences = vec![
        Msg::new(
            format!(
                "预告发给这次表决范围（{}）内现在可以投票的 {people} 人、{households} 户：有邮箱或手机的经邮件、短信，另发群消息；也可打印送达清单上门送达。",
                v.scope_label
            ),
            format!(
                "The notice goes to the {people} people in {households} households who may vote in this scope ({}) today: by e-mail or SMS where they have one, and to the group chats; the delivery list can be printed for the door.",
                v.scope_label
            ),
        ),
        Msg::new(
            format!(
                "它说明表决事项和时间：{} 开始，{} 截止。预告只发一次。",
                fmt_time(v.opens_at, tz),
                fmt_time(v.closes_at, tz)
            ),
            format!(
                "It states what is to be decided and when: opening {}, closing {}. It goes out once.",
                fmt_time(v.opens_at, tz),
                fmt_time(v.closes_at, tz)
            ),
        ),
        Msg::new(
            "表决开始时，预告的日期和送达户数记入公开记录。",
            "When the vote opens, the notice's date and the households it reached go into the public ledger.",
        ),
    ];
    if let Some(d) = owners
        .then(|| outbox::days_short(now(), v.opens_at))
        .flatten()
    {
        consequences.push(advance::short_words(d));
    }
    let c = com.ctx.chrome(Some(&com.community));
    let b = base(&com.community.slug, id);
    let cv = ConfirmView {
        title: c.t("发出表决预告？", "Send the advance notice?").into(),
        subject: v.title.clone(),
        consequences,
        action: format!("{b}/advance-notice"),
        hidden: vec![],
        button: Msg::new("确认发出预告", "Send the advance notice"),
        back: b,
    };
    Ok(confirm_page(&c, &cv).into_response())
}

/// Queues the advance notice (once confirmed) and goes back to the vote.
pub async fn send(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Confirmed>,
) -> Result<Response, Error> {
    let b = base(&com.community.slug, id);
    if !f.yes() {
        return Ok(ask(&format!("{b}/advance-notice")));
    }
    let (cid, actor) = (com.community.id, com.ctx.actor());
    let (slug, tz) = (com.community.slug.clone(), com.community.tz.clone());
    st.db
        .write(move |tx| {
            let v = votes::get(tx, cid, id)?;
            let n = advance::send(tx, &v, &slug, &tz)?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "vote.advance_notice",
                &format!("vote:{id}"),
                &format!("notice {n}"),
            )
        })
        .await?;
    Ok(see_other(&format!("{b}#advance")))
}
