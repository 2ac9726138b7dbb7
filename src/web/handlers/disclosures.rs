//! Disclosure board handlers: the public board and pages, the committee's
//! drafting, the supervision committee's review, residents' questions,
//! corrections, downloads and open data.

use super::files;
use super::{fmt_time, invalid, see_other, today};
use crate::domain::Msg;
use crate::domain::disclosure::{self as rules, Cadence, Category, Change, Period};
use crate::domain::mask::mask_name;
use crate::error::Error;
use crate::sheet;
use crate::store::disclosures::{self as store, Disclosure, Filter, NewDisclosure, Status};
use crate::store::{attachments, audit, ledger, now};
use crate::web::AppState;
use crate::web::ctx::{Committee, Ctx, Member, Supervisor, Visitor};
use crate::web::error::bi;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use teahouse_views::Bi;
use teahouse_views::forms::Errors;
use teahouse_views::pages::disclosures as view;

fn cat_bi(c: Category) -> Bi {
    let (z, e) = c.names();
    Bi::new(z, e)
}

fn period_bi(p: Period) -> Bi {
    let (z, e) = p.words();
    Bi::new(z, e)
}

/// Each category's cadence, last period and overdue periods.
pub fn category_lines(
    cadences: &[(Category, Cadence)],
    published: &HashMap<Category, Vec<Period>>,
    today: jiff::civil::Date,
) -> Vec<view::CategoryLine> {
    cadences
        .iter()
        .map(|(cat, cad)| {
            let done = published.get(cat).cloned().unwrap_or_default();
            let (cz, ce) = cad.words();
            view::CategoryLine {
                key: cat.as_str().into(),
                name: cat_bi(*cat),
                cadence: Bi::new(cz, ce),
                cadence_key: cad.as_str().into(),
                last: done.iter().max().map(|p| period_bi(*p)),
                overdue: rules::missing(*cad, &done, today)
                    .into_iter()
                    .map(period_bi)
                    .collect(),
            }
        })
        .collect()
}

pub fn lines(ls: Vec<store::Line>) -> Vec<view::Line> {
    ls.into_iter()
        .map(|l| view::Line {
            id: l.id,
            category: cat_bi(l.category),
            period: period_bi(l.period),
            title: l.title,
            status: l.status.as_str().into(),
            rev: l.rev,
            open_threads: l.open_threads,
        })
        .collect()
}

fn is_staff(ctx: &Ctx, cid: i64) -> (bool, bool) {
    use crate::store::accounts::Role;
    let a = ctx.0.account.as_ref();
    (
        a.is_some_and(|a| a.has_role(cid, Role::Committee)),
        a.is_some_and(|a| a.has_role(cid, Role::Supervisor)),
    )
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    q: String,
}

pub async fn board(
    State(st): State<AppState>,
    v: Visitor,
    Query(q): Query<BoardQuery>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (committee, supervisor) = is_staff(&v.ctx, cid);
    let filter = Filter {
        category: Category::parse(&q.category),
        year: q.year.parse().ok(),
        q: q.q.chars().take(50).collect(),
        staff: committee || supervisor,
    };
    let (cadences, published, list) = st
        .db
        .read(move |c| {
            Ok((
                store::cadences(c, cid)?,
                store::published_periods(c, cid)?,
                store::list(c, cid, &filter)?,
            ))
        })
        .await?;
    let now_year = today(&v.community.tz).year();
    let years: Vec<i16> = (now_year - 5..=now_year).rev().collect();
    let cats = category_lines(&cadences, &published, today(&v.community.tz));
    let chrome = v.ctx.chrome(Some(&v.community));
    let title = if v.community.kind == crate::store::communities::Kind::Village {
        chrome.t("村务公开", "Village affairs disclosure")
    } else {
        chrome.t("居务公开", "Residential affairs disclosure")
    }
    .to_string();
    let cadence_choices: Vec<(String, String)> = Cadence::ALL
        .iter()
        .map(|c| {
            let (z, e) = c.words();
            (c.as_str().to_string(), chrome.t(z, e).to_string())
        })
        .collect();
    Ok(view::board_page(
        &chrome,
        &v.community.slug,
        &title,
        &cats,
        &cadence_choices,
        &lines(list),
        &view::Filter {
            category: q.category,
            year: q.year,
            q: q.q,
        },
        &years,
    )
    .into_response())
}

pub async fn set_cadence(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, Error> {
    let mut set = Vec::new();
    for cat in Category::ALL {
        if let Some(v) = f.get(cat.as_str()) {
            let cad = Cadence::parse(v).ok_or_else(|| {
                Error::Invalid(Msg::new(
                    format!("不认识的周期“{v}”"),
                    format!("unknown schedule \"{v}\""),
                ))
            })?;
            set.push((cat, cad));
        }
    }
    let cid = com.community.id;
    let actor = com.ctx.actor();
    st.db
        .write(move |tx| {
            for (cat, cad) in &set {
                store::set_cadence(tx, cid, *cat, *cad)?;
            }
            let detail = set
                .iter()
                .map(|(a, b)| format!("{}={}", a.as_str(), b.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            audit::record(
                tx,
                &actor,
                Some(cid),
                "disclosure.cadence",
                "disclosures",
                &detail,
            )
        })
        .await?;
    Ok(see_other(&format!("/c/{}/disclosures", com.community.slug)))
}

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
            Bi::new(
                "请填写标题（最多 100 字）",
                "the title is required (100 characters at most)",
            ),
        );
    }
    let explanation = p.field("explanation").trim().to_string();
    if explanation.chars().count() > 5000 {
        errors.add(
            "explanation",
            Bi::new(
                "说明最多 5000 字",
                "the explanation may have 5000 characters at most",
            ),
        );
    }
    let mut rows = Vec::new();
    match (cat, table) {
        (_, Err(m)) => errors.add("table", bi(&m)),
        (Some(cat), Ok(t)) => match rules::check_table(cat, &t) {
            Ok(c) => rows = c.rows,
            Err(es) => {
                let shown = es.len().min(MAX_CELL_ERRORS);
                errors.add(
                    "table",
                    if shown < es.len() {
                        Bi::new(
                            format!("表格有 {} 处问题，上方列出前 {shown} 处", es.len()),
                            format!(
                                "the table has {} problems; the first {shown} are listed above",
                                es.len()
                            ),
                        )
                    } else {
                        Bi::new(
                            format!("表格有 {} 处问题，见上方列表", es.len()),
                            format!("the table has {} problems, listed above", es.len()),
                        )
                    },
                );
                cells.extend(
                    es.into_iter()
                        .take(MAX_CELL_ERRORS)
                        .map(|e| (e.row, e.column, bi(&e.msg))),
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
        errors.add("category", Bi::new("请选择类别", "choose a category"));
    }
    let period = Period::parse(&p.field("period"))
        .map_err(|m| errors.add("period", bi(&m)))
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
                &format!("disclosure:{id}"),
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
            e.add("period", bi(&m));
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

/// Loads the disclosure, runs one step and its audit row in one transaction,
/// and sends the reader back to the page.
async fn step<F>(
    st: &AppState,
    ctx: &Ctx,
    community: &crate::store::communities::Community,
    id: i64,
    action: &'static str,
    done: &str,
    f: F,
) -> Result<Response, Error>
where
    F: FnOnce(&rusqlite::Transaction, &Disclosure) -> Result<String, Error> + Send + 'static,
{
    super::record_step(
        st,
        ctx,
        community,
        "disclosures",
        "disclosure",
        id,
        action,
        done,
        store::get,
        f,
    )
    .await
}

fn entry_detail(e: &crate::domain::ledger::Entry) -> String {
    format!("ledger #{} {}", e.seq, e.hash)
}

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

fn done_words(done: Option<&str>) -> Option<Bi> {
    Some(match done? {
        "created" => Bi::new("草稿已保存。", "The draft was saved."),
        "edited" => Bi::new("已保存。", "Saved."),
        "submitted" => Bi::new(
            "已提交监督委员会审核。",
            "Submitted to the supervision committee.",
        ),
        "signed" => Bi::new(
            "您的签署已记录并记入公开记录。",
            "Your sign-off is recorded and in the ledger.",
        ),
        "queried" => Bi::new(
            "质询已提交，等待答复。",
            "The query was raised; it awaits an answer.",
        ),
        "answered" => Bi::new("答复已公开。", "The answer is public."),
        "published" => Bi::new(
            "已公开并记入公开记录。",
            "Published and recorded in the ledger.",
        ),
        "correcting" => Bi::new(
            "已开始更正：修改表格后提交审核；原来的版本仍然公开。",
            "A correction has started: edit the table and submit it; the published revision stays up meanwhile.",
        ),
        "asked" => Bi::new(
            "您的问题已提交，居委会/村委会将公开答复。",
            "Your question was sent; the committee will answer it in public.",
        ),
        "attached" => Bi::new("附件已上传。", "The attachment was uploaded."),
        "detached" => Bi::new("附件已删除。", "The attachment was removed."),
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
    diff: Option<i64>,
}

fn change_words(cat: Category, ch: &Change) -> Bi {
    let tpl = cat.template();
    match ch {
        Change::Cell(r, k, a, b) => {
            let col = tpl.get(*k).map(|c| (c.zh, c.en)).unwrap_or(("", ""));
            Bi::new(
                format!(
                    "第 {r} 行“{}”：{} → {}",
                    col.0,
                    if a.is_empty() { "（空）" } else { a },
                    if b.is_empty() { "（空）" } else { b }
                ),
                format!(
                    "row {r}, {}: {} → {}",
                    col.1,
                    if a.is_empty() { "(empty)" } else { a },
                    if b.is_empty() { "(empty)" } else { b }
                ),
            )
        }
        Change::Added(r, cells) => Bi::new(
            format!("新增第 {r} 行：{}", cells.join(" | ")),
            format!("row {r} added: {}", cells.join(" | ")),
        ),
        Change::Removed(r, cells) => Bi::new(
            format!("删除第 {r} 行：{}", cells.join(" | ")),
            format!("row {r} removed: {}", cells.join(" | ")),
        ),
    }
}

pub async fn show(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Error> {
    let cid = v.community.id;
    let (committee, supervisor) = is_staff(&v.ctx, cid);
    let staff = committee || supervisor;
    let member = v.ctx.0.account.as_ref().is_some_and(|a| a.is_member(cid));
    let (d, revs, signoffs, threads, entries) = st
        .db
        .read(move |c| {
            Ok((
                store::get(c, cid, id)?,
                store::revisions(c, id)?,
                store::signoffs(c, id)?,
                store::threads(c, id)?,
                ledger::entries_for(c, cid, &format!("disclosure:{id}"))?,
            ))
        })
        .await?;
    // The public sees the published revision; staff see the one being worked on.
    let working = revs.iter().find(|r| r.published_at.is_none());
    let published = d
        .published_rev
        .and_then(|p| revs.iter().find(|r| r.rev == p));
    let shown = match (staff, working, published) {
        (true, Some(w), _) => w,
        (_, _, Some(p)) => p,
        _ => return Err(Error::NotFound),
    };
    let is_working = shown.published_at.is_none();
    let rev = shown.rev;
    let owner = store::files_owner(id, rev);
    let files = st
        .db
        .read(move |c| attachments::list(c, cid, &owner))
        .await?;
    let tz = &v.community.tz;
    let hash = store::content_hash(&d, shown);
    let files_digest = store::files_digest_of(&files);
    let diff = q.diff.and_then(|to| {
        let new = revs.iter().find(|r| r.rev == to)?;
        let old = revs.iter().rev().find(|r| r.rev < to)?;
        if !staff && (new.published_at.is_none() || old.published_at.is_none()) {
            return None;
        }
        let mut changes: Vec<Bi> = Vec::new();
        if old.title != new.title {
            changes.push(Bi::new(
                format!("标题：{} → {}", old.title, new.title),
                format!("title: {} → {}", old.title, new.title),
            ));
        }
        if old.explanation != new.explanation {
            changes.push(Bi::new("说明有改动", "the explanation changed"));
        }
        changes.extend(
            rules::diff(&old.rows, &new.rows)
                .iter()
                .map(|ch| change_words(d.category, ch)),
        );
        Some((old.rev, new.rev, changes))
    });
    let has_open_query = threads
        .iter()
        .any(|t| t.kind == "query" && t.rev == rev && t.answer.is_none());
    let valid_signed = signoffs
        .iter()
        .any(|s| s.rev == rev && s.content_hash == hash);
    let my_signed = supervisor
        && v.ctx.0.account.as_ref().is_some_and(|a| {
            signoffs
                .iter()
                .any(|s| s.rev == rev && s.content_hash == hash && s.name == a.display_name)
        });
    let c = v.ctx.chrome(Some(&v.community));
    let sv = view::ShowView {
        id,
        category: cat_bi(d.category),
        period: period_bi(d.period),
        status: d.status.as_str().into(),
        title: shown.title.clone(),
        explanation: shown.explanation.clone(),
        columns: d
            .category
            .template()
            .iter()
            .map(|c| Bi::new(c.zh, c.en))
            .collect(),
        rows: shown.rows.clone(),
        totals: rules::totals(d.category, &shown.rows),
        rev,
        content_hash: hash.clone(),
        files_digest,
        working: is_working,
        reason: shown.reason.clone(),
        signoffs: signoffs
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    fmt_time(s.signed_at, tz),
                    s.rev,
                    s.content_hash == hash,
                )
            })
            .collect(),
        threads: threads
            .iter()
            .filter(|t| {
                staff || t.kind == "question" || d.published_rev.is_some_and(|p| t.rev <= p)
            })
            .map(|t| view::ThreadLine {
                id: t.id,
                kind: t.kind.clone(),
                rev: t.rev,
                row: t.row,
                text: t.text.clone(),
                author: t.author.clone(),
                at: fmt_time(t.asked_at, tz),
                answer: t.answer.clone().map(|a| {
                    (
                        a,
                        t.answered_at.map(|x| fmt_time(x, tz)).unwrap_or_default(),
                    )
                }),
            })
            .collect(),
        revisions: revs
            .iter()
            .filter(|r| staff || r.published_at.is_some())
            .map(|r| view::RevisionLine {
                rev: r.rev,
                title: r.title.clone(),
                reason: r.reason.clone(),
                published: r.published_at.map(|t| fmt_time(t, tz)),
            })
            .collect(),
        diff,
        ledger: entries
            .iter()
            .map(|e| (e.seq, e.kind.clone(), e.hash.clone()))
            .collect(),
        files: files
            .into_iter()
            .map(|f| teahouse_views::files::FileLine {
                id: f.id,
                name: f.name,
                mime: f.mime,
                size: f.size,
                sha256: f.sha256,
            })
            .collect(),
        can_edit: committee && is_working && matches!(d.status, Status::Draft | Status::Queried),
        can_submit: committee
            && is_working
            && matches!(d.status, Status::Draft | Status::Queried)
            && !has_open_query,
        can_sign: supervisor
            && d.status == Status::Review
            && is_working
            && !my_signed
            && !has_open_query,
        can_query: supervisor && matches!(d.status, Status::Review | Status::Published),
        can_publish: committee && d.status == Status::Review && valid_signed && !has_open_query,
        can_correct: committee && d.status == Status::Published && working.is_none(),
        can_ask: member && d.published_rev.is_some(),
        can_answer: committee,
        notice: done_words(q.done.as_deref()),
        error: (committee && d.status == Status::Review && !valid_signed).then(|| {
            Bi::new(
                "等待监督委员会签署后才能公开。",
                "Waiting for the supervision committee to sign before publishing.",
            )
        }),
    };
    Ok(view::show_page(&c, &v.community.slug, &sv).into_response())
}

/// The published revision (or, for staff asking for it, a given one).
async fn published(
    st: &AppState,
    v: &Visitor,
    id: i64,
) -> Result<(Disclosure, store::Revision, Vec<store::Signoff>), Error> {
    let cid = v.community.id;
    st.db
        .read(move |c| {
            let d = store::get(c, cid, id)?;
            let rev = d.published_rev.ok_or(Error::NotFound)?;
            Ok((d, store::revision(c, id, rev)?, store::signoffs(c, id)?))
        })
        .await
}

fn table_with_header(d: &Disclosure, r: &store::Revision) -> Vec<Vec<String>> {
    let header: Vec<String> = d
        .category
        .template()
        .iter()
        .map(|c| format!("{} {}", c.zh, c.en))
        .collect();
    std::iter::once(header)
        .chain(r.rows.iter().cloned())
        .collect()
}

fn download_name(d: &Disclosure, ext: &str) -> String {
    format!(
        "disclosure-{}-{}-{}.{ext}",
        d.id,
        d.category.as_str(),
        d.period.key()
    )
}

pub async fn table_csv(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let (d, r, _) = published(&st, &v, id).await?;
    let bytes = sheet::write_csv(&table_with_header(&d, &r));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download_name(&d, "csv")),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn table_xlsx(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let (d, r, _) = published(&st, &v, id).await?;
    let table = table_with_header(&d, &r);
    let bytes = tokio::task::spawn_blocking(move || sheet::write_xlsx("公开", &table))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(Error::Invalid)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download_name(&d, "xlsx")),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn notice(
    State(st): State<AppState>,
    v: Visitor,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, Error> {
    let (d, r, signoffs) = published(&st, &v, id).await?;
    let cid = v.community.id;
    let (entries, head) = st
        .db
        .read(move |c| {
            Ok((
                ledger::entries_for(c, cid, &format!("disclosure:{id}"))?,
                ledger::head(c, cid)?,
            ))
        })
        .await?;
    let tz = &v.community.tz;
    let hash = store::content_hash(&d, &r);
    let (cz, ce) = d.category.names();
    let (pz, pe) = d.period.words();
    let nv = view::NoticeView {
        community: v.community.name.clone(),
        title: r.title.clone(),
        category: Bi::new(cz, ce),
        period: Bi::new(pz, pe),
        rev: r.rev,
        reason: r.reason.clone(),
        explanation: r.explanation.clone(),
        columns: d
            .category
            .template()
            .iter()
            .map(|c| Bi::new(c.zh, c.en))
            .collect(),
        rows: r.rows.clone(),
        totals: rules::totals(d.category, &r.rows),
        signed: signoffs
            .iter()
            .filter(|s| s.rev == r.rev && s.content_hash == hash)
            .map(|s| (s.name.clone(), fmt_time(s.signed_at, tz)))
            .collect(),
        published: r.published_at.map(|t| fmt_time(t, tz)).unwrap_or_default(),
        url: format!("{}/c/{}/disclosures/{id}", v.ctx.0.origin, v.community.slug),
        entry: entries
            .iter()
            .rev()
            .find(|e| {
                // Entries with row documents name the revision they anchor;
                // earlier ones named it in their payload.
                crate::store::anchor::anchors(
                    e,
                    "disclosure_revisions",
                    &serde_json::json!([id, r.rev]),
                ) || (!crate::store::anchor::is_current(e)
                    && matches!(
                        e.kind.as_str(),
                        "disclosure.published" | "disclosure.corrected"
                    )
                    && e.payload["rev"] == r.rev)
            })
            .map(|e| (e.seq, e.hash.clone())),
        head,
        printed: fmt_time(now(), tz),
    };
    Ok(view::notice_page(&v.ctx.chrome(Some(&v.community)), &nv).into_response())
}

/// Open data: every published disclosure with its table.
pub async fn api(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let cid = v.community.id;
    let slug = v.community.slug.clone();
    let out = st
        .db
        .read(move |c| {
            let list = store::list(
                c,
                cid,
                &Filter {
                    category: None,
                    year: None,
                    q: String::new(),
                    staff: false,
                },
            )?;
            let mut items = Vec::with_capacity(list.len());
            for l in list {
                let d = store::get(c, cid, l.id)?;
                let r = store::revision(c, l.id, l.rev)?;
                items.push(store::to_json(&d, &r, &store::signoffs(c, l.id)?));
            }
            Ok(items)
        })
        .await?;
    Ok(axum::Json(serde_json::json!({
        "format": "teahouse.disclosures/1",
        "community": slug,
        "disclosures": out,
    }))
    .into_response())
}
