//! Adding a resident and editing one, with the code box beside the form.

use crate::domain::roll::{Field, parse_phone};
use crate::error::Error;
use crate::store::roll::{self, EditError, ResidentEdit, ResidentLine};
use crate::store::{accounts, audit};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::{checked, errors_with, invalid, see_other};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Msg;
use teahouse_views::forms::Errors;
use teahouse_views::pages::roll as view;

#[derive(Deserialize, Default)]
pub struct ResidentPost {
    #[serde(default)]
    key: String,
    #[serde(default)]
    household: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    adult: Option<String>,
    owner: Option<String>,
    representative: Option<String>,
    active: Option<String>,
}

impl ResidentPost {
    fn values(&self, is_new: bool) -> view::ResidentValues {
        view::ResidentValues {
            key: self.key.clone(),
            household: self.household.clone(),
            name: self.name.clone(),
            phone: self.phone.clone(),
            adult: checked(&self.adult),
            owner: checked(&self.owner),
            representative: checked(&self.representative),
            active: is_new || checked(&self.active),
        }
    }

    /// Checks the fields shared by both forms.
    fn edit(&self, is_new: bool, errors: &mut Errors) -> Option<ResidentEdit> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            errors.add(
                "name",
                Msg::new(
                    "姓名不能为空，最多 40 个字",
                    "the name is required, 40 characters at most",
                ),
            );
        }
        let phone = parse_phone(&self.phone)
            .map_err(|m| errors.add("phone", m.clone()))
            .ok();
        if is_new {
            let k = self.key.trim();
            if k.is_empty() || k.chars().count() > 32 {
                errors.add(
                    "key",
                    Msg::new(
                        "编号不能为空，最多 32 个字符",
                        "the id is required, 32 characters at most",
                    ),
                );
            }
            if self.household.trim().is_empty() {
                errors.add(
                    "household",
                    Msg::new("请填写户号或房号", "give a household or a dwelling"),
                );
            }
        }
        if !errors.is_empty() {
            return None;
        }
        Some(ResidentEdit {
            name: name.to_string(),
            phone: phone.unwrap_or_default(),
            adult: checked(&self.adult),
            owner: checked(&self.owner),
            representative: checked(&self.representative),
            active: is_new || checked(&self.active),
        })
    }
}

pub async fn new_form(com: Committee) -> Response {
    let v = ResidentPost {
        adult: Some("1".into()),
        ..Default::default()
    }
    .values(true);
    view::resident_form(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        None,
        &v,
        &Errors::none(),
        false,
    )
    .into_response()
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<ResidentPost>,
) -> Result<Response, Error> {
    let chrome = com.ctx.chrome(Some(&com.community));
    let slug = com.community.slug.clone();
    let mut errors = Errors::none();
    let Some(edit) = f.edit(true, &mut errors) else {
        return Ok(invalid(view::resident_form(
            &chrome,
            &slug,
            None,
            &f.values(true),
            &errors,
            false,
        )));
    };
    let (cid, key, household) = (
        com.community.id,
        f.key.trim().to_string(),
        f.household.clone(),
    );
    let actor = com.ctx.actor();
    let res = st
        .db
        .write(move |tx| {
            match roll::add_resident(tx, cid, &key, &household, &edit) {
                Ok(id) => {
                    audit::record(
                        tx,
                        &actor,
                        Some(cid),
                        "roll.resident_add",
                        &format!("{key} {}", edit.name),
                        &household,
                    )?;
                    Ok(Ok(id))
                }
                // A refusal the committee can fix: keep the form.
                Err(EditError::Refused(field, m)) => Ok(Err((field, m))),
                Err(EditError::Db(e)) => Err(e),
            }
        })
        .await?;
    match res {
        Ok(id) => Ok(see_other(&format!("/c/{slug}/roll/residents/{id}?saved=1"))),
        Err((field, m)) => {
            let e = errors_with(input(field), &m);
            Ok(invalid(view::resident_form(
                &chrome,
                &slug,
                None,
                &f.values(true),
                &e,
                false,
            )))
        }
    }
}

/// The form input a refusal is shown beside: the resident's 编号 or the
/// household; an owner refusal (and anything else) at the top of the form.
fn input(field: Field) -> &'static str {
    match field {
        Field::Key => "key",
        Field::Household => "household",
        _ => "",
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn load_line(st: &AppState, com: &Committee, id: i64) -> Result<ResidentLine, Error> {
    let cid = com.community.id;
    st.db
        .read(move |c| roll::line(c, cid, id))
        .await?
        .ok_or(Error::NotFound)
}

/// The facts beside the form, and what the code box may offer: a first
/// code, a reset with a reason, or nothing (an office holder's account).
async fn info(st: &AppState, l: &ResidentLine) -> Result<view::ResidentInfo, Error> {
    let rid = l.id;
    let office = match &l.login {
        Some(_) => {
            st.db
                .read(move |c| {
                    Ok(match accounts::by_resident(c, rid)? {
                        Some((id, _)) => accounts::load(c, id)?.is_some_and(|a| a.holds_office()),
                        None => false,
                    })
                })
                .await?
        }
        None => false,
    };
    Ok(view::ResidentInfo {
        id: l.id,
        zone: l.zone.clone(),
        place: l.place.clone(),
        login: l.login.clone(),
        office,
        reason: String::new(),
        reason_error: None,
    })
}

fn values_of(l: &ResidentLine) -> view::ResidentValues {
    view::ResidentValues {
        key: l.key.clone(),
        household: l.place.clone(),
        name: l.name.clone(),
        phone: l.phone.clone(),
        adult: l.adult,
        owner: l.owner,
        representative: l.representative,
        active: l.active,
    }
}

/// The resident's page again, with the code box's reason and why no code
/// was issued (422).
pub async fn code_refused(
    st: &AppState,
    com: &Committee,
    id: i64,
    reason: &str,
    why: &crate::domain::Msg,
) -> Result<Response, Error> {
    let l = load_line(st, com, id).await?;
    let mut i = info(st, &l).await?;
    i.reason = reason.to_string();
    i.reason_error = Some(why.clone());
    Ok(invalid(view::resident_form(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        Some(&i),
        &values_of(&l),
        &Errors::none(),
        false,
    )))
}

pub async fn edit_form(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, Error> {
    let l = load_line(&st, &com, id).await?;
    let v = values_of(&l);
    let chrome = com.ctx.chrome(Some(&com.community));
    Ok(view::resident_form(
        &chrome,
        &com.community.slug,
        Some(&info(&st, &l).await?),
        &v,
        &Errors::none(),
        q.saved.is_some(),
    )
    .into_response())
}

pub async fn update(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<ResidentPost>,
) -> Result<Response, Error> {
    let l = load_line(&st, &com, id).await?;
    let resident_info = info(&st, &l).await?;
    let chrome = com.ctx.chrome(Some(&com.community));
    let slug = com.community.slug.clone();
    let mut values = f.values(false);
    values.key = l.key.clone();
    let mut errors = Errors::none();
    let Some(edit) = f.edit(false, &mut errors) else {
        return Ok(invalid(view::resident_form(
            &chrome,
            &slug,
            Some(&resident_info),
            &values,
            &errors,
            false,
        )));
    };
    let cid = com.community.id;
    let actor = com.ctx.actor();
    let key = l.key.clone();
    let res = st
        .db
        .write(move |tx| match roll::update_resident(tx, cid, id, &edit) {
            Ok(changed) => {
                if !changed.is_empty() {
                    let detail = changed
                        .iter()
                        .map(|(f, a, b)| format!("{f}: {a} → {b}"))
                        .collect::<Vec<_>>()
                        .join("; ");
                    audit::record(
                        tx,
                        &actor,
                        Some(cid),
                        "roll.resident_edit",
                        &format!("{key} {}", edit.name),
                        &detail,
                    )?;
                }
                Ok(Ok(()))
            }
            Err(EditError::Refused(field, m)) => Ok(Err((field, m))),
            Err(EditError::Db(e)) => Err(e),
        })
        .await?;
    match res {
        Ok(()) => Ok(see_other(&format!("/c/{slug}/roll/residents/{id}?saved=1"))),
        Err((field, m)) => Ok(invalid(view::resident_form(
            &chrome,
            &slug,
            Some(&resident_info),
            &values,
            &errors_with(input(field), &m),
            false,
        ))),
    }
}
