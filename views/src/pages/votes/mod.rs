//! Votes: the list, the committee's new-vote form, and one vote's page,
//! which changes with its status and the reader's role. One file a part.

mod ballots;
mod desk;
mod elevator;
mod form;
mod notice;
mod page;
mod tally_sheet;

pub use ballots::{BallotLine, BallotTable, Rows, ballot_rows};
pub use elevator::ElevatorView;
pub use form::{NewVoteValues, new_form};
pub use notice::{NoticeView, notice_page};
pub use page::{ObjectionLine, OptionLine, ResultView, TestLine, VoteView, vote_page};

/// The forms of a vote's page that come back refused, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The committee's cost-sharing plan of an elevator retrofit.
    Plan,
    /// An affected dwelling and its owner's consent.
    Affected,
    /// An objection lodged during publicity.
    Objection,
    /// The committee's answer to the objection with this id.
    Answer(i64),
    /// The reader's own ballot.
    Cast,
    /// A paper ballot entered by the committee.
    Paper,
    /// A proxy's ballot for the principal it names (`voter`, as typed).
    ProxyBallot,
    /// A written proxy recorded by the committee.
    Proxy,
}
pub use tally_sheet::{PendingSheet, SheetRow, TallySheetView, tally_sheet_page};

use crate::chrome::Chrome;
use crate::layout::page;
use maud::{Markup, html};

/// A vote's status as a reader sees it: a closed vote is in publicity until
/// its result is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Draft,
    Open,
    Publicity,
    Final,
}

impl Shown {
    pub fn words(self, c: &Chrome) -> &'static str {
        match self {
            Shown::Draft => c.t("草稿", "draft"),
            Shown::Open => c.t("投票中", "open"),
            Shown::Publicity => c.t("公示中", "in publicity"),
            Shown::Final => c.t("最终结果", "final"),
        }
    }
}

pub struct VoteLine {
    pub id: i64,
    pub title: String,
    pub status: Shown,
    pub scope: String,
    pub closes: String,
    pub verdict: Option<String>,
}

pub fn verdict_words(c: &Chrome, v: &str) -> &'static str {
    match v {
        "passed" => c.t("通过", "passed"),
        "failed" => c.t("未通过", "not passed"),
        _ => c.t("参与人数不足，未形成决定", "too few took part: no decision"),
    }
}

/// The list of votes, also used on the board.
pub fn vote_list(c: &Chrome, slug: &str, votes: &[VoteLine]) -> Markup {
    html! {
        @if votes.is_empty() {
            p.empty { (c.t("目前没有表决。加装电梯等需要业主或村民表决的事项会在这里投票和公布结果。",
                "No votes at the moment. Decisions such as an elevator retrofit will be voted on and their results published here.")) }
        } @else {
            ul.vote-list {
                @for v in votes {
                    li {
                        a href={"/c/" (slug) "/votes/" (v.id)} { (v.title) }
                        " " span.tag { (v.status.words(c)) }
                        br;
                        span.muted { (v.scope) " · " (c.t("截止 ", "closes ")) (v.closes) }
                        @if let Some(verdict) = &v.verdict { " · " strong { (verdict_words(c, verdict)) } }
                    }
                }
            }
        }
    }
}

pub fn list_page(c: &Chrome, slug: &str, votes: &[VoteLine]) -> Markup {
    page(
        c,
        c.t("表决", "Votes"),
        html! {
            h1 { (c.t("表决", "Votes")) }
            @if c.is_committee() { p { a.button href={"/c/" (slug) "/votes/new"} { (c.t("发起表决", "New vote")) } } }
            (vote_list(c, slug, votes))
            p { a href={"/c/" (slug) "/ledger"} { (c.t("公开记录（哈希链）", "Public ledger (hash chain)")) } }
        },
    )
}
