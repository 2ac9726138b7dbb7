//! Unit tests for the roll's rules (`domain::roll`).

use super::*;

fn t(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

const H: &[&str] = &[
    "编号",
    "姓名",
    "网格",
    "楼栋",
    "单元",
    "房号",
    "楼层",
    "专有面积",
    "户号",
    "产权人编号",
    "业主",
    "成年",
    "电话",
];

#[test]
fn a_good_compound_file() {
    let p = parse_table(&t(&[
        H,
        &[
            "C1",
            "张小明",
            "一网格",
            "3",
            "2",
            "501",
            "5",
            "89.20",
            "",
            "O-17",
            "是",
            "是",
            "13812345678",
        ],
        &[
            "C2",
            "李芳",
            "一网格",
            "3",
            "2",
            "501",
            "5",
            "89.20",
            "",
            "O-17",
            "是",
            "是",
            "",
        ],
        &[
            "C3",
            "张乐",
            "一网格",
            "3",
            "2",
            "501",
            "5",
            "89.20",
            "",
            "O-17",
            "否",
            "否",
            "",
        ],
        &[
            "",
            "",
            "一网格",
            "3",
            "2",
            "502",
            "5",
            "89.20",
            "",
            "O-17",
            "",
            "",
            "",
        ],
    ]))
    .unwrap();
    assert_eq!(p.rows.len(), 4);
    let d = p.rows[0].dwelling.as_ref().unwrap();
    assert_eq!(d.area_centi, 8920);
    assert_eq!(d.owner_key, "O-17");
    assert_eq!(p.rows[0].person.as_ref().unwrap().household, "3-2-501");
    assert!(p.rows[3].person.is_none());
}

#[test]
fn a_village_file_uses_households() {
    let p = parse_table(&t(&[
        &["编号", "姓名", "村民小组", "户号", "成年", "村民代表"],
        &["V1", "王建国", "第一村民小组", "1-001", "是", "是"],
        &["V2", "王小花", "第一村民小组", "1-001", "否", ""],
    ]))
    .unwrap();
    assert!(p.rows.iter().all(|r| r.dwelling.is_none()));
    assert!(p.rows[0].person.as_ref().unwrap().representative);
    assert!(!p.rows[1].person.as_ref().unwrap().adult);
}

#[test]
fn reports_every_bad_cell_with_row_and_column() {
    let e = parse_table(&t(&[
        H,
        &[
            "C1",
            "",
            "一网格",
            "3",
            "2",
            "501",
            "5",
            "89.205",
            "",
            "",
            "是",
            "是",
            "1381234",
        ],
        &[
            "C1",
            "赵六",
            "一网格",
            "3",
            "2",
            "502",
            "五",
            "90",
            "",
            "",
            "也许",
            "是",
            "",
        ],
    ]))
    .unwrap_err();
    let found: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert!(found.contains(&(2, "B 姓名")), "{found:?}");
    assert!(found.contains(&(2, "H 专有面积")), "{found:?}");
    assert!(found.contains(&(2, "M 电话")), "{found:?}");
    assert!(found.contains(&(3, "G 楼层")), "{found:?}");
    assert!(found.contains(&(3, "K 业主")), "{found:?}");
    assert!(found.contains(&(3, "A 编号")), "{found:?}");
    assert!(
        e.iter()
            .all(|e| !e.msg.zh.is_empty() && !e.msg.en.is_empty())
    );
}

#[test]
fn inconsistent_dwelling_rows_are_refused() {
    let e = parse_table(&t(&[
        H,
        &[
            "C1",
            "甲",
            "一网格",
            "3",
            "2",
            "501",
            "5",
            "89.20",
            "",
            "",
            "是",
            "是",
            "",
        ],
        &[
            "C2",
            "乙",
            "一网格",
            "3",
            "2",
            "501",
            "5",
            "89.30",
            "",
            "",
            "否",
            "是",
            "",
        ],
    ]))
    .unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].row, 3);
    assert_eq!(e[0].column, "H 专有面积");
}

#[test]
fn missing_required_columns_are_named() {
    let e = parse_table(&t(&[&["姓名", "电话"], &["甲", ""]])).unwrap_err();
    assert_eq!(e.len(), 2);
    assert!(e.iter().any(|e| e.msg.zh.contains("编号")));
    assert!(e.iter().any(|e| e.msg.zh.contains("网格")));
}

#[test]
fn owner_without_dwelling_is_refused() {
    let e = parse_table(&t(&[
        &["编号", "姓名", "网格", "户号", "业主"],
        &["V1", "甲", "一组", "1", "是"],
    ]))
    .unwrap_err();
    assert_eq!(e[0].column, "E 业主");
}

#[test]
fn a_title_row_above_the_header_is_skipped() {
    let p = parse_table(&t(&[
        &["幸福村村民花名册", "", ""],
        &["编号", "姓名", "村民小组", "户号"],
        &["V1", "王建国", "一组", "1-001"],
    ]))
    .unwrap();
    assert_eq!(p.rows[0].row, 3);
}

#[test]
fn column_letters() {
    assert_eq!(col_letter(0), "A");
    assert_eq!(col_letter(25), "Z");
    assert_eq!(col_letter(26), "AA");
}

#[test]
fn emails() {
    assert_eq!(parse_email(" a.b@example.org ").unwrap(), "a.b@example.org");
    assert_eq!(parse_email("").unwrap(), "");
    for bad in [
        "abc",
        "a@b",
        "@example.org",
        "a@@b.org",
        "a b@c.org",
        "a@b.org>",
    ] {
        let m = parse_email(bad).unwrap_err();
        assert!(m.zh.contains("邮箱") && m.en.contains("e-mail"), "{bad}");
    }
}

#[test]
fn phones() {
    assert!(parse_phone("138 1234 5678").is_ok());
    assert!(parse_phone("0510-82345678").is_ok());
    assert!(parse_phone("1381234").is_err());
    assert!(parse_phone("abc").is_err());
}
