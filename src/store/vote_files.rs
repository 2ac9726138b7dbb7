//! The files a vote is published as. Which one a reader gets depends on the
//! vote being secret (see README "Secret ballots"):
//!
//! | file | open vote | secret vote |
//! |---|---|---|
//! | [`Form::Ledger`] — never downloaded; hashed into the ledger | voter ids, dwellings, times, receipts | the same |
//! | [`Form::Recount`] — `export.json` (secret: `?full=1`, supervisors only, after closing) | same as the ledger form | pseudonyms sorted, area, household pseudonym, choice, channel; no time, no receipt |
//! | [`totals`] — `export.json` of a closed secret vote for everyone | — | the figures and the sorted receipts only |
//!
//! The SHA-256 of the recount file is recorded when the vote closes, so a
//! copy handed on by a supervisor can be checked by anyone.

use super::votes::{Vote, ballots};
use crate::domain::ledger;
use crate::domain::vote_export::{self, BallotEntry, ElectorateEntry, VoteExport, VoteHeader};
use crate::domain::vote_totals::{self, VoteTotals};
use crate::domain::{Area, Msg};
use crate::error::Error;
use rusqlite::Connection;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Everything, for the ledger's hashes (never served as a file).
    Ledger,
    /// What a recount needs: for a secret vote, nothing that names a person
    /// or orders the ballots in time.
    Recount,
}

fn rfc3339(ts: i64) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn zone(tz: &str) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// The start of the community's day holding `ts`: a secret ballot keeps no
/// finer time than that, even in the database.
pub fn day_floor(ts: i64, tz: &str) -> i64 {
    jiff::Timestamp::from_second(ts)
        .ok()
        .and_then(|t| t.to_zoned(zone(tz)).start_of_day().ok())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(ts - ts.rem_euclid(86_400))
}

#[cfg(test)]
fn day_of(ts: i64, tz: &str) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_zoned(zone(tz)).date().to_string())
        .unwrap_or_default()
}

fn header(v: &Vote, slug: String) -> VoteHeader {
    VoteHeader {
        id: v.id.to_string(),
        community: slug,
        title: v.title.clone(),
        rule: v.rule.as_str().into(),
        custom: v.custom.clone(),
        options: match &v.options {
            Some(o) => o.ids(),
            None => vec!["agree".into(), "disagree".into(), "abstain".into()],
        },
        option_labels: v.options.as_ref().map(|o| o.labels.clone()),
        max_choices: v.options.as_ref().map(|o| o.max),
        secret: v.secret,
        opens_at: rfc3339(v.opens_at),
        closes_at: rfc3339(v.closes_at),
    }
}

fn community(conn: &Connection, id: i64) -> Result<(String, String), Error> {
    Ok(conn
        .prepare_cached("SELECT slug, tz FROM communities WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// The `teahouse.vote/1` file in the given form.
pub fn export(conn: &Connection, v: &Vote, form: Form) -> Result<VoteExport, Error> {
    let (slug, _) = community(conn, v.community_id)?;
    let hide = v.secret && form == Form::Recount;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut electorate = Vec::new();
    {
        let mut st = conn.prepare_cached(
            "SELECT voter, pseudonym, dwellings, area_centi, household FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter",
        )?;
        let rows = st.query_map([v.id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        for row in rows {
            let (voter, pseudo, dwellings, area, household) = row?;
            let shown = if hide { pseudo } else { voter.clone() };
            names.insert(voter, shown.clone());
            electorate.push(ElectorateEntry {
                voter: shown,
                dwellings: if hide {
                    Vec::new()
                } else {
                    serde_json::from_str(&dwellings).unwrap_or_default()
                },
                area: area.map(|a| Area::from_centi(a).to_string()),
                household: household.map(|h| {
                    if hide {
                        format!(
                            "h-{}",
                            &ledger::sha256_hex(format!("{}:{h}", v.salt).as_bytes())[..8]
                        )
                    } else {
                        h
                    }
                }),
            });
        }
    }
    if hide {
        electorate.sort_by(|a, b| a.voter.cmp(&b.voter));
    }
    let mut ballots_out: Vec<BallotEntry> = ballots(conn, v.id)?
        .into_iter()
        .map(|b| BallotEntry {
            voter: names.get(&b.voter).cloned().unwrap_or(b.voter),
            choice: b.choice,
            channel: b.channel,
            cast_at: if hide {
                String::new()
            } else {
                rfc3339(b.cast_at)
            },
            receipt: if hide { String::new() } else { b.receipt },
        })
        .collect();
    ballots_out.sort_by(|a, b| a.voter.cmp(&b.voter));
    Ok(VoteExport {
        format: vote_export::FORMAT.into(),
        vote: header(v, slug),
        electorate,
        ballots: ballots_out,
        result: v.result.as_ref().and_then(|t| serde_json::to_value(t).ok()),
    })
}

/// The recount file exactly as it is downloaded.
pub fn export_bytes(conn: &Connection, v: &Vote) -> Result<Vec<u8>, Error> {
    let e = export(conn, v, Form::Recount)?;
    serde_json::to_vec_pretty(&e).map_err(|err| Error::Internal(err.to_string()))
}

/// SHA-256 (hex) of the recount file.
pub fn export_sha256(conn: &Connection, v: &Vote) -> Result<String, Error> {
    Ok(ledger::sha256_hex(&export_bytes(conn, v)?))
}

/// How many may vote, and how many have (participation, never a choice).
pub fn participation(conn: &Connection, vote_id: i64) -> Result<(i64, i64), Error> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM vote_electorate WHERE vote_id = ?1),
                    (SELECT count(DISTINCT voter) FROM ballots WHERE vote_id = ?1)",
        )?
        .query_row([vote_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Open votes whose closing time has come: (community, vote).
pub fn due(conn: &Connection, now: i64) -> Result<Vec<(i64, i64)>, Error> {
    let mut s = conn.prepare_cached(
        "SELECT community_id, id FROM votes WHERE status = 'open' AND closes_at <= ?1",
    )?;
    let v = s
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// The receipts of the ballots counted, sorted (never next to a choice).
pub fn receipts(conn: &Connection, vote_id: i64) -> Result<Vec<String>, Error> {
    let mut r: Vec<String> = ballots(conn, vote_id)?
        .into_iter()
        .map(|b| b.receipt)
        .collect();
    r.sort();
    Ok(r)
}

/// While a secret vote is open nobody sees a choice, a count or a receipt list.
pub fn sealed() -> Error {
    Error::Conflict(Msg::new(
        "无记名表决进行中：结束前不公布任何选择或计票。",
        "This secret vote is still open: no choice or count is published before it closes.",
    ))
}

/// The public file of a closed secret vote.
pub fn totals(conn: &Connection, v: &Vote) -> Result<VoteTotals, Error> {
    let Some(result) = v.result.clone() else {
        return Err(sealed());
    };
    let (slug, _) = community(conn, v.community_id)?;
    Ok(VoteTotals {
        format: vote_totals::FORMAT.into(),
        vote: header(v, slug),
        receipts: receipts(conn, v.id)?,
        export_sha256: export_sha256(conn, v)?,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_ballot_keeps_the_day_only() {
        // Any instant: its floor is midnight of the same local day.
        let ts = jiff::Timestamp::from_second(1_764_603_000).unwrap();
        let t = ts.as_second();
        let floor = day_floor(t, "Asia/Shanghai");
        assert_eq!(
            day_of(floor, "Asia/Shanghai"),
            day_of(t, "Asia/Shanghai"),
            "same day"
        );
        assert!(floor <= t && t - floor < 86_400);
        assert_eq!(
            jiff::Timestamp::from_second(floor)
                .unwrap()
                .to_zoned(zone("Asia/Shanghai"))
                .time(),
            jiff::civil::time(0, 0, 0, 0)
        );
    }
}
