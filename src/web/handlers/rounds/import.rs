//! Importing a Pabulib `.pb` file over the web. The request only reads the
//! file and records an import (with the form's key, so a retry lands on the
//! same import); counting and writing go on in the background while the
//! committee watches a progress page. The ballots are written in short
//! transactions to a round that stays hidden until the last one, so other
//! writes keep flowing and a failed import leaves nothing visible.

use crate::domain::Msg;
use crate::domain::pabulib::{self, PbFile};
use crate::domain::pb_rules::Rule;
use crate::error::Error;
use crate::store::audit::{self, Actor};
use crate::store::round_imports::{self as jobs, State as JobState};
use crate::store::rounds as store;
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::{errors_with, fmt_time, invalid, see_other};
use crate::web::import_queue::{Admission, Refused};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use teahouse_views::pages::rounds as view;

/// How long counting may take in the background before the import gives up.
const COUNT_LIMIT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

fn progress_url(slug: &str, id: i64) -> String {
    format!("/c/{slug}/rounds/imports/{id}")
}

pub async fn import(
    State(st): State<AppState>,
    com: Committee,
    mp: Multipart,
) -> Result<Response, Error> {
    let posted = crate::web::handlers::files::read(mp).await?;
    let typed_rule = posted.field("rule");
    let rule = Rule::parse(&typed_rule).unwrap_or(Rule::Mes);
    let Some(file) = posted.file("file").filter(|f| !f.bytes.is_empty()) else {
        let m = Msg::new("请选择一个 .pb 文件", "choose a .pb file");
        return refused(&st, &com, &typed_rule, "", m).await;
    };
    let file_sha256 = hex::encode(Sha256::digest(&file.bytes));
    // Without the form's key (a script), the file and rule are the key.
    let key = match posted.field("key").trim() {
        "" => format!("sha256:{file_sha256}:{}", rule.as_str()),
        k => k.chars().take(100).collect(),
    };
    let cid = com.community.id;
    match earlier(&st, cid, &key, &file_sha256, rule).await {
        Ok(Some(id)) => return Ok(see_other(&progress_url(&com.community.slug, id))),
        Ok(None) => {}
        // The form again comes with a new key.
        Err(Error::Conflict(m)) => return refused(&st, &com, &typed_rule, &file.name, m).await,
        Err(e) => return Err(e),
    }
    // One import per community may wait or run, a few in all; the
    // admission goes with the background job until it ends.
    let admission = match st.pb_imports.admit(cid, &file.name) {
        Ok(a) => a,
        Err(Refused::Full) => return Err(Error::Busy),
        Err(Refused::Community(other)) => {
            let c = com.ctx.chrome(Some(&com.community));
            let page = view::import_busy(&c, &com.community.slug, &other.file_name, other.job);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
    };
    let (file_name, bytes) = (file.name.clone(), file.bytes.clone());
    let pb = match crate::web::heavy(&st, move || parse(&bytes)).await? {
        Ok(pb) => pb,
        Err(Error::Invalid(m)) => return refused(&st, &com, &typed_rule, &file_name, m).await,
        Err(e) => return Err(e),
    };
    let (by, slug) = (com.account.id, com.community.slug.clone());
    let voters = pb.voter_ids.len() as i64;
    let begun = {
        let (file_name, rule) = (file_name.clone(), rule.as_str());
        st.db
            .write(move |tx| {
                jobs::begin(
                    tx,
                    cid,
                    &jobs::NewImport {
                        key: &key,
                        file_name: &file_name,
                        file_sha256: &file_sha256,
                        rule,
                        voters,
                        by,
                    },
                )
            })
            .await?
    };
    let id = match begun {
        // The same form again: that import is the answer.
        Err(existing) => existing,
        Ok(id) => {
            admission.set_job(id);
            let actor = com.ctx.actor();
            tokio::spawn(
                async move { run(st.clone(), id, cid, pb, rule, by, actor, admission).await },
            );
            id
        }
    };
    Ok(see_other(&progress_url(&slug, id)))
}

/// The same form again (a retry) while or after it runs: that import;
/// the same key with another file or rule is refused.
async fn earlier(
    st: &AppState,
    cid: i64,
    key: &str,
    file_sha256: &str,
    rule: Rule,
) -> Result<Option<i64>, Error> {
    let key = key.to_string();
    match st.db.read(move |c| jobs::by_key(c, cid, &key)).await? {
        Some((_, sha, r)) if sha != file_sha256 || r != rule.as_str() => Err(jobs::key_reused()),
        Some((id, _, _)) => Ok(Some(id)),
        None => Ok(None),
    }
}

/// The import form again (422) with the rule as chosen, the file's name
/// and why it was refused, beside the file; nothing was saved.
async fn refused(
    st: &AppState,
    com: &Committee,
    rule: &str,
    file_name: &str,
    m: Msg,
) -> Result<Response, Error> {
    let form = view::ImportForm {
        rule: Rule::parse(rule).map_or("mes", Rule::as_str).to_string(),
        file_name: file_name.chars().take(200).collect(),
        errors: errors_with("file", &m),
        key: String::new(),
    };
    let page = super::create::list_page(st, &com.ctx, &com.community, None, form).await?;
    Ok(invalid(page))
}

/// The file read as a .pb file; a mistake names its line.
fn parse(bytes: &[u8]) -> Result<PbFile, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        Error::Invalid(Msg::new(
            format!("第 {line} 行：文件不是 UTF-8 文本（请用 UTF-8 编码保存）"),
            format!("line {line}: the file is not UTF-8 text (save it as UTF-8)"),
        ))
    })?;
    pabulib::parse(text).map_err(|e| {
        Error::Invalid(if e.line > 0 {
            Msg::new(
                format!("第 {} 行：{}", e.line, e.msg.zh),
                format!("line {}: {}", e.line, e.msg.en),
            )
        } else {
            e.msg
        })
    })
}

/// The background part; on any failure the import is marked failed with
/// what to tell the committee and its staged round is removed.
#[allow(clippy::too_many_arguments)]
async fn run(
    st: AppState,
    job: i64,
    cid: i64,
    pb: PbFile,
    rule: Rule,
    by: i64,
    actor: Actor,
    admission: Admission,
) {
    let res = write_all(&st, job, cid, pb, rule, by, actor, &admission).await;
    // Its place is free once it is done or failed (and recorded so below).
    let Err(e) = res else {
        return;
    };
    tracing::warn!(import = job, error = %e, "pb import failed");
    let m = match &e {
        Error::Invalid(m) | Error::Conflict(m) | Error::BadRequest(m) => m.clone(),
        _ => Msg::new(
            "导入时服务器出了问题，什么也没有保存。请稍后重新导入。",
            "The server had a problem during the import and nothing was saved. Please import again later.",
        ),
    };
    match st.db.write(move |tx| jobs::failed(tx, job, &m)).await {
        Ok(Some(round)) => remove_staged(&st, round).await,
        Ok(None) => {}
        Err(e) => tracing::error!(import = job, error = %e, "could not record a failed import"),
    }
}

/// Removes a staged round in short transactions.
pub async fn remove_staged(st: &AppState, round: i64) {
    loop {
        match st.db.write(move |tx| store::unstage_some(tx, round)).await {
            Ok(true) => continue,
            Ok(false) => break,
            Err(e) => {
                tracing::error!(round, error = %e, "could not remove a staged round");
                break;
            }
        }
    }
}

/// Counts first, one import at a time, taken round-robin by community
/// (waiting for it: the request has long been answered), never on the
/// upload slots; gives up after [`COUNT_LIMIT`].
async fn count(admission: &Admission, pb: &PbFile) -> Result<store::Counted, Error> {
    let permit = admission
        .turn()
        .await
        .ok_or_else(|| Error::Internal("the import queue let go of an import".into()))?;
    let inst = pb.instance.clone();
    let deadline = std::time::Instant::now() + COUNT_LIMIT;
    let minutes = COUNT_LIMIT.as_secs() / 60;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        store::count_within(inst, Some(deadline))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
    .ok_or_else(|| {
        Error::Invalid(Msg::new(
            format!(
                "均等份额法（MES）计票超过 {minutes} 分钟，导入已停止，什么也没有保存。可以在本机用 teahouse pb-tally 计票。"
            ),
            format!(
                "counting with the Method of Equal Shares took over {minutes} minutes, so the import stopped and saved nothing; count it locally with teahouse pb-tally"
            ),
        ))
    })
}

/// Writes the staged round's ballots in chunks: a few milliseconds of the
/// writer each (2,000 ballots by default), the job's progress with each.
async fn write_ballots(
    st: &AppState,
    job: i64,
    round: i64,
    pb: Arc<PbFile>,
    ids: Arc<Vec<i64>>,
) -> Result<usize, Error> {
    let n = pb.voter_ids.len().min(pb.instance.ballots.len());
    let chunk = st.cfg.import_chunk.max(1);
    let mut at = 0;
    while at < n {
        let end = (at + chunk).min(n);
        let (pb, ids) = (pb.clone(), ids.clone());
        st.db
            .write(move |tx| {
                store::stage_ballots(
                    tx,
                    round,
                    &ids,
                    &pb.voter_ids[at..end],
                    &pb.instance.ballots[at..end],
                )?;
                jobs::progress(tx, job, end as i64)
            })
            .await?;
        at = end;
    }
    Ok(n)
}

#[allow(clippy::too_many_arguments)]
async fn write_all(
    st: &AppState,
    job: i64,
    cid: i64,
    pb: PbFile,
    rule: Rule,
    by: i64,
    actor: Actor,
    admission: &Admission,
) -> Result<(), Error> {
    let counted = count(admission, &pb).await?;
    let pb = Arc::new(pb);
    let (round, ids) = {
        let pb = pb.clone();
        st.db
            .write(move |tx| {
                let (round, ids) = store::stage_import(tx, cid, &pb, rule, by)?;
                jobs::writing(tx, job, round)?;
                Ok((round, ids))
            })
            .await?
    };
    let n = write_ballots(st, job, round, pb, Arc::new(ids)).await?;
    // Read back and check on a reader, off the writer; then one short
    // transaction shows the round with its result.
    let verified = st
        .db
        .read(move |c| store::verify_staged(c, cid, round, counted))
        .await?;
    st.db
        .write(move |tx| {
            let e = store::finish_import(tx, cid, round, verified)?;
            jobs::done(tx, job)?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "round.import",
                &crate::domain::Subject::Round(round).to_string(),
                &format!("{n} voters · ledger #{}", e.seq),
            )
        })
        .await
}

pub async fn show(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let j = st.db.read(move |c| jobs::get(c, cid, id)).await?;
    let v = view::ImportView {
        id: j.id,
        file_name: j.file_name.clone(),
        state: j.state.as_str().into(),
        voters: j.voters,
        written: j.written,
        round_id: j.round_id.filter(|_| j.state == JobState::Done),
        message: j.message.clone(),
        started: fmt_time(j.created_at, &com.community.tz),
    };
    Ok(view::import_page(
        &com.ctx.chrome(Some(&com.community)),
        &com.community.slug,
        &v,
    )
    .into_response())
}

/// At start-up: imports a previous run left unfinished are failed and their
/// staged rounds removed (nothing of them was ever visible).
pub async fn recover(st: &AppState) -> Result<(), Error> {
    let rounds = st.db.write(jobs::fail_unfinished).await?;
    for r in rounds {
        remove_staged(st, r).await;
    }
    Ok(())
}
