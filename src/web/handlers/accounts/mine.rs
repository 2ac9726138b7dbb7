//! The resident's own record on the account page: reads `store::mine` in
//! one trip and puts each row in the reader's words (a vote's receipt, never
//! its choice; a round ballot's own approvals; a question and its answer).

use crate::error::Error;
use crate::store::accounts::Account;
use crate::store::mine::{self, Latest, MyProposal, MyQuestion, MyRoundBallot, MyVote, Place};
use crate::store::votes::Status as VoteStatus;
use crate::web::AppState;
use crate::web::handlers::fmt_time;
use teahouse_views::Msg;
use teahouse_views::pages::mine as view;

/// Rows a list shows at first, and when asked for in full.
const FIRST: usize = 5;
const ALL: usize = 100;

fn list<T>(l: Latest<T>, expanded: bool, f: impl Fn(T) -> view::Item) -> view::List {
    view::List {
        items: l.rows.into_iter().map(f).collect(),
        total: l.total,
        expanded,
    }
}

/// The community's name as a fact, when the account is in more than one.
fn where_fact(p: &Place, many: bool) -> Vec<Msg> {
    if many {
        vec![Msg::new(p.community.clone(), p.community.clone())]
    } else {
        Vec::new()
    }
}

fn proposal(p: MyProposal, many: bool, cosigned: bool) -> view::Item {
    let (zh, en) = p.status.label();
    let mut facts = where_fact(&p.place, many);
    let at = fmt_time(p.at, &p.place.tz);
    facts.push(if cosigned {
        Msg::new(format!("{at} 附议"), format!("co-signed {at}"))
    } else {
        Msg::new(format!("{at} 提出"), format!("proposed {at}"))
    });
    if p.needed > 0 {
        facts.push(Msg::new(
            format!("附议 {} / {}", p.cosigns, p.needed),
            format!("co-signed {} / {}", p.cosigns, p.needed),
        ));
    }
    view::Item {
        href: format!("/c/{}/proposals/{}", p.place.slug, p.id),
        title: p.title,
        tag: Some((p.status.as_str().into(), Msg::new(zh, en))),
        facts,
        receipt: None,
        texts: Vec::new(),
    }
}

fn vote(v: MyVote, many: bool) -> view::Item {
    let tz = &v.place.tz;
    let (class, words) = match v.status {
        VoteStatus::Draft => ("draft", Msg::new("未开始", "not open yet")),
        VoteStatus::Open => ("open", Msg::new("进行中", "open")),
        VoteStatus::Closed => ("closed", Msg::new("已结束", "closed")),
    };
    let mut facts = where_fact(&v.place, many);
    if v.status == VoteStatus::Open {
        let at = fmt_time(v.closes_at, tz);
        facts.push(Msg::new(format!("{at} 截止"), format!("closes {at}")));
    }
    let receipt = v.ballot.as_ref().map(|b| b.1.clone());
    facts.push(match &v.ballot {
        Some((channel, _, at)) => {
            let at = fmt_time(*at, tz);
            if channel == "paper" {
                Msg::new(
                    format!("已投票（纸质，{at}）"),
                    format!("voted (on paper, {at})"),
                )
            } else {
                Msg::new(
                    format!("已投票（网上，{at}）"),
                    format!("voted (online, {at})"),
                )
            }
        }
        None => Msg::new("没有投票", "did not vote"),
    });
    view::Item {
        href: format!("/c/{}/votes/{}", v.place.slug, v.id),
        title: v.title,
        tag: Some((class.into(), words)),
        facts,
        receipt,
        texts: Vec::new(),
    }
}

fn round(b: MyRoundBallot, many: bool) -> view::Item {
    let mut facts = where_fact(&b.place, many);
    let at = fmt_time(b.cast_at, &b.place.tz);
    facts.push(Msg::new(format!("{at} 投票"), format!("voted {at}")));
    let chosen = if b.approved.is_empty() {
        "—".to_string()
    } else {
        b.approved
            .iter()
            .map(|(code, title)| format!("{code} {title}"))
            .collect::<Vec<_>>()
            .join("；")
    };
    view::Item {
        href: format!("/c/{}/rounds/{}", b.place.slug, b.round),
        title: b.title,
        tag: None,
        facts,
        receipt: None,
        texts: vec![(
            Msg::new(
                "我赞成的项目（只有你自己看得到）",
                "Projects I approved (only you see this)",
            ),
            chosen,
        )],
    }
}

fn question(q: MyQuestion, many: bool) -> view::Item {
    let tz = &q.place.tz;
    let mut facts = where_fact(&q.place, many);
    let at = fmt_time(q.asked_at, tz);
    facts.push(if q.query {
        Msg::new(format!("{at} 质询"), format!("queried {at}"))
    } else {
        Msg::new(format!("{at} 提问"), format!("asked {at}"))
    });
    let mut texts = vec![(
        if q.query {
            Msg::new("我的质询", "My query")
        } else {
            Msg::new("我的问题", "My question")
        },
        q.text,
    )];
    let tag = match q.answer {
        Some((answer, at)) => {
            let at = fmt_time(at, tz);
            texts.push((
                Msg::new(format!("答复（{at}）"), format!("Answer ({at})")),
                answer,
            ));
            ("answered", Msg::new("已答复", "answered"))
        }
        None => ("open", Msg::new("等待答复", "awaiting an answer")),
    };
    view::Item {
        href: format!("/c/{}/disclosures/{}", q.place.slug, q.disclosure),
        title: q.title,
        tag: Some((tag.0.into(), tag.1)),
        facts,
        receipt: None,
        texts,
    }
}

/// The record of `acc`, with the list named by `all` in full.
pub async fn record(st: &AppState, acc: &Account, all: &str) -> Result<view::Mine, Error> {
    let (id, resident) = (acc.id, acc.resident_id);
    let n = |key: &str| if all == key { ALL } else { FIRST };
    let (np, nc, nv, nr, nq) = (
        n("proposals"),
        n("cosigns"),
        n("votes"),
        n("rounds"),
        n("questions"),
    );
    let (p, c, v, r, q) = st
        .db
        .read(move |conn| {
            let votes = match resident {
                Some(rid) => mine::votes(conn, rid, nv)?,
                None => Latest {
                    rows: Vec::new(),
                    total: 0,
                },
            };
            Ok((
                mine::proposals(conn, id, np)?,
                mine::cosigns(conn, id, nc)?,
                votes,
                mine::round_ballots(conn, id, nr)?,
                mine::questions(conn, id, nq)?,
            ))
        })
        .await?;
    let mut slugs: Vec<&str> = acc.memberships.iter().map(|m| m.slug.as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    let many = slugs.len() > 1;
    Ok(view::Mine {
        proposals: list(p, all == "proposals", |x| proposal(x, many, false)),
        cosigns: list(c, all == "cosigns", |x| proposal(x, many, true)),
        votes: list(v, all == "votes", |x| vote(x, many)),
        rounds: list(r, all == "rounds", |x| round(x, many)),
        questions: list(q, all == "questions", |x| question(x, many)),
    })
}
