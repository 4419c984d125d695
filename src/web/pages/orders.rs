//! `/orders/{id}`: the tracking page (timeline, items and their fulfilment, how the goods travel),
//! reached by the owner signed in or by anyone with the mail's `?token=`; paying again and
//! cancelling while unpaid. Also the sandbox payment provider's hosted page, `/payments/{id}/pay`.
use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::links::{order_href, payment_page};
use super::my_numbers::{esim_view, EsimView};
use crate::domain::orders::pickup::PickupCode;
use crate::domain::orders::{commands, queries, Actor, Fulfillment, Order, OrderAccess, OrderStatus};
use crate::domain::payments::{attempts, PaymentState};
use crate::domain::shared::Money;
use crate::domain::shared::OrderId;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::extract::Visitor;
use crate::web::filters;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

pub struct ItemView {
    pub name: String,
    pub quantity: i32,
    pub total: Money,
    pub msisdn: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    /// The line's share of a code's discount.
    pub discount: Option<Money>,
}

/// A step of the order's way, as the stepper shows it.
pub struct StepView {
    pub label: &'static str,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
}

pub struct EventView {
    pub label: &'static str,
    pub at: String,
    pub note: Option<String>,
}

/// An order as shoppers read it.
pub struct OrderView {
    pub id: OrderId,
    pub number: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub payment_label: &'static str,
    pub placed_at: String,
    pub items: Vec<ItemView>,
    pub subtotal: Money,
    pub shipping: Money,
    /// What codes took off (none: no line for it).
    pub discount: Option<Money>,
    /// The codes, as `WINTER, XMAS-7KQ2`.
    pub coupons: String,
    pub total: Money,
    pub vat: Money,
    pub refunded: Option<Money>,
    /// How the goods travel, in words (`None` when nothing is physical).
    pub fulfillment: Option<String>,
    pub tracking: Option<String>,
    pub timeline: Vec<EventView>,
    pub payable: bool,
    pub pay_until: String,
    /// The page refreshes itself while it waits: for the payment, or for the operator.
    pub live: bool,
    /// Placed, paid, then by how the goods travel, completed (empty for a cancelled order).
    pub steps: Vec<StepView>,
    /// What happens next, in a sentence.
    pub next: String,
}

/// The steps an order goes through and the one it has reached, by how its goods travel.
fn steps(ctx: &Chrome, o: &Order) -> Vec<StepView> {
    use crate::domain::orders::OrderStatus as S;
    let mut labels = vec!["order.step.placed", "order.step.paid"];
    match &o.fulfillment {
        Fulfillment::Delivery { .. } => labels.push("order.step.shipped"),
        Fulfillment::Pickup { .. } => labels.push("order.step.ready"),
        Fulfillment::None => {}
    }
    labels.push("order.step.completed");
    let reached = match o.status {
        S::PendingPayment => 0,
        S::Paid | S::Fulfilling => 1,
        S::Shipped | S::ReadyForPickup => 2,
        S::Completed => labels.len() - 1,
        S::Cancelled | S::Refunded => return Vec::new(),
    };
    labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| StepView {
            label: ctx.t(label),
            state: match i.cmp(&reached) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal if o.status == S::Completed => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "todo",
            },
        })
        .collect()
}

/// What the shopper can expect next, by the order's state and how its goods travel.
fn next_step(ctx: &Chrome, o: &Order) -> String {
    use crate::domain::orders::OrderStatus as S;
    match (o.status, &o.fulfillment) {
        (S::PendingPayment, _) => ctx.fill("order.next.pay", &[("time", &ctx.tr.datetime(o.expires_at))]),
        (S::Paid | S::Fulfilling, Fulfillment::Pickup { branch }) => {
            ctx.fill("order.next.preparing_pickup", &[("branch", branch.name.get(ctx.lang))])
        }
        (S::Paid | S::Fulfilling, Fulfillment::Delivery { .. }) => ctx.t("order.next.preparing_delivery").into(),
        (S::Paid | S::Fulfilling, Fulfillment::None) => ctx.t("order.next.crediting").into(),
        (S::Shipped, _) => ctx.t("order.next.shipped").into(),
        (S::ReadyForPickup, _) => ctx.t("order.next.ready").into(),
        (S::Completed, _) => ctx.t("order.next.completed").into(),
        (S::Cancelled, _) => ctx.t("order.next.cancelled").into(),
        (S::Refunded, _) => ctx.t("order.next.refunded").into(),
    }
}

impl OrderView {
    pub fn new(ctx: &Chrome, o: &Order) -> Self {
        let fulfillment = match &o.fulfillment {
            Fulfillment::None => None,
            Fulfillment::Delivery { address, .. } => Some(ctx.fill(
                "order.delivery_to",
                &[
                    ("name", &address.name),
                    ("address", &format!("{}, {}, {}", address.line1, address.district, address.city)),
                    ("phone", &address.phone),
                ],
            )),
            Fulfillment::Pickup { branch } => Some(ctx.fill(
                "order.pickup_at",
                &[
                    ("branch", branch.name.get(ctx.lang)),
                    ("address", branch.address.get(ctx.lang)),
                    ("hours", branch.opening_hours.get(ctx.lang)),
                ],
            )),
        };
        OrderView {
            id: o.id,
            number: o.number.clone(),
            status: o.status.as_str(),
            status_label: ctx.t(&format!("order.status.{}", o.status.as_str())),
            payment_label: ctx.t(&format!("order.payment.{}", o.payment_status.as_str())),
            placed_at: ctx.tr.datetime(o.created_at),
            items: o
                .items
                .iter()
                .map(|i| ItemView {
                    name: i.name.get(ctx.lang).to_string(),
                    quantity: i.quantity,
                    total: i.total,
                    msisdn: i.msisdn.as_ref().or(i.number.as_ref()).map(|m| m.display()),
                    status: i.fulfillment_status.as_str(),
                    status_label: ctx.t(&format!("order.fulfillment.{}", i.fulfillment_status.as_str())),
                    discount: (i.discount > Money::ZERO).then_some(i.discount),
                })
                .collect(),
            subtotal: o.totals.subtotal,
            shipping: o.totals.shipping,
            discount: (o.totals.discount > Money::ZERO).then_some(o.totals.discount),
            coupons: o.coupons.join(", "),
            total: o.totals.total,
            vat: crate::domain::cart::rules::vat_included(o.totals.total),
            refunded: (o.refunded_total > Money::ZERO).then_some(o.refunded_total),
            fulfillment,
            tracking: o.tracking_number.clone(),
            timeline: o
                .events
                .iter()
                .map(|e| EventView {
                    label: ctx.t(&format!("order.status.{}", e.to.as_str())),
                    at: ctx.tr.datetime(e.at),
                    note: e.note.as_deref().map(|n| ctx.tr.t_or(&format!("order.note.{n}"), n).to_string()),
                })
                .collect(),
            payable: o.payable(),
            live: o.payable()
                || (matches!(
                    o.status,
                    crate::domain::orders::OrderStatus::Paid | crate::domain::orders::OrderStatus::Fulfilling
                ) && o.items.iter().all(|i| !i.kind.is_physical())),
            pay_until: ctx.tr.datetime(o.expires_at),
            steps: steps(ctx, o),
            next: next_step(ctx, o),
        }
    }
}

#[derive(Template)]
#[template(path = "shop/order.html")]
pub struct OrderPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub order: OrderView,
    /// Carried in the page's forms so a guest with the mail's link can act.
    pub token: String,
    pub notice: Option<String>,
    /// While unpaid the page polls itself, so a payment settled elsewhere (the provider's
    /// webhook) shows up without a reload.
    pub live_href: String,
    /// The eSIMs that came with the order, for its signed-in owner only.
    pub esims: Vec<(String, EsimView)>,
    /// The code to tell at the counter, once the order waits there.
    pub pickup_code: Option<String>,
    /// The last attempt to pay was declined and the order can still be paid.
    pub declined: bool,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

#[derive(Deserialize)]
pub struct TokenForm {
    pub token: Option<String>,
}

/// Who the visitor is to `order`: signed in, holding a link in the address or form, or a guest
/// whose browser kept the link when it placed or opened the order.
fn access_of(visitor: &Visitor, session: &Session, order: OrderId, given: Option<&str>) -> OrderAccess {
    let token = given.filter(|t| !t.is_empty()).map(str::to_string).or_else(|| session::order_link(session, order));
    OrderAccess::of(visitor.0.as_ref(), token)
}

pub async fn show_order(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    visitor: Visitor,
    id: web::Path<String>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let token = query.into_inner().token.unwrap_or_default();
    let access = access_of(&visitor, &session, id, Some(&token));
    let (order, last_payment) = state
        .shop
        .db
        .run(move |conn| {
            let order = queries::get_order(conn, id, &access)?;
            let last = if order.payable() { attempts::latest_state(conn, order.id)? } else { None };
            Ok::<_, AppError>((order, last))
        })
        .await?;
    if visitor.0.is_none() && !token.is_empty() {
        session::remember_order_link(&session, id, &token);
    }
    let csrf = ctx.form_token(&session);
    let notice = session::take_flash(&session).map(|k| ctx.t_dynamic(&k).to_string());
    let live_href = order_href(order.id, &token);
    let esims = match visitor.0.as_ref().filter(|a| Some(a.id) == order.account_id) {
        Some(owner) => flows::numbers::esims_of_order(&state.shop, order.id, owner.id)
            .await?
            .iter()
            .map(|(number, code)| (number.display(), esim_view(&ctx, code)))
            .collect(),
        None => Vec::new(),
    };
    let pickup_code = (order.status == OrderStatus::ReadyForPickup)
        .then(|| PickupCode::of(order.id, &state.shop.rules.inventory_key).display());
    let declined = last_payment == Some(PaymentState::Failed);
    let page = OrderPage {
        order: OrderView::new(&ctx, &order),
        ctx,
        csrf,
        token,
        notice,
        live_href,
        esims,
        pickup_code,
        declined,
    };
    let mut res = html_with(StatusCode::OK, &page)?;
    // The link's secret must not leak to other sites through the Referer header.
    res.headers_mut().insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    Ok(res)
}

/// Pay an unpaid order (again): to the provider's page.
/// An order that can no longer be paid answers with the error page of its problem code.
pub async fn pay_order(
    state: web::Data<AppState>,
    session: Session,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let access = access_of(&visitor, &session, id, form.token.as_deref());
    let payment = flows::orders::pay_order(&state.shop, id, access).await?;
    Ok(see_other(&payment_page(&state, payment.id)?))
}

pub async fn cancel_order(
    state: web::Data<AppState>,
    session: Session,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let token = form.into_inner().token.unwrap_or_default();
    let actor = Actor::of(visitor.0.as_ref());
    let access = access_of(&visitor, &session, id, Some(&token));
    let now = state.shop.now();
    state.shop.db.run(move |conn| commands::cancel(conn, id, &access, actor, now)).await.map_err(AppError::from)?;
    session::flash(&session, "order.cancelled");
    Ok(see_other(&order_href(id, &token)))
}
