//! A vote's reach: its advance notice (表决预告) and, once open, its opening
//! notice — the figure for everyone, the table per building, and for the
//! committee the owners' 15-day warning (before the opening from the advance
//! notice, after it as the `vote.opened` entry recorded it), the button that
//! sends the advance notice and the links to the record; also the lines of
//! the vote's A4 result notice.

use super::record::place_lines;
use crate::domain::vote::RuleId;
use crate::error::Error;
use crate::notify::{advance, outbox};
use crate::store::notices_advance as adv;
use crate::store::notices_record as rec;
use crate::store::votes::{Status, Vote};
use crate::web::AppState;
use crate::web::handlers::fmt_time;
use maud::Markup;
use teahouse_views::Chrome;
use teahouse_views::pages::notices::{
    AdvanceView, SentAdvance, VoteReachView, ratio, vote_notices,
};

/// The notice blocks of a vote's page, if there is anything to show.
pub async fn block(
    st: &AppState,
    c: &Chrome,
    v: &Vote,
    slug: &str,
    tz: &str,
    committee: bool,
) -> Result<Option<Markup>, Error> {
    let (cid, vid) = (v.community_id, v.id);
    let (opening, sent, opened) = st
        .db
        .read(move |c| {
            Ok((
                rec::vote_reach(c, cid, vid)?,
                adv::advance(c, cid, vid)?,
                adv::opened_notice(c, cid, vid)?,
            ))
        })
        .await?;
    let owners = matches!(
        v.rule,
        RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary
    );
    let advance = advance_view(v, slug, tz, committee && owners, committee, sent);
    let opening = opening.map(|r| VoteReachView {
        households: r.households,
        reached: r.reached,
        notified: fmt_time(r.notified_at, tz),
        places: place_lines(&r.places),
        record: committee.then(|| format!("/c/{slug}/notices/{}", r.notice_id)),
        warning: (committee && owners)
            .then(|| opened.and_then(|o| o.warning))
            .flatten(),
    });
    if advance.is_none() && opening.is_none() {
        return Ok(None);
    }
    Ok(Some(vote_notices(c, advance.as_ref(), opening.as_ref())))
}

/// The advance notice's block: while a draft, its reach per building and
/// for the committee the button or the warning; once open, its date and reach.
fn advance_view(
    v: &Vote,
    slug: &str,
    tz: &str,
    warn: bool,
    committee: bool,
    sent: Option<rec::VoteReach>,
) -> Option<AdvanceView> {
    let draft = v.status == Status::Draft;
    let warning = match (&sent, warn && draft) {
        (Some(a), true) => {
            outbox::owners_notice_warning(Some(a.notified_at), v.opens_at, a.reached, a.households)
        }
        (None, true) => {
            outbox::days_short(crate::store::now(), v.opens_at).map(advance::short_words)
        }
        (_, false) => None,
    };
    let send = (committee && draft && sent.is_none())
        .then(|| format!("/c/{slug}/votes/{}/advance-notice/confirm", v.id));
    if sent.is_none() && send.is_none() {
        return None;
    }
    Some(AdvanceView {
        sent: sent.map(|a| SentAdvance {
            when: fmt_time(a.notified_at, tz),
            households: a.households,
            reached: a.reached,
            places: if draft {
                place_lines(&a.places)
            } else {
                Vec::new()
            },
            record: committee.then(|| format!("/c/{slug}/notices/{}", a.notice_id)),
        }),
        send,
        warning: warning.clone(),
    })
}

/// The A4 result notice's reach lines, if the vote was notified.
pub async fn notice_figures_for(
    st: &AppState,
    community_id: i64,
    vote_id: i64,
) -> Result<Vec<(String, String)>, Error> {
    let r = st
        .db
        .read(move |c| rec::vote_reach(c, community_id, vote_id))
        .await?;
    Ok(r.as_ref().map(notice_figures).unwrap_or_default())
}

/// The A4 notice's figures: households reached, and per building.
pub fn notice_figures(r: &rec::VoteReach) -> Vec<(String, String)> {
    let mut v = vec![(
        "通知送达户数 Households notified".to_string(),
        ratio(r.reached, r.households),
    )];
    for p in &r.places {
        v.push((
            format!("送达 Reached · {}", p.label),
            ratio(p.reached, p.households),
        ));
    }
    v
}
