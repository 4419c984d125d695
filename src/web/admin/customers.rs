//! `/admin/customers`: staff find a customer by email or name and see their orders, numbers,
//! coupon codes and addresses on one page (no secret of theirs: no SIM or eSIM code).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::nav::{AdminNav, Section};
use crate::domain::accounts::addresses::{self, Address};
use crate::domain::accounts::{queries as accounts, Role};
use crate::domain::orders::{queries as orders, OrderFilter};
use crate::domain::promotions::types::shown_discount;
use crate::domain::promotions::{queries as promotions, MyCode};
use crate::domain::reports::{self, CustomerNumber, CustomerRow};
use crate::domain::shared::{shop_local, AccountId, PageRequest};
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::extract::StaffUser;
use crate::web::filters;
use crate::web::pages::orders::OrderView;
use crate::web::pages::views::Pager;
use crate::web::render::{html_with, Chrome};
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct CustomersQuery {
    pub q: Option<String>,
    pub page: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/customers.html")]
pub struct CustomersPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub q: String,
    pub rows: Vec<(CustomerRow, String)>,
    pub total: i64,
    pub pager: Pager,
}

pub async fn list_customers(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
    query: web::Query<CustomersQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().chars().take(100).collect::<String>();
    let page = PageRequest::parse(query.page.as_deref(), None).unwrap_or_default();
    let search = q.clone();
    let found =
        state.shop.db.run(move |conn| Ok::<_, AppError>(reports::customers(conn, Some(&search), page)?)).await?;
    let encoded = serde_urlencoded::to_string([("q", q.as_str())]).unwrap_or_default();
    let pager = Pager::new(&found, |n| format!("/admin/customers?{encoded}&page={n}"));
    let rows =
        found.items.iter().map(|c| (c.clone(), shop_local(c.registered).format("%Y-%m-%d").to_string())).collect();
    let page =
        CustomersPage { nav: AdminNav::new(&staff.0, Section::Customers), q, rows, total: found.total, pager, ctx };
    html_with(StatusCode::OK, &page)
}

pub struct CodeView {
    pub code: String,
    pub campaign: String,
    pub discount: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/customer.html")]
pub struct CustomerPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub email: String,
    pub name: String,
    pub orders: Vec<OrderView>,
    pub orders_total: i64,
    pub numbers: Vec<CustomerNumber>,
    pub codes: Vec<CodeView>,
    pub addresses: Vec<Address>,
}

pub async fn show_customer(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: AccountId = path_id(&id)?;
    let now = state.shop.now();
    let (account, orders, numbers, codes, book) = state
        .shop
        .db
        .run(move |conn| {
            let account =
                accounts::find_account(conn, id)?.filter(|a| a.role == Role::Customer).ok_or(AppError::NotFound)?;
            let filter = OrderFilter { account: Some(id), ..OrderFilter::default() };
            let orders = orders::list_orders(conn, filter, PageRequest { page: 1, per_page: 50 })?;
            let numbers = reports::customer_numbers(conn, id)?;
            let codes: Vec<MyCode> = promotions::my_codes(conn, id, now)?;
            let book = addresses::list(conn, id)?;
            Ok::<_, AppError>((account, orders, numbers, codes, book))
        })
        .await?;
    let page = CustomerPage {
        nav: AdminNav::new(&staff.0, Section::Customers),
        email: account.email,
        name: account.name,
        orders_total: orders.total,
        orders: orders.items.iter().map(|o| OrderView::new(&ctx, o)).collect(),
        numbers,
        codes: codes
            .iter()
            .map(|c| CodeView {
                code: c.code.as_str().to_string(),
                campaign: c.campaign.clone(),
                discount: shown_discount(c.discount_type, c.discount_value),
                status: ctx.t(&format!("account.code.{}", c.status.as_str())),
            })
            .collect(),
        addresses: book,
        ctx,
    };
    html_with(StatusCode::OK, &page)
}
