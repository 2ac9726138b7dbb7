//! The community board.

use crate::domain::proposal::Status;
use crate::domain::round::Phase;
use crate::error::Error;
use crate::store::communities::{self, Kind};
use crate::store::{disclosures, proposals, roll, rounds};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use axum::extract::State;
use maud::Markup;
use teahouse_views::pages::board::{
    BoardProposals, BoardRound, BoardView, Contact, RollCounts, board,
};

/// How many open proposals and open rounds the board shows.
const PROPOSALS: usize = 3;
const ROUNDS: usize = 3;

pub async fn show(State(st): State<AppState>, v: Visitor) -> Result<Markup, Error> {
    let com = v.community.clone();
    let resident_id = v
        .ctx
        .0
        .account
        .as_ref()
        .filter(|a| a.is_member(com.id))
        .and_then(|a| a.resident_id);
    let id = com.id;
    let today = super::today(&com.tz);
    let today_s = today.to_string();
    let home = match resident_id {
        Some(r) => st.db.read(move |c| roll::resident_home(c, r)).await?,
        None => None,
    };
    // What everyone sees, in one trip to a reader, kept until the next commit.
    let data = st
        .db
        .read_shared("board", id, move |c| {
            let stats = communities::roll_stats(c, id)?;
            let filter = disclosures::Filter {
                category: None,
                year: None,
                q: String::new(),
                staff: false,
            };
            let mut recent = disclosures::list(c, id, &filter)?;
            recent.truncate(5);
            Ok((
                stats,
                crate::store::votes::list(c, id, false)?,
                (
                    disclosures::cadences(c, id)?,
                    disclosures::published_periods(c, id)?,
                    recent,
                ),
                super::deliberations::load_series(c, id, &today_s, crate::store::now())?,
                (
                    proposals::page(c, id, None, Some(Status::Open), 0, PROPOSALS)?,
                    proposals::page(c, id, None, None, 0, 0)?.1,
                    rounds::open(c, id, ROUNDS)?,
                ),
            ))
        })
        .await?;
    let (stats, votes, (cadences, published, recent), series, (open, all, rounds)) = &*data;
    let view = BoardView {
        name: com.name.clone(),
        is_village: com.kind == Kind::Village,
        contact: Contact {
            name: com.contact_name.clone(),
            phone: com.contact_phone.clone(),
            address: com.contact_address.clone(),
            hours: com.contact_hours.clone(),
        },
        counts: RollCounts {
            zones: stats.zones,
            buildings: stats.buildings,
            dwellings: stats.dwellings,
            households: stats.households,
            residents: stats.residents,
            adults: stats.adults,
            owners: stats.owners,
            accounts: stats.accounts,
        },
        my_home: home.map(|(_, zone, place)| format!("{zone} · {place}")),
        votes: votes
            .iter()
            .map(|x| super::votes::line(x, &com.tz))
            .collect(),
        slug: com.slug.clone(),
        disclosure_categories: super::disclosures::category_lines(cadences, published, today)
            .into_iter()
            .filter(|c| c.last.is_some() || !c.overdue.is_empty())
            .collect(),
        disclosures: super::disclosures::lines(recent.clone()),
        meetings: super::deliberations::board_summary(series, &com.tz),
        proposals: BoardProposals {
            open: open.0.iter().map(super::proposals::line).collect(),
            open_total: open.1,
            all_total: *all,
        },
        rounds: rounds
            .iter()
            .cloned()
            .map(|r| BoardRound {
                id: r.id,
                phase: r.phase.as_str().into(),
                phase_words: super::rounds::phase_bi(r.phase),
                until: match r.phase {
                    Phase::Collect => r.collect_until,
                    Phase::Review => r.review_until,
                    Phase::Vote | Phase::Results => r.vote_until,
                },
                title: r.title,
            })
            .collect(),
    };
    Ok(board(&v.ctx.chrome(Some(&com)), &view))
}
