//! Accounts: shoppers and staff, their credentials and roles.
pub mod addresses;
pub mod attempts;
pub mod commands;
pub mod error;
pub mod model;
pub mod password;
pub mod queries;
pub mod reset;
pub mod sessions;
pub mod staff;
pub mod tokens;
pub mod types;

pub use error::AccountError;
pub use types::{Account, Email, Password, Role};
