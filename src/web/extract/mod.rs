//! What handlers take from a request besides their input: language, htmx, page chrome.
pub mod auth;
pub mod htmx;
pub mod idempotency;
pub mod lang;
pub mod user;

pub use auth::{ApiAccount, ApiStaff, MaybeApiAccount};
pub use htmx::Htmx;
pub use idempotency::IdempotencyKey;
pub use lang::{resolve_language, CurrentLang};
pub use user::{SignedIn, StaffUser, Visitor};
