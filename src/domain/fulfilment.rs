//! Fulfilment through the operator: a paid order's digital lines, one job each. A job marks its
//! line in progress, sends the operator the line's request under a key made from the line's id
//! (so however often it is sent, after a timeout or a crash, it is done once), and records the
//! answer: done (the number active, the SIM used, the eSIM assigned), or refused for good, when
//! the line is refunded through the payment provider and the shopper told why. An order with
//! nothing physical completes by itself once every line is answered.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;

use crate::db::prepared;
use crate::db::schema::order_items;
use crate::db::DbError;
use crate::domain::catalog::{ProductAttributes, ProductKind};
use crate::domain::mails::OrderNews;
use crate::domain::orders::commands::{lock, move_to, note, settle};
use crate::domain::orders::{self, Actor, FulfillmentStatus, OrderError, OrderStatus};
use crate::domain::payments::commands::refund_locked;
use crate::domain::shared::{OrderId, OrderItemId};
use crate::domain::telco::operator::{FulfilItem, OperatorError, OperatorGateway, OperatorRequest};
use crate::domain::telco::owned::{self, ActivateNumber};
use crate::domain::telco::{Activation, SimKind};

#[derive(Debug, thiserror::Error)]
pub enum FulfilmentError {
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Payment(String),
    #[error("line cannot be fulfilled: {0}")]
    Unfulfillable(String),
}

impl From<diesel::result::Error> for FulfilmentError {
    fn from(e: diesel::result::Error) -> Self {
        FulfilmentError::Db(DbError::Query(e))
    }
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = SqlUuid)]
    order_id: OrderId,
    #[diesel(sql_type = Text)]
    kind: ProductKind,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    total: Decimal,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    msisdn: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    number: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    activation: Option<Activation>,
    #[diesel(sql_type = Text)]
    fulfillment_status: FulfillmentStatus,
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    attributes: serde_json::Value,
    /// The SIM card or eSIM profile the order took for the line's number.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    iccid: Option<String>,
}

fn load_line(conn: &mut PgConnection, item: OrderItemId) -> Result<Option<Line>, DbError> {
    Ok(prepared(
        "SELECT i.order_id, i.kind, i.total, i.msisdn, i.number, i.activation, i.fulfillment_status, p.slug, \
                p.attributes, \
                coalesce((SELECT c.iccid FROM sim_cards c WHERE c.order_id = i.order_id AND c.msisdn = i.number), \
                         (SELECT e.iccid FROM esim_profiles e WHERE e.order_id = i.order_id \
                          AND e.msisdn = coalesce(i.number, i.msisdn) AND e.status IN ('reserved', 'assigned'))) AS iccid \
         FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.id = $1",
    )
    .bind::<SqlUuid, _>(item)
    .get_result(conn)
    .optional()?)
}

/// The request a line makes of the operator.
fn request_for(line: &Line) -> Result<OperatorRequest, FulfilmentError> {
    let missing = |what: &str| FulfilmentError::Unfulfillable(format!("{} line without {what}", line.kind.as_str()));
    let details = ProductAttributes::from_json(line.kind, &line.attributes).ok();
    let target = || line.msisdn.clone().ok_or_else(|| missing("a number to credit"));
    Ok(match (line.kind, details) {
        (ProductKind::TopUp, _) => OperatorRequest::TopUp { msisdn: target()?, amount: line.total },
        (ProductKind::DataPack, Some(ProductAttributes::DataPack { data_mb, validity_days })) => {
            OperatorRequest::DataPack { msisdn: target()?, data_mb, validity_days }
        }
        (ProductKind::Plan, Some(ProductAttributes::Plan { minutes, sms, data_mb, units, validity_days })) => {
            OperatorRequest::StartPlan {
                msisdn: target()?,
                plan: line.slug.clone(),
                units,
                minutes,
                sms,
                data_mb,
                validity_days,
            }
        }
        (ProductKind::Number | ProductKind::Esim, _) => {
            let sim = match line.activation {
                Some(Activation::Physical) => SimKind::Physical,
                _ => SimKind::Esim,
            };
            OperatorRequest::Activate {
                msisdn: line.number.clone().ok_or_else(|| missing("a number"))?,
                sim,
                iccid: line.iccid.clone().ok_or_else(|| missing("a SIM"))?,
            }
        }
        (ProductKind::Service, Some(ProductAttributes::Service { service })) if service == "esim_reissue" => {
            OperatorRequest::ReissueEsim {
                msisdn: target()?,
                sim: SimKind::Esim,
                iccid: line.iccid.clone().ok_or_else(|| missing("a new eSIM"))?,
            }
        }
        _ => return Err(missing("what it is for")),
    })
}

/// The key the operator keeps for a line: the same for every attempt.
fn key_of(item: OrderItemId) -> String {
    format!("order-item:{item}")
}

/// Marks the line in progress and says what to send, or `None` when there is nothing to do (it
/// was answered already, or the order was refunded or cancelled meanwhile).
fn start(
    conn: &mut PgConnection,
    item: OrderItemId,
    now: DateTime<Utc>,
) -> Result<Option<(String, OperatorRequest)>, FulfilmentError> {
    conn.transaction(|conn| {
        let Some(line) = load_line(conn, item)? else { return Ok(None) };
        let mut order = lock(conn, line.order_id)?.ok_or(OrderError::NotFound)?;
        let live = matches!(
            order.status,
            OrderStatus::Paid | OrderStatus::Fulfilling | OrderStatus::Shipped | OrderStatus::ReadyForPickup
        );
        if !live || matches!(line.fulfillment_status, FulfillmentStatus::Done | FulfillmentStatus::Failed) {
            return Ok(None);
        }
        let request = request_for(&line)?;
        diesel::update(order_items::table.find(item))
            .set(order_items::fulfillment_status.eq(FulfillmentStatus::InProgress))
            .execute(conn)?;
        if order.status == OrderStatus::Paid && !has_goods(conn, order.id)? {
            move_to(conn, &mut order, OrderStatus::Fulfilling, Actor::System, None, now)?;
        }
        Ok(Some((key_of(item), request)))
    })
}

fn has_goods(conn: &mut PgConnection, order: OrderId) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        order_items::table.filter(order_items::order_id.eq(order).and(order_items::kind.eq(ProductKind::Device))),
    ))
    .get_result(conn)?)
}

/// The operator did it: the line is done; an activated number is active on its SIM.
fn finish(conn: &mut PgConnection, item: OrderItemId, now: DateTime<Utc>) -> Result<(), FulfilmentError> {
    conn.transaction(|conn| {
        let Some(line) = load_line(conn, item)? else { return Ok(()) };
        let mut order = lock(conn, line.order_id)?.ok_or(OrderError::NotFound)?;
        let done = diesel::update(
            order_items::table
                .find(item)
                .filter(order_items::fulfillment_status.ne_all([FulfillmentStatus::Done, FulfillmentStatus::Failed])),
        )
        .set((order_items::fulfillment_status.eq(FulfillmentStatus::Done), order_items::fulfilled_at.eq(now)))
        .execute(conn)?;
        if done == 0 {
            return Ok(());
        }
        if let Some(number) = &line.number {
            let sim = match line.activation {
                Some(Activation::Physical) => SimKind::Physical,
                _ => SimKind::Esim,
            };
            activated(conn, line.order_id, number, sim, now)?;
        }
        if let (ProductKind::Service, Some(msisdn)) = (line.kind, &line.msisdn) {
            reissued(conn, line.order_id, msisdn, now)?;
        }
        settle(conn, &mut order, now)?;
        Ok(())
    })
}

const CARD_USED: &str = "UPDATE sim_cards SET status = 'used', used_at = $3, updated_at = $3 \
     WHERE order_id = $1 AND msisdn = $2 AND status = 'reserved'";
const PROFILE_ASSIGNED: &str = "UPDATE esim_profiles SET status = 'assigned', assigned_at = $3, updated_at = $3 \
     WHERE order_id = $1 AND msisdn = $2 AND status = 'reserved'";

/// Runs one of the pools' statements about an order's number: `$1` the order, `$2` the number,
/// `$3` now.
fn for_number(
    conn: &mut PgConnection,
    sql: &'static str,
    order: OrderId,
    number: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    prepared(sql).bind::<SqlUuid, _>(order).bind::<Text, _>(number).bind::<Timestamptz, _>(now).execute(conn)?;
    Ok(())
}

/// A number went live on its SIM: the number is active, the card used, the profile assigned.
fn activated(
    conn: &mut PgConnection,
    order: OrderId,
    number: &str,
    sim: SimKind,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    prepared(
        "UPDATE numbers SET status = 'active', sim = $3, activated_at = $4, updated_at = $4 \
         WHERE msisdn = $1 AND order_id = $2 AND status = 'sold'",
    )
    .bind::<Text, _>(number)
    .bind::<SqlUuid, _>(order)
    .bind::<Text, _>(sim)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    for_number(conn, CARD_USED, order, number, now)?;
    for_number(conn, PROFILE_ASSIGNED, order, number, now)
}

/// The number moved to its new eSIM: the new profile is assigned, the ones before it revoked.
fn reissued(conn: &mut PgConnection, order: OrderId, msisdn: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    for_number(
        conn,
        "UPDATE esim_profiles SET status = 'revoked', revoked_at = $3, updated_at = $3 \
         WHERE msisdn = $2 AND status = 'assigned' AND order_id IS DISTINCT FROM $1",
        order,
        msisdn,
        now,
    )?;
    for_number(conn, PROFILE_ASSIGNED, order, msisdn, now)
}

/// The operator refused the line for good: it failed, its price goes back through the provider,
/// a number it would have activated returns to the pool with its SIM, and the shopper is told.
fn refuse(conn: &mut PgConnection, item: OrderItemId, reason: &str, now: DateTime<Utc>) -> Result<(), FulfilmentError> {
    conn.transaction(|conn| {
        let Some(line) = load_line(conn, item)? else { return Ok(()) };
        let mut order = lock(conn, line.order_id)?.ok_or(OrderError::NotFound)?;
        let failed = diesel::update(
            order_items::table
                .find(item)
                .filter(order_items::fulfillment_status.ne_all([FulfillmentStatus::Done, FulfillmentStatus::Failed])),
        )
        .set((order_items::fulfillment_status.eq(FulfillmentStatus::Failed), order_items::failure.eq(reason)))
        .execute(conn)?;
        if failed == 0 {
            return Ok(());
        }
        let left = order.total - order.refunded_total;
        let amount = line.total.min(left);
        let why = format!("operator refused {}: {reason}", line.kind.as_str());
        if amount > Decimal::ZERO {
            refund_locked(conn, &mut order, amount, Actor::System, &why, now)
                .map_err(|e| FulfilmentError::Payment(e.to_string()))?;
        } else {
            note(conn, &order, Actor::System, &why, now)?;
        }
        if let Some(number) =
            line.number.as_ref().or(line.msisdn.as_ref().filter(|_| line.kind == ProductKind::Service))
        {
            given_back(conn, line.order_id, number, now)?;
        }
        let view = orders::queries::load(conn, order.clone())?;
        orders::mail::enqueue(conn, OrderNews::NotDelivered, &view, &item.to_string(), now)?;
        settle(conn, &mut order, now)?;
        Ok(())
    })
}

/// A number whose activation was refused (and refunded) goes back to the pool with its SIM.
fn given_back(conn: &mut PgConnection, order: OrderId, number: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    prepared(
        "UPDATE numbers SET status = 'available', owner_id = NULL, order_id = NULL, activate_by = NULL, \
                updated_at = $3 WHERE msisdn = $1 AND order_id = $2 AND status = 'sold'",
    )
    .bind::<Text, _>(number)
    .bind::<SqlUuid, _>(order)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?;
    for table in ["sim_cards", "esim_profiles"] {
        let sql = if table == "sim_cards" {
            "UPDATE sim_cards SET status = 'available', order_id = NULL, msisdn = NULL, updated_at = $3 \
             WHERE order_id = $1 AND msisdn = $2 AND status = 'reserved'"
        } else {
            "UPDATE esim_profiles SET status = 'available', order_id = NULL, msisdn = NULL, updated_at = $3 \
             WHERE order_id = $1 AND msisdn = $2 AND status = 'reserved'"
        };
        for_number(conn, sql, order, number, now)?;
    }
    Ok(())
}

/// Performs one fulfilment job. An outage is the job's error (retried with backoff, dead after
/// its attempts, retried by staff); a refusal is an answer, recorded, and ends the job.
///
/// # Errors
/// What went wrong, for the job's record.
pub fn perform(
    conn: &mut PgConnection,
    gateway: &dyn OperatorGateway,
    job: &FulfilItem,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<(), String> {
    let Some((key, request)) = start(conn, job.item_id, now()).map_err(|e| e.to_string())? else { return Ok(()) };
    match gateway.send(conn, &key, &request) {
        Ok(()) => finish(conn, job.item_id, now()).map_err(|e| e.to_string()),
        Err(OperatorError::Transient(why)) => Err(why),
        Err(OperatorError::Refused(why)) => refuse(conn, job.item_id, &why, now()).map_err(|e| e.to_string()),
    }
}

/// Performs one activation of a customer's number. An outage is retried; a refusal gives the
/// SIM back and leaves the number inactive, to be activated another way.
///
/// # Errors
/// What went wrong, for the job's record.
pub fn perform_activation(
    conn: &mut PgConnection,
    gateway: &dyn OperatorGateway,
    job: &ActivateNumber,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<(), String> {
    match gateway.send(conn, &job.key(), &job.request()) {
        Ok(()) => owned::activation_done(conn, job, now()).map_err(|e| e.to_string()),
        Err(OperatorError::Transient(why)) => Err(why),
        Err(OperatorError::Refused(why)) => {
            owned::activation_refused(conn, job, now()).map_err(|e| e.to_string())?;
            tracing::warn!(msisdn = %job.msisdn, %why, "the operator refused an activation");
            Ok(())
        }
    }
}
