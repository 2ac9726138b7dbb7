//! The community board: the home page of a community.

use crate::chrome::{Chrome, Msg};
use crate::layout::page;
use maud::{Markup, html};

pub struct Contact {
    pub name: String,
    pub phone: String,
    pub address: String,
    pub hours: String,
}

pub struct RollCounts {
    pub zones: i64,
    pub buildings: i64,
    pub dwellings: i64,
    pub households: i64,
    pub residents: i64,
    pub adults: i64,
    pub owners: i64,
    pub accounts: i64,
}

pub struct BoardView {
    pub name: String,
    pub is_village: bool,
    pub contact: Contact,
    pub counts: RollCounts,
    /// The reader's own home in this community, if they are on its roll.
    pub my_home: Option<String>,
    pub votes: Vec<crate::pages::votes::VoteLine>,
    pub slug: String,
    /// Categories disclosed so far (or overdue), with their last period.
    pub disclosure_categories: Vec<crate::pages::disclosures::CategoryLine>,
    /// The latest published disclosures.
    pub disclosures: Vec<crate::pages::disclosures::Line>,
    /// Upcoming meetings, open and overdue follow-up actions.
    pub meetings: (Vec<crate::pages::deliberations::MeetingLine>, usize, usize),
    pub proposals: BoardProposals,
    /// Micro-venture rounds not yet at their results, newest first.
    pub rounds: Vec<BoardRound>,
}

/// The newest proposals open for co-signing, how many are open, and how
/// many proposals (drafts aside) there are in all.
pub struct BoardProposals {
    pub open: Vec<crate::pages::proposals::Line>,
    pub open_total: i64,
    pub all_total: i64,
}

pub struct BoardRound {
    pub id: i64,
    pub title: String,
    /// collect, review or vote.
    pub phase: String,
    pub phase_words: Msg,
    /// The date the current phase ends.
    pub until: String,
}

fn proposals_section(c: &Chrome, v: &BoardView) -> Markup {
    let p = &v.proposals;
    let slug = &v.slug;
    html! {
        section.board-section aria-labelledby="h-proposals" {
            h2 #h-proposals { a href={"/c/" (slug) "/proposals"} { (c.t("提案与金点子", "Proposals and ideas")) } }
            @if p.all_total == 0 {
                p.empty { (if v.is_village {
                    c.t("还没有提案。村民提出的想法会出现在这里，大家可以附议，达到人数后交村委会处理。",
                        "No proposals yet. Villagers' ideas will appear here; others can co-sign them, and enough signatures send an idea to the village committee.")
                } else {
                    c.t("还没有提案。居民提出的想法会出现在这里，大家可以附议，达到人数后交居委会处理。",
                        "No proposals yet. Residents' ideas will appear here; others can co-sign them, and enough signatures send an idea to the committee.")
                }) }
            } @else if p.open.is_empty() {
                p.empty { (c.t("目前没有征集附议的提案。", "No proposal is open for co-signing at the moment.")) }
            } @else {
                p { (c.t("正在征集附议：", "Open for co-signing: ")) strong { (p.open_total) } (c.t(" 条", "")) }
                ul.vote-list {
                    @for l in &p.open {
                        li {
                            a href={"/c/" (slug) "/proposals/" (l.id)} { (l.title) }
                            br;
                            span.muted { (c.t(&l.category.zh, &l.category.en)) " · " (l.place) " · " }
                            (c.t("附议 ", "co-signed ")) strong { (l.cosigns) } " / " (l.needed)
                        }
                    }
                }
            }
            p.actions {
                @if p.all_total > 0 {
                    a href={"/c/" (slug) "/proposals"} { (c.t("全部提案（", "All proposals (")) (p.all_total) (c.t("条）", ")")) " →" }
                    " · "
                }
                a href={"/c/" (slug) "/proposals/new"} { (c.t("提出提案", "Make a proposal")) }
            }
            h3 #h-rounds { a href={"/c/" (slug) "/rounds"} { (c.t("公益创投 · 金点子", "Micro-venture rounds")) } }
            @if v.rounds.is_empty() {
                p.empty { (c.t("目前没有进行中的创投轮次。往届的项目和结果见“公益创投”。",
                    "No round is under way. Past rounds and their results are under Micro-venture rounds.")) }
            } @else {
                ul.vote-list {
                    @for r in &v.rounds {
                        li {
                            a href={"/c/" (slug) "/rounds/" (r.id)} { (r.title) }
                            " " span class={"tag phase-" (r.phase)} { (c.t(&r.phase_words.zh, &r.phase_words.en)) }
                            br;
                            span.muted { (c.t("本阶段截止 ", "This phase ends ")) (r.until) }
                            @match r.phase.as_str() {
                                "collect" => { " · " a href={"/c/" (slug) "/rounds/" (r.id)} { (c.t("提交项目", "Submit a project")) } }
                                "vote" => { " · " a href={"/c/" (slug) "/rounds/" (r.id)} { strong { (c.t("去投票", "Vote now")) } } }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn board(c: &Chrome, v: &BoardView) -> Markup {
    page(
        c,
        &v.name,
        html! {
            h1 { (v.name) }
            @if let Some(home) = &v.my_home {
                p.lead { (c.t("您的住址：", "Your home: ")) strong { (home) } }
            }
            p.counts {
                (c.t("在册", "On the roll: ")) " "
                strong { (v.counts.households) } " " (c.t("户，", "households, "))
                strong { (v.counts.residents) } " " (c.t("位居民", "residents"))
                @if !v.is_village && v.counts.dwellings > 0 {
                    (c.t("，", ", ")) strong { (v.counts.dwellings) } " " (c.t("套房屋", "dwellings"))
                }
            }
            (staff_panel(c, v))
            div.board-grid {
                (proposals_section(c, v))
                (meetings_section(c, v))
                section.board-section aria-labelledby="h-votes" {
                    h2 #h-votes { a href={"/c/" (v.slug) "/votes"} { (c.t("表决", "Votes")) } }
                    (crate::pages::votes::vote_list(c, &v.slug, &v.votes))
                }
                (disclosures_section(c, v))
            }
            (contact(c, v))
            @if c.user.is_none() {
                p.hint { (c.t(&format!("{}请用{}发的激活码", if v.is_village { "村民" } else { "居民" }, c.committee_zh()), "Residents: use the code from your committee to ")) " "
                    a href="/activate" { (c.t("激活账户", "activate your account")) } " "
                    (c.t("后登录参与。", "and take part.")) }
            }
        },
    )
}

/// Meetings coming up and the open follow-up actions.
fn meetings_section(c: &Chrome, v: &BoardView) -> Markup {
    html! {
        section.board-section aria-labelledby="h-deliberations" {
            h2 #h-deliberations { a href={"/c/" (v.slug) "/deliberations"} { (c.t("流动的茶馆", "Mobile teahouse meetings")) } }
            @if v.meetings.0.is_empty() {
                p.empty { (c.t("近期没有安排议事会。开过的议事会和纪要见“流动的茶馆”。",
                    "No meetings coming up. Past meetings and their minutes are under Mobile teahouse.")) }
            } @else {
                (crate::pages::deliberations::meeting_list(c, &v.slug, &v.meetings.0))
            }
            @if v.meetings.1 > 0 {
                p { a href={"/c/" (v.slug) "/actions"} { (c.t("跟进事项 ", "Follow-up: ")) (v.meetings.1) (c.t(" 项未办结", " open")) }
                    @if v.meetings.2 > 0 { " · " strong.warn { "⚠ " (v.meetings.2) (c.t(" 项逾期", " overdue")) } } }
            }
        }
    }
}

/// The disclosure categories and the latest disclosures.
fn disclosures_section(c: &Chrome, v: &BoardView) -> Markup {
    html! {
        section.board-section aria-labelledby="h-disclosures" {
            h2 #h-disclosures { a href={"/c/" (v.slug) "/disclosures"} { (if v.is_village { c.t("村务公开", "Village affairs disclosure") } else { c.t("居务公开", "Residential affairs disclosure") }) } }
            @if v.disclosures.is_empty() && v.disclosure_categories.is_empty() {
                p.empty { (c.t("还没有公开事项。财务收支、项目、补助名单等公开内容经监督委员会审核后会公布在这里。",
                    "Nothing disclosed yet. Finances, projects and subsidy lists will appear here after the supervision committee has reviewed them.")) }
                p { a href={"/c/" (v.slug) "/disclosures"} {
                    (if v.is_village { c.t("查看村务公开栏目和各自的公开时限", "See the disclosure categories and when each is due") }
                     else { c.t("查看居务公开栏目和各自的公开时限", "See the disclosure categories and when each is due") }) " →" } }
            } @else {
                (crate::pages::disclosures::categories(c, &v.slug, &v.disclosure_categories))
                (crate::pages::disclosures::line_list(c, &v.slug, &v.disclosures, false))
            }
        }
    }
}

/// The committee's counts of the roll and its links to manage it.
fn staff_panel(c: &Chrome, v: &BoardView) -> Markup {
    html! {
        @if c.is_committee() {
            section.staff-panel aria-labelledby="h-staff" {
                h2 #h-staff { (c.t("工作台", "Committee desk")) }
                ul.stats {
                    li { strong { (v.counts.zones) } " " (if v.is_village { c.t("个村民小组", "villager groups") } else { c.t("个网格", "grids") }) }
                    @if !v.is_village || v.counts.buildings > 0 { li { strong { (v.counts.buildings) } " " (c.t("栋楼", "buildings")) } }
                    li { strong { (v.counts.adults) } " " (c.t("位成年人", "adults")) }
                    @if v.counts.owners > 0 { li { strong { (v.counts.owners) } " " (c.t("个业主（按产权人计）", "owners (by owning party)")) } }
                    li { strong { (v.counts.accounts) } " " (c.t("人已激活账户", "have activated an account")) }
                }
                p.actions {
                    a.button href={"/c/" (c.community.as_ref().map(|x| x.slug.as_str()).unwrap_or("")) "/roll"} { (c.t("管理名册", "Manage the roll")) }
                    " "
                    a.button href={"/c/" (c.community.as_ref().map(|x| x.slug.as_str()).unwrap_or("")) "/codes"} { (c.t("打印激活码", "Print activation codes")) }
                }
            }
        }
    }
}

/// How to reach the committee.
fn contact(c: &Chrome, v: &BoardView) -> Markup {
    html! {
        section.contact aria-labelledby="h-contact" {
            h2 #h-contact { (if v.is_village { c.t("联系村委会", "Contact the village committee") } else { c.t("联系居委会", "Contact the residents' committee") }) }
            @if v.contact.name.is_empty() && v.contact.phone.is_empty() && v.contact.address.is_empty() {
                p.empty { (c.t("联系方式尚未填写。", "No contact details yet.")) }
            } @else {
                dl.facts {
                    @if !v.contact.name.is_empty() { dt { (c.t("联系人", "Contact")) } dd { (v.contact.name) } }
                    @if !v.contact.phone.is_empty() { dt { (c.t("电话", "Phone")) } dd { a href={"tel:" (v.contact.phone)} { (v.contact.phone) } } }
                    @if !v.contact.address.is_empty() { dt { (c.t("地址", "Address")) } dd { (v.contact.address) } }
                    @if !v.contact.hours.is_empty() { dt { (c.t("办公时间", "Office hours")) } dd { (v.contact.hours) } }
                }
            }
        }
    }
}
