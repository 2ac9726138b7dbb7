//! Limits on a spreadsheet, checked before anything large is allocated. A
//! 2 KB workbook may declare a cell at XFD1048576, or be a zip bomb; a stray
//! far-away cell also happens by accident. Each refusal names the limit (and
//! the cell) in Chinese and English, so the committee can fix the file.

use crate::domain::Msg;
use std::io::{Cursor, Read};

/// Decompressed size of all parts of a workbook.
pub const MAX_UNCOMPRESSED: u64 = 50 * 1024 * 1024;
/// A part this many times larger than its compressed size is a zip bomb.
pub const MAX_RATIO: u64 = 100;
/// Parts smaller than this are not held to the ratio (tiny XML compresses well).
const RATIO_FLOOR: u64 = 1024 * 1024;
pub const MAX_PARTS: usize = 5_000;
/// Cells with a value (a 23,500-resident roll has ~330,000).
pub const MAX_CELLS: usize = 500_000;
/// Rows and columns a cell may sit in (1-based counts).
pub const MAX_ROWS: u32 = 100_000;
pub const MAX_COLS: u32 = 200;
/// Cells of the rectangle spanned by the used cells (what a dense reader
/// allocates), summed over the sheets of an .xls.
pub const MAX_AREA: u64 = 2_000_000;

/// Text of all cells together, counted as each cell would copy it (a shared
/// string counts once per cell that shows it).
pub const MAX_TEXT_BYTES: usize = 50 * 1024 * 1024;
/// One cell's text: Excel's own limit is 32,767 characters.
pub const MAX_CELL_BYTES: usize = 32_767 * 3;

pub fn cell_too_long(row: u32, col: u32) -> Msg {
    let cell = cell_name(row, col);
    Msg::new(
        format!("单元格 {cell} 的文字太长（最多 32767 个字）。"),
        format!("cell {cell} holds too much text (32,767 characters at most)"),
    )
}

pub fn too_much_text() -> Msg {
    Msg::new(
        format!(
            "表格里的文字太多（全部单元格合计最多 {} MB）。请分成几个文件上传。",
            MAX_TEXT_BYTES / 1024 / 1024
        ),
        format!(
            "the sheet holds too much text ({} MB over all cells at most); split it into several files",
            MAX_TEXT_BYTES / 1024 / 1024
        ),
    )
}

/// "A1"-style name of a 0-based cell.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut c = col as u64 + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let r = ((c - 1) % 26) as u8;
        letters.push(b'A' + r);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row as u64 + 1)
}

pub fn too_far(row: u32, col: u32) -> Msg {
    let cell = cell_name(row, col);
    Msg::new(
        format!(
            "单元格 {cell} 超出范围：表格最多 {MAX_ROWS} 行、{MAX_COLS} 列。请删除远处多余的单元格（选中后按 Delete，并删除多余的行和列），再保存上传。"
        ),
        format!(
            "cell {cell} is out of range: at most {MAX_ROWS} rows and {MAX_COLS} columns. Delete the stray far-away cells (and the extra rows and columns), save and upload again."
        ),
    )
}

pub fn too_many_cells() -> Msg {
    Msg::new(
        format!("表格的单元格太多（最多 {MAX_CELLS} 个有内容的单元格）。请分成几个文件上传。"),
        format!(
            "the sheet has too many cells ({MAX_CELLS} cells with content at most); split it into several files"
        ),
    )
}

fn too_big() -> Msg {
    Msg::new(
        format!(
            "表格解压后太大（最多 {} MB），或压缩比异常，已拒绝。请另存为普通的 xlsx 或 CSV 再上传。",
            MAX_UNCOMPRESSED / 1024 / 1024
        ),
        format!(
            "the workbook is too large once uncompressed ({} MB at most) or abnormally compressed, and was refused; save it as a plain xlsx or CSV and upload again",
            MAX_UNCOMPRESSED / 1024 / 1024
        ),
    )
}

fn cannot_open(e: impl std::fmt::Display) -> Msg {
    Msg::new(
        format!("无法打开表格文件：{e}"),
        format!("cannot open the spreadsheet: {e}"),
    )
}

/// What kind of zip workbook this is, once its parts passed the limits.
#[derive(Debug, PartialEq, Eq)]
pub enum ZipKind {
    Xlsx,
    Ods,
}

/// Checks every part of a zip workbook by decompressing it into nothing,
/// counting: the declared sizes may lie.
pub fn check_zip(bytes: &[u8]) -> Result<ZipKind, Msg> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(cannot_open)?;
    if zip.len() > MAX_PARTS {
        return Err(too_big());
    }
    let mut total: u64 = 0;
    let mut ods = false;
    let mut xlsx = false;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(cannot_open)?;
        let name = part.name().map_err(cannot_open)?.to_string();
        xlsx |= name == "xl/workbook.xml" || name == "xl/workbook.bin";
        ods |= name == "content.xml";
        if part.size() > MAX_UNCOMPRESSED - total {
            return Err(too_big());
        }
        let budget = MAX_UNCOMPRESSED - total;
        let mut limited = (&mut part).take(budget + 1);
        let n = std::io::copy(&mut limited, &mut std::io::sink()).map_err(cannot_open)?;
        total += n;
        if total > MAX_UNCOMPRESSED {
            return Err(too_big());
        }
        let packed = part.compressed_size().max(1);
        if n > RATIO_FLOOR && n / packed > MAX_RATIO {
            return Err(too_big());
        }
    }
    match (xlsx, ods) {
        (true, _) => Ok(ZipKind::Xlsx),
        (false, true) => Ok(ZipKind::Ods),
        _ => Err(cannot_open("not an xlsx workbook")),
    }
}

/// Scans an .xls (BIFF in an OLE container) for the cells it holds, before
/// calamine builds a dense table of each sheet's used rectangle.
pub fn check_xls(bytes: &[u8]) -> Result<(), Msg> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(cannot_open)?;
    let name = if cf.is_stream("/Workbook") {
        "/Workbook"
    } else if cf.is_stream("/Book") {
        "/Book"
    } else {
        return Err(cannot_open("no Workbook stream"));
    };
    let mut data = Vec::new();
    cf.open_stream(name)
        .map_err(cannot_open)?
        .take(MAX_UNCOMPRESSED + 1)
        .read_to_end(&mut data)
        .map_err(cannot_open)?;
    if data.len() as u64 > MAX_UNCOMPRESSED {
        return Err(too_big());
    }
    scan_biff(&data)
}

#[derive(Default)]
struct Bounds {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Bounds {
    fn add(&mut self, row: u32, col: u32) {
        let grow = |b: &mut Option<(u32, u32)>, x: u32| {
            *b = Some(match *b {
                None => (x, x),
                Some((lo, hi)) => (lo.min(x), hi.max(x)),
            })
        };
        grow(&mut self.rows, row);
        grow(&mut self.cols, col);
    }
    fn area(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64,
            _ => 0,
        }
    }
}

fn u16_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]) as u32)
}

struct Scan {
    cells: usize,
    area: u64,
    sheet: Bounds,
    /// Characters of each shared string (the SST), and of all cells that
    /// show one: calamine copies the string into every such cell.
    sst: Vec<u32>,
    text: u64,
}

/// A read position in a record and its CONTINUE records.
struct Cur<'a> {
    segs: &'a [&'a [u8]],
    seg: usize,
    at: usize,
}
impl Cur<'_> {
    fn byte(&mut self) -> Option<u8> {
        while self.seg < self.segs.len() && self.at >= self.segs[self.seg].len() {
            self.seg += 1;
            self.at = 0;
        }
        let b = *self.segs.get(self.seg)?.get(self.at)?;
        self.at += 1;
        Some(b)
    }
    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            let seg = self.segs.get(self.seg)?;
            let left = seg.len() - self.at.min(seg.len());
            if left == 0 {
                self.seg += 1;
                self.at = 0;
                continue;
            }
            let k = left.min(n);
            self.at += k;
            n -= k;
        }
        Some(())
    }
    fn u16(&mut self) -> Option<u32> {
        Some(self.byte()? as u32 | (self.byte()? as u32) << 8)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(self.u16()? | self.u16()? << 16)
    }
    /// Characters spread over records: each new record starts with flags.
    fn chars(&mut self, mut n: usize, mut wide: bool) -> Option<()> {
        while n > 0 {
            let seg = self.segs.get(self.seg)?;
            let left = seg.len() - self.at.min(seg.len());
            let w = if wide { 2 } else { 1 };
            let k = (left / w).min(n);
            self.at += k * w;
            n -= k;
            if n > 0 {
                self.seg += 1;
                self.at = 0;
                wide = self.byte()? & 1 == 1;
            }
        }
        Some(())
    }
}

/// The length in characters of each string of an SST record and its
/// CONTINUE records (MS-XLS 2.4.265). Only lengths: the text is skipped,
/// following a string's characters across record boundaries (where a new
/// flags byte says whether the rest is one or two bytes a character).
fn sst_lengths(segments: &[&[u8]]) -> Vec<u32> {
    let mut c = Cur {
        segs: segments,
        seg: 0,
        at: 0,
    };
    let mut out = Vec::new();
    let (Some(_total), Some(unique)) = (c.u32(), c.u32()) else {
        return out;
    };
    for _ in 0..unique.min(MAX_CELLS as u32 * 4) {
        let Some(cch) = c.u16() else { break };
        let Some(flags) = c.byte() else { break };
        let runs = if flags & 0x08 != 0 { c.u16() } else { Some(0) };
        let ext = if flags & 0x04 != 0 { c.u32() } else { Some(0) };
        let (Some(runs), Some(ext)) = (runs, ext) else {
            break;
        };
        out.push(cch);
        if c.chars(cch as usize, flags & 1 == 1).is_none()
            || c.skip(runs as usize * 4 + ext as usize).is_none()
        {
            break;
        }
    }
    out
}

impl Scan {
    fn shared(&mut self, isst: usize) -> Result<(), Msg> {
        self.text += self.sst.get(isst).copied().unwrap_or(0) as u64 * 3;
        if self.text > MAX_TEXT_BYTES as u64 {
            return Err(too_much_text());
        }
        Ok(())
    }

    fn cell(&mut self, row: u32, col: u32) -> Result<(), Msg> {
        if row >= MAX_ROWS || col >= MAX_COLS {
            return Err(too_far(row, col));
        }
        self.cells += 1;
        self.sheet.add(row, col);
        if self.cells > MAX_CELLS || self.area + self.sheet.area() > MAX_AREA {
            return Err(too_many_cells());
        }
        Ok(())
    }
}

/// The records calamine turns into cells: each starts with row and column.
pub(crate) fn scan_biff(data: &[u8]) -> Result<(), Msg> {
    let mut at = 0usize;
    let mut scan = Scan {
        cells: 0,
        area: 0,
        sheet: Bounds::default(),
        sst: Vec::new(),
        text: 0,
    };
    while let (Some(typ), Some(len)) = (u16_at(data, at), u16_at(data, at + 2)) {
        let body = data.get(at + 4..at + 4 + len as usize).unwrap_or(&[]);
        at += 4 + len as usize;
        if typ == 0x00FC {
            // The SST and the CONTINUE records right after it.
            let mut segments = vec![body];
            let mut next = at;
            while let (Some(0x003C), Some(n)) = (u16_at(data, next), u16_at(data, next + 2)) {
                segments.push(data.get(next + 4..next + 4 + n as usize).unwrap_or(&[]));
                next += 4 + n as usize;
            }
            scan.sst = sst_lengths(&segments);
        }
        if typ == 0x00FD
            && let Some(isst) = body.get(6..10)
        {
            scan.shared(u32::from_le_bytes([isst[0], isst[1], isst[2], isst[3]]) as usize)?;
        }
        match typ {
            // Number, Label, RString, BoolErr, Rk, LabelSst, Formula.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(r), Some(c)) = (u16_at(body, 0), u16_at(body, 2)) {
                    scan.cell(r, c)?;
                }
            }
            // MulRk: row, first column, … last column.
            0x00BD => {
                if let (Some(r), Some(c0), Some(c1)) = (
                    u16_at(body, 0),
                    u16_at(body, 2),
                    u16_at(body, body.len().saturating_sub(2)),
                ) {
                    scan.cell(r, c0)?;
                    scan.cell(r, c1.max(c0))?;
                }
            }
            // The end of a sheet's substream.
            0x000A => {
                scan.area += scan.sheet.area();
                scan.sheet = Bounds::default();
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(999_999, 25), "Z1000000");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(0, 26), "AA1");
    }

    fn record(typ: u16, body: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((body.len() as u16).to_le_bytes());
        v.extend(body);
        v
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut b = row.to_le_bytes().to_vec();
        b.extend(col.to_le_bytes());
        b.extend([0u8; 10]);
        record(0x0203, &b)
    }

    #[test]
    fn biff_far_cells_and_areas_are_refused() {
        let ok = [number(0, 0), number(500, 10), record(0x000A, &[])].concat();
        assert!(scan_biff(&ok).is_ok());
        let far = [number(0, 0), number(7, 300)].concat();
        assert!(scan_biff(&far).unwrap_err().en.contains("KO8"));
        // Inside the row and column limits, but a rectangle too large to fill.
        let wide = [number(0, 0), number(65_000, 199)].concat();
        assert!(scan_biff(&wide).unwrap_err().en.contains("too many cells"));
        // The same records inside a real OLE container, as an .xls has them.
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        {
            use std::io::Write;
            let mut w = cf.create_stream("/Workbook").unwrap();
            w.write_all(&[number(0, 0), number(7, 300)].concat())
                .unwrap();
        }
        let bytes = cf.into_inner().into_inner();
        assert!(check_xls(&bytes).unwrap_err().en.contains("KO8"));
        assert!(check_xls(&bytes[..bytes.len() / 2]).is_err());
        // One long shared string shown in many cells: its text counts per cell.
        let long = 30_000u16;
        let mut sst = 1u32.to_le_bytes().to_vec();
        sst.extend(1u32.to_le_bytes());
        sst.extend(long.to_le_bytes());
        sst.push(0); // one byte a character
        let split = 8000usize;
        sst.extend(vec![b'x'; split]);
        let mut cont = vec![0u8]; // flags again at the record boundary
        cont.extend(vec![b'x'; long as usize - split]);
        let mut file = [record(0x00FC, &sst), record(0x003C, &cont)].concat();
        assert_eq!(sst_lengths(&[&sst[..], &cont[..]]), vec![long as u32]);
        for r in 0..2_000u16 {
            let mut b = r.to_le_bytes().to_vec();
            b.extend(0u16.to_le_bytes());
            b.extend(0u16.to_le_bytes());
            b.extend(0u32.to_le_bytes());
            file.extend(record(0x00FD, &b));
        }
        assert!(scan_biff(&file).unwrap_err().en.contains("too much text"));
        // Truncated records end the scan; nothing panics.
        assert!(scan_biff(&[0x03, 0x02, 0xFF]).is_ok());
        assert!(scan_biff(&record(0x00BD, &[1])).is_ok());
    }
}
