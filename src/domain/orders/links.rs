//! Links to an order's tracking page: each carries a secret of its own (the guest's checkout
//! answer, every mail as it is sent), kept only as a SHA-256 like API and reset tokens. Whoever
//! holds one sees that order and may pay or cancel it while it is unpaid; nothing else.
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::OrderRow;
use super::types::{OrderAccess, OrderToken};
use super::OrderError;
use crate::db::schema::{order_links, orders};
use crate::db::DbError;
use crate::domain::accounts::tokens::digest;
use crate::domain::shared::OrderId;

/// A new link to `order`; the links handed out before keep working.
///
/// # Errors
/// A database error, or a system without randomness.
pub fn mint(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<OrderToken, OrderError> {
    let token = OrderToken::random()?;
    diesel::insert_into(order_links::table)
        .values((
            order_links::token_hash.eq(token.digest()),
            order_links::order_id.eq(order),
            order_links::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Takes back a link that was never handed out (its mail could not be sent).
///
/// # Errors
/// A database error.
pub fn withdraw(conn: &mut PgConnection, token: &OrderToken) -> Result<(), DbError> {
    diesel::delete(order_links::table.find(token.digest())).execute(conn)?;
    Ok(())
}

/// Whether a read takes the order's row lock (to change it) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    None,
    ForUpdate,
}

/// The order `id` if `access` may see it: staff, its owner, or the holder of one of its links;
/// anything else is `NotFound`, as for an order that does not exist. One statement: the row
/// and whether the link opens it.
///
/// # Errors
/// `NotFound`; a database error.
pub(crate) fn find(
    conn: &mut PgConnection,
    id: OrderId,
    access: &OrderAccess,
    lock: Lock,
) -> Result<OrderRow, OrderError> {
    // Without a token the test matches nothing (no hash is empty).
    let hash = access.token.as_deref().map(digest).unwrap_or_default();
    let opened = diesel::dsl::exists(
        order_links::table.filter(order_links::order_id.eq(orders::id)).filter(order_links::token_hash.eq(hash)),
    );
    let query = orders::table.find(id).select((OrderRow::as_select(), opened));
    let found: Option<(OrderRow, bool)> = match lock {
        Lock::None => query.first(conn).optional()?,
        Lock::ForUpdate => query.for_update().first(conn).optional()?,
    };
    let (row, opened) = found.ok_or(OrderError::NotFound)?;
    let seen = opened || access.staff || access.account.is_some_and(|owner| row.account_id == Some(owner));
    if seen {
        Ok(row)
    } else {
        Err(OrderError::NotFound)
    }
}
