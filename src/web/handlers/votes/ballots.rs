//! Ballots: a resident's own, a proxy's for the one who authorized it, a
//! paper ballot entered by the committee, and the choice between an online
//! and a paper ballot from the same voter. A refused ballot (no choice, too
//! many, a voter not on the list) comes back on the vote's page as typed.

use super::super::day_start;
use super::refused::{Back, Typed, beside, got};
use super::step;
use crate::domain::Msg;
use crate::error::Error;
use crate::store::{proxies, votes};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member};
use crate::web::handlers::errors_with;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use teahouse_views::forms::Errors;
use teahouse_views::pages::votes as view;

/// A staff account that is not a resident on the roll has no ballot.
fn not_on_roll() -> Error {
    Error::Invalid(Msg::new(
        "您的账户不对应名册上的居民，不能投票",
        "your account is not a resident on the roll, so it has no ballot",
    ))
}

/// A ballot form: `choice` may repeat (multiple-choice checkboxes).
#[derive(Default)]
pub struct BallotPost {
    choice: Vec<String>,
    voter: String,
    keep: String,
}

impl BallotPost {
    fn from_pairs(pairs: Vec<(String, String)>) -> BallotPost {
        let mut f = BallotPost::default();
        for (k, v) in pairs {
            match k.as_str() {
                "choice" => f.choice.push(v),
                "voter" => f.voter = v,
                "keep" => f.keep = v,
                _ => {}
            }
        }
        f
    }

    /// The form as typed, for a refused one: its choices joined by `+`.
    fn typed(&self) -> Typed {
        Typed::from([
            ("choice".to_string(), self.choice.join("+")),
            ("voter".to_string(), self.voter.clone()),
        ])
    }

    /// The canonical ballot text for this vote, or what is wrong with it.
    fn pick(&self, vote: &votes::Vote) -> Result<String, Error> {
        let chosen: Vec<&str> = self.choice.iter().map(String::as_str).collect();
        vote.pick(&chosen).map_err(Error::Invalid)
    }
}

pub async fn cast(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    let resident = m.account.resident_id.ok_or_else(not_on_roll)?;
    let back = Back {
        st: &st,
        ctx: &m.ctx,
        community: &m.community,
        id,
        form: view::Form::Cast,
    };
    let typed = f.typed();
    back.step("vote.ballot", "cast#h-cast", typed, move |tx, vote| {
        let voter = votes::voter_for(tx, id, resident)?.ok_or(Error::Forbidden)?;
        let choice = match beside("choice", f.pick(vote))? {
            Ok(c) => c,
            Err(errors) => return Ok(Err(errors)),
        };
        votes::cast(tx, vote, &voter, "online", &choice, Some(resident), None)?;
        // The audit log never records a choice: secret means secret.
        Ok(Ok("online".into()))
    })
    .await
}

pub async fn paper(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    let account = com.account.id;
    let back = Back {
        st: &st,
        ctx: &com.ctx,
        community: &com.community,
        id,
        form: view::Form::Paper,
    };
    let typed = f.typed();
    back.step("vote.paper", "paper", typed, move |tx, vote| {
        let choice = match beside("choice", f.pick(vote))? {
            Ok(c) => c,
            Err(errors) => return Ok(Err(errors)),
        };
        match votes::cast(tx, vote, &f.voter, "paper", &choice, None, Some(account)) {
            Err(Error::Forbidden) => {
                let m = Msg::new("这位选民不在名单中", "that voter is not in the electorate");
                return Ok(Err(errors_with("voter", &m)));
            }
            r => r?,
        };
        // A secret vote's audit row names no voter: it would link a
        // person to the time of a ballot.
        Ok(Ok(if vote.secret { "paper".into() } else { f.voter }))
    })
    .await
}

pub async fn resolve(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    if !matches!(f.keep.as_str(), "online" | "paper") {
        return Err(Error::Invalid(Msg::new(
            "请选择保留哪一张选票",
            "choose which ballot to keep",
        )));
    }
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.conflict_resolved",
        "resolved",
        move |tx, _| {
            votes::resolve(tx, id, &f.voter, &f.keep)?;
            Ok(format!("{}: kept {}", f.voter, f.keep))
        },
    )
    .await
}
/// A written proxy as typed: the principal (`voter`), the proxy's id on
/// the roll, the authorization and its expiry date, each refused beside
/// its field.
pub async fn authorize_proxy(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Typed>,
) -> Result<Response, Error> {
    let back = Back {
        st: &st,
        ctx: &com.ctx,
        community: &com.community,
        id,
        form: view::Form::Proxy,
    };
    let mut errors = Errors::none();
    let expires = day_start(got(&f, "expires"), &com.community.tz).map(|t| t + 24 * 3600);
    if expires.is_none_or(|t| t <= crate::store::now()) {
        let m = Msg::new(
            "请填写委托的有效期（今天或以后的日期）",
            "give the authorization's expiry date (today or later)",
        );
        errors.add("expires", m);
    }
    let authorization = match proxies::check_authorization(got(&f, "authorization")) {
        Ok(t) => t.to_string(),
        Err(m) => {
            errors.add("authorization", m);
            String::new()
        }
    };
    let Some(expires) = expires.filter(|_| errors.is_empty()) else {
        return back.refused(f, errors).await;
    };
    let (voter, proxy) = (got(&f, "voter").to_string(), got(&f, "proxy").to_string());
    let by = com.account.id;
    back.step("vote.proxy", "proxy", f, move |tx, vote| {
        let named = proxies::authorize(tx, vote, &voter, &proxy, &authorization, expires, by)?;
        let name = match named {
            Ok(name) => name,
            Err((field, m)) => return Ok(Err(errors_with(field, &m))),
        };
        Ok(Ok(format!("{voter} → {name} ({authorization})")))
    })
    .await
}

pub async fn proxy_ballot(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let f = BallotPost::from_pairs(f);
    let resident = m.account.resident_id.ok_or_else(not_on_roll)?;
    let back = Back {
        st: &st,
        ctx: &m.ctx,
        community: &m.community,
        id,
        form: view::Form::ProxyBallot,
    };
    let typed = f.typed();
    back.step("vote.ballot", "cast#h-cast", typed, move |tx, vote| {
        let choice = match beside("choice", f.pick(vote))? {
            Ok(c) => c,
            Err(errors) => return Ok(Err(errors)),
        };
        proxies::cast(tx, vote, &f.voter, resident, &choice)?;
        Ok(Ok(if vote.secret {
            "proxy".into()
        } else {
            format!("proxy for {}", f.voter)
        }))
    })
    .await
}
