//! Language and text size, kept in a cookie so they persist on this phone
//! for anyone, logged in or not.

use super::{safe_next, see_other};
use crate::web::AppState;
use crate::web::cookies;
use crate::web::ctx::{Ctx, prefs_cookie_value};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;
use teahouse_views::Lang;

#[derive(Deserialize)]
pub struct PrefsForm {
    lang: Option<String>,
    size: Option<String>,
    #[serde(default)]
    next: String,
}

pub async fn set(State(st): State<AppState>, ctx: Ctx, Form(f): Form<PrefsForm>) -> Response {
    let lang = match f.lang.as_deref() {
        Some("en") => Lang::En,
        Some("zh") => Lang::Zh,
        _ => ctx.0.lang,
    };
    let large = match f.size.as_deref() {
        Some("large") => true,
        Some("normal") => false,
        _ => ctx.0.large,
    };
    let mut resp = see_other(&safe_next(&f.next).unwrap_or_else(|| "/".into()));
    let cookie = cookies::set(
        cookies::PREFS,
        &prefs_cookie_value(lang, large),
        Some(365 * 24 * 3600),
        true,
        st.cfg.secure_cookies,
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
