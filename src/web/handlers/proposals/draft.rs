//! Drafting a proposal: the form, the similar proposals under its title,
//! saving the draft, and the author editing it until it is published.

use super::status_bi;
use crate::domain::Msg;
use crate::domain::proposal::{self as rules, Status};
use crate::error::Error;
use crate::store::proposals::{self as store, NewProposal};
use crate::store::{attachments, audit};
use crate::web::AppState;
use crate::web::ctx::{Member, Visitor};
use crate::web::handlers::refused::{files, keep};
use crate::web::handlers::{invalid, see_other};
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::proposals as view;

pub(super) async fn similar_hits(
    st: &AppState,
    cid: i64,
    title: String,
    skip: i64,
) -> Result<Vec<(i64, String, Msg)>, Error> {
    st.db
        .read(move |c| {
            let published = store::published_titles(c, cid)?;
            let titles: Vec<(i64, String)> = published
                .iter()
                .map(|(id, t, _)| (*id, t.clone()))
                .collect();
            Ok(rules::similar(&title, &titles, 34, 5)
                .into_iter()
                .filter(|h| h.0 != skip)
                .filter_map(|(id, t)| {
                    let status = published.iter().find(|p| p.0 == *id)?.2;
                    Some((*id, t.clone(), status_bi(status)))
                })
                .collect())
        })
        .await
}

/// The htmx fragment under the title field.
pub async fn similar(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let title: String = q
        .get("title")
        .map(|t| t.chars().take(80).collect())
        .unwrap_or_default();
    let hits = similar_hits(&st, v.community.id, title, 0).await?;
    let chrome = v.ctx.chrome(Some(&v.community));
    Ok(view::similar(&chrome, &v.community.slug, &hits).into_response())
}

/// The categories to choose from, named in the reader's language.
fn categories(c: &teahouse_views::Chrome) -> Vec<(String, String)> {
    rules::CATEGORIES
        .iter()
        .map(|(k, zh, en)| (k.to_string(), c.t(zh, en).to_string()))
        .collect()
}

async fn new_page(
    st: &AppState,
    m: &Member,
    v: view::NewValues,
    errors: Errors,
    hits: Vec<(i64, String, Msg)>,
) -> Result<maud::Markup, Error> {
    let places = crate::web::handlers::places(st, &m.community, m.ctx.0.lang).await?;
    let chrome = m.ctx.chrome(Some(&m.community));
    Ok(view::new_page(
        &chrome,
        &m.community.slug,
        &v,
        &places,
        &categories(&chrome),
        &hits,
        &errors,
    ))
}

pub async fn new_form(State(st): State<AppState>, m: Member) -> Result<Response, Error> {
    let v = view::NewValues {
        title: String::new(),
        body: String::new(),
        category: "environment".into(),
        place: "community".into(),
        kept: Vec::new(),
    };
    Ok(new_page(&st, &m, v, Errors::none(), vec![])
        .await?
        .into_response())
}

/// What a draft must hold, the same on creating and on editing it.
fn check(v: &view::NewValues) -> Errors {
    let mut errors = Errors::none();
    if v.title.is_empty() || v.title.chars().count() > 80 {
        errors.add(
            "title",
            Msg::new(
                "请写标题（最多 80 字）",
                "Please write a title (80 characters at most)",
            ),
        );
    }
    if v.body.is_empty() || v.body.chars().count() > 5000 {
        errors.add(
            "body",
            Msg::new(
                "请写说明（最多 5000 字）",
                "Please describe it (5000 characters at most)",
            ),
        );
    }
    if !rules::CATEGORIES.iter().any(|c| c.0 == v.category) {
        errors.add(
            "category",
            Msg::new("请选择类别", "Please choose a category"),
        );
    }
    errors
}

pub async fn create(
    State(st): State<AppState>,
    m: Member,
    mp: Multipart,
) -> Result<Response, Error> {
    let posted = crate::web::handlers::files::read(mp).await?;
    let mut v = view::NewValues {
        title: posted.field("title").trim().to_string(),
        body: posted.field("body").trim().to_string(),
        category: posted.field("category"),
        place: posted.field("place"),
        kept: Vec::new(),
    };
    let mut errors = check(&v);
    let photos = files(&mut errors, &posted, "file");
    if !errors.is_empty() {
        // The photos are kept, so a phone need not find them again.
        v.kept = keep(&st, m.community.id, m.account.id, photos).await?;
        let hits = similar_hits(&st, m.community.id, v.title.clone(), 0).await?;
        return Ok(invalid(new_page(&st, &m, v, errors, hits).await?));
    }
    let cid = m.community.id;
    let by = m.account.id;
    let actor = m.ctx.actor();
    let n = NewProposal {
        title: v.title.clone(),
        body: v.body.clone(),
        category: v.category.clone(),
        place: v.place.clone(),
    };
    let res = st
        .db
        .write(move |tx| {
            let id = store::create(tx, cid, by, &n)?;
            let owner = crate::domain::Subject::Proposal(id).to_string();
            attachments::claim(tx, cid, by, &photos.kept, &owner)?;
            for up in &photos.new {
                attachments::add(tx, cid, &owner, up, by)?;
            }
            audit::record(
                tx,
                &actor,
                Some(cid),
                "proposal.draft",
                &crate::domain::Subject::Proposal(id).to_string(),
                &n.title,
            )?;
            Ok(id)
        })
        .await;
    match res {
        Ok(id) => Ok(see_other(&format!(
            "/c/{}/proposals/{id}?done=saved",
            m.community.slug
        ))),
        Err(Error::Invalid(msg)) => {
            let errors = crate::web::handlers::errors_with("place", &msg);
            Ok(invalid(new_page(&st, &m, v, errors, vec![]).await?))
        }
        Err(e) => Err(e),
    }
}

/// The author's own draft, or why not: someone else's draft is not there
/// for them (404, as on its page); a published one is no longer a draft.
async fn own_draft(st: &AppState, m: &Member, id: i64) -> Result<store::Proposal, Error> {
    let cid = m.community.id;
    let p = st.db.read(move |c| store::get(c, cid, id)).await?;
    if p.author_id != m.account.id {
        return Err(if p.status == Status::Draft {
            Error::NotFound
        } else {
            Error::Forbidden
        });
    }
    if p.status != Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "这条提案已经公开，不能再修改",
            "this proposal is published; it can no longer be edited",
        )));
    }
    Ok(p)
}

async fn edit_page(
    st: &AppState,
    m: &Member,
    id: i64,
    v: view::NewValues,
    errors: Errors,
) -> Result<maud::Markup, Error> {
    let places = crate::web::handlers::places(st, &m.community, m.ctx.0.lang).await?;
    let hits = similar_hits(st, m.community.id, v.title.clone(), id).await?;
    let chrome = m.ctx.chrome(Some(&m.community));
    Ok(view::edit_page(
        &chrome,
        &m.community.slug,
        id,
        &v,
        &places,
        &categories(&chrome),
        &hits,
        &errors,
    ))
}

pub async fn edit_form(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let p = own_draft(&st, &m, id).await?;
    let v = view::NewValues {
        title: p.title,
        body: p.body,
        category: p.category,
        place: p.place,
        kept: Vec::new(),
    };
    Ok(edit_page(&st, &m, id, v, Errors::none())
        .await?
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    place: String,
}

/// Saves the edited draft; a refused one comes back as the form with what
/// was typed and the error beside its field.
pub async fn update(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<DraftForm>,
) -> Result<Response, Error> {
    own_draft(&st, &m, id).await?;
    let v = view::NewValues {
        title: f.title.trim().to_string(),
        body: f.body.trim().to_string(),
        category: f.category,
        place: f.place,
        kept: Vec::new(),
    };
    let errors = check(&v);
    if !errors.is_empty() {
        return Ok(invalid(edit_page(&st, &m, id, v, errors).await?));
    }
    let (cid, by, actor) = (m.community.id, m.account.id, m.ctx.actor());
    let n = NewProposal {
        title: v.title.clone(),
        body: v.body.clone(),
        category: v.category.clone(),
        place: v.place.clone(),
    };
    let res = st
        .db
        .write(move |tx| {
            store::update_draft(tx, cid, id, by, &n)?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "proposal.draft_edited",
                &crate::domain::Subject::Proposal(id).to_string(),
                &n.title,
            )
        })
        .await;
    match res {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/proposals/{id}?done=edited",
            m.community.slug
        ))),
        Err(Error::Invalid(msg)) => {
            let errors = crate::web::handlers::errors_with("place", &msg);
            Ok(invalid(edit_page(&st, &m, id, v, errors).await?))
        }
        Err(e) => Err(e),
    }
}
