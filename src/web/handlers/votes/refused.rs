//! A vote page's refused forms: a step whose checks may refuse what was
//! typed, field by field, in its one write transaction; refused, the vote's
//! page comes back (422) with that form as typed and nothing written.

use super::page::{NoticeQuery, render};
use crate::domain::Subject;
use crate::error::Error;
use crate::store::communities::Community;
use crate::store::votes::{self, Vote};
use crate::web::AppState;
use crate::web::ctx::{Ctx, Visitor};
use crate::web::handlers::refused::form_step;
use crate::web::handlers::{errors_with, invalid, see_other};
use axum::response::Response;
use std::collections::HashMap;
use teahouse_views::forms::Errors;
use teahouse_views::pages::votes::Form;
use teahouse_views::refused::Refused;

/// A form as it was posted, field by field.
pub type Typed = HashMap<String, String>;

/// Where a refused form goes back to: the vote, as seen by whom, which form.
pub struct Back<'a> {
    pub st: &'a AppState,
    pub ctx: &'a Ctx,
    pub community: &'a Community,
    pub id: i64,
    pub form: Form,
}

impl Back<'_> {
    /// The vote's page with the form as `typed`, `errors` beside its fields (422).
    pub async fn refused(&self, typed: Typed, errors: Errors) -> Result<Response, Error> {
        let v = Visitor {
            ctx: self.ctx.clone(),
            community: self.community.clone(),
        };
        let r = Refused::new(self.form, typed, errors);
        let page = render(self.st, &v, self.id, &NoticeQuery::default(), Some(r)).await?;
        Ok(invalid(page))
    }

    /// One step on the vote that may refuse the form: `f` answers the audit
    /// detail, or the errors (before it writes anything). Done, back to the
    /// vote's page with `?done=`; refused, the page with the form as typed.
    pub async fn step<F>(
        &self,
        action: &'static str,
        done: &str,
        typed: Typed,
        f: F,
    ) -> Result<Response, Error>
    where
        F: FnOnce(&rusqlite::Transaction, &Vote) -> Result<Result<String, Errors>, Error>
            + Send
            + 'static,
    {
        let done = done.to_string();
        let res = form_step(
            self.st,
            self.ctx.actor(),
            self.community.id,
            Subject::Vote(self.id),
            action,
            votes::get,
            move |tx, vote: &Vote| Ok(f(tx, vote)?.map(|detail| (done, detail))),
        )
        .await?;
        match res {
            Ok(done) => Ok(see_other(&format!(
                "/c/{}/votes/{}?done={done}",
                self.community.slug, self.id
            ))),
            Err(errors) => self.refused(typed, errors).await,
        }
    }
}

/// What the store refused of the input (`Error::Invalid`, checked before it
/// writes), beside `field`; any other error stays one.
pub fn beside<T>(field: &str, r: Result<T, Error>) -> Result<Result<T, Errors>, Error> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Invalid(m)) => Ok(Err(errors_with(field, &m))),
        Err(e) => Err(e),
    }
}

/// A posted field, or nothing.
pub fn got<'a>(typed: &'a Typed, name: &str) -> &'a str {
    typed.get(name).map_or("", String::as_str)
}
