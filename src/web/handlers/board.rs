//! The community board.

use crate::domain::disclosure::{Cadence, Category, Period};
use crate::domain::proposal::Status;
use crate::domain::round::Phase;
use crate::error::Error;
use crate::store::communities::{self, Community, Kind};
use crate::store::proposals::Proposal;
use crate::store::rounds::Round;
use crate::store::votes::Vote;
use crate::store::{disclosures, proposals, roll, rounds};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use crate::web::handlers::deliberations::Series;
use axum::extract::State;
use maud::Markup;
use rusqlite::Connection;
use std::collections::HashMap;
use teahouse_views::pages::board::{
    BoardProposals, BoardRound, BoardView, Contact, RollCounts, board,
};

/// How many open proposals and open rounds the board shows.
const PROPOSALS: usize = 3;
const ROUNDS: usize = 3;

/// What everyone sees on the board, read in one trip to a reader.
struct Shared {
    stats: communities::RollStats,
    votes: Vec<Vote>,
    cadences: Vec<(Category, Cadence)>,
    published: HashMap<Category, Vec<Period>>,
    recent: Vec<disclosures::Line>,
    series: Series,
    open: (Vec<Proposal>, i64),
    all: i64,
    rounds: Vec<Round>,
}

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
    // Kept until the next commit.
    let data = st
        .db
        .read_shared("board", id, move |c| shared(c, id, &today_s))
        .await?;
    let view = board_view(&com, home, &data, today);
    Ok(board(&v.ctx.chrome(Some(&com)), &view))
}

fn shared(c: &Connection, id: i64, today: &str) -> Result<Shared, Error> {
    let filter = disclosures::Filter {
        category: None,
        year: None,
        q: String::new(),
        staff: false,
    };
    let mut recent = disclosures::list(c, id, &filter)?;
    recent.truncate(5);
    Ok(Shared {
        stats: communities::roll_stats(c, id)?,
        votes: crate::store::votes::list(c, id, false)?,
        cadences: disclosures::cadences(c, id)?,
        published: disclosures::published_periods(c, id)?,
        recent,
        series: super::deliberations::load_series(c, id, today, crate::store::now())?,
        open: proposals::page(c, id, None, Some(Status::Open), 0, PROPOSALS)?,
        all: proposals::page(c, id, None, None, 0, 0)?.1,
        rounds: rounds::open(c, id, ROUNDS)?,
    })
}

fn board_view(
    com: &Community,
    home: Option<(String, String, String)>,
    d: &Shared,
    today: jiff::civil::Date,
) -> BoardView {
    BoardView {
        name: com.name.clone(),
        is_village: com.kind == Kind::Village,
        contact: Contact {
            name: com.contact_name.clone(),
            phone: com.contact_phone.clone(),
            address: com.contact_address.clone(),
            hours: com.contact_hours.clone(),
        },
        counts: counts(&d.stats),
        my_home: home.map(|(_, zone, place)| format!("{zone} · {place}")),
        votes: d
            .votes
            .iter()
            .map(|x| super::votes::line(x, &com.tz))
            .collect(),
        slug: com.slug.clone(),
        disclosure_categories: super::disclosures::category_lines(&d.cadences, &d.published, today)
            .into_iter()
            .filter(|c| c.last.is_some() || !c.overdue.is_empty())
            .collect(),
        disclosures: super::disclosures::lines(d.recent.clone()),
        meetings: super::deliberations::board_summary(&d.series, &com.tz),
        proposals: BoardProposals {
            open: d.open.0.iter().map(super::proposals::line).collect(),
            open_total: d.open.1,
            all_total: d.all,
        },
        rounds: d.rounds.iter().cloned().map(round_line).collect(),
    }
}

fn counts(stats: &communities::RollStats) -> RollCounts {
    RollCounts {
        zones: stats.zones,
        buildings: stats.buildings,
        dwellings: stats.dwellings,
        households: stats.households,
        residents: stats.residents,
        adults: stats.adults,
        owners: stats.owners,
        accounts: stats.accounts,
    }
}

fn round_line(r: Round) -> BoardRound {
    BoardRound {
        id: r.id,
        phase: r.phase.as_str().into(),
        phase_words: super::rounds::phase_bi(r.phase),
        until: match r.phase {
            Phase::Collect => r.collect_until,
            Phase::Review => r.review_until,
            Phase::Vote | Phase::Results => r.vote_until,
        },
        title: r.title,
    }
}
