//! Teahouse views: maud components and pages, the static assets and the UI
//! strings (zh-CN first, English second). Views take plain data and return
//! Markup; they never touch the database.

pub mod a4;
pub mod chrome;
pub mod files;
pub mod forms;
pub mod layout;
pub mod pages;
pub mod qr;
pub mod refused;

pub use chrome::{Chrome, CommunityNav, Lang, Msg, UserNav};
pub use teahouse_words::{Word, choices, roles};

/// Static assets with content-hashed paths (see build.rs).
pub mod assets {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}
