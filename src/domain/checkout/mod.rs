//! Checkout: turns an open cart into an order awaiting payment, reserving what it sells.
pub mod commands;
pub mod error;
pub mod types;

pub use commands::{place_order, place_order_once};
pub use error::CheckoutError;
pub use types::{FulfillmentInput, PlaceOrder, Placed};
