//! `/numbers`: the number picker. Shoppers type digits with `*` as a wildcard and filter by
//! tier; the list follows as they type (htmx, debounced) and the address follows the search, so
//! a search can be shared.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::catalog::Opt;
use super::forms::FormErrors;
use super::views::Pager;
use crate::domain::catalog::Tier;
use crate::domain::shared::{FieldErrors, Money, Page, PageRequest};
use crate::domain::telco::numbers::NumberOffer;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::Htmx;
use crate::web::filters;
use crate::web::number_query::NumbersQuery;
use crate::web::render::{page_or_fragment_with, Chrome};
use crate::web::state::AppState;

pub struct NumberView {
    pub display: String,
    pub tier: &'static str,
    pub price: Money,
    pub golden: bool,
}

pub struct NumberList {
    pub numbers: Vec<NumberView>,
    pub count_text: String,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "shop/numbers.html")]
pub struct NumbersPage {
    pub ctx: Chrome,
    pub q: String,
    pub tiers: Vec<Opt>,
    pub errors: FormErrors,
    pub list: NumberList,
}

#[derive(Template)]
#[template(path = "shop/_number_list.html")]
pub struct NumberListFragment {
    pub ctx: Chrome,
    pub list: NumberList,
}

fn tier_label(ctx: &Chrome, tier: Tier) -> &'static str {
    ctx.t(&format!("product.tier.{}", tier.as_str()))
}

/// The address of a search's page `n`, as typed (so it can be shared).
fn href(query: &NumbersQuery, n: u32) -> String {
    let mut params: Vec<(&str, &str)> = Vec::new();
    let page = n.to_string();
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        params.push(("q", q.trim()));
    }
    if let Some(t) = query.tier.as_deref().filter(|t| !t.trim().is_empty()) {
        params.push(("tier", t.trim()));
    }
    if n > 1 {
        params.push(("page", &page));
    }
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    if query.is_empty() {
        "/numbers".into()
    } else {
        format!("/numbers?{query}")
    }
}

fn number_list(ctx: &Chrome, query: &NumbersQuery, page: &Page<NumberOffer>) -> NumberList {
    NumberList {
        numbers: page
            .items
            .iter()
            .map(|n| NumberView {
                display: n.msisdn.display(),
                tier: tier_label(ctx, n.tier),
                price: n.price,
                golden: n.golden,
            })
            .collect(),
        count_text: ctx.fill("numbers.count", &[("total", &page.total.to_string())]),
        pager: Pager::new(page, |n| href(query, n)),
    }
}

pub async fn list_numbers(
    state: web::Data<AppState>,
    ctx: Chrome,
    htmx: Htmx,
    query: web::Query<NumbersQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (status, errors, page) = match query.parse() {
        Ok(search) => (StatusCode::OK, FieldErrors::new(), flows::numbers::search(&state.shop, search).await?),
        // What was typed is kept and the message stands beside it; nothing is listed.
        Err(errors) => {
            let nothing = Page { items: Vec::new(), page: 1, per_page: PageRequest::default().per_page, total: 0 };
            (StatusCode::UNPROCESSABLE_ENTITY, errors, nothing)
        }
    };
    let chosen = query.tier.as_deref().map(str::trim).unwrap_or("");
    page_or_fragment_with(
        status,
        htmx.wants_fragment(),
        || NumbersPage {
            q: query.q.clone().unwrap_or_default(),
            tiers: Tier::ALL
                .into_iter()
                .map(|t| Opt {
                    value: t.as_str().into(),
                    label: tier_label(&ctx, t).into(),
                    selected: chosen == t.as_str(),
                })
                .collect(),
            errors: FormErrors(errors),
            list: number_list(&ctx, &query, &page),
            ctx: ctx.clone(),
        },
        || NumberListFragment { ctx: ctx.clone(), list: number_list(&ctx, &query, &page) },
    )
}
