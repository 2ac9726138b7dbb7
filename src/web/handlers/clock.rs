//! What the server does by itself on a timer, not on a request: today,
//! closing the votes whose closing time has passed.

use super::apply_step;
use crate::domain::Subject;
use crate::error::Error;
use crate::store::audit::Actor;
use crate::store::votes::{self, Status};
use crate::store::{now, vote_files};
use crate::web::AppState;

/// Closes every vote whose closing time has passed (run periodically). Each
/// vote is closed by the same step as a close by hand, so a ballot or a
/// close by the committee queued before it is seen; a vote that is no
/// longer open is left alone without an audit row.
pub async fn close_due(st: &AppState) -> Result<usize, Error> {
    let due: Vec<(i64, i64)> = st.db.read(|c| vote_files::due(c, now())).await?;
    let mut n = 0;
    for (cid, id) in due {
        let res = apply_step(
            st,
            Actor::system("clock"),
            cid,
            Subject::Vote(id),
            "vote.close",
            votes::get,
            |tx, vote| {
                if vote.status != Status::Open {
                    // Closed meanwhile: nothing to close, so no audit row
                    // (the error rolls the step back).
                    return Err(Error::NotFound);
                }
                let (t, e) = votes::close(tx, vote)?;
                Ok((String::new(), format!("{} · ledger #{}", t.verdict, e.seq)))
            },
        )
        .await;
        match res {
            Ok(_) => n += 1,
            Err(Error::NotFound) => {}
            // Unresolved conflicts keep a vote open until the committee acts.
            Err(e) => tracing::warn!(vote = id, error = %e, "vote not closed automatically"),
        }
    }
    Ok(n)
}
