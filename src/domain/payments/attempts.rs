//! Payment attempts of an order: opened at checkout or when the shopper pays again, closed when
//! the order can no longer be paid. Writes only the payments table, in the caller's transaction
//! (the order is locked), so orders can close their attempts without depending on the rest of
//! payments.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::model::PaymentRow;
use super::types::{Payment, PaymentState};
use crate::db::schema::payments;
use crate::db::{DbError, Staged, WithWrites};
use crate::domain::shared::{Money, OrderId, PaymentId};

/// The waiting attempt to pay `order`, or a new one for `amount`.
///
/// # Errors
/// A database failure.
pub fn open_attempt(
    conn: &mut PgConnection,
    order: OrderId,
    amount: Decimal,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<Payment, DbError> {
    let pending: Option<PaymentRow> = payments::table
        .filter(payments::order_id.eq(order).and(payments::status.eq(PaymentState::Pending)))
        .select(PaymentRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(p) = pending {
        return Ok(p.into());
    }
    Ok(open(order, amount, provider, now).send(conn)?)
}

/// A new attempt to pay `order` (which has no waiting one), as a write to send with others.
pub fn open(order: OrderId, amount: Decimal, provider: &str, now: DateTime<Utc>) -> WithWrites<Payment> {
    use diesel::sql_types::{Numeric, Text, Timestamptz, Uuid as SqlUuid};
    let payment = Payment {
        id: PaymentId::random(),
        order_id: order,
        provider: provider.to_string(),
        status: PaymentState::Pending,
        amount: Money::mnt(amount),
        refunded_amount: Money::ZERO,
        created_at: now,
    };
    let write = Staged::new(
        "INSERT INTO payments (id, order_id, provider, status, amount, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind::<SqlUuid, _>(payment.id)
    .bind::<SqlUuid, _>(order)
    .bind::<Text, _>(payment.provider.clone())
    .bind::<Text, _>(PaymentState::Pending)
    .bind::<Numeric, _>(amount)
    .bind::<Timestamptz, _>(now);
    WithWrites { value: payment, writes: vec![write] }
}

/// The order can no longer be paid: its waiting attempts fail. A provider's late success is
/// refunded when it arrives.
///
/// # Errors
/// A database failure.
pub fn close_waiting(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(
        payments::table.filter(payments::order_id.eq(order).and(payments::status.eq(PaymentState::Pending))),
    )
    .set((payments::status.eq(PaymentState::Failed), payments::updated_at.eq(now)))
    .execute(conn)?;
    Ok(())
}

/// The state of the latest attempt to pay `order` (`None` before any): a `Failed` one is a
/// decline the shopper has not yet tried again after. A waiting attempt is always the latest
/// (a new one opens only when none waits), also when the shop's clock gave two attempts the
/// same time.
///
/// # Errors
/// A database failure.
pub fn latest_state(conn: &mut PgConnection, order: OrderId) -> Result<Option<PaymentState>, DbError> {
    Ok(payments::table
        .filter(payments::order_id.eq(order))
        .select(payments::status)
        .order((payments::status.eq(PaymentState::Pending).desc(), payments::created_at.desc(), payments::id.desc()))
        .first::<PaymentState>(conn)
        .optional()?)
}
