//! Pure rules, no I/O. Everything here is tested beside the code.

pub mod area;
pub mod code;
pub mod cost_share;
pub mod credentials;
pub mod deliberation;
pub mod disclosure;
pub mod dwelling;
pub mod dwelling_order;
pub mod ledger;
pub mod mask;
pub mod msg;
pub mod pabulib;
pub mod pb_rules;
pub mod proposal;
pub mod roll;
pub mod round;
pub mod subject;
pub mod upload;
pub mod vote;
pub mod vote_export;
pub mod vote_published;
pub mod vote_totals;

pub use area::Area;
pub use msg::Msg;
pub use subject::Subject;
