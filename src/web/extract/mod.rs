//! What handlers take from a request besides their input: language, htmx, page chrome.
pub mod auth;
pub mod htmx;
pub mod lang;
pub mod user;

pub use auth::{ApiAccount, ApiStaff};
pub use htmx::Htmx;
pub use lang::{resolve_language, CurrentLang};
pub use user::{SignedIn, StaffUser, Visitor};
