//! `/api/v1/admin/orders…`: staff see every order, move it along and refund it.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::dto::{OrderDto, OrderPage};
use crate::domain::cart::rules::parse_amount;
use crate::domain::idempotency::Refusals;
use crate::domain::orders::pickup::Handover;
use crate::domain::orders::{commands, queries, OrderAccess, OrderFilter, OrderStatus, StaffAction};
use crate::domain::payments::Refund;
use crate::domain::shared::Code;
use crate::domain::shared::{FieldErrors, PageRequest};
use crate::flows;
use crate::web::error::{AppError, Problem};
use crate::web::extract::path_id;
use crate::web::extract::{ApiStaff, CurrentLang, KeyHeader};
use crate::web::render::json_ok;
use crate::web::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminOrdersQuery {
    /// Only orders in this state.
    pub status: Option<String>,
    /// `delivery`, `pickup` or `none` (nothing physical) (an extension).
    pub method: Option<String>,
    /// The pickup branch or warehouse the goods come from (an extension).
    pub branch_id: Option<String>,
    /// Placed on or after this day, on the shop's calendar, `2026-11-30` (an extension).
    pub from: Option<String>,
    /// Placed on or before this day (an extension).
    pub to: Option<String>,
    /// An order number, the start of the buyer's email, or the delivery phone (an extension).
    pub q: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Every order, newest first, optionally of one status.
#[utoipa::path(get, path = "/api/v1/admin/orders", tag = "admin", params(AdminOrdersQuery), security(("bearer" = [])),
    responses((status = 200, body = OrderPage), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orders(
    state: web::Data<AppState>,
    lang: CurrentLang,
    query: web::Query<AdminOrdersQuery>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let parsed = OrderStatus::parse(s);
            if parsed.is_none() {
                errors.add("status", Code::OrderStatus);
            }
            parsed
        }
    };
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref()).unwrap_or_else(|e| {
        errors.extend(e);
        PageRequest::default()
    });
    let mut filter = OrderFilter { status, ..OrderFilter::default() };
    crate::web::order_query::read_filters(
        &mut filter,
        query.method.as_deref(),
        query.branch_id.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        query.q.as_deref(),
        &mut errors,
    );
    errors.into_result()?;
    let orders = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::list_orders(conn, filter, page)?)).await?;
    json_ok(&OrderPage::new(&orders, lang.0))
}

/// One order with its timeline.
#[utoipa::path(get, path = "/api/v1/admin/orders/{id}", tag = "admin", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_order(
    state: web::Data<AppState>,
    lang: CurrentLang,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let order =
        state.shop.db.run(move |conn| Ok::<_, AppError>(queries::get_order(conn, id, &OrderAccess::staff())?)).await?;
    json_ok(&OrderDto::new(&order, lang.0))
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionBody {
    /// shipped, ready_for_pickup, picked_up (completes a pickup order), completed or cancelled.
    pub to: Option<String>,
    /// The carrier's tracking number (with `shipped`).
    pub tracking: Option<String>,
    /// The code from the shopper's "ready for pickup" mail (an extension): when given with
    /// `picked_up`, a wrong one is 422 on `pickup_code` and the order stays ready.
    pub pickup_code: Option<String>,
}

/// Move an order along; the shopper is mailed when it ships or is ready for pickup.
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/transition", tag = "admin", params(("id" = Uuid, Path)),
    request_body = TransitionBody, security(("bearer" = [])),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "illegal_transition", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn transition_order(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    id: web::Path<String>,
    body: web::Json<TransitionBody>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let action = StaffAction::parse(body.to.as_deref().unwrap_or(""))?;
    let (tracking, typed) = (body.tracking.clone(), body.pickup_code.clone());
    let staff = staff.0.id;
    let (now, key) = (state.shop.now(), state.shop.rules.inventory_key.clone());
    let order = state
        .shop
        .db
        .run(move |conn| {
            let handover = typed.as_deref().map(|typed| Handover { typed, key: &key });
            Ok::<_, AppError>(commands::staff_transition(conn, id, action, tracking.as_deref(), handover, staff, now)?)
        })
        .await?;
    state.shop.wake_jobs();
    json_ok(&OrderDto::new(&order, lang.0))
}

#[derive(Deserialize, ToSchema)]
pub struct RefundBody {
    /// Whole tögrög, up to what is left; all of it when absent.
    #[schema(value_type = Option<String>)]
    pub amount: Option<Value>,
    pub reason: Option<String>,
}

/// Refund a paid order, wholly or in part (`Idempotency-Key` required). A full refund ends the
/// order as `refunded` and puts devices that never left the shop back in stock.
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/refund", tag = "admin", params(("id" = Uuid, Path),
        ("Idempotency-Key" = String, Header, description = "Unique per refund; a retry with the same key and body gets the first answer")),
    request_body = RefundBody, security(("bearer" = [])),
    responses((status = 200, body = OrderDto),
        (status = 400, description = "No Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not_refundable: unpaid, or refunded already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn refund_order(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    key: KeyHeader,
    id: web::Path<String>,
    body: web::Json<RefundBody>,
) -> Result<HttpResponse, AppError> {
    let order_id = path_id(&id)?;
    let body = body.into_inner();
    let amount = match super::carts::loose_text(body.amount.as_ref()) {
        None => None,
        Some(raw) => Some(parse_amount(&raw, "amount")?),
    };
    let refund = Refund { order_id, amount, reason: body.reason.unwrap_or_default(), staff: staff.0.id };
    let order = flows::orders::refund_once(&state.shop, key.0, Refusals::Keep, refund).await?;
    json_ok(&OrderDto::new(&order, lang.0))
}
