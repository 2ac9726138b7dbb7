//! Attachments shown on any record, and the form that uploads them.

use crate::chrome::Chrome;
use crate::layout::csrf;
use maud::{Markup, html};

pub struct FileLine {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
}

fn size_words(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1048576.0)
    } else {
        format!("{} KB", (n + 1023) / 1024)
    }
}

fn kind_words(c: &Chrome, mime: &str) -> &'static str {
    if mime == "application/pdf" {
        "PDF"
    } else {
        c.t("图片", "image")
    }
}

/// The list of attachments; `remove` is the base of delete actions when the
/// reader may still remove them (e.g. a committee member on a draft).
pub fn list(c: &Chrome, slug: &str, files: &[FileLine], remove: Option<&str>) -> Markup {
    html! {
        @if files.is_empty() {
            p.empty { (c.t("没有附件。", "No attachments.")) }
        } @else {
            ul.files {
                @for f in files {
                    li {
                        a href={"/c/" (slug) "/files/" (f.id)} { (f.name) }
                        " " span.muted { (kind_words(c, &f.mime)) " · " (size_words(f.size)) }
                        br;
                        span.muted { "SHA-256 " code.hash { (f.sha256) } }
                        @if let Some(base) = remove {
                            form.inline method="post" action={(base) "/" (f.id) "/delete"} {
                                (csrf(c))
                                button.link type="submit" { (c.t("删除", "Remove")) span.visually-hidden { " " (f.name) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An upload form for one or more files.
pub fn upload_form(c: &Chrome, action: &str) -> Markup {
    html! {
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            (csrf(c))
            div.field {
                label for="f-files" { (c.t("添加附件（PDF 或图片，每个最多 8 MB）", "Add attachments (PDF or images, 8 MB each at most)")) }
                input #f-files type="file" name="file" multiple accept="application/pdf,image/jpeg,image/png,image/webp,image/gif" required;
            }
            button type="submit" { (c.t("上传", "Upload")) }
        }
    }
}
