//! Form building blocks. One function renders a form both empty and with
//! errors: every field takes its current value and its error, if any. Every
//! field has a visible label tied to it; errors are linked with aria-describedby.

use crate::chrome::{Chrome, Msg};
use crate::layout::bi;
use maud::{Markup, html};

/// Field errors keyed by field name, plus errors about the whole form ("").
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<(String, Msg)>);

impl Errors {
    pub fn none() -> Self {
        Errors(Vec::new())
    }
    pub fn add(&mut self, field: &str, m: Msg) {
        self.0.push((field.to_string(), m));
    }
    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Opts<'a> {
    pub kind: &'a str,
    pub autocomplete: &'a str,
    pub required: bool,
    pub hint: Option<(&'a str, &'a str)>,
    pub inputmode: Option<&'a str>,
}

impl Default for Opts<'_> {
    fn default() -> Self {
        Opts {
            kind: "text",
            autocomplete: "off",
            required: false,
            hint: None,
            inputmode: None,
        }
    }
}

/// A summary of all errors at the top of a form, focusable for screen readers.
pub fn summary(c: &Chrome, errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                p { strong { (c.t("请更正以下问题：", "Please correct the following:")) } }
                ul { @for (_, m) in &errors.0 { li { (bi(c, m)) } } }
            }
        }
    }
}

pub fn input(c: &Chrome, name: &str, label: &str, value: &str, errors: &Errors, o: Opts) -> Markup {
    let id = format!("f-{name}");
    let err = errors.get(name);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-err");
    let mut described = Vec::new();
    if o.hint.is_some() {
        described.push(hint_id.clone());
    }
    if err.is_some() {
        described.push(err_id.clone());
    }
    html! {
        div class={"field" @if err.is_some() { " has-error" }} {
            label for=(id) { (label) }
            @if let Some((zh, en)) = o.hint { p.hint id=(hint_id) { (c.t(zh, en)) } }
            @if let Some(m) = err { p.field-error id=(err_id) { (bi(c, m)) } }
            input id=(id) name=(name) type=(o.kind) value=(value) autocomplete=(o.autocomplete)
                required[o.required] inputmode=[o.inputmode]
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
        }
    }
}

/// A multi-line text field with its label and error.
pub fn textarea(
    c: &Chrome,
    name: &str,
    label: &str,
    value: &str,
    errors: &Errors,
    rows: u32,
) -> Markup {
    let id = format!("f-{name}");
    let err = errors.get(name);
    html! {
        div class={"field" @if err.is_some() { " has-error" }} {
            label for=(id) { (label) }
            @if let Some(m) = err { p.field-error id={(id) "-err"} { (bi(c, m)) } }
            textarea id=(id) name=(name) rows=(rows)
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=[err.map(|_| format!("{id}-err"))] { (value) }
        }
    }
}

/// A field's error on its own (for radio groups).
pub fn error(c: &Chrome, errors: &Errors, name: &str) -> Markup {
    html! { @if let Some(m) = errors.get(name) { p.field-error { (bi(c, m)) } } }
}

/// One radio button with its label.
pub fn radio(name: &str, value: &str, label: &str, checked: bool) -> Markup {
    let id = format!("f-{name}-{value}");
    html! {
        div.field.check {
            input id=(id) type="radio" name=(name) value=(value) checked[checked];
            label for=(id) { (label) }
        }
    }
}

pub fn checkbox(name: &str, label: &str, checked: bool) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.field.check {
            input id=(id) type="checkbox" name=(name) value="1" checked[checked];
            label for=(id) { (label) }
        }
    }
}

pub fn select(
    c: &Chrome,
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    errors: &Errors,
) -> Markup {
    let id = format!("f-{name}");
    let err = errors.get(name);
    html! {
        div class={"field" @if err.is_some() { " has-error" }} {
            label for=(id) { (label) }
            @if let Some(m) = err { p.field-error id={(id) "-err"} { (bi(c, m)) } }
            select id=(id) name=(name) {
                @for (v, l) in options {
                    option value=(v) selected[v == selected] { (l) }
                }
            }
        }
    }
}
