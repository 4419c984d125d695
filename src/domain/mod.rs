//! The shop's rules. Never imports HTTP, session or template types: pages, admin pages
//! and the API are three presentations of these same calls.
pub mod accounts;
pub mod audit;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod fulfilment;
pub mod idempotency;
pub mod jobs;
pub mod mails;
pub mod orders;
pub mod payments;
pub mod promotions;
pub mod pruning;
pub mod reports;
pub mod shared;
pub mod telco;
