//! What handlers take from a request besides their input: language, htmx, the caller's address, page chrome.
pub mod auth;
pub mod client_ip;
pub mod htmx;
pub mod key_header;
pub mod lang;
pub mod path_id;
pub mod user;

pub use auth::{ApiAccount, ApiStaff, MaybeApiAccount};
pub use client_ip::Caller;
pub use htmx::Htmx;
pub use key_header::KeyHeader;
pub use lang::{resolve_language, CurrentLang};
pub use path_id::path_id;
pub use user::{AdminUser, SignedIn, StaffUser, Visitor};
