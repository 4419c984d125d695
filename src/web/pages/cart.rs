//! `/cart`: the session's cart, changed in place with htmx (the header's badge follows through an
//! out-of-band swap, and `cart-changed` tells other parts of the page, such as the pickup list).
//! Every form works without JavaScript too (Post/Redirect/Get).
use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::cart_session::{load_session_cart, remember};
use super::forms::FormErrors;
use super::numbers::SimCodeField;
use super::views::kind_label;
use crate::domain::cart::{CartError, CartView, ItemInput, Totals};
use crate::domain::catalog::ProductKind;
use crate::domain::promotions::CouponRefusal;
use crate::domain::shared::{AccountId, CartId, CartItemId};
use crate::domain::shared::{Code, FieldErrors, Money};
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::{Caller, Htmx, Visitor};
use crate::web::filters;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

pub struct LineView {
    pub id: CartItemId,
    pub name: String,
    pub href: String,
    pub kind_label: &'static str,
    pub msisdn: Option<String>,
    /// The number a number or eSIM line buys, and how it is activated.
    pub number: Option<String>,
    pub activation: Option<&'static str>,
    /// A number line's hold, while the cart has it.
    pub hold: Option<HoldView>,
    /// The cart's hold on the number went to another cart.
    pub number_lost: bool,
    pub quantity: i32,
    pub unit_price: Money,
    pub total: Money,
    /// Devices take a quantity; other lines are one each.
    pub adjustable: bool,
    pub active: bool,
    pub error: Option<String>,
    /// This line's share of the codes' discount (zero without one).
    pub discount: Money,
}

impl LineView {
    pub fn has_discount(&self) -> bool {
        self.discount > Money::ZERO
    }
}

/// A code the cart carries: what it takes off, or why it takes nothing now.
pub struct CouponView {
    pub code: String,
    pub amount: Money,
    pub problem: Option<String>,
}

/// How long a number stays the cart's: the end as a time of day in Ulaanbaatar, the minutes
/// and seconds left (a small script counts them down), or that it ran out.
pub struct HoldView {
    pub until: String,
    pub text: String,
    pub left: String,
    pub expired: bool,
}

impl HoldView {
    fn new(ctx: &Chrome, until: chrono::DateTime<chrono::Utc>) -> Self {
        let left = (until - ctx.now).num_seconds().max(0);
        let local = crate::domain::shared::shop_local(until);
        Self {
            until: until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text: ctx.fill("cart.held_until", &[("time", &local.format("%H:%M").to_string())]),
            left: format!("{}:{:02}", left / 60, left % 60),
            expired: left == 0,
        }
    }
}

/// The cart as `/cart` and `/checkout` show it.
pub struct CartSection {
    pub lines: Vec<LineView>,
    pub totals: Totals,
    pub needs_shipping: bool,
    pub csrf: String,
    /// A message about the whole cart (out of stock, closed).
    pub notice: Option<String>,
    /// What the shopper sees of it (`CartView::version`), for the checkout form.
    pub version: String,
    pub coupons: Vec<CouponView>,
    /// The code field: what was typed (kept after a refusal), the refusal, a confirmation.
    pub coupon_input: String,
    pub coupon_error: Option<String>,
    pub coupon_note: Option<String>,
}

impl CartSection {
    pub fn new(ctx: &Chrome, cart: Option<&CartView>, csrf: String) -> Self {
        let lines = cart
            .map(|c| {
                c.lines
                    .iter()
                    .map(|l| LineView {
                        id: l.id,
                        name: l.name.get(ctx.lang).to_string(),
                        href: format!("/products/{}", l.slug),
                        kind_label: kind_label(ctx.tr, l.kind),
                        msisdn: l.msisdn.as_ref().map(|m| m.display()),
                        number: l.number.as_ref().map(|m| m.display()),
                        activation: l.activation.map(|a| ctx.t(&format!("cart.activation.{}", a.as_str()))),
                        hold: l.hold_expires_at.map(|until| HoldView::new(ctx, until)),
                        number_lost: l.number.is_some() && l.hold_expires_at.is_none(),
                        quantity: l.quantity,
                        unit_price: l.unit_price,
                        total: l.total,
                        adjustable: l.kind == ProductKind::Device,
                        active: l.active,
                        error: None,
                        discount: l.discount,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let empty = cart.is_none_or(CartView::is_empty);
        let coupons = cart
            .map(|c| {
                c.coupon_lines
                    .iter()
                    .map(|a| CouponView {
                        code: a.code.as_str().to_string(),
                        amount: a.amount,
                        // An empty cart's code waits for something to apply to.
                        problem: a.refusal.map(|r| {
                            if empty {
                                ctx.t("cart.coupon_waits").to_string()
                            } else {
                                ctx.field(&r.field_error())
                            }
                        }),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            lines,
            coupons,
            coupon_input: String::new(),
            coupon_error: None,
            coupon_note: None,
            totals: cart.map(|c| c.totals).unwrap_or_default(),
            needs_shipping: cart.is_some_and(|c| c.needs_shipping),
            csrf,
            notice: None,
            version: cart.map(CartView::version).unwrap_or_default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn has_discount(&self) -> bool {
        self.totals.discount > Money::ZERO
    }
}

#[derive(Template)]
#[template(path = "shop/cart.html")]
pub struct CartPage {
    pub ctx: Chrome,
    pub cart: CartSection,
}

#[derive(Template)]
#[template(path = "shop/_cart_fragment.html")]
pub struct CartFragment {
    pub ctx: Chrome,
    pub cart: CartSection,
}

#[derive(Deserialize, Default)]
pub struct CartQuery {
    /// A code to apply, from a coupon mail's link.
    pub coupon: Option<String>,
}

pub async fn show_cart(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    ip: Caller,
    query: web::Query<CartQuery>,
) -> Result<HttpResponse, AppError> {
    if let Some(code) = query.into_inner().coupon.filter(|c| !c.trim().is_empty()) {
        return apply_from_link(&state, ctx, &session, &visitor, ip.0, code).await;
    }
    show(&state, ctx, &session, &visitor).await
}

async fn show(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    visitor: &Visitor,
) -> Result<HttpResponse, AppError> {
    let cart = load_session_cart(state, session, visitor.0.as_ref().map(|a| a.id)).await?;
    let csrf = ctx.form_token(session);
    ctx.cart_count = session::cart_count(session);
    let mut section = CartSection::new(&ctx, cart.as_ref(), csrf);
    section.notice = session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string());
    html_with(StatusCode::OK, &CartPage { ctx, cart: section })
}

/// A coupon mail's link: the code is applied to the shopper's cart (a new one if there is
/// none) and the cart shown. A code for signed-in customers sends a visitor to sign in first.
async fn apply_from_link(
    state: &AppState,
    ctx: Chrome,
    session: &Session,
    visitor: &Visitor,
    ip: crate::domain::accounts::attempts::ClientIp,
    code: String,
) -> Result<HttpResponse, AppError> {
    let account = visitor.0.as_ref().map(|a| a.id);
    let cart_id = cart_for_adding(state, session, account).await?;
    let outcome = apply(state, cart_id, account, code.clone(), ip).await;
    if account.is_none()
        && matches!(outcome, Err(CartError::Coupon(CouponRefusal::NotYours | CouponRefusal::SignInRequired)))
    {
        let next = format!("/cart?coupon={}", code.trim());
        return Err(AppError::SignInRequired { next });
    }
    coupon_answer(state, ctx, session, Htmx { request: false, history_restore: false }, account, outcome, code, true)
        .await
}

async fn apply(
    state: &AppState,
    cart: CartId,
    account: Option<AccountId>,
    code: String,
    ip: crate::domain::accounts::attempts::ClientIp,
) -> Result<CartView, CartError> {
    flows::cart::apply_coupon(&state.shop, cart, account, code, ip).await
}

#[derive(Deserialize, Default)]
pub struct CouponForm {
    pub code: Option<String>,
}

/// Applies a code typed in the cart or at checkout: the cart section comes back with the
/// discount, or with the refusal beside the field and the code kept.
pub async fn apply_coupon(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    htmx: Htmx,
    ip: Caller,
    form: web::Form<CouponForm>,
) -> Result<HttpResponse, AppError> {
    let account = visitor.0.map(|a| a.id);
    let cart_id = cart_for_adding(&state, &session, account).await?;
    let code = form.into_inner().code.unwrap_or_default();
    let outcome = apply(&state, cart_id, account, code.clone(), ip.0).await;
    coupon_answer(&state, ctx, &session, htmx, account, outcome, code, false).await
}

/// Takes a code off the cart.
pub async fn remove_coupon(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    htmx: Htmx,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let cart = session_cart_or_404(&session)?;
    let account = visitor.0.map(|a| a.id);
    let outcome = flows::cart::remove_coupon(&state.shop, cart, account, code.into_inner()).await;
    after_change(&state, ctx, &session, htmx, account, outcome, None).await
}

/// The cart a change left: the one it answered with (remembered in the session), or the
/// session's cart read again after a refusal.
async fn kept_or_reloaded(
    state: &AppState,
    session: &Session,
    account: Option<AccountId>,
    cart: Option<CartView>,
) -> Result<Option<CartView>, AppError> {
    match cart {
        Some(c) => {
            remember(session, Some(&c));
            Ok(Some(c))
        }
        None => load_session_cart(state, session, account).await,
    }
}

/// The cart section after a change: the whole page without JavaScript, else the fragment with
/// `cart-changed` for the parts of the page that follow the cart.
fn changed_section(
    htmx: Htmx,
    status: StatusCode,
    ctx: Chrome,
    section: CartSection,
) -> Result<HttpResponse, AppError> {
    if !htmx.request {
        return html_with(status, &CartPage { ctx, cart: section });
    }
    let mut res = html_with(status, &CartFragment { ctx, cart: section })?;
    res.headers_mut()
        .insert(header::HeaderName::from_static("hx-trigger"), header::HeaderValue::from_static("cart-changed"));
    Ok(res)
}

/// The cart after a code was applied or refused. `from_link`: a page of its own (a mail's
/// link), never a redirect.
#[allow(clippy::too_many_arguments)]
async fn coupon_answer(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    htmx: Htmx,
    account: Option<AccountId>,
    outcome: Result<CartView, CartError>,
    typed: String,
    from_link: bool,
) -> Result<HttpResponse, AppError> {
    let (status, cart, error) = match outcome {
        Ok(cart) => (StatusCode::OK, Some(cart), None),
        Err(CartError::Coupon(refusal)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, None, Some(ctx.field(&refusal.field_error())))
        }
        Err(CartError::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, None, e.first("code").map(|e| ctx.field(e))),
        Err(CartError::NotFound | CartError::Closed) => (StatusCode::OK, None, None),
        Err(e) => return Err(e.into()),
    };
    let applied = cart.is_some();
    let cart = kept_or_reloaded(state, session, account, cart).await?;
    if !htmx.request && !from_link && status == StatusCode::OK {
        if applied {
            session::flash(session, "cart.coupon_applied");
        }
        return Ok(see_other("/cart"));
    }
    ctx.cart_count = session::cart_count(session);
    let csrf = ctx.form_token(session);
    let mut section = CartSection::new(&ctx, cart.as_ref(), csrf);
    if error.is_some() {
        section.coupon_input = typed.trim().to_string();
    }
    section.coupon_error = error;
    section.coupon_note = applied.then(|| ctx.t("cart.coupon_applied").to_string());
    changed_section(htmx, status, ctx, section)
}

#[derive(Deserialize, Default)]
pub struct AddForm {
    pub product_id: Option<String>,
    pub quantity: Option<String>,
    pub msisdn: Option<String>,
    pub amount: Option<String>,
    pub number: Option<String>,
    pub activation: Option<String>,
    pub activation_code: Option<String>,
}

#[derive(Template)]
#[template(path = "shop/_added.html")]
pub struct AddedFragment {
    pub ctx: Chrome,
    pub ok: bool,
    pub message: String,
    pub errors: FormErrors,
    /// A number picker's SIM code field, sent again beside the number it belongs to.
    pub code_field: Option<SimCodeField>,
}

/// The cart to add to: the session's open one, else a new one (the customer's when signed in).
async fn cart_for_adding(state: &AppState, session: &Session, account: Option<AccountId>) -> Result<CartId, AppError> {
    if let Some(cart) = load_session_cart(state, session, account).await? {
        return Ok(cart.id);
    }
    let cart = flows::cart::create_cart(&state.shop, account).await?;
    remember(session, Some(&cart));
    Ok(cart.id)
}

/// Add to cart from a product page. htmx gets a short confirmation and the header's new count;
/// without JavaScript the shopper lands on `/cart`. Refusals say why, next to the form.
pub async fn add_item(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    visitor: Visitor,
    htmx: Htmx,
    ip: Caller,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let account = visitor.0.map(|a| a.id);
    let cart_id = cart_for_adding(&state, &session, account).await?;
    let form = form.into_inner();
    let picked = form.number.clone().map(|n| (n, form.activation_code.clone().unwrap_or_default()));
    let input = ItemInput {
        product_id: form.product_id,
        quantity: form.quantity,
        msisdn: form.msisdn,
        amount: form.amount,
        number: form.number,
        activation: form.activation,
        activation_code: form.activation_code,
    };
    let added = flows::cart::add_item(&state.shop, cart_id, account, input, ip.0).await;
    let (status, ok, message, errors) = match added {
        Ok(cart) => {
            remember(&session, Some(&cart));
            if !htmx.request {
                session::flash(&session, "cart.added");
                return Ok(see_other("/cart"));
            }
            (StatusCode::OK, true, ctx.t("cart.added").to_string(), FieldErrors::new())
        }
        Err(CartError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, false, ctx.t("cart.not_added").to_string(), errors)
        }
        Err(CartError::OutOfStock(_)) => {
            (StatusCode::CONFLICT, false, ctx.t("cart.out_of_stock").to_string(), FieldErrors::new())
        }
        Err(CartError::NumberTaken(_)) => {
            (StatusCode::CONFLICT, false, ctx.t("problem.number_taken").to_string(), FieldErrors::new())
        }
        Err(CartError::SimCodeUsed) => (
            StatusCode::CONFLICT,
            false,
            ctx.t("cart.not_added").to_string(),
            FieldErrors::single("activation_code", Code::SimCodeUsed),
        ),
        Err(CartError::Throttled { .. }) => {
            (StatusCode::TOO_MANY_REQUESTS, false, ctx.t("problem.rate_limited").to_string(), FieldErrors::new())
        }
        Err(e) => return Err(e.into()),
    };
    ctx.cart_count = session::cart_count(&session);
    if !htmx.request {
        // Without JavaScript the refusal is shown on the cart page.
        let cart = load_session_cart(&state, &session, account).await?;
        let csrf = ctx.form_token(&session);
        let mut section = CartSection::new(&ctx, cart.as_ref(), csrf);
        let details: Vec<String> = errors.fields().values().flatten().map(|e| ctx.field(e)).collect();
        section.notice = Some(if details.is_empty() { message } else { format!("{message} {}", details.join(" ")) });
        return html_with(status, &CartPage { ctx, cart: section });
    }
    // 409 would not be swapped by htmx's configuration; the refusal is the fragment's content.
    let status = if status == StatusCode::CONFLICT { StatusCode::UNPROCESSABLE_ENTITY } else { status };
    let code_field = picked.map(|(msisdn, value)| SimCodeField {
        error: errors.first("activation_code").map(|e| ctx.field(e)),
        // An accepted code is not shown again.
        value: if ok { String::new() } else { value },
        msisdn,
        oob: true,
    });
    html_with(status, &AddedFragment { ctx, ok, message, errors: FormErrors(errors), code_field })
}

#[derive(Deserialize, Default)]
pub struct QuantityForm {
    pub quantity: Option<String>,
}

/// After a change: the cart section (htmx, with the badge and `cart-changed`) or back to `/cart`.
async fn after_change(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    htmx: Htmx,
    account: Option<AccountId>,
    outcome: Result<CartView, CartError>,
    line: Option<CartItemId>,
) -> Result<HttpResponse, AppError> {
    let (status, cart, notice, line_error) = match outcome {
        Ok(cart) => (StatusCode::OK, Some(cart), None, None),
        Err(CartError::Invalid(e)) => {
            let msg = e.fields().values().flatten().next().map(|e| ctx.field(e));
            (StatusCode::UNPROCESSABLE_ENTITY, None, None, msg)
        }
        Err(CartError::OutOfStock(_)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, None, Some(ctx.t("cart.out_of_stock").to_string()), None)
        }
        Err(CartError::NotFound | CartError::Closed) => (StatusCode::OK, None, None, None),
        Err(e) => return Err(e.into()),
    };
    let cart = kept_or_reloaded(state, session, account, cart).await?;
    if !htmx.request && status == StatusCode::OK {
        return Ok(see_other("/cart"));
    }
    ctx.cart_count = session::cart_count(session);
    let csrf = ctx.form_token(session);
    let mut section = CartSection::new(&ctx, cart.as_ref(), csrf);
    section.notice = notice;
    if let (Some(line), Some(e)) = (line, line_error) {
        if let Some(l) = section.lines.iter_mut().find(|l| l.id == line) {
            l.error = Some(e);
        }
    }
    changed_section(htmx, status, ctx, section)
}

fn session_cart_or_404(session: &Session) -> Result<CartId, AppError> {
    session::cart(session).ok_or(AppError::NotFound)
}

pub async fn update_item(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    htmx: Htmx,
    item: web::Path<String>,
    form: web::Form<QuantityForm>,
) -> Result<HttpResponse, AppError> {
    let item = crate::web::extract::path_id(&item)?;
    let cart = session_cart_or_404(&session)?;
    let account = visitor.0.map(|a| a.id);
    let outcome = flows::cart::set_quantity(&state.shop, cart, account, item, form.into_inner().quantity).await;
    after_change(&state, ctx, &session, htmx, account, outcome, Some(item)).await
}

pub async fn remove_item(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    htmx: Htmx,
    item: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let item = crate::web::extract::path_id(&item)?;
    let cart = session_cart_or_404(&session)?;
    let account = visitor.0.map(|a| a.id);
    let outcome = flows::cart::remove_item(&state.shop, cart, account, item).await;
    after_change(&state, ctx, &session, htmx, account, outcome, None).await
}
