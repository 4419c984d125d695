//! Placing an order and refunding one, each once under an idempotency key, paying again, and
//! settling a sandbox payment: the sequences `/checkout`, `/orders/…`, `/payments/…/pay`,
//! `/admin/orders/…` and their `/api/v1` twins share.

use super::Shop;
use crate::domain::accounts::attempts::ClientIp;
use crate::domain::cart::{self, ItemInput};
use crate::domain::checkout::{self, CheckoutError, FulfillmentInput, PlaceOrder, Placed};
use crate::domain::idempotency::{IdempotencyKey, Refusals};
use crate::domain::orders::{Order, OrderAccess};
use crate::domain::payments::{self, Outcome, Payment, PaymentError, Refund};
use crate::domain::shared::{AccountId, CartId, Lang, OrderId, PaymentId};

/// Places the order from the cart once under `key`, with the configured payment provider, and
/// wakes the job runner for the confirmation mail.
///
/// # Errors
/// `PaymentsUnavailable` without a provider; what `checkout::place_order_once` refuses.
pub async fn place_order_once(
    shop: &Shop,
    key: IdempotencyKey,
    refusals: Refusals,
    input: PlaceOrder,
) -> Result<Placed, CheckoutError> {
    let provider = shop.payments().ok_or(CheckoutError::PaymentsUnavailable)?.name();
    let (rules, now) = (shop.rules.clone(), shop.now());
    let placed = shop
        .db
        .write(move |conn| checkout::place_order_once(conn, &key, refusals, &input, provider, &rules, now))
        .await?;
    shop.wake_jobs();
    Ok(placed)
}

/// Buys one line at once (the top-up page): in a cart of its own whose id is made from the form's
/// key, so a form sent twice finds the same cart and, placed under the same key, the same order.
///
/// # Errors
/// The line's refusals (`Cart(Invalid)` naming the field), and what checkout refuses.
pub async fn buy_now(
    shop: &Shop,
    key: IdempotencyKey,
    caller: Option<AccountId>,
    item: ItemInput,
    email: Option<String>,
    lang: Lang,
    ip: ClientIp,
) -> Result<Placed, CheckoutError> {
    let cart_id = CartId::from_uuid(key.derive_id("buy-now", caller));
    let (rules, now) = (shop.rules.clone(), shop.now());
    let cart = shop
        .db
        .write(move |conn| {
            cart::commands::open_cart_with_id(conn, cart_id, caller)?;
            cart::queries::get_cart(conn, cart_id, caller, &rules, now)
        })
        .await?;
    let placed = async {
        if cart.open && cart.is_empty() {
            super::cart::add_item(shop, cart_id, caller, item, ip).await?;
        }
        let input = PlaceOrder { cart_id, caller, email, fulfillment: FulfillmentInput::default(), lang };
        place_order_once(shop, key, Refusals::Forget, input).await
    }
    .await;
    if placed.is_err() {
        // A refused form is sent again under a new key, with a cart of its own.
        shop.db.write(move |conn| cart::commands::discard_open(conn, cart_id, caller)).await?;
    }
    placed
}

/// Gives money back once under the staff member's `key`.
///
/// # Errors
/// What `payments::commands::refund_once` refuses.
pub async fn refund_once(
    shop: &Shop,
    key: IdempotencyKey,
    refusals: Refusals,
    refund: Refund,
) -> Result<Order, PaymentError> {
    let now = shop.now();
    let order = shop.db.write(move |conn| payments::commands::refund_once(conn, &key, refusals, &refund, now)).await?;
    shop.wake_jobs();
    Ok(order)
}

/// A new attempt (or the waiting one) to pay an unpaid order.
///
/// # Errors
/// `PaymentsUnavailable`; what `payments::commands::pay_order` refuses.
pub async fn pay_order(shop: &Shop, order: OrderId, access: OrderAccess) -> Result<Payment, PaymentError> {
    let provider = shop.payments().ok_or(PaymentError::PaymentsUnavailable)?.name();
    let now = shop.now();
    shop.db.write(move |conn| payments::commands::pay_order(conn, order, &access, provider, now)).await
}

/// The provider settles a payment itself (only the sandbox can): its signed event goes through
/// the same verification and recording as a webhook.
///
/// # Errors
/// `NotFound` without a sandbox or for an unknown payment; what recording the event refuses.
pub async fn settle_sandbox_payment(
    shop: &Shop,
    payment: PaymentId,
    outcome: Outcome,
) -> Result<Payment, PaymentError> {
    let provider = shop.services.payments.clone().filter(|p| p.is_sandbox()).ok_or(PaymentError::NotFound)?;
    let now = shop.now();
    let settled = shop.db.write(move |conn| provider.settle(conn, payment, outcome, now)).await?;
    shop.wake_jobs();
    Ok(settled)
}

/// A provider's webhook: verified, then recorded once per event id.
///
/// # Errors
/// `NotFound` for a provider that is not configured; `SignatureInvalid`, `Stale`, `AmountMismatch`.
pub async fn record_webhook(
    shop: &Shop,
    provider_name: String,
    signature: Option<String>,
    body: Vec<u8>,
) -> Result<Payment, PaymentError> {
    let provider =
        shop.services.payments.clone().filter(|p| p.name() == provider_name).ok_or(PaymentError::NotFound)?;
    let now = shop.now();
    // Checked before a connection is taken: a flood of junk events cannot starve the pool.
    let event = provider.verify_webhook(signature.as_deref(), &body, now)?;
    let payment =
        shop.db.write(move |conn| payments::commands::record_event(conn, provider.name(), &event, now)).await?;
    shop.wake_jobs();
    Ok(payment)
}
