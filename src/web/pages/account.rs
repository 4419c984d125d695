//! `/account`: the customer's orders, profile, password and address book, and signing out
//! everywhere.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::{AddressForm, FormErrors};
use super::orders::OrderView;
use crate::domain::accounts::addresses::{self, Address};
use crate::domain::accounts::{commands, Account, AccountError};
use crate::domain::orders::{queries as order_queries, OrderFilter};
use crate::domain::promotions::types::shown_discount;
use crate::domain::promotions::{self, MyCode, MyCodeStatus};
use crate::domain::shared::{FieldErrors, PageRequest};
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::{Caller, SignedIn};
use crate::web::filters;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "shop/account.html")]
pub struct AccountPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub name: String,
    pub email: String,
    pub staff: bool,
    pub notice: Option<String>,
    pub addresses: Vec<Address>,
    pub profile_errors: FormErrors,
    pub password_errors: FormErrors,
    pub address: AddressForm,
    pub address_errors: FormErrors,
    pub orders: Vec<OrderView>,
    pub codes: Vec<MyCodeView>,
}

/// A personal code on the account page.
pub struct MyCodeView {
    pub code: String,
    pub campaign: String,
    /// `10%` or `₮5,000`.
    pub discount: String,
    pub until: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
}

impl MyCodeView {
    fn new(ctx: &Chrome, c: &MyCode) -> Self {
        Self {
            code: c.code.as_str().to_string(),
            campaign: c.campaign.clone(),
            discount: shown_discount(c.discount_type, c.discount_value),
            until: c.ends_at.map(|e| ctx.tr.datetime(e)),
            status: c.status.as_str(),
            status_label: ctx.t(&format!("account.code.{}", c.status.as_str())),
        }
    }

    pub fn usable(&self) -> bool {
        self.status == MyCodeStatus::Available.as_str()
    }
}

/// Which form on the account page failed, with its errors.
pub(super) enum Failed {
    None,
    Profile(FieldErrors, String),
    Password(FieldErrors),
    Address(FieldErrors, AddressForm),
}

pub(super) async fn account_page(
    state: &web::Data<AppState>,
    mut ctx: Chrome,
    session: &Session,
    account: Account,
    failed: Failed,
) -> Result<HttpResponse, AppError> {
    let csrf = ctx.form_token(session);
    let owner = account.id;
    let now = state.shop.now();
    let (addresses, orders, codes) = state
        .shop
        .db
        .run(move |conn| {
            let book = addresses::list(conn, owner)?;
            let filter = OrderFilter { account: Some(owner), ..OrderFilter::default() };
            let orders = order_queries::list_orders(conn, filter, PageRequest { page: 1, per_page: 100 })?;
            let codes = promotions::queries::my_codes(conn, owner, now)?;
            Ok::<_, AppError>((book, orders.items, codes))
        })
        .await?;
    let empty = || FormErrors(FieldErrors::new());
    let order_views = orders.iter().map(|o| OrderView::new(&ctx, o)).collect();
    let codes = codes.iter().map(|c| MyCodeView::new(&ctx, c)).collect();
    let mut page = AccountPage {
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        ctx,
        csrf,
        name: account.name,
        email: account.email,
        staff: account.role.is_staff(),
        addresses,
        profile_errors: empty(),
        password_errors: empty(),
        address: AddressForm::default(),
        address_errors: empty(),
        orders: order_views,
        codes,
    };
    let status = match failed {
        Failed::None => StatusCode::OK,
        Failed::Profile(e, name) => {
            page.profile_errors = FormErrors(e);
            page.name = name;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Failed::Password(e) => {
            page.password_errors = FormErrors(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Failed::Address(e, form) => {
            page.address_errors = FormErrors(e);
            page.address = form;
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    html_with(status, &page)
}

pub(super) fn back_to_account(session: &Session, notice: &'static str) -> HttpResponse {
    session::flash(session, notice);
    see_other("/account")
}

pub async fn show_account(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
) -> Result<HttpResponse, AppError> {
    account_page(&state, ctx, &session, user.0, Failed::None).await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    pub name: Option<String>,
}

pub async fn update_profile(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let raw = form.into_inner().name.unwrap_or_default();
    let name = match commands::parse_name(&raw, "name") {
        Ok(n) => n,
        Err(e) => return account_page(&state, ctx, &session, user.0, Failed::Profile(e, raw)).await,
    };
    let id = user.0.id;
    let account = state.shop.db.run(move |conn| Ok::<_, AppError>(commands::rename(conn, id, &name)?)).await?;
    session::sign_in_again(&session, &account);
    Ok(back_to_account(&session, "account.saved"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

pub async fn change_password(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
    ip: Caller,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let account = user.0;
    let (current, new) = (form.current_password.unwrap_or_default(), form.new_password.unwrap_or_default());
    match flows::accounts::change_password(&state.shop, &account, current, new, ip.0).await {
        Ok(updated) => {
            session::sign_in_again(&session, &updated);
            Ok(back_to_account(&session, "account.password_changed"))
        }
        Err(AccountError::Invalid(e)) => account_page(&state, ctx, &session, account, Failed::Password(e)).await,
        Err(e) => Err(e.into()),
    }
}

/// Ends every session and API token of the account, this one included.
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    session: Session,
    user: SignedIn,
) -> Result<HttpResponse, AppError> {
    let id = user.0.id;
    let now = state.shop.now();
    state.shop.db.run(move |conn| Ok::<_, AppError>(commands::sign_out_everywhere(conn, id, now)?)).await?;
    session::sign_out(&session);
    Ok(see_other("/login"))
}
