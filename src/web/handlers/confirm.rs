//! Steps that cannot be undone (opening a vote, publishing minutes,
//! issuing activation codes) are asked twice: a post without `confirm=1`
//! goes to the step's GET …/confirm page, which says what will happen and
//! posts again with it.

use axum::response::Response;

/// The confirmation a post carries, beside its own fields.
#[derive(serde::Deserialize, Default)]
pub struct Confirmed {
    confirm: Option<String>,
}

impl Confirmed {
    pub fn yes(&self) -> bool {
        self.confirm.as_deref() == Some("1")
    }
}

/// The answer to an unconfirmed post: its confirm page, `path`/confirm.
pub fn ask(path: &str) -> Response {
    super::see_other(&format!("{path}/confirm"))
}
