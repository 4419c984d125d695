//! Order read models and parsed inputs.
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::state::{FulfillmentStatus, OrderStatus, PaymentStatus};
use super::OrderError;
use crate::domain::accounts::addresses::{Address, NewAddress};
use crate::domain::accounts::tokens::digest;
use crate::domain::accounts::Account;
use crate::domain::cart::Totals;
use crate::domain::catalog::ProductKind;
use crate::domain::shared::Code;
use crate::domain::shared::{AccountId, CartId, OrderId, OrderItemId, ProductId};
use crate::domain::shared::{FieldErrors, Lang, Localized, Money};
use crate::domain::telco::Msisdn;

/// Where a delivery goes; stored with the order as it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAddress {
    pub name: String,
    pub phone: String,
    pub city: String,
    pub district: String,
    pub line1: String,
    pub line2: Option<String>,
}

impl DeliveryAddress {
    /// As stored with the order (`orders.delivery_address`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name, "phone": self.phone, "city": self.city,
            "district": self.district, "line1": self.line1, "line2": self.line2,
        })
    }
}

impl From<NewAddress> for DeliveryAddress {
    fn from(a: NewAddress) -> Self {
        Self { name: a.name, phone: a.phone, city: a.city, district: a.district, line1: a.line1, line2: a.line2 }
    }
}

impl From<Address> for DeliveryAddress {
    fn from(a: Address) -> Self {
        Self { name: a.name, phone: a.phone, city: a.city, district: a.district, line1: a.line1, line2: a.line2 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchInfo {
    pub id: Uuid,
    pub name: Localized,
    pub address: Localized,
    #[serde(deserialize_with = "Localized::from_either")]
    pub opening_hours: Localized,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fulfillment {
    /// Nothing physical: nothing to ship or collect.
    None,
    /// Shipped from the delivery warehouse (`from`).
    Delivery {
        address: DeliveryAddress,
        from: BranchInfo,
    },
    Pickup {
        branch: BranchInfo,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub id: OrderItemId,
    pub product_id: ProductId,
    pub kind: ProductKind,
    pub name: Localized,
    pub quantity: i32,
    pub unit_price: Money,
    pub total: Money,
    pub msisdn: Option<Msisdn>,
    pub fulfillment_status: FulfillmentStatus,
    /// The number a number or eSIM line bought.
    pub number: Option<Msisdn>,
    /// How that number is activated.
    pub activation: Option<crate::domain::telco::Activation>,
    /// This line's share of the order's discount (`total` is before it).
    pub discount: Money,
}

/// How a new order's goods travel, decided at checkout.
#[derive(Debug, Clone)]
pub enum NewFulfillment {
    /// Nothing physical.
    Nothing,
    /// Shipped from the delivery warehouse.
    Delivery {
        address: DeliveryAddress,
        warehouse: Uuid,
    },
    Pickup {
        branch: Uuid,
    },
}

/// The secret of one link to an order, handed out once; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct OrderToken(String);

impl OrderToken {
    /// A new secret: 32 bytes from the operating system's generator.
    ///
    /// # Errors
    /// `NoRandomness` (never on a working machine).
    pub fn random() -> Result<Self, OrderError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| OrderError::NoRandomness(e.to_string()))?;
        Ok(Self::from_bytes(&bytes))
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The secret's 32 bytes (every token this shop mints has them).
    pub fn bytes(&self) -> Option<[u8; 32]> {
        URL_SAFE_NO_PAD.decode(&self.0).ok()?.try_into().ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored of it.
    pub(crate) fn digest(&self) -> Vec<u8> {
        digest(&self.0)
    }
}

impl fmt::Debug for OrderToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OrderToken(***)")
    }
}

/// An order about to be recorded, its totals and fulfilment decided.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub account_id: Option<AccountId>,
    pub cart_id: CartId,
    pub email: String,
    pub lang: Lang,
    pub fulfillment: NewFulfillment,
    pub totals: Totals,
    /// The link handed to a guest with the answer (its hash is recorded with the order).
    pub link: Option<OrderToken>,
    /// Until when it may be paid.
    pub expires_at: DateTime<Utc>,
}

/// Who moved an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Customer(Option<AccountId>),
    Staff(AccountId),
    Payment,
    System,
}

impl Actor {
    /// Who acts for a request: staff as staff, anyone else as the customer (a guest with none).
    pub fn of(account: Option<&Account>) -> Self {
        match account {
            Some(a) if a.role.is_staff() => Actor::Staff(a.id),
            other => Actor::Customer(other.map(|a| a.id)),
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Actor::Customer(_) => "customer",
            Actor::Staff(_) => "staff",
            Actor::Payment => "payment",
            Actor::System => "system",
        }
    }

    pub fn id(self) -> Option<AccountId> {
        match self {
            Actor::Customer(id) => id,
            Actor::Staff(id) => Some(id),
            Actor::Payment | Actor::System => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub account_id: Option<AccountId>,
    pub email: String,
    pub lang: Lang,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub items: Vec<OrderItem>,
    pub totals: Totals,
    pub refunded_total: Money,
    pub fulfillment: Fulfillment,
    pub tracking_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The timeline, oldest first (empty in lists).
    pub events: Vec<OrderEvent>,
    /// The coupon codes that took the discount (answers stored before codes existed have none).
    #[serde(default)]
    pub coupons: Vec<String>,
}

impl Order {
    /// The shopper may still pay: unpaid and not cancelled.
    pub fn payable(&self) -> bool {
        self.status == OrderStatus::PendingPayment
    }

    /// What staff may do to the order now, by its state and how its goods travel, so an admin
    /// page offers only moves `staff_transition` accepts (a pickup order is completed by handing
    /// it over, so it offers `picked_up` rather than `completed`).
    pub fn staff_actions(&self) -> Vec<StaffAction> {
        let delivery = matches!(self.fulfillment, Fulfillment::Delivery { .. });
        let pickup = matches!(self.fulfillment, Fulfillment::Pickup { .. });
        [
            StaffAction::Ship,
            StaffAction::ReadyForPickup,
            StaffAction::PickedUp,
            StaffAction::Complete,
            StaffAction::Cancel,
        ]
        .into_iter()
        .filter(|a| match a {
            StaffAction::Ship => delivery,
            StaffAction::ReadyForPickup => pickup,
            StaffAction::PickedUp => self.status == OrderStatus::ReadyForPickup,
            // A pickup order is completed by handing it over.
            StaffAction::Complete => !pickup,
            StaffAction::Cancel => true,
        })
        .filter(|a| self.status.can_move_to(a.target()))
        .collect()
    }

    /// Money staff could still give back.
    pub fn refundable(&self) -> Money {
        if matches!(self.payment_status, PaymentStatus::Paid | PaymentStatus::PartiallyRefunded) {
            Money::mnt(self.totals.total.amount() - self.refunded_total.amount())
        } else {
            Money::ZERO
        }
    }
}

/// Who is asking to see or change an order: the signed-in customer (their own orders), the
/// holder of the tracking link's secret, or staff (every order). Any one of them suffices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderAccess {
    pub account: Option<AccountId>,
    pub token: Option<String>,
    pub staff: bool,
}

impl OrderAccess {
    /// What a request presents: the signed-in account (staff see every order) and the link's
    /// secret, if it is one (empty or absurdly long values are no secret).
    pub fn of(account: Option<&Account>, token: Option<String>) -> Self {
        Self {
            account: account.map(|a| a.id),
            staff: account.is_some_and(|a| a.role.is_staff()),
            token: token.filter(|t| !t.is_empty() && t.len() <= 128),
        }
    }

    pub fn owner(account: AccountId) -> Self {
        Self { account: Some(account), ..Self::default() }
    }

    pub fn staff() -> Self {
        Self { staff: true, ..Self::default() }
    }

    pub fn token(token: impl Into<String>) -> Self {
        Self { token: Some(token.into()), ..Self::default() }
    }

    /// Whether anything at all was presented.
    pub fn is_anonymous(&self) -> bool {
        self.account.is_none() && self.token.is_none() && !self.staff
    }
}

/// How an order's goods travel, as a list filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodFilter {
    Delivery,
    Pickup,
    /// Nothing physical.
    Nothing,
}

impl MethodFilter {
    pub const ALL: [MethodFilter; 3] = [MethodFilter::Delivery, MethodFilter::Pickup, MethodFilter::Nothing];

    pub fn as_str(self) -> &'static str {
        match self {
            MethodFilter::Delivery => "delivery",
            MethodFilter::Pickup => "pickup",
            MethodFilter::Nothing => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Which orders a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub account: Option<AccountId>,
    pub status: Option<OrderStatus>,
    pub method: Option<MethodFilter>,
    /// Where the goods come from (the pickup branch or the warehouse).
    pub branch: Option<Uuid>,
    /// Placed at or after.
    pub from: Option<DateTime<Utc>>,
    /// Placed before.
    pub until: Option<DateTime<Utc>>,
    /// An order number (`TS-001234` or its digits), the start of the buyer's email, or the
    /// delivery phone's 8 digits.
    pub search: Option<String>,
}

/// What staff may do to an order through `transition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    Ship,
    ReadyForPickup,
    PickedUp,
    Complete,
    Cancel,
}

impl StaffAction {
    pub const ALL: [StaffAction; 5] = [
        StaffAction::Ship,
        StaffAction::ReadyForPickup,
        StaffAction::PickedUp,
        StaffAction::Complete,
        StaffAction::Cancel,
    ];

    /// # Errors
    /// A field error on `to`.
    pub fn parse(raw: &str) -> Result<Self, FieldErrors> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|a| a.as_str() == raw).ok_or_else(|| FieldErrors::single("to", Code::StaffAction))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StaffAction::Ship => "shipped",
            StaffAction::ReadyForPickup => "ready_for_pickup",
            StaffAction::PickedUp => "picked_up",
            StaffAction::Complete => "completed",
            StaffAction::Cancel => "cancelled",
        }
    }

    pub fn target(self) -> OrderStatus {
        match self {
            StaffAction::Ship => OrderStatus::Shipped,
            StaffAction::ReadyForPickup => OrderStatus::ReadyForPickup,
            StaffAction::PickedUp | StaffAction::Complete => OrderStatus::Completed,
            StaffAction::Cancel => OrderStatus::Cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: OrderStatus, fulfillment: Fulfillment) -> Order {
        Order {
            id: OrderId::from_uuid(Uuid::nil()),
            number: "TS-001001".into(),
            account_id: None,
            email: "a@b.mn".into(),
            lang: Lang::Mn,
            status,
            payment_status: PaymentStatus::Paid,
            items: Vec::new(),
            totals: Totals::default(),
            refunded_total: Money::ZERO,
            fulfillment,
            tracking_number: None,
            created_at: DateTime::<Utc>::MIN_UTC,
            expires_at: DateTime::<Utc>::MIN_UTC,
            events: Vec::new(),
            coupons: Vec::new(),
        }
    }

    fn branch() -> BranchInfo {
        BranchInfo {
            id: Uuid::nil(),
            name: Localized::default(),
            address: Localized::default(),
            opening_hours: Localized::default(),
        }
    }

    #[test]
    fn staff_are_offered_only_the_moves_an_order_can_make() {
        use StaffAction::*;
        let address = DeliveryAddress {
            name: "Bat".into(),
            phone: "88112233".into(),
            city: "UB".into(),
            district: "BGD".into(),
            line1: "1".into(),
            line2: None,
        };
        let delivery = || Fulfillment::Delivery { address: address.clone(), from: branch() };
        let pickup = || Fulfillment::Pickup { branch: branch() };
        assert_eq!(order(OrderStatus::Paid, delivery()).staff_actions(), [Ship, Complete]);
        assert_eq!(order(OrderStatus::Shipped, delivery()).staff_actions(), [Complete]);
        assert_eq!(order(OrderStatus::Paid, pickup()).staff_actions(), [ReadyForPickup]);
        assert_eq!(order(OrderStatus::ReadyForPickup, pickup()).staff_actions(), [PickedUp]);
        assert_eq!(order(OrderStatus::PendingPayment, delivery()).staff_actions(), [Cancel]);
        assert_eq!(order(OrderStatus::Paid, Fulfillment::None).staff_actions(), [Complete]);
        assert!(order(OrderStatus::Refunded, delivery()).staff_actions().is_empty());
        assert!(order(OrderStatus::Completed, pickup()).staff_actions().is_empty());
    }
}
