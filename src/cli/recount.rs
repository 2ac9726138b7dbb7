//! `teahouse recount FILE`: a vote recounted from its export, or a secret
//! vote's totals re-checked, and the published result compared on what it
//! states.

use std::path::Path;

/// What `teahouse recount` found.
pub struct Recount {
    /// The recount (or, for a totals file, what was checked) as JSON.
    pub json: String,
    /// The comparison with the published result; None when the file has none.
    pub report: Option<crate::domain::vote_published::Report>,
    /// A secret vote's totals file, re-checked rather than recounted.
    pub totals: bool,
}

impl Recount {
    /// Exit 1: a figure the published result states differs.
    pub fn differs(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.differs())
    }

    /// What to print beside the JSON, each line in Chinese then in English:
    /// what differs, what is not published, what is not checked, then a sum.
    pub fn notes(&self) -> Vec<String> {
        use crate::domain::vote_published::Kind;
        let Some(r) = &self.report else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if r.differs() {
            if self.totals {
                out.push("公布的汇总经核算有不一致之处：".to_string());
                out.push("the published totals do not add up:".to_string());
            } else {
                out.push("公布的结果与重新计票不一致：".to_string());
                out.push("the published result differs from the recount:".to_string());
            }
        }
        for kind in [Kind::Differs, Kind::NotPublished, Kind::NotChecked] {
            for f in r.findings.iter().filter(|f| f.kind == kind) {
                out.push(format!("  {}", f.msg.zh));
                out.push(format!("  {}", f.msg.en));
            }
        }
        let (d, n, c) = (
            r.count(Kind::Differs),
            r.count(Kind::NotPublished),
            r.count(Kind::NotChecked),
        );
        out.push(format!(
            "公布的数字：{} 项核对一致，{d} 项不一致，{n} 项未公布，{c} 项未核对。",
            r.matched
        ));
        out.push(format!(
            "published figures: {} match, {d} differ, {n} not published, {c} not checked.",
            r.matched
        ));
        out
    }
}

/// `teahouse recount FILE`: recomputes a vote from its export, without the
/// server, and compares the published result on what it states. A malformed
/// file is an `Err` (exit 2).
pub fn recount(file: &Path) -> Result<Recount, crate::domain::Msg> {
    use crate::domain::Msg;
    use crate::domain::vote_export::{VoteExport, recount};
    use crate::domain::{vote_published, vote_totals};
    let text = std::fs::read_to_string(file).map_err(|e| {
        Msg::new(
            format!("无法读取 {}：{e}", file.display()),
            format!("cannot read {}: {e}", file.display()),
        )
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Msg::new(
            format!("不是有效的 JSON 文件：{e}"),
            format!("not a valid JSON file: {e}"),
        )
    })?;
    if value.get("format").and_then(|f| f.as_str()) == Some(vote_totals::FORMAT) {
        return recount_totals(value);
    }
    let export: VoteExport = serde_json::from_value(value).map_err(|e| {
        Msg::new(
            format!("不是有效的 teahouse.vote/1 文件：{e}"),
            format!("not a valid teahouse.vote/1 file: {e}"),
        )
    })?;
    let published = export
        .result
        .as_ref()
        .map(vote_published::parse)
        .transpose()?;
    let tally = recount(&export)?;
    let json = serde_json::to_string_pretty(&tally).unwrap_or_default();
    Ok(Recount {
        json,
        report: published.map(|p| vote_published::compare(&p, &tally)),
        totals: false,
    })
}

/// A closed secret vote's public totals: every stated test re-checked from
/// its figures; the per-voter recount needs the supervisors' file.
fn recount_totals(value: serde_json::Value) -> Result<Recount, crate::domain::Msg> {
    use crate::domain::vote_totals;
    let t = vote_totals::read(value)?;
    let report = vote_totals::check_file(&t)?;
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "format": t.format,
        "checked": "totals",
        "verdict": t.result.verdict,
        "receipts": t.receipts.len(),
        "export_sha256": t.export_sha256,
        "note": "无记名表决的汇总：已逐项核对每个条件的算术；逐票重新计票需要监督委员会持有的逐票文件（其 SHA-256 见 export_sha256）。 / Totals of a secret vote: every test's arithmetic re-checked; a per-voter recount needs the supervisors' file (its SHA-256 is export_sha256).",
    }))
    .unwrap_or_default();
    Ok(Recount {
        json,
        report: Some(report),
        totals: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn export() -> Value {
        json!({
            "format": "teahouse.vote/1",
            "vote": {"id": "v1", "community": "wutong", "title": "3栋2单元加装电梯",
                     "rule": "civil_code_278_special", "custom": null,
                     "options": ["agree", "disagree", "abstain"], "secret": false,
                     "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-11-15T00:00:00Z"},
            "electorate": [
                {"voter": "o-1", "dwellings": ["3-2-101"], "area": "89.20", "household": null},
                {"voter": "o-2", "dwellings": ["3-2-201", "3-2-202"], "area": "178.40", "household": null},
                {"voter": "o-3", "dwellings": ["3-2-301"], "area": "89.20", "household": null}
            ],
            "ballots": [
                {"voter": "o-1", "choice": "agree", "channel": "online", "cast_at": "2026-11-02T10:00:00Z", "receipt": "R1"},
                {"voter": "o-2", "choice": "agree", "channel": "paper", "cast_at": "2026-11-03T10:00:00Z", "receipt": "R2"}
            ]
        })
    }

    fn run(dir: &tempfile::TempDir, name: &str, v: &Value) -> Result<Recount, crate::domain::Msg> {
        let f = dir.path().join(name);
        std::fs::write(&f, serde_json::to_string_pretty(v).unwrap()).unwrap();
        recount(&f)
    }

    /// The export with its result as teahouse publishes it.
    fn published(dir: &tempfile::TempDir) -> Value {
        let plain = run(dir, "plain.json", &export()).unwrap();
        assert!(plain.report.is_none() && plain.notes().is_empty());
        let mut e = export();
        e["result"] = serde_json::from_str(&plain.json).unwrap();
        e
    }

    #[test]
    fn recount_compares_what_the_file_states() {
        let dir = tempfile::tempdir().unwrap();
        let full = published(&dir);
        let r = run(&dir, "full.json", &full).unwrap();
        assert!(!r.differs());
        let notes = r.notes();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[1].contains("0 differ, 0 not published, 0 not checked"));

        let mut e = full.clone();
        e["result"] = json!({"verdict": "passed"});
        let r = run(&dir, "verdict.json", &e).unwrap();
        assert!(!r.differs());
        let notes = r.notes();
        assert!(notes.contains(&"  result.agree：未公布，未比较".to_string()));
        assert!(notes.contains(&"  result.agree: not published, not compared".to_string()));
        assert!(
            notes
                .last()
                .unwrap()
                .starts_with("published figures: 1 match, 0 differ, 11 not published")
        );

        e["result"] = json!({"verdict": "failed", "signed_by": "某某"});
        let r = run(&dir, "forged.json", &e).unwrap();
        assert!(r.differs());
        let notes = r.notes();
        assert_eq!(notes[0], "公布的结果与重新计票不一致：");
        assert_eq!(notes[1], "the published result differs from the recount:");
        assert_eq!(
            notes[2],
            "  result.verdict：公布为 \"failed\"，重新计票为 \"passed\""
        );
        assert_eq!(
            notes[3],
            "  result.verdict: published \"failed\", recount \"passed\""
        );
        assert!(notes.contains(
            &"  result.signed_by: a field teahouse does not know, not checked".to_string()
        ));

        // A stated figure of the wrong kind, or no file: exit 2.
        e["result"] = json!({"verdict": 3});
        assert!(run(&dir, "bad.json", &e).is_err());
        assert!(recount(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn totals_are_checked_on_what_they_state() {
        let dir = tempfile::tempdir().unwrap();
        let full = published(&dir);
        let mut vote = full["vote"].clone();
        vote["secret"] = true.into();
        let mut t = json!({
            "format": crate::domain::vote_totals::FORMAT,
            "vote": vote,
            "receipts": ["R1", "R2"],
            "export_sha256": "x",
            "result": full["result"].clone(),
        });
        let r = run(&dir, "totals.json", &t).unwrap();
        assert!(!r.differs(), "{:?}", r.notes());
        assert_eq!(r.notes().len(), 2, "{:?}", r.notes());

        t["result"] = json!({"verdict": "passed"});
        let r = run(&dir, "totals-verdict.json", &t).unwrap();
        assert!(!r.differs());
        assert!(r.notes().contains(
            &"  result.verdict: what is published does not determine it, not checked".to_string()
        ));

        t["result"] = full["result"].clone();
        t["result"]["verdict"] = "failed".into();
        let r = run(&dir, "totals-forged.json", &t).unwrap();
        assert!(r.differs());
        assert_eq!(r.notes()[1], "the published totals do not add up:");
    }
}
