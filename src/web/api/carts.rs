//! `/api/v1/carts…`: carts for guests (reached by id) and customers (bearer token), and checkout.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::dto::{CartDto, OrderDto, PaymentDto};
use crate::domain::cart::{queries, ItemInput};
use crate::domain::checkout::{FulfillmentInput, PlaceOrder};
use crate::domain::idempotency::Refusals;
use crate::flows;
use crate::web::address_fields::AddressFields;
use crate::web::error::{AppError, Problem};
use crate::web::extract::path_id;
use crate::web::extract::{Caller, CurrentLang, KeyHeader, MaybeApiAccount};
use crate::web::render::{json, json_ok};
use crate::web::state::AppState;

/// A JSON value as text for the domain to judge: numbers and strings alike (`2`, `"2"`).
pub fn loose_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Open a cart: with a bearer token it is the customer's (404 to anyone else); without, a guest
/// cart reachable by its id.
#[utoipa::path(post, path = "/api/v1/carts", tag = "cart", security((), ("bearer" = [])),
    responses((status = 201, body = CartDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn create_cart(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
) -> Result<HttpResponse, AppError> {
    let owner = caller.0.map(|a| a.id);
    let cart = flows::cart::create_cart(&state.shop, owner).await?;
    json(StatusCode::CREATED, &CartDto::new(&cart, lang.0))
}

/// A cart, priced from the catalog now.
#[utoipa::path(get, path = "/api/v1/carts/{id}", tag = "cart", params(("id" = Uuid, Path)), security((), ("bearer" = [])),
    responses((status = 200, body = CartDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_cart(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let owner = caller.0.map(|a| a.id);
    let (rules, now) = (state.shop.rules.clone(), state.shop.now());
    let cart =
        state.shop.db.run(move |conn| Ok::<_, AppError>(queries::get_cart(conn, id, owner, &rules, now)?)).await?;
    json_ok(&CartDto::new(&cart, lang.0))
}

/// A cart line, by product kind: device `{product_id, quantity}`; top_up `{product_id, msisdn,
/// amount?}` (amount only for a free-amount top-up); data_pack and plan `{product_id, msisdn}`;
/// number `{product_id, number, activation, activation_code?}` (the tier's listing; the number
/// is held for the cart for `NUMBER_HOLD_MINUTES`); esim `{product_id, number}`. Services are
/// not sold online yet (422).
#[derive(Deserialize, ToSchema)]
pub struct ItemBody {
    pub product_id: Option<String>,
    /// 1 to 99 (devices); other lines are always 1.
    #[schema(value_type = Option<i32>)]
    pub quantity: Option<Value>,
    /// The number to credit: 8 digits of ours (`8811 2233` and `+976 8811-2233` are accepted).
    pub msisdn: Option<String>,
    /// A free-amount top-up's amount: a decimal string or number of whole tögrög.
    #[schema(value_type = Option<String>)]
    pub amount: Option<Value>,
    /// The number a number or eSIM line buys (MSISDN, 8 digits of ours).
    #[schema(value_type = Option<String>)]
    pub number: Option<Value>,
    /// A number line: `later`, `esim` or `physical`.
    pub activation: Option<String>,
    /// With `physical`: the 8-digit code printed with the SIM card (422 wrong, 409 used; wrong
    /// codes are rate-limited like sign-ins, 429).
    #[schema(value_type = Option<String>)]
    pub activation_code: Option<Value>,
}

/// Add a line. A device already in the cart gets its quantity added up.
#[utoipa::path(post, path = "/api/v1/carts/{id}/items", tag = "cart", params(("id" = Uuid, Path)), request_body = ItemBody,
    security((), ("bearer" = [])),
    responses((status = 201, body = CartDto),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "out_of_stock, cart_closed, number_taken, sim_code_used", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn add_item(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    ip: Caller,
    lang: CurrentLang,
    id: web::Path<String>,
    body: web::Json<ItemBody>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let owner = caller.0.map(|a| a.id);
    let input = ItemInput {
        product_id: body.product_id.clone(),
        quantity: loose_text(body.quantity.as_ref()),
        msisdn: body.msisdn.clone(),
        amount: loose_text(body.amount.as_ref()),
        number: loose_text(body.number.as_ref()),
        activation: body.activation.clone(),
        activation_code: loose_text(body.activation_code.as_ref()),
    };
    let cart = flows::cart::add_item(&state.shop, id, owner, input, ip.0).await?;
    json(StatusCode::CREATED, &CartDto::new(&cart, lang.0))
}

#[derive(Deserialize, ToSchema)]
pub struct QuantityBody {
    #[schema(value_type = i32)]
    pub quantity: Option<Value>,
}

/// Change a line's quantity (1 to 99).
#[utoipa::path(patch, path = "/api/v1/carts/{id}/items/{item_id}", tag = "cart",
    params(("id" = Uuid, Path), ("item_id" = Uuid, Path)), request_body = QuantityBody, security((), ("bearer" = [])),
    responses((status = 200, body = CartDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_item(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
    path: web::Path<(String, String)>,
    body: web::Json<QuantityBody>,
) -> Result<HttpResponse, AppError> {
    let (id, item) = (path_id(&path.0)?, path_id(&path.1)?);
    let owner = caller.0.map(|a| a.id);
    let quantity = loose_text(body.quantity.as_ref());
    let cart = flows::cart::set_quantity(&state.shop, id, owner, item, quantity).await?;
    json_ok(&CartDto::new(&cart, lang.0))
}

/// Remove a line.
#[utoipa::path(delete, path = "/api/v1/carts/{id}/items/{item_id}", tag = "cart",
    params(("id" = Uuid, Path), ("item_id" = Uuid, Path)), security((), ("bearer" = [])),
    responses((status = 200, body = CartDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_item(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, item) = (path_id(&path.0)?, path_id(&path.1)?);
    let owner = caller.0.map(|a| a.id);
    let cart = flows::cart::remove_item(&state.shop, id, owner, item).await?;
    json_ok(&CartDto::new(&cart, lang.0))
}

#[derive(Deserialize, ToSchema)]
pub struct CouponBody {
    /// The code, in any case; spaces are ignored.
    pub code: Option<String>,
}

/// Apply a coupon code. 404 `coupon_unknown`; 409 `coupon_not_yours` (another customer's, or a
/// guest using a code for signed-in customers), `coupon_used`, `coupon_used_up`; 422 on `code`
/// when it has not started or has ended, reaches nothing in the cart, needs a larger subtotal,
/// or another code is applied and the campaigns do not stack.
#[utoipa::path(post, path = "/api/v1/carts/{id}/coupons", tag = "cart", params(("id" = Uuid, Path)),
    request_body = CouponBody, security((), ("bearer" = [])),
    responses((status = 200, body = CartDto),
        (status = 404, description = "not_found (cart), coupon_unknown", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "coupon_not_yours, coupon_used, coupon_used_up, cart_closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown codes", body = Problem, content_type = "application/problem+json")))]
pub async fn apply_coupon(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    ip: Caller,
    lang: CurrentLang,
    id: web::Path<String>,
    body: web::Json<CouponBody>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let owner = caller.0.map(|a| a.id);
    let code = body.into_inner().code.unwrap_or_default();
    let cart = flows::cart::apply_coupon(&state.shop, id, owner, code, ip.0).await?;
    json_ok(&CartDto::new(&cart, lang.0))
}

/// Take a code off the cart (404 for a code it does not carry).
#[utoipa::path(delete, path = "/api/v1/carts/{id}/coupons/{code}", tag = "cart",
    params(("id" = Uuid, Path), ("code" = String, Path)), security((), ("bearer" = [])),
    responses((status = 200, body = CartDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_coupon(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, code) = path.into_inner();
    let id = path_id(&id)?;
    let owner = caller.0.map(|a| a.id);
    let cart = flows::cart::remove_coupon(&state.shop, id, owner, code).await?;
    json_ok(&CartDto::new(&cart, lang.0))
}

/// `{"method": "delivery", "address": {…}}` or `{"method": "pickup", "branch_id"}`.
#[derive(Deserialize, ToSchema)]
pub struct FulfillmentBody {
    /// delivery or pickup.
    pub method: Option<String>,
    pub address: Option<AddressFields>,
    /// Instead of `address`: one of the customer's saved addresses.
    pub address_id: Option<String>,
    pub branch_id: Option<String>,
}

#[derive(Default, Deserialize, ToSchema)]
pub struct CheckoutBody {
    /// Guests only: where the order's mails go.
    pub email: Option<String>,
    /// Required when the cart `needs_shipping`; ignored otherwise.
    pub fulfillment: Option<FulfillmentBody>,
}

impl FulfillmentBody {
    fn input(self) -> FulfillmentInput {
        FulfillmentInput {
            method: self.method,
            address: self.address.map(|a| a.input(false)),
            address_id: self.address_id,
            branch_id: self.branch_id,
        }
    }
}

#[derive(serde::Serialize, ToSchema)]
pub struct CheckoutDto<'a> {
    pub order: OrderDto<'a>,
    pub payment: PaymentDto<'a>,
    /// Guests only: the secret for `GET /api/v1/orders/{id}?token=…` and the tracking page. Each
    /// mail about the order carries a link of its own; a retry under the same key gets this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_token: Option<&'a str>,
}

/// Place an order from the cart: `Idempotency-Key` required. Stock, numbers and coupon uses are
/// reserved now and released if the order is cancelled or not paid in time.
#[utoipa::path(post, path = "/api/v1/carts/{id}/checkout", tag = "cart", params(("id" = Uuid, Path),
        ("Idempotency-Key" = String, Header, description = "Unique per order attempt; a retry with the same key and body gets the first answer")),
    request_body = CheckoutBody, security((), ("bearer" = [])),
    responses((status = 201, body = CheckoutDto),
        (status = 400, description = "No Idempotency-Key, or a body that is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "out_of_stock, product_unavailable, cart_closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, account_required, or the key reused with another body", body = Problem, content_type = "application/problem+json")))]
pub async fn checkout(
    state: web::Data<AppState>,
    caller: MaybeApiAccount,
    lang: CurrentLang,
    key: KeyHeader,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let cart_id = path_id(&id)?;
    let body: CheckoutBody = if body.iter().all(u8::is_ascii_whitespace) {
        CheckoutBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("The JSON body could not be read: {e}")))?
    };
    let caller = caller.0.map(|a| a.id);
    let input = PlaceOrder {
        cart_id,
        caller,
        email: body.email,
        fulfillment: body.fulfillment.map(FulfillmentBody::input).unwrap_or_default(),
        lang: lang.0,
    };
    let placed = flows::orders::place_order_once(&state.shop, key.0, Refusals::Keep, input).await?;
    let provider = state.payment_provider()?;
    let answer = CheckoutDto {
        order: OrderDto::new(&placed.order, lang.0),
        payment: PaymentDto::new(&placed.payment, provider),
        order_token: placed.link.as_ref().map(|t| t.as_str()),
    };
    json(StatusCode::CREATED, &answer)
}
