//! Attachments people upload (plan documents, scanned vouchers, photos):
//! the type is read from the bytes, never trusted from the browser, and
//! files are size-limited so a phone photo fits but a video does not.

use super::Msg;

/// Largest attachment: a scanned multi-page PDF or a phone photo.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// Attachments per record.
pub const MAX_FILES: usize = 20;

/// The kinds we accept, by their first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

/// A checked upload: a safe file name, the sniffed type, the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub name: String,
    pub mime: &'static str,
    pub data: Vec<u8>,
}

impl Upload {
    /// Checks one uploaded file, naming it in every message.
    pub fn parse(name: &str, data: Vec<u8>) -> Result<Upload, Msg> {
        let name = clean_name(name);
        if data.is_empty() {
            return Err(Msg::new(
                format!("文件“{name}”是空的"),
                format!("file \"{name}\" is empty"),
            ));
        }
        if data.len() > MAX_BYTES {
            return Err(Msg::new(
                format!(
                    "文件“{name}”太大（{:.1} MB），每个附件最多 {} MB",
                    data.len() as f64 / 1048576.0,
                    MAX_BYTES / 1048576
                ),
                format!(
                    "file \"{name}\" is too large ({:.1} MB); {} MB at most per attachment",
                    data.len() as f64 / 1048576.0,
                    MAX_BYTES / 1048576
                ),
            ));
        }
        let mime = sniff(&data).ok_or_else(|| {
            Msg::new(
                format!("文件“{name}”不是 PDF 或图片（JPG、PNG、WebP、GIF），不能作为附件"),
                format!("file \"{name}\" is not a PDF or an image (JPG, PNG, WebP, GIF)"),
            )
        })?;
        Ok(Upload { name, mime, data })
    }
}

/// The last path component, without control characters, at most 100 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(100)
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "附件".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0..."), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }

    #[test]
    fn bad_files_are_named() {
        let e = Upload::parse("plan.exe", b"MZ\x90\0".to_vec()).unwrap_err();
        assert!(e.zh.contains("plan.exe") && e.en.contains("not a PDF"));
        let e = Upload::parse("big.pdf", {
            let mut v = b"%PDF-".to_vec();
            v.resize(MAX_BYTES + 1, 0);
            v
        })
        .unwrap_err();
        assert!(e.en.contains("too large"));
        assert!(
            Upload::parse("empty.png", Vec::new())
                .unwrap_err()
                .en
                .contains("empty")
        );
        let ok = Upload::parse("C:\\scans\\发票.pdf", b"%PDF-1.4".to_vec()).unwrap();
        assert_eq!(ok.name, "发票.pdf");
        assert_eq!(ok.mime, "application/pdf");
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\"b<c>.png"), "abc.png");
        assert_eq!(clean_name(".hidden"), "hidden");
        assert_eq!(clean_name(""), "附件");
    }
}
