//! Residents' notice choices (`notify_prefs`): channels, digest, daily limit,
//! and the no-login unsubscribe token each message's link carries. A
//! resident without a row has the defaults from the roll's phone and e-mail.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use crate::error::Error;
use crate::notify::prefs::Prefs;

/// A resident's choices with the addresses they apply to (unmasked: mask
/// before showing).
#[derive(Debug, Clone)]
pub struct ResidentPrefs {
    pub resident_id: i64,
    pub community_id: i64,
    pub email: String,
    pub phone: String,
    pub prefs: Prefs,
}

const SELECT: &str = "SELECT r.id, r.community_id, r.email, r.phone,
        p.email, p.sms, p.digest, p.daily_limit, p.unsubscribed_at
     FROM residents r LEFT JOIN notify_prefs p ON p.resident_id = r.id";

fn row(r: &Row) -> rusqlite::Result<ResidentPrefs> {
    let email: String = r.get(2)?;
    let phone: String = r.get(3)?;
    let defaults = Prefs::defaults(!email.is_empty(), !phone.is_empty());
    let prefs = match r.get::<_, Option<bool>>(4)? {
        None => defaults,
        Some(e) => Prefs {
            email: e,
            sms: r.get(5)?,
            digest: r.get(6)?,
            daily_limit: r.get(7)?,
            unsubscribed: r.get::<_, Option<i64>>(8)?.is_some(),
        },
    };
    Ok(ResidentPrefs {
        resident_id: r.get(0)?,
        community_id: r.get(1)?,
        email,
        phone,
        prefs,
    })
}

/// One resident's choices, or the defaults.
pub fn of(conn: &Connection, resident_id: i64) -> Result<Option<ResidentPrefs>, Error> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE r.id = ?1"))?
        .query_row([resident_id], row)
        .optional()?)
}

/// Every active resident's choices in a community, by resident id (for
/// planning a notice's deliveries in one read).
pub fn all(conn: &Connection, community_id: i64) -> Result<HashMap<i64, Prefs>, Error> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE r.community_id = ?1 AND r.active = 1"
    ))?;
    let rows = stmt.query_map([community_id], row)?;
    let mut out = HashMap::new();
    for r in rows {
        let r = r?;
        out.insert(r.resident_id, r.prefs);
    }
    Ok(out)
}

fn new_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Makes sure the resident has a row (with the roll's defaults) and returns
/// it as it stands.
fn ensure(tx: &Transaction, resident_id: i64, now: i64) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO notify_prefs (resident_id, email, sms, digest, daily_limit, unsubscribe_token, updated_at)
         SELECT id, email <> '', phone <> '', 0, ?2, ?3, ?4 FROM residents WHERE id = ?1
         ON CONFLICT (resident_id) DO NOTHING",
        params![
            resident_id,
            crate::notify::prefs::DEFAULT_DAILY_LIMIT,
            new_token(),
            now
        ],
    )?;
    Ok(())
}

/// Saves a resident's choices; saving them subscribes again.
pub fn save(tx: &Transaction, resident_id: i64, p: &Prefs, now: i64) -> Result<(), Error> {
    ensure(tx, resident_id, now)?;
    tx.execute(
        "UPDATE notify_prefs SET email = ?2, sms = ?3, digest = ?4, daily_limit = ?5,
             unsubscribed_at = CASE WHEN ?6 THEN COALESCE(unsubscribed_at, ?7) ELSE NULL END,
             updated_at = ?7
         WHERE resident_id = ?1",
        params![
            resident_id,
            p.email,
            p.sms,
            p.digest,
            p.daily_limit,
            p.unsubscribed,
            now
        ],
    )?;
    Ok(())
}

/// The token of a resident's unsubscribe link (made on first use), for the
/// link in every message: `/unsubscribe/<token>`.
pub fn unsubscribe_token(tx: &Transaction, resident_id: i64, now: i64) -> Result<String, Error> {
    ensure(tx, resident_id, now)?;
    Ok(tx
        .prepare_cached("SELECT unsubscribe_token FROM notify_prefs WHERE resident_id = ?1")?
        .query_row([resident_id], |r| r.get(0))?)
}

/// Whose link a token is: the resident, their community's slug and name, and
/// whether they are unsubscribed already.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub resident_id: i64,
    pub community_slug: String,
    pub community_name: String,
    pub email: String,
    pub phone: String,
    pub unsubscribed: bool,
}

pub fn by_token(conn: &Connection, token: &str) -> Result<Option<TokenOwner>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT p.resident_id, c.slug, c.name, r.email, r.phone, p.unsubscribed_at IS NOT NULL
             FROM notify_prefs p JOIN residents r ON r.id = p.resident_id
             JOIN communities c ON c.id = r.community_id
             WHERE p.unsubscribe_token = ?1",
        )?
        .query_row([token], |r| {
            Ok(TokenOwner {
                resident_id: r.get(0)?,
                community_slug: r.get(1)?,
                community_name: r.get(2)?,
                email: r.get(3)?,
                phone: r.get(4)?,
                unsubscribed: r.get(5)?,
            })
        })
        .optional()?)
}

/// Unsubscribes the token's resident from personal messages (e-mail, SMS);
/// `None` for an unknown token. Doing it twice keeps the first time.
pub fn unsubscribe(tx: &Transaction, token: &str, now: i64) -> Result<Option<i64>, Error> {
    Ok(tx
        .prepare_cached(
            "UPDATE notify_prefs SET unsubscribed_at = COALESCE(unsubscribed_at, ?2), updated_at = ?2
             WHERE unsubscribe_token = ?1 RETURNING resident_id",
        )?
        .query_row(params![token, now], |r| r.get(0))
        .optional()?)
}
