//! The operator's own things: subscriber numbers, SIMs, eSIMs and the gateway that reaches the network.
pub mod numbers;
pub mod types;

pub use types::Msisdn;
