//! The roll as a workbook or a CSV file, in the import's own columns.

use crate::error::Error;
use crate::sheet;
use crate::store::audit;
use crate::store::roll::{self};
use crate::web::AppState;
use crate::web::ctx::Committee;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

async fn export_table(st: &AppState, com: &Committee, format: &str) -> Result<sheet::Table, Error> {
    let id = com.community.id;
    let actor = com.ctx.actor();
    let table = st.db.read(move |c| roll::export_table(c, id)).await?;
    let rows = table.len().saturating_sub(1);
    let format = format.to_string();
    // Personal data leaving the system is itself worth recording.
    st.db
        .write(move |tx| {
            audit::record(
                tx,
                &actor,
                Some(id),
                "roll.export",
                &format,
                &format!("{rows} rows"),
            )
        })
        .await?;
    Ok(table)
}

fn attachment(name: &str) -> String {
    format!("attachment; filename=\"roll.{name}\"")
}

pub async fn export_xlsx(State(st): State<AppState>, com: Committee) -> Result<Response, Error> {
    let table = export_table(&st, &com, "xlsx").await?;
    let bytes = tokio::task::spawn_blocking(move || sheet::write_xlsx("名册", &table))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(Error::Invalid)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, attachment("xlsx")),
        ],
        bytes,
    )
        .into_response())
}

pub async fn export_csv(State(st): State<AppState>, com: Committee) -> Result<Response, Error> {
    let table = export_table(&st, &com, "csv").await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, attachment("csv")),
        ],
        sheet::write_csv(&table),
    )
        .into_response())
}
