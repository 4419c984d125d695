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
}

impl Default for ShopRules {
    fn default() -> Self {
        Self {
            own_prefixes: ["80", "86", "88", "89"].map(String::from).to_vec(),
            delivery_fee: Money::mnt(rust_decimal::Decimal::from(5000)),
            free_delivery_from: Some(Money::mnt(rust_decimal::Decimal::from(200_000))),
            order_expiry: Duration::minutes(30),
        }
    }
}
