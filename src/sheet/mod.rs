//! Spreadsheets in and out: what committees keep in Excel or save as CSV.
//! Reading turns XLSX/XLS or CSV (UTF-8 or GBK) into a table of strings
//! whose row numbers match the spreadsheet's, within the limits of
//! [`limits`] checked before anything large is allocated; writing makes
//! XLSX or CSV, with formula-like CSV cells defused.

pub mod limits;

use crate::domain::Msg;
use calamine::{Data, DataRef, Reader};
use std::io::Cursor;

/// A table of cell texts; `table[0]` is spreadsheet row 1.
pub type Table = Vec<Vec<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
}

#[derive(Debug)]
pub struct ReadSheet {
    pub table: Table,
    /// Set for CSV: which encoding the file turned out to be in.
    pub encoding: Option<Encoding>,
}

/// Reads a spreadsheet upload. The kind is told by the content (a ZIP or OLE
/// header is a workbook), not by the file name, which users often get wrong.
pub fn read(bytes: &[u8]) -> Result<ReadSheet, Msg> {
    if bytes.is_empty() {
        return Err(Msg::new("文件是空的", "the file is empty"));
    }
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if is_zip || is_ole {
        read_workbook(bytes).map(|table| ReadSheet {
            table,
            encoding: None,
        })
    } else {
        let (text, enc) = decode_text(bytes)?;
        read_csv(&text).map(|table| ReadSheet {
            table,
            encoding: Some(enc),
        })
    }
}

/// UTF-8 (with or without BOM), else GBK/GB18030 as Excel in China saves it.
pub fn decode_text(bytes: &[u8]) -> Result<(String, Encoding), Msg> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok((s.to_string(), Encoding::Utf8));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Msg::new(
            "文件是 UTF-16 编码，请在 Excel 中另存为“CSV UTF-8”或 xlsx",
            "the file is UTF-16; in Excel, save it as \"CSV UTF-8\" or as xlsx",
        ));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(body);
    if had_errors {
        return Err(Msg::new(
            "无法识别文件编码：既不是 UTF-8 也不是 GBK。请在 Excel 中另存为“CSV UTF-8”或 xlsx",
            "the file's encoding is neither UTF-8 nor GBK; in Excel, save it as \"CSV UTF-8\" or as xlsx",
        ));
    }
    Ok((text.into_owned(), Encoding::Gbk))
}

fn read_csv(text: &str) -> Result<Table, Msg> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    let mut cells = 0usize;
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| {
            Msg::new(
                format!("第 {} 行不是有效的 CSV：{e}", i + 1),
                format!("row {} is not valid CSV: {e}", i + 1),
            )
        })?;
        if i as u64 >= limits::MAX_ROWS as u64 || rec.len() as u64 > limits::MAX_COLS as u64 {
            let col = (rec.len() as u32).saturating_sub(1).min(limits::MAX_COLS);
            return Err(limits::too_far(i as u32, col));
        }
        // Empty fields count too: a file of commas must not become millions of cells.
        cells += rec.len();
        if cells > limits::MAX_CELLS {
            return Err(limits::too_many_cells());
        }
        table.push(rec.iter().map(|s| csv_cell_back(s).to_string()).collect());
    }
    Ok(table)
}

/// A workbook through calamine. A damaged file can make calamine panic (the
/// fuzzer found index errors in its .xls reader): that is a refusal of the
/// file, not a crash.
fn read_workbook(bytes: &[u8]) -> Result<Table, Msg> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_workbook_unguarded(bytes)))
        .unwrap_or_else(|_| {
            Err(Msg::new(
                "无法读取这个表格文件：文件已损坏。请用 Excel 或 WPS 打开后另存为 xlsx 再上传。",
                "cannot read this spreadsheet: the file is damaged; open it in Excel or WPS, save it as xlsx and upload again",
            ))
        })
}

fn read_workbook_unguarded(bytes: &[u8]) -> Result<Table, Msg> {
    if bytes.starts_with(b"PK\x03\x04") {
        match limits::check_zip(bytes)? {
            limits::ZipKind::Xlsx => read_xlsx(bytes),
            limits::ZipKind::Ods => Err(Msg::new(
                "不支持 ODS 表格。请在 WPS 或 Excel 中另存为 xlsx（或 CSV）再上传。",
                "ODS spreadsheets are not supported; save the file as xlsx (or CSV) in WPS or Excel and upload again",
            )),
        }
    } else {
        limits::check_xls(bytes)?;
        read_xls(bytes)
    }
}

fn open_failed(e: impl std::fmt::Display) -> Msg {
    Msg::new(
        format!("无法打开表格文件：{e}"),
        format!("cannot open the spreadsheet: {e}"),
    )
}

fn sheet_failed(e: impl std::fmt::Display) -> Msg {
    Msg::new(
        format!("无法读取第一个工作表：{e}"),
        format!("cannot read the first sheet: {e}"),
    )
}

/// The first sheet of an XLSX, cell by cell: no rectangle is allocated for
/// what the file declares, and a far-away cell is refused by name.
fn read_xlsx(bytes: &[u8]) -> Result<Table, Msg> {
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).map_err(open_failed)?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| Msg::new("表格里没有工作表", "the workbook has no sheet"))?;
    let mut cells = wb.worksheet_cells_reader(&name).map_err(sheet_failed)?;
    let mut table: Table = Vec::new();
    let (mut count, mut slots, mut bytes) = (0usize, 0usize, 0usize);
    while let Some(cell) = cells.next_cell().map_err(sheet_failed)? {
        let (r, c) = cell.get_position();
        // One shared string may stand in a thousand cells: count the text
        // each cell would copy, before copying it.
        let len = match cell.get_value() {
            DataRef::SharedString(s) => s.len(),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            _ => 0,
        };
        if len > limits::MAX_CELL_BYTES {
            return Err(limits::cell_too_long(r, c));
        }
        bytes += len;
        if bytes > limits::MAX_TEXT_BYTES {
            return Err(limits::too_much_text());
        }
        let text = cell_ref_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if r >= limits::MAX_ROWS || c >= limits::MAX_COLS {
            return Err(limits::too_far(r, c));
        }
        count += 1;
        let (r, c) = (r as usize, c as usize);
        if table.len() <= r {
            table.resize_with(r + 1, Vec::new);
        }
        let row = &mut table[r];
        if row.len() <= c {
            slots += c + 1 - row.len();
            row.resize_with(c + 1, String::new);
        }
        if count > limits::MAX_CELLS || slots as u64 > limits::MAX_AREA {
            return Err(limits::too_many_cells());
        }
        row[c] = text;
    }
    Ok(table)
}

/// An .xls whose cells were counted by [`limits::check_xls`].
fn read_xls(bytes: &[u8]) -> Result<Table, Msg> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(open_failed)?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| Msg::new("表格里没有工作表", "the workbook has no sheet"))?
        .map_err(sheet_failed)?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut table: Table = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut out = vec![String::new(); c0 as usize];
        out.extend(row.iter().map(cell_text));
        table.push(out);
    }
    Ok(table)
}

fn cell_ref_text(d: &DataRef) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => cell_text(&Data::Int(*i)),
        DataRef::Float(f) => cell_text(&Data::Float(*f)),
        DataRef::Bool(b) => cell_text(&Data::Bool(*b)),
        DataRef::DateTime(dt) => excel_date(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// A cell as the person sees it: 501 not 501.0, 89.2 not 89.20000000001.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                // Excel keeps 15 significant digits; round there so binary noise
                // (89.19999999999999) reads as typed, then drop trailing zeros.
                let s = format!("{:.*}", 10, f);
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.into(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30) as YYYY-MM-DD; a serial
/// no calendar holds (a phone number typed in a date column) stays a number.
fn excel_date(serial: f64) -> String {
    let base = jiff::civil::date(1899, 12, 30);
    let date = (serial.is_finite() && serial.abs() < 1e7)
        .then(|| jiff::Span::new().try_days(serial.floor() as i64).ok())
        .flatten()
        .and_then(|span| base.checked_add(span).ok());
    match date {
        Some(d) => d.to_string(),
        None => cell_text(&Data::Float(serial)),
    }
}

/// Cells a spreadsheet would run as a formula (OWASP, CSV injection).
fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as written to CSV: a formula-like one gets a leading `'`, so
/// Excel and WPS show it as text instead of running it.
pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// What [`csv_cell`] wrote, read back: our own exports re-import unchanged.
fn csv_cell_back(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

/// Writes a table as UTF-8 CSV with a BOM, so Excel opens Chinese text right;
/// formula-like cells are defused ([`csv_cell`]).
pub fn write_csv(table: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        for row in table {
            // Writing to a Vec cannot fail.
            let _ = w.write_record(row.iter().map(|c| csv_cell(c).into_owned()));
        }
        let _ = w.flush();
    }
    out
}

/// Writes a table as an XLSX workbook with one sheet; every cell is text, so
/// numbers like 0510-8234 or 3-2-501 stay as typed. The first row is bold
/// and frozen.
pub fn write_xlsx(sheet_name: &str, table: &[Vec<String>]) -> Result<Vec<u8>, Msg> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| {
        Msg::new(
            format!("生成表格失败：{e}"),
            format!("could not write the spreadsheet: {e}"),
        )
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name).map_err(fail)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (r, row) in table.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let fmt = if r == 0 { &bold } else { &text };
            ws.write_string_with_format(r as u32, c as u16, v, fmt)
                .map_err(fail)?;
        }
    }
    if !table.is_empty() {
        ws.set_freeze_panes(1, 0).map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gbk_csv() {
        let (bytes, _, _) = encoding_rs::GBK.encode("编号,姓名\nC1,张小明\n");
        let s = read(&bytes).unwrap();
        assert_eq!(s.encoding, Some(Encoding::Gbk));
        assert_eq!(s.table[1][1], "张小明");
    }

    #[test]
    fn reads_utf8_with_bom() {
        let s = read("\u{feff}编号,姓名\nC1,李芳\n".as_bytes()).unwrap();
        assert_eq!(s.encoding, Some(Encoding::Utf8));
        assert_eq!(s.table[0][0], "编号");
    }

    #[test]
    fn refuses_binary_garbage() {
        let e = read(&[0x81, 0x20, 0xFF, 0xFF, 0x00]).unwrap_err();
        assert!(e.zh.contains("编码"));
    }

    #[test]
    fn xlsx_round_trip() {
        let t = vec![
            vec!["编号".to_string(), "面积".to_string()],
            vec!["C1".to_string(), "89.20".to_string()],
        ];
        let bytes = write_xlsx("名册", &t).unwrap();
        let back = read(&bytes).unwrap();
        assert_eq!(back.table, t);
    }

    #[test]
    fn csv_cells_that_look_like_formulas_are_defused_and_read_back() {
        let t = vec![vec![
            "=HYPERLINK(\"http://x\",\"点我\")".to_string(),
            "+86 139".into(),
            "-5.00".into(),
            "@SUM(A1)".into(),
            "\tx".into(),
            "普通".into(),
            "'引号".into(),
        ]];
        let bytes = write_csv(&t);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"'=HYPERLINK("), "{text}");
        assert!(text.contains("'+86 139") && text.contains("'-5.00") && text.contains("'@SUM"));
        assert!(!text.contains(",=") && !text.contains(",+"));
        assert_eq!(
            read(&bytes).unwrap().table,
            t,
            "our own export reads back as it was"
        );
    }

    #[test]
    fn excel_dates() {
        assert_eq!(excel_date(45658.0), "2025-01-01");
        // A phone number in a date column is not a date, and does not panic.
        assert_eq!(excel_date(99_999_999.0), "99999999");
        assert_eq!(excel_date(13_812_345_678.0), "13812345678");
        assert_eq!(excel_date(-1e300), cell_text(&Data::Float(-1e300)));
        assert_eq!(excel_date(f64::NAN), "NaN");
    }

    #[test]
    fn float_cells_read_as_typed() {
        assert_eq!(cell_text(&Data::Float(501.0)), "501");
        assert_eq!(cell_text(&Data::Float(89.2)), "89.2");
        assert_eq!(cell_text(&Data::Float(89.19999999999999)), "89.2");
        assert_eq!(cell_text(&Data::Float(13812345678.0)), "13812345678");
    }
}
