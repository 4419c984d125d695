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

/// How long before its deadline the owner of a number bought for later is reminded.
pub const REMIND_BEFORE: chrono::Duration = chrono::Duration::days(3);

/// What one pass over the activation window did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowPass {
    pub reminded: usize,
    pub lapsed: usize,
}

/// Numbers bought to activate later: owners whose deadline is near are mailed once, and
/// numbers past it return to the pool (recorded in `number_events`). Several processes may run
/// this at once: each number is taken by one (`SKIP LOCKED`). A number whose activation is with
/// the operator does not lapse.
///
/// # Errors
/// A database failure.
pub fn activation_window(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<WindowPass, DbError> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = Text)]
        msisdn: String,
        #[diesel(sql_type = Text)]
        email: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        lang: crate::domain::shared::Lang,
        #[diesel(sql_type = Timestamptz)]
        activate_by: DateTime<Utc>,
    }
    conn.transaction(|conn| {
        let due: Vec<Due> = prepared(
            "WITH due AS (SELECT msisdn FROM numbers WHERE status = 'sold' AND reminded_at IS NULL \
                          AND activate_by > $1 AND activate_by <= $2 ORDER BY activate_by LIMIT 100 \
                          FOR UPDATE SKIP LOCKED), \
                  marked AS (UPDATE numbers n SET reminded_at = $1 FROM due WHERE n.msisdn = due.msisdn \
                             RETURNING n.msisdn, n.owner_id, n.order_id, n.activate_by), \
                  logged AS (INSERT INTO number_events (msisdn, event, account_id, at) \
                             SELECT msisdn, 'reminded', owner_id, $1 FROM marked) \
             SELECT m.msisdn, a.email, a.name, coalesce(o.lang, 'mn') AS lang, m.activate_by \
             FROM marked m JOIN accounts a ON a.id = m.owner_id LEFT JOIN orders o ON o.id = m.order_id",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + REMIND_BEFORE)
        .load(conn)?;
        for d in &due {
            let date = crate::domain::shared::shop_local(d.activate_by).format("%Y-%m-%d").to_string();
            let mail = crate::domain::mails::NumberReminderMail {
                to: d.email.clone(),
                lang: d.lang,
                name: d.name.clone(),
                msisdn: Msisdn::from_stored(d.msisdn.clone()).display(),
                activate_by: date,
            };
            crate::domain::jobs::enqueue_job(conn, &mail, now)?;
        }
        let lapsed = prepared(
            "WITH due AS (SELECT msisdn, owner_id FROM numbers n WHERE status = 'sold' AND activate_by <= $1 \
                          AND NOT EXISTS (SELECT 1 FROM sim_cards c WHERE c.msisdn = n.msisdn \
                                          AND c.status = 'reserved' AND c.order_id IS NULL) \
                          AND NOT EXISTS (SELECT 1 FROM esim_profiles e WHERE e.msisdn = n.msisdn \
                                          AND e.status = 'reserved' AND e.order_id IS NULL) \
                          ORDER BY activate_by LIMIT 100 FOR UPDATE SKIP LOCKED), \
                  back AS (UPDATE numbers n SET status = 'available', owner_id = NULL, order_id = NULL, \
                                  activate_by = NULL, reminded_at = NULL, updated_at = $1 \
                           FROM due WHERE n.msisdn = due.msisdn RETURNING n.msisdn, due.owner_id) \
             INSERT INTO number_events (msisdn, event, account_id, at) SELECT msisdn, 'lapsed', owner_id, $1 FROM back",
        )
        .bind::<Timestamptz, _>(now)
        .execute(conn)?;
        Ok(WindowPass { reminded: due.len(), lapsed })
    })
}

/// A number as staff see it: its state, owner and what happened to it.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberRecord {
    pub msisdn: Msisdn,
    pub tier: Tier,
    pub status: NumberStatus,
    pub owner_email: Option<String>,
    pub activate_by: Option<DateTime<Utc>>,
    pub events: Vec<NumberEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberEvent {
    /// `reminded` or `lapsed`.
    pub event: String,
    pub account_email: Option<String>,
    pub at: DateTime<Utc>,
}

/// One number's record (`None`: not in the pool). Two statements.
///
/// # Errors
/// A database failure.
pub fn record(conn: &mut PgConnection, msisdn: &Msisdn) -> Result<Option<NumberRecord>, DbError> {
    use diesel::sql_types::Nullable;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        tier: Tier,
        #[diesel(sql_type = Text)]
        status: NumberStatus,
        #[diesel(sql_type = Nullable<Text>)]
        email: Option<String>,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        activate_by: Option<DateTime<Utc>>,
    }
    #[derive(QueryableByName)]
    struct Event {
        #[diesel(sql_type = Text)]
        event: String,
        #[diesel(sql_type = Nullable<Text>)]
        email: Option<String>,
        #[diesel(sql_type = Timestamptz)]
        at: DateTime<Utc>,
    }
    let row: Option<Row> = prepared(
        "SELECT n.tier, n.status, a.email, n.activate_by FROM numbers n LEFT JOIN accounts a ON a.id = n.owner_id \
         WHERE n.msisdn = $1",
    )
    .bind::<Text, _>(msisdn.as_str())
    .get_result(conn)
    .optional()?;
    let Some(row) = row else { return Ok(None) };
    let events: Vec<Event> = prepared(
        "SELECT e.event, a.email, e.at FROM number_events e LEFT JOIN accounts a ON a.id = e.account_id \
         WHERE e.msisdn = $1 ORDER BY e.id",
    )
    .bind::<Text, _>(msisdn.as_str())
    .load(conn)?;
    Ok(Some(NumberRecord {
        msisdn: msisdn.clone(),
        tier: row.tier,
        status: row.status,
        owner_email: row.email,
        activate_by: row.activate_by,
        events: events.into_iter().map(|e| NumberEvent { event: e.event, account_email: e.email, at: e.at }).collect(),
    }))
}
