//! Issuing activation codes and printing them as slips.

use crate::domain::Msg;
use crate::error::Error;
use crate::store::communities::Kind;
use crate::store::roll::{self, ListFilter};
use crate::store::{accounts, audit, codes, now};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::{checked, errors_with, fmt_time, invalid};
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use teahouse_views::forms::Errors;
use teahouse_views::pages::codes as view;

pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 90;
/// One sheet at a time keeps printing (and mistakes) manageable.
pub const MAX_SLIPS: usize = 500;

/// The longest reason a committee member can give for a reset code.
pub const MAX_REASON: usize = 200;

async fn form_view(
    st: &AppState,
    com: &Committee,
    zone: Option<i64>,
    days: &str,
) -> Result<view::CodesForm, Error> {
    let id = com.community.id;
    Ok(view::CodesForm {
        zones: st.db.read(move |c| roll::zones(c, id)).await?,
        zone,
        adults_only: true,
        days: days.to_string(),
        is_village: com.community.kind == Kind::Village,
    })
}

pub async fn form(State(st): State<AppState>, com: Committee) -> Result<Response, Error> {
    let v = form_view(&st, &com, None, &DEFAULT_DAYS.to_string()).await?;
    Ok(view::choose(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        &v,
        &Errors::none(),
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct IssueForm {
    /// One resident (from their page); otherwise the filters below.
    resident: Option<i64>,
    #[serde(default)]
    zone: String,
    adults_only: Option<String>,
    #[serde(default)]
    days: String,
    /// Why a resident who already has an account gets a new code (a reset).
    #[serde(default)]
    reason: String,
}

enum Outcome {
    Issued(Vec<(i64, crate::domain::code::ActivationCode)>),
    /// A reset for one resident's account, without a stated reason.
    NeedsReason,
    /// The resident's account is a committee member's, a supervisor's or the
    /// operator's: only the operator resets those.
    OfficeHolder,
}

fn reason_needed() -> Msg {
    Msg::new(
        format!(
            "这位居民已有账户，新激活码会重设其密码。请写明原因（例如“本人来办公室说忘记了密码”），最多 {MAX_REASON} 字。原因会告知本人，并由监督委员会查看。"
        ),
        format!(
            "This resident already has an account: a new code resets its password. State the reason (e.g. \"came to the office, forgot the password\"), {MAX_REASON} characters at most. The owner is told, and the supervisors see it."
        ),
    )
}

/// Named by the community's kind: 村委会 in a village, 居委会 in a compound.
pub fn office_holder(village: bool) -> Msg {
    let committee = if village { "村委会" } else { "居委会" };
    Msg::new(
        format!(
            "这位居民的账户同时是{committee}、监督委员会成员或运维的账户，激活码不能重设它的密码。请让本人联系运维。"
        ),
        "This resident's account is also a committee member's, a supervisor's or the operator's: an activation code cannot reset it. The owner should ask the operator.",
    )
}

/// The days a code stays valid, as typed (empty: the default), or the
/// text to show again with its error.
fn parse_days(f: &IssueForm) -> Result<i64, String> {
    let text = if f.days.trim().is_empty() {
        DEFAULT_DAYS.to_string()
    } else {
        f.days.trim().to_string()
    };
    match text.parse::<i64>() {
        Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        _ => Err(text),
    }
}

/// The resident lines to issue for: the one resident, or those the
/// filters choose, at most [`MAX_SLIPS`].
async fn chosen_lines(
    st: &AppState,
    cid: i64,
    f: &IssueForm,
) -> Result<Vec<roll::ResidentLine>, Error> {
    let single = f.resident;
    // Issuing by filter never touches an existing account: it skips every
    // resident who has one (a reset is for one resident, with a reason).
    let filter = ListFilter {
        zone_id: f.zone.parse().ok(),
        without_account: true,
        ..Default::default()
    };
    let adults_only = checked(&f.adults_only);
    let lines = st
        .db
        .read(move |c| {
            let ids = match single {
                Some(id) => vec![id],
                None => roll::select_ids(c, cid, &filter)?,
            };
            roll::lines_by_ids(c, cid, &ids)
        })
        .await?;
    Ok(lines
        .into_iter()
        .filter(|l| l.active && (single.is_some() || !adults_only || l.adult))
        .take(MAX_SLIPS)
        .collect())
}

/// Who issues, where, and for how long.
struct Issue {
    cid: i64,
    account_id: i64,
    actor: audit::Actor,
    days: i64,
    expires: i64,
    reason: String,
}

/// Issues the codes in the committee's write transaction: a reset code for
/// one resident who has an account, else activation codes.
fn write_codes(
    tx: &rusqlite::Transaction,
    i: &Issue,
    single: Option<i64>,
    ids: &[i64],
) -> Result<Outcome, Error> {
    if let Some(rid) = single {
        let existing = match accounts::by_resident(tx, rid)? {
            Some((id, _)) => accounts::load(tx, id)?,
            None => None,
        };
        if let Some(acc) = existing {
            return reset_code(tx, i, rid, &acc);
        }
    }
    // Only residents without an account, checked again in this transaction.
    let mut fresh = Vec::with_capacity(ids.len());
    for &rid in ids {
        if accounts::by_resident(tx, rid)?.is_none() {
            fresh.push(rid);
        }
    }
    let issued = codes::issue(
        tx,
        i.cid,
        &fresh,
        i.account_id,
        &i.actor.ip,
        i.expires,
        codes::Purpose::Activate,
    )?;
    let target = match single {
        Some(id) => format!("resident #{id}"),
        None => format!("{} residents", issued.len()),
    };
    audit::record(
        tx,
        &i.actor,
        Some(i.cid),
        "codes.issue",
        &target,
        &format!("valid {} days", i.days),
    )?;
    Ok(Outcome::Issued(issued))
}

/// A code that resets one resident's existing account: never an office
/// holder's, and only with a stated reason.
fn reset_code(
    tx: &rusqlite::Transaction,
    i: &Issue,
    rid: i64,
    acc: &accounts::Account,
) -> Result<Outcome, Error> {
    if acc.holds_office() {
        return Ok(Outcome::OfficeHolder);
    }
    if i.reason.is_empty() || i.reason.chars().count() > MAX_REASON {
        return Ok(Outcome::NeedsReason);
    }
    let issued = codes::issue(
        tx,
        i.cid,
        &[rid],
        i.account_id,
        &i.actor.ip,
        i.expires,
        codes::Purpose::Reset {
            account_id: acc.id,
            reason: &i.reason,
        },
    )?;
    audit::record(
        tx,
        &i.actor,
        Some(i.cid),
        "codes.reissue",
        &format!("resident #{rid} account {}", acc.login),
        &format!(
            "重设密码用 for a password reset; valid {} days; 原因 reason: {}",
            i.days, i.reason
        ),
    )?;
    Ok(Outcome::Issued(issued))
}

/// One slip per code, for the resident it was issued to.
fn slips(
    issued: &[(i64, crate::domain::code::ActivationCode)],
    lines: &[roll::ResidentLine],
    origin: &str,
    expires: &str,
) -> Vec<view::Slip> {
    issued
        .iter()
        .filter_map(|(rid, code)| {
            let l = lines.iter().find(|l| l.id == *rid)?;
            Some(view::Slip {
                name: l.name.clone(),
                place: l.place.clone(),
                code: code.display(),
                url: format!("{origin}/activate?code={}", code.display()),
                expires: expires.to_string(),
            })
        })
        .collect()
}

pub async fn issue(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<IssueForm>,
) -> Result<Response, Error> {
    let chrome = com.ctx.chrome(Some(&com.community));
    let cid = com.community.id;
    let days = match parse_days(&f) {
        Ok(d) => d,
        Err(days_text) => {
            let mut v = form_view(&st, &com, f.zone.parse().ok(), &days_text).await?;
            v.adults_only = checked(&f.adults_only);
            let e = errors_with(
                "days",
                &Msg::new(
                    format!("有效天数应为 1 到 {MAX_DAYS}"),
                    format!("valid days must be 1 to {MAX_DAYS}"),
                ),
            );
            return Ok(invalid(view::choose(&chrome, &com.community.slug, &v, &e)));
        }
    };
    let single = f.resident;
    let lines = chosen_lines(&st, cid, &f).await?;
    if single.is_some() && lines.is_empty() {
        return Err(Error::NotFound);
    }
    let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let i = Issue {
        cid,
        account_id: com.account.id,
        actor: com.ctx.actor(),
        days,
        expires: now() + days * 24 * 3600,
        reason: f.reason.trim().to_string(),
    };
    let expires = i.expires;
    let outcome = st
        .db
        .write(move |tx| write_codes(tx, &i, single, &ids))
        .await?;
    let (rid, refusal) = match (outcome, single) {
        (Outcome::Issued(issued), _) => {
            let expires = fmt_time(expires, &com.community.tz);
            let slips = slips(&issued, &lines, &com.ctx.0.origin, &expires);
            let page = view::slips(&chrome, &com.community.slug, &com.community.name, &slips);
            return Ok(page.into_response());
        }
        (Outcome::NeedsReason, Some(rid)) => (rid, reason_needed()),
        (Outcome::OfficeHolder, Some(rid)) => {
            (rid, office_holder(com.community.kind == Kind::Village))
        }
        _ => return Err(Error::Internal("code refusal without a resident".into())),
    };
    crate::web::handlers::roll::code_refused(&st, &com, rid, &f.reason, &refusal).await
}
