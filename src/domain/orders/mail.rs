//! The mails an order sends, queued in the transaction of the change that causes them.
use chrono::{DateTime, Utc};
use diesel::PgConnection;

use super::types::{Fulfillment, Order};
use crate::db::{DbError, Staged};
use crate::domain::jobs;
use crate::domain::mails::{OrderMail, OrderMailBranch, OrderMailItem, OrderNews};

/// The mail telling `news` about `order`.
pub fn order_mail(news: OrderNews, order: &Order, once_per: &str) -> OrderMail {
    let items = order
        .items
        .iter()
        .map(|i| OrderMailItem {
            name_mn: i.name.mn.clone(),
            name_en: i.name.en.clone(),
            quantity: i.quantity,
            total: i.total.display(),
            msisdn: i.msisdn.as_ref().map(|m| m.display()),
        })
        .collect();
    let branch = match &order.fulfillment {
        Fulfillment::Pickup { branch } => Some(OrderMailBranch {
            name_mn: branch.name.mn.clone(),
            name_en: branch.name.en.clone(),
            address_mn: branch.address.mn.clone(),
            address_en: branch.address.en.clone(),
            opening_hours: branch.opening_hours.en.clone(),
            opening_hours_mn: Some(branch.opening_hours.mn.clone()),
        }),
        _ => None,
    };
    OrderMail {
        news,
        once_per: Some(once_per.to_string()),
        to: order.email.clone(),
        lang: order.lang,
        order_id: order.id,
        number: order.number.clone(),
        items,
        subtotal: order.totals.subtotal.display(),
        shipping: order.totals.shipping.display(),
        discount: order.totals.discount.display(),
        total: order.totals.total.display(),
        vat: crate::domain::cart::rules::vat_included(order.totals.total).display(),
        branch,
        tracking: order.tracking_number.clone(),
    }
}

/// Queues the mail telling `news` about `order`; `once_per` names what makes it unique (the
/// order, or a payment attempt), so the same news is never mailed twice.
pub(crate) fn enqueue(
    conn: &mut PgConnection,
    news: OrderNews,
    order: &Order,
    once_per: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    jobs::enqueue_job(conn, &order_mail(news, order, once_per), now)?;
    Ok(())
}

/// `enqueue` as a write to send with others (`db::together`).
///
/// # Errors
/// None in practice (a mail is plain data, always written as JSON).
pub(crate) fn stage(news: OrderNews, order: &Order, once_per: &str, now: DateTime<Utc>) -> Result<Staged, DbError> {
    jobs::stage_job(&order_mail(news, order, once_per), now)
}
