//! Files attached to the working revision of a disclosure.

use super::step;
use crate::domain::Msg;
use crate::error::Error;
use crate::store::attachments;
use crate::store::disclosures::{self as store, Disclosure, Status};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::files;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;

pub async fn attach(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    mp: Multipart,
) -> Result<Response, Error> {
    let files = files::read(mp).await?.uploads("file")?;
    if files.is_empty() {
        return Err(Error::Invalid(Msg::new("请选择文件", "choose a file")));
    }
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "disclosure.attach",
        "attached#h-files",
        move |tx, d| {
            let owner = editable_owner(tx, d)?;
            for f in &files {
                attachments::add(tx, d.community_id, &owner, f, by)?;
            }
            Ok(files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "))
        },
    )
    .await
}

pub async fn detach(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id, file)): Path<(String, i64, i64)>,
) -> Result<Response, Error> {
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "disclosure.detach",
        "detached#h-files",
        move |tx, d| {
            let owner = editable_owner(tx, d)?;
            attachments::remove(tx, d.community_id, &owner, file)
        },
    )
    .await
}

/// Attachments change only with the working revision, in draft or queried.
fn editable_owner(tx: &rusqlite::Transaction, d: &Disclosure) -> Result<String, Error> {
    match (d.status, store::working(tx, d.id)?) {
        (Status::Draft | Status::Queried, Some(w)) => Ok(store::files_owner(d.id, w.rev)),
        _ => Err(Error::Conflict(Msg::new(
            "只有草稿或被质询时可以改动附件；已公开的附件不能改动",
            "attachments change only in a draft or a queried disclosure; published ones never change",
        ))),
    }
}
