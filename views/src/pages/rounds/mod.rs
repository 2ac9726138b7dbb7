//! Micro-venture rounds (公益创投/金点子大赛): the list of rounds with the
//! committee's new-round and import forms, and an import's progress; one
//! round's page is in `show`.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, flash, page};
use maud::{Markup, html};

mod show;
pub use show::{Form, MilestoneLine, ProjectLine, ResultView, ShowView, show_page};

pub struct RoundLine {
    pub id: i64,
    pub title: String,
    pub phase: Msg,
    pub budget: String,
    pub projects: usize,
}

pub struct NewValues {
    pub title: String,
    pub description: String,
    pub budget: String,
    pub min_cost: String,
    pub max_cost: String,
    pub place: String,
    pub rule: String,
    pub max_approvals: String,
    pub collect_until: String,
    pub review_until: String,
    pub vote_until: String,
}

pub(super) fn rule_choice(c: &Chrome, current: &str) -> Markup {
    rule_choice_in(c, "f-rule", current)
}

/// The rule's radio buttons, their ids starting with `id` (two forms of one
/// page each have their own, so a label ticks its own form's button).
fn rule_choice_in(c: &Chrome, id: &str, current: &str) -> Markup {
    let choices = [
        ("greedy", c.t("按票数：得票多的先资助，放不下的跳过", "By votes: most approved first; a project that no longer fits is skipped")),
        ("mes", c.t("平等份额法（MES）：每位投票人分到同样一份预算，项目由支持者的份额分担", "Method of Equal Shares: every voter gets an equal share of the budget, and projects are paid from their supporters' shares")),
    ];
    html! {
        fieldset {
            legend { (c.t("计票规则（投票开始前确定，并向投票人说明）", "Outcome rule (fixed before voting opens and shown to voters)")) }
            @for (value, label) in choices {
                div.field.check {
                    input id={(id) "-" (value)} type="radio" name="rule" value=(value) checked[current == value];
                    label for={(id) "-" (value)} { (label) }
                }
            }
        }
    }
}

/// The .pb import form as it comes back refused: the rule chosen, the
/// file's name (a browser cannot keep a chosen file: it must be chosen
/// again) and the errors, under "file" or "rule".
pub struct ImportForm {
    pub rule: String,
    pub file_name: String,
    pub errors: Errors,
    /// New for each rendering: sending the same form twice (a retry, a
    /// double click) lands on the same import.
    pub key: String,
}

impl Default for ImportForm {
    fn default() -> Self {
        ImportForm {
            rule: "mes".into(),
            file_name: String::new(),
            errors: Errors::none(),
            key: String::new(),
        }
    }
}

/// The committee's .pb import form, with its errors beside the file.
fn import_form(c: &Chrome, slug: &str, v: &ImportForm) -> Markup {
    let err = v.errors.get("file");
    let mut described = Vec::new();
    if err.is_some() {
        described.push("f-pb-err");
    }
    if !v.file_name.is_empty() {
        described.push("f-pb-again");
    }
    described.push("f-pb-hint");
    html! {
        h3 #h-import { (c.t("导入 Pabulib 文件（.pb）", "Import a Pabulib file (.pb)")) }
        (forms::summary(c, &v.errors))
        form.stack #import method="post" action={"/c/" (slug) "/rounds/import"} enctype="multipart/form-data" aria-labelledby="h-import" {
            (csrf(c))
            input type="hidden" name="key" value=(v.key);
            div class={"field" @if err.is_some() { " has-error" }} {
                label for="f-pb" { (c.t("文件", "File")) }
                @if let Some(m) = err { p.field-error #f-pb-err { (bi(c, m)) } }
                @if !v.file_name.is_empty() {
                    p.hint #f-pb-again { (bi(c, &Msg::new(
                        format!("“{}”没有导入，什么也没有保存。改好后请重新选择文件。", v.file_name),
                        format!("\"{}\" was not imported and nothing was saved. Once it is corrected, choose the file again.", v.file_name),
                    ))) }
                }
                input #f-pb type="file" name="file" accept=".pb,text/plain" required
                    aria-invalid=[err.map(|_| "true")] aria-describedby=(described.join(" "));
            }
            p.hint #f-pb-hint { (c.t("大文件在后台计票和写入，页面会显示进度；完成前不会公开任何内容。", "A large file is counted and written in the background with a progress page; nothing is shown until it is complete.")) }
            (forms::error(c, &v.errors, "rule"))
            (rule_choice_in(c, "f-pb-rule", &v.rule))
            button type="submit" { (c.t("导入并计票", "Import and count")) }
        }
    }
}

/// The rounds, and for the committee the new-round form (`v` as typed,
/// `errors`) and the import form.
pub fn list_page(
    c: &Chrome,
    slug: &str,
    rounds: &[RoundLine],
    v: &NewValues,
    places: &[(String, String)],
    errors: &Errors,
    import: &ImportForm,
) -> Markup {
    page(
        c,
        c.t("公益创投", "Micro-venture rounds"),
        html! {
            h1 { (c.t("公益创投 · 金点子", "Micro-venture rounds")) }
            p { (c.t(&format!("居民和团队提出小项目和所需费用，{}评审可行性和费用，居民投票决定资助哪些，资助的项目公开进度和花费。", c.committee_zh()),
                     "Residents and teams propose small projects with a cost, the committee reviews feasibility and costs, residents vote on which to fund, and funded projects report progress and spending in public.")) }
            p { a href={"/api/v1/c/" (slug) "/rounds"} { (c.t("开放数据（JSON）", "Open data (JSON)")) } }
            @if rounds.is_empty() { p.empty { (c.t("还没有创投轮次。", "No rounds yet.")) } }
            ul.vote-list {
                @for r in rounds {
                    li { a href={"/c/" (slug) "/rounds/" (r.id)} { (r.title) } " " span.tag { (bi(c, &r.phase)) } br;
                         span.muted { (c.t("预算 ", "Budget ")) (r.budget) (c.t(" 元 · ", " yuan · ")) (r.projects) (c.t(" 个项目", " projects")) } }
                }
            }
            @if c.is_committee() {
                section.staff-panel aria-labelledby="h-new-round" {
                    h2 #h-new-round { (c.t("新建一轮", "Start a round")) }
                    (forms::summary(c, errors))
                    form.stack method="post" action={"/c/" (slug) "/rounds"} {
                        (csrf(c))
                        (forms::input(c, "title", c.t("名称", "Name"), &v.title, errors, Opts { required: true, ..Default::default() }))
                        (forms::textarea(c, "description", c.t("说明", "Description"), &v.description, errors, 3))
                        (forms::input(c, "budget", c.t("总预算（元）", "Budget (yuan)"), &v.budget, errors, Opts { required: true, inputmode: Some("decimal"), ..Default::default() }))
                        (forms::input(c, "min_cost", c.t("每个项目最少（元）", "Least per project (yuan)"), &v.min_cost, errors, Opts { required: true, inputmode: Some("decimal"), ..Default::default() }))
                        (forms::input(c, "max_cost", c.t("每个项目最多（元）", "Most per project (yuan)"), &v.max_cost, errors, Opts { required: true, inputmode: Some("decimal"), ..Default::default() }))
                        (forms::select(c, "place", c.t("范围（谁可以投票）", "Scope (who may vote)"), places, &v.place, errors))
                        (rule_choice(c, &v.rule))
                        (forms::input(c, "max_approvals", c.t("每人最多赞成几个项目（留空为不限）", "Most projects a voter may approve (blank: any number)"), &v.max_approvals, errors, Opts { inputmode: Some("numeric"), ..Default::default() }))
                        (forms::input(c, "collect_until", c.t("征集截止", "Ideas close"), &v.collect_until, errors, Opts { kind: "date", required: true, ..Default::default() }))
                        (forms::input(c, "review_until", c.t("评审截止", "Review ends"), &v.review_until, errors, Opts { kind: "date", required: true, ..Default::default() }))
                        (forms::input(c, "vote_until", c.t("投票截止", "Voting closes"), &v.vote_until, errors, Opts { kind: "date", required: true, ..Default::default() }))
                        button type="submit" { (c.t("新建", "Start")) }
                    }
                    (import_form(c, slug, import))
                }
            }
        },
    )
}

/// A background import of a .pb file, as the committee follows it.
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    /// counting, writing, done or failed.
    pub state: String,
    pub voters: i64,
    pub written: i64,
    pub round_id: Option<i64>,
    pub message: Option<Msg>,
    pub started: String,
}

pub fn import_page(c: &Chrome, slug: &str, v: &ImportView) -> Markup {
    let url = format!("/c/{slug}/rounds/imports/{}", v.id);
    let running = matches!(v.state.as_str(), "counting" | "writing");
    let pct = if v.voters > 0 {
        v.written * 100 / v.voters
    } else {
        0
    };
    page(
        c,
        c.t("导入进度", "Import progress"),
        html! {
            p { a href={"/c/" (slug) "/rounds"} { "← " (c.t("公益创投", "Micro-venture rounds")) } }
            h1 { (c.t("导入 ", "Importing ")) (v.file_name) }
            p.muted { (c.t("开始于 ", "Started ")) (v.started) " · " (v.voters) (c.t(" 张选票", " ballots")) }
            div #import-status role="status" aria-live="polite"
                hx-get=[running.then_some(url.as_str())] hx-trigger=[running.then_some("every 2s")]
                hx-select="#import-status" hx-swap="outerHTML" {
                @match v.state.as_str() {
                    "counting" => {
                        p { strong { (c.t("正在计票……", "Counting…")) } }
                        p.hint { (c.t("均等份额法（MES）在大文件上可能要几分钟。什么都还没有写入。", "The Method of Equal Shares can take minutes on a large file. Nothing is written yet.")) }
                    }
                    "writing" => {
                        p { strong { (c.t("正在写入选票：", "Writing the ballots: ")) (v.written) " / " (v.voters) } }
                        progress max="100" value=(pct) { (pct) "%" }
                        p.hint { (c.t("写入完成并核对后才公开。其他人的操作不受影响。", "Shown only once written and checked. Other people's work goes on meanwhile.")) }
                    }
                    "done" => {
                        (flash(c, "ok", &Msg::new("导入完成，结果已公布。", "Imported; the result is published.")))
                        @if let Some(r) = v.round_id {
                            p { a.button href={"/c/" (slug) "/rounds/" (r)} { (c.t("查看这一轮", "Open the round")) } }
                        }
                    }
                    _ => {
                        (flash(c, "error", v.message.as_ref().unwrap_or(&Msg::new("导入失败，什么也没有保存。", "The import failed; nothing was saved."))))
                        p { a href={"/c/" (slug) "/rounds"} { (c.t("返回重新导入", "Back, to import again")) } }
                    }
                }
                @if running {
                    p { a href=(url) { (c.t("刷新", "Refresh")) } }
                }
            }
        },
    )
}

/// A second .pb import from a community that has one waiting or running:
/// refused (409), naming that one and linking to its progress.
pub fn import_busy(c: &Chrome, slug: &str, file_name: &str, job: Option<i64>) -> Markup {
    page(
        c,
        c.t("已有导入在进行", "An import is already running"),
        html! {
            h1 { (c.t("已有导入在进行", "An import is already running")) }
            p.lead { (bi(c, &Msg::new(
                format!("本社区的“{file_name}”还在排队或导入中，一个社区一次只导入一个文件（让各社区轮流使用服务器）。请等它完成后再导入，这次什么也没有保存。"),
                format!("This community's \"{file_name}\" is still waiting or being imported; a community imports one file at a time (so that communities take turns). Import again once it is done; nothing was saved this time."),
            ))) }
            @if let Some(id) = job {
                p { a.button href={"/c/" (slug) "/rounds/imports/" (id)} { (c.t("查看它的进度", "See its progress")) } }
            } @else {
                p { a href={"/c/" (slug) "/rounds"} { (c.t("返回公益创投", "Back to the rounds")) } }
            }
        },
    )
}
