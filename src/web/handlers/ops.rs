//! The operator: creates communities and their first staff accounts.

use super::invalid;
use crate::domain::code::ActivationCode;
use crate::domain::{Msg, credentials};
use crate::error::Error;
use crate::store::accounts::{self, NewAccount, Role};
use crate::store::communities::{self, Kind};
use crate::store::{audit, sessions};
use crate::web::AppState;
use crate::web::ctx::Operator;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use serde::Deserialize;
use teahouse_views::forms::Errors;
use teahouse_views::pages::ops as view;

async fn render(
    st: &AppState,
    op: &Operator,
    notice: Option<Msg>,
    cv: view::CommunityValues,
    cerr: Errors,
    sv: view::StaffValues,
    serr: Errors,
) -> Result<maud::Markup, Error> {
    let (list, staff) = st
        .db
        .read(|c| Ok((communities::list(c)?, accounts::staff(c)?)))
        .await?;
    let villages: std::collections::HashSet<String> = list
        .iter()
        .filter(|c| c.kind == Kind::Village)
        .map(|c| c.slug.clone())
        .collect();
    let v = view::OpsView {
        communities: list
            .into_iter()
            .map(|c| (c.slug, c.name, c.kind == Kind::Village))
            .collect(),
        staff: staff
            .into_iter()
            .map(|s| {
                // Each line names its own community's committee.
                let village = villages.contains(&s.community_slug);
                let (zh, en) = match s.role {
                    Role::Committee => {
                        let w = teahouse_words::roles::committee(Some(village));
                        (w.zh, w.en)
                    }
                    Role::Supervisor => ("监督委员会", "supervisor"),
                    Role::Resident => ("居民", "resident"),
                };
                view::StaffLine {
                    login: s.login,
                    display_name: s.display_name,
                    role_zh: zh.into(),
                    role_en: en.into(),
                    community: s.community_name,
                }
            })
            .collect(),
        notice,
    };
    Ok(view::ops(&op.ctx.chrome(None), &v, &cv, &cerr, &sv, &serr))
}

fn empty_c() -> view::CommunityValues {
    view::CommunityValues {
        slug: String::new(),
        name: String::new(),
        kind: "compound".into(),
    }
}

fn empty_s() -> view::StaffValues {
    view::StaffValues {
        community: String::new(),
        role: "committee".into(),
        login: String::new(),
        display_name: String::new(),
        reset_password: false,
        reason: String::new(),
    }
}

pub async fn show(State(st): State<AppState>, op: Operator) -> Result<maud::Markup, Error> {
    render(
        &st,
        &op,
        None,
        empty_c(),
        Errors::none(),
        empty_s(),
        Errors::none(),
    )
    .await
}

#[derive(Deserialize)]
pub struct CommunityForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
}

/// A URL name: 2–40 lower-case letters, digits and dashes, starting with a letter or digit.
pub fn parse_slug(s: &str) -> Result<String, Msg> {
    let t = s.trim();
    let ok = (2..=40).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !t.starts_with('-');
    if ok {
        Ok(t.to_string())
    } else {
        Err(Msg::new(
            "网址名应为 2 到 40 个小写英文字母、数字或短横线",
            "a URL name has 2 to 40 lower-case letters, digits or dashes",
        ))
    }
}

pub async fn create_community(
    State(st): State<AppState>,
    op: Operator,
    Form(f): Form<CommunityForm>,
) -> Result<Response, Error> {
    let mut errors = Errors::none();
    let slug = parse_slug(&f.slug)
        .map_err(|m| errors.add("slug", m.clone()))
        .ok();
    let name = f.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 {
        errors.add(
            "name",
            Msg::new(
                "名称不能为空，最多 60 个字",
                "the name is required, 60 characters at most",
            ),
        );
    }
    let kind = Kind::parse(&f.kind);
    if kind.is_none() {
        errors.add("kind", Msg::new("请选择类型", "choose a kind"));
    }
    let cv = view::CommunityValues {
        slug: f.slug.clone(),
        name: f.name.clone(),
        kind: f.kind.clone(),
    };
    let (Some(slug), Some(kind), true) = (slug, kind, errors.is_empty()) else {
        return Ok(invalid(
            render(&st, &op, None, cv, errors, empty_s(), Errors::none()).await?,
        ));
    };
    let actor = op.ctx.actor();
    let (s2, n2) = (slug.clone(), name.clone());
    let res = st
        .db
        .write(move |tx| {
            if communities::by_slug(tx, &s2)?.is_some() {
                return Ok(false);
            }
            let id = communities::create(tx, &s2, &n2, kind)?;
            audit::record(tx, &actor, Some(id), "community.create", &s2, &n2)?;
            Ok(true)
        })
        .await?;
    if !res {
        let e = super::errors_with(
            "slug",
            &Msg::new("这个网址名已被使用", "this URL name is taken"),
        );
        return Ok(invalid(
            render(&st, &op, None, cv, e, empty_s(), Errors::none()).await?,
        ));
    }
    let notice = Msg::new(
        format!("已创建“{name}”。"),
        format!("\"{name}\" was created."),
    );
    Ok(render(
        &st,
        &op,
        Some(notice),
        empty_c(),
        Errors::none(),
        empty_s(),
        Errors::none(),
    )
    .await?
    .into_response())
}

#[derive(Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    community: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    /// For an existing login: also give it a new temporary password. Never
    /// implied: adding a role leaves the password alone.
    reset_password: Option<String>,
    #[serde(default)]
    reason: String,
}

enum StaffOutcome {
    Created,
    /// The role was added to an existing account; `reset` if the operator
    /// also reset its password.
    RoleAdded {
        reset: bool,
        had_it: bool,
    },
}

/// A staff form the store turned down: the field to mark and why.
type Refused = (&'static str, Msg);

/// The longest reason for an operator's reset.
const MAX_REASON: usize = 200;

/// A temporary password: 12 characters, easy to read out over the phone.
fn temp_password() -> String {
    let mut a = [0u8; 8];
    let mut b = [0u8; 8];
    rand::rng().fill_bytes(&mut a);
    rand::rng().fill_bytes(&mut b);
    let x = ActivationCode::from_random(a).as_str().to_lowercase();
    let y = ActivationCode::from_random(b).as_str().to_lowercase();
    format!("{}-{}-{}", &x[..4], &x[4..], &y[..4])
}

/// A valid staff form: who gets which role where, and whether an existing
/// account's password is reset too (with the stated reason).
struct StaffInput {
    login: String,
    name: String,
    role: Role,
    community: communities::Community,
    reset: bool,
    reason: String,
}

/// Checks the staff form field by field; `community` is the one its slug names.
fn parse_staff(
    f: &StaffForm,
    community: Option<communities::Community>,
) -> Result<StaffInput, Errors> {
    let mut errors = Errors::none();
    let login = credentials::parse_login(&f.login)
        .map_err(|m| errors.add("login", m.clone()))
        .ok();
    let role = match f.role.as_str() {
        "committee" => Some(Role::Committee),
        "supervisor" => Some(Role::Supervisor),
        _ => {
            errors.add("role", Msg::new("请选择角色", "choose a role"));
            None
        }
    };
    let name = f.display_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 40 {
        errors.add(
            "display_name",
            Msg::new(
                "姓名不能为空，最多 40 个字",
                "the name is required, 40 characters at most",
            ),
        );
    }
    if community.is_none() {
        errors.add("community", Msg::new("请选择社区", "choose a community"));
    }
    let reason = f.reason.trim().to_string();
    if reason.chars().count() > MAX_REASON {
        errors.add(
            "reason",
            Msg::new(
                format!("原因最多 {MAX_REASON} 字"),
                format!("the reason has {MAX_REASON} characters at most"),
            ),
        );
    }
    match (login, role, community, errors.is_empty()) {
        (Some(login), Some(role), Some(community), true) => Ok(StaffInput {
            login,
            name,
            role,
            community,
            reset: super::checked(&f.reset_password),
            reason,
        }),
        _ => Err(errors),
    }
}

/// The form as typed, to show again.
fn staff_values(f: &StaffForm) -> view::StaffValues {
    view::StaffValues {
        community: f.community.clone(),
        role: f.role.clone(),
        login: f.login.clone(),
        display_name: f.display_name.clone(),
        reset_password: super::checked(&f.reset_password),
        reason: f.reason.clone(),
    }
}

/// Creates the staff account, or gives the role to the account that
/// already has this login, in the operator's write transaction.
fn write_staff(
    tx: &rusqlite::Transaction,
    actor: &audit::Actor,
    operator_id: i64,
    s: &StaffInput,
    hash: &str,
) -> Result<Result<StaffOutcome, Refused>, Error> {
    let existing = match accounts::for_login(tx, &s.login)? {
        Some(rec) => accounts::load(tx, rec.id)?,
        None => None,
    };
    let Some(acc) = existing else {
        let id = accounts::create(
            tx,
            &NewAccount {
                login: &s.login,
                display_name: &s.name,
                password_hash: hash,
                resident_id: None,
                is_operator: false,
                must_change_password: true,
            },
        )?;
        accounts::add_membership(tx, id, s.community.id, s.role)?;
        audit::record(
            tx,
            actor,
            Some(s.community.id),
            "staff.create",
            &s.login,
            s.role.as_str(),
        )?;
        return Ok(Ok(StaffOutcome::Created));
    };
    add_role(tx, actor, operator_id, s, &acc, hash)
}

/// Gives the role to an existing account, and resets its password only if
/// the operator ticked it and said why.
fn add_role(
    tx: &rusqlite::Transaction,
    actor: &audit::Actor,
    operator_id: i64,
    s: &StaffInput,
    acc: &accounts::Account,
    hash: &str,
) -> Result<Result<StaffOutcome, Refused>, Error> {
    if acc.is_operator {
        return Ok(Err((
            "login",
            Msg::new(
                "这是运维账户。运维不兼任社区的居委会/村委会或监督委员会，请为此人另建一个账户。",
                "This is the operator's account. The operator holds no committee or supervisor role in a community; create a separate account for this person.",
            ),
        )));
    }
    if s.reset && s.reason.is_empty() {
        return Ok(Err((
            "reason",
            Msg::new(
                "重置已有账户的密码，请写明原因（会告知账户本人，并由监督委员会查看）",
                "To reset an existing account's password, state the reason (the owner is told, and the supervisors see it)",
            ),
        )));
    }
    let cid = s.community.id;
    let had_it = acc.has_role(cid, s.role);
    match accounts::add_membership(tx, acc.id, cid, s.role) {
        Ok(()) => {}
        Err(Error::Conflict(m)) => return Ok(Err(("role", m))),
        Err(e) => return Err(e),
    }
    if !had_it {
        audit::record(
            tx,
            actor,
            Some(cid),
            "staff.add_role",
            &s.login,
            s.role.as_str(),
        )?;
    }
    if s.reset {
        reset_password(tx, actor, operator_id, s, acc, hash)?;
    }
    Ok(Ok(StaffOutcome::RoleAdded {
        reset: s.reset,
        had_it,
    }))
}

/// The operator's reset of an existing account: new password, every
/// session ended, the reset recorded for the owner and the supervisors.
fn reset_password(
    tx: &rusqlite::Transaction,
    actor: &audit::Actor,
    operator_id: i64,
    s: &StaffInput,
    acc: &accounts::Account,
    hash: &str,
) -> Result<(), Error> {
    let cid = s.community.id;
    accounts::set_password(tx, acc.id, hash, true)?;
    sessions::delete_all_for(tx, acc.id, None)?;
    accounts::record_reset(
        tx,
        &accounts::NewReset {
            account_id: acc.id,
            community_id: Some(cid),
            by_account_id: Some(operator_id),
            by: accounts::ResetBy::Operator,
            reason: &s.reason,
            code_id: None,
            used_ip: &actor.ip,
        },
    )?;
    audit::record(
        tx,
        actor,
        Some(cid),
        "auth.reset",
        &format!("account {}", acc.login),
        &format!(
            "运维重置密码 reset by the operator; 原因 reason: {}",
            s.reason
        ),
    )
}

/// What the operator is told after a staff form went through, the role
/// named as the community's kind names it (村委会 in a village).
fn staff_notice(outcome: &StaffOutcome, login: &str, role: Role, village: bool, temp: &str) -> Msg {
    let w = teahouse_words::roles::role(role.as_str(), Some(village));
    let (role_zh, role_en) = (w.zh, w.en);
    match outcome {
        StaffOutcome::Created => Msg::new(
            format!("账户 {login} 的临时密码：{temp}（只显示这一次，首次登录后必须修改）"),
            format!(
                "Temporary password for {login}: {temp} (shown once; must be changed at first login)"
            ),
        ),
        StaffOutcome::RoleAdded { reset: true, .. } => Msg::new(
            format!(
                "已给已有账户 {login} 加上“{role_zh}”角色，并重置了密码。临时密码：{temp}（只显示这一次，首次登录后必须修改）。重置已记录为运维的操作，并会告知账户本人。"
            ),
            format!(
                "The existing account {login} has the {role_en} role, and its password was reset. Temporary password: {temp} (shown once; must be changed at first login). The reset is recorded as the operator's act and the owner is told."
            ),
        ),
        StaffOutcome::RoleAdded {
            reset: false,
            had_it,
        } => Msg::new(
            format!(
                "{}已有账户 {login} 的密码没有改动，本人继续用自己的密码登录。",
                if *had_it {
                    format!("账户 {login} 本来就有“{role_zh}”角色。")
                } else {
                    format!("已给已有账户 {login} 加上“{role_zh}”角色。")
                }
            ),
            format!(
                "{} Its password is unchanged: the owner logs in with their own.",
                if *had_it {
                    format!("The account {login} already had the {role_en} role.")
                } else {
                    format!("The existing account {login} now has the {role_en} role.")
                }
            ),
        ),
    }
}

/// The staff form again, with the field the store turned down: a second
/// power in one community is a conflict (409), the rest bad input (422).
async fn refused(
    st: &AppState,
    op: &Operator,
    sv: view::StaffValues,
    field: &'static str,
    m: &Msg,
) -> Result<Response, Error> {
    let e = super::errors_with(field, m);
    let status = if field == "role" {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(st, op, None, empty_c(), Errors::none(), sv, e).await?;
    Ok((status, page).into_response())
}

pub async fn create_staff(
    State(st): State<AppState>,
    op: Operator,
    Form(f): Form<StaffForm>,
) -> Result<Response, Error> {
    let slug = f.community.clone();
    let community = st.db.read(move |c| communities::by_slug(c, &slug)).await?;
    let sv = staff_values(&f);
    let input = match parse_staff(&f, community) {
        Ok(s) => s,
        Err(errors) => {
            return Ok(invalid(
                render(&st, &op, None, empty_c(), Errors::none(), sv, errors).await?,
            ));
        }
    };
    let temp = temp_password();
    let hash = st.hasher.hash(temp.clone()).await?;
    let actor = op.ctx.actor();
    let operator_id = op.account.id;
    let (login, role) = (input.login.clone(), input.role);
    let village = input.community.kind == communities::Kind::Village;
    let outcome = st
        .db
        .write(move |tx| write_staff(tx, &actor, operator_id, &input, &hash))
        .await?;
    let outcome = match outcome {
        Ok(o) => o,
        Err((field, m)) => return refused(&st, &op, sv, field, &m).await,
    };
    let notice = staff_notice(&outcome, &login, role, village, &temp);
    Ok(render(
        &st,
        &op,
        Some(notice),
        empty_c(),
        Errors::none(),
        empty_s(),
        Errors::none(),
    )
    .await?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(parse_slug("xingfu-village").is_ok());
        assert!(parse_slug("X").is_err());
        assert!(parse_slug("-a").is_err());
        assert!(parse_slug("a b").is_err());
    }

    #[test]
    fn temp_passwords_are_long_enough() {
        assert!(temp_password().len() >= crate::domain::credentials::MIN_PASSWORD);
    }
}
