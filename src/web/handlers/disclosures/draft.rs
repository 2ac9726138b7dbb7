//! The committee's drafting: the new and edit forms, the table as pasted
//! or imported, and the checks a draft passes before it is saved.

use super::step;
use crate::domain::Msg;
use crate::domain::disclosure::{self as rules, Category, Period};
use crate::error::Error;
use crate::sheet;
use crate::store::audit;
use crate::store::disclosures::{self as store, Disclosure, NewDisclosure, Status};
use crate::web::AppState;
use crate::web::ctx::Committee;
use crate::web::handlers::files;
use crate::web::handlers::{invalid, see_other, today};
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use teahouse_views::forms::Errors;
use teahouse_views::pages::disclosures as view;

fn category_choices(c: &teahouse_views::Chrome) -> Vec<(String, String)> {
    Category::ALL
        .iter()
        .map(|k| {
            let (z, e) = k.names();
            (k.as_str().to_string(), c.t(z, e).to_string())
        })
        .collect()
}

fn templates(c: &teahouse_views::Chrome) -> Vec<(String, String)> {
    Category::ALL
        .iter()
        .map(|k| {
            let (z, e) = k.names();
            let cols: Vec<&str> = k
                .template()
                .iter()
                .map(|col| {
                    if c.t("zh", "en") == "zh" {
                        col.zh
                    } else {
                        col.en
                    }
                })
                .collect();
            (c.t(z, e).to_string(), cols.join(c.t("、", ", ")))
        })
        .collect()
}

/// The table of a form: an imported file replaces the pasted text. A file
/// is read as a heavy job (off the async workers, a few at a time).
async fn table_of(
    st: &AppState,
    p: &files::Posted,
) -> Result<Result<Vec<Vec<String>>, Msg>, Error> {
    match p.file("sheet").filter(|f| !f.bytes.is_empty()) {
        Some(f) => {
            let (name, bytes) = (f.name.clone(), f.bytes.clone());
            let read = crate::web::heavy(st, move || sheet::read(&bytes)).await?;
            Ok(read.map(|r| r.table).map_err(|m| {
                Msg::new(
                    format!("文件“{name}”：{}", m.zh),
                    format!("file \"{name}\": {}", m.en),
                )
            }))
        }
        None => {
            let text = p.field("table");
            if text.len() > MAX_PASTED {
                return Ok(Err(Msg::new(
                    format!(
                        "粘贴的表格太大（最多 {} KB）。请分成几次公开，或上传 xlsx 文件。",
                        MAX_PASTED / 1024
                    ),
                    format!(
                        "the pasted table is too large ({} KB at most); split it, or upload an xlsx file",
                        MAX_PASTED / 1024
                    ),
                )));
            }
            let table = crate::web::heavy(st, move || rules::parse_pasted(&text)).await?;
            let cells: usize = table.iter().map(Vec::len).sum();
            let widest = table.iter().map(Vec::len).max().unwrap_or(0);
            if widest > sheet::limits::MAX_COLS as usize {
                return Ok(Err(sheet::limits::too_far(0, sheet::limits::MAX_COLS)));
            }
            if cells > MAX_PASTED_CELLS {
                return Ok(Err(Msg::new(
                    format!("粘贴的表格单元格太多（最多 {MAX_PASTED_CELLS} 个）。"),
                    format!("the pasted table has too many cells ({MAX_PASTED_CELLS} at most)"),
                )));
            }
            Ok(Ok(table))
        }
    }
}

/// A pasted table: a month's finances are a few hundred rows.
const MAX_PASTED: usize = 2 * 1024 * 1024;
const MAX_PASTED_CELLS: usize = 100_000;
/// Problems listed per table: the first ones are enough to fix the file.
const MAX_CELL_ERRORS: usize = 100;

struct Checked {
    title: String,
    explanation: String,
    rows: Vec<Vec<String>>,
}

/// Validates a form; on failure, the errors to show (fields and cells).
fn check(
    cat: Option<Category>,
    p: &files::Posted,
    table: Result<Vec<Vec<String>>, Msg>,
    errors: &mut Errors,
    cells: &mut Vec<view::CellError>,
) -> Option<Checked> {
    let title = p.field("title").trim().to_string();
    if title.is_empty() || title.chars().count() > 100 {
        errors.add(
            "title",
            Msg::new(
                "请填写标题（最多 100 字）",
                "the title is required (100 characters at most)",
            ),
        );
    }
    let explanation = p.field("explanation").trim().to_string();
    if explanation.chars().count() > 5000 {
        errors.add(
            "explanation",
            Msg::new(
                "说明最多 5000 字",
                "the explanation may have 5000 characters at most",
            ),
        );
    }
    let mut rows = Vec::new();
    match (cat, table) {
        (_, Err(m)) => errors.add("table", m.clone()),
        (Some(cat), Ok(t)) => match rules::check_table(cat, &t) {
            Ok(c) => rows = c.rows,
            Err(es) => {
                let shown = es.len().min(MAX_CELL_ERRORS);
                errors.add(
                    "table",
                    if shown < es.len() {
                        Msg::new(
                            format!("表格有 {} 处问题，上方列出前 {shown} 处", es.len()),
                            format!(
                                "the table has {} problems; the first {shown} are listed above",
                                es.len()
                            ),
                        )
                    } else {
                        Msg::new(
                            format!("表格有 {} 处问题，见上方列表", es.len()),
                            format!("the table has {} problems, listed above", es.len()),
                        )
                    },
                );
                cells.extend(
                    es.into_iter()
                        .take(MAX_CELL_ERRORS)
                        .map(|e| (e.row, e.column, e.msg.clone())),
                );
            }
        },
        (None, Ok(_)) => {}
    }
    if errors.is_empty() {
        Some(Checked {
            title,
            explanation,
            rows,
        })
    } else {
        None
    }
}

pub async fn new_form(com: Committee) -> Result<Response, Error> {
    let c = com.ctx.chrome(Some(&com.community));
    let slug = &com.community.slug;
    let d = today(&com.community.tz);
    let last_month = d.checked_sub(jiff::Span::new().months(1)).unwrap_or(d);
    Ok(view::form_page(
        &c,
        slug,
        &format!("/c/{slug}/disclosures"),
        None,
        &category_choices(&c),
        &templates(&c),
        &view::FormValues {
            category: "finance".into(),
            period: format!("{}-{:02}", last_month.year(), last_month.month()),
            title: String::new(),
            explanation: String::new(),
            table: "日期\t摘要\t收入\t支出\t余额\t经手人\t凭证号\n".into(),
        },
        &Errors::none(),
        &[],
    )
    .into_response())
}

fn values(p: &files::Posted) -> view::FormValues {
    view::FormValues {
        category: p.field("category"),
        period: p.field("period"),
        title: p.field("title"),
        explanation: p.field("explanation"),
        table: p.field("table"),
    }
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    mp: Multipart,
) -> Result<Response, Error> {
    let p = files::read(mp).await?;
    let mut errors = Errors::none();
    let mut cells = Vec::new();
    let cat = Category::parse(&p.field("category"));
    if cat.is_none() {
        errors.add("category", Msg::new("请选择类别", "choose a category"));
    }
    let period = Period::parse(&p.field("period"))
        .map_err(|m| errors.add("period", m.clone()))
        .ok();
    let table = table_of(&st, &p).await?;
    let checked = check(cat, &p, table, &mut errors, &mut cells);
    let c = com.ctx.chrome(Some(&com.community));
    let slug = com.community.slug.clone();
    let render = |errors: &Errors, cells: &[view::CellError]| {
        invalid(view::form_page(
            &c,
            &slug,
            &format!("/c/{slug}/disclosures"),
            None,
            &category_choices(&c),
            &templates(&c),
            &values(&p),
            errors,
            cells,
        ))
    };
    let (Some(cat), Some(period), Some(ch)) = (cat, period, checked) else {
        return Ok(render(&errors, &cells));
    };
    let cid = com.community.id;
    let by = com.account.id;
    let actor = com.ctx.actor();
    let n = NewDisclosure {
        category: cat,
        period,
        title: ch.title,
        explanation: ch.explanation,
        rows: ch.rows,
    };
    let res = st
        .db
        .write(move |tx| {
            let id = store::create(tx, cid, &n, by)?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "disclosure.create",
                &crate::domain::Subject::Disclosure(id).to_string(),
                &format!("{} {} ({} rows)", cat.as_str(), period.key(), n.rows.len()),
            )?;
            Ok(id)
        })
        .await;
    match res {
        Ok(id) => Ok(see_other(&format!(
            "/c/{slug}/disclosures/{id}?done=created"
        ))),
        Err(Error::Invalid(m) | Error::Conflict(m)) => {
            let mut e = Errors::none();
            e.add("period", m.clone());
            Ok(render(&e, &[]))
        }
        Err(e) => Err(e),
    }
}

async fn load(st: &AppState, cid: i64, id: i64) -> Result<Disclosure, Error> {
    st.db.read(move |c| store::get(c, cid, id)).await
}

pub async fn edit_form(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let cid = com.community.id;
    let (d, w) = st
        .db
        .read(move |c| Ok((store::get(c, cid, id)?, store::working(c, id)?)))
        .await?;
    let Some(w) = w.filter(|_| matches!(d.status, Status::Draft | Status::Queried)) else {
        return Err(Error::Conflict(Msg::new(
            "只有草稿或被质询时可以修改",
            "only a draft or a queried disclosure can be edited",
        )));
    };
    let c = com.ctx.chrome(Some(&com.community));
    let slug = &com.community.slug;
    let header: Vec<String> = d
        .category
        .template()
        .iter()
        .map(|col| col.zh.to_string())
        .collect();
    let table = std::iter::once(header)
        .chain(w.rows.iter().cloned())
        .map(|r| r.join("\t"))
        .collect::<Vec<_>>()
        .join("\n");
    let (cz, ce) = d.category.names();
    let (pz, pe) = d.period.words();
    Ok(view::form_page(
        &c,
        slug,
        &format!("/c/{slug}/disclosures/{id}/edit"),
        Some((id, format!("{} · {}", c.t(cz, ce), c.t(&pz, &pe)))),
        &category_choices(&c),
        &templates(&c),
        &view::FormValues {
            category: d.category.as_str().into(),
            period: d.period.key(),
            title: w.title,
            explanation: w.explanation,
            table,
        },
        &Errors::none(),
        &[],
    )
    .into_response())
}

pub async fn edit(
    State(st): State<AppState>,
    com: Committee,
    Path((_, id)): Path<(String, i64)>,
    mp: Multipart,
) -> Result<Response, Error> {
    let p = files::read(mp).await?;
    let cid = com.community.id;
    // Read before the write only for the category, which a disclosure keeps
    // from its creation; the step below loads it again in its transaction.
    let d = load(&st, cid, id).await?;
    let mut errors = Errors::none();
    let mut cells = Vec::new();
    let slug = com.community.slug.clone();
    let table = table_of(&st, &p).await?;
    let Some(ch) = check(Some(d.category), &p, table, &mut errors, &mut cells) else {
        let c = com.ctx.chrome(Some(&com.community));
        let (cz, ce) = d.category.names();
        let (pz, pe) = d.period.words();
        return Ok(invalid(view::form_page(
            &c,
            &slug,
            &format!("/c/{slug}/disclosures/{id}/edit"),
            Some((id, format!("{} · {}", c.t(cz, ce), c.t(&pz, &pe)))),
            &category_choices(&c),
            &templates(&c),
            &values(&p),
            &errors,
            &cells,
        )));
    };
    step(
        &st,
        &com.ctx,
        &com.community,
        id,
        "disclosure.edit",
        "edited",
        move |tx, d| {
            let rev = store::edit(tx, d, &ch.title, &ch.explanation, &ch.rows)?;
            Ok(format!("rev {rev}, {} rows", ch.rows.len()))
        },
    )
    .await
}
