//! Teahouse (议事茶馆): a community governs its small affairs in the open.
//! `web::start` builds and runs the server; `cli` holds the other commands.

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod notify;
pub mod password;
pub mod sheet;
pub mod store;
pub mod web;

pub use config::Config;
pub use error::{Error, Result};
