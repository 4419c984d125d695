//! `/numbers`: the number picker. Shoppers type digits with `*` as a wildcard and filter by
//! tier; the list follows as they type (htmx, debounced) and the address follows the search, so
//! a search can be shared.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::catalog::Opt;
use super::forms::FormErrors;
use super::views::Pager;
use crate::domain::catalog::Tier;
use crate::domain::shared::{FieldErrors, Money, Page, PageRequest, ProductId};
use crate::domain::telco::numbers::NumberOffer;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::Htmx;
use crate::web::filters;
use crate::web::number_query::NumbersQuery;
use crate::web::render::{page_or_fragment_with, Chrome};
use crate::web::state::AppState;

pub struct NumberView {
    pub msisdn: String,
    /// Its physical SIM's code field, empty.
    pub code: SimCodeField,
    pub display: String,
    pub tier: &'static str,
    pub price: Money,
    pub golden: bool,
    pub product_id: ProductId,
}

/// The field a physical SIM's code is typed in, under a number of the picker. After an add it
/// is sent again out of band (htmx), so a refused code's message stands beside it and an
/// accepted one clears it.
pub struct SimCodeField {
    pub msisdn: String,
    pub value: String,
    pub error: Option<String>,
    pub oob: bool,
}

impl SimCodeField {
    pub fn empty(msisdn: &str) -> Self {
        Self { msisdn: msisdn.to_string(), value: String::new(), error: None, oob: false }
    }
}

pub struct NumberList {
    pub numbers: Vec<NumberView>,
    pub count_text: String,
    pub pager: Pager,
    /// The form token of each number's "add to cart" form.
    pub csrf: String,
    /// What activating on an eSIM adds (`None`: no eSIM can be had now).
    pub esim_price: Option<Money>,
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

/// A page of the search and the eSIM's price beside it.
struct Found {
    page: Page<NumberOffer>,
    esim_price: Option<Money>,
    capped: bool,
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

fn number_list(ctx: &Chrome, query: &NumbersQuery, found: &Found, csrf: &str) -> NumberList {
    let page = &found.page;
    NumberList {
        csrf: csrf.to_string(),
        esim_price: found.esim_price,
        numbers: page
            .items
            .iter()
            .map(|n| NumberView {
                msisdn: n.msisdn.as_str().to_string(),
                code: SimCodeField::empty(n.msisdn.as_str()),
                product_id: n.product_id,
                display: n.msisdn.display(),
                tier: tier_label(ctx, n.tier),
                price: n.price,
                golden: n.golden,
            })
            .collect(),
        count_text: if found.capped {
            ctx.fill("numbers.count_more", &[("total", &filters::with_thousands(page.total))])
        } else {
            ctx.fill("numbers.count", &[("total", &page.total.to_string())])
        },
        pager: Pager::new(page, |n| href(query, n)),
    }
}

pub async fn list_numbers(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    htmx: Htmx,
    query: web::Query<NumbersQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (status, errors, found) = match query.parse() {
        Ok(search) => {
            let found = flows::numbers::search(&state.shop, search).await?;
            (
                StatusCode::OK,
                FieldErrors::new(),
                Found { page: found.page, esim_price: found.esim_price, capped: found.total_capped },
            )
        }
        // What was typed is kept and the message stands beside it; nothing is listed.
        Err(errors) => {
            let nothing = Page { items: Vec::new(), page: 1, per_page: PageRequest::default().per_page, total: 0 };
            (StatusCode::UNPROCESSABLE_ENTITY, errors, Found { page: nothing, esim_price: None, capped: false })
        }
    };
    let csrf = ctx.form_token(&session);
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
            list: number_list(&ctx, &query, &found, &csrf),
            ctx: ctx.clone(),
        },
        || NumberListFragment { ctx: ctx.clone(), list: number_list(&ctx, &query, &found, &csrf) },
    )
}
