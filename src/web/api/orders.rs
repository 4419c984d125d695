//! `/api/v1/orders…` and `/api/v1/payments…`: the caller's orders, tracking by the mail's link,
//! cancelling unpaid orders, paying again, and the payment provider's side (sandbox).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{OrderDto, OrderPage, PaymentDto};
use crate::domain::orders::{commands, queries, Actor, OrderAccess, OrderFilter};
use crate::domain::payments::Outcome;
use crate::domain::shared::Code;
use crate::domain::shared::{FieldErrors, PageRequest};
use crate::flows;
use crate::web::error::{AppError, Problem};
use crate::web::extract::path_id;
use crate::web::extract::{ApiAccount, CurrentLang, MaybeApiAccount};
use crate::web::render::{json, json_ok};
use crate::web::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The secret from the tracking link in the order's mails.
    pub token: Option<String>,
}

/// Who may see the order: the bearer's account and/or the link's token; neither is 401.
fn access_of(caller: MaybeApiAccount, token: Option<String>) -> Result<OrderAccess, AppError> {
    let access = OrderAccess::of(caller.0.as_ref(), token);
    if access.is_anonymous() {
        return Err(AppError::Unauthorized);
    }
    Ok(access)
}

/// The caller's orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = OrderPage), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orders(
    state: web::Data<AppState>,
    caller: ApiAccount,
    lang: CurrentLang,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let filter = OrderFilter { account: Some(caller.0.id), ..OrderFilter::default() };
    let orders = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::list_orders(conn, filter, page)?)).await?;
    json_ok(&OrderPage::new(&orders, lang.0))
}

/// One order with its timeline: the owner's, staff's, or anyone's holding the mail's `token`.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path), TokenQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = OrderDto), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn get_order(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
    id: web::Path<String>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let access = access_of(caller, query.into_inner().token)?;
    let order = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::get_order(conn, id, &access)?)).await?;
    json_ok(&OrderDto::new(&order, lang.0))
}

/// Cancel an order before it is paid; what it reserved is released. A paid order is 409.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = Uuid, Path), TokenQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "illegal_transition: already paid or cancelled", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_order(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
    id: web::Path<String>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let actor = Actor::of(caller.0.as_ref());
    let access = access_of(caller, query.into_inner().token)?;
    let now = state.shop.now();
    let order =
        state.shop.db.run(move |conn| Ok::<_, AppError>(commands::cancel(conn, id, &access, actor, now)?)).await?;
    json_ok(&OrderDto::new(&order, lang.0))
}

/// Pay an unpaid order again (after a declined payment): the waiting attempt, or a new one.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments", tag = "orders", params(("id" = Uuid, Path), TokenQuery),
    security((), ("bearer" = [])),
    responses((status = 201, body = PaymentDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not_payable: paid, cancelled or expired", body = Problem, content_type = "application/problem+json")))]
pub async fn pay_order(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    id: web::Path<String>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let access = access_of(caller, query.into_inner().token)?;
    let payment = flows::orders::pay_order(&state.shop, id, access).await?;
    json(StatusCode::CREATED, &PaymentDto::new(&payment, state.payment_provider()?))
}

#[derive(Deserialize, ToSchema)]
pub struct SimulateBody {
    /// succeeded or failed.
    pub outcome: Option<String>,
}

/// Sandbox only: settle a payment as the provider would, through its signed webhook.
#[utoipa::path(post, path = "/api/v1/payments/{id}/simulate", tag = "payments", params(("id" = Uuid, Path)),
    request_body = SimulateBody,
    responses((status = 200, body = PaymentDto),
        (status = 404, description = "No such payment, or the sandbox is off", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn simulate_payment(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<SimulateBody>,
) -> Result<HttpResponse, AppError> {
    state.require_sandbox()?;
    let id = path_id(&id)?;
    let outcome = body
        .outcome
        .as_deref()
        .and_then(Outcome::parse)
        .ok_or_else(|| FieldErrors::single("outcome", Code::Outcome))?;
    let payment = flows::orders::settle_sandbox_payment(&state.shop, id, outcome).await?;
    json_ok(&PaymentDto::new(&payment, state.payment_provider()?))
}

/// A payment provider's webhook (`sandbox` here): `Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
/// Forged, altered or stale (more than 5 minutes) events are refused and change nothing; a
/// repeated event id is acknowledged and changes nothing.
#[utoipa::path(post, path = "/api/v1/payments/webhooks/{provider}", tag = "payments",
    params(("provider" = String, Path, description = "The provider's name: `sandbox`")),
    request_body(content = Object, description = r#"`{"id": "evt_…", "type": "payment.succeeded" | "payment.failed", "data": {"payment_id", "amount": "12500.00", "currency": "MNT"}}`"#),
    responses((status = 200, body = PaymentDto),
        (status = 400, description = "signature_invalid or webhook_stale", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "amount_mismatch, or not an event", body = Problem, content_type = "application/problem+json")))]
pub async fn provider_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    name: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let provider = state.shop.payments().filter(|p| p.name() == name.as_str()).ok_or(AppError::NotFound)?;
    let signature = req.headers().get(provider.signature_header()).and_then(|v| v.to_str().ok()).map(String::from);
    let payment = flows::orders::record_webhook(&state.shop, name.into_inner(), signature, body.to_vec()).await?;
    json_ok(&PaymentDto::new(&payment, provider))
}
