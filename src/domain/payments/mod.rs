//! Payments: attempts to pay an order through a provider, the provider's signed webhooks that
//! settle them, and refunds. The built-in sandbox provider behaves like a real one: a hosted
//! page, HMAC-signed events, declines.
pub mod attempts;
pub mod commands;
pub mod error;
pub mod model;
pub mod provider;
pub mod sandbox;
pub mod types;
pub mod webhook;

pub use error::PaymentError;
pub use provider::PaymentProvider;
pub use types::{Outcome, Payment, PaymentState, ProviderRefund, Refund, WebhookEvent};
