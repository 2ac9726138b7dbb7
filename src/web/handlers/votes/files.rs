//! A draft vote's attachments (plans, drawings): added and removed until the
//! vote opens, when their hashes go into the ledger.

use super::step;
use crate::domain::{Msg, Subject};
use crate::error::Error;
use crate::store::attachments;
use crate::store::votes::{Status, Vote};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::extract::{Path, State};
use axum::response::Response;

/// Attaches plan documents or images to a draft vote (one transaction for
/// all files of the form; nothing is stored if one is refused).
pub async fn attach(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    mp: axum::extract::Multipart,
) -> Result<Response, Error> {
    let files = crate::web::handlers::files::read(mp)
        .await?
        .uploads("file")?;
    if files.is_empty() {
        return Err(Error::Invalid(Msg::new("请选择文件", "choose a file")));
    }
    let by = com.account.id;
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "vote.attach",
        "attached#h-files",
        move |tx, vote| {
            draft_only(vote)?;
            let mut names = Vec::new();
            for f in &files {
                attachments::add(
                    tx,
                    vote.community_id,
                    &Subject::Vote(vote.id).to_string(),
                    f,
                    by,
                )?;
                names.push(f.name.clone());
            }
            Ok(names.join(", "))
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
        "vote.detach",
        "detached#h-files",
        move |tx, vote| {
            draft_only(vote)?;
            attachments::remove(
                tx,
                vote.community_id,
                &Subject::Vote(vote.id).to_string(),
                file,
            )
        },
    )
    .await
}

/// Attachments are part of what opens: after that they are frozen. The
/// vote was loaded inside the step's write transaction, so its status is
/// the one an open queued before this step left.
fn draft_only(vote: &Vote) -> Result<(), Error> {
    if vote.status != Status::Draft {
        return Err(Error::Conflict(Msg::new(
            "表决开始后附件不能再改动（附件的哈希已记入公开记录）",
            "attachments cannot change once the vote is open (their hashes are in the ledger)",
        )));
    }
    Ok(())
}
