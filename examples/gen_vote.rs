//! Writes a synthetic `teahouse.vote/1` export for benchmarks:
//! `gen_vote OUT.json VOTERS` — an owners' vote (civil_code_278_special)
//! where every voter casts a ballot, with the published result filled in.

use teahouse::domain::Area;
use teahouse::domain::vote_export::{
    BallotEntry, ElectorateEntry, FORMAT, VoteExport, VoteHeader, recount,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: gen_vote OUT.json VOTERS");
    let n: usize = args.next().and_then(|x| x.parse().ok()).unwrap_or(100_000);
    let mut e = VoteExport {
        format: FORMAT.into(),
        vote: VoteHeader {
            id: "bench".into(),
            community: "bench".into(),
            title: "benchmark".into(),
            rule: "civil_code_278_special".into(),
            custom: None,
            options: vec!["agree".into(), "disagree".into(), "abstain".into()],
            option_labels: None,
            max_choices: None,
            secret: false,
            opens_at: "2026-01-01T00:00:00Z".into(),
            closes_at: "2026-01-15T00:00:00Z".into(),
        },
        electorate: Vec::with_capacity(n),
        ballots: Vec::with_capacity(n),
        result: None,
    };
    for i in 0..n {
        let voter = format!("o-{i}");
        e.electorate.push(ElectorateEntry {
            voter: voter.clone(),
            dwellings: vec![format!("{}-{}-{}", i / 1000, i % 2 + 1, i % 1000)],
            area: Some(Area::from_centi(6000 + (i as i64 * 37) % 9000).to_string()),
            household: None,
        });
        let choice = ["agree", "agree", "agree", "agree", "disagree", "abstain"][i % 6];
        e.ballots.push(BallotEntry {
            voter,
            choice: choice.into(),
            channel: if i % 3 == 0 { "paper" } else { "online" }.into(),
            cast_at: "2026-01-02T08:00:00Z".into(),
            receipt: format!("R{i:08}"),
        });
    }
    let t = recount(&e).expect("valid");
    e.result = Some(serde_json::to_value(&t).unwrap());
    std::fs::write(&out, serde_json::to_string(&e).unwrap()).unwrap();
    eprintln!("{out}: {n} voters and ballots, verdict {}", t.verdict);
}
