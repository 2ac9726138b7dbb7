//! A refused form as it comes back on its own page: which of the page's
//! forms it was, what was typed into it, and the errors beside its fields.
//! The page's other forms stay empty and free of those errors.

use crate::forms::Errors;
use std::collections::HashMap;

/// One refused form of a page; `F` names the page's forms.
#[derive(Debug, Clone)]
pub struct Refused<F> {
    pub form: F,
    pub typed: HashMap<String, String>,
    pub errors: Errors,
}

static NO_ERRORS: Errors = Errors(Vec::new());

/// What a page asks of its (possibly) refused form.
pub trait Typed<F> {
    /// Whether `form` is the one that came back refused.
    fn is(&self, form: F) -> bool;
    /// The errors of `form`: none unless it is the refused one.
    fn errors(&self, form: F) -> &Errors;
    /// What was typed into `name` of `form`, or `default` if `form` was not refused.
    fn value<'a>(&'a self, form: F, name: &str, default: &'a str) -> &'a str;
}

impl<F: PartialEq> Typed<F> for Option<Refused<F>> {
    fn is(&self, form: F) -> bool {
        self.as_ref().is_some_and(|r| r.form == form)
    }
    fn errors(&self, form: F) -> &Errors {
        match self {
            Some(r) if r.form == form => &r.errors,
            _ => &NO_ERRORS,
        }
    }
    fn value<'a>(&'a self, form: F, name: &str, default: &'a str) -> &'a str {
        match self {
            Some(r) if r.form == form => r.typed.get(name).map_or("", String::as_str),
            _ => default,
        }
    }
}
