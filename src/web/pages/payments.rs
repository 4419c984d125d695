//! `/payments/{id}/pay`: the sandbox payment provider's hosted page, where a shopper approves
//! or declines as at a bank; the outcome reaches the shop through the provider's signed event.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::links::order_href;
use crate::domain::orders::{queries, Order, OrderAccess};
use crate::domain::payments::{self, Outcome, Payment, PaymentState};
use crate::domain::shared::Money;
use crate::domain::shared::PaymentId;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::filters;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "shop/payment_sandbox.html")]
pub struct SandboxPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub payment_id: PaymentId,
    pub amount: Money,
    pub number: String,
    pub pending: bool,
    pub status_label: &'static str,
    pub back: String,
}

async fn payment_and_order(state: &AppState, id: PaymentId) -> Result<(Payment, Order), AppError> {
    state.require_sandbox()?;
    state
        .shop
        .db
        .run(move |conn| {
            let payment = payments::commands::get_payment(conn, id)?;
            let order = queries::get_order(conn, payment.order_id, &OrderAccess::staff())?;
            Ok::<_, AppError>((payment, order))
        })
        .await
}

/// The sandbox provider's hosted page: approve or decline, as a shopper would at a bank.
pub async fn show_sandbox_payment(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let (payment, order) = payment_and_order(&state, id).await?;
    let csrf = ctx.form_token(&session);
    let page = SandboxPage {
        status_label: ctx.t(&format!("payment.status.{}", payment.status.as_str())),
        csrf,
        payment_id: payment.id,
        amount: payment.amount,
        number: order.number.clone(),
        pending: payment.status == PaymentState::Pending,
        back: order_href(order.id, ""),
        ctx,
    };
    html_with(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    pub outcome: Option<String>,
}

/// The sandbox settles the payment through its signed webhook, then returns the shopper to the
/// shop's tracking page, as a provider's return URL would.
pub async fn submit_sandbox_payment(
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<OutcomeForm>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let outcome = form
        .outcome
        .as_deref()
        .and_then(Outcome::parse)
        .ok_or_else(|| AppError::BadRequest("Choose approve or decline.".into()))?;
    let (_, order) = payment_and_order(&state, id).await?;
    flows::orders::settle_sandbox_payment(&state.shop, id, outcome).await?;
    Ok(see_other(&order_href(order.id, "")))
}
