//! The Pabulib `.pb` format (pabulib.org): three `;`-separated sections,
//! META (key;value), PROJECTS (project_id;cost;…) and VOTES (voter_id;vote;…).
//! Approval ballots are read as they are; cumulative, scoring and ordinal
//! ballots are read as approval of every project they list.

use super::Msg;
use super::pb_rules::{Instance, Q};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use std::collections::HashMap;

/// A parsed file: the election the rules read, plus everything else in it.
#[derive(Debug, Clone)]
pub struct PbFile {
    pub meta: Vec<(String, String)>,
    pub project_header: Vec<String>,
    pub project_rows: Vec<Vec<String>>,
    pub vote_header: Vec<String>,
    pub voter_ids: Vec<String>,
    pub vote_type: String,
    pub instance: Instance,
}

impl PbFile {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A project column (by header name) for project `p`.
    pub fn project_field(&self, p: usize, key: &str) -> Option<&str> {
        let i = self.project_header.iter().position(|h| h == key)?;
        self.project_rows[p]
            .get(i)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }
}

/// An error at a line of the file (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct PbError {
    pub line: usize,
    pub msg: Msg,
}

impl std::fmt::Display for PbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.msg)
        } else {
            write!(
                f,
                "第 {} 行：{} / line {}: {}",
                self.line, self.msg.zh, self.line, self.msg.en
            )
        }
    }
}

fn err(line: usize, zh: impl Into<String>, en: impl Into<String>) -> PbError {
    PbError {
        line,
        msg: Msg::new(zh, en),
    }
}

/// The most digits an amount may have before and after its decimal point:
/// a city's budget has ten; a million digits would take minutes to read.
pub const MAX_INT_DIGITS: usize = 15;
pub const MAX_FRAC_DIGITS: usize = 9;
/// Real participatory budgets have a few hundred projects; MES's work grows
/// with the square of their number.
pub const MAX_PROJECTS: usize = 2_000;

/// A non-negative decimal: "12", "12.50", "1,5" (comma as decimal point),
/// with at most [`MAX_INT_DIGITS`] and [`MAX_FRAC_DIGITS`] digits.
pub fn parse_decimal(s: &str) -> Option<Q> {
    let s = s.trim().replace(',', ".");
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if int.len() > MAX_INT_DIGITS || frac.len() > MAX_FRAC_DIGITS {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let n: BigInt = if digits.is_empty() {
        BigInt::zero()
    } else {
        digits.parse().ok()?
    };
    Some(Q::new(n, BigInt::from(10u32).pow(frac.len() as u32)))
}

/// A rational as a decimal when it has a finite one, else as "p/q".
pub fn show_decimal(q: &Q) -> String {
    let mut den = q.denom().clone();
    let mut twos = 0u32;
    let mut fives = 0u32;
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    while (&den % &two).is_zero() {
        den /= &two;
        twos += 1;
    }
    while (&den % &five).is_zero() {
        den /= &five;
        fives += 1;
    }
    if !den.is_one() {
        return format!("{}/{}", q.numer(), q.denom());
    }
    let places = twos.max(fives);
    let scaled = q * Q::from_integer(BigInt::from(10).pow(places));
    let n = scaled.to_integer();
    let neg = n.is_negative();
    let digits = n.abs().to_string();
    let out = if places == 0 {
        digits
    } else {
        let places = places as usize;
        let padded = format!("{digits:0>width$}", width = places + 1);
        let (i, f) = padded.split_at(padded.len() - places);
        format!("{i}.{f}")
    };
    if neg { format!("-{out}") } else { out }
}

#[derive(PartialEq)]
enum Section {
    None,
    Meta,
    Projects,
    Votes,
}

pub fn parse(text: &str) -> Result<PbFile, PbError> {
    let s = read_sections(text)?;
    let (budget, vote_type) = budget_and_type(&s.meta)?;
    let projects = read_projects(&s)?;
    let (voter_ids, ballots) = read_votes(&s, &projects.index)?;
    Ok(PbFile {
        meta: s.meta,
        project_header: s.project_header,
        project_rows: s.project_rows,
        vote_header: s.vote_header,
        voter_ids,
        vote_type,
        instance: Instance {
            budget,
            ids: projects.ids,
            costs: projects.costs,
            ballots,
        },
    })
}

/// The file's rows by section, each with its line.
#[derive(Default)]
struct Sections {
    meta: Vec<(String, String)>,
    project_header: Vec<String>,
    project_rows: Vec<Vec<String>>,
    project_lines: Vec<usize>,
    vote_header: Vec<String>,
    vote_rows: Vec<(usize, Vec<String>)>,
}

/// The section a row opens ("META", "PROJECTS" or "VOTES" alone on its line), if any.
fn section_start(row: &[String]) -> Option<Section> {
    if !(row.len() == 1 || row[1..].iter().all(|s| s.is_empty())) {
        return None;
    }
    match row[0].to_lowercase().as_str() {
        "meta" => Some(Section::Meta),
        "projects" => Some(Section::Projects),
        "votes" => Some(Section::Votes),
        _ => None,
    }
}

fn read_sections(text: &str) -> Result<Sections, PbError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut section = Section::None;
    let mut want_header = false;
    let mut s = Sections::default();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            err(line, format!("无法读取：{e}"), format!("cannot read: {e}"))
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let row: Vec<String> = rec.iter().map(|s| s.trim().to_string()).collect();
        if row.iter().all(|s| s.is_empty()) {
            continue;
        }
        if let Some(next) = section_start(&row) {
            section = next;
            want_header = true;
            continue;
        }
        if want_header {
            want_header = false;
            match section {
                Section::Projects => s.project_header = row,
                Section::Votes => s.vote_header = row,
                _ => {}
            }
            continue;
        }
        match section {
            Section::None => {
                return Err(err(
                    line,
                    "文件应以 META 段开头",
                    "the file should start with a META section",
                ));
            }
            Section::Meta => {
                if row.len() < 2 {
                    return Err(err(
                        line,
                        "META 段每行应为“键;值”",
                        "each META line should be key;value",
                    ));
                }
                s.meta.push((row[0].clone(), row[1].clone()));
            }
            Section::Projects => {
                s.project_rows.push(row);
                s.project_lines.push(line);
            }
            Section::Votes => s.vote_rows.push((line, row)),
        }
    }
    Ok(s)
}

/// The budget and the vote type from META.
fn budget_and_type(meta: &[(String, String)]) -> Result<(Q, String), PbError> {
    let get = |k: &str| {
        meta.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let budget_text = get("budget").ok_or_else(|| {
        err(
            0,
            "META 段缺少 budget（预算）",
            "the META section has no budget",
        )
    })?;
    let budget = parse_decimal(&budget_text).ok_or_else(|| {
        err(
            0,
            format!("预算“{budget_text}”不是非负数（最多 {MAX_INT_DIGITS} 位整数、{MAX_FRAC_DIGITS} 位小数）"),
            format!("the budget \"{budget_text}\" is not a non-negative number (at most {MAX_INT_DIGITS} digits, {MAX_FRAC_DIGITS} decimals)"),
        )
    })?;
    let vote_type = get("vote_type").unwrap_or_else(|| "approval".into());
    if !["approval", "choose-1", "cumulative", "scoring", "ordinal"].contains(&vote_type.as_str()) {
        return Err(err(
            0,
            format!("不认识的投票类型“{vote_type}”"),
            format!("unknown vote_type \"{vote_type}\""),
        ));
    }
    Ok((budget, vote_type))
}

/// Where the column `name` stands in a section's header.
fn column(header: &[String], name: &str, section: &str) -> Result<usize, PbError> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        err(
            0,
            format!("{section} 段缺少“{name}”列"),
            format!("the {section} section has no \"{name}\" column"),
        )
    })
}

/// The projects' ids and costs, in file order, and each id's place.
struct Projects {
    ids: Vec<String>,
    costs: Vec<Q>,
    index: HashMap<String, usize>,
}

fn read_projects(s: &Sections) -> Result<Projects, PbError> {
    if s.project_rows.len() > MAX_PROJECTS {
        return Err(err(
            s.project_lines.get(MAX_PROJECTS).copied().unwrap_or(0),
            format!("项目太多：最多 {MAX_PROJECTS} 个"),
            format!("too many projects: {MAX_PROJECTS} at most"),
        ));
    }
    let id_col = column(&s.project_header, "project_id", "PROJECTS")?;
    let cost_col = column(&s.project_header, "cost", "PROJECTS")?;
    let mut p = Projects {
        ids: Vec::new(),
        costs: Vec::new(),
        index: HashMap::new(),
    };
    for (row, &line) in s.project_rows.iter().zip(&s.project_lines) {
        let id = row.get(id_col).cloned().unwrap_or_default();
        if id.is_empty() {
            return Err(err(line, "项目编号为空", "empty project_id"));
        }
        let cost_text = row.get(cost_col).cloned().unwrap_or_default();
        let cost = parse_decimal(&cost_text).ok_or_else(|| {
            err(
                line,
                format!("项目 {id} 的费用“{cost_text}”不是非负数（最多 {MAX_INT_DIGITS} 位整数、{MAX_FRAC_DIGITS} 位小数）"),
                format!("project {id}: cost \"{cost_text}\" is not a non-negative number (at most {MAX_INT_DIGITS} digits, {MAX_FRAC_DIGITS} decimals)"),
            )
        })?;
        if p.index.insert(id.clone(), p.ids.len()).is_some() {
            return Err(err(
                line,
                format!("项目编号 {id} 重复"),
                format!("project_id {id} appears twice"),
            ));
        }
        p.ids.push(id);
        p.costs.push(cost);
    }
    Ok(p)
}

/// The voters' ids and each one's approved projects (sorted, once each).
fn read_votes(
    s: &Sections,
    index: &HashMap<String, usize>,
) -> Result<(Vec<String>, Vec<Vec<usize>>), PbError> {
    let voter_col = column(&s.vote_header, "voter_id", "VOTES")?;
    let vote_col = column(&s.vote_header, "vote", "VOTES")?;
    let mut voter_ids = Vec::new();
    let mut ballots = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, row) in &s.vote_rows {
        let voter = row.get(voter_col).cloned().unwrap_or_default();
        if let Some(first) = seen.insert(voter.clone(), *line) {
            return Err(err(
                *line,
                format!("投票人 {voter} 重复（第一次在第 {first} 行）"),
                format!("voter {voter} appears twice (first on line {first})"),
            ));
        }
        let text = row.get(vote_col).cloned().unwrap_or_default();
        let mut approved = Vec::new();
        for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let p = index.get(name).ok_or_else(|| {
                err(
                    *line,
                    format!("投票人 {voter} 选了不存在的项目 {name}"),
                    format!("voter {voter} chose project {name}, which is not in PROJECTS"),
                )
            })?;
            approved.push(*p);
        }
        approved.sort_unstable();
        approved.dedup();
        voter_ids.push(voter);
        ballots.push(approved);
    }
    Ok((voter_ids, ballots))
}

/// Writes a `.pb` file. Cells are quoted only where they must be.
pub fn write(
    meta: &[(String, String)],
    project_header: &[&str],
    projects: &[Vec<String>],
    vote_header: &[&str],
    votes: &[Vec<String>],
) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(Vec::new());
    let mut row = |cells: &[&str]| {
        // A write to a Vec cannot fail.
        let _ = w.write_record(cells);
    };
    row(&["META"]);
    row(&["key", "value"]);
    for (k, v) in meta {
        row(&[k, v]);
    }
    row(&["PROJECTS"]);
    row(project_header);
    for p in projects {
        row(&p.iter().map(String::as_str).collect::<Vec<_>>());
    }
    row(&["VOTES"]);
    row(vote_header);
    for v in votes {
        row(&v.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "META\nkey;value\ndescription;Test\nnum_projects;3\nbudget;100,5\nvote_type;cumulative\nPROJECTS\nproject_id;cost;name\n1;50;\"Benches; shaded\"\n2;40.25;Lights\n3;30;Garden\nVOTES\nvoter_id;vote;points\nv1;1,2;5,5\nv2;3;10\nv3;;\n";

    #[test]
    fn reads_sections_quotes_decimals_and_cumulative_as_approval() {
        let f = parse(SMALL).unwrap();
        assert_eq!(f.meta("description"), Some("Test"));
        assert_eq!(f.instance.budget, parse_decimal("100.5").unwrap());
        assert_eq!(f.instance.ids, vec!["1", "2", "3"]);
        assert_eq!(f.project_field(0, "name"), Some("Benches; shaded"));
        assert_eq!(show_decimal(&f.instance.costs[1]), "40.25");
        assert_eq!(f.instance.ballots, vec![vec![0, 1], vec![2], vec![]]);
        assert_eq!(
            f.voter_ids.len(),
            3,
            "an empty ballot still counts as a voter"
        );
    }

    #[test]
    fn names_the_line_of_a_bad_vote() {
        let bad = SMALL.replace("v2;3;10", "v2;7;10");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.line, 15);
        assert!(e.msg.en.contains("project 7"), "{}", e.msg.en);
        let dup = SMALL.replace("v3;;", "v1;3;1");
        assert!(parse(&dup).unwrap_err().msg.en.contains("twice"));
        let cost = SMALL.replace("2;40.25;Lights", "2;-4;Lights");
        let e = parse(&cost).unwrap_err();
        assert_eq!(e.line, 10);
        assert!(e.msg.zh.contains("费用"));
        assert!(
            parse(&SMALL.replace("budget;100,5\n", ""))
                .unwrap_err()
                .msg
                .en
                .contains("budget")
        );
    }

    #[test]
    fn huge_amounts_and_project_counts_are_refused() {
        assert!(parse_decimal(&"9".repeat(16)).is_none());
        assert!(parse_decimal(&format!("1.{}", "5".repeat(10))).is_none());
        assert!(parse_decimal(&"9".repeat(15)).is_some());
        let mut text = String::from("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n");
        for p in 0..=MAX_PROJECTS {
            text.push_str(&format!("{p};1\n"));
        }
        text.push_str("VOTES\nvoter_id;vote\nv;1\n");
        assert!(
            parse(&text)
                .unwrap_err()
                .msg
                .en
                .contains("too many projects")
        );
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(
            show_decimal(&parse_decimal("1716138.17").unwrap()),
            "1716138.17"
        );
        assert_eq!(show_decimal(&parse_decimal("400000.0").unwrap()), "400000");
        assert_eq!(show_decimal(&parse_decimal(".5").unwrap()), "0.5");
        assert_eq!(
            show_decimal(&(Q::from_integer(1.into()) / Q::from_integer(3.into()))),
            "1/3"
        );
        assert!(parse_decimal("1e5").is_none());
        assert!(parse_decimal("").is_none());
        assert!(parse_decimal("-3").is_none());
    }

    #[test]
    fn written_files_read_back_the_same() {
        let meta = vec![
            ("description".to_string(), "公益创投; 2026".to_string()),
            ("budget".to_string(), "30000".to_string()),
            ("vote_type".to_string(), "approval".to_string()),
        ];
        let projects = vec![
            vec!["p1".into(), "12000".into(), "楼道灯".into()],
            vec!["p2".into(), "9000.5".into(), "\"书屋\"".into()],
        ];
        let votes = vec![
            vec!["r1".into(), "p1,p2".into()],
            vec!["r2".into(), "".into()],
        ];
        let text = write(
            &meta,
            &["project_id", "cost", "name"],
            &projects,
            &["voter_id", "vote"],
            &votes,
        );
        let f = parse(&text).unwrap();
        assert_eq!(f.meta("description"), Some("公益创投; 2026"));
        assert_eq!(f.project_field(1, "name"), Some("\"书屋\""));
        assert_eq!(f.instance.ballots, vec![vec![0, 1], vec![]]);
        assert_eq!(show_decimal(&f.instance.costs[1]), "9000.5");
    }
}
