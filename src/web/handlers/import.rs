//! Importing the roll: the whole file is checked first (every bad row named,
//! nothing written); a valid file is previewed (the plan is worked out on a
//! reader, not the writer); confirming applies it in the background in short
//! transactions (see `store::roll::import`). The confirming request waits for
//! it a while and shows the result, or else answers with the import's
//! progress page.

use super::{invalid, see_other};
use crate::domain::roll::{ParsedRoll, RowError, parse_table};
use crate::domain::{Msg, msg};
use crate::error::Error;
use crate::sheet::{self, Encoding};
use crate::store::audit::{self, Actor};
use crate::store::roll::{self, Summary};
use crate::store::roll_previews::{self, Claim, State as PreviewState};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use teahouse_views::pages::import as view;

pub async fn form(com: Committee) -> Response {
    view::upload(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        None,
        &[],
        0,
        "",
    )
    .into_response()
}

/// The problems listed on the page: the first ones are enough to fix a file.
const MAX_LISTED: usize = 200;

fn row_errors(errs: &[RowError]) -> Vec<view::RowErr> {
    errs.iter()
        .take(MAX_LISTED)
        .map(|e| view::RowErr {
            row: e.row,
            column: e.column.clone(),
            msg: e.msg.clone(),
        })
        .collect()
}

fn preview_of(
    id: i64,
    filename: &str,
    enc: Option<Encoding>,
    notes: &[Msg],
    s: &Summary,
) -> view::Preview {
    view::Preview {
        import_id: id,
        filename: filename.to_string(),
        encoding_note: (enc == Some(Encoding::Gbk)).then(|| {
            msg::Msg::new(
                "这个 CSV 文件是 GBK 编码（Excel 中文版的默认格式），已按 GBK 读取。",
                "This CSV is GBK-encoded (Chinese Excel's default) and was read as such.",
            )
        }),
        notes: notes.to_vec(),
        rows: s.rows,
        zones_new: s.zones_new,
        dwellings_new: s.dwellings_new,
        dwellings_changed: s.dwellings_changed,
        households_new: s.households_new,
        residents_new: s.residents_new,
        residents_changed: s.residents_changed,
        residents_unchanged: s.residents_unchanged,
        missing: s.missing.clone(),
        changes: s
            .changes
            .iter()
            .map(|c| (c.key.clone(), c.name.clone(), c.fields.clone()))
            .collect(),
        changes_anything: s.changes_anything(),
    }
}

/// What the check step keeps between preview and confirm.
#[derive(Deserialize)]
struct Stored {
    roll: ParsedRoll,
    #[allow(dead_code)]
    encoding_gbk: bool,
}

/// [`Stored`], as written.
#[derive(serde::Serialize)]
struct StoredRef<'a> {
    roll: &'a ParsedRoll,
    encoding_gbk: bool,
}

/// The posted roll file, named ("roll" if the browser sent no name), if
/// one was chosen and is not empty.
fn posted_file(posted: super::files::Posted) -> Option<(String, Vec<u8>)> {
    posted
        .files
        .into_iter()
        .find(|f| f.field == "file")
        .map(|f| {
            let name = if f.name.is_empty() {
                "roll".into()
            } else {
                f.name
            };
            (name, f.bytes)
        })
        .filter(|(_, b)| !b.is_empty())
}

/// What is wrong with a roll file: the file itself, or its rows.
type Refused = (Option<Msg>, Vec<RowError>);

/// Reads and checks the whole file (CPU work, off the async threads): the
/// roll, whether it was GBK, and what the preview keeps for confirming.
fn read_roll(bytes: &[u8]) -> Result<(ParsedRoll, bool, String), Refused> {
    let read = sheet::read(bytes).map_err(|m| (Some(m), Vec::new()))?;
    let roll = parse_table(&read.table).map_err(|errs| (None, errs))?;
    let encoding_gbk = read.encoding == Some(Encoding::Gbk);
    // What the preview keeps for the confirmation.
    let payload = serde_json::to_string(&StoredRef {
        roll: &roll,
        encoding_gbk,
    })
    .map_err(|e| {
        (
            Some(Msg::new(
                "文件无法保存",
                format!("cannot keep the file: {e}"),
            )),
            Vec::new(),
        )
    })?;
    Ok((roll, encoding_gbk, payload))
}

pub async fn check(
    State(st): State<AppState>,
    com: Committee,
    mp: Multipart,
) -> Result<Response, Error> {
    let chrome = com.ctx.chrome(Some(&com.community));
    let slug = com.community.slug.clone();
    let posted = super::files::read(mp).await?;
    let Some((filename, bytes)) = posted_file(posted) else {
        let m = Msg::new("请选择一个文件。", "Please choose a file.");
        return Ok(invalid(view::upload(&chrome, &slug, Some(&m), &[], 0, "")));
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    let (roll, encoding_gbk, payload) =
        match crate::web::heavy(&st, move || read_roll(&bytes)).await? {
            Ok(x) => x,
            Err((file_err, rows)) => {
                return Ok(invalid(view::upload(
                    &chrome,
                    &slug,
                    file_err.as_ref(),
                    &row_errors(&rows),
                    rows.len(),
                    &filename,
                )));
            }
        };
    let cid = com.community.id;
    let account_id = com.account.id;
    let notes = roll.notes.clone();
    // The dry run: worked out on a reader, against one snapshot of the roll;
    // the writer only stores the preview.
    let summary = roll::import::plan_on_reader(&st.db, cid, Arc::new(roll), false)
        .await?
        .summary;
    let summary_json =
        serde_json::to_string(&summary).map_err(|e| Error::Internal(e.to_string()))?;
    let fname = filename.clone();
    let id = st
        .db
        .write(move |tx| {
            roll_previews::insert(
                tx,
                &roll_previews::NewPreview {
                    community_id: cid,
                    account_id,
                    filename: &fname,
                    file_sha256: &digest,
                    payload: &payload,
                    summary: &summary_json,
                },
            )
        })
        .await?;
    let enc = encoding_gbk.then_some(Encoding::Gbk);
    Ok(view::preview(
        &chrome,
        &slug,
        &preview_of(id, &filename, enc, &notes, &summary),
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    deactivate_missing: Option<String>,
}

fn progress_url(slug: &str, id: i64) -> String {
    format!("/c/{slug}/roll/import/{id}")
}

pub async fn confirm(
    State(st): State<AppState>,
    com: Committee,
    Path((_, import_id)): Path<(String, i64)>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, Error> {
    let chrome = com.ctx.chrome(Some(&com.community));
    let slug = com.community.slug.clone();
    let cid = com.community.id;
    let deactivate = super::checked(&f.deactivate_missing);
    let (preview, payload) = st
        .db
        .read(move |c| {
            Ok((
                roll_previews::get(c, cid, import_id)?,
                roll_previews::payload(c, cid, import_id)?,
            ))
        })
        .await?;
    let Some(preview) = preview else {
        return Err(Error::NotFound);
    };
    match preview.state {
        PreviewState::Applied => return Err(roll_previews::already_confirmed()),
        PreviewState::Applying => return Ok(see_other(&progress_url(&slug, import_id))),
        PreviewState::Preview => {}
    }
    // (An applied preview's file is dropped.)
    let payload = payload.ok_or_else(roll_previews::already_confirmed)?;
    let stored: Stored = tokio::task::spawn_blocking(move || serde_json::from_str(&payload))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(e.to_string()))?;
    // Taken once: a second click or a retry follows this one.
    let claim = st
        .db
        .write(move |tx| roll_previews::claim(tx, cid, import_id, deactivate))
        .await?;
    if let Claim::Running = claim {
        return Ok(see_other(&progress_url(&slug, import_id)));
    }
    // The import belongs to the server from here on, not to this request: a
    // client that leaves or a request that times out does not cut it short.
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    {
        let st = st.clone();
        let actor = com.ctx.actor();
        let filename = preview.filename.clone();
        tokio::spawn(async move {
            let res = apply(
                &st,
                cid,
                import_id,
                stored.roll,
                deactivate,
                actor,
                filename,
            )
            .await;
            let _ = done_tx.send(res);
        });
    }
    let wait =
        std::time::Duration::from_secs(st.cfg.roll_confirm_wait_secs.min(st.cfg.timeout_secs / 2));
    match tokio::time::timeout(wait, done_rx).await {
        Ok(Ok(res)) => {
            let summary = res?;
            let mut p = preview_of(import_id, &preview.filename, None, &[], &summary);
            if !deactivate {
                p.missing.clear();
            }
            Ok(view::done(&chrome, &slug, &p).into_response())
        }
        Ok(Err(_)) => Err(Error::Internal("the roll import stopped".into())),
        // Still writing: its page shows how far it got and then the result.
        Err(_) => Ok(see_other(&progress_url(&slug, import_id))),
    }
}

/// The background part of confirming. On failure the preview can be
/// confirmed again and says why this attempt did not apply.
async fn apply(
    st: &AppState,
    cid: i64,
    import_id: i64,
    parsed: ParsedRoll,
    deactivate: bool,
    actor: Actor,
    filename: String,
) -> Result<Summary, Error> {
    let job = roll::Import {
        community_id: cid,
        roll: Arc::new(parsed),
        deactivate_missing: deactivate,
        preview: Some(import_id),
        chunk: st.cfg.roll_chunk,
    };
    let res = roll::import(&st.db, job, None, move |tx, summary| {
        let summary_json =
            serde_json::to_string(summary).map_err(|e| Error::Internal(e.to_string()))?;
        roll_previews::mark_applied(tx, import_id, &summary_json)?;
        audit::record(
            tx,
            &actor,
            Some(cid),
            "roll.import",
            &filename,
            &format!(
                "{} rows: {} new, {} changed, {} unchanged residents; {} new dwellings, {} changed; {} moved out",
                summary.rows,
                summary.residents_new,
                summary.residents_changed,
                summary.residents_unchanged,
                summary.dwellings_new,
                summary.dwellings_changed,
                if deactivate { summary.missing.len() } else { 0 }
            ),
        )
    })
    .await;
    match res {
        Ok(a) => {
            if let Err(e) = st
                .db
                .write(move |tx| roll_previews::drop_payload(tx, import_id))
                .await
            {
                tracing::warn!(import = import_id, error = %e, "could not drop an applied roll's file");
            }
            Ok(a.summary)
        }
        Err(e) => {
            tracing::warn!(import = import_id, error = %e, "roll import did not apply");
            let m = match &e {
                Error::Invalid(m) | Error::Conflict(m) | Error::BadRequest(m) => m.clone(),
                _ => Msg::new(
                    "导入时服务器出了问题，什么也没有写入。请稍后再次确认导入。",
                    "The server had a problem during the import and nothing was written. Please confirm again later.",
                ),
            };
            if let Err(e2) = st
                .db
                .write(move |tx| roll_previews::failed(tx, import_id, &m))
                .await
            {
                tracing::error!(import = import_id, error = %e2, "could not record a failed roll import");
            }
            Err(e)
        }
    }
}

/// An import's page: its progress while it is written, then what it did;
/// a preview not (or not yet successfully) confirmed shows again, with why
/// the last attempt did not apply.
pub async fn show(
    State(st): State<AppState>,
    com: Committee,
    Path((_, import_id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let p = st
        .db
        .read(move |c| roll_previews::get(c, cid, import_id))
        .await?
        .ok_or(Error::NotFound)?;
    let chrome = com.ctx.chrome(Some(&com.community));
    let slug = &com.community.slug;
    let summary: Summary = serde_json::from_str(&p.summary).unwrap_or_default();
    let mut v = preview_of(import_id, &p.filename, None, &[], &summary);
    Ok(match p.state {
        PreviewState::Applying => view::progress(
            &chrome,
            slug,
            &view::Progress {
                import_id,
                filename: p.filename.clone(),
                staged: p.staged,
                to_stage: p.to_stage,
            },
        ),
        PreviewState::Applied => {
            if !p.deactivate_missing {
                v.missing.clear();
            }
            view::done(&chrome, slug, &v)
        }
        PreviewState::Preview => {
            if let Some(m) = &p.message {
                v.notes.push(m.clone());
            }
            view::preview(&chrome, slug, &v)
        }
    }
    .into_response())
}
