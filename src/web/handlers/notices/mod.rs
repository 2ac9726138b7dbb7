//! The record of notices (送达台账) for the committee: the outbox and one
//! notice's deliveries with resend (record.rs); the printable delivery lists
//! with receipts, their ticks and the receipt a grid worker scans (paper.rs);
//! a vote's reach figures (reach.rs); a draft vote's advance notice (advance.rs).

pub mod advance;
pub mod paper;
pub mod reach;
pub mod record;

use crate::notify::channel::ChannelKind;
use crate::web::routes::{Routes, on_get, on_post};

pub fn routes() -> Routes {
    vec![
        on_get("/c/{community}/notices", record::outbox),
        on_get("/c/{community}/notices/{notice}", record::notice),
        on_post(
            "/c/{community}/notices/{notice}/deliveries/{delivery}/resend",
            record::resend,
        ),
        on_get("/c/{community}/notices/{notice}/paper", paper::list),
        on_post(
            "/c/{community}/notices/{notice}/paper/{household}",
            paper::tick,
        ),
        on_get(
            "/c/{community}/votes/{vote}/advance-notice/confirm",
            advance::confirm,
        ),
        on_post("/c/{community}/votes/{vote}/advance-notice", advance::send),
        on_get("/c/{community}/receipts/{token}", paper::receipt),
        on_post("/c/{community}/receipts/{token}", paper::confirm),
    ]
}

/// "2026-11-21 09:30 纸质送达" in the reader's language.
fn reached_words(lang: teahouse_views::Lang, at: i64, by: ChannelKind, tz: &str) -> String {
    let l = by.label();
    let how = if lang == teahouse_views::Lang::En {
        l.en
    } else {
        l.zh
    };
    format!("{} {how}", super::fmt_time(at, tz))
}
