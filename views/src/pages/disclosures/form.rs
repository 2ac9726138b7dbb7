//! The committee's form for a new disclosure or its working revision.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, page};
use maud::{Markup, html};

pub struct FormValues {
    pub category: String,
    pub period: String,
    pub title: String,
    pub explanation: String,
    pub table: String,
}

/// (row, column, message) of a bad cell.
pub type CellError = (usize, String, Msg);

/// The committee's form: new or editing the working revision. Tables can be
/// pasted from Excel, typed as CSV, or imported from an XLSX/CSV file.
#[allow(clippy::too_many_arguments)]
pub fn form_page(
    c: &Chrome,
    slug: &str,
    action: &str,
    editing: Option<(i64, String)>,
    cats: &[(String, String)],
    templates: &[(String, String)],
    v: &FormValues,
    errors: &Errors,
    cells: &[CellError],
) -> Markup {
    let title = if editing.is_some() {
        c.t("修改公开内容", "Edit the disclosure")
    } else {
        c.t("新建公开", "New disclosure")
    };
    page(
        c,
        title,
        html! {
            p { a href={"/c/" (slug) "/disclosures"} { "← " (c.t("公开栏", "Disclosures")) } }
            h1 { (title) }
            @if let Some((_, t)) = &editing { p.lead { (t) } }
            (forms::summary(c, errors))
            @if !cells.is_empty() {
                div.error-summary role="alert" {
                    p { strong { (c.t("表格有以下问题，什么都没有保存：", "The table has these problems; nothing was saved:")) } }
                    div.table-wrap { table {
                        thead { tr { th scope="col" { (c.t("行", "Row")) } th scope="col" { (c.t("列", "Column")) } th scope="col" { (c.t("问题", "Problem")) } } }
                        tbody { @for (r, col, m) in cells { tr { td { (r) } td { (col) } td { (bi(c, m)) } } } }
                    } }
                }
            }
            form.stack method="post" action=(action) enctype="multipart/form-data" {
                (csrf(c))
                @if editing.is_none() {
                    (forms::select(c, "category", c.t("类别", "Category"), cats, &v.category, errors))
                    (forms::input(c, "period", c.t("期间", "Period"), &v.period, errors,
                        Opts { required: true, hint: Some(("月：2026-03；季度：2026-Q1；年：2026；随时公开的事项写日期：2026-03-15", "Month: 2026-03; quarter: 2026-Q1; year: 2026; a prompt matter: its date, 2026-03-15")), ..Default::default() }))
                }
                (forms::input(c, "title", c.t("标题", "Title"), &v.title, errors, Opts { required: true, ..Default::default() }))
                (forms::textarea(c, "explanation", c.t("说明", "Explanation"), &v.explanation, errors, 4))
                details open[editing.is_none()] {
                    summary { (c.t("各类表格的列", "Each category's columns")) }
                    ul { @for (k, cols) in templates { li { strong { (k) } "：" (cols) } } }
                    p.hint { (c.t("第一行是表头（中文或英文列名均可）。财务表每行的余额须等于上一行余额加收入减支出。补助名单中的姓名会自动隐去中间的字；身份证号、手机号不能出现在公开表格中。",
                        "The first row is the header (Chinese or English column names). In a finance table each balance must equal the previous balance plus income minus spending. Names on welfare lists are masked automatically; ID and phone numbers cannot appear in a public table.")) }
                }
                (forms::textarea(c, "table", c.t("表格：从 Excel 复制粘贴，或按行输入（逗号分隔）", "Table: paste from Excel, or type one row per line (comma-separated)"), &v.table, errors, 10))
                div.field {
                    label for="f-sheet" { (c.t("或导入 Excel / CSV 文件（导入的表格取代上面的内容）", "Or import an Excel / CSV file (it replaces the table above)")) }
                    input #f-sheet type="file" name="sheet" accept=".xlsx,.xls,.csv,text/csv";
                }
                button.primary type="submit" { (c.t("保存草稿", "Save the draft")) }
            }
        },
    )
}
