//! Subcommands other than `serve`.

use crate::domain::credentials;
use crate::domain::roll::parse_table;
use crate::error::Error;
use crate::store::accounts::{self, NewAccount};
use crate::store::audit::{self, Actor};
use crate::store::{self, communities, roll};
use crate::{password, sheet};
use std::path::Path;

mod recount;
pub use recount::{Recount, recount};

/// `teahouse create-operator`: the global operator account.
pub async fn create_operator(
    db_path: &Path,
    login: &str,
    name: &str,
    pw: &str,
) -> Result<(), Error> {
    let login = credentials::parse_login(login).map_err(Error::Invalid)?;
    credentials::check_new_password(pw, pw).map_err(|(_, m)| Error::Invalid(m))?;
    let db = store::open(db_path, 1)?;
    let hash = password::Hasher::start().hash(pw.to_string()).await?;
    let name = name.to_string();
    db.write(move |tx| {
        let id = match accounts::for_login(tx, &login)? {
            Some(rec) => {
                accounts::set_password(tx, rec.id, &hash, false)?;
                tx.execute(
                    "UPDATE accounts SET is_operator = 1 WHERE id = ?1",
                    [rec.id],
                )?;
                rec.id
            }
            None => accounts::create(
                tx,
                &NewAccount {
                    login: &login,
                    display_name: &name,
                    password_hash: &hash,
                    resident_id: None,
                    is_operator: true,
                    must_change_password: false,
                },
            )?,
        };
        audit::record(
            tx,
            &Actor::system("cli"),
            None,
            "operator.create",
            &login,
            &id.to_string(),
        )
    })
    .await
}

/// `teahouse pb-tally FILE.pb --rule greedy|mes`: the JSON line it prints.
pub fn pb_tally(file: &Path, rule: &str) -> Result<String, String> {
    use crate::domain::pabulib::{parse, show_decimal};
    use crate::domain::pb_rules::Rule;
    let rule = Rule::parse(rule).ok_or_else(|| format!("不认识的规则 / unknown rule: {rule}"))?;
    let bytes = std::fs::read(file)
        .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "{} 不是 UTF-8 文本 / {} is not UTF-8 text",
            file.display(),
            file.display()
        )
    })?;
    let pb = parse(&text).map_err(|e| e.to_string())?;
    let selected = rule.select(&pb.instance);
    let ids: Vec<&str> = selected
        .iter()
        .map(|&p| pb.instance.ids[p].as_str())
        .collect();
    let cost = show_decimal(&pb.instance.total(&selected));
    Ok(format!(
        "{{\"rule\":\"{}\",\"selected\":{},\"cost\":{}}}",
        rule.as_str(),
        serde_json::to_string(&ids).unwrap_or_default(),
        cost
    ))
}

/// `teahouse backup OUT`: a consistent copy while the server runs.
pub fn backup(db_path: &Path, out: &Path) -> Result<(), Error> {
    if !db_path.exists() {
        return Err(Error::Internal(format!(
            "no database at {}",
            db_path.display()
        )));
    }
    store::backup_file(db_path, out)
}

/// `teahouse import-roll`: the same check and apply as the web import, for
/// operators with a file on the server. Prints the summary as JSON.
pub async fn import_roll(
    db_path: &Path,
    community: &str,
    file: &Path,
) -> Result<roll::Summary, Error> {
    let bytes = std::fs::read(file)
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", file.display())))?;
    let table = sheet::read(&bytes).map_err(Error::Invalid)?.table;
    let parsed = parse_table(&table).map_err(|errs| {
        let lines: Vec<String> = errs
            .iter()
            .map(|e| format!("row {} {}: {}", e.row, e.column, e.msg))
            .collect();
        Error::Invalid(crate::domain::Msg::new(
            format!(
                "文件有 {} 处问题，没有导入：\n{}",
                errs.len(),
                lines.join("\n")
            ),
            format!("{} problems; nothing imported", errs.len()),
        ))
    })?;
    let db = store::open(db_path, 1)?;
    let slug = community.to_string();
    let com = db
        .read(move |c| communities::by_slug(c, &slug))
        .await?
        .ok_or_else(|| Error::Internal(format!("no community \"{community}\"")))?;
    let fname = file.display().to_string();
    // The same short transactions as the web import, so that a server
    // running on the same database keeps writing meanwhile.
    let job = roll::Import {
        community_id: com.id,
        roll: std::sync::Arc::new(parsed),
        deactivate_missing: false,
        preview: None,
        chunk: crate::Config::default().roll_chunk,
    };
    let cid = com.id;
    let applied = roll::import(&db, job, None, move |tx, s| {
        audit::record(
            tx,
            &Actor::system("cli"),
            Some(cid),
            "roll.import",
            &fname,
            &format!("{} rows", s.rows),
        )
    })
    .await?;
    eprintln!(
        "written in {} transactions, the longest {:.1} ms",
        applied.writes,
        applied.longest.as_secs_f64() * 1000.0
    );
    Ok(applied.summary)
}

/// `teahouse verify`: checks the hash chain (and, with a database, that each
/// published record still matches its entry). Returns lines to print and
/// whether everything held.
pub fn verify_db(db_path: &Path) -> Result<(Vec<String>, bool), Error> {
    if !db_path.exists() {
        return Err(Error::Internal(format!(
            "no database at {}",
            db_path.display()
        )));
    }
    let conn = rusqlite::Connection::open_with_flags(
        db_path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // Every page is read once: mapped, not copied through a small cache.
    conn.pragma_update(None, "mmap_size", store::anchor::verify::MMAP)?;
    let reports = store::anchor::verify::verify_db(&conn)?;
    let mut ok = true;
    let mut lines = Vec::new();
    for r in reports {
        match r.broken {
            // The head, to compare with the one printed on paper.
            None => lines.push(format!(
                "{}: {} entries, chain and records intact / 完整 · head #{} {}",
                r.community,
                r.entries,
                r.head.as_ref().map(|h| h.0).unwrap_or(0),
                r.head.as_ref().map(|h| h.1.as_str()).unwrap_or("-")
            )),
            Some(b) => {
                ok = false;
                lines.push(format!(
                    "{}: BROKEN at entry {} ({} problem(s)) / 第 {} 条记录起有误（共 {} 处）",
                    r.community, b.seq, r.problems, b.seq, r.problems
                ));
                // The first few problems, each in both languages.
                for p in r.all.iter().take(5) {
                    lines.push(format!("  {}", p.zh));
                    lines.push(format!("  {}", p.en));
                }
                if r.all.len() > 5 {
                    lines.push(format!(
                        "  …另有 {} 处 / … and {} more",
                        r.all.len() - 5,
                        r.all.len() - 5
                    ));
                }
            }
        }
    }
    Ok((lines, ok))
}

/// `teahouse verify --ledger FILE.jsonl`: the chain alone, from a download.
pub fn verify_ledger_file(file: &Path) -> Result<(Vec<String>, bool), Error> {
    use crate::domain::ledger::{Entry, verify_chain};
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", file.display())))?;
    let mut by_community: std::collections::BTreeMap<String, Vec<Entry>> = Default::default();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let e: Entry = serde_json::from_str(line).map_err(|err| {
            Error::Invalid(crate::domain::Msg::new(
                format!("第 {} 行不是有效的记录：{err}", i + 1),
                format!("line {} is not a valid entry: {err}", i + 1),
            ))
        })?;
        by_community.entry(e.community.clone()).or_default().push(e);
    }
    let mut ok = true;
    let mut lines = Vec::new();
    for (c, es) in by_community {
        match verify_chain(&es) {
            Ok(()) => lines.push(format!(
                "{c}: {} entries, chain intact / 完整; head {}",
                es.len(),
                es.last().map(|e| e.hash.as_str()).unwrap_or("")
            )),
            Err(b) => {
                ok = false;
                lines.push(format!(
                    "{c}: BROKEN at entry {}: {} / {}",
                    b.seq, b.zh, b.en
                ));
            }
        }
    }
    Ok((lines, ok))
}
