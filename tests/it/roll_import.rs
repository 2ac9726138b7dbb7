//! Roll imports over HTTP: every bad row reported and nothing written; the
//! corrected file imports; importing it again changes nothing; changed rows
//! update in place; GBK CSV; exports re-import unchanged.

use crate::common::*;
use reqwest::StatusCode;

const HEADER: [&str; 13] = [
    "编号",
    "姓名",
    "网格",
    "楼栋",
    "单元",
    "房号",
    "楼层",
    "专有面积",
    "产权人编号",
    "业主",
    "成年",
    "电话",
    "村民代表",
];

/// 2,000 residents in 1,000 new dwellings (two per dwelling).
fn big_roll() -> Vec<Vec<String>> {
    let mut t = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut n = 0;
    for b in 10..20 {
        for u in 1..=2 {
            for floor in 1..=10 {
                for r in 1..=5 {
                    let room = format!("{floor}{r:02}");
                    let area = format!("{}.{:02}", 60 + r * 10, (b * 7 + floor) % 100);
                    for p in 0..2 {
                        n += 1;
                        t.push(vec![
                            format!("T{n:05}"),
                            format!("测试{}", ["甲", "乙", "丙", "丁"][n % 4]),
                            "三网格".into(),
                            b.to_string(),
                            u.to_string(),
                            room.clone(),
                            floor.to_string(),
                            area.clone(),
                            String::new(),
                            if p == 0 { "是" } else { "否" }.into(),
                            "是".into(),
                            format!("139{n:08}"),
                            "否".into(),
                        ]);
                    }
                }
            }
        }
    }
    t
}

fn residents(s: &Server) -> i64 {
    s.sql()
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap()
}

fn import_id(body: &str) -> String {
    let i = body.find("/roll/import/").expect("a confirm form") + "/roll/import/".len();
    body[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect()
}

#[tokio::test]
async fn xlsx_with_three_bad_rows_then_corrected_then_again() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let before = residents(&s);

    let good = big_roll();
    assert_eq!(good.len(), 2001);
    let mut bad = good.clone();
    bad[100][7] = "88.123".into(); // spreadsheet row 101: three decimals
    bad[501][11] = "12345".into(); // row 502: not a phone number
    bad[1502][9] = "也许".into(); // row 1503: neither yes nor no
    let r = c
        .post_file(
            "/c/wutong/roll/import",
            "roll.xlsx",
            teahouse::sheet::write_xlsx("名册", &bad).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("什么都没有导入") && !r.has("nothing was imported"));
    let table = &r.body[r.body.find("<table class=\"errors\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr><td>").count(),
        3,
        "exactly three rows reported: {table}"
    );
    assert!(r.has("<td>101</td><td>H 专有面积</td>"), "row 101 area");
    assert!(r.has("<td>502</td><td>L 电话</td>"), "row 502 phone");
    assert!(r.has("<td>1503</td><td>J 业主</td>"), "row 1503 owner");
    assert_eq!(residents(&s), before, "nothing written");

    // The corrected file: a preview, then the import.
    let r = c
        .post_file(
            "/c/wutong/roll/import",
            "roll.xlsx",
            teahouse::sheet::write_xlsx("名册", &good).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.has("<strong>2000</strong> 位新居民"),
        "preview counts the new residents"
    );
    assert_eq!(residents(&s), before, "a preview writes nothing");
    let id = import_id(&r.body);
    let done = c
        .post(&format!("/c/wutong/roll/import/{id}/confirm"), &[])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(residents(&s), before + 2000);
    let area: i64 = s
        .sql()
        .query_row(
            "SELECT d.area_centi FROM dwellings d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id
             WHERE b.number = '10' AND u.number = '1' AND d.number = '101'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(area, 7071, "70.71 m² kept exactly as hundredths");
    // Confirming twice is refused.
    let again = c
        .post(&format!("/c/wutong/roll/import/{id}/confirm"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // The same file again changes nothing.
    let r = c
        .post_file(
            "/c/wutong/roll/import",
            "roll.xlsx",
            teahouse::sheet::write_xlsx("名册", &good).unwrap(),
        )
        .await;
    assert!(
        r.has("<strong>0</strong> 位新居民") && r.has("<strong>0</strong> 位居民信息有变化"),
        "{}",
        r.body
    );
    let snapshot = |s: &Server| -> String {
        s.sql()
            .query_row(
                "SELECT group_concat(id || name || phone || is_adult || ifnull(owner_id,'') || household_id, '|') FROM residents",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let snap = snapshot(&s);
    let id = import_id(&r.body);
    c.post(&format!("/c/wutong/roll/import/{id}/confirm"), &[])
        .await;
    assert_eq!(
        snapshot(&s),
        snap,
        "re-importing the same file changes nothing"
    );

    // A changed row updates in place: same resident, new phone.
    let mut changed = good.clone();
    changed[7][11] = "13700000000".into();
    let key = changed[7][0].clone();
    let rid: i64 = s
        .sql()
        .query_row("SELECT id FROM residents WHERE key = ?1", [&key], |r| {
            r.get(0)
        })
        .unwrap();
    let r = c
        .post_file(
            "/c/wutong/roll/import",
            "roll.xlsx",
            teahouse::sheet::write_xlsx("名册", &changed).unwrap(),
        )
        .await;
    assert!(r.has("<strong>1</strong> 位居民信息有变化") && r.has("13700000000"));
    let id = import_id(&r.body);
    c.post(&format!("/c/wutong/roll/import/{id}/confirm"), &[])
        .await;
    let (rid2, phone): (i64, String) = s
        .sql()
        .query_row(
            "SELECT id, phone FROM residents WHERE key = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((rid2, phone.as_str()), (rid, "13700000000"));
    assert!(
        c.get("/c/wutong/audit?action=roll.import")
            .await
            .has("2000 rows")
    );
    s.stop().await;
}

#[tokio::test]
async fn gbk_csv_is_read_and_garbage_is_refused() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(VILLAGE_COMMITTEE.0, VILLAGE_COMMITTEE.1).await;
    let before = residents(&s);
    let csv = "编号,姓名,村民小组,户号,成年,电话\nN001,钱进,第三村民小组,3-901,是,13912345678\nN002,钱小宝,第三村民小组,3-901,否,\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let r = c
        .post_file("/c/xingfu/roll/import", "名册.csv", gbk.into_owned())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("GBK") && r.has("<strong>2</strong> 位新居民"));
    let id = import_id(&r.body);
    c.post(&format!("/c/xingfu/roll/import/{id}/confirm"), &[])
        .await;
    assert_eq!(residents(&s), before + 2);
    let name: String = s
        .sql()
        .query_row("SELECT name FROM residents WHERE key = 'N002'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(name, "钱小宝");

    // Bytes that are neither UTF-8 nor GBK.
    let r = c
        .post_file(
            "/c/xingfu/roll/import",
            "bad.csv",
            vec![0x81, 0x20, 0xff, 0xfe, 0x81, 0x0a],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("编码") && !r.has("encoding"));
    // A file missing required columns names them.
    let r = c
        .post_file(
            "/c/xingfu/roll/import",
            "x.csv",
            "姓名,电话\n张三,\n".as_bytes().to_vec(),
        )
        .await;
    assert!(
        r.has("缺少“编号”列") && !r.has("(id) column is missing"),
        "{}",
        r.body
    );
    assert_eq!(residents(&s), before + 2);
    s.stop().await;
}

#[tokio::test]
async fn exports_reimport_without_changes() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    for (path, name) in [
        ("/c/wutong/roll/export.xlsx", "roll.xlsx"),
        ("/c/wutong/roll/export.csv", "roll.csv"),
    ] {
        let resp = c
            .http
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = resp.bytes().await.unwrap().to_vec();
        let r = c.post_file("/c/wutong/roll/import", name, bytes).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
        assert!(
            r.has("完全一致"),
            "{name}: the export matches the roll exactly"
        );
    }
    // Exporting personal data is recorded.
    assert!(c.get("/c/wutong/audit").await.has("roll.export"));
    s.stop().await;
}

#[tokio::test]
async fn single_entries_are_edited_in_the_ui() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let (rid, name) = resident_without_account(&s, "wutong", 3);
    let page = c.get(&format!("/c/wutong/roll/residents/{rid}")).await;
    assert!(page.has(&name));
    let bad = c
        .post(
            &format!("/c/wutong/roll/residents/{rid}"),
            &[
                ("name", &name),
                ("phone", "123"),
                ("adult", "1"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("手机号应为 11 位"));
    let ok = c
        .post(
            &format!("/c/wutong/roll/residents/{rid}"),
            &[
                ("name", &name),
                ("phone", "13611112222"),
                ("adult", "1"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let phone: String = s
        .sql()
        .query_row("SELECT phone FROM residents WHERE id = ?1", [rid], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(phone, "13611112222");
    assert!(
        c.get("/c/wutong/audit").await.has("13611112222"),
        "the edit is audited with old and new values"
    );

    // A new resident moves into a vacant dwelling.
    let add = c
        .post(
            "/c/wutong/roll/residents",
            &[
                ("key", "C9001"),
                ("household", "3-2-702"),
                ("name", "新住户"),
                ("phone", ""),
                ("adult", "1"),
            ],
        )
        .await;
    assert_eq!(add.status, StatusCode::SEE_OTHER, "{}", add.body);
    let dup = c
        .post(
            "/c/wutong/roll/residents",
            &[
                ("key", "C9001"),
                ("household", "3-2-702"),
                ("name", "重复"),
                ("adult", "1"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.has("已被使用"));
    let nowhere = c
        .post(
            "/c/wutong/roll/residents",
            &[
                ("key", "C9002"),
                ("household", "9-9-999"),
                ("name", "无处"),
                ("adult", "1"),
            ],
        )
        .await;
    assert!(nowhere.has("找不到户号或房屋"));
    let list = c.get("/c/wutong/roll?q=%E6%96%B0%E4%BD%8F%E6%88%B7").await;
    assert!(list.has("新住户") && list.has("3-2-702"));
    s.stop().await;
}

/// A workbook with a value in the first cell and one at `far` (0-based).
fn xlsx_with_far_cell(far: (u32, u16)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "编号").unwrap();
    ws.write_string(far.0, far.1, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

/// One 30,000-character string shown in 2,000 cells: a small file (the
/// string is stored once) whose cells would copy it 2,000 times.
fn xlsx_with_one_string_everywhere() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let long = "长".repeat(30_000);
    for r in 0..2_000 {
        ws.write_string(r, 0, &long).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// A zip whose one part inflates to `mb` MiB of zeros.
fn zip_bomb(mb: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("xl/workbook.xml", opts).unwrap();
    z.write_all(b"<workbook/>").unwrap();
    z.start_file("xl/sharedStrings.xml", opts).unwrap();
    let zeros = vec![b'0'; 1024 * 1024];
    for _ in 0..mb {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// Hostile and unlucky workbooks: a far-away cell, a zip bomb, a phone
/// number typed in a date cell. Each gets a clear 4xx naming the problem,
/// the server stays up, memory stays bounded, nothing is written.
#[tokio::test]
async fn hostile_workbooks_are_refused_without_harm() {
    let s = Server::start().await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let before = residents(&s);
    let far = xlsx_with_far_cell((1_048_575, 16_383));
    assert!(far.len() < 10_000, "a small file: {} bytes", far.len());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("xfd.xlsx", far.clone(), "XFD1048576"),
        ("z.xlsx", xlsx_with_far_cell((999_999, 25)), "Z1000000"),
        ("wide.xlsx", xlsx_with_far_cell((0, 300)), "KO1"),
        ("bomb.xlsx", zip_bomb(60), "解压后太大"),
        ("shared.xlsx", xlsx_with_one_string_everywhere(), "文字太多"),
    ];
    for (name, bytes, says) in &cases {
        let r = c
            .post_file("/c/wutong/roll/import", name, bytes.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            r.body
        );
        assert!(r.has(says), "{name} names {says}: {}", r.body);
        assert_eq!(
            c.get("/healthz").await.status,
            StatusCode::OK,
            "alive after {name}"
        );
    }
    // An expired preview from before is dropped when a new one is made.
    s.sql()
        .execute(
            "INSERT INTO roll_imports (community_id, account_id, filename, file_sha256, payload, summary, created_at)
             VALUES ((SELECT id FROM communities WHERE slug = 'wutong'), (SELECT id FROM accounts WHERE login = 'juwei'),
                     'old.csv', 'x', '{}', '{}', 0)",
            [],
        )
        .unwrap();
    // A phone number typed in a date-formatted cell reads as the number.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in big_roll().iter().take(2).enumerate() {
        for (i, v) in row.iter().enumerate() {
            ws.write_string(r as u32, i as u16, v).unwrap();
        }
    }
    ws.write_number_with_format(1, 11, 99_999_999.0, &date)
        .unwrap();
    let r = c
        .post_file(
            "/c/wutong/roll/import",
            "date.xlsx",
            wb.save_to_buffer().unwrap(),
        )
        .await;
    // (Once a panic in the date code: 500.) Now 99999999 is an 8-digit
    // phone number, and the file previews; nothing is written before confirm.
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.has("导入预览") && r.has("1 行，全部通过检查"),
        "{}",
        r.body
    );
    assert_eq!(residents(&s), before, "nothing written");
    let (old, new): (i64, i64) = s
        .sql()
        .query_row(
            "SELECT (SELECT count(*) FROM roll_imports WHERE filename = 'old.csv'),
                    (SELECT count(*) FROM roll_imports WHERE filename = 'date.xlsx')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (old, new),
        (0, 1),
        "the stale preview dropped, the new one kept"
    );

    // The command line refuses the same files in bounded memory.
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, says) in &cases {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        // GNU time forks the command from its own small process, so the
        // figure is the command's own peak (a child spawned from this test
        // process would be charged this process's memory too).
        let peak_file = dir.path().join(format!("{name}.peak"));
        let out = std::process::Command::new("/usr/bin/time")
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&peak_file)
            .args([
                env!("CARGO_BIN_EXE_teahouse"),
                "import-roll",
                f.to_str().unwrap(),
                "--community",
                "wutong",
                "--db",
            ])
            .arg(s.db_path())
            .output()
            .expect("/usr/bin/time (Debian package time; scripts/test installs it)");
        assert!(!out.status.success(), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{name}: {err}");
        // The last line (before it, time notes the non-zero exit status).
        let peak: i64 = std::fs::read_to_string(&peak_file)
            .unwrap()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .parse()
            .unwrap();
        assert!(
            peak < 200 * 1024,
            "import-roll peaked at {peak} KiB on {name}"
        );
    }
    assert!(cli_verify(&s));
    s.stop().await;
}

fn cli_verify(s: &Server) -> bool {
    std::process::Command::new(env!("CARGO_BIN_EXE_teahouse"))
        .args(["verify", "--db"])
        .arg(s.db_path())
        .output()
        .unwrap()
        .status
        .success()
}

/// 10,080 dwellings and 23,520 residents confirmed over HTTP, staged 100
/// rows a transaction: the confirming request answers with the import's
/// progress page (the import goes on in the background), a resident's
/// comment meanwhile is saved, the import then shows as done, all of it at
/// once; confirming it again is refused. (That other writes go in between
/// its transactions, in order, and that a changed roll or a failure leaves
/// nothing, is shown on the store: `store::roll::tests`.)
#[tokio::test]
async fn a_large_roll_is_imported_in_the_background() {
    let s = Server::start_with(|c| {
        c.roll_chunk = 100;
        c.roll_confirm_wait_secs = 0;
    })
    .await;
    let mut c = s.client();
    c.login(COMMITTEE.0, COMMITTEE.1).await;
    let before = residents(&s);
    let table = teahouse::store::roll::synthetic::roll(10_080, "W");
    let r = c
        .post_file(
            "/c/wutong/roll/import",
            "big.csv",
            teahouse::sheet::write_csv(&table),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.has("<strong>23520</strong> 位新居民") && r.has("<strong>10080</strong> 套新房屋"),
        "{}",
        r.body
    );
    let id = import_id(&r.body);
    let done = c
        .post(&format!("/c/wutong/roll/import/{id}/confirm"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let progress = done.location.clone().unwrap();
    assert_eq!(progress, format!("/c/wutong/roll/import/{id}"));
    // A second click follows the same import.
    let again = c
        .post(&format!("/c/wutong/roll/import/{id}/confirm"), &[])
        .await;
    assert!(
        again.status == StatusCode::SEE_OTHER || again.status == StatusCode::CONFLICT,
        "{}",
        again.status
    );
    // A resident comments meanwhile.
    let mut res = s.client();
    res.login(RESIDENT.0, RESIDENT.1).await;
    let pid: i64 = s
        .sql()
        .query_row(
            "SELECT id FROM proposals WHERE status = 'open' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    res.get(&format!("/c/wutong/proposals/{pid}")).await;
    let r = res
        .post(
            &format!("/c/wutong/proposals/{pid}/comments"),
            &[("body", "导入名册时也能留言")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The page shows the progress, then the result.
    let mut finished = false;
    for _ in 0..1200 {
        let p = c.get(&progress).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        if p.has("导入完成") {
            assert!(p.has("<strong>23520</strong> 位新居民"), "{}", p.body);
            finished = true;
            break;
        }
        assert!(p.has("正在写入"), "{}", p.body);
        // Nothing of it is visible until its last transaction.
        let n = residents(&s);
        assert!(n == before || n == before + 23_520, "{n}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(finished, "the import did not finish");
    assert_eq!(residents(&s), before + 23_520);
    // The staged rows go after the swap, in short transactions too.
    let staged = |s: &Server| -> i64 {
        s.sql()
            .query_row(
                "SELECT (SELECT count(*) FROM roll_stages) + (SELECT count(*) FROM roll_stage_residents)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let mut tries = 0;
    while staged(&s) > 0 {
        tries += 1;
        assert!(tries < 1200, "the staged rows stay");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let again = c
        .post(&format!("/c/wutong/roll/import/{id}/confirm"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.has("已经确认过了"));
    assert!(
        c.get("/c/wutong/audit?action=roll.import")
            .await
            .has("23520 rows: 23520 new")
    );
    assert!(cli_verify(&s));
    s.stop().await;
}
