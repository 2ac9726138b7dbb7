//! A refused form as it comes back on its own page: which of the page's
//! forms it was, what was typed into it, and the errors beside its fields.
//! The page's other forms stay empty and free of those errors. Files a
//! refused form carried are kept, each shown as a ticked box beside the
//! file field, so that they go with the form when it is sent again.

use crate::chrome::{Chrome, Msg};
use crate::forms::Errors;
use crate::layout::bi;
use maud::{Markup, html};
use std::collections::HashMap;

/// One refused form of a page; `F` names the page's forms.
#[derive(Debug, Clone)]
pub struct Refused<F> {
    pub form: F,
    pub typed: HashMap<String, String>,
    pub errors: Errors,
    /// The files it carried, kept until it is sent again: (id, name).
    pub kept: Vec<(i64, String)>,
}

impl<F> Refused<F> {
    /// A refused form that carried no files.
    pub fn new(form: F, typed: HashMap<String, String>, errors: Errors) -> Self {
        Refused {
            form,
            typed,
            errors,
            kept: Vec::new(),
        }
    }
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
    /// The files kept for `form`: none unless it is the refused one.
    fn kept(&self, form: F) -> &[(i64, String)];
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
    fn kept(&self, form: F) -> &[(i64, String)] {
        match self {
            Some(r) if r.form == form => &r.kept,
            _ => &[],
        }
    }
}

/// A file field (`name`, several files) as a refused form brings it back:
/// its error beside it, and the files kept from the last try, each a ticked
/// box (`keep_<id>`) that sends it again; untick one to leave it out.
pub struct FileField<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub label: &'a str,
    pub accept: &'a str,
    pub kept: &'a [(i64, String)],
    pub error: Option<&'a Msg>,
}

pub fn file_field(c: &Chrome, slug: &str, f: &FileField) -> Markup {
    let (err_id, kept_id) = (format!("{}-err", f.id), format!("{}-kept", f.id));
    let mut described = Vec::new();
    if f.error.is_some() {
        described.push(err_id.as_str());
    }
    if !f.kept.is_empty() {
        described.push(kept_id.as_str());
    }
    let described = (!described.is_empty()).then(|| described.join(" "));
    html! {
        div class={"field" @if f.error.is_some() { " has-error" }} {
            label for=(f.id) { (f.label) }
            @if let Some(m) = f.error { p.field-error id=(err_id) { (bi(c, m)) } }
            @if !f.kept.is_empty() {
                p.hint id=(kept_id) { (c.t("你上次选的文件已保留，会随表单一起提交，不用重新选择；不要的请取消勾选。", "The files you chose last time are kept and go with the form; you need not choose them again. Untick any you do not want.")) }
                @for (id, name) in f.kept {
                    div.field.check {
                        input id={(f.id) "-keep-" (id)} type="checkbox" name={"keep_" (id)} value="1" checked;
                        label for={(f.id) "-keep-" (id)} { (name) }
                        " " a href={"/c/" (slug) "/files/" (id)} target="_blank" { (c.t("查看", "view")) span.visually-hidden { " " (name) } }
                    }
                }
            }
            input id=(f.id) type="file" name=(f.name) multiple accept=(f.accept)
                aria-invalid=[f.error.map(|_| "true")] aria-describedby=[described];
        }
    }
}
