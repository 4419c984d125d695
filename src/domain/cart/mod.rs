//! Carts: what a shopper (guest or customer) is about to buy. Lines keep only the choice
//! (product, quantity, the number a top-up is for); prices come from the catalog whenever the
//! cart is read, so a client can never set one.
pub mod commands;
pub mod error;
pub mod model;
pub mod queries;
pub mod rules;
pub mod state;
pub mod types;

pub use error::CartError;
pub use state::CartStatus;
pub use types::{CartLine, CartView, ItemInput, PickupOption, Totals};
