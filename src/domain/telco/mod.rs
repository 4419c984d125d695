//! The operator's own things: subscriber numbers, SIMs, eSIMs and the gateway that reaches the network.
pub mod inventory;
pub mod lifecycle;
pub mod numbers;
pub mod operator;
pub mod owned;
pub mod pool;
pub mod sandbox;
pub mod sims;
pub mod types;

pub use inventory::{EsimCode, Iccid, InventoryKey, SimCode};
pub use types::{Activation, EsimStatus, Msisdn, NumberStatus, SimCardStatus, SimKind};
