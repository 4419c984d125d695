//! Payment writes: new attempts, provider events, refunds. Each is one transaction that locks
//! the order and then its payment (in that order everywhere, so they never deadlock), so duplicate
//! or concurrent events cannot apply twice.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::attempts;
use super::model::PaymentRow;
use super::types::{Outcome, Payment, PaymentState, ProviderRefund, Refund, WebhookEvent};
use super::PaymentError;
use crate::db::schema::{payment_events, payments};
use crate::domain::audit;
use crate::domain::idempotency::{self, IdempotencyKey, Once, Refusals, Scope};
use crate::domain::mails::OrderNews;
use crate::domain::orders::commands::{cancel_locked, lock, mark_paid, note, record_refund};
use crate::domain::orders::model::OrderRow;
use crate::domain::orders::queries::load;
use crate::domain::orders::{links, mail, Actor, Order, OrderAccess, OrderError, OrderStatus, PaymentStatus};
use crate::domain::shared::{Code, FieldError};
use crate::domain::shared::{FieldErrors, Money};
use crate::domain::shared::{OrderId, PaymentId};

/// A payment by id (the sandbox's hosted page and `simulate` need only the id).
///
/// # Errors
/// `NotFound`.
pub fn get_payment(conn: &mut PgConnection, id: PaymentId) -> Result<Payment, PaymentError> {
    payments::table
        .find(id)
        .select(PaymentRow::as_select())
        .first(conn)
        .optional()?
        .map(Payment::from)
        .ok_or(PaymentError::NotFound)
}

/// Pays an unpaid order again after a declined attempt: the waiting attempt if there is one,
/// else a new one.
///
/// # Errors
/// `Order(NotFound)`; `NotPayable` once the order is paid, cancelled or expired.
pub fn pay_order(
    conn: &mut PgConnection,
    order_id: OrderId,
    access: &OrderAccess,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<Payment, PaymentError> {
    conn.transaction(|conn| {
        let row = links::find(conn, order_id, access, links::Lock::ForUpdate)?;
        if row.status != OrderStatus::PendingPayment || row.expires_at <= now {
            return Err(PaymentError::NotPayable(row.status));
        }
        Ok(attempts::open_attempt(conn, row.id, row.total, provider, now)?)
    })
}

/// Applies a provider's verified event. A repeated event id changes nothing; an event whose
/// amount differs from the payment's is refused and not recorded. A success pays the order (or,
/// for an order that was cancelled or already paid meanwhile, is refunded at once); a decline
/// leaves the order payable and mails the shopper.
///
/// # Errors
/// `NotFound` for an unknown payment, `AmountMismatch`.
pub fn record_event(
    conn: &mut PgConnection,
    provider: &str,
    event: &WebhookEvent,
    now: DateTime<Utc>,
) -> Result<Payment, PaymentError> {
    conn.transaction(|conn| {
        // Locks are taken order first, then payment, everywhere (cancel and expiry close the
        // waiting payment of an order they hold): two orders of locking would deadlock.
        let order_id: OrderId = payments::table
            .find(event.payment_id)
            .filter(payments::provider.eq(provider))
            .select(payments::order_id)
            .first(conn)
            .optional()?
            .ok_or(PaymentError::NotFound)?;
        let mut order = lock(conn, order_id)?.ok_or(OrderError::NotFound)?;
        let payment: PaymentRow = payments::table
            .find(event.payment_id)
            .select(PaymentRow::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or(PaymentError::NotFound)?;
        let first_time: Option<String> = diesel::insert_into(payment_events::table)
            .values((
                payment_events::provider.eq(provider),
                payment_events::event_id.eq(&event.id),
                payment_events::payment_id.eq(payment.id),
                payment_events::kind.eq(event.outcome.as_str()),
                payment_events::received_at.eq(now),
            ))
            .on_conflict((payment_events::provider, payment_events::event_id))
            .do_nothing()
            .returning(payment_events::event_id)
            .get_result(conn)
            .optional()?;
        if first_time.is_none() {
            return Ok(payment.into());
        }
        if Money::mnt(payment.amount) != event.amount {
            return Err(PaymentError::AmountMismatch);
        }
        if !payment.status.accepts(event.outcome) {
            return Ok(payment.into());
        }
        match event.outcome {
            Outcome::Failed => {
                set_state(conn, payment.id, PaymentState::Failed, now)?;
                if order.status == OrderStatus::PendingPayment {
                    let view = load(conn, order)?;
                    mail::enqueue(conn, OrderNews::PaymentFailed, &view, &payment.id.to_string(), now)?;
                }
            }
            Outcome::Succeeded => {
                // An order whose time ran out before the runner got to it is expired now.
                if order.status == OrderStatus::PendingPayment && order.expires_at <= now {
                    cancel_locked(conn, &mut order, Actor::System, Some("expired"), now)?;
                }
                if order.status == OrderStatus::PendingPayment {
                    set_state(conn, payment.id, PaymentState::Succeeded, now)?;
                    mark_paid(conn, &mut order, now)?;
                } else {
                    // Money for an order that can no longer take it goes straight back.
                    diesel::update(payments::table.find(payment.id))
                        .set((
                            payments::status.eq(PaymentState::Refunded),
                            payments::refunded_amount.eq(payment.amount),
                            payments::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    pay_back(conn, payment.id, &payment.provider, payment.amount, now)?;
                    note(conn, &order, Actor::Payment, "late_payment_refunded", now)?;
                }
            }
        }
        get_payment(conn, payment.id)
    })
}

fn set_state(
    conn: &mut PgConnection,
    id: PaymentId,
    state: PaymentState,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    diesel::update(payments::table.find(id))
        .set((payments::status.eq(state), payments::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Staff give money back: all that is left (no `amount`) or part of it, whole tögrög. A full
/// refund ends the order as `refunded` and puts back devices that never left the shop.
///
/// # Errors
/// `Order(NotFound)`; `NotRefundable` for an order without a payment to give back; `Invalid`
/// for a missing reason or an amount above what is left.
pub fn refund_order(conn: &mut PgConnection, refund: &Refund, now: DateTime<Utc>) -> Result<Order, PaymentError> {
    conn.transaction(|conn| refund_in(conn, refund, now))
}

/// `refund_order` in the caller's transaction.
fn refund_in(conn: &mut PgConnection, refund: &Refund, now: DateTime<Utc>) -> Result<Order, PaymentError> {
    let Refund { order_id, amount, staff, .. } = *refund;
    let reason = refund.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(FieldErrors::single("reason", FieldError::from(Code::TooLong).with("max", 500)).into());
    }
    let mut order = lock(conn, order_id)?.ok_or(OrderError::NotFound)?;
    if !matches!(order.payment_status, PaymentStatus::Paid | PaymentStatus::PartiallyRefunded) {
        return Err(PaymentError::NotRefundable(order.status));
    }
    let left = order.total - order.refunded_total;
    let amount = amount.map_or(left, Money::amount);
    if amount <= Decimal::ZERO || amount > left || !amount.fract().is_zero() {
        let error = FieldError::from(Code::RefundRange).with("max", Money::mnt(left).display());
        return Err(FieldErrors::single("amount", error).into());
    }
    let before = serde_json::json!({"status": order.status.as_str(), "refunded_total": order.refunded_total});
    refund_locked(conn, &mut order, amount, Actor::Staff(staff), reason, now)?;
    let after = serde_json::json!({"status": order.status.as_str(), "refunded_total": order.refunded_total,
        "amount": amount, "reason": reason});
    let subject = audit::Subject::new("order", order.id);
    audit::record(conn, staff, audit::AuditAction::OrderRefunded, &subject, Some(before), Some(after), now)?;
    Ok(load(conn, order)?)
}

/// Gives `amount` of a locked paid order back through the provider that took it: the payment
/// and the order record it, and a job pays it out. The caller checked the amount.
///
/// # Errors
/// `NotRefundable` without a succeeded payment; a database failure.
pub(crate) fn refund_locked(
    conn: &mut PgConnection,
    order: &mut OrderRow,
    amount: Decimal,
    actor: Actor,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    let paid: PaymentRow = payments::table
        .filter(payments::order_id.eq(order.id).and(payments::status.eq(PaymentState::Succeeded)))
        .select(PaymentRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or(PaymentError::NotRefundable(order.status))?;
    let refunded = paid.refunded_amount + amount;
    let state = if refunded >= paid.amount { PaymentState::Refunded } else { PaymentState::Succeeded };
    diesel::update(payments::table.find(paid.id))
        .set((payments::refunded_amount.eq(refunded), payments::status.eq(state), payments::updated_at.eq(now)))
        .execute(conn)?;
    record_refund(conn, order, amount, actor, reason, now)?;
    pay_back(conn, paid.id, &paid.provider, amount, now)
}

/// Queues the provider's paying back of `amount` of `payment`, in the caller's transaction.
fn pay_back(
    conn: &mut PgConnection,
    payment: PaymentId,
    provider: &str,
    amount: Decimal,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    let refund =
        ProviderRefund { refund_id: uuid::Uuid::new_v4(), payment_id: payment, provider: provider.to_string(), amount };
    crate::domain::jobs::enqueue_job(conn, &refund, now)?;
    Ok(())
}

/// `refund_order` once per idempotency key of the staff member: a retry with the same key and
/// refund gets the first answer back, never a second refund.
///
/// # Errors
/// As `refund_order`, and `Once(KeyReused)`.
pub fn refund_once(
    conn: &mut PgConnection,
    key: &IdempotencyKey,
    refusals: Refusals,
    refund: &Refund,
    now: DateTime<Utc>,
) -> Result<Order, PaymentError> {
    let once = Once { scope: Scope::Account(refund.staff), key: key.clone(), refusals };
    idempotency::run(conn, &once, &refund.fingerprint(), |conn| refund_in(conn, refund, now))
}
