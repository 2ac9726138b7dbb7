//! Proxies (委托投票): the committee records an owner's or villager's
//! written authorization of a named resident for one vote, with an expiry.
//! The proxy's ballot is marked as cast by proxy; the principal's own ballot
//! always overrides it, and a proxy cannot overwrite the principal's own.

use super::votes::{self, Vote};
use crate::domain::Msg;
use crate::error::Error;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

#[derive(Debug, Clone)]
pub struct Proxy {
    pub voter: String,
    pub principal: String,
    pub proxy_name: String,
    pub authorization: String,
    pub expires_at: i64,
}

pub fn list(conn: &Connection, vote_id: i64) -> Result<Vec<Proxy>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT p.voter, e.label, r.name, p.authorization, p.expires_at FROM vote_proxies p
         JOIN vote_electorate e ON e.vote_id = p.vote_id AND e.voter = p.voter
         JOIN residents r ON r.id = p.proxy_resident_id WHERE p.vote_id = ?1 ORDER BY p.voter",
    )?;
    let v = st
        .query_map([vote_id], |r| {
            Ok(Proxy {
                voter: r.get(0)?,
                principal: r.get(1)?,
                proxy_name: r.get(2)?,
                authorization: r.get(3)?,
                expires_at: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// The voters a resident may cast for as proxy right now: (voter, principal).
pub fn principals_of(
    conn: &Connection,
    vote_id: i64,
    resident_id: i64,
) -> Result<Vec<(String, String)>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT p.voter, e.label FROM vote_proxies p
         JOIN vote_electorate e ON e.vote_id = p.vote_id AND e.voter = p.voter
         WHERE p.vote_id = ?1 AND p.proxy_resident_id = ?2 AND p.expires_at > ?3 ORDER BY p.voter",
    )?;
    let v = st
        .query_map(params![vote_id, resident_id, super::now()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// The written authorization's description, trimmed, or why it is refused.
pub fn check_authorization(text: &str) -> Result<&str, Msg> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(Msg::new(
            "请填写书面委托书的说明（如编号、日期，最多 200 字）",
            "describe the written authorization (number, date; 200 characters at most)",
        ));
    }
    Ok(t)
}

/// A refused authorization: the field at fault (`voter`, `proxy`,
/// `authorization`, `expires`) and why.
pub type Refused = (&'static str, Msg);

/// Records an authorization; returns the proxy's name, or the field it is
/// refused for (nothing written).
pub fn authorize(
    tx: &Transaction,
    v: &Vote,
    voter: &str,
    proxy_key: &str,
    authorization: &str,
    expires_at: i64,
    by: i64,
) -> Result<Result<String, Refused>, Error> {
    let in_electorate = tx
        .prepare_cached("SELECT 1 FROM vote_electorate WHERE vote_id = ?1 AND voter = ?2")?
        .exists(params![v.id, voter])?;
    if !in_electorate {
        return Ok(Err((
            "voter",
            Msg::new(
                "委托人不在选民名单中",
                "the principal is not in the electorate",
            ),
        )));
    }
    let proxy: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, name FROM residents WHERE community_id = ?1 AND key = ?2 AND active = 1",
            params![v.community_id, proxy_key.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((pid, name)) = proxy else {
        return Ok(Err((
            "proxy",
            Msg::new(
                format!("名册中没有编号为“{}”的居民", proxy_key.trim()),
                format!("no resident with id \"{}\" on the roll", proxy_key.trim()),
            ),
        )));
    };
    let authorization = match check_authorization(authorization) {
        Ok(t) => t,
        Err(m) => return Ok(Err(("authorization", m))),
    };
    if expires_at <= super::now() {
        return Ok(Err((
            "expires",
            Msg::new(
                "委托的有效期已经过去",
                "the authorization's expiry has passed",
            ),
        )));
    }
    tx.execute(
        "INSERT INTO vote_proxies (vote_id, voter, proxy_resident_id, authorization, expires_at, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (vote_id, voter) DO UPDATE SET proxy_resident_id = excluded.proxy_resident_id,
           authorization = excluded.authorization, expires_at = excluded.expires_at,
           recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        params![v.id, voter, pid, authorization, expires_at, by, super::now()],
    )?;
    Ok(Ok(name))
}

/// A proxy casts for a principal, unless the principal has voted themselves.
pub fn cast(
    tx: &Transaction,
    v: &Vote,
    voter: &str,
    proxy_resident: i64,
    choice: &str,
) -> Result<String, Error> {
    let ok = tx
        .prepare_cached(
            "SELECT 1 FROM vote_proxies WHERE vote_id = ?1 AND voter = ?2 AND proxy_resident_id = ?3 AND expires_at > ?4",
        )?
        .exists(params![v.id, voter, proxy_resident, super::now()])?;
    if !ok {
        return Err(Error::Forbidden);
    }
    let own: bool = tx
        .prepare_cached(
            "SELECT 1 FROM ballots WHERE vote_id = ?1 AND voter = ?2 AND (by_proxy IS NULL OR channel = 'paper')",
        )?
        .exists(params![v.id, voter])?;
    if own {
        return Err(Error::Conflict(Msg::new(
            "委托人已经自己投票，以本人的选票为准",
            "the principal has voted themselves; their own ballot counts",
        )));
    }
    votes::upsert_ballot(
        tx,
        v,
        voter,
        "online",
        choice,
        Some(proxy_resident),
        None,
        Some(proxy_resident),
    )
}
