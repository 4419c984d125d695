//! htmx journeys in headless Chromium driven over WebDriver.
#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod catalog;
mod checkout;
mod coupons;
mod telco;
