//! Attachments: reading uploads from a multipart form, and serving a stored
//! file to whoever may see the record it belongs to.

use crate::domain::Msg;
use crate::domain::upload::Upload;
use crate::error::Error;
use crate::store::accounts::Role;
use crate::store::{attachments, disclosures, votes};
use crate::web::AppState;
use crate::web::ctx::Visitor;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// A multipart form: its text fields and its files (empty file inputs are
/// skipped). Callers check files for what they expect.
pub struct Posted {
    pub fields: HashMap<String, String>,
    pub files: Vec<RawFile>,
}

pub struct RawFile {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A record's stored attachments, as its page lists them.
pub fn file_lines(files: Vec<attachments::Attachment>) -> Vec<teahouse_views::files::FileLine> {
    files
        .into_iter()
        .map(|f| teahouse_views::files::FileLine {
            id: f.id,
            name: f.name,
            mime: f.mime,
            size: f.size,
            sha256: f.sha256,
        })
        .collect()
}

impl Posted {
    pub fn field(&self, k: &str) -> String {
        self.fields.get(k).cloned().unwrap_or_default()
    }

    pub fn file(&self, field: &str) -> Option<&RawFile> {
        self.files.iter().find(|f| f.field == field)
    }

    /// The attachments in `field`, each checked (type, size); the first bad
    /// one refuses the whole form.
    pub fn uploads(&self, field: &str) -> Result<Vec<Upload>, Error> {
        self.files
            .iter()
            .filter(|f| f.field == field)
            .map(|f| Upload::parse(&f.name, f.bytes.clone()).map_err(Error::Invalid))
            .collect()
    }
}

/// A multipart error: over the route's size limit, or malformed.
fn refused(e: axum::extract::multipart::MultipartError) -> Error {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return Error::TooLarge;
    }
    broken(e)
}

fn broken(e: impl std::fmt::Display) -> Error {
    tracing::info!(error = %e, "multipart form refused");
    Error::BadRequest(Msg::new(
        "上传没有完成，或表单格式不对（例如文件名里有换行）。什么都没有保存，请重新选择文件再提交。",
        "The upload did not complete or the form is malformed (a line break in a file name, for one). Nothing was saved; choose the file again and resubmit.",
    ))
}

pub async fn read(mut mp: Multipart) -> Result<Posted, Error> {
    let mut p = Posted {
        fields: HashMap::new(),
        files: Vec::new(),
    };
    while let Some(field) = mp.next_field().await.map_err(refused)? {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file) => {
                let bytes = field.bytes().await.map_err(refused)?;
                if bytes.is_empty() && file.is_empty() {
                    continue;
                }
                p.files.push(RawFile {
                    field: name,
                    name: file,
                    bytes: bytes.to_vec(),
                });
            }
            // A part with a file's content type but no readable file name (a
            // raw CR or LF in the name breaks its header) is a file we could
            // not read: refuse the form rather than drop the file silently.
            None if field
                .content_type()
                .is_some_and(|m| !m.starts_with("text/plain")) =>
            {
                return Err(Error::BadRequest(Msg::new(
                    "上传的文件名无法读取（含有换行等特殊字符）。请把文件改个名字再上传，什么都没有保存。",
                    "the uploaded file's name could not be read (it has a line break or similar); rename the file and upload again. Nothing was saved.",
                )));
            }
            None => {
                let text = field.text().await.map_err(refused)?;
                p.fields.insert(name, text);
            }
        }
    }
    Ok(p)
}

/// May this reader see the attachments of `owner`? Published records are
/// public; drafts only to the committee and the supervision committee, and
/// a draft proposal's photos also to its author.
fn visible(
    conn: &rusqlite::Connection,
    community_id: i64,
    owner: &str,
    staff: bool,
    reader: Option<i64>,
) -> Result<bool, Error> {
    // A refused form's files, kept for the one who chose them: nobody
    // else, not even the committee, sees what a resident has not sent.
    if let Some(account) = owner.strip_prefix("staged:") {
        return Ok(reader.is_some() && account.parse::<i64>().ok() == reader);
    }
    if staff {
        return Ok(true);
    }
    let parts: Vec<i64> = owner
        .split(':')
        .skip(1)
        .map(|p| p.parse().map_err(|_| Error::NotFound))
        .collect::<Result<_, _>>()?;
    Ok(match (owner.split(':').next(), parts.as_slice()) {
        (Some("vote"), [id]) => votes::get(conn, community_id, *id)?.status != votes::Status::Draft,
        // Follow-up reports are public, like the actions they close.
        (Some("action"), [_]) => true,
        // Completion reports are public; a proposal's photos once published.
        (Some("proposal-report"), [_]) => true,
        (Some("proposal"), [id]) => {
            let p = crate::store::proposals::get(conn, community_id, *id)?;
            p.status != crate::domain::proposal::Status::Draft || reader == Some(p.author_id)
        }
        (Some("disclosure"), [id, rev]) => {
            disclosures::revision_published(conn, community_id, *id, *rev)?
        }
        _ => false,
    })
}

pub async fn serve(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let staff = v
        .ctx
        .0
        .account
        .as_ref()
        .is_some_and(|a| a.has_role(cid, Role::Committee) || a.has_role(cid, Role::Supervisor));
    let reader = v.ctx.0.account.as_ref().map(|a| a.id);
    let (a, data) = st
        .db
        .read(move |c| {
            let (a, data) = attachments::get(c, cid, id)?;
            if !visible(c, cid, &a.owner, staff, reader)? {
                return Err(Error::NotFound);
            }
            Ok((a, data))
        })
        .await?;
    let disposition = format!(
        "inline; filename*=UTF-8''{}",
        teahouse_views::layout::urlencode(&a.name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, a.mime),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".into()),
            (header::ETAG, format!("\"{}\"", a.sha256)),
        ],
        data,
    )
        .into_response())
}
