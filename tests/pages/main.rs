//! Shopper HTML pages: content, htmx fragments, languages, errors, headers, assets.
#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod admin;
mod admin_branches;
mod admin_catalog;
mod admin_numbers;
mod admin_orders;
mod assets;
mod catalog;
mod coupons;
mod i18n;
mod language;
mod mongolian;
mod my_numbers;
mod numbers;
mod password_reset;
mod profile;
mod security;
mod shopping;
mod top_up;
