//! Orders: the cart frozen at checkout, its payment status, fulfilment and every state it passed
//! through. `state.rs` holds the only table of legal moves; each move is recorded with its actor.
pub mod commands;
pub mod error;
pub mod links;
pub mod mail;
pub mod model;
pub mod pickup;
pub mod queries;
pub mod state;
pub mod types;

pub use error::OrderError;
pub use state::{FulfillmentStatus, OrderStatus, PaymentStatus};
pub use types::{
    Actor, BranchInfo, DeliveryAddress, Fulfillment, MethodFilter, NewFulfillment, NewOrder, Order, OrderAccess,
    OrderEvent, OrderFilter, OrderItem, OrderToken, StaffAction,
};
