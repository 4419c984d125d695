//! Order writes. Each locks the order row, checks the move against `state.rs`, applies it and
//! records it in the timeline, in one transaction.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use rust_decimal::Decimal;

use super::links::{self, Lock};
use super::mail;
use super::model::OrderRow;
use super::pickup::Handover;
use super::queries::{assemble, load, load_branches};
use super::state::{FulfillmentStatus, OrderStatus, PaymentStatus};
use super::types::{
    Actor, NewFulfillment, NewOrder, Order, OrderAccess, OrderEvent, OrderItem, OrderToken, StaffAction,
};
use super::OrderError;
use crate::db::prepared;
use crate::db::schema::{order_events, order_items, orders};
use crate::db::DbError;
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::cart::CartLine;
use crate::domain::catalog::ProductKind;
use crate::domain::mails::OrderNews;
use crate::domain::payments::attempts;
use crate::domain::promotions;
use crate::domain::shared::{AccountId, OrderId, OrderItemId};
use crate::domain::shared::{Code, FieldError};
use crate::domain::shared::{FieldErrors, Money};
use crate::domain::telco;

pub(crate) fn lock(conn: &mut PgConnection, id: OrderId) -> Result<Option<OrderRow>, DbError> {
    Ok(orders::table.find(id).select(OrderRow::as_select()).for_update().first(conn).optional()?)
}

/// Moves a locked order to `to` if the state table allows it, and records who did it.
///
/// # Errors
/// `IllegalTransition`.
pub(crate) fn move_to(
    conn: &mut PgConnection,
    row: &mut OrderRow,
    to: OrderStatus,
    actor: Actor,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), OrderError> {
    let from = row.status;
    if !from.can_move_to(to) {
        return Err(OrderError::IllegalTransition { from, to });
    }
    diesel::update(orders::table.find(row.id))
        .set((orders::status.eq(to), orders::updated_at.eq(now)))
        .execute(conn)?;
    record_event(conn, row.id, Some(from), to, actor, note, now)?;
    row.status = to;
    Ok(())
}

pub(crate) fn record_event(
    conn: &mut PgConnection,
    order: OrderId,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: Actor,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::order_id.eq(order),
            order_events::from_status.eq(from),
            order_events::to_status.eq(to),
            order_events::actor.eq(actor.kind()),
            order_events::actor_id.eq(actor.id()),
            order_events::note.eq(note),
            order_events::at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts the devices an order took back on the shelf of the branch they came from, once.
pub(crate) fn release_stock(conn: &mut PgConnection, row: &mut OrderRow) -> Result<(), DbError> {
    if row.stock_released {
        return Ok(());
    }
    if let Some(branch) = row.branch_id {
        prepared(
            "INSERT INTO stock (product_id, branch_id, quantity, updated_at) \
             SELECT product_id, $2, sum(quantity)::integer, now() FROM order_items \
             WHERE order_id = $1 AND kind = $3 GROUP BY product_id \
             ON CONFLICT (product_id, branch_id) \
             DO UPDATE SET quantity = stock.quantity + excluded.quantity, updated_at = now()",
        )
        .bind::<SqlUuid, _>(row.id)
        .bind::<SqlUuid, _>(branch)
        .bind::<Text, _>(ProductKind::Device)
        .execute(conn)?;
    }
    diesel::update(orders::table.find(row.id)).set(orders::stock_released.eq(true)).execute(conn)?;
    row.stock_released = true;
    Ok(())
}

/// Cancels a locked unpaid order: its reservations go back and its waiting payment is closed.
pub(crate) fn cancel_locked(
    conn: &mut PgConnection,
    row: &mut OrderRow,
    actor: Actor,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), OrderError> {
    move_to(conn, row, OrderStatus::Cancelled, actor, note, now)?;
    release_stock(conn, row)?;
    // Only an order with a discount carries codes.
    if row.discount > Decimal::ZERO {
        promotions::commands::release_order(conn, row.id, now)?;
    }
    telco::lifecycle::release_order(conn, row.id, now)?;
    telco::sims::release_order(conn, row.id, now)?;
    attempts::close_waiting(conn, row.id, now)?;
    Ok(())
}

/// The shopper (owner or tracking-link holder) or staff cancels an unpaid order.
///
/// # Errors
/// `NotFound`; `IllegalTransition` once it is paid (or already cancelled).
pub fn cancel(
    conn: &mut PgConnection,
    id: OrderId,
    access: &OrderAccess,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Order, OrderError> {
    conn.transaction(|conn| {
        let mut row = links::find(conn, id, access, Lock::ForUpdate)?;
        cancel_locked(conn, &mut row, actor, None, now)?;
        Ok(load(conn, row)?)
    })
}

/// Cancels up to `limit` orders whose time to pay ran out, releasing what they reserved.
/// Several processes may run this at once: each order is taken by one (`SKIP LOCKED`).
pub fn expire_due(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<usize, OrderError> {
    conn.transaction(|conn| {
        let mut rows: Vec<OrderRow> = orders::table
            .filter(orders::status.eq(OrderStatus::PendingPayment).and(orders::expires_at.le(now)))
            .select(OrderRow::as_select())
            .order(orders::expires_at)
            .limit(limit)
            .for_update()
            .skip_locked()
            .load(conn)?;
        for row in &mut rows {
            cancel_locked(conn, row, Actor::System, Some("expired"), now)?;
        }
        Ok(rows.len())
    })
}

/// Staff move an order along: ship a delivery (with its tracking number), make a pickup order
/// ready, hand it over (`picked_up` completes it), complete, or cancel an unpaid one. The
/// shopper is mailed when the order ships or is ready for pickup.
///
/// # Errors
/// `NotFound`; `IllegalTransition` for a move the state table or the fulfilment method refuses;
/// `Invalid` for a tracking number that is too long, or a pickup code (when one is given for a
/// hand-over) that is not the order's.
pub fn staff_transition(
    conn: &mut PgConnection,
    id: OrderId,
    action: StaffAction,
    tracking: Option<&str>,
    handover: Option<Handover<'_>>,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<Order, OrderError> {
    let tracking = tracking.map(str::trim).filter(|t| !t.is_empty());
    if tracking.is_some_and(|t| t.chars().count() > 100 || t.chars().any(char::is_control)) {
        return Err(FieldErrors::single("tracking", FieldError::from(Code::TooLong).with("max", 100)).into());
    }
    conn.transaction(|conn| {
        let mut row = lock(conn, id)?.ok_or(OrderError::NotFound)?;
        let from = row.status;
        let to = action.target();
        let method = row.fulfillment_method.clone();
        let refuse = || OrderError::IllegalTransition { from, to };
        let actor = Actor::Staff(staff);
        match action {
            StaffAction::Ship if method.as_deref() != Some("delivery") => return Err(refuse()),
            StaffAction::ReadyForPickup if method.as_deref() != Some("pickup") => return Err(refuse()),
            StaffAction::PickedUp if from != OrderStatus::ReadyForPickup => return Err(refuse()),
            // A pickup order is complete once it is handed over at the counter, where the
            // shopper's code says it is theirs.
            StaffAction::PickedUp | StaffAction::Complete if method.as_deref() == Some("pickup") => {
                if from != OrderStatus::ReadyForPickup {
                    return Err(refuse());
                }
                if let Some(h) = handover {
                    h.check(row.id)?;
                }
            }
            StaffAction::Cancel => {
                cancel_locked(conn, &mut row, actor, None, now)?;
                let before = serde_json::json!({"status": from.as_str()});
                let after = serde_json::json!({"status": row.status.as_str()});
                let subject = Subject::new("order", row.id);
                audit::record(conn, staff, AuditAction::OrderMoved, &subject, Some(before), Some(after), now)?;
                return Ok(load(conn, row)?);
            }
            _ => {}
        }
        let note = match action {
            StaffAction::PickedUp => Some("picked_up".to_string()),
            StaffAction::Ship => tracking.map(|t| format!("tracking {t}")),
            _ => None,
        };
        move_to(conn, &mut row, to, actor, note.as_deref(), now)?;
        if action == StaffAction::Ship {
            diesel::update(orders::table.find(row.id)).set(orders::tracking_number.eq(tracking)).execute(conn)?;
            row.tracking_number = tracking.map(String::from);
        }
        // Goods handed over or sent are no longer the shop's to put back.
        if matches!(action, StaffAction::Ship | StaffAction::PickedUp) {
            diesel::update(orders::table.find(row.id)).set(orders::stock_released.eq(true)).execute(conn)?;
            row.stock_released = true;
        }
        match action {
            StaffAction::Ship | StaffAction::ReadyForPickup => {
                mark_devices(conn, row.id, FulfillmentStatus::InProgress)?;
            }
            StaffAction::PickedUp | StaffAction::Complete => mark_devices(conn, row.id, FulfillmentStatus::Done)?,
            StaffAction::Cancel => {}
        }
        let before = serde_json::json!({"status": from.as_str()});
        let after = serde_json::json!({"status": row.status.as_str(), "tracking": row.tracking_number});
        audit::record(
            conn,
            staff,
            AuditAction::OrderMoved,
            &Subject::new("order", row.id),
            Some(before),
            Some(after),
            now,
        )?;
        let order = load(conn, row)?;
        match action {
            StaffAction::Ship => mail::enqueue(conn, OrderNews::Shipped, &order, &order.id.to_string(), now)?,
            StaffAction::ReadyForPickup => {
                mail::enqueue(conn, OrderNews::ReadyForPickup, &order, &order.id.to_string(), now)?;
            }
            _ => {}
        }
        Ok(order)
    })
}

/// Staff send the shopper the mail that fits where the order is again (confirmation, shipped,
/// ready for pickup, done), with a fresh tracking link; returns which news was sent.
///
/// # Errors
/// `NotFound`.
pub fn resend_mail(
    conn: &mut PgConnection,
    id: OrderId,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<OrderNews, OrderError> {
    conn.transaction(|conn| {
        let row = lock(conn, id)?.ok_or(OrderError::NotFound)?;
        let news = match row.status {
            OrderStatus::Shipped => OrderNews::Shipped,
            OrderStatus::ReadyForPickup => OrderNews::ReadyForPickup,
            OrderStatus::Completed if row.fulfillment_method.is_none() => OrderNews::Fulfilled,
            _ => OrderNews::Placed,
        };
        let order = load(conn, row)?;
        // Once per request: a resend is never merged with the mail it repeats.
        let once = format!("{}:resent:{}", order.id, now.timestamp_micros());
        mail::enqueue(conn, news, &order, &once, now)?;
        let after = serde_json::json!({"mail": news.kind()});
        audit::record(
            conn,
            staff,
            AuditAction::OrderMailResent,
            &Subject::new("order", order.id),
            None,
            Some(after),
            now,
        )?;
        Ok(news)
    })
}

/// Sets the fulfilment status of an order's devices (staff handle them; the operator the rest).
pub(crate) fn mark_devices(conn: &mut PgConnection, order: OrderId, status: FulfillmentStatus) -> Result<(), DbError> {
    diesel::update(
        order_items::table.filter(order_items::order_id.eq(order).and(order_items::kind.eq(ProductKind::Device))),
    )
    .set(order_items::fulfillment_status.eq(status))
    .execute(conn)?;
    Ok(())
}

/// Records a new order awaiting payment until `expires_at`, its lines frozen from the cart,
/// and the first event of its timeline, in one statement in the caller's transaction; returns
/// the order as it was written, without reading it back.
///
/// # Errors
/// A database failure.
pub fn create(
    conn: &mut PgConnection,
    order: &NewOrder,
    lines: &[CartLine],
    now: DateTime<Utc>,
) -> Result<Order, DbError> {
    use diesel::sql_types::{Array, Integer, Jsonb, Nullable, Numeric, Timestamptz};
    let (method, branch, address) = match &order.fulfillment {
        NewFulfillment::Nothing => (None, None, None),
        NewFulfillment::Delivery { address, warehouse } => {
            (Some("delivery"), Some(*warehouse), Some(address.to_json()))
        }
        NewFulfillment::Pickup { branch } => (Some("pickup"), Some(*branch), None),
    };
    let id = OrderId::random();
    let item_ids: Vec<OrderItemId> = lines.iter().map(|_| OrderItemId::random()).collect();
    let positions: Vec<i32> = (0..lines.len()).map(|i| i32::try_from(i).unwrap_or(i32::MAX)).collect();
    let actor = Actor::Customer(order.account_id);
    let row: OrderRow = prepared(
        "WITH o AS (INSERT INTO orders (id, account_id, cart_id, email, lang, fulfillment_method, branch_id, \
                 delivery_address, subtotal, discount, shipping, total, stock_released, expires_at, \
                 created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING *), \
              i AS (INSERT INTO order_items (id, order_id, product_id, kind, name_mn, name_en, quantity, unit_price, \
                 total, msisdn, position, number, activation, sim_card_id, discount) \
               SELECT l.id, $1, l.product_id, l.kind, l.name_mn, l.name_en, l.quantity, l.unit_price, l.total, \
                 l.msisdn, l.position, l.number, l.activation, l.sim_card_id, l.discount \
               FROM unnest($16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $30, $31, $32, $33) \
                 AS l(id, product_id, kind, name_mn, name_en, quantity, unit_price, total, msisdn, position, number, \
                      activation, sim_card_id, discount)), \
              e AS (INSERT INTO order_events (order_id, from_status, to_status, actor, actor_id, at) \
               VALUES ($1, NULL, $26, $27, $28, $15)), \
              k AS (INSERT INTO order_links (token_hash, order_id, created_at) \
               SELECT $29, $1, $15 WHERE $29 IS NOT NULL) \
         SELECT * FROM o",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<SqlUuid>, _>(order.account_id)
    .bind::<SqlUuid, _>(order.cart_id)
    .bind::<Text, _>(&order.email)
    .bind::<Text, _>(order.lang)
    .bind::<Nullable<Text>, _>(method)
    .bind::<Nullable<SqlUuid>, _>(branch)
    .bind::<Nullable<Jsonb>, _>(address)
    .bind::<Numeric, _>(order.totals.subtotal.amount())
    .bind::<Numeric, _>(order.totals.discount.amount())
    .bind::<Numeric, _>(order.totals.shipping.amount())
    .bind::<Numeric, _>(order.totals.total.amount())
    // Nothing was taken from a shelf when nothing travels.
    .bind::<diesel::sql_types::Bool, _>(branch.is_none())
    .bind::<Timestamptz, _>(order.expires_at)
    .bind::<Timestamptz, _>(now)
    .bind::<Array<SqlUuid>, _>(&item_ids)
    .bind::<Array<SqlUuid>, _>(lines.iter().map(|l| l.product_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(lines.iter().map(|l| l.kind).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(lines.iter().map(|l| l.name.mn.clone()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(lines.iter().map(|l| l.name.en.clone()).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(lines.iter().map(|l| l.quantity).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(lines.iter().map(|l| l.unit_price.amount()).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(lines.iter().map(|l| l.total.amount()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(
        lines.iter().map(|l| l.msisdn.as_ref().map(|m| m.as_str().to_string())).collect::<Vec<_>>(),
    )
    .bind::<Array<Integer>, _>(positions)
    .bind::<Text, _>(OrderStatus::PendingPayment)
    .bind::<Text, _>(actor.kind())
    .bind::<Nullable<SqlUuid>, _>(actor.id())
    .bind::<Nullable<diesel::sql_types::Bytea>, _>(order.link.as_ref().map(OrderToken::digest))
    .bind::<Array<Nullable<Text>>, _>(
        lines.iter().map(|l| l.number.as_ref().map(|m| m.as_str().to_string())).collect::<Vec<_>>(),
    )
    .bind::<Array<Nullable<Text>>, _>(lines.iter().map(|l| l.activation.map(|a| a.as_str())).collect::<Vec<_>>())
    .bind::<Array<Nullable<SqlUuid>>, _>(lines.iter().map(|l| l.sim_card).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(lines.iter().map(|l| l.discount.amount()).collect::<Vec<_>>())
    .get_result(conn)?;
    let items = lines
        .iter()
        .zip(item_ids)
        .map(|(l, item)| OrderItem {
            id: item,
            product_id: l.product_id,
            kind: l.kind,
            name: l.name.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            total: l.total,
            msisdn: l.msisdn.clone(),
            fulfillment_status: FulfillmentStatus::Pending,
            number: l.number.clone(),
            activation: l.activation,
            discount: l.discount,
        })
        .collect();
    let first =
        OrderEvent { from: None, to: OrderStatus::PendingPayment, actor: actor.kind().into(), note: None, at: now };
    let branches = load_branches(conn, &branch.into_iter().collect::<Vec<_>>())?;
    Ok(assemble(row, &branches, items, vec![first]))
}

/// The money arrived: a locked unpaid order becomes paid.
///
/// # Errors
/// `IllegalTransition` for an order that is not awaiting payment.
pub(crate) fn mark_paid(conn: &mut PgConnection, row: &mut OrderRow, now: DateTime<Utc>) -> Result<(), OrderError> {
    move_to(conn, row, OrderStatus::Paid, Actor::Payment, None, now)?;
    diesel::update(orders::table.find(row.id)).set(orders::payment_status.eq(PaymentStatus::Paid)).execute(conn)?;
    row.payment_status = PaymentStatus::Paid;
    if row.discount > Decimal::ZERO {
        promotions::commands::redeem_order(conn, row.id, now)?;
    }
    if let Some(owner) = row.account_id {
        telco::lifecycle::sell_order(conn, row.id, owner, now)?;
    }
    start_fulfilment(conn, row, now)?;
    Ok(())
}

/// A line as fulfilment needs it.
#[derive(Queryable)]
struct LineState {
    id: OrderItemId,
    kind: ProductKind,
    activation: Option<telco::Activation>,
    status: FulfillmentStatus,
}

fn line_states(conn: &mut PgConnection, order: OrderId) -> Result<Vec<LineState>, DbError> {
    Ok(order_items::table
        .filter(order_items::order_id.eq(order))
        .select((order_items::id, order_items::kind, order_items::activation, order_items::fulfillment_status))
        .order(order_items::position)
        .load(conn)?)
}

/// The order was just paid: one operator job per line the network must do (in this
/// transaction, so a paid order never lacks them); a number bought to activate later is
/// delivered now. An order that is then all done completes.
fn start_fulfilment(conn: &mut PgConnection, row: &mut OrderRow, now: DateTime<Utc>) -> Result<(), OrderError> {
    for line in line_states(conn, row.id)? {
        if telco::operator::needs_operator(line.kind, line.activation) {
            crate::domain::jobs::enqueue_job(conn, &telco::operator::FulfilItem { item_id: line.id }, now)?;
        } else if line.kind == ProductKind::Number {
            diesel::update(order_items::table.find(line.id))
                .set((order_items::fulfillment_status.eq(FulfillmentStatus::Done), order_items::fulfilled_at.eq(now)))
                .execute(conn)?;
        }
    }
    settle(conn, row, now)
}

/// An order with nothing physical whose every line the operator has answered (done, or
/// refused and refunded) completes by itself, and the shopper is told what they got. Orders
/// with goods follow the staff's moves instead.
///
/// # Errors
/// A database failure.
pub(crate) fn settle(conn: &mut PgConnection, row: &mut OrderRow, now: DateTime<Utc>) -> Result<(), OrderError> {
    let lines = line_states(conn, row.id)?;
    let physical = lines.iter().any(|l| l.kind.is_physical());
    let answered = lines.iter().all(|l| matches!(l.status, FulfillmentStatus::Done | FulfillmentStatus::Failed));
    let delivered = lines.iter().any(|l| l.status == FulfillmentStatus::Done);
    if physical || !answered || !matches!(row.status, OrderStatus::Paid | OrderStatus::Fulfilling) {
        return Ok(());
    }
    if delivered {
        move_to(conn, row, OrderStatus::Completed, Actor::System, None, now)?;
        let order = load(conn, row.clone())?;
        mail::enqueue(conn, OrderNews::Fulfilled, &order, &order.id.to_string(), now)?;
    }
    Ok(())
}

/// Notes on a locked order's timeline, without a move, what happened to it (a late payment
/// refunded at once, a partial refund).
///
/// # Errors
/// A database failure.
pub(crate) fn note(
    conn: &mut PgConnection,
    row: &OrderRow,
    actor: Actor,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    record_event(conn, row.id, Some(row.status), row.status, actor, Some(note), now)
}

/// `amount` was given back on a locked paid order (by staff, or by the shop for a line the
/// operator refused): its refunded total grows; all of it ends the
/// order as refunded and puts back devices that never left the shop. Returns whether it was all.
///
/// # Errors
/// `IllegalTransition` when a full refund cannot end the order.
pub(crate) fn record_refund(
    conn: &mut PgConnection,
    row: &mut OrderRow,
    amount: Decimal,
    actor: Actor,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, OrderError> {
    let refunded = row.refunded_total + amount;
    let full = refunded >= row.total;
    let status = if full { PaymentStatus::Refunded } else { PaymentStatus::PartiallyRefunded };
    diesel::update(orders::table.find(row.id))
        .set((orders::refunded_total.eq(refunded), orders::payment_status.eq(status), orders::updated_at.eq(now)))
        .execute(conn)?;
    row.refunded_total = refunded;
    row.payment_status = status;
    let note_text = format!("refund {}: {reason}", Money::mnt(amount).display());
    if full {
        let goods_here = row.status.goods_still_here();
        move_to(conn, row, OrderStatus::Refunded, actor, Some(&note_text), now)?;
        if goods_here {
            release_stock(conn, row)?;
        }
        telco::lifecycle::take_back_order(conn, row.id, now)?;
        if row.discount > Decimal::ZERO {
            promotions::commands::refund_order(conn, row.id, now)?;
        }
    } else {
        note(conn, row, actor, &note_text, now)?;
    }
    Ok(full)
}
