//! Checkout inputs and result.

use crate::domain::accounts::addresses::AddressInput;
use crate::domain::idempotency::Fingerprint;
use crate::domain::orders::{Order, OrderToken};
use crate::domain::payments::Payment;
use crate::domain::shared::Lang;
use crate::domain::shared::{AccountId, CartId};

/// How the goods reach the shopper, as given (checked only when the cart holds goods).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FulfillmentInput {
    /// `delivery` or `pickup`.
    pub method: Option<String>,
    /// A typed delivery address…
    pub address: Option<AddressInput>,
    /// …or one from the customer's address book.
    pub address_id: Option<String>,
    pub branch_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PlaceOrder {
    pub cart_id: CartId,
    /// The signed-in customer placing it, if any.
    pub caller: Option<AccountId>,
    /// A guest's email (a customer's own is used otherwise).
    pub email: Option<String>,
    pub fulfillment: FulfillmentInput,
    /// The language the order's mails are written in.
    pub lang: Lang,
}

impl PlaceOrder {
    /// What makes two checkouts one request: the cart, who places it, the email and how the
    /// goods travel (not the language its mails are written in).
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of("place_order", &(self.cart_id, self.caller, &self.email, &self.fulfillment))
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Placed {
    pub order: Order,
    pub payment: Payment,
    /// A guest's link to the order: only its hash is kept with the order, so it is not stored
    /// with the answer either ...
    #[serde(skip)]
    pub link: Option<OrderToken>,
    /// ... but sealed under the idempotency key, which the database does not hold, so a retry
    /// with the key gets the first answer's link back.
    pub sealed_link: Option<String>,
}
