//! Byte-mutation fuzzing of every parser that reads what people upload or
//! hand in: spreadsheets (XLSX, XLS, CSV), Pabulib `.pb`, the vote export
//! and totals files, attachments. Each starts from a valid file and applies
//! random flips, insertions, deletions, splices and truncations; a parser
//! may refuse, never panic, and never return more cells than its limits.
//! `scripts/test` runs these with the rest; `TEAHOUSE_FUZZ_CASES` sets how
//! many cases each parser gets (default 2,000: about two seconds in all).

use crate::sheet::{self, limits};
use proptest::prelude::*;
use std::io::Cursor;

fn cases() -> u32 {
    std::env::var("TEAHOUSE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    /// Copies a stretch of the file elsewhere (repeats structure).
    Splice(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(i, v)| Edit::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>(), 1usize..256).prop_map(|(a, b, n)| Edit::Splice(a, b, n)),
    ]
}

fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for e in edits {
        let len = v.len().max(1);
        match e {
            Edit::Flip(i, b) => {
                if !v.is_empty() {
                    let i = i % v.len();
                    v[i] ^= b | 1;
                }
            }
            Edit::Insert(i, bytes) => {
                let i = i % (v.len() + 1);
                v.splice(i..i, bytes.iter().copied());
            }
            Edit::Delete(i, n) => {
                let i = i % len;
                let end = (i + n).min(v.len());
                if i < end {
                    v.drain(i..end);
                }
            }
            Edit::Truncate(n) => v.truncate(n % len),
            Edit::Splice(a, b, n) => {
                if !v.is_empty() {
                    let a = a % v.len();
                    let end = (a + n).min(v.len());
                    let piece: Vec<u8> = v[a..end].to_vec();
                    let b = b % (v.len() + 1);
                    v.splice(b..b, piece);
                }
            }
        }
    }
    v
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(), 1..8)
}

fn roll_table() -> Vec<Vec<String>> {
    let mut t = vec![
        [
            "编号",
            "姓名",
            "网格",
            "楼栋",
            "单元",
            "房号",
            "专有面积",
            "电话",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>(),
    ];
    for i in 0..20 {
        t.push(vec![
            format!("C{i:04}"),
            format!("居民{i}"),
            "一网格".into(),
            "3".into(),
            "2".into(),
            format!("{}01", i % 9 + 1),
            "89.20".into(),
            format!("1391234{i:04}"),
        ]);
    }
    t
}

/// A sheet read from any bytes stays within the limits.
fn check_sheet(bytes: &[u8]) {
    if let Ok(s) = sheet::read(bytes) {
        let cells: usize = s.table.iter().map(Vec::len).sum();
        assert!(cells as u64 <= limits::MAX_AREA.max(limits::MAX_CELLS as u64));
        assert!(s.table.len() as u64 <= limits::MAX_ROWS as u64 + 1);
    }
}

/// An .xls-shaped file: BIFF records in an OLE container.
fn xls_seed() -> Vec<u8> {
    use std::io::Write;
    let mut biff = Vec::new();
    let mut rec = |typ: u16, body: &[u8]| {
        biff.extend(typ.to_le_bytes());
        biff.extend((body.len() as u16).to_le_bytes());
        biff.extend(body);
    };
    rec(0x0809, &[0, 6, 0x10, 0, 0, 0, 0, 0]);
    for r in 0u16..10 {
        let mut b = r.to_le_bytes().to_vec();
        b.extend(1u16.to_le_bytes());
        b.extend([0u8; 10]);
        rec(0x0203, &b);
    }
    rec(0x000A, &[]);
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/Workbook")
        .unwrap()
        .write_all(&biff)
        .unwrap();
    cf.into_inner().into_inner()
}

fn pb_seed() -> Vec<u8> {
    b"META\nkey;value\ndescription;test\nnum_projects;3\nnum_votes;4\nbudget;1000\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;400;a\n2;500;b\n3;300;c\nVOTES\nvoter_id;vote\nv1;1,2\nv2;2,3\nv3;1\nv4;3\n".to_vec()
}

fn export_seed() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "format": "teahouse.vote/1",
        "vote": {"id": "1", "community": "wutong", "title": "t", "rule": "civil_code_278_special",
                 "custom": null, "options": ["agree", "disagree", "abstain"], "secret": false,
                 "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-11-15T00:00:00Z"},
        "electorate": [
            {"voter": "o-1", "dwellings": ["3-2-101"], "area": "89.20", "household": null},
            {"voter": "o-2", "dwellings": ["3-2-201"], "area": "178.40", "household": null}
        ],
        "ballots": [{"voter": "o-1", "choice": "agree", "channel": "online",
                     "cast_at": "2026-11-02T10:00:00Z", "receipt": "R1"}]
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn xlsx_bytes(e in edits()) {
        let seed = sheet::write_xlsx("名册", &roll_table()).unwrap();
        check_sheet(&mutate(&seed, &e));
    }

    #[test]
    fn xls_bytes(e in edits()) {
        check_sheet(&mutate(&xls_seed(), &e));
    }

    #[test]
    fn csv_bytes(e in edits()) {
        check_sheet(&mutate(&sheet::write_csv(&roll_table()), &e));
        let (gbk, _, _) = encoding_rs::GBK.encode("编号,姓名\nC1,张小明\nC2,\"李,芳\"\n");
        check_sheet(&mutate(&gbk, &e));
    }

    #[test]
    fn pb_bytes(e in edits()) {
        let bytes = mutate(&pb_seed(), &e);
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Ok(pb) = crate::domain::pabulib::parse(text)
        {
            // A file that parses also counts, under both rules.
            let _ = crate::store::rounds::count(pb.instance);
        }
    }

    #[test]
    fn vote_export_bytes(e in edits()) {
        let bytes = mutate(&export_seed(), &e);
        if let Ok(x) = serde_json::from_slice::<crate::domain::vote_export::VoteExport>(&bytes) {
            let _ = crate::domain::vote_export::recount(&x);
        }
        if let Ok(t) = serde_json::from_slice::<crate::domain::vote_totals::VoteTotals>(&bytes) {
            let _ = crate::domain::vote_totals::check(&t);
        }
    }

    #[test]
    fn upload_bytes(e in edits(), name in "[a-z0-9.\\r\\n\\u{4e00}-\\u{4e10}]{0,20}") {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
        let _ = crate::domain::upload::Upload::parse(&name, mutate(&png, &e));
        let _ = crate::domain::upload::Upload::parse("a.pdf", mutate(b"%PDF-1.4\n%%EOF", &e));
    }
}
