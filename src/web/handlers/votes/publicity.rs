//! After a vote closes: objections lodged during publicity and answered in
//! public, the result made final, and the A4 notice for the paper board.
//! A refused objection or answer comes back on the vote's page as typed.

use super::super::fmt_time;
use super::refused::{Back, Typed, beside, got};
use super::step;
use crate::domain::Subject;
use crate::error::Error;
use crate::store::{ledger, now, objections, votes};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Visitor};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::Msg;
use teahouse_views::pages::votes as view;

pub async fn object(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let back = Back {
        st: &st,
        ctx: &m.ctx,
        community: &m.community,
        id,
        form: view::Form::Objection,
    };
    let (account, author) = (m.account.id, m.account.display_name.clone());
    let text = got(&f, "text").to_string();
    back.step(
        "vote.objection",
        "objected#h-objections",
        f,
        move |tx, vote| {
            let e = objections::lodge(tx, vote, account, &author, &text);
            Ok(beside("text", e)?.map(|e| format!("ledger #{}", e.seq)))
        },
    )
    .await
}

pub async fn answer(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, objection)): Path<(String, i64, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let back = Back {
        st: &st,
        ctx: &com.ctx,
        community: &com.community,
        id,
        form: view::Form::Answer(objection),
    };
    let account = com.account.id;
    let text = got(&f, "text").to_string();
    back.step(
        "vote.answer",
        "answered#h-objections",
        f,
        move |tx, vote| {
            let e = objections::answer(tx, vote, objection, account, &text);
            Ok(beside("text", e)?.map(|e| format!("objection {objection} · ledger #{}", e.seq)))
        },
    )
    .await
}

pub async fn finalize(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.final",
        "final",
        |tx, vote| {
            let e = objections::finalize(tx, vote)?;
            Ok(format!("ledger #{}", e.seq))
        },
    )
    .await
}

/// The notice's figures, each labelled in both languages: heads and area.
fn figures(r: &crate::domain::vote::Tally) -> Vec<(String, String)> {
    let fig = |f: &crate::domain::vote::Figures| match &f.area {
        Some(a) => format!("{} 人 · {a} ㎡", f.heads),
        None => format!("{} 人", f.heads),
    };
    if r.options.is_empty() {
        vec![
            ("应参加 Electorate".into(), fig(&r.total)),
            ("参加 Took part".into(), fig(&r.participating)),
            ("同意 Agree".into(), fig(&r.agree)),
            ("不同意 Disagree".into(), fig(&r.disagree)),
            ("弃权 Abstain".into(), fig(&r.abstain)),
        ]
    } else {
        let mut f = vec![
            ("应参加 Electorate".into(), fig(&r.total)),
            ("参加 Took part".into(), fig(&r.participating)),
        ];
        for o in &r.options {
            f.push((
                format!("{} {}", o.id, o.label),
                format!(
                    "{}{}",
                    fig(&o.chosen),
                    if o.adopted { " · 采纳 adopted" } else { "" }
                ),
            ));
        }
        f.push(("弃权 Abstain".into(), fig(&r.abstain)));
        f
    }
}

/// The A4 notice of a closed vote for the paper board.
pub async fn notice_page(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (vote, entries, head) = st
        .db
        .read(move |c| {
            let vote = votes::get(c, cid, id)?;
            Ok((
                vote,
                ledger::entries_for(c, cid, &Subject::Vote(id).to_string())?,
                ledger::head(c, cid)?,
            ))
        })
        .await?;
    let Some(r) = vote.result.as_ref() else {
        return Err(Error::NotFound);
    };
    let tz = &v.community.tz;
    let (rz, re) = vote.rule.names();
    let mut view = view::NoticeView {
        community: v.community.name.clone(),
        title: vote.title.clone(),
        scope: vote.scope_label.clone(),
        rule: Msg::new(rz, re),
        // After an early close the period ends when the vote closed.
        period: format!(
            "{} — {}",
            fmt_time(vote.opens_at, tz),
            fmt_time(
                vote.closed_at
                    .map_or(vote.closes_at, |c| c.min(vote.closes_at)),
                tz
            )
        ),
        closed_early: vote
            .closed_at
            .filter(|c| *c < vote.closes_at)
            .map(|c| (fmt_time(vote.closes_at, tz), fmt_time(c, tz))),
        verdict: r.verdict.clone(),
        tests: r
            .quorum
            .iter()
            .chain(r.pass.iter())
            .map(|t| view::TestLine {
                met: t.met,
                text: Msg::new(t.zh.clone(), t.en.clone()),
            })
            .collect(),
        figures: figures(r),
        publicity_until: objections::publicity_end(&vote).map(|t| fmt_time(t, tz)),
        is_final: vote.final_at.is_some(),
        url: format!("{}/c/{}/votes/{id}", v.ctx.0.origin, v.community.slug),
        entry: entries
            .iter()
            .find(|e| e.kind == "vote.closed")
            .map(|e| (e.seq, e.hash.clone())),
        head,
        printed: fmt_time(now(), tz),
    };
    view.figures
        .extend(crate::web::handlers::notices::reach::notice_figures_for(&st, cid, id).await?);
    Ok(view::notice_page(&v.ctx.chrome(Some(&v.community)), &view).into_response())
}
