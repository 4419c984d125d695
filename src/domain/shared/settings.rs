//! The shop's settings that domain calls need (from the environment at start-up): the
//! configurable side of its rules, as opposed to the pure calculations in each `rules.rs`.
use chrono::Duration;

use super::Money;

#[derive(Debug, Clone)]
pub struct ShopRules {
    /// 2-digit number prefixes this operator sells and tops up.
    pub own_prefixes: Vec<String>,
    /// What home delivery costs.
    pub delivery_fee: Money,
    /// From this subtotal on, delivery is free (`None`: never).
    pub free_delivery_from: Option<Money>,
    /// How long an order waits for payment before its reservations are released.
    pub order_expiry: Duration,
    /// How long a number stays held in a cart.
    pub number_hold: Duration,
    /// Numbers one customer may own or have on order at once.
    pub max_numbers_per_person: i64,
    /// How long a number bought to activate later waits before it returns to the pool.
    pub activation_window: Duration,
    /// The key SIM codes are hashed and eSIM codes sealed with.
    pub inventory_key: crate::domain::telco::InventoryKey,
}

impl Default for ShopRules {
    fn default() -> Self {
        Self {
            own_prefixes: ["80", "86", "88", "89"].map(String::from).to_vec(),
            delivery_fee: Money::mnt(rust_decimal::Decimal::from(5000)),
            free_delivery_from: Some(Money::mnt(rust_decimal::Decimal::from(200_000))),
            order_expiry: Duration::minutes(30),
            number_hold: Duration::minutes(15),
            max_numbers_per_person: 2,
            activation_window: Duration::days(30),
            inventory_key: crate::domain::telco::InventoryKey::default(),
        }
    }
}
