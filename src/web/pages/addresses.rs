//! `/account/addresses…`: the customer's address book (added from `/account`, edited on a page
//! of its own).
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use uuid::Uuid;

use super::account::{account_page, back_to_account, Failed};
use super::forms::{AddressForm, FormErrors};
use crate::domain::accounts::addresses;
use crate::domain::accounts::AccountError;
use crate::domain::shared::FieldErrors;
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::extract::SignedIn;
use crate::web::render::{html, html_with, Chrome};
use crate::web::state::AppState;

pub async fn add_address(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    user: SignedIn,
    form: web::Form<AddressForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = match form.input().parse() {
        Ok(i) => i,
        Err(e) => return account_page(&state, ctx, &session, user.0, Failed::Address(e, form)).await,
    };
    let owner = user.0.id;
    match state.shop.db.run(move |conn| addresses::add(conn, owner, &input)).await {
        Ok(_) => Ok(back_to_account(&session, "account.address_saved")),
        Err(AccountError::Invalid(e)) => account_page(&state, ctx, &session, user.0, Failed::Address(e, form)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "shop/address_edit.html")]
pub struct AddressEditPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub id: Uuid,
    pub address: AddressForm,
    pub address_errors: FormErrors,
}

pub async fn show_address(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    user: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: Uuid = path_id(&id)?;
    let owner = user.0.id;
    let list = state.shop.db.run(move |conn| Ok::<_, AppError>(addresses::list(conn, owner)?)).await?;
    let address = list.iter().find(|a| a.id == id).ok_or(AppError::NotFound)?;
    let csrf = ctx.form_token(&session);
    html(&AddressEditPage {
        ctx,
        csrf,
        id,
        address: AddressForm::from_address(address),
        address_errors: FormErrors(FieldErrors::new()),
    })
}

pub async fn update_address(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    user: SignedIn,
    id: web::Path<String>,
    form: web::Form<AddressForm>,
) -> Result<HttpResponse, AppError> {
    let id: Uuid = path_id(&id)?;
    let form = form.into_inner();
    let input = match form.input().parse() {
        Ok(i) => i,
        Err(e) => {
            let csrf = ctx.form_token(&session);
            let page = AddressEditPage { ctx, csrf, id, address: form, address_errors: FormErrors(e) };
            return html_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let owner = user.0.id;
    state.shop.db.run(move |conn| Ok::<_, AppError>(addresses::update(conn, owner, id, &input)?)).await?;
    Ok(back_to_account(&session, "account.address_saved"))
}

pub async fn delete_address(
    state: web::Data<AppState>,
    session: Session,
    user: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: Uuid = path_id(&id)?;
    let owner = user.0.id;
    state.shop.db.run(move |conn| Ok::<_, AppError>(addresses::remove(conn, owner, id)?)).await?;
    Ok(back_to_account(&session, "account.address_removed"))
}
