//! What a vote's page reads, in one trip to a reader connection: what it
//! shows, never the whole electorate or every ballot unless it lists them.
//! A closed vote's figures and list order come from [`Published`] (kept in
//! memory by the handler), its ballot list a page at a time.

use crate::domain::Subject;
use crate::error::Error;
use crate::store::votes::listing::{self, Figures};
use crate::store::votes::{self, Published, Status, Vote};
use crate::store::{attachments, elevator, ledger, objections, proxies, vote_files};
use std::collections::HashSet;
use std::sync::Arc;

/// Ballots on one page of the list (the whole list is the count file).
pub(super) const BALLOTS_PER_PAGE: usize = 200;

/// An elevator retrofit's plan, affected dwellings and the unit's dwellings.
pub(super) type ElevatorData = (
    Option<elevator::Plan>,
    Vec<elevator::Affected>,
    Vec<(String, i32)>,
);

/// Everything the vote page reads, in one trip to a reader connection: what
/// it shows, never the whole electorate or every ballot unless it lists
/// them (a draft's preview, an open vote's committee desk).
pub(super) struct PageData {
    pub(super) vote: Vote,
    /// The whole electorate, only where the page lists it.
    pub(super) electorate: Vec<votes::Elector>,
    pub(super) figures: Figures,
    pub(super) my_voter: Option<String>,
    /// The reader's own ballots, one per channel.
    pub(super) mine: Vec<votes::Ballot>,
    /// Who has voted: for the committee's desk of an open vote only.
    pub(super) voted: HashSet<String>,
    /// A closed vote's figures and list order, and whether read just now.
    pub(super) published: Option<(Arc<Published>, bool)>,
    /// The page of the ballot list shown, whether read just now (else
    /// kept), and (that page, how many pages).
    pub(super) lines: (Arc<Vec<listing::Line>>, bool),
    pub(super) ballot_page: (usize, usize),
    pub(super) conflicts: Vec<(String, bool)>,
    pub(super) receipts: Vec<String>,
    pub(super) paper_by: Vec<(String, i64)>,
    pub(super) entries: Vec<crate::domain::ledger::Entry>,
    pub(super) objections: Vec<objections::Objection>,
    pub(super) elevator: Option<ElevatorData>,
    /// Voters the reader casts for as their proxy: (voter, name, choice so far).
    pub(super) proxy_for: Vec<(String, String, Option<String>)>,
    pub(super) proxies: Vec<proxies::Proxy>,
    pub(super) files: Vec<attachments::Attachment>,
    /// Voters agreeing so far (an open elevator retrofit's sign-up).
    pub(super) agreed: usize,
}

/// Who reads the page, and what of it they asked for.
pub(super) struct Asked {
    pub(super) cid: i64,
    pub(super) id: i64,
    pub(super) committee: bool,
    pub(super) resident: Option<i64>,
    pub(super) ballot_page: usize,
    /// The vote's published part as kept in memory, if it is.
    pub(super) kept: Option<Arc<Published>>,
    /// The asked page of its ballot list as kept in memory, if it is.
    pub(super) kept_lines: Option<Arc<Vec<listing::Line>>>,
}

/// The page of a list of `listed` ballots shown for `asked` (from 1; past
/// the last is the last), and how many pages there are.
pub(super) fn page_number(listed: usize, asked: usize) -> (usize, usize) {
    let pages = listed.div_ceil(BALLOTS_PER_PAGE).max(1);
    (asked.clamp(1, pages), pages)
}

/// Reads everything the vote page shows on one reader connection; what a
/// reader may not see (a draft, the committee's lists) is not read at all,
/// nor what the page does not list: a closed vote's list is read a page at
/// a time in the order kept in [`Published`].
pub(super) fn read_page(c: &rusqlite::Connection, a: &Asked) -> Result<PageData, Error> {
    let vote = votes::get(c, a.cid, a.id)?;
    if vote.status == Status::Draft && !a.committee {
        return Err(Error::NotFound);
    }
    let (open, closed) = (vote.status == Status::Open, vote.status == Status::Closed);
    let electorate = electorate(c, a, &vote)?;
    let published = match (closed, &a.kept) {
        (false, _) => None,
        (true, Some(p)) => Some((p.clone(), false)),
        (true, None) => Some((Arc::new(listing::published(c, &vote)?), true)),
    };
    let figures = match &published {
        Some((p, _)) => p.figures,
        None if open && !a.committee => listing::figures(c, a.id)?,
        None => Figures::of(&electorate),
    };
    let (my_voter, mine) = own_ballots(c, a, &vote)?;
    let (lines, ballot_page) = match &published {
        Some((p, _)) if !vote.secret => page_of(c, a, p)?,
        _ => ((Arc::default(), false), (1, 1)),
    };
    // Who entered how many paper ballots: for everyone once closed,
    // for the committee while open (never whose, never what).
    let paper_by = match &published {
        Some((p, _)) => p.paper_by.clone(),
        None if a.committee => votes::paper_by(c, a.id)?,
        None => Vec::new(),
    };
    let desk = open && a.committee;
    let elevator = elevator_of(c, &vote)?;
    Ok(PageData {
        voted: if desk {
            listing::voters_with_ballots(c, a.id)?
        } else {
            HashSet::new()
        },
        conflicts: if desk {
            votes::conflicts_detail(c, a.id)?
        } else {
            Vec::new()
        },
        receipts: if vote.secret && closed {
            vote_files::receipts(c, a.id)?
        } else {
            Vec::new()
        },
        entries: ledger::entries_for(c, a.cid, &Subject::Vote(a.id).to_string())?,
        objections: objections::list(c, a.id)?,
        proxy_for: match a.resident {
            Some(r) if open => proxied(c, a.id, r)?,
            _ => Vec::new(),
        },
        proxies: if a.committee {
            proxies::list(c, a.id)?
        } else {
            Vec::new()
        },
        agreed: if elevator.is_some() && open && !vote.secret {
            listing::agreed_count(c, a.id)?
        } else {
            0
        },
        files: attachments::list(c, a.cid, &Subject::Vote(a.id).to_string())?,
        elevator,
        vote,
        electorate,
        figures,
        my_voter,
        mine,
        published,
        lines,
        ballot_page,
        paper_by,
    })
}

/// The reader's voter id in this vote, and their ballots (one per channel).
fn own_ballots(
    c: &rusqlite::Connection,
    a: &Asked,
    vote: &Vote,
) -> Result<(Option<String>, Vec<votes::Ballot>), Error> {
    let my_voter = match a.resident {
        Some(r) if vote.status != Status::Draft => votes::voter_for(c, a.id, r)?,
        _ => None,
    };
    let mine = match &my_voter {
        Some(me) => listing::ballots_of(c, a.id, me)?,
        None => Vec::new(),
    };
    Ok((my_voter, mine))
}

/// The whole electorate where the page lists it: a live preview for
/// drafts, the frozen list while the committee takes ballots.
fn electorate(
    c: &rusqlite::Connection,
    a: &Asked,
    vote: &Vote,
) -> Result<Vec<votes::Elector>, Error> {
    Ok(match vote.status {
        Status::Draft => {
            votes::compute_electorate(c, a.cid, &vote.scope, vote.rule, vote.custom.as_ref())?
        }
        Status::Open if a.committee => votes::frozen_electorate(c, a.id)?,
        _ => Vec::new(),
    })
}

/// An elevator retrofit's plan, affected dwellings and the unit's dwellings.
fn elevator_of(c: &rusqlite::Connection, vote: &Vote) -> Result<Option<ElevatorData>, Error> {
    if !elevator::applies(vote) {
        return Ok(None);
    }
    Ok(Some((
        elevator::plan(c, vote)?,
        elevator::affected(c, vote.id)?,
        elevator::unit_dwellings(c, vote)?,
    )))
}

/// One page of a closed vote's ballot list (see [`page_number`]): its rows
/// (kept, or read now) and (that page, how many pages).
type PageOf = ((Arc<Vec<listing::Line>>, bool), (usize, usize));

fn page_of(c: &rusqlite::Connection, a: &Asked, p: &Published) -> Result<PageOf, Error> {
    let (page, pages) = page_number(p.listed.len(), a.ballot_page);
    if let Some(kept) = &a.kept_lines {
        return Ok(((kept.clone(), false), (page, pages)));
    }
    let from = (page - 1) * BALLOTS_PER_PAGE;
    let to = (from + BALLOTS_PER_PAGE).min(p.listed.len());
    let lines = listing::lines(c, a.id, &p.listed[from..to])?;
    Ok(((Arc::new(lines), true), (page, pages)))
}

/// The voters a resident casts for as their proxy, with the proxy's ballot so far.
fn proxied(
    c: &rusqlite::Connection,
    id: i64,
    resident: i64,
) -> Result<Vec<(String, String, Option<String>)>, Error> {
    proxies::principals_of(c, id, resident)?
        .into_iter()
        .map(|(voter, principal)| {
            let current = listing::ballots_of(c, id, &voter)?
                .into_iter()
                .find(|b| b.channel == "proxy")
                .map(|b| b.choice);
            Ok((voter, principal, current))
        })
        .collect()
}
