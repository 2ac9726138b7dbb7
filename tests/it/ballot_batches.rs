//! Ballots written in groups: the committee enters many paper ballots at
//! once, so the writer takes them into shared transactions; a refused ballot
//! among them (a voter not in the electorate, a choice the vote does not
//! offer, a vote not yet open) gets its own refusal, and its neighbours are
//! saved and audited all the same.

use crate::common::*;
use reqwest::StatusCode;

/// A village vote made by the committee: its path, opened or left a draft.
async fn vote(com: &mut Client, title: &str, open: bool) -> String {
    com.get("/c/xingfu/votes/new").await;
    let r = com
        .post(
            "/c/xingfu/votes",
            &[
                ("title", title),
                ("scope", "community"),
                ("rule", "villagers_meeting"),
                ("opens", "2026-01-01"),
                ("closes", "2099-01-01"),
            ],
        )
        .await;
    let path = r.location.expect("the vote was made");
    if open {
        let r = com.post(&format!("{path}/open"), &[("confirm", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    path
}

/// What one ballot sent should come back with.
#[derive(Clone)]
enum Expect {
    Saved(String),
    Refused(&'static str),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_ballots_sent_with_good_ones_get_their_own_answers() {
    let srv = Server::start().await;
    let mut com = srv.client();
    com.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let open = vote(&mut com, "成批写入的表决", true).await;
    let draft = vote(&mut com, "还没开始的表决", false).await;
    let id: i64 = open.rsplit('/').next().unwrap().parse().unwrap();
    let voters: Vec<String> = srv
        .sql()
        .prepare("SELECT voter FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter LIMIT 160")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(voters.len(), 160);

    // Every fourth ballot is refused, each kind in turn: the others around
    // it are sent by the same sessions at the same time.
    let mut sends: Vec<(String, String, String, Expect)> = Vec::new();
    for (i, v) in voters.iter().enumerate() {
        let (path, voter, choice, want) = match i % 12 {
            3 => (
                open.clone(),
                format!("无此人{i}"),
                "agree".to_string(),
                Expect::Refused("这位选民不在名单中"),
            ),
            7 => (
                open.clone(),
                v.clone(),
                format!("maybe{i}"),
                Expect::Refused("请选择同意、不同意或弃权"),
            ),
            11 => (
                draft.clone(),
                v.clone(),
                "agree".to_string(),
                Expect::Refused("表决还没有开始"),
            ),
            _ => (
                open.clone(),
                v.clone(),
                "agree".to_string(),
                Expect::Saved(v.clone()),
            ),
        };
        sends.push((path, voter, choice, want));
    }
    // Eight senders at once, on the one committee session (its cookie jar
    // and CSRF token shared: logging in eight times would hit the limit).
    com.get("/c/xingfu/votes").await;
    let mut tasks = Vec::new();
    for k in 0..8 {
        let mine: Vec<_> = sends.iter().skip(k).step_by(8).cloned().collect();
        let mut c = Client {
            http: com.http.clone(),
            base: com.base.clone(),
            csrf: com.csrf.clone(),
        };
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for (path, voter, choice, want) in mine {
                let r = c
                    .post(
                        &format!("{path}/paper"),
                        &[("voter", voter.as_str()), ("choice", choice.as_str())],
                    )
                    .await;
                out.push((r, want));
            }
            out
        }));
    }
    let mut saved = Vec::new();
    let mut refused = 0;
    for t in tasks {
        for (r, want) in t.await.unwrap() {
            match want {
                Expect::Saved(v) => {
                    assert_eq!(r.status, StatusCode::SEE_OTHER, "{v}: {}", r.body);
                    saved.push(v);
                }
                Expect::Refused(why) => {
                    assert!(r.status.is_client_error(), "{why}: {}", r.status);
                    assert!(r.has(why), "{why}: {}", r.body);
                    refused += 1;
                }
            }
        }
    }
    assert_eq!(refused, 40);
    saved.sort();

    // Exactly the good ballots are stored, each with its audit row.
    let c = srv.sql();
    let stored: Vec<String> = c
        .prepare("SELECT voter FROM ballots WHERE vote_id = ?1 ORDER BY voter")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(stored, saved);
    let audited: i64 = c
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'vote.paper' AND target = ?1",
            [format!("vote:{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited as usize, saved.len());
    let in_draft: i64 = c
        .query_row(
            "SELECT count(*) FROM ballots b JOIN votes v ON v.id = b.vote_id WHERE v.status = 'draft'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(in_draft, 0);
    srv.stop().await;
}
