//! Shopper HTML pages, one file per area; template structs live beside their handlers.
pub mod accounts;
pub mod catalog;
pub mod errors;
pub mod health;
pub mod home;
pub mod password_reset;
pub mod views;
