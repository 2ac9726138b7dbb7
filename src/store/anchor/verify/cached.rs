//! The public ledger page's check: what is new on every view, everything
//! again every few minutes.

use super::{Report, verify_community, verify_since};
use crate::error::Error;
use rusqlite::Connection;
use std::collections::HashMap;

/// Heads verified before, per database file and community, with when the
/// last full verification ran.
type Heads = HashMap<(std::path::PathBuf, i64), ((i64, String), std::time::Instant)>;
static HEADS: std::sync::LazyLock<std::sync::Mutex<Heads>> =
    std::sync::LazyLock::new(Default::default);

/// How long the public page trusts a full verification before running one
/// again (what is new is checked on every view).
pub const FULL_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// What the public ledger page verified.
pub struct Cached {
    pub report: Report,
    /// Seconds since the last full verification (0: this view ran it).
    pub full_age: u64,
}

/// The public page's check: what is new since the head this process
/// verified last for this database and community, and everything again
/// when the last full verification is older than [`FULL_EVERY`] (so an
/// edit of an old entry or row shows within minutes, not never).
pub fn verify_cached(
    conn: &Connection,
    db: &std::path::Path,
    id: i64,
    slug: String,
) -> Result<Cached, Error> {
    let k = (db.to_path_buf(), id);
    let known = HEADS.lock().ok().and_then(|h| h.get(&k).cloned());
    let fresh = known
        .as_ref()
        .is_some_and(|(_, at)| at.elapsed() < FULL_EVERY);
    let (r, full_at) = match &known {
        Some((head, at)) if fresh => (verify_since(conn, id, slug, Some(head))?, *at),
        _ => (verify_community(conn, id, slug)?, std::time::Instant::now()),
    };
    if let Ok(mut h) = HEADS.lock() {
        match &r.head {
            Some(head) => {
                h.insert(k, (head.clone(), full_at));
            }
            None => {
                h.remove(&k);
            }
        }
    }
    Ok(Cached {
        report: r,
        full_age: full_at.elapsed().as_secs(),
    })
}
