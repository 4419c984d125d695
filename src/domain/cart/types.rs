//! Cart read models and raw inputs.

use crate::domain::catalog::{Branch, ProductKind};
use crate::domain::promotions::Applied;
use crate::domain::shared::SimCardId;
use crate::domain::shared::{AccountId, CartId, CartItemId, ProductId};
use crate::domain::shared::{Localized, Money};
use crate::domain::telco::{Activation, Msisdn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct CartLine {
    pub id: CartItemId,
    pub product_id: ProductId,
    pub kind: ProductKind,
    pub slug: String,
    pub name: Localized,
    pub quantity: i32,
    pub unit_price: Money,
    pub total: Money,
    /// The number a top-up, data pack, plan or service is for.
    pub msisdn: Option<Msisdn>,
    /// The number a number or eSIM line buys.
    pub number: Option<Msisdn>,
    /// How a number line's number is to be activated.
    pub activation: Option<Activation>,
    /// When the cart's hold on `number` ends (in the past once it ran out: checkout takes the
    /// number again if nobody else has); `None` when another cart took it.
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// The physical SIM card whose code the shopper typed.
    pub sim_card: Option<SimCardId>,
    /// False once the product was withdrawn from sale: checkout refuses the cart until it goes.
    pub active: bool,
    /// This line's share of the codes' discount.
    pub discount: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub subtotal: Money,
    pub discount: Money,
    pub shipping: Money,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CartView {
    pub id: CartId,
    pub account_id: Option<AccountId>,
    pub open: bool,
    pub lines: Vec<CartLine>,
    /// The codes applied, upper-case, in the order they were.
    pub coupons: Vec<String>,
    /// What each code takes off, or why it takes nothing now (the cart changed since, or the
    /// campaign ended): checkout refuses a cart with a code that does not apply.
    pub coupon_lines: Vec<Applied>,
    /// `shipping` is the delivery fee while the cart holds physical goods (pickup is free).
    pub totals: Totals,
    pub needs_shipping: bool,
}

impl CartView {
    /// What the shopper saw of the cart, in a few characters: its lines, their quantities,
    /// numbers and prices. A checkout form carries it, so an order is placed only for the cart
    /// its page showed.
    pub fn version(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.id.to_string().as_bytes());
        for l in &self.lines {
            let msisdn = l.msisdn.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default();
            let number = l.number.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default();
            let line = format!("\n{}:{}:{}:{}:{}", l.id, l.quantity, msisdn, number, l.unit_price.amount());
            h.update(line.as_bytes());
        }
        for c in &self.coupon_lines {
            h.update(format!("\n{}:{}", c.code, c.amount.amount()).as_bytes());
        }
        h.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
    }

    /// What the header's cart badge counts: units of every line.
    pub fn item_count(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.quantity)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A line as a form or a JSON body gives it, before it is checked against its product.
/// Numbers arrive as text (a JSON number is written out) so that any value can be judged.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub product_id: Option<String>,
    pub quantity: Option<String>,
    pub msisdn: Option<String>,
    pub amount: Option<String>,
    /// The number a number or eSIM line buys.
    pub number: Option<String>,
    /// `later`, `esim` or `physical` for a number line.
    pub activation: Option<String>,
    /// The code printed with a physical SIM.
    pub activation_code: Option<String>,
}

/// A branch where the cart could be collected, and whether it holds every device line.
#[derive(Debug, Clone, PartialEq)]
pub struct PickupOption {
    pub branch: Branch,
    pub has_stock: bool,
}
