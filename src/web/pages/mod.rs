//! Shopper HTML pages, one file per area; template structs live beside their handlers.
pub mod accounts;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod errors;
pub mod health;
pub mod home;
pub mod orders;
pub mod password_reset;
pub mod views;
