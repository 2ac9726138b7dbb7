//! The community board.

use crate::error::Error;
use crate::store::communities::{self, Kind};
use crate::store::{disclosures, roll};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use axum::extract::State;
use maud::Markup;
use teahouse_views::pages::board::{BoardView, Contact, RollCounts, board};

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
    // One trip to a reader connection for everything the board shows.
    let today = super::today(&com.tz);
    let today_s = today.to_string();
    let (stats, home, votes, (cadences, published, recent), series) = st
        .db
        .read(move |c| {
            let stats = communities::roll_stats(c, id)?;
            let home = match resident_id {
                Some(r) => roll::resident_home(c, r)?,
                None => None,
            };
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
                home,
                crate::store::votes::list(c, id, false)?,
                (
                    disclosures::cadences(c, id)?,
                    disclosures::published_periods(c, id)?,
                    recent,
                ),
                super::deliberations::load_series(c, id, &today_s, crate::store::now())?,
            ))
        })
        .await?;
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
        disclosure_categories: super::disclosures::category_lines(&cadences, &published, today)
            .into_iter()
            .filter(|c| c.last.is_some() || !c.overdue.is_empty())
            .collect(),
        disclosures: super::disclosures::lines(recent),
        meetings: super::deliberations::board_summary(&series, &com.tz),
    };
    Ok(board(&v.ctx.chrome(Some(&com)), &view))
}
