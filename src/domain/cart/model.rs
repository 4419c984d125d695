//! Diesel rows of the cart tables.
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::state::CartStatus;
use crate::db::schema::carts;
use crate::domain::catalog::ProductKind;
use crate::domain::shared::{AccountId, CartId, CartItemId, ProductId};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = carts, check_for_backend(diesel::pg::Pg))]
pub struct CartRow {
    pub id: CartId,
    pub account_id: Option<AccountId>,
    pub status: CartStatus,
}

impl CartRow {
    /// Guests' carts are reached by whoever holds their id; a customer's only by that customer.
    pub fn visible_to(&self, caller: Option<AccountId>) -> bool {
        self.account_id.is_none() || self.account_id == caller
    }
}

/// A line joined with its product, as pricing needs it.
#[derive(Debug, Queryable)]
pub struct LineRow {
    pub id: CartItemId,
    pub product_id: ProductId,
    pub quantity: i32,
    pub msisdn: Option<String>,
    pub amount: Option<Decimal>,
    pub kind: ProductKind,
    pub slug: String,
    pub name_mn: String,
    pub name_en: String,
    pub price: Decimal,
    pub active: bool,
}
