//! Diesel rows of the payment tables.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::types::{Payment, PaymentState};
use crate::db::schema::payments;
use crate::domain::shared::Money;
use crate::domain::shared::{OrderId, PaymentId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payments, check_for_backend(diesel::pg::Pg))]
pub struct PaymentRow {
    pub id: PaymentId,
    pub order_id: OrderId,
    pub provider: String,
    pub status: PaymentState,
    pub amount: Decimal,
    pub refunded_amount: Decimal,
    pub created_at: DateTime<Utc>,
}

impl From<PaymentRow> for Payment {
    fn from(r: PaymentRow) -> Self {
        Payment {
            id: r.id,
            order_id: r.order_id,
            provider: r.provider,
            status: r.status,
            amount: Money::mnt(r.amount),
            refunded_amount: Money::mnt(r.refunded_amount),
            created_at: r.created_at,
        }
    }
}
