//! A number's life after the search: held by a cart, reserved by a placed order, sold to its
//! owner, given back. Every step is one conditional statement on the number's row, so with any
//! number of buyers and server processes a number is held by one cart and sold once, ever. An
//! expired hold needs no sweeper: the statements treat it as free.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz, Uuid as SqlUuid};

use super::types::{Msisdn, NumberStatus};
use crate::db::prepared;
use crate::db::DbError;
use crate::domain::catalog::Tier;
use crate::domain::shared::{AccountId, CartId, OrderId};

/// What asking to hold a number for a cart came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// The cart holds it now, until the time given.
    Held { tier: Tier, until: DateTime<Utc> },
    /// Another cart holds it, an order has it, or it was sold.
    Taken,
    /// Not in the pool, or retired.
    Unknown,
}

#[derive(QueryableByName)]
struct TierRow {
    #[diesel(sql_type = Text)]
    tier: Tier,
}

#[derive(QueryableByName)]
struct StatusRow {
    #[diesel(sql_type = Text)]
    status: NumberStatus,
}

/// Holds `msisdn` for `cart` until `until`, if it is free (available, or held by a hold that
/// has run out, or already this cart's).
///
/// # Errors
/// A database failure.
pub fn hold(
    conn: &mut PgConnection,
    msisdn: &Msisdn,
    cart: CartId,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Hold, DbError> {
    let held: Option<TierRow> = prepared(
        "UPDATE numbers SET status = 'held', held_by = $2, held_until = $3, updated_at = $4 \
         WHERE msisdn = $1 AND (status = 'available' OR (status = 'held' AND (held_until <= $4 OR held_by = $2))) \
         RETURNING tier",
    )
    .bind::<Text, _>(msisdn.as_str())
    .bind::<SqlUuid, _>(cart)
    .bind::<Timestamptz, _>(until)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .optional()?;
    if let Some(row) = held {
        return Ok(Hold::Held { tier: row.tier, until });
    }
    let status: Option<StatusRow> = prepared("SELECT status FROM numbers WHERE msisdn = $1")
        .bind::<Text, _>(msisdn.as_str())
        .get_result(conn)
        .optional()?;
    Ok(match status.map(|s| s.status) {
        None | Some(NumberStatus::Retired) => Hold::Unknown,
        Some(_) => Hold::Taken,
    })
}

/// The tier of a number in the pool (whatever its state).
///
/// # Errors
/// A database failure.
pub fn tier_of(conn: &mut PgConnection, msisdn: &Msisdn) -> Result<Option<Tier>, DbError> {
    let row: Option<TierRow> = prepared("SELECT tier FROM numbers WHERE msisdn = $1 AND status <> 'retired'")
        .bind::<Text, _>(msisdn.as_str())
        .get_result(conn)
        .optional()?;
    Ok(row.map(|r| r.tier))
}

/// The cart let go of the number (its line was removed): it is free at once.
///
/// # Errors
/// A database failure.
pub fn release_hold(conn: &mut PgConnection, msisdn: &str, cart: CartId, now: DateTime<Utc>) -> Result<(), DbError> {
    prepared(
        "UPDATE numbers SET status = 'available', held_by = NULL, held_until = NULL, updated_at = $3 \
         WHERE msisdn = $1 AND status = 'held' AND held_by = $2",
    )
    .bind::<Text, _>(msisdn)
    .bind::<SqlUuid, _>(cart)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(())
}

/// A guest's cart joined a customer's: its holds go with its lines.
///
/// # Errors
/// A database failure.
pub fn move_holds(conn: &mut PgConnection, from: CartId, to: CartId) -> Result<(), DbError> {
    prepared("UPDATE numbers SET held_by = $2 WHERE held_by = $1 AND status = 'held'")
        .bind::<SqlUuid, _>(from)
        .bind::<SqlUuid, _>(to)
        .execute(conn)?;
    Ok(())
}

/// An order was placed with `msisdn` from `cart`: the number is the order's until it is paid,
/// cancelled or expires; if it is bought to activate later, that must happen by `activate_by`.
/// `false` when the cart's hold ran out and someone else took it.
///
/// # Errors
/// A database failure.
pub fn reserve(
    conn: &mut PgConnection,
    msisdn: &Msisdn,
    cart: CartId,
    order: OrderId,
    activate_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = prepared(
        "UPDATE numbers SET status = 'reserved', order_id = $3, held_by = NULL, held_until = NULL, \
                activate_by = $5, updated_at = $4 \
         WHERE msisdn = $1 AND (status = 'available' OR (status = 'held' AND (held_by = $2 OR held_until <= $4)))",
    )
    .bind::<Text, _>(msisdn.as_str())
    .bind::<SqlUuid, _>(cart)
    .bind::<SqlUuid, _>(order)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(activate_by)
    .execute(conn)?;
    Ok(n == 1)
}

/// The order's numbers go back to the pool (cancelled or expired unpaid).
///
/// # Errors
/// A database failure.
pub fn release_order(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<(), DbError> {
    prepared(
        "UPDATE numbers SET status = 'available', order_id = NULL, activate_by = NULL, updated_at = $2 \
         WHERE order_id = $1 AND status = 'reserved'",
    )
    .bind::<SqlUuid, _>(order)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(())
}

/// The order was paid: its numbers belong to `owner`, inactive until activated (those bought
/// to activate now become active when the operator has done it).
///
/// # Errors
/// A database failure.
pub fn sell_order(
    conn: &mut PgConnection,
    order: OrderId,
    owner: AccountId,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    prepared(
        "UPDATE numbers SET status = 'sold', owner_id = $2, updated_at = $3 WHERE order_id = $1 AND status = 'reserved'",
    )
    .bind::<SqlUuid, _>(order)
    .bind::<SqlUuid, _>(owner)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(())
}

/// The whole order was refunded: numbers it sold that were never activated go back to the pool.
///
/// # Errors
/// A database failure.
pub fn take_back_order(conn: &mut PgConnection, order: OrderId, now: DateTime<Utc>) -> Result<(), DbError> {
    prepared(
        "UPDATE numbers SET status = 'available', owner_id = NULL, order_id = NULL, activate_by = NULL, \
                updated_at = $2 WHERE order_id = $1 AND status = 'sold'",
    )
    .bind::<SqlUuid, _>(order)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    Ok(())
}

/// How many numbers `owner` has or has on order (sold, active, or reserved by an unpaid order
/// of theirs).
///
/// # Errors
/// A database failure.
pub fn count_of(conn: &mut PgConnection, owner: AccountId) -> Result<i64, DbError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let c: Count = prepared(
        "SELECT (SELECT count(*) FROM numbers WHERE owner_id = $1 AND status IN ('sold', 'active')) \
              + (SELECT count(*) FROM numbers n JOIN orders o ON o.id = n.order_id \
                 WHERE o.account_id = $1 AND n.status = 'reserved') AS n",
    )
    .bind::<SqlUuid, _>(owner)
    .get_result(conn)?;
    Ok(c.n)
}

/// Serialises one customer's checkouts that carry numbers, so two carts checked out at once
/// cannot both pass the per-person limit: the lock ends with the caller's transaction.
///
/// # Errors
/// A database failure.
pub fn lock_owner(conn: &mut PgConnection, owner: AccountId) -> Result<(), DbError> {
    prepared("SELECT pg_advisory_xact_lock(hashtextextended('numbers-of:' || $1::text, 0))")
        .bind::<SqlUuid, _>(owner)
        .execute(conn)?;
    Ok(())
}
