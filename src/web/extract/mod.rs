//! What handlers take from a request besides their input: language, htmx, page chrome.
pub mod htmx;
pub mod lang;

pub use htmx::Htmx;
pub use lang::{resolve_language, CurrentLang};
