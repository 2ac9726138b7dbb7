//! A vote's reach: the figure on its page for everyone, the table per
//! building, and for the committee the owners' 15-day warning and the links
//! to the record; also the lines of its A4 result notice.

use super::bi;
use super::record::place_lines;
use crate::domain::vote::RuleId;
use crate::error::Error;
use crate::notify::outbox;
use crate::store::notices_record as rec;
use crate::store::votes::Vote;
use crate::web::AppState;
use crate::web::handlers::fmt_time;
use maud::Markup;
use teahouse_views::Chrome;
use teahouse_views::pages::notices::{VoteReachView, ratio, vote_reach};

/// The reach block of a vote's page, if the vote has been notified.
pub async fn block(
    st: &AppState,
    c: &Chrome,
    v: &Vote,
    slug: &str,
    tz: &str,
    committee: bool,
) -> Result<Option<Markup>, Error> {
    let (cid, vid) = (v.community_id, v.id);
    let Some(r) = st.db.read(move |c| rec::vote_reach(c, cid, vid)).await? else {
        return Ok(None);
    };
    let owners = matches!(
        v.rule,
        RuleId::CivilCode278Special | RuleId::CivilCode278Ordinary
    );
    let warning = (committee && owners)
        .then(|| {
            outbox::owners_notice_warning(Some(r.notified_at), v.opens_at, r.reached, r.households)
        })
        .flatten();
    let view = VoteReachView {
        households: r.households,
        reached: r.reached,
        notified: fmt_time(r.notified_at, tz),
        places: place_lines(&r.places),
        record: committee.then(|| format!("/c/{slug}/notices/{}", r.notice_id)),
        warning: warning.as_ref().map(bi),
    };
    Ok(Some(vote_reach(c, &view)))
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
