//! The committee's notice channels: show each channel's settings (a stored
//! secret only said to exist), save one, and send a test message through it.

use super::{invalid, see_other};
use crate::domain::Msg;
use crate::domain::mask::mask_phone;
use crate::error::Error;
use crate::notify::channel::{Channel, ChannelKind};
use crate::notify::settings::{self, ChannelForm};
use crate::store::notify_settings::{self as store, ChannelConfig, ConfiguredChannel};
use crate::store::{audit, now};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::routes::{Routes, on_get, on_post};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::forms::Errors;
use teahouse_views::pages::notify_settings::{ChannelView, SettingsPage, settings as view};

/// The channels a committee sets, in page order.
const KINDS: [ChannelKind; 4] = [
    ChannelKind::Email,
    ChannelKind::Sms,
    ChannelKind::WeCom,
    ChannelKind::Webhook,
];

pub fn routes() -> Routes {
    vec![
        on_get("/c/{community}/notify-settings", show),
        on_post("/c/{community}/notify-settings/{kind}", save),
        on_post("/c/{community}/notify-settings/{kind}/test", test),
    ]
}

fn channel_view(kind: ChannelKind, c: Option<&ConfiguredChannel>) -> ChannelView {
    let mut v = ChannelView {
        kind: kind.code(),
        ..Default::default()
    };
    let Some(c) = c else { return v };
    v.configured = true;
    v.enabled = c.enabled;
    v.has_secret = !c.secret.is_empty();
    match &c.config {
        ChannelConfig::Email(e) => v.from = e.from.clone(),
        ChannelConfig::Sms(s) => {
            v.endpoint = s.endpoint.clone();
            v.access_key_id = s.access_key_id.clone();
            v.sign_name = s.sign_name.clone();
            v.template_code = s.template_code.clone();
        }
        ChannelConfig::WeCom(w) => v.endpoint = w.endpoint.clone(),
        ChannelConfig::Webhook(w) => v.endpoint = w.url.clone(),
    }
    v
}

fn views(stored: &[ConfiguredChannel]) -> Vec<ChannelView> {
    KINDS
        .iter()
        .map(|k| channel_view(*k, stored.iter().find(|c| c.kind == *k)))
        .collect()
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    saved: Option<String>,
}

pub async fn show(
    State(st): State<AppState>,
    com: Committee,
    Query(q): Query<Flash>,
) -> Result<Response, Error> {
    let id = com.community.id;
    let stored = st.db.read(move |c| store::channels(c, id)).await?;
    let channels = views(&stored);
    let flash = q
        .saved
        .as_deref()
        .and_then(|k| KINDS.iter().find(|x| x.code() == k))
        .map(|k| (k.code(), true, Msg::new("已保存。", "Saved.")));
    let p = SettingsPage {
        slug: &com.community.slug,
        channels: &channels,
        errors: None,
        flash,
    };
    Ok(view(&com.ctx.chrome(Some(&com.community)), &p).into_response())
}

fn kind_of(s: &str) -> Result<ChannelKind, Error> {
    match s.parse::<ChannelKind>() {
        Ok(k) if KINDS.contains(&k) => Ok(k),
        _ => Err(Error::NotFound),
    }
}

pub async fn save(
    State(st): State<AppState>,
    com: Committee,
    Path((_, kind)): Path<(String, String)>,
    Form(f): Form<ChannelForm>,
) -> Result<Response, Error> {
    let kind = kind_of(&kind)?;
    let id = com.community.id;
    let config = match settings::parse(kind, &f) {
        Ok(c) => c,
        Err(errs) => {
            let stored = st.db.read(move |c| store::channels(c, id)).await?;
            let mut channels = views(&stored);
            if let Some(v) = channels.iter_mut().find(|v| v.kind == kind.code()) {
                (v.endpoint, v.access_key_id) = (f.endpoint.clone(), f.access_key_id.clone());
                (v.sign_name, v.template_code, v.from) =
                    (f.sign_name.clone(), f.template_code.clone(), f.from.clone());
            }
            let mut errors = Errors::none();
            for (field, m) in errs {
                errors.add(field, m.clone());
            }
            let p = SettingsPage {
                slug: &com.community.slug,
                channels: &channels,
                errors: Some((kind.code(), &errors)),
                flash: None,
            };
            return Ok(invalid(view(&com.ctx.chrome(Some(&com.community)), &p)));
        }
    };
    let (secret, enabled, actor) = (
        f.secret.trim().to_string(),
        f.enabled.is_some(),
        com.ctx.actor(),
    );
    let detail = format!(
        "{kind} {} secret {}",
        if enabled { "on" } else { "off" },
        if secret.is_empty() {
            "kept"
        } else {
            "replaced"
        }
    );
    st.db
        .write(move |tx| {
            store::save(tx, id, &config, &secret, enabled, now())?;
            audit::record(tx, &actor, Some(id), "notify.channel", kind.code(), &detail)
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/notify-settings?saved={}#ch-{}",
        com.community.slug,
        kind.code(),
        kind.code()
    )))
}

#[derive(serde::Deserialize, Default)]
pub struct TestForm {
    #[serde(default)]
    to: String,
}

/// The sender for a test: the stored channel, e-mail included.
fn test_sender(c: &ConfiguredChannel, http: &reqwest::Client) -> Result<Box<dyn Channel>, Msg> {
    if let ChannelConfig::Email(e) = &c.config {
        return crate::notify::email::Email::new(&c.secret, &e.from)
            .map(|m| Box::new(m) as Box<dyn Channel>);
    }
    settings::sender(c, http).ok_or_else(|| {
        Msg::new(
            "这个渠道已关闭或还没有保存密钥",
            "this channel is off or has no secret saved yet",
        )
    })
}

pub async fn test(
    State(st): State<AppState>,
    com: Committee,
    Path((_, kind)): Path<(String, String)>,
    Form(f): Form<TestForm>,
) -> Result<Response, Error> {
    let kind = kind_of(&kind)?;
    let id = com.community.id;
    let stored = st.db.read(move |c| store::channels(c, id)).await?;
    let to = f.to.trim().to_string();
    let link = format!("{}/c/{}", com.ctx.0.origin, com.community.slug);
    let msg = settings::test_message(&com.community.slug, &to, &link, now());
    let outcome = match stored.iter().find(|c| c.kind == kind) {
        None => Err(Msg::new(
            "这个渠道还没有设置",
            "this channel is not set up yet",
        )),
        Some(c) => match test_sender(c, &crate::notify::http::client()) {
            Err(m) => Err(m),
            Ok(s) => s.send(&msg).await.map_err(|e| e.msg().clone()),
        },
    };
    let shown_to = if kind == ChannelKind::Sms {
        mask_phone(&to)
    } else {
        String::new()
    };
    let (ok, m) = match &outcome {
        Ok(_) => (
            true,
            Msg::new(
                format!("测试消息已发出 {shown_to}"),
                format!("Test message sent {shown_to}"),
            ),
        ),
        Err(m) => (false, m.clone()),
    };
    let actor = com.ctx.actor();
    let detail = if ok { "sent" } else { "failed" };
    st.db
        .write(move |tx| audit::record(tx, &actor, Some(id), "notify.test", kind.code(), detail))
        .await?;
    let channels = views(&stored);
    let p = SettingsPage {
        slug: &com.community.slug,
        channels: &channels,
        errors: None,
        flash: Some((kind.code(), ok, m)),
    };
    let page = view(&com.ctx.chrome(Some(&com.community)), &p);
    Ok(if ok {
        page.into_response()
    } else {
        invalid(page)
    })
}
