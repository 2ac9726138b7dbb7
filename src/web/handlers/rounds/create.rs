//! The rounds list and the committee's form for a new round.

use super::{parse_max, phase_bi};
use crate::domain::cost_share::{parse_hundredths, yuan};
use crate::domain::pb_rules::Rule;
use crate::error::Error;
use crate::store::audit;
use crate::store::rounds::{self as store, NewRound};
use crate::web::AppState;
use crate::web::ctx::{Committee, Visitor};
use crate::web::handlers::{errors_with, invalid, places, see_other, today};
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use teahouse_views::Msg;
use teahouse_views::forms::Errors;
use teahouse_views::pages::rounds as view;

fn empty_values(tz: &str) -> view::NewValues {
    let t = today(tz);
    let plus = |d: i64| (t + jiff::Span::new().days(d)).to_string();
    view::NewValues {
        title: String::new(),
        description: String::new(),
        budget: String::new(),
        min_cost: "5000".into(),
        max_cost: "15000".into(),
        place: "community".into(),
        rule: "mes".into(),
        max_approvals: String::new(),
        collect_until: plus(30),
        review_until: plus(45),
        vote_until: plus(60),
    }
}

/// The rounds list with the committee's forms: the new-round form as typed
/// (`None`: empty) and the import form.
pub(super) async fn list_page(
    st: &AppState,
    ctx: &crate::web::ctx::Ctx,
    com: &crate::store::communities::Community,
    new: Option<(view::NewValues, Errors)>,
    import: view::ImportForm,
) -> Result<maud::Markup, Error> {
    let (v, errors) = new.unwrap_or_else(|| (empty_values(&com.tz), Errors::none()));
    let cid = com.id;
    let rounds = st
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for r in store::list(c, cid)? {
                let n = store::projects(c, r.id)?.len();
                out.push(view::RoundLine {
                    id: r.id,
                    title: r.title,
                    phase: phase_bi(r.phase),
                    budget: yuan(r.budget),
                    projects: n,
                });
            }
            Ok(out)
        })
        .await?;
    let places = places(st, com, ctx.0.lang).await?;
    let chrome = ctx.chrome(Some(com));
    Ok(view::list_page(
        &chrome,
        &com.slug,
        &rounds,
        &v,
        &places,
        &errors,
        &view::ImportForm {
            key: crate::store::sessions::random_token(),
            ..import
        },
    ))
}

pub async fn list(State(st): State<AppState>, v: Visitor) -> Result<Response, Error> {
    let import = view::ImportForm::default();
    Ok(list_page(&st, &v.ctx, &v.community, None, import)
        .await?
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct NewForm {
    title: String,
    description: Option<String>,
    budget: String,
    min_cost: String,
    max_cost: String,
    place: String,
    rule: Option<String>,
    max_approvals: Option<String>,
    collect_until: String,
    review_until: String,
    vote_until: String,
}

pub async fn create(
    State(st): State<AppState>,
    com: Committee,
    Form(f): Form<NewForm>,
) -> Result<Response, Error> {
    let v = view::NewValues {
        title: f.title.trim().to_string(),
        description: f.description.unwrap_or_default().trim().to_string(),
        budget: f.budget,
        min_cost: f.min_cost,
        max_cost: f.max_cost,
        place: f.place,
        rule: f.rule.unwrap_or_default(),
        max_approvals: f.max_approvals.unwrap_or_default(),
        collect_until: f.collect_until,
        review_until: f.review_until,
        vote_until: f.vote_until,
    };
    let n = match parse(&v) {
        Ok(n) => n,
        Err(e) => {
            let import = view::ImportForm::default();
            let page = list_page(&st, &com.ctx, &com.community, Some((v, e)), import).await?;
            return Ok(invalid(page));
        }
    };
    let cid = com.community.id;
    let by = com.account.id;
    let actor = com.ctx.actor();
    let res = st
        .db
        .write(move |tx| {
            let id = store::create(tx, cid, &n, by)?;
            audit::record(
                tx,
                &actor,
                Some(cid),
                "round.create",
                &crate::domain::Subject::Round(id).to_string(),
                &n.title,
            )?;
            Ok(id)
        })
        .await;
    match res {
        Ok(id) => Ok(see_other(&format!("/c/{}/rounds/{id}", com.community.slug))),
        Err(Error::Invalid(m)) => {
            let (new, import) = (
                Some((v, errors_with("place", &m))),
                view::ImportForm::default(),
            );
            Ok(invalid(
                list_page(&st, &com.ctx, &com.community, new, import).await?,
            ))
        }
        Err(err) => Err(err),
    }
}

/// The new-round form as a round, each mistake tagged with its field where
/// it is found (so the form shows it beside the right box).
fn parse(v: &view::NewValues) -> Result<NewRound, Errors> {
    let mut e = Errors::none();
    if v.title.is_empty() || v.title.chars().count() > 80 {
        e.add(
            "title",
            Msg::new(
                "请写名称（最多 80 字）",
                "Please name the round (80 characters at most)",
            ),
        );
    }
    let (budget, min, max) = amounts(v, &mut e);
    let rule = Rule::parse(&v.rule);
    if rule.is_none() {
        e.add(
            "rule",
            Msg::new("请选择计票规则", "Please choose the outcome rule"),
        );
    }
    let max_approvals = parse_max(&v.max_approvals).unwrap_or_else(|_| {
        e.add(
            "max_approvals",
            Msg::new(
                "请写正整数，或留空",
                "Write a whole number above zero, or leave it blank",
            ),
        );
        None
    });
    check_dates(v, &mut e);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(NewRound {
        title: v.title.clone(),
        description: v.description.clone(),
        budget,
        min_cost: min,
        max_cost: max,
        place: v.place.clone(),
        rule: rule.unwrap_or(Rule::Mes),
        max_approvals,
        collect_until: v.collect_until.trim().into(),
        review_until: v.review_until.trim().into(),
        vote_until: v.vote_until.trim().into(),
    })
}

/// The budget and the least and most a project may cost, in hundredths.
fn amounts(v: &view::NewValues, e: &mut Errors) -> (i64, i64, i64) {
    let money = |e: &mut Errors, k: &str, s: &str| -> i64 {
        match parse_hundredths(s) {
            Some(n) => n,
            None => {
                e.add(
                    k,
                    Msg::new(
                        format!("“{s}”不是金额（元，最多两位小数）"),
                        format!("\"{s}\" is not an amount (yuan, at most two decimals)"),
                    ),
                );
                0
            }
        }
    };
    let budget = money(e, "budget", &v.budget);
    let min = money(e, "min_cost", &v.min_cost);
    let max = money(e, "max_cost", &v.max_cost);
    if e.get("budget").is_none() && budget <= 0 {
        e.add(
            "budget",
            Msg::new("预算须大于零", "the budget must be above zero"),
        );
    }
    if e.get("max_cost").is_none() && max < min {
        e.add(
            "max_cost",
            Msg::new("最多不能少于最少", "the most cannot be less than the least"),
        );
    }
    if e.get("max_cost").is_none() && max > budget {
        e.add(
            "max_cost",
            Msg::new(
                "每个项目最多不能超过总预算",
                "the most per project cannot exceed the budget",
            ),
        );
    }
    (budget, min, max)
}

/// The three closing dates are given and run in order.
fn check_dates(v: &view::NewValues, e: &mut Errors) {
    let dates: Vec<Option<jiff::civil::Date>> = [&v.collect_until, &v.review_until, &v.vote_until]
        .iter()
        .map(|d| d.trim().parse().ok())
        .collect();
    for (k, d) in ["collect_until", "review_until", "vote_until"]
        .iter()
        .zip(&dates)
    {
        if d.is_none() {
            e.add(k, Msg::new("请填写日期", "Please give a date"));
        }
    }
    if let [Some(a), Some(b), Some(c)] = dates[..]
        && !(a <= b && b <= c)
    {
        e.add(
            "vote_until",
            Msg::new(
                "日期应依次为：征集截止 ≤ 评审截止 ≤ 投票截止",
                "The dates should run: ideas close ≤ review ends ≤ voting closes",
            ),
        );
    }
}
