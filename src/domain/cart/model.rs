//! Diesel rows of the cart tables.
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::state::CartStatus;
use crate::db::schema::carts;
use crate::domain::catalog::ProductKind;
use crate::domain::shared::{AccountId, CartId, CartItemId, CouponCodeId, ProductId, SimCardId};
use crate::domain::telco::Activation;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = carts, check_for_backend(diesel::pg::Pg))]
pub struct CartRow {
    pub id: CartId,
    pub account_id: Option<AccountId>,
    pub status: CartStatus,
    /// The codes applied, in the order they were.
    pub coupon_ids: Vec<CouponCodeId>,
}

impl CartRow {
    /// Guests' carts are reached by whoever holds their id; a customer's only by that customer.
    pub fn visible_to(&self, caller: Option<AccountId>) -> bool {
        self.account_id.is_none() || self.account_id == caller
    }
}

/// A line joined with its product (and, for a number or eSIM, its number's hold and tier price),
/// as pricing needs it.
#[derive(Debug, QueryableByName)]
pub struct LineRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: CartItemId,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub product_id: ProductId,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub quantity: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub msisdn: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Numeric>)]
    pub amount: Option<Decimal>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub number: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub activation: Option<Activation>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub sim_card_id: Option<SimCardId>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: ProductKind,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub slug: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name_mn: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name_en: String,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub price: Decimal,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub active: bool,
    /// When this cart's hold on the line's number ends (past once it ran out; `None` when the
    /// cart no longer holds it).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub hold_until: Option<chrono::DateTime<chrono::Utc>>,
    /// What comes on top of the product's price: an eSIM's number tier's price, or a number
    /// activated on an eSIM the eSIM's price.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Numeric>)]
    pub extra_price: Option<Decimal>,
}
