//! Shopper HTML pages, one file per area; template structs live beside their handlers. Form
//! types several pages share are in `forms`, the session's cart in `cart_session`.
pub mod account;
pub mod addresses;
pub mod cart;
pub mod cart_session;
pub mod catalog;
pub mod checkout;
pub mod errors;
pub mod forms;
pub mod health;
pub mod home;
pub mod links;
pub mod login;
pub mod my_numbers;
pub mod numbers;
pub mod orders;
pub mod password_reset;
pub mod payments;
pub mod register;
pub mod top_up;
pub mod views;
