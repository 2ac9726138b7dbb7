//! Reached online: a logged-in resident who opens a notice's page counts as
//! reached for their household. Cheap on every page view: a bounded set in
//! memory remembers which (resident, page) pairs were already looked at
//! since the last notice was queued, so only the first view reads the
//! record, and only a view that reaches someone writes (in the background).

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::store::Db;
use crate::store::notices_record;

/// Pairs remembered before the set starts again (about 2 MB at most).
const SEEN_MAX: usize = 100_000;

/// Bumped whenever a notice is queued, so a page looked at before its
/// notice existed is looked at again.
static GENERATION: AtomicU64 = AtomicU64::new(0);

fn seen_set() -> &'static Mutex<HashSet<u64>> {
    static SEEN: OnceLock<Mutex<HashSet<u64>>> = OnceLock::new();
    SEEN.get_or_init(|| Mutex::new(HashSet::new()))
}

/// A notice was queued (called from `store::notices::queue`).
pub fn notices_changed() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// Is this the first look at `path` by `resident_id` in this database since
/// the last notice was queued? Remembers it.
fn first_look(db: &Db, resident_id: i64, path: &str) -> bool {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        &db.path,
        resident_id,
        path,
        GENERATION.load(Ordering::Relaxed),
    )
        .hash(&mut h);
    let key = h.finish();
    let Ok(mut set) = seen_set().lock() else {
        return false;
    };
    if set.len() >= SEEN_MAX {
        set.clear();
    }
    set.insert(key)
}

/// Who is looking at which page, for [`after`]: a logged-in resident's GET
/// of a community page.
pub fn looking(
    parts: &axum::http::request::Parts,
    account: Option<&crate::store::accounts::Account>,
) -> Option<(i64, String)> {
    let r = account?.resident_id?;
    let path = parts.uri.path();
    (parts.method == axum::http::Method::GET && path.starts_with("/c/"))
        .then(|| (r, path.to_string()))
}

/// After the page was answered: a successful look counts (see [`seen`]).
pub fn after(db: &Db, looking: Option<(i64, String)>, status: axum::http::StatusCode) {
    if let Some((r, path)) = looking
        && status.is_success()
    {
        seen(db, r, &path);
    }
}

/// A resident looked at a community page: if a notice of theirs points at
/// it and their household is not yet reached, mark it reached online.
pub fn seen(db: &Db, resident_id: i64, path: &str) {
    if !path.starts_with("/c/") || !first_look(db, resident_id, path) {
        return;
    }
    let (db, path) = (db.clone(), path.to_string());
    tokio::spawn(async move {
        let p = path.clone();
        let due = db
            .read(move |c| notices_record::web_unreached(c, resident_id, &p))
            .await;
        if let Ok(true) = due
            && let Err(e) = db
                .write(move |tx| notices_record::mark_web(tx, resident_id, &path, None))
                .await
        {
            tracing::warn!(error = %e, "notices: recording a page view as reached failed");
        }
    });
}
