//! Pages, one module per area.

pub mod account;
pub mod audit;
pub mod board;
pub mod codes;
pub mod confirm;
pub mod deliberations;
pub mod desk;
pub mod disclosures;
pub mod error;
pub mod home;
pub mod import;
pub mod ledger;
pub mod mine;
pub mod notices;
pub mod notify_prefs;
pub mod notify_settings;
pub mod ops;
pub mod proposals;
pub mod roll;
pub mod rounds;
pub mod settings;
pub mod votes;
