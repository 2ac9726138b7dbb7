//! Mobile teahouse (流动的茶馆): the series with its route, one meeting
//! (agenda, sign-in, attendance, minutes), follow-up actions and the A4
//! minutes notice.

use crate::chrome::{Chrome, Msg};
use crate::forms::{self, Errors, Opts};
use crate::layout::{bi, csrf, flash, page};
use crate::refused::{Refused, Typed};
use maud::{Markup, html};

mod actions;
mod notice;
pub use actions::{ActionLine, actions_page};
pub use notice::{NoticeView, notice_page};

pub struct MeetingLine {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub when: String,
    pub status: MeetingStatus,
    pub settled: usize,
    pub items: usize,
}

pub struct NewValues {
    pub title: String,
    pub place: String,
    pub venue: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub host: String,
}

pub struct SeriesView {
    pub upcoming: Vec<MeetingLine>,
    pub past: Vec<MeetingLine>,
    /// Older meetings not listed.
    pub past_more: usize,
    pub settled_this_year: usize,
    pub settled_total: usize,
    pub since_year: Option<i16>,
    /// place, meetings held there, topics settled there
    pub route: Vec<(String, usize, usize)>,
    pub open_actions: usize,
    pub overdue_actions: usize,
    pub places: Vec<(String, String)>,
    pub values: NewValues,
    pub errors: Errors,
}

/// Where a meeting stands, as its pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingStatus {
    Planned,
    Held,
    Published,
}

/// Where an agenda item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    Agenda,
    Suggested,
    Declined,
}

fn status_words(c: &Chrome, s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Planned => c.t("计划中", "planned"),
        MeetingStatus::Held => c.t("已召开，纪要整理中", "held; minutes being written"),
        MeetingStatus::Published => c.t("纪要已公开", "minutes published"),
    }
}

pub fn meeting_list(c: &Chrome, slug: &str, ms: &[MeetingLine]) -> Markup {
    html! {
        @if ms.is_empty() {
            p.empty { (c.t("没有。", "None.")) }
        } @else {
            ul.vote-list {
                @for m in ms {
                    li {
                        a href={"/c/" (slug) "/deliberations/" (m.id)} { (m.title) }
                        " " span.tag { (status_words(c, m.status)) }
                        br;
                        span.muted { (m.when) " · " (m.place) }
                        @if m.items > 0 { " · " (m.items) (c.t(" 个议题", " items")) }
                        @if m.settled > 0 { " · " strong { (m.settled) (c.t(" 个已解决", " settled")) } }
                    }
                }
            }
        }
    }
}

pub fn series_page(c: &Chrome, slug: &str, v: &SeriesView) -> Markup {
    page(
        c,
        c.t("流动的茶馆", "Mobile teahouse"),
        html! {
            h1 { (c.t("流动的茶馆", "Mobile teahouse")) }
            p { (c.t("议事会走到院落、楼道和村民小组里开：大家在家门口把事情说开，议定的事有人跟进、按期办结。",
                     "Meetings move from courtyard to courtyard: problems are talked through where people live, and what is agreed is followed up by a named person by a date.")) }
            p.lead {
                @if let Some(y) = v.since_year { (c.t("自 ", "Since ")) (y) (c.t(" 年以来已解决 ", ", ")) strong { (v.settled_total) } (c.t(" 个议题；", " topics settled; ")) }
                (c.t("今年已解决 ", "this year: ")) strong { (v.settled_this_year) } (c.t(" 个。", "."))
                " " a href={"/c/" (slug) "/actions"} { (c.t("跟进事项：", "Follow-up: ")) (v.open_actions) (c.t(" 项未办结", " open")) @if v.overdue_actions > 0 { (c.t("，其中 ", ", ")) strong.warn { (v.overdue_actions) (c.t(" 项逾期", " overdue")) } } }
            }
            p { a href={"/c/" (slug) "/deliberations.ics"} { (c.t("订阅议事会日程（日历）", "Subscribe to the meetings (calendar)")) } " · "
                a href={"/api/v1/c/" (slug) "/deliberations"} { (c.t("开放数据（JSON）", "Open data (JSON)")) } }
            section aria-labelledby="h-upcoming" {
                h2 #h-upcoming { (c.t("即将召开", "Coming up")) }
                (meeting_list(c, slug, &v.upcoming))
            }
            section aria-labelledby="h-route" {
                h2 #h-route { (c.t("茶馆走过的地方", "Where the teahouse has been")) }
                @if v.route.is_empty() { p.empty { (c.t("还没有开过议事会。", "No meetings yet.")) } }
                ol.route { @for (place, n, settled) in &v.route { li { strong { (place) } " · " (n) (c.t(" 次", " meetings")) " · " (settled) (c.t(" 个议题已解决", " topics settled")) } } }
            }
            section aria-labelledby="h-past" {
                h2 #h-past { (c.t("开过的议事会", "Past meetings")) }
                (meeting_list(c, slug, &v.past))
                @if v.past_more > 0 {
                    p { (c.t("还有 ", "")) (v.past_more) (c.t(" 次更早的议事会，见", " earlier meetings are in the ")) " "
                        a href={"/api/v1/c/" (slug) "/deliberations"} { (c.t("开放数据", "open data")) } (c.t("。", ".")) }
                }
            }
            @if c.is_committee() {
                section.staff-panel aria-labelledby="h-new" {
                    h2 #h-new { (c.t("安排议事会", "Plan a meeting")) }
                    (forms::summary(c, &v.errors))
                    form.stack method="post" action={"/c/" (slug) "/deliberations"} {
                        (csrf(c))
                        (forms::input(c, "title", c.t("主题", "Topic"), &v.values.title, &v.errors, Opts { required: true, ..Default::default() }))
                        (forms::select(c, "place", c.t("地点（名册上的村民小组、网格或楼栋）", "Place (a villager group, grid or building on the roll)"), &v.places, &v.values.place, &v.errors))
                        (forms::input(c, "venue", c.t("具体位置（如：张家院子、3栋楼下凉亭）", "Venue (e.g. the Zhangs' courtyard)"), &v.values.venue, &v.errors, Opts::default()))
                        (forms::input(c, "date", c.t("日期", "Date"), &v.values.date, &v.errors, Opts { kind: "date", required: true, ..Default::default() }))
                        (forms::input(c, "start", c.t("开始时间", "Starts"), &v.values.start, &v.errors, Opts { kind: "time", required: true, ..Default::default() }))
                        (forms::input(c, "end", c.t("结束时间", "Ends"), &v.values.end, &v.errors, Opts { kind: "time", required: true, ..Default::default() }))
                        (forms::input(c, "host", c.t("主持人", "Host"), &v.values.host, &v.errors, Opts { required: true, ..Default::default() }))
                        button.primary type="submit" { (c.t("安排", "Plan it")) }
                    }
                }
            }
        },
    )
}

pub struct ItemView {
    pub id: i64,
    pub title: String,
    pub detail: String,
    pub state: ItemState,
    pub suggester: Option<String>,
}

pub struct ItemMinutesView {
    pub item: i64,
    pub title: String,
    pub outcome: String,
    pub outcome_words: Option<Msg>,
    /// (who or "一位村民", text)
    pub views: Vec<(String, String)>,
    pub views_text: String,
    pub notes: String,
    /// title, owner, due, status words, overdue
    pub actions: Vec<(String, String, String, Option<Msg>, bool)>,
    pub actions_text: String,
    /// A prefilled draft vote, for "referred to a vote".
    pub vote_link: Option<String>,
}

pub struct MeetingView {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub venue: String,
    pub when: String,
    pub host: String,
    pub status: MeetingStatus,
    pub items: Vec<ItemView>,
    pub attendance: usize,
    /// (group or building, count)
    pub counts: Vec<(String, usize)>,
    pub attendees: Vec<String>,
    pub guests: Vec<(String, String)>,
    /// For staff: the sign-in link shown as a QR code at the venue.
    pub checkin_url: Option<String>,
    /// For a resident with the code: whether sign-in is open now.
    pub checkin: Option<(String, bool, bool)>,
    pub summary: String,
    pub minutes: Vec<ItemMinutesView>,
    pub minutes_rev: Option<i64>,
    pub minutes_working: bool,
    pub amend_reason: Option<String>,
    pub revisions: Vec<(i64, Option<String>, Option<String>)>,
    pub diff: Option<(i64, i64, Vec<Msg>)>,
    pub confirmations: Vec<String>,
    pub can_confirm: bool,
    pub can_suggest: bool,
    pub ledger: Vec<(i64, String, String)>,
    pub outcomes: Vec<(String, String)>,
    pub notice: Option<Msg>,
    /// A refused attendance list as the host typed it, and why.
    pub who: Option<(String, Msg)>,
    /// Another refused form of the page, as typed (the minutes come back
    /// typed in `summary` and `minutes`).
    pub refused: Option<Refused<Form>>,
}

/// The forms of a meeting's page that come back refused, besides attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// An agenda item added or suggested.
    Item,
    /// A guest recorded by the host.
    Guest,
    /// The draft minutes.
    Minutes,
}

fn agenda(c: &Chrome, base: &str, v: &MeetingView, committee: bool) -> Markup {
    html! {
        section aria-labelledby="h-agenda" {
            h2 #h-agenda { (c.t("议程", "Agenda")) }
            @let on: Vec<&ItemView> = v.items.iter().filter(|i| i.state == ItemState::Agenda).collect();
            @if on.is_empty() { p.empty { (c.t("还没有议题。", "No items yet.")) } }
            ol { @for i in &on { li { strong { (i.title) } @if let Some(s) = &i.suggester { " " span.muted { (c.t("（居民 ", "(suggested by ")) (s) (c.t(" 提议）", ")")) } } @if !i.detail.is_empty() { br; (i.detail) } } } }
            @let suggested: Vec<&ItemView> = v.items.iter().filter(|i| i.state == ItemState::Suggested).collect();
            @if !suggested.is_empty() {
                h3 { (c.t("居民建议的议题", "Items residents suggested")) }
                ul { @for i in &suggested { li {
                    strong { (i.title) } " · " (i.suggester.as_deref().unwrap_or("")) @if !i.detail.is_empty() { br; (i.detail) }
                    @if committee && v.status == MeetingStatus::Planned {
                        form.inline method="post" action={(base) "/items/" (i.id) "/decide"} {
                            (csrf(c))
                            button type="submit" name="accept" value="1" { (c.t("列入议程", "Put on the agenda")) } " "
                            button type="submit" name="accept" value="0" { (c.t("不列入", "Decline")) }
                        }
                    }
                } } }
            }
            @if v.status == MeetingStatus::Planned && (committee || v.can_suggest) {
                (item_form(c, base, v, committee))
            }
        }
    }
}

/// An agenda item: added by the committee, suggested by a resident.
fn item_form(c: &Chrome, base: &str, v: &MeetingView, committee: bool) -> Markup {
    let (r, f) = (&v.refused, Form::Item);
    let e = r.errors(f);
    let label = if committee {
        c.t("添加议题", "Add an item")
    } else {
        c.t("建议一个议题", "Suggest an item")
    };
    html! {
        (forms::summary(c, e))
        form.stack #item method="post" action={(base) "/items"} {
            (csrf(c))
            (forms::input(c, "title", label, r.value(f, "title", ""), e, Opts { required: true, ..Default::default() }))
            (forms::textarea(c, "detail", c.t("说明（可不填）", "Details (optional)"), r.value(f, "detail", ""), e, 2))
            button type="submit" { (if committee { c.t("添加", "Add") } else { c.t("提交建议", "Suggest") }) }
        }
    }
}

/// The host records a guest: their name and role.
fn guest_form(c: &Chrome, base: &str, v: &MeetingView) -> Markup {
    let (r, f) = (&v.refused, Form::Guest);
    let e = r.errors(f);
    html! {
        (forms::summary(c, e))
        form.stack #guest method="post" action={(base) "/guests"} {
            (csrf(c))
            (forms::input(c, "name", c.t("列席人员姓名", "Guest's name"), r.value(f, "name", ""), e, Opts { required: true, ..Default::default() }))
            (forms::input(c, "role", c.t("身份（如：镇干部、律师）", "Role (e.g. township official, lawyer)"), r.value(f, "role", ""), e, Opts { required: true, ..Default::default() }))
            button type="submit" { (c.t("登记列席", "Record the guest")) }
        }
    }
}

fn attendance(c: &Chrome, base: &str, v: &MeetingView, committee: bool) -> Markup {
    html! {
        section aria-labelledby="h-attendance" {
            h2 #h-attendance { (c.t("到会", "Attendance")) " (" (v.attendance) ")" }
            @if !v.counts.is_empty() { ul.stats { @for (k, n) in &v.counts { li { (k) " " strong { (n) } (c.t(" 人", "")) } } } }
            @if !v.guests.is_empty() { p { (c.t("列席：", "Guests: ")) @for (i, (n, r)) in v.guests.iter().enumerate() { @if i > 0 { "；" } (n) "（" (r) "）" } } }
            @if let Some((token, open, done)) = &v.checkin {
                @if *done {
                    (flash(c, "ok", &Msg::new("您已签到。", "You are signed in.")))
                } @else if *open {
                    form method="post" action={(base) "/checkin"} {
                        (csrf(c))
                        input type="hidden" name="token" value=(token);
                        button.primary type="submit" { (c.t("我已到场，签到", "I am here: sign me in")) }
                    }
                } @else {
                    (flash(c, "warn", &Msg::new("现在不在议事会时间内，不能扫码签到。", "Sign-in by QR code is open only during the meeting.")))
                }
            }
            @if committee {
                @if let Some(url) = &v.checkin_url {
                    details {
                        summary { (c.t("签到二维码（在会场出示）", "Sign-in QR code (show it at the venue)")) }
                        (crate::qr::svg(url, 220, c.t("签到二维码", "sign-in QR code")))
                        p.hint { (c.t("只在会议开始前 30 分钟到结束时有效。", "Valid from 30 minutes before the start until the end.")) }
                    }
                }
                details #host-attendance open[v.who.is_some() || v.refused.is(Form::Guest)] {
                    summary { (c.t("主持人登记到会和列席人员", "Host: record attendees and guests")) }
                    form.stack method="post" action={(base) "/attendance"} {
                        (csrf(c))
                        @let (typed, err) = match &v.who { Some((t, e)) => (t.as_str(), Some(e)), None => ("", None) };
                        div class={"field" @if err.is_some() { " has-error" }} {
                            label for="f-who" { (c.t("名册编号或姓名（每行一个）", "Roll ids or names (one per line)")) }
                            @if let Some(e) = err { p.field-error #f-who-err role="alert" { (bi(c, e)) } }
                            textarea #f-who name="who" rows="3" required aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| "f-who-err")] { (typed) }
                        }
                        button type="submit" { (c.t("登记到会", "Record")) }
                    }
                    (guest_form(c, base, v))
                    @if !v.attendees.is_empty() { p.muted { (v.attendees.join("、")) } }
                }
            }
        }
    }
}

fn minutes_form(c: &Chrome, base: &str, v: &MeetingView) -> Markup {
    let (r, f) = (&v.refused, Form::Minutes);
    let e = r.errors(f);
    let reason = r.value(f, "reason", v.amend_reason.as_deref().unwrap_or(""));
    html! {
        (forms::summary(c, e))
        form.stack #minutes method="post" action={(base) "/minutes"} {
            (csrf(c))
            @if v.minutes_working && v.revisions.iter().any(|r| r.2.is_some()) || v.amend_reason.is_some() {
                (forms::input(c, "reason", c.t("修订原因", "Reason for the amendment"), reason, e, Opts { required: true, ..Default::default() }))
            } @else if v.status == MeetingStatus::Published {
                (forms::input(c, "reason", c.t("修订原因（已公开的纪要只能修订）", "Reason (published minutes are amended, not edited)"), reason, e, Opts { required: true, ..Default::default() }))
            }
            (forms::textarea(c, "summary", c.t("纪要摘要", "Summary"), &v.summary, e, 3))
            @for m in &v.minutes {
                fieldset {
                    legend { (m.title) }
                    @let (oe, ae) = (e.get(&format!("outcome_{}", m.item)), e.get(&format!("actions_{}", m.item)));
                    div class={"field" @if oe.is_some() { " has-error" }} {
                        label for={"f-outcome-" (m.item)} { (c.t("结果", "Outcome")) }
                        @if let Some(m2) = oe { p.field-error id={"f-outcome-" (m.item) "-err"} { (bi(c, m2)) } }
                        select id={"f-outcome-" (m.item)} name={"outcome_" (m.item)}
                            aria-invalid=[oe.map(|_| "true")] aria-describedby=[oe.map(|_| format!("f-outcome-{}-err", m.item))] {
                            option value="" { (c.t("（未定）", "(none)")) }
                            @for (val, label) in &v.outcomes { option value=(val) selected[*val == m.outcome] { (label) } }
                        }
                    }
                    div.field {
                        label for={"f-views-" (m.item)} { (c.t("听到的意见（每行一条；“姓名：意见”为署名，本人同意才写姓名）", "Views heard (one per line; \"name: view\" only if they agree to be named)")) }
                        textarea id={"f-views-" (m.item)} name={"views_" (m.item)} rows="3" { (m.views_text) }
                    }
                    div.field {
                        label for={"f-notes-" (m.item)} { (c.t("说明", "Notes")) }
                        textarea id={"f-notes-" (m.item)} name={"notes_" (m.item)} rows="2" { (m.notes) }
                    }
                    div class={"field" @if ae.is_some() { " has-error" }} {
                        label for={"f-actions-" (m.item)} { (c.t("跟进事项（每行：事项 | 负责人 | 截止日期）", "Follow-up (one per line: action | owner | due date)")) }
                        @if let Some(m2) = ae { p.field-error id={"f-actions-" (m.item) "-err"} { (bi(c, m2)) } }
                        textarea id={"f-actions-" (m.item)} name={"actions_" (m.item)} rows="2"
                            aria-invalid=[ae.map(|_| "true")] aria-describedby=[ae.map(|_| format!("f-actions-{}-err", m.item))] { (m.actions_text) }
                    }
                }
            }
            button type="submit" { (c.t("保存纪要草稿", "Save the draft minutes")) }
        }
    }
}

/// Where the meeting stands, who acts next, and the reader's own button.
fn step_box(c: &Chrome, base: &str, v: &MeetingView) -> Markup {
    let committee = c.is_committee();
    let written = v.minutes_rev.is_some();
    let (now, who, what) = match v.status {
        MeetingStatus::Planned => (
            status_words(c, v.status),
            c.committee(),
            c.t(
                "主持召开会议，请到会居民签到；会后填写纪要",
                "holds the meeting with residents signing in, then writes the minutes",
            ),
        ),
        _ if v.minutes_working || (!written && v.status != MeetingStatus::Published) => (
            if written {
                c.t(
                    "纪要草稿已写好，尚未公开",
                    "minutes drafted, not public yet",
                )
            } else {
                status_words(c, v.status)
            },
            c.committee(),
            if written {
                c.t(
                    "核对后公开纪要（记入公开记录）",
                    "checks and publishes the minutes (into the ledger)",
                )
            } else {
                c.t("填写会议纪要", "writes the minutes")
            },
        ),
        _ => (
            status_words(c, v.status),
            c.t("与会居民", "those who attended"),
            c.t(
                "确认纪要属实；跟进事项由负责人办理",
                "confirm the minutes; each follow-up is done by its owner",
            ),
        ),
    };
    html! {
        section.next-step aria-labelledby="h-step" {
            h2 #h-step { (c.t("进展", "Progress")) }
            p { (c.t("当前：", "Now: ")) strong #step-now { (now) } }
            p #step-next { (c.t("下一步：", "Next: ")) strong { (who) } (c.t("", " ")) (what) }
            @if committee && v.minutes_working {
                form method="post" action={(base) "/publish"} { (csrf(c)) button.primary type="submit" { (c.t("公开纪要", "Publish the minutes")) } }
            } @else if committee && v.status == MeetingStatus::Planned {
                p { a.button.primary href="#h-attendance" { (c.t("去登记到会", "Record attendance")) } }
            } @else if committee && !written {
                p { a.button.primary href="#h-minutes" { (c.t("去填写纪要", "Write the minutes")) } }
            } @else if v.can_confirm {
                form method="post" action={(base) "/confirm"} { (csrf(c)) button.primary type="submit" { (c.t("我参加了，纪要属实", "I was there: these minutes are right")) } }
            }
        }
    }
}

pub fn meeting_page(c: &Chrome, slug: &str, v: &MeetingView) -> Markup {
    let base = format!("/c/{slug}/deliberations/{}", v.id);
    let committee = c.is_committee();
    page(
        c,
        &v.title,
        html! {
            p { a href={"/c/" (slug) "/deliberations"} { "← " (c.t("流动的茶馆", "Mobile teahouse")) } }
            h1 { (v.title) }
            @if let Some(n) = &v.notice { (flash(c, "ok", n)) }
            (step_box(c, &base, v))
            dl.facts {
                dt { (c.t("时间", "When")) } dd { (v.when) }
                dt { (c.t("地点", "Where")) } dd { (v.place) @if !v.venue.is_empty() { " · " (v.venue) } }
                dt { (c.t("主持人", "Host")) } dd { (v.host) }
                dt { (c.t("状态", "Status")) } dd { strong { (status_words(c, v.status)) } }
            }
            (agenda(c, &base, v, committee))
            (attendance(c, &base, v, committee))
            section aria-labelledby="h-minutes" {
                h2 #h-minutes { (c.t("会议纪要", "Minutes")) @if let Some(r) = v.minutes_rev { " " span.muted { (c.t("第 ", "revision ")) (r) (c.t(" 版", "")) @if v.minutes_working { (c.t("（草稿，未公开）", " (draft, not public)")) } } } }
                @if v.minutes.is_empty() || v.minutes_rev.is_none() {
                    p.empty { (c.t("纪要还没有公开。", "The minutes are not published yet.")) }
                } @else {
                    @if !v.summary.is_empty() { @for line in v.summary.lines() { p { (line) } } }
                    @for m in &v.minutes {
                        article.minutes-item {
                            h3 { (m.title) }
                            @if let Some(o) = &m.outcome_words { p { (c.t("结果：", "Outcome: ")) strong { (bi(c, o)) } } }
                            @if !m.views.is_empty() { ul { @for (who, t) in &m.views { li { strong { (who) } "：" (t) } } } }
                            @if !m.notes.is_empty() { p { (m.notes) } }
                            @if !m.actions.is_empty() {
                                ul.actions { @for (t, owner, due, status, overdue) in &m.actions {
                                    li class=(if *overdue { "overdue" } else { "" }) { (t) " · " (owner) " · " (c.t("截止 ", "due ")) (due)
                                        @if let Some(s) = status { " · " strong { (bi(c, s)) } } }
                                } }
                            }
                            @if let Some(link) = &m.vote_link { @if committee { p { a.button href=(link) { (c.t("据此起草表决", "Draft the vote from this")) } } } }
                        }
                    }
                    @if !v.confirmations.is_empty() { p { (c.t("与会者确认：", "Confirmed by attendees: ")) (v.confirmations.join("、")) } }
                    @if v.can_confirm {
                        form method="post" action={(base) "/confirm"} { (csrf(c)) button type="submit" { (c.t("我参加了，纪要属实", "I was there: these minutes are right")) } }
                    }
                    @if !v.minutes_working { p.actions { a.button href={(base) "/notice"} { (c.t("打印纪要公告（A4）", "Print the minutes notice (A4)")) } } }
                }
                @if committee && (v.status != MeetingStatus::Planned || !v.minutes.is_empty()) {
                    details open[v.minutes_working || v.refused.is(Form::Minutes)] {
                        summary { (if v.status == MeetingStatus::Published && !v.minutes_working { c.t("修订纪要", "Amend the minutes") } else { c.t("填写纪要", "Write the minutes") }) }
                        (minutes_form(c, &base, v))
                    }
                    @if v.minutes_working {
                        form method="post" action={(base) "/publish"} { (csrf(c)) button.primary type="submit" { (c.t("公开纪要（记入公开记录）", "Publish the minutes (into the ledger)")) } }
                    }
                }
            }
            @if v.revisions.len() > 1 {
                section aria-labelledby="h-revs" {
                    h2 #h-revs { (c.t("纪要版本", "Revisions")) }
                    ul { @for (rev, reason, at) in &v.revisions { li {
                        (c.t("第 ", "Revision ")) (rev) (c.t(" 版", "")) " · " (at.as_deref().unwrap_or("-"))
                        @if let Some(r) = reason { " · " (c.t("原因：", "reason: ")) (r) }
                        @if *rev > 1 { " · " a href={(base) "?diff=" (rev)} { (c.t("看改动", "changes")) } }
                    } } }
                    @if let Some((a, b, changes)) = &v.diff {
                        h3 { (c.t("第 ", "Changes from revision ")) (a) (c.t(" 版 → 第 ", " to ")) (b) (c.t(" 版", "")) }
                        ul.diff { @for ch in changes { li { (bi(c, ch)) } } }
                    }
                }
            }
            @if !v.ledger.is_empty() {
                section aria-labelledby="h-ledger" {
                    h2 #h-ledger { (c.t("公开记录", "Ledger entries")) }
                    ul { @for (seq, kind, hash) in &v.ledger { li { "#" (seq) " " code { (kind) } " " code.hash { (hash) } } } }
                }
            }
        },
    )
}
