use crate::error::Error;
use crate::store::communities;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use axum::extract::State;
use maud::Markup;
use teahouse_views::pages::home::{CommunityCard, home as page};

pub async fn home(State(st): State<AppState>, ctx: Ctx) -> Result<Markup, Error> {
    let list = st.db.read(communities::list).await?;
    let cards: Vec<CommunityCard> = list
        .into_iter()
        .map(|c| CommunityCard {
            slug: c.slug,
            name: c.name,
            is_village: c.kind == communities::Kind::Village,
        })
        .collect();
    Ok(page(&ctx.chrome(None), &cards))
}

/// Ready once the database is open and answers: a reader answered and the
/// writer thread took a job, checked at most a second ago (one request
/// redoes the check when it is older; see `store::health`).
pub async fn healthz(State(st): State<AppState>) -> Result<&'static str, Error> {
    // Routed outside the stack's timeout: a stuck database fails the probe
    // within seconds instead of holding it.
    let alive = st.db.alive(crate::store::health::FRESH);
    match tokio::time::timeout(std::time::Duration::from_secs(5), alive).await {
        Ok(r) => r.map(|()| "ok"),
        Err(_) => Err(Error::Busy),
    }
}
