//! Diesel rows of the order tables.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::domain::telco::Activation;
use serde_json::Value;
use uuid::Uuid;

use super::state::{FulfillmentStatus, OrderStatus, PaymentStatus};
use crate::db::schema::{order_events, order_items, orders};
use crate::domain::catalog::ProductKind;
use crate::domain::shared::Lang;
use crate::domain::shared::{AccountId, OrderId, OrderItemId, ProductId};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = orders, check_for_backend(diesel::pg::Pg))]
pub struct OrderRow {
    pub id: OrderId,
    pub number: String,
    pub account_id: Option<AccountId>,
    pub email: String,
    pub lang: Lang,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub fulfillment_method: Option<String>,
    pub branch_id: Option<Uuid>,
    pub delivery_address: Option<Value>,
    pub tracking_number: Option<String>,
    pub subtotal: Decimal,
    pub discount: Decimal,
    pub shipping: Decimal,
    pub total: Decimal,
    pub refunded_total: Decimal,
    pub stock_released: bool,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = order_items, check_for_backend(diesel::pg::Pg))]
pub struct OrderItemRow {
    pub id: OrderItemId,
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub kind: ProductKind,
    pub name_mn: String,
    pub name_en: String,
    pub quantity: i32,
    pub unit_price: Decimal,
    pub total: Decimal,
    pub msisdn: Option<String>,
    pub fulfillment_status: FulfillmentStatus,
    pub number: Option<String>,
    pub activation: Option<Activation>,
    pub discount: Decimal,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = order_events, check_for_backend(diesel::pg::Pg))]
pub struct OrderEventRow {
    pub order_id: OrderId,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}
