//! The review steps: submit, sign, query and answer, the supervisor's
//! verdict on an answer (accept or query again), publish, correct,
//! and residents' questions on a published disclosure.

use super::{entry_detail, step};
use crate::domain::Msg;
use crate::domain::mask::mask_name;
use crate::error::Error;
use crate::store::disclosures::{self as store};
use crate::web::AppState;
use crate::web::ctx::{Committee, Member, Supervisor};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

pub async fn submit(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "disclosure.submit",
        "submitted",
        |tx, d| store::submit(tx, d).map(|e| entry_detail(&e)),
    )
    .await
}

pub async fn publish(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "disclosure.publish",
        "published",
        |tx, d| store::publish(tx, d).map(|e| entry_detail(&e)),
    )
    .await
}

/// What the sign and query forms carry of the revision the supervisor was
/// shown (see `store::Seen`); missing or unreadable fields match nothing.
#[derive(Deserialize, Default)]
pub struct SeenPost {
    #[serde(default)]
    rev: String,
    #[serde(default)]
    hash: String,
    #[serde(default)]
    files: String,
}

fn seen_of(rev: &str, hash: &str, files: &str) -> store::Seen {
    store::Seen {
        rev: rev.trim().parse().unwrap_or(-1),
        content_hash: hash.trim().to_string(),
        files: files.trim().to_string(),
    }
}

/// A supervisor's signature, on the revision as the form says they saw it:
/// if it has changed since, 409 and nothing is signed (checked in the
/// write transaction).
pub async fn sign(
    State(st): State<AppState>,
    sup: Supervisor,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<SeenPost>,
) -> Result<Response, Error> {
    let account = sup.account.id;
    let name = sup.account.display_name.clone();
    let seen = seen_of(&f.rev, &f.hash, &f.files);
    step(
        &st,
        &sup.ctx,
        &sup.community,
        id,
        "disclosure.sign",
        "signed",
        move |tx, d| store::sign(tx, d, account, &name, &seen).map(|e| entry_detail(&e)),
    )
    .await
}

#[derive(Deserialize)]
pub struct TextPost {
    #[serde(default)]
    text: String,
    #[serde(default)]
    row: String,
    #[serde(default)]
    reason: String,
    /// For a query: the revision shown (see [`SeenPost`]).
    #[serde(default)]
    rev: String,
    #[serde(default)]
    hash: String,
    #[serde(default)]
    files: String,
}

pub async fn query(
    State(st): State<AppState>,
    sup: Supervisor,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<TextPost>,
) -> Result<Response, Error> {
    let row = match f.row.trim() {
        "" => None,
        r => Some(r.parse::<i64>().map_err(|_| {
            Error::Invalid(Msg::new(
                format!("行号“{r}”应为数字"),
                format!("row \"{r}\" should be a number"),
            ))
        })?),
    };
    let account = sup.account.id;
    let name = sup.account.display_name.clone();
    let seen = seen_of(&f.rev, &f.hash, &f.files);
    step(
        &st,
        &sup.ctx,
        &sup.community,
        id,
        "disclosure.query",
        "queried",
        move |tx, d| {
            store::query(tx, d, account, &name, row, &f.text, &seen).map(|e| entry_detail(&e))
        },
    )
    .await
}

pub async fn answer(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, thread)): Path<(String, i64, i64)>,
    Form(f): Form<TextPost>,
) -> Result<Response, Error> {
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "disclosure.answer",
        "answered",
        move |tx, d| store::answer(tx, d, thread, &f.text, by).map(|e| entry_detail(&e)),
    )
    .await
}

/// A supervisor accepts the committee's answer to a query.
pub async fn accept(
    State(st): State<AppState>,
    sup: Supervisor,
    Path((_, id, thread)): Path<(String, i64, i64)>,
) -> Result<Response, Error> {
    let account = sup.account.id;
    let name = sup.account.display_name.clone();
    step(
        &st,
        &sup.ctx,
        &sup.community,
        id,
        "disclosure.answer_accepted",
        "accepted",
        move |tx, d| store::accept(tx, d, thread, account, &name).map(|e| entry_detail(&e)),
    )
    .await
}

/// A supervisor finds an answer not enough and queries it again.
pub async fn requery(
    State(st): State<AppState>,
    sup: Supervisor,
    Path((_, id, thread)): Path<(String, i64, i64)>,
    Form(f): Form<TextPost>,
) -> Result<Response, Error> {
    let account = sup.account.id;
    let name = sup.account.display_name.clone();
    step(
        &st,
        &sup.ctx,
        &sup.community,
        id,
        "disclosure.requeried",
        "requeried",
        move |tx, d| {
            store::requery(tx, d, thread, account, &name, &f.text).map(|e| entry_detail(&e))
        },
    )
    .await
}

pub async fn correct(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<TextPost>,
) -> Result<Response, Error> {
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "disclosure.correct",
        "correcting",
        move |tx, d| {
            store::correct(tx, d, &f.reason, by)
                .map(|rev| format!("rev {rev}: {}", f.reason.trim()))
        },
    )
    .await
}

pub async fn ask(
    State(st): State<AppState>,
    m: Member,
    Path((_, id)): Path<(String, i64)>,
    Form(f): Form<TextPost>,
) -> Result<Response, Error> {
    let account = m.account.id;
    let author = mask_name(&m.account.display_name);
    step(
        &st,
        &m.ctx,
        &m.community,
        id,
        "disclosure.question",
        "asked",
        move |tx, d| store::ask(tx, d, account, &author, &f.text).map(|e| entry_detail(&e)),
    )
    .await
}
