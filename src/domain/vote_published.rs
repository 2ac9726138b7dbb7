//! A vote's published result as a file states it. Teahouse's own export
//! states every figure behind the verdict; another tool's may state only
//! some (just `verdict`, say). Every figure is optional here, so `recount`
//! compares what is stated, lists what is not ("not published") and names any
//! field it does not know ("not checked") instead of passing over it.

use super::vote::{Figures, Measure, OptionResult, Tally, Test};
use super::{Area, Msg};
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The `result` of a `teahouse.vote/1` or `teahouse.vote-totals/1` file, each
/// figure present only if the file states it. Fields it does not know are
/// kept in `extra` so they can be named.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Published {
    pub verdict: Option<String>,
    pub rule: Option<String>,
    pub total: Option<PublishedFigures>,
    pub participating: Option<PublishedFigures>,
    pub agree: Option<PublishedFigures>,
    pub disagree: Option<PublishedFigures>,
    pub abstain: Option<PublishedFigures>,
    pub quorum_combine: Option<String>,
    pub quorum_met: Option<bool>,
    pub quorum: Option<Vec<PublishedTest>>,
    pub pass_met: Option<bool>,
    pub pass: Option<Vec<PublishedTest>>,
    pub options: Option<Vec<PublishedOption>>,
    pub tied: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PublishedFigures {
    pub heads: Option<i64>,
    pub area: Option<String>,
    pub households: Option<i64>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PublishedTest {
    pub measure: Option<Measure>,
    pub value: Option<String>,
    pub of: Option<String>,
    pub bound: Option<String>,
    pub inclusive: Option<bool>,
    pub met: Option<bool>,
    pub zh: Option<String>,
    pub en: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PublishedOption {
    pub id: Option<String>,
    pub label: Option<String>,
    pub chosen: Option<PublishedFigures>,
    pub pass: Option<Vec<PublishedTest>>,
    pub met: Option<bool>,
    pub adopted: Option<bool>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Reads a file's `result`. A result that is not an object, or a stated
/// figure of the wrong kind (a verdict that is a number…), is malformed.
pub fn parse(v: &Value) -> Result<Published, Msg> {
    if !v.is_object() {
        return Err(Msg::new(
            "公布的结果（result）应为一个对象",
            "the published result (\"result\") must be an object",
        ));
    }
    Published::deserialize(v).map_err(|e| {
        Msg::new(
            format!("公布的结果（result）无法读取：{e}"),
            format!("the published result (\"result\") cannot be read: {e}"),
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A stated figure that the recount (or the arithmetic) contradicts.
    Differs,
    /// A figure the result does not state: not compared.
    NotPublished,
    /// Something stated that cannot be checked: a field teahouse does not
    /// know, or a figure that what is published cannot confirm.
    NotChecked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    /// Where, e.g. `result.pass[area].met`.
    pub path: String,
    pub msg: Msg,
}

/// What comparing (or re-checking) a published result found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Stated figures that matched.
    pub matched: usize,
}

impl Report {
    pub fn differs(&self) -> bool {
        self.findings.iter().any(|f| f.kind == Kind::Differs)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }

    /// The paths of one kind of finding, in order.
    pub fn paths(&self, kind: Kind) -> Vec<&str> {
        self.findings
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.path.as_str())
            .collect()
    }

    pub fn differ(&mut self, path: &str, published: &str, recount: &str) {
        self.differ_msg(
            path,
            Msg::new(
                format!("{path}：公布为 {published}，重新计票为 {recount}"),
                format!("{path}: published {published}, recount {recount}"),
            ),
        );
    }

    pub fn differ_msg(&mut self, path: &str, msg: Msg) {
        self.push(Kind::Differs, path, msg);
    }

    pub fn not_published(&mut self, path: &str) {
        self.push(
            Kind::NotPublished,
            path,
            Msg::new(
                format!("{path}：未公布，未比较"),
                format!("{path}: not published, not compared"),
            ),
        );
    }

    pub fn not_checked(&mut self, path: &str, why: Msg) {
        self.push(
            Kind::NotChecked,
            path,
            Msg::new(
                format!("{path}：{}，未核对", why.zh),
                format!("{path}: {}, not checked", why.en),
            ),
        );
    }

    fn push(&mut self, kind: Kind, path: &str, msg: Msg) {
        self.findings.push(Finding {
            kind,
            path: path.to_string(),
            msg,
        });
    }

    fn leaf<T: PartialEq + Serialize>(&mut self, path: &str, p: Option<&T>, r: Option<&T>) {
        match (p, r) {
            (None, None) => {}
            (None, Some(_)) => self.not_published(path),
            (Some(p), None) => self.differ(path, &show(p), "（无 / none）"),
            (Some(p), Some(r)) if p == r => self.matched += 1,
            (Some(p), Some(r)) => self.differ(path, &show(p), &show(r)),
        }
    }

    /// A figure kept as a decimal string: equal by value when it is an area
    /// ("1599.5" states the same area as "1599.50").
    fn figure(&mut self, path: &str, area: bool, p: Option<&String>, r: Option<&String>) {
        if let (true, Some(a), Some(b)) = (area, p, r)
            && let (Some(x), Some(y)) = (area_centi(a), area_centi(b))
        {
            if x == y {
                self.matched += 1;
            } else {
                self.differ(path, &show(a), &show(b));
            }
            return;
        }
        self.leaf(path, p, r);
    }
}

fn show<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// An area total in hundredths of a m²; a total may be 0.00, which no single
/// area is.
pub fn area_centi(s: &str) -> Option<i64> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b == b'0' || b == b'.') && t.matches('.').count() <= 1 {
        return Some(0);
    }
    Area::parse(t).ok().map(Area::centi)
}

pub fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::Heads => "heads",
        Measure::Area => "area",
        Measure::Households => "households",
    }
}

/// How a test is named in a path: by its measure, else by its place.
pub fn test_label(t: &PublishedTest, i: usize) -> String {
    t.measure
        .map(|m| measure_name(m).to_string())
        .unwrap_or_else(|| i.to_string())
}

fn option_label(o: &PublishedOption, i: usize) -> String {
    o.id.clone().unwrap_or_else(|| i.to_string())
}

/// Names every field of the result that teahouse does not know.
pub fn unknown_fields(p: &Published, out: &mut Report) {
    let why = || Msg::new("不认识的项目", "a field teahouse does not know");
    let extra = |path: &str, m: &BTreeMap<String, Value>, out: &mut Report| {
        for k in m.keys() {
            out.not_checked(&format!("{path}.{k}"), why());
        }
    };
    let tests = |path: &str, ts: &Option<Vec<PublishedTest>>, out: &mut Report| {
        for (i, t) in ts.iter().flatten().enumerate() {
            extra(&format!("{path}[{}]", test_label(t, i)), &t.extra, out);
        }
    };
    extra("result", &p.extra, out);
    for (name, f) in figures_of(p) {
        if let Some(f) = f {
            extra(&format!("result.{name}"), &f.extra, out);
        }
    }
    tests("result.quorum", &p.quorum, out);
    tests("result.pass", &p.pass, out);
    for (i, o) in p.options.iter().flatten().enumerate() {
        let path = format!("result.options[{}]", option_label(o, i));
        extra(&path, &o.extra, out);
        if let Some(c) = &o.chosen {
            extra(&format!("{path}.chosen"), &c.extra, out);
        }
        tests(&format!("{path}.pass"), &o.pass, out);
    }
}

/// The five sets of figures, by name.
pub fn figures_of(p: &Published) -> [(&'static str, Option<&PublishedFigures>); 5] {
    [
        ("total", p.total.as_ref()),
        ("participating", p.participating.as_ref()),
        ("agree", p.agree.as_ref()),
        ("disagree", p.disagree.as_ref()),
        ("abstain", p.abstain.as_ref()),
    ]
}

/// Compares a published result with the recount, figure by figure, on what
/// it states.
pub fn compare(p: &Published, r: &Tally) -> Report {
    let mut out = Report::default();
    out.leaf("result.verdict", p.verdict.as_ref(), Some(&r.verdict));
    out.leaf("result.rule", p.rule.as_ref(), Some(&r.rule));
    let ours = [
        &r.total,
        &r.participating,
        &r.agree,
        &r.disagree,
        &r.abstain,
    ];
    for ((name, f), mine) in figures_of(p).into_iter().zip(ours) {
        figures(&mut out, &format!("result.{name}"), f, mine);
    }
    out.leaf(
        "result.quorum_combine",
        p.quorum_combine.as_ref(),
        Some(&r.quorum_combine),
    );
    out.leaf(
        "result.quorum_met",
        p.quorum_met.as_ref(),
        Some(&r.quorum_met),
    );
    tests(&mut out, "result.quorum", p.quorum.as_deref(), &r.quorum);
    out.leaf("result.pass_met", p.pass_met.as_ref(), Some(&r.pass_met));
    tests(&mut out, "result.pass", p.pass.as_deref(), &r.pass);
    options(&mut out, p.options.as_deref(), &r.options);
    match &p.tied {
        None if r.tied.is_empty() => {}
        t => out.leaf("result.tied", t.as_ref(), Some(&r.tied)),
    }
    unknown_fields(p, &mut out);
    out
}

fn figures(out: &mut Report, path: &str, p: Option<&PublishedFigures>, r: &Figures) {
    let Some(p) = p else {
        return out.not_published(path);
    };
    out.leaf(&format!("{path}.heads"), p.heads.as_ref(), Some(&r.heads));
    out.figure(
        &format!("{path}.area"),
        true,
        p.area.as_ref(),
        r.area.as_ref(),
    );
    out.leaf(
        &format!("{path}.households"),
        p.households.as_ref(),
        r.households.as_ref(),
    );
}

/// Tests are matched by measure (each list has at most one per measure); a
/// test that states no measure is matched by its place.
fn tests(out: &mut Report, path: &str, p: Option<&[PublishedTest]>, r: &[Test]) {
    let Some(p) = p else {
        if !r.is_empty() {
            out.not_published(path);
        }
        return;
    };
    let mut seen = vec![false; r.len()];
    for (i, t) in p.iter().enumerate() {
        let at = format!("{path}[{}]", test_label(t, i));
        let j = match t.measure {
            Some(m) => r.iter().position(|x| x.measure == m),
            None => (i < r.len()).then_some(i),
        };
        match j {
            None => out.differ_msg(
                &at,
                Msg::new(
                    format!("{at}：公布了重新计票中没有的条件"),
                    format!("{at}: published a test the recount does not have"),
                ),
            ),
            Some(j) if seen[j] => out.differ_msg(
                &at,
                Msg::new(
                    format!("{at}：同一条件公布了两次"),
                    format!("{at}: the same test is published twice"),
                ),
            ),
            Some(j) => {
                seen[j] = true;
                test(out, &at, t, &r[j]);
            }
        }
    }
    for (j, t) in r.iter().enumerate() {
        if !seen[j] {
            out.not_published(&format!("{path}[{}]", measure_name(t.measure)));
        }
    }
}

fn test(out: &mut Report, path: &str, p: &PublishedTest, r: &Test) {
    let area = r.measure == Measure::Area;
    out.leaf(
        &format!("{path}.measure"),
        p.measure.as_ref(),
        Some(&r.measure),
    );
    out.figure(
        &format!("{path}.value"),
        area,
        p.value.as_ref(),
        Some(&r.value),
    );
    out.figure(&format!("{path}.of"), area, p.of.as_ref(), Some(&r.of));
    out.leaf(&format!("{path}.bound"), p.bound.as_ref(), Some(&r.bound));
    out.leaf(
        &format!("{path}.inclusive"),
        p.inclusive.as_ref(),
        Some(&r.inclusive),
    );
    out.leaf(&format!("{path}.met"), p.met.as_ref(), Some(&r.met));
    // The words say the figures in a sentence: compared when stated, but not
    // listed when left out (they are not figures).
    for (name, p, r) in [("zh", &p.zh, &r.zh), ("en", &p.en, &r.en)] {
        if p.is_some() {
            out.leaf(&format!("{path}.{name}"), p.as_ref(), Some(r));
        }
    }
}

fn options(out: &mut Report, p: Option<&[PublishedOption]>, r: &[OptionResult]) {
    let Some(p) = p else {
        if !r.is_empty() {
            out.not_published("result.options");
        }
        return;
    };
    let mut seen = vec![false; r.len()];
    for (i, o) in p.iter().enumerate() {
        let at = format!("result.options[{}]", option_label(o, i));
        let j = match &o.id {
            Some(id) => r.iter().position(|x| &x.id == id),
            None => (i < r.len()).then_some(i),
        };
        let Some(j) = j.filter(|&j| !seen[j]) else {
            out.differ_msg(
                &at,
                Msg::new(
                    format!("{at}：公布了重新计票中没有（或重复）的选项"),
                    format!("{at}: published an option the recount does not have (or twice)"),
                ),
            );
            continue;
        };
        seen[j] = true;
        let mine = &r[j];
        out.leaf(&format!("{at}.id"), o.id.as_ref(), Some(&mine.id));
        out.leaf(&format!("{at}.label"), o.label.as_ref(), Some(&mine.label));
        figures(
            out,
            &format!("{at}.chosen"),
            o.chosen.as_ref(),
            &mine.chosen,
        );
        tests(out, &format!("{at}.pass"), o.pass.as_deref(), &mine.pass);
        out.leaf(&format!("{at}.met"), o.met.as_ref(), Some(&mine.met));
        out.leaf(
            &format!("{at}.adopted"),
            o.adopted.as_ref(),
            Some(&mine.adopted),
        );
    }
    for (j, o) in r.iter().enumerate() {
        if !seen[j] {
            out.not_published(&format!("result.options[{}]", o.id));
        }
    }
}

#[cfg(test)]
mod tests;
