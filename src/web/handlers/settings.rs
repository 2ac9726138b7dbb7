//! The committee's contact details shown on the board.

use super::{invalid, see_other};
use crate::domain::roll::parse_phone;
use crate::error::Error;
use crate::store::audit;
use crate::store::communities::{self, Contact};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::Msg;
use teahouse_views::forms::Errors;
use teahouse_views::pages::settings::{ContactForm, contact};

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn show(com: Committee, Query(q): Query<SavedQuery>) -> Response {
    let c = &com.community;
    let v = ContactForm {
        name: &c.contact_name,
        phone: &c.contact_phone,
        address: &c.contact_address,
        hours: &c.contact_hours,
    };
    contact(
        &com.ctx.chrome(Some(c)),
        &c.slug,
        &v,
        &Errors::none(),
        q.saved.is_some(),
    )
    .into_response()
}

#[derive(Deserialize)]
pub struct ContactPost {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    hours: String,
}

pub async fn save(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<ContactPost>,
) -> Result<Response, Error> {
    let mut errors = Errors::none();
    let phone = parse_phone(&f.phone)
        .map_err(|m| errors.add("phone", m.clone()))
        .unwrap_or_default();
    for (field, v) in [
        ("name", &f.name),
        ("address", &f.address),
        ("hours", &f.hours),
    ] {
        if v.chars().count() > 100 {
            errors.add(field, Msg::new("最多 100 个字", "100 characters at most"));
        }
    }
    let c = com.community.clone();
    if !errors.is_empty() {
        let v = ContactForm {
            name: &f.name,
            phone: &f.phone,
            address: &f.address,
            hours: &f.hours,
        };
        return Ok(invalid(contact(
            &com.ctx.chrome(Some(&c)),
            &c.slug,
            &v,
            &errors,
            false,
        )));
    }
    let contact = Contact {
        name: f.name.trim().into(),
        phone,
        address: f.address.trim().into(),
        hours: f.hours.trim().into(),
    };
    let actor = com.ctx.actor();
    let id = c.id;
    st.db
        .write(move |tx| {
            communities::set_contact(tx, id, &contact)?;
            audit::record(
                tx,
                &actor,
                Some(id),
                "community.contact",
                "",
                &format!(
                    "{} {} {} {}",
                    contact.name, contact.phone, contact.address, contact.hours
                ),
            )
        })
        .await?;
    Ok(see_other(&format!("/c/{}/settings?saved=1", c.slug)))
}
