//! htmx journeys in headless Chromium driven over WebDriver.
#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod admin;
mod catalog;
mod checkout;
mod coupons;
mod phone;
mod telco;
