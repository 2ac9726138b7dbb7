//! "Are you sure?" for a step that cannot be undone: what it is about, what
//! will happen, and a plain form that repeats the request with confirm=1
//! (no JavaScript needed), beside a way back.

use crate::chrome::{Chrome, Msg};
use crate::layout::{csrf, page};
use maud::{Markup, html};

pub struct ConfirmView {
    /// The page's heading, in the reader's language.
    pub title: String,
    /// What the step is about (a vote's or a meeting's title), as written.
    pub subject: String,
    /// What will happen, one consequence per line.
    pub consequences: Vec<Msg>,
    /// Where the confirmed request goes, and the fields it repeats.
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub button: Msg,
    /// The page to go back to without doing anything.
    pub back: String,
}

pub fn confirm_page(c: &Chrome, v: &ConfirmView) -> Markup {
    page(
        c,
        &v.title,
        html! {
            h1 { (v.title) }
            p.lead { strong { (v.subject) } }
            div.flash.warn role="note" {
                p { (c.t("这一步不能撤销：", "This cannot be undone:")) }
                ul { @for m in &v.consequences { li { (c.t(&m.zh, &m.en)) } } }
            }
            form.stack method="post" action=(v.action) {
                (csrf(c))
                input type="hidden" name="confirm" value="1";
                @for (k, val) in &v.hidden { input type="hidden" name=(k) value=(val); }
                button.primary type="submit" { (c.t(&v.button.zh, &v.button.en)) }
            }
            p { a href=(v.back) { (c.t("← 先不做，返回", "← Not now, go back")) } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirm_form_repeats_the_request_with_confirm() {
        let v = ConfirmView {
            title: "开放投票？".into(),
            subject: "加装电梯".into(),
            consequences: vec![Msg::new("选民名单冻结", "the electorate is frozen")],
            action: "/c/x/votes/1/open".into(),
            hidden: vec![("days".into(), "30".into())],
            button: Msg::new("确认开放", "Open it"),
            back: "/c/x/votes/1".into(),
        };
        let html = confirm_page(&Chrome::default(), &v).into_string();
        assert!(html.contains(r#"action="/c/x/votes/1/open""#));
        assert!(html.contains(r#"name="confirm" value="1""#));
        assert!(html.contains(r#"name="days" value="30""#));
        assert!(html.contains("选民名单冻结") && html.contains(r#"href="/c/x/votes/1""#));
        assert!(
            !html.contains("the electorate is frozen"),
            "one language at a time"
        );
    }
}
