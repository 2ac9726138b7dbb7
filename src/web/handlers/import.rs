//! Importing the roll: the whole file is checked first (every bad row named,
//! nothing written); a valid file is previewed as a dry run; confirming
//! applies it in one transaction.

use super::invalid;
use crate::domain::roll::{ParsedRoll, RowError, parse_table};
use crate::domain::{Msg, msg};
use crate::error::Error;
use crate::sheet::{self, Encoding};
use crate::store::roll::{self, Summary};
use crate::store::{audit, now, roll_previews};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::error::bi;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
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
            msg: bi(&e.msg),
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
            bi(&msg::Msg::new(
                "这个 CSV 文件是 GBK 编码（Excel 中文版的默认格式），已按 GBK 读取。",
                "This CSV is GBK-encoded (Chinese Excel's default) and was read as such.",
            ))
        }),
        notes: notes.iter().map(bi).collect(),
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
#[derive(serde::Serialize, Deserialize)]
struct Stored {
    roll: ParsedRoll,
    encoding_gbk: bool,
}

pub async fn check(
    State(st): State<AppState>,
    com: Committee,
    mp: Multipart,
) -> Result<Response, Error> {
    let chrome = com.ctx.chrome(Some(&com.community));
    let slug = com.community.slug.clone();
    let posted = super::files::read(mp).await?;
    let file = posted
        .files
        .into_iter()
        .find(|f| f.field == "file")
        .map(|f| {
            (
                if f.name.is_empty() {
                    "roll".into()
                } else {
                    f.name
                },
                f.bytes,
            )
        });
    let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let m = bi(&Msg::new("请选择一个文件。", "Please choose a file."));
        return Ok(invalid(view::upload(&chrome, &slug, Some(&m), &[], 0, "")));
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    let parsed = crate::web::heavy(&st, move || {
        let read = sheet::read(&bytes).map_err(|m| (Some(m), Vec::new()))?;
        parse_table(&read.table)
            .map(|roll| (roll, read.encoding))
            .map_err(|errs| (None, errs))
    })
    .await?;
    let (roll, encoding) = match parsed {
        Ok(x) => x,
        Err((file_err, rows)) => {
            let m = file_err.map(|m| bi(&m));
            return Ok(invalid(view::upload(
                &chrome,
                &slug,
                m.as_ref(),
                &row_errors(&rows),
                rows.len(),
                &filename,
            )));
        }
    };
    let cid = com.community.id;
    let account_id = com.account.id;
    let stored = Stored {
        roll,
        encoding_gbk: encoding == Some(Encoding::Gbk),
    };
    let payload = serde_json::to_string(&stored).map_err(|e| Error::Internal(e.to_string()))?;
    let fname = filename.clone();
    let (id, summary, stored) = st
        .db
        .write(move |tx| {
            // A dry run inside a savepoint, rolled back: the preview shows
            // exactly what confirming would do.
            tx.execute_batch("SAVEPOINT dry_run")?;
            let summary = roll::apply(tx, cid, &stored.roll, false);
            tx.execute_batch("ROLLBACK TO dry_run; RELEASE dry_run")?;
            let summary = summary?;
            let summary_json =
                serde_json::to_string(&summary).map_err(|e| Error::Internal(e.to_string()))?;
            let id = roll_previews::insert(
                tx,
                &roll_previews::NewPreview {
                    community_id: cid,
                    account_id,
                    filename: &fname,
                    file_sha256: &digest,
                    payload: &payload,
                    summary: &summary_json,
                },
            )?;
            Ok((id, summary, stored))
        })
        .await?;
    let enc = stored.encoding_gbk.then_some(Encoding::Gbk);
    Ok(view::preview(
        &chrome,
        &slug,
        &preview_of(id, &filename, enc, &stored.roll.notes, &summary),
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    deactivate_missing: Option<String>,
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
    let actor = com.ctx.actor();
    let (filename, summary) = st
        .db
        .write(move |tx| {
            let Some(roll_previews::Preview { filename, payload, created_at: created, applied_at: applied }) =
                roll_previews::get(tx, cid, import_id)?
            else {
                return Err(Error::NotFound);
            };
            if applied.is_some() {
                return Err(Error::Conflict(Msg::new(
                    "这次导入已经确认过了。如需再次导入，请重新上传文件。",
                    "This import was already confirmed. Upload the file again to re-import.",
                )));
            }
            if created + roll_previews::TTL < now() {
                return Err(Error::Conflict(Msg::new(
                    "预览已超过一天，请重新上传文件检查。",
                    "This preview is more than a day old; upload the file again.",
                )));
            }
            let stored: Stored = serde_json::from_str(&payload).map_err(|e| Error::Internal(e.to_string()))?;
            let summary = roll::apply(tx, cid, &stored.roll, deactivate)?;
            let summary_json = serde_json::to_string(&summary).map_err(|e| Error::Internal(e.to_string()))?;
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
            )?;
            Ok((filename, summary))
        })
        .await?;
    let mut p = preview_of(import_id, &filename, None, &[], &summary);
    if !deactivate {
        p.missing.clear();
    }
    Ok(view::done(&chrome, &slug, &p).into_response())
}
