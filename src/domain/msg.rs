//! A message for a person, Chinese first and English second: the one
//! bilingual type, shared with the views (crate `teahouse-words`).

pub use teahouse_words::Msg;
