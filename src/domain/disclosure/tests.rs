//! Unit tests of the disclosure rules: periods and cadences, table checks,
//! money, masked names and the diff between revisions.

use super::*;

fn t(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn date(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

#[test]
fn periods_parse_and_print() {
    for s in ["2026-03", "2026-Q1", "2026", "2026-03-15"] {
        assert_eq!(Period::parse(s).unwrap().key(), s);
    }
    assert_eq!(Period::parse("2026-q2").unwrap(), Period::Quarter(2026, 2));
    assert_eq!(Period::parse("2026-3").unwrap().key(), "2026-03");
    for bad in ["2026-13", "2026-Q5", "26", "2026-02-30", "March"] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Period::Month(2026, 3).words().0, "2026年3月");
    assert!(Period::Month(2026, 3).fits(Cadence::Monthly));
    assert!(!Period::Month(2026, 3).fits(Cadence::Quarterly));
}

#[test]
fn what_is_due_and_what_is_missing() {
    // On 10 April March is not yet due (grace); on 11 April it is.
    assert_eq!(
        due_period(Cadence::Monthly, date("2026-04-10")),
        Some(Period::Month(2026, 2))
    );
    assert_eq!(
        due_period(Cadence::Monthly, date("2026-04-11")),
        Some(Period::Month(2026, 3))
    );
    assert_eq!(
        due_period(Cadence::Monthly, date("2026-01-20")),
        Some(Period::Month(2025, 12))
    );
    assert_eq!(
        due_period(Cadence::Quarterly, date("2026-04-11")),
        Some(Period::Quarter(2026, 1))
    );
    assert_eq!(
        due_period(Cadence::Quarterly, date("2026-05-01")),
        Some(Period::Quarter(2026, 1))
    );
    assert_eq!(
        due_period(Cadence::Quarterly, date("2026-04-05")),
        Some(Period::Quarter(2025, 4))
    );
    assert_eq!(
        due_period(Cadence::Yearly, date("2026-06-01")),
        Some(Period::Year(2025))
    );
    assert_eq!(due_period(Cadence::Prompt, date("2026-06-01")), None);
    let done: Vec<Period> = [1, 2, 4, 5]
        .iter()
        .map(|m| Period::Month(2026, *m))
        .collect();
    assert_eq!(
        missing(Cadence::Monthly, &done, date("2026-07-15")),
        vec![Period::Month(2026, 3), Period::Month(2026, 6)]
    );
    assert!(missing(Cadence::Monthly, &[], date("2026-07-15")).is_empty());
}

#[test]
fn money() {
    assert_eq!(parse_money("1,234.5"), Some(123450));
    assert_eq!(parse_money("-20"), Some(-2000));
    assert_eq!(parse_money("¥8.05"), Some(805));
    assert_eq!(parse_money("1.234"), None);
    assert_eq!(parse_money("abc"), None);
    assert_eq!(show_money(-2005), "-20.05");
}

#[test]
fn a_finance_table_must_add_up() {
    let ok = t(&[
        &["日期", "摘要", "收入", "支出", "余额", "经手人", "凭证号"],
        &["2026-03-01", "上月结余", "", "", "10000.00", "", ""],
        &[
            "2026-03-05",
            "土地租金",
            "5000",
            "",
            "15000",
            "李会计",
            "记-01",
        ],
        &[
            "2026-03-20",
            "路灯维修",
            "",
            "1200.50",
            "13799.50",
            "王*",
            "记-02",
        ],
    ]);
    let c = check_table(Category::Finance, &ok).unwrap();
    assert_eq!(c.rows[2][4], "13799.50");
    assert_eq!(
        totals(Category::Finance, &c.rows),
        vec![
            (2, "5000.00".into()),
            (3, "1200.50".into()),
            (4, "13799.50".into())
        ]
    );
    let mut bad = ok.clone();
    bad[3][4] = "13800.00".into();
    let e = check_table(Category::Finance, &bad).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].row, 4);
    assert_eq!(e[0].column, "E 余额");
    assert!(e[0].msg.zh.contains("= 13799.50") && e[0].msg.zh.contains("13800.00"));
}

#[test]
fn one_wrong_balance_gives_one_error() {
    let h: &[&str] = &["日期", "摘要", "收入", "支出", "余额"];
    let table = |balances: [&str; 4]| {
        t(&[
            h,
            &["2026-03-01", "上月结余", "", "", balances[0]],
            &["2026-03-05", "土地租金", "5000", "", balances[1]],
            &["2026-03-20", "路灯维修", "", "1200.50", balances[2]],
            &["2026-03-25", "保洁", "", "100", balances[3]],
        ])
    };
    let rows_in_error = |balances| {
        check_table(Category::Finance, &table(balances))
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.row)
            .collect::<Vec<_>>()
    };
    assert!(rows_in_error(["10000", "15000", "13799.50", "13699.50"]).is_empty());
    // A mistyped balance, the rows after it right by the real running balance.
    assert_eq!(
        rows_in_error(["10000", "15500", "13799.50", "13699.50"]),
        vec![3]
    );
    // A wrong balance carried on: the rows after it right against it as entered.
    assert_eq!(
        rows_in_error(["10000", "15500", "14299.50", "14199.50"]),
        vec![3]
    );
    // Two separate mistakes, two errors.
    assert_eq!(
        rows_in_error(["10000", "15500", "13799.50", "13000"]),
        vec![3, 5]
    );
}

#[test]
fn bad_cells_are_named_by_row_and_column() {
    let bad = t(&[
        &["date", "item", "income", "spending", "balance"],
        &["2026-03-01", "opening", "", "", "lots"],
        &["yesterday", "", "5", "", "5"],
    ]);
    let e = check_table(Category::Finance, &bad).unwrap_err();
    let at: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(at, vec![(2, "E 余额"), (3, "A 日期"), (3, "B 摘要")]);
    let e = check_table(Category::Finance, &t(&[&["日期", "摘要", "备注"]])).unwrap_err();
    assert!(
        e.iter()
            .any(|e| e.msg.en.contains("unknown column \"备注\""))
    );
    assert!(
        e.iter()
            .any(|e| e.msg.en.contains("\"balance\" is missing"))
    );
}

#[test]
fn welfare_lists_mask_names_and_refuse_ids_and_phones() {
    let rows = t(&[
        &["姓名", "家庭人口", "类别", "金额", "理由"],
        &["张小明", "3", "低保", "780", "因病致贫"],
        &["欧阳*明", "1", "特困", "1,100", "无劳动能力"],
    ]);
    let c = check_table(Category::Welfare, &rows).unwrap();
    assert_eq!(c.rows[0][0], "张*明");
    assert_eq!(c.rows[1][0], "欧阳*明");
    let mut bad = rows.clone();
    bad[1][4] = "身份证 330102199001011234".into();
    bad[2][4] = "电话 13812345678".into();
    let e = check_table(Category::Welfare, &bad).unwrap_err();
    assert_eq!(e.len(), 2);
    assert!(e[0].msg.en.contains("ID number") && e[0].row == 2 && e[0].column == "E 理由");
    assert!(e[1].msg.en.contains("phone number"));
    let mut masked = rows.clone();
    masked[1][4] = "3301**********1234 138****5678".into();
    assert!(check_table(Category::Welfare, &masked).is_ok());
}

#[test]
fn ids_and_phones_are_recognised() {
    assert!(looks_like_id("33010219900101123X"));
    assert!(looks_like_id("330102900101123"));
    assert!(!looks_like_id("3301**********1234"));
    assert!(looks_like_phone("138 1234 5678"));
    assert!(looks_like_phone("+8613812345678"));
    assert!(!looks_like_phone("138****5678"));
    assert!(!looks_like_phone("10000.00"));
}

#[test]
fn projects_cannot_pay_more_than_the_contract() {
    let rows = t(&[
        &["项目", "合同金额", "已付金额"],
        &["村道硬化", "100000", "120000"],
    ]);
    let e = check_table(Category::Project, &rows).unwrap_err();
    assert!(e[0].msg.en.contains("more has been paid"));
}

#[test]
fn pasted_text_and_diffs() {
    let p = parse_pasted("事项\t内容\n修桥\t已完工\n");
    assert_eq!(p, t(&[&["事项", "内容"], &["修桥", "已完工"]]));
    assert_eq!(parse_pasted("a，b\nc,d").len(), 2);
    let a = t(&[&["1", "x"], &["2", "y"]]);
    let b = t(&[&["1", "z"], &["2", "y"], &["3", "w"]]);
    assert_eq!(
        diff(&a, &b),
        vec![
            Change::Cell(1, 1, "x".into(), "z".into()),
            Change::Added(3, vec!["3".into(), "w".into()])
        ]
    );
}
