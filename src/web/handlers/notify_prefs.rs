//! A resident's notice choices, the no-login unsubscribe link every message
//! carries, and the printable QR poster of a community's public page.

use super::{invalid, see_other};
use crate::domain::Msg;
use crate::domain::mask::mask_phone;
use crate::error::Error;
use crate::notify::prefs::{self as rules, Prefs};
use crate::store::notify_prefs as store;
use crate::store::{audit, now};
use crate::web::AppState;
use crate::web::ctx::{Ctx, Member, Visitor};
use crate::web::routes::{Routes, on_get, on_post};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::forms::Errors;
use teahouse_views::pages::notify_prefs::{self as view, PosterView, PrefsView, UnsubscribeView};

pub fn routes() -> Routes {
    vec![
        on_get("/c/{community}/notify-prefs", show),
        on_post("/c/{community}/notify-prefs", save),
        on_get("/unsubscribe/{token}", unsubscribe_page),
        on_post("/unsubscribe/{token}", unsubscribe),
        on_get("/c/{community}/poster", poster),
    ]
}

/// Masks an e-mail address: zhang@example.org → z***@example.org.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((user, domain)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None if email.is_empty() => String::new(),
        None => "***".into(),
    }
}

/// The member's own roll entry in this community, or a clear refusal.
fn resident_of(m: &Member) -> Result<i64, Error> {
    m.account.resident_id.ok_or_else(|| {
        Error::Invalid(Msg::new(
            "这个账户没有关联名册中的居民，没有可设置的通知",
            "this account is not linked to a resident on the roll, so it has no notices to set",
        ))
    })
}

async fn load(st: &AppState, m: &Member) -> Result<store::ResidentPrefs, Error> {
    let rid = resident_of(m)?;
    let cid = m.community.id;
    st.db
        .read(move |c| store::of(c, rid))
        .await?
        .filter(|r| r.community_id == cid)
        .ok_or(Error::NotFound)
}

fn page(
    m: &Member,
    r: &store::ResidentPrefs,
    p: &Prefs,
    limit: &str,
    errors: &Errors,
    saved: bool,
) -> Response {
    let (email, phone) = (
        mask_email(&r.email),
        if r.phone.is_empty() {
            String::new()
        } else {
            mask_phone(&r.phone)
        },
    );
    let v = PrefsView {
        slug: &m.community.slug,
        masked_email: &email,
        masked_phone: &phone,
        email: p.email,
        sms: p.sms,
        digest: p.digest,
        daily_limit: limit,
        unsubscribed: p.unsubscribed,
    };
    let html = view::prefs(&m.ctx.chrome(Some(&m.community)), &v, errors, saved);
    if errors.is_empty() {
        html.into_response()
    } else {
        invalid(html)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn show(
    State(st): State<AppState>,
    m: Member,
    Query(q): Query<Saved>,
) -> Result<Response, Error> {
    let r = load(&st, &m).await?;
    let limit = r.prefs.daily_limit.to_string();
    Ok(page(
        &m,
        &r,
        &r.prefs,
        &limit,
        &Errors::none(),
        q.saved.is_some(),
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct PrefsForm {
    email: Option<String>,
    sms: Option<String>,
    digest: Option<String>,
    #[serde(default)]
    daily_limit: String,
}

pub async fn save(
    State(st): State<AppState>,
    m: Member,
    Form(f): Form<PrefsForm>,
) -> Result<Response, Error> {
    let r = load(&st, &m).await?;
    let limit = rules::parse_daily_limit(&f.daily_limit);
    let p = Prefs {
        // A channel the roll has no address for cannot be chosen.
        email: f.email.is_some() && !r.email.is_empty(),
        sms: f.sms.is_some() && !r.phone.is_empty(),
        digest: f.digest.is_some(),
        daily_limit: *limit.as_ref().unwrap_or(&r.prefs.daily_limit),
        unsubscribed: false,
    };
    if let Err(msg) = limit {
        let mut errors = Errors::none();
        errors.add("daily_limit", msg.clone());
        return Ok(page(&m, &r, &p, &f.daily_limit, &errors, false));
    }
    let (rid, cid, actor) = (r.resident_id, m.community.id, m.ctx.actor());
    let detail = format!(
        "email {} sms {} digest {} limit {}",
        p.email, p.sms, p.digest, p.daily_limit
    );
    st.db
        .write(move |tx| {
            store::save(tx, rid, &p, now())?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "notify.prefs",
                &format!("resident #{rid}"),
                &detail,
            )
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/notify-prefs?saved=1",
        m.community.slug
    )))
}

/// A token as a link carries it: 32 hex characters, else not found.
fn token(t: &str) -> Result<String, Error> {
    if t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(Error::NotFound)
    }
}

fn masked(o: &store::TokenOwner) -> String {
    let parts = [
        mask_email(&o.email),
        if o.phone.is_empty() {
            String::new()
        } else {
            mask_phone(&o.phone)
        },
    ];
    parts
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

async fn render(st: &AppState, ctx: &Ctx, t: String) -> Result<Response, Error> {
    let lookup = t.clone();
    let owner = st
        .db
        .read(move |c| store::by_token(c, &lookup))
        .await?
        .ok_or(Error::NotFound)?;
    let m = masked(&owner);
    let v = UnsubscribeView {
        token: &t,
        community_name: &owner.community_name,
        masked: &m,
        unsubscribed: owner.unsubscribed,
    };
    Ok(view::unsubscribe(&ctx.chrome(None), &v).into_response())
}

/// GET never changes anything (mail scanners open links): it asks to confirm.
pub async fn unsubscribe_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(t): Path<String>,
) -> Result<Response, Error> {
    render(&st, &ctx, token(&t)?).await
}

pub async fn unsubscribe(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(t): Path<String>,
) -> Result<Response, Error> {
    let t = token(&t)?;
    let actor = ctx.actor();
    let tt = t.clone();
    st.db
        .write(move |tx| match store::unsubscribe(tx, &tt, now())? {
            None => Err(Error::NotFound),
            Some(rid) => audit::record(
                tx,
                &actor,
                None,
                "notify.unsubscribe",
                &format!("resident #{rid}"),
                "",
            ),
        })
        .await?;
    render(&st, &ctx, t).await
}

#[derive(serde::Deserialize, Default)]
pub struct PosterQuery {
    #[serde(default)]
    path: String,
}

/// A poster of one of the community's own pages: `path` must be under `/c/<slug>`.
pub async fn poster(v: Visitor, Query(q): Query<PosterQuery>) -> Result<Response, Error> {
    let base = format!("/c/{}", v.community.slug);
    let path = if q.path.is_empty() {
        base.clone()
    } else {
        q.path.clone()
    };
    let inside = path == base
        || path.starts_with(&format!("{base}/"))
        || path.starts_with(&format!("{base}?"));
    if !inside || path.len() > 300 || path.contains("/poster") || path.chars().any(char::is_control)
    {
        return Err(Error::Invalid(Msg::new(
            format!("海报只能印本社区的网页（以 {base} 开头），收到「{path}」"),
            format!(
                "a poster can only show this community's pages (starting with {base}), got '{path}'"
            ),
        )));
    }
    let url = format!("{}{path}", v.ctx.0.origin);
    let c = v.ctx.chrome(Some(&v.community));
    let title = c.t("扫码查看", "Scan to open");
    let pv = PosterView {
        community_name: &v.community.name,
        title,
        url: &url,
    };
    Ok(view::poster(&c, &pv).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_email_addresses() {
        assert_eq!(mask_email("zhang@example.org"), "z***@example.org");
        assert_eq!(mask_email(""), "");
        assert_eq!(mask_email("nonsense"), "***");
    }

    #[test]
    fn tokens_are_32_hex_characters() {
        assert!(token("0123456789abcdef0123456789ABCDEF").is_ok());
        assert!(matches!(token("../etc"), Err(Error::NotFound)));
    }
}
