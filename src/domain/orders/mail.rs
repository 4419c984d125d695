//! The mails an order sends, queued in the transaction of the change that causes them. The
//! payload carries what the message shows, so sending needs no database; the tracking link's
//! secret sits under `secret`, which the queue wipes once the mail is sent.
use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::{json, Value};

use super::types::{Fulfillment, Order};
use crate::db::DbError;
use crate::domain::jobs::{self, NewJob, Queue};

pub const CONFIRMATION: &str = "order_confirmation";
pub const PAYMENT_FAILED: &str = "payment_failed";
pub const SHIPPED: &str = "order_shipped";
pub const READY_FOR_PICKUP: &str = "order_ready_for_pickup";

fn payload(order: &Order) -> Value {
    let items: Vec<Value> = order
        .items
        .iter()
        .map(|i| {
            json!({
                "name_mn": i.name.mn, "name_en": i.name.en, "quantity": i.quantity,
                "total": i.total.display(), "msisdn": i.msisdn.as_ref().map(|m| m.display()),
            })
        })
        .collect();
    let branch = match &order.fulfillment {
        Fulfillment::Pickup { branch } => Some(json!({
            "name_mn": branch.name.mn, "name_en": branch.name.en,
            "address_mn": branch.address.mn, "address_en": branch.address.en,
            "opening_hours": branch.opening_hours,
        })),
        _ => None,
    };
    json!({
        "to": order.email,
        "lang": order.lang.code(),
        "order_id": order.id,
        "number": order.number,
        "items": items,
        "subtotal": order.totals.subtotal.display(),
        "shipping": order.totals.shipping.display(),
        "discount": order.totals.discount.display(),
        "total": order.totals.total.display(),
        "vat": crate::domain::cart::rules::vat_included(order.totals.total).display(),
        "branch": branch,
        "tracking": order.tracking_number,
        "secret": {"token": order.access_token},
    })
}

/// Queues mail `kind` about `order`; `once_per` names what makes it unique (the order, or a
/// payment attempt), so the same news is never mailed twice.
pub(crate) fn enqueue(
    conn: &mut PgConnection,
    kind: &str,
    order: &Order,
    once_per: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let job = NewJob {
        queue: Queue::Mail,
        kind: kind.into(),
        payload: payload(order),
        dedup_key: Some(format!("{kind}:{once_per}")),
        max_attempts: 8,
    };
    jobs::enqueue(conn, &job, now)?;
    Ok(())
}
