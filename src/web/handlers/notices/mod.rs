//! The record of notices (送达台账) for the committee: the outbox and one
//! notice's deliveries with resend (record.rs); the printable delivery lists
//! with receipts, their ticks and the receipt a grid worker scans (paper.rs);
//! a vote's reach figures (reach.rs); a draft vote's advance notice (advance.rs).

pub mod advance;
pub mod paper;
pub mod reach;
pub mod record;

use crate::notify::channel::ChannelKind;
use crate::web::routes::{Routes, form};
use axum::http::Method;
use axum::routing::{get, post};

pub fn routes() -> Routes {
    use Method as M;
    vec![
        (M::GET, "/c/{community}/notices", get(record::outbox)),
        (
            M::GET,
            "/c/{community}/notices/{notice}",
            get(record::notice),
        ),
        (
            M::POST,
            "/c/{community}/notices/{notice}/deliveries/{delivery}/resend",
            post(record::resend).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/notices/{notice}/paper",
            get(paper::list),
        ),
        (
            M::POST,
            "/c/{community}/notices/{notice}/paper/{household}",
            post(paper::tick).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/votes/{vote}/advance-notice/confirm",
            get(advance::confirm),
        ),
        (
            M::POST,
            "/c/{community}/votes/{vote}/advance-notice",
            post(advance::send).layer(form()),
        ),
        (
            M::GET,
            "/c/{community}/receipts/{token}",
            get(paper::receipt),
        ),
        (
            M::POST,
            "/c/{community}/receipts/{token}",
            post(paper::confirm).layer(form()),
        ),
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
