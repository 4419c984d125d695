//! `/api/v1` catalog endpoints against a real PostgreSQL, exactly as the contract says.
#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod admin_catalog;
mod admin_orders;
mod cart;
mod catalog;
mod checkout;
mod cli;
mod coupons;
mod docs;
mod fulfilment;
mod jobs;
mod limits;
mod me;
mod number_holds;
mod numbers;
mod payments;
