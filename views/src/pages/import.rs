//! Importing the roll: upload, row-by-row errors, preview, confirm.

use crate::chrome::{Chrome, Msg};
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

pub struct RowErr {
    pub row: usize,
    pub column: String,
    pub msg: Msg,
}

/// `rows` lists the first problems; `total` is how many there are.
pub fn upload(
    c: &Chrome,
    slug: &str,
    file_error: Option<&Msg>,
    rows: &[RowErr],
    total: usize,
    filename: &str,
) -> Markup {
    page(
        c,
        c.t("导入名册", "Import the roll"),
        html! {
            p { a href={"/c/" (slug) "/roll"} { "← " (c.t("名册", "Roll")) } }
            h1 { (c.t("导入名册", "Import the roll")) }
            @if let Some(m) = file_error { (flash(c, "error", m)) }
            @if !rows.is_empty() {
                div.error-summary role="alert" tabindex="-1" {
                    p { strong { (bi(c, &Msg::new(
                        format!("文件有问题，什么都没有导入。{filename}：{total} 处需要更正。"),
                        format!("The file has problems; nothing was imported. {filename}: {total} to correct.")))) } }
                    @if total > rows.len() {
                        p { (c.t(&format!("下面列出前 {} 处。", rows.len()), &format!("The first {} are listed below.", rows.len()))) }
                    }
                }
                div.table-wrap {
                    table.errors {
                        caption { (c.t("需要更正的地方", "What to correct")) }
                        thead { tr {
                            th scope="col" { (c.t("行", "Row")) }
                            th scope="col" { (c.t("列", "Column")) }
                            th scope="col" { (c.t("问题", "Problem")) }
                        } }
                        tbody {
                            @for e in rows {
                                tr { td { (e.row) } td { (e.column) } td { (bi(c, &e.msg)) } }
                            }
                        }
                    }
                }
            }
            form.stack method="post" action={"/c/" (slug) "/roll/import"} enctype="multipart/form-data" {
                (csrf(c))
                div.field {
                    label for="f-file" { (c.t("选择文件（xlsx、xls 或 csv，最大 20 MB）", "Choose a file (xlsx, xls or csv, at most 20 MB)")) }
                    input #f-file type="file" name="file" required accept=".xlsx,.xls,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv";
                }
                button.primary type="submit" { (c.t("检查文件", "Check the file")) }
            }
            h2 { (c.t("文件格式", "File layout")) }
            p { (c.t("第一行是表头，每行一位居民。列的顺序不限；可以先导出一份名册作为模板。",
                     "The first row holds the headers, then one resident per row, columns in any order. Export the roll to get a template.")) }
            div.table-wrap {
                table {
                    thead { tr { th scope="col" { (c.t("列", "Column")) } th scope="col" { (c.t("说明", "Meaning")) } } }
                    tbody {
                        tr { td { "编号" } td { (c.t("必填，每位居民唯一，再次导入时据此更新", "Required, unique per resident; re-imports update by it")) } }
                        tr { td { "姓名" } td { (c.t("必填", "Required")) } }
                        tr { td { "网格/村民小组" } td { (c.t("必填", "Required")) } }
                        tr { td { "楼栋、单元、房号、楼层、专有面积" } td { (c.t("小区必填；面积单位平方米，最多两位小数", "For compounds; area in m², at most two decimals")) } }
                        tr { td { "户号" } td { (c.t("没有房号时必填；有房号时默认为房号", "Required without a dwelling; defaults to the dwelling")) } }
                        tr { td { "产权人编号" } td { (c.t("同一产权人（共有人，或拥有多套房的业主）填同一编号；默认每套房一个", "Same key for one owning party (co-owners, or one owner of several dwellings); defaults to one per dwelling")) } }
                        tr { td { "业主、成年、村民代表" } td { (c.t("填“是”或“否”", "yes or no (是/否)")) } }
                        tr { td { "电话" } td { (c.t("可空", "Optional")) } }
                    }
                }
            }
            p.hint { (c.t("没有居民的空置房屋：编号、姓名留空，填写房屋各列。CSV 可以是 UTF-8 或 GBK 编码。",
                          "A vacant dwelling: leave id and name blank and fill in the dwelling columns. CSV may be UTF-8 or GBK.")) }
        },
    )
}

/// One changed resident: id, name, and (field, old, new) for each change.
pub type ChangeLine = (String, String, Vec<(String, String, String)>);

pub struct Preview {
    pub import_id: i64,
    pub filename: String,
    pub encoding_note: Option<Msg>,
    pub notes: Vec<Msg>,
    pub rows: usize,
    pub zones_new: usize,
    pub dwellings_new: usize,
    pub dwellings_changed: usize,
    pub households_new: usize,
    pub residents_new: usize,
    pub residents_changed: usize,
    pub residents_unchanged: usize,
    pub missing: Vec<(String, String)>,
    /// key, name, [(field, old, new)]
    pub changes: Vec<ChangeLine>,
    pub changes_anything: bool,
}

fn summary_list(c: &Chrome, p: &Preview) -> Markup {
    html! {
        ul.stats {
            li { strong { (p.residents_new) } " " (c.t("位新居民", "new residents")) }
            li { strong { (p.residents_changed) } " " (c.t("位居民信息有变化", "residents changed")) }
            li { strong { (p.residents_unchanged) } " " (c.t("位没有变化", "unchanged")) }
            li { strong { (p.households_new) } " " (c.t("个新户", "new households")) }
            li { strong { (p.dwellings_new) } " " (c.t("套新房屋", "new dwellings")) }
            li { strong { (p.dwellings_changed) } " " (c.t("套房屋信息有变化", "dwellings changed")) }
            li { strong { (p.zones_new) } " " (c.t("个新网格/小组", "new zones")) }
        }
    }
}

pub fn preview(c: &Chrome, slug: &str, p: &Preview) -> Markup {
    page(
        c,
        c.t("导入预览", "Import preview"),
        html! {
            p { a href={"/c/" (slug) "/roll/import"} { "← " (c.t("重新选择文件", "Choose another file")) } }
            h1 { (c.t("导入预览", "Import preview")) }
            p.lead { (p.filename) "：" (p.rows) " " (c.t("行，全部通过检查。确认后才会写入。", "rows, all valid. Nothing is written until you confirm.")) }
            @if let Some(n) = &p.encoding_note { (flash(c, "info", n)) }
            @for n in &p.notes { (flash(c, "info", n)) }
            (summary_list(c, p))
            @if !p.changes.is_empty() {
                h2 { (c.t("有变化的居民", "Residents that change")) }
                div.table-wrap {
                    table {
                        thead { tr {
                            th scope="col" { (c.t("编号", "Id")) } th scope="col" { (c.t("姓名", "Name")) }
                            th scope="col" { (c.t("项目", "Field")) } th scope="col" { (c.t("原来", "Was")) } th scope="col" { (c.t("改为", "Becomes")) }
                        } }
                        tbody {
                            @for (key, name, fields) in &p.changes {
                                @for (f, old, new) in fields {
                                    tr { td { (key) } td { (name) } td { (f) } td { (old) } td { (new) } }
                                }
                            }
                        }
                    }
                }
            }
            form.stack method="post" action={"/c/" (slug) "/roll/import/" (p.import_id) "/confirm"} {
                (csrf(c))
                @if !p.missing.is_empty() {
                    h2 { (c.t("名册中有、文件中没有的居民", "On the roll but not in the file")) }
                    p { (p.missing.len()) " " (c.t("人：", "residents: "))
                        @for (i, (k, n)) in p.missing.iter().take(30).enumerate() { @if i > 0 { "、" } (n) "（" (k) "）" }
                        @if p.missing.len() > 30 { " …" } }
                    div.field.check {
                        input #f-deactivate type="checkbox" name="deactivate_missing" value="1";
                        label for="f-deactivate" { (c.t("把他们标记为已迁出（不删除，可恢复）", "Mark them as moved out (not deleted; can be undone)")) }
                    }
                }
                @if p.changes_anything || !p.missing.is_empty() {
                    button.primary type="submit" { (c.t("确认导入", "Confirm the import")) }
                } @else {
                    p { strong { (c.t("文件与现有名册完全一致，无需导入。", "The file matches the roll exactly; there is nothing to import.")) } }
                }
            }
        },
    )
}

pub fn done(c: &Chrome, slug: &str, p: &Preview) -> Markup {
    page(
        c,
        c.t("导入完成", "Import done"),
        html! {
            h1 { (c.t("导入完成", "Import done")) }
            (flash(c, "ok", &Msg::new(format!("{} 已导入。", p.filename), format!("{} was imported.", p.filename))))
            (summary_list(c, p))
            @if !p.missing.is_empty() { p { (p.missing.len()) " " (c.t("位不在文件中的居民已标记为迁出。", "residents not in the file were marked as moved out.")) } }
            p { a.button href={"/c/" (slug) "/roll"} { (c.t("查看名册", "See the roll")) } }
        },
    )
}

/// A confirmed import being written.
pub struct Progress {
    pub import_id: i64,
    pub filename: String,
    pub staged: i64,
    pub to_stage: i64,
}

pub fn progress(c: &Chrome, slug: &str, p: &Progress) -> Markup {
    let url = format!("/c/{slug}/roll/import/{}", p.import_id);
    let pct = if p.to_stage > 0 {
        p.staged * 100 / p.to_stage
    } else {
        0
    };
    page(
        c,
        c.t("导入进度", "Import progress"),
        html! {
            p { a href={"/c/" (slug) "/roll"} { "← " (c.t("名册", "Roll")) } }
            h1 { (c.t("正在导入 ", "Importing ")) (p.filename) }
            div #import-status role="status" aria-live="polite"
                hx-get=(url) hx-trigger="every 2s" hx-target="#main" hx-swap="innerHTML" {
                p { strong { (c.t("正在写入：", "Writing: ")) (p.staged) " / " (p.to_stage) } }
                progress max="100" value=(pct) { (pct) "%" }
                p.hint { (c.t("全部写入并核对名册没有变动后，才一次生效；在此之前名册保持原样，其他人的操作不受影响。",
                              "It takes effect all at once, after everything is written and the roll is checked to be unchanged; until then the roll stays as it was and other people's work goes on.")) }
                p { a href=(url) { (c.t("刷新", "Refresh")) } }
            }
        },
    )
}
