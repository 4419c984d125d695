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
use crate::db::DbError;
use crate::domain::shared::OrderId;

/// The waiting attempt to pay `order`, or a new one for `amount`.
///
/// # Errors
/// A database failure.
pub fn open_attempt(
    conn: &mut PgConnection,
    order: OrderId,
    amount: Decimal,
    provider: &str,
) -> Result<Payment, DbError> {
    let pending: Option<PaymentRow> = payments::table
        .filter(payments::order_id.eq(order).and(payments::status.eq(PaymentState::Pending)))
        .select(PaymentRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(p) = pending {
        return Ok(p.into());
    }
    let row: PaymentRow = diesel::insert_into(payments::table)
        .values((payments::order_id.eq(order), payments::provider.eq(provider), payments::amount.eq(amount)))
        .returning(PaymentRow::as_returning())
        .get_result(conn)?;
    Ok(row.into())
}

/// The first attempt to pay a new order (which has none yet).
///
/// # Errors
/// A database failure.
pub fn open_first(
    conn: &mut PgConnection,
    order: OrderId,
    amount: Decimal,
    provider: &str,
) -> Result<Payment, DbError> {
    let row: PaymentRow = diesel::insert_into(payments::table)
        .values((payments::order_id.eq(order), payments::provider.eq(provider), payments::amount.eq(amount)))
        .returning(PaymentRow::as_returning())
        .get_result(conn)?;
    Ok(row.into())
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
/// decline the shopper has not yet tried again after.
///
/// # Errors
/// A database failure.
pub fn latest_state(conn: &mut PgConnection, order: OrderId) -> Result<Option<PaymentState>, DbError> {
    Ok(payments::table
        .filter(payments::order_id.eq(order))
        .select(payments::status)
        .order((payments::created_at.desc(), payments::id.desc()))
        .first::<PaymentState>(conn)
        .optional()?)
}
