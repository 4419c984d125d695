//! The shop's rules. Never imports HTTP, session or template types: pages, admin pages
//! and the API are three presentations of these same calls.
pub mod accounts;
pub mod catalog;
pub mod jobs;
pub mod shared;
